"""Dash components as plain HTML, for readers without JavaScript.

A Dash page is drawn by its JavaScript: without it (a text browser, a
browser with scripts off, ``curl``) a results page was an empty shell. The
app puts the same page, made into HTML here, in a ``<noscript>``: those
readers see the results and follow their links, and the search box is a
plain form to ``/search``.

Only what the built-in pages use is made: the ``html`` components and
``dcc.Link``/``dcc.Input``; any other component contributes its children.
Every text and attribute is escaped, only HTML attributes are written
(never Dash's own props such as ``n_clicks``), and a link whose scheme can
run code (``javascript:``) is dropped, as React does.
"""

from __future__ import annotations

import html as html_escape
import re
from typing import Any

# React prop names that are not the HTML attribute's name in lower case.
_RENAMED = {"className": "class", "htmlFor": "for"}
# The HTML attributes written; anything else a component carries is Dash's.
_ATTRIBUTES = frozenset(
    "id class href title role hidden lang dir type name value placeholder autofocus autocomplete spellcheck "
    "maxlength for action method list rel target datetime tabindex alt src width height colspan rowspan start "
    "reversed open disabled checked selected min max step download".split()
)
_URL_ATTRIBUTES = frozenset({"href", "src", "action"})
_VOID = frozenset({"area", "br", "col", "hr", "img", "link", "meta", "source", "track", "wbr"})  # and input
# Tags whose component name is not the tag (html.Data is <data>, and so on, by lower case).
_DCC_TAGS = {"Link": "a", "Input": "input"}
# Browsers ignore these characters in a URL's scheme: "java\tscript:" is "javascript:".
_SCHEME_NOISE = re.compile(r"[\x00-\x20]")
_UNSAFE_SCHEMES = ("javascript:", "vbscript:", "data:")


def to_html(node: Any) -> str:
    """``node`` (a component, a string, a number, a list of them, or None) as HTML."""
    out: list[str] = []
    _write(node, out)
    return "".join(out)


def _write(node: Any, out: list[str]) -> None:
    if node is None or isinstance(node, bool):
        return
    if isinstance(node, (str, int, float)):
        out.append(html_escape.escape(str(node), quote=False))
        return
    if isinstance(node, (list, tuple)):
        for child in node:
            _write(child, out)
        return
    tag = _tag(node)
    children = getattr(node, "children", None)
    if tag == "input":  # as Dash 4 draws dcc.Input: its className on a box around the field
        box = " ".join(["dash-input-container dash-input", getattr(node, "className", None) or ""]).strip()
        field = _attributes(node, skip="className")
        out.append(f'<div class="{html_escape.escape(box, quote=True)}"><input class="dash-input-element"{field}></div>')
        return
    if tag is None:  # a component with no HTML of its own (dcc.Location, a graph): its children only
        _write(children, out)
        return
    out.append("<" + tag + _attributes(node))
    out.append(">")
    if tag in _VOID:
        return
    _write(children, out)
    out.append("</" + tag + ">")


def _tag(node: Any) -> str | None:
    namespace = getattr(node, "_namespace", "")
    name = getattr(node, "_type", "")
    if namespace == "dash_html_components" and name.isalnum():
        return name.lower()
    if namespace == "dash_core_components":
        return _DCC_TAGS.get(name)
    return None


def _attributes(node: Any, skip: str = "children") -> str:
    parts: list[str] = []
    # The props set, aria-* and data-* too: a component keeps them as attributes (with a few
    # lists of its own, which no attribute name matches). to_plotly_json() takes 60x longer.
    for prop, value in vars(node).items():
        if prop in ("children", skip) or value is None or value is False:
            continue
        name = _attribute_name(prop)
        if name is None:
            continue
        if name in _URL_ATTRIBUTES and not safe_url(value):
            continue
        if value is True:
            parts.append(" " + name)
        elif isinstance(value, (str, int, float)):
            parts.append(f' {name}="{html_escape.escape(str(value), quote=True)}"')
    parts.sort()  # by name: the same HTML whatever order the props were given in
    return "".join(parts)


def _attribute_name(prop: str) -> str | None:
    if prop.startswith(("aria-", "data-")):
        return prop if re.fullmatch(r"[a-z][a-z0-9-]*", prop) else None
    name = _RENAMED.get(prop, prop.lower())
    return name if name in _ATTRIBUTES else None


def safe_url(value: Any) -> bool:
    """False for a URL whose scheme runs code in the page (``javascript:`` and its kin)."""
    text = _SCHEME_NOISE.sub("", str(value)).lower()
    return not text.startswith(_UNSAFE_SCHEMES)
