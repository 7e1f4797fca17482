"""Extract a whole corpus in one process and report speed and failures.

Not a test (pytest does not collect it): ``python tests/extractors/bench_corpus.py /work/corpus``.
Prints files/s per kind, PDF pages/s, failures grouped by reason and the slowest files.
"""

from __future__ import annotations

import collections
import os
import sys
import time
from pathlib import Path

import pypdfium2 as pdfium

from siteseer.index.extractors import ExtractError, extract, kind_for


def pdf_pages(path: Path) -> int:
    try:
        doc = pdfium.PdfDocument(path)
    except pdfium.PdfiumError:
        return 0
    try:
        return len(doc)
    finally:
        doc.close()


def main(root: Path) -> None:
    seconds = collections.Counter()
    files = collections.Counter()
    units = collections.Counter()
    chars = collections.Counter()
    failures: dict[str, list[str]] = collections.defaultdict(list)
    slow: list[tuple[float, str, int]] = []
    pages = 0
    max_unit = 0
    for dirpath, _, names in os.walk(root):
        for name in sorted(names):
            path = Path(dirpath) / name
            kind = kind_for(path)
            if kind is None or not path.is_file():
                continue
            rel = path.relative_to(root).as_posix()
            start = time.perf_counter()
            try:
                result = extract(path, rel)
            except ExtractError as err:
                result = None
                failures[str(err)].append(rel)
            took = time.perf_counter() - start
            seconds[kind] += took
            files[kind] += 1
            slow.append((took, rel, path.stat().st_size))
            if result is not None:
                units[kind] += len(result.units)
                chars[kind] += sum(len(u.text) for u in result.units)
                max_unit = max([max_unit, *(len(u.text) for u in result.units)])
            if kind == "pdf":
                pages += pdf_pages(path)
    print(f"{'kind':10} {'files':>7} {'units':>8} {'chars':>12} {'seconds':>8} {'files/s':>8}")
    for kind in sorted(files):
        print(f"{kind:10} {files[kind]:7d} {units[kind]:8d} {chars[kind]:12d} {seconds[kind]:8.2f} "
              f"{files[kind] / max(seconds[kind], 1e-9):8.1f}")
    if files["pdf"]:
        print(f"PDF: {pages} pages in {seconds['pdf']:.2f}s = {pages / seconds['pdf']:.0f} pages/s")
    print(f"longest unit: {max_unit} chars")
    print(f"\nfailures ({sum(map(len, failures.values()))}):")
    for reason, rels in sorted(failures.items(), key=lambda kv: -len(kv[1])):
        print(f"  {len(rels):5d}  {reason}   e.g. {rels[:3]}")
    print("\nslowest files:")
    for took, rel, size in sorted(slow, reverse=True)[:12]:
        print(f"  {took * 1000:8.1f} ms  {size / 1e6:7.2f} MB  {rel}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "/work/corpus"))
