"""The output formats: a table of format name → writer, read by the CLI, build and batch alike.

A writer turns a resolved :class:`~contractgen.document.Document` into the bytes of one file.
Each row names the module that draws it, imported on first use, so reading the table (for
``--format`` choices, file names, the batch's hashes) costs nothing. Adding a format (say HTML)
is one module with a ``render_html(document) -> bytes`` and one row here.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from contractgen.document import Document


class Writer(Protocol):
    """What build and batch need of a format."""

    name: str
    suffix: str  # with the dot: ".pdf"
    media_type: str

    def render(self, document: Document) -> bytes:
        """The file's bytes; the same document always gives the same bytes."""
        ...


@dataclass(frozen=True)
class LazyWriter:
    """A writer whose drawing function (``module:function``) is imported when it first renders."""

    name: str
    suffix: str
    media_type: str
    target: str  # "package.module:function"

    @property
    def module(self) -> str:
        """The module that draws this format (a batch's workers import it before the first influencer)."""
        return self.target.partition(":")[0]

    def render(self, document: Document) -> bytes:
        """Draw the document (the drawing module is imported on the first call)."""
        return _function(self.target)(document)


@cache
def _function(target: str) -> Callable[[Document], bytes]:
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)


WRITERS: dict[str, Writer] = {
    "docx": LazyWriter("docx", ".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                       "contractgen.render.docx:render_docx"),
    "pdf": LazyWriter("pdf", ".pdf", "application/pdf", "contractgen.render.pdf:render_pdf"),
}
FORMATS: tuple[str, ...] = tuple(WRITERS)  # the --format choices, in this order by default


def writer(name: str) -> Writer:
    """The writer of a format named in :data:`WRITERS` (KeyError for another name)."""
    return WRITERS[name]


def render(document: Document, fmt: str) -> bytes:
    """Bytes of a document in one format."""
    return WRITERS[fmt].render(document)


def file_name(stem: str, fmt: str) -> str:
    """The file name of a document in one format: ``contract`` + ``.pdf``."""
    return stem + WRITERS[fmt].suffix


def modules(formats: Iterable[str]) -> list[str]:
    """The drawing modules of these formats, for a worker to import before its first influencer."""
    return [w.module for f in formats if isinstance(w := WRITERS[f], LazyWriter)]
