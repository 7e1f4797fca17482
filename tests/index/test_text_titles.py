"""Titles of plain-text files: the first line of words, not reStructuredText markup.

(Beside tests/extractors/test_text.py, which holds the rest of the text extractor's tests.)
"""

import pytest

from siteseer.index.extractors import extract

WHATSNEW = """****************************
  What's New In Python 3.5
****************************

:Editors: Elvis Pranskevichus <elvis@magic.io>, Yury Selivanov <yury@magic.io>

This article explains the new features in Python 3.5.
"""

STREAMS = """.. currentmodule:: asyncio

.. _asyncio-streams:

=======
Streams
=======

**Source code:** :source:`Lib/asyncio/streams.py`
"""

MEMORYVIEW = """.. highlight:: c

.. _memoryview-objects:

.. index::
   object: memoryview

MemoryView objects
------------------

A memoryview object exposes the C level buffer interface.
"""

FLOATS = """.. testsetup::

    import math

.. _tut-fp-issues:

**************************************************
Floating Point Arithmetic:  Issues and Limitations
**************************************************
"""

CMDLINE = """.. highlight:: sh

.. ATTENTION: You probably should update Misc/python.man, too, if you modify
   this file.

:orphan:

Command line and environment
============================
"""


@pytest.mark.parametrize("text, title", [
    (WHATSNEW, "What's New In Python 3.5"),  # overlined
    (STREAMS, "Streams"),  # directive and label first
    (MEMORYVIEW, "MemoryView objects"),  # a directive's indented body is markup too
    (FLOATS, "Floating Point Arithmetic: Issues and Limitations"),
    (CMDLINE, "Command line and environment"),  # a comment's body, a field
    ("Setext title\n============\n\nBody text.\n", "Setext title"),
    ("-----\n2024-05-01\n\nMeeting notes\n\nWe met.\n", "Meeting notes"),
    ("Shopping list\n\n.. not markup after the title\n", "Shopping list"),
], ids=["overlined", "directive-label", "directive-body", "testsetup", "comment-field", "underlined", "no-letters",
        "plain"])
def test_txt_title_is_the_first_line_of_words(tmp_path, text, title):
    path = tmp_path / "page.rst.txt"
    path.write_text(text, encoding="utf-8")
    result = extract(path, "page.rst.txt")
    assert result.title == title
    assert result.units[0].text.startswith(text.split("\n", 1)[0].strip())  # the body keeps the markup


@pytest.mark.parametrize("text", [
    "****\n\n====\n\n12 34\n",  # no words at all
    ".. note::\n\n   Only a directive and its body.\n",
    "=====\n" + "word " * 40 + "\n",  # the first line of words is a paragraph, not a title
    "-\n" * 3000 + "Too far down\n",  # only the top of the file is looked at
], ids=["no-words", "only-markup", "paragraph", "too-far"])
def test_txt_without_a_title_line_uses_the_file_name(tmp_path, text):
    path = tmp_path / "page.txt"
    path.write_text(text, encoding="utf-8")
    assert extract(path, "page.txt").title == "page.txt"
