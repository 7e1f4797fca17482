"""``siteseer serve DIR --pages MYPAGES/``: your own Dash pages on the site.

Mechanism (deliberately not Dash Pages): every ``*.py`` file in the folder
whose name does not start with ``_`` is imported once, as module
``siteseer_pages.<name>``. A page module defines

* ``layout`` — a component, or a function returning one (it may take the
  page's query parameters as keyword arguments, like Dash Pages);
* ``path`` (optional) — where it is served; default ``/<module name>``
  (``_`` in the name becomes ``-``);
* ``title`` (optional) — for ``<title>``; default the module name.

Callbacks are registered the usual way with ``dash.callback``. Right after
importing the folder, the callbacks it registered are moved into the main
web app (so no other Dash app in the process can pick them up), and the
paths are added to the router and to ``web_paths(app)``. Pages are rendered
by the same router as ``/search``, under the site's header, behind the same
gatekeeper, and their first load needs no extra request either.

Do not call ``dash.register_page`` in these modules; ``path`` replaces it.
Component ids must not clash with the site's own (``url``, ``nav``,
``page``, ``page-url``, ``page-title``, ``q``, ``q-go``, ``q-suggest``).
"""

from __future__ import annotations

import importlib.util
import sys
import types
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dash import _callback as dash_callback_registry

MODULE_PREFIX = "siteseer_pages"
RESERVED_PATHS = ("/", "/search", "/healthz", "/metrics")


class UserPageError(Exception):
    """A page module cannot be used; the message names the file and why."""


@dataclass
class UserPage:
    path: str
    layout: Any
    title: str
    module: str


def _is_reserved(path: str) -> bool:
    return (
        path in RESERVED_PATHS
        or path.startswith("/_")  # /_dash-…, /_siteseer/…, /_favicon.ico
        or path.startswith("/admin")
        or path == "/api"
        or path.startswith("/api/")
    )


def _page_path(module: types.ModuleType, name: str, file: Path) -> str:
    path = getattr(module, "path", None)
    if path is None:
        path = "/" + name.replace("_", "-")
    if not isinstance(path, str) or not path.startswith("/") or path.startswith("//"):
        raise UserPageError(f"{file}: path must be a string starting with '/', not {path!r}")
    if len(path) > 1:
        path = path.rstrip("/")
    if _is_reserved(path):
        raise UserPageError(f"{file}: path {path} is reserved by siteseer")
    return path


def load_user_pages(app: Any, pages_dir: str | Path) -> list[UserPage]:
    """Import the page modules in ``pages_dir`` and serve them on ``app``.

    Returns the pages loaded. Raises ``UserPageError`` for a missing folder,
    a module that fails to import, has no ``layout``, or a bad/duplicate path.
    """
    folder = Path(pages_dir).expanduser()
    if not folder.is_dir():
        raise UserPageError(f"{folder} is not a folder")
    site = app.site
    registry = dash_callback_registry
    before_map = set(registry.GLOBAL_CALLBACK_MAP)
    before_list = len(registry.GLOBAL_CALLBACK_LIST)
    before_inline = len(registry.GLOBAL_INLINE_SCRIPTS)

    package = sys.modules.get(MODULE_PREFIX)
    if package is None:
        package = types.ModuleType(MODULE_PREFIX)  # the page modules' package
        package.__path__ = []
        sys.modules[MODULE_PREFIX] = package
    if str(folder) not in package.__path__:
        # Found there: a page's ``from ._helpers import x`` (files starting with "_" are no pages).
        package.__path__.insert(0, str(folder))

    loaded: list[UserPage] = []
    try:
        for file in sorted(folder.glob("*.py")):
            name = file.stem
            if name.startswith("_"):
                continue
            module_name = f"{MODULE_PREFIX}.{name}"
            spec = importlib.util.spec_from_file_location(module_name, file)
            if spec is None or spec.loader is None:
                raise UserPageError(f"{file}: cannot be imported")
            module = importlib.util.module_from_spec(spec)
            sys.modules[module_name] = module
            try:
                spec.loader.exec_module(module)
            except Exception as exc:
                sys.modules.pop(module_name, None)
                raise UserPageError(f"{file}: import failed: {type(exc).__name__}: {exc}") from exc
            if not hasattr(module, "layout"):
                raise UserPageError(f"{file}: defines no layout")
            clash = _site_id_in(module.layout)
            if clash is not None:
                raise UserPageError(f"{file}: id {clash!r} is siteseer's own ({', '.join(sorted(SITE_IDS))}): "
                                    "give the page's ids a prefix of its own, like hello-name")
            path = _page_path(module, name, file)
            if path in site.user_pages:
                raise UserPageError(f"{file}: path {path} is already used by {site.user_pages[path].module}")
            title = getattr(module, "title", None)
            page = UserPage(path=path, layout=module.layout, title=str(title) if title else name.replace("_", " "), module=module_name)
            site.user_pages[path] = page
            loaded.append(page)
        # Checked before any callback moves into app: a refusal leaves app as it was.
        taken = next((k for k in registry.GLOBAL_CALLBACK_MAP if k not in before_map and k in app.callback_map), None)
        if taken is not None:
            raise UserPageError(f"{folder}: callback output {taken} is already used by the site")
    except UserPageError:
        # As if never loaded: a worker that is refused them serves the rest of the site (create_web_app).
        for page in loaded:
            site.user_pages.pop(page.path, None)
            sys.modules.pop(page.module, None)
        for key in [k for k in registry.GLOBAL_CALLBACK_MAP if k not in before_map]:
            del registry.GLOBAL_CALLBACK_MAP[key]
        del registry.GLOBAL_CALLBACK_LIST[before_list:]
        del registry.GLOBAL_INLINE_SCRIPTS[before_inline:]
        raise

    # Move the callbacks these modules registered with dash.callback into app.
    for key in [k for k in list(registry.GLOBAL_CALLBACK_MAP) if k not in before_map]:
        app.callback_map[key] = registry.GLOBAL_CALLBACK_MAP.pop(key)
    new_callbacks = registry.GLOBAL_CALLBACK_LIST[before_list:]
    del registry.GLOBAL_CALLBACK_LIST[before_list:]
    for spec_ in new_callbacks:
        if spec_.get("hidden") is None:
            spec_ = {**spec_, "hidden": False}
        app._callback_list.append(spec_)  # pylint: disable=protected-access
    new_inline = registry.GLOBAL_INLINE_SCRIPTS[before_inline:]
    del registry.GLOBAL_INLINE_SCRIPTS[before_inline:]
    app._inline_scripts.extend(new_inline)  # pylint: disable=protected-access
    return loaded


# The ids of the page shell every page is drawn in: a page's element with one of
# them made two (the skip link and the focus after navigation went to the wrong
# "main"), and a callback on it fought the site's.
SITE_IDS = frozenset({"q", "q-go", "q-suggest", "q-prefix", "url", "nav", "page", "page-url", "page-title",
                      "title-sink", "announce", "main"})


def _site_id_in(layout) -> str | None:
    """The first of ``SITE_IDS`` that ``layout`` (or what it returns, called without
    arguments) uses, else None; a layout that needs arguments is not checked."""
    try:
        tree = layout() if callable(layout) else layout
    except Exception:
        return None
    if not hasattr(tree, "_traverse"):
        return None
    for component in (tree, *tree._traverse()):  # pylint: disable=protected-access
        component_id = getattr(component, "id", None)
        if isinstance(component_id, str) and component_id in SITE_IDS:
            return component_id
    return None
