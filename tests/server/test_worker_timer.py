"""The worker's 1 s timer: a deleted large file's descriptor is let go of with no request asking."""

from __future__ import annotations

import asyncio
import time

from siteseer.files.static import SMALL_FILE_BYTES
from tests.files.test_files_handles import held_deleted_files
from tests.server.test_core_qa_fixes import Proto, Scope
from tests.server.test_gatekeeper_order import make_app, site  # noqa: F401 (a fixture)


class FileProto(Proto):
    def response_file_range(self, status, headers, path, start, end):
        self.answer = (status, headers, path)


def test_the_timer_frees_a_deleted_large_file_while_no_large_file_is_asked_for(site):  # noqa: F811
    big = site / "talk.mp4"
    big.write_bytes(b"v" * (SMALL_FILE_BYTES + 1))
    app = make_app(site, "")
    open_files = app.services.files.open_files
    open_files.grace = 0  # granian would have opened it long ago

    async def serve_then_wait() -> bool:
        proto = FileProto()
        await app.__rsgi__(Scope("GET", "/talk.mp4", []), proto)
        assert proto.answer[2].startswith("/proc/self/fd/")  # granian is handed the descriptor
        big.unlink()
        open_files._next_sweep = 0.0  # the sweep is due at the next tick
        app.__rsgi_init__(asyncio.get_running_loop())
        deadline = time.monotonic() + 10
        while any("talk.mp4" in t for t in held_deleted_files()) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)  # polling: the timer runs on this loop
        return not any("talk.mp4" in t for t in held_deleted_files())

    try:
        assert asyncio.run(serve_then_wait()), "the deleted file's descriptor is still held"
        assert open_files.open_count == 0
    finally:
        app._flush_handle.cancel()
        app.services.close()
