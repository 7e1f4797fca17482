"""The tantivy schema, its fields' analyzers, and the one way to open the index.

Custom tokenizers live in the process, not in the index files, so every
process that opens the index (the indexer, each server worker, the CLI) must
register them before searching or writing: ``open_index`` always does. The
analyzers, and the forms of text they are given, are made in ``textforms``:
queries must read their words the same way.

Text is indexed four ways:

* ``title`` / ``headings`` / ``body`` — words (letters and digits, CJK
  excluded), lowercased, ASCII-folded and English-stemmed: what ranking uses.
  Greek accents and Russian "ё" are folded in Python first (``textforms.fold``: tantivy has no
  filter for them).
  ``body`` also has the other two as values after its own text, so it alone
  decides whether a unit matches (``documents.to_document``).
  The tokenizer is tantivy's ``simple`` one (split on anything that is not
  alphanumeric: about twice as fast as a regex tokenizer, and tokenizing is
  most of the writer's work); CJK is kept out of it by indexing these fields
  with their CJK runs blanked (``textforms.index_form``). Such a unit also stores its
  original text in ``<field>_orig`` (``original`` reads it back).
  ``headings`` has more values after the unit's own headings: its page's
  title and the words of its path (``documents.unit_fields``), found by, not shown.
* ``cjk`` / ``cjk_title`` — overlapping character bigrams of the CJK runs,
  made by ``textforms.cjk_bigrams`` (a word tokenizer sees a Japanese sentence as one
  giant token; bigrams find 92 of 92 documents where words found 19), of
  half-width katakana as full-width (``textforms.fold_width``).
* ``vocab`` — the same words unstemmed, documents only: the vocabulary for
  prefix expansion, search-as-you-type and "did you mean".
* ``grams`` — the body's pairs of adjacent stems of which one is a common
  word ("and_the", "use_the"), made by ``textforms.common_grams`` (Lucene's
  CommonGrams). A phrase with a common word is otherwise checked position
  by position in nearly every unit; as a gram it is one term lookup (what
  that gains and costs: ``siteseer.search.build.Builder.body_phrase``).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import tantivy

from siteseer.index.extractors.base import KINDS
from siteseer.index.textforms import BIGRAMS, VOCAB, WORDS, analyzers

# Bump when fields or analyzers change, or any text form of ``textforms`` that is
# indexed: the indexer then rebuilds from scratch.
SCHEMA_VERSION = "17"


def file_key(path: str) -> int:
    """A number for the file at ``path`` (its units share it): 64 bits of its hash."""
    return int.from_bytes(hashlib.blake2b(path.encode("utf-8", "surrogateescape"), digest_size=8).digest(), "little")


def build_schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("id", stored=True, tokenizer_name="raw")
    sb.add_text_field("path", stored=True, tokenizer_name="raw")  # delete-by-path
    sb.add_text_field("url", stored=True, tokenizer_name="raw")
    sb.add_text_field("type", stored=True, tokenizer_name="raw", fast=True)
    sb.add_text_field("title", stored=True, tokenizer_name=WORDS)
    sb.add_text_field("headings", stored=True, tokenizer_name=WORDS)
    sb.add_text_field("body", stored=True, tokenizer_name=WORDS)
    sb.add_text_field("cjk", tokenizer_name=BIGRAMS)
    sb.add_text_field("cjk_title", tokenizer_name=BIGRAMS)
    sb.add_text_field("vocab", tokenizer_name=VOCAB, index_option="basic")
    sb.add_text_field("grams", tokenizer_name=BIGRAMS, index_option="freq")  # searched as terms, never as phrases
    sb.add_facet_field("dir")
    sb.add_unsigned_field("size", stored=True, fast=True)
    sb.add_date_field("mtime", stored=True, indexed=True, fast=True)
    sb.add_unsigned_field("page", stored=True)
    sb.add_unsigned_field("lang", fast=True)  # languages.language_id of the path: the ranking reads it per hit
    sb.add_unsigned_field("kind", fast=True)  # kind_id of ``type``: facets read it per hit (only numbers can be)
    sb.add_unsigned_field("file", fast=True)  # file_key of ``path``: the ranking tells a file's hits apart per hit
    sb.add_float_field("t", stored=True)
    sb.add_text_field("anchor", stored=True, tokenizer_name="raw")
    # A section's page title as written, for showing (it is searched as a value of ``headings``).
    sb.add_bytes_field("page_title", stored=True, indexed=False)
    # A subtitle window's cues: where each starts in ``body`` and when (documents.pack_cues).
    sb.add_bytes_field("cues", stored=True, indexed=False)
    for name in ORIG_FIELDS:  # the text as written, only when the indexed form differs (see index_form)
        sb.add_bytes_field(f"{name}_orig", stored=True, indexed=False)  # UTF-8
    return sb.build()


ORIG_FIELDS = ("title", "headings", "body")


def kind_id(kind: str) -> int:
    """``kind`` (one of the extractors' KINDS) as the number the ``kind`` fast field holds; 0 for none of them."""
    return KINDS.index(kind) + 1 if kind in KINDS else 0


def kind_of(kind_id: int | None) -> str | None:
    """The kind a ``kind`` fast field value stands for; None for 0 or no value."""
    return KINDS[kind_id - 1] if kind_id and kind_id <= len(KINDS) else None


def original(doc: tantivy.Document, name: str) -> str | None:
    """A stored text field as written (``<name>_orig`` when its indexed form differs)."""
    return written(doc, name)[0]


def written(doc: tantivy.Document, name: str) -> tuple[str | None, bool]:
    """``original``, and whether the field was stored twice (its ``index_form`` differs): one lookup for both."""
    value = doc.get_first(f"{name}_orig")
    if value is not None:
        return bytes(value).decode("utf-8"), True
    return doc.get_first(name), False


def open_index(path: str | Path, writer: bool = False) -> tantivy.Index:
    """Open (creating it when ``writer``) the index at ``path``.

    Readers get a manually reloaded reader: the search service decides when
    to reload (it checks meta.json at most every half second).
    """
    path = Path(path)
    if writer:
        path.mkdir(exist_ok=True)  # in the state folder, made first: never the served folder above it
        index = tantivy.Index(build_schema(), path=str(path), reuse=True)
    else:
        index = tantivy.Index.open(str(path))
    for name, analyzer in analyzers().items():
        index.register_tokenizer(name, analyzer)
    if not writer:
        index.config_reader("manual")
    return index


def index_exists(path: str | Path) -> bool:
    return Path(path).is_dir() and tantivy.Index.exists(str(path))  # tantivy raises for a missing folder
