"""Checking a DOCX redline the way a lawyer relies on it: Accept All gives NEW, Reject All gives OLD.

Both sides are read from the files' WordprocessingML: every body paragraph (in table cells
too) as its style, list level and runs' text with bold and italic, and a marker per table row.
Numbering ids are left out: Word computes the numbers, so they are not the text.
"""

from __future__ import annotations

import zipfile
from io import BytesIO
from typing import TYPE_CHECKING

from contractgen.render.docx_revisions import resolve
from contractgen.render.docx_xml import W_NS

if TYPE_CHECKING:
    from lxml.etree import _Element as Element

_W = f"{{{W_NS}}}"
Line = tuple[object, ...]


def body(docx: bytes) -> Element:
    """The ``w:body`` element of a .docx file."""
    from lxml import etree

    with zipfile.ZipFile(BytesIO(docx)) as zf:
        root = etree.fromstring(zf.read("word/document.xml"))
    return root.find(_W + "body")


def lines(element: Element) -> list[Line]:
    """Each paragraph as (style, list level, (text, bold, italic) runs); ("row",) per table row."""
    out: list[Line] = []
    for el in element.iter(_W + "p", _W + "tr"):
        if el.tag == _W + "tr":
            out.append(("row",))
            continue
        style = el.find(f"{_W}pPr/{_W}pStyle")
        level = el.find(f"{_W}pPr/{_W}numPr/{_W}ilvl")
        runs: list[list[object]] = []
        for r in el.iter(_W + "r"):
            rpr = r.find(_W + "rPr")
            bold = rpr is not None and rpr.find(_W + "b") is not None
            italic = rpr is not None and rpr.find(_W + "i") is not None
            text = "".join(t.text or "" for t in r.iter(_W + "t", _W + "delText", _W + "tab", _W + "br")
                           if t.tag in (_W + "t", _W + "delText"))
            if not text:
                continue
            if runs and runs[-1][1:] == [bold, italic]:
                runs[-1][0] += text  # type: ignore[operator]
            else:
                runs.append([text, bold, italic])
        out.append((style.get(_W + "val") if style is not None else None,
                    level.get(_W + "val") if level is not None else None,
                    tuple(tuple(r) for r in runs)))
    return out


def resolved(docx: bytes, accept: bool) -> list[Line]:
    """The lines of a redline after accepting (or rejecting) every change."""
    element = body(docx)
    resolve(element, accept)
    return lines(element)


def check(redline: bytes, old: bytes, new: bytes) -> tuple[bool, bool]:
    """(accept all gives ``new``, reject all gives ``old``) for a redline and the two plain builds."""
    return resolved(redline, True) == lines(body(new)), resolved(redline, False) == lines(body(old))

