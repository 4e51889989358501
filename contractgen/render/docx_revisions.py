"""Word tracked changes (revision marks) for the DOCX writer, and accepting or rejecting them.

The DOCX writer draws a redline's runs and blocks as usual and asks :class:`Revisions` to mark
them: an inserted run sits in ``w:ins``, a deleted one in ``w:del`` with its text as
``w:delText``, a formatting change is ``w:rPrChange`` holding the run's old properties, an
inserted or deleted paragraph has ``w:ins``/``w:del`` on its paragraph mark and a row on its
``w:trPr`` (ECMA-376 Part 1, 17.13.5). Every mark carries the author, the date and an id unique
in the document.

:func:`resolve` does what Word's Accept All or Reject All does to that markup, so tests can
check that accepting gives the new document and rejecting the old one.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from contractgen.render.docx_xml import W_NS

if TYPE_CHECKING:
    from lxml.etree import _Element as Element

_W = f"{{{W_NS}}}"
INS, DEL, FORMAT = "ins", "del", "format"


class Revisions:
    """Makes revision marks with one author and date, numbering them through the document."""

    def __init__(self, author: str, date: dt.datetime | None) -> None:
        self.author = author or "contractgen"
        when = date or dt.datetime(1980, 1, 1)
        if when.tzinfo is not None:
            when = when.astimezone(dt.UTC).replace(tzinfo=None)
        self.date = when.replace(microsecond=0).isoformat() + "Z"
        self.next_id = 1

    def _mark(self, element: Element) -> Element:
        element.set(_W + "id", str(self.next_id))
        element.set(_W + "author", self.author)
        element.set(_W + "date", self.date)
        self.next_id += 1
        return element

    def run(self, r: Element, kind: str, old_bold: bool = False, old_italic: bool = False) -> None:
        """Mark a run (already in its paragraph) as inserted, deleted, or reformatted."""
        from lxml import etree

        if kind == FORMAT:
            rpr = r.find(_W + "rPr")
            if rpr is None:
                rpr = etree.Element(_W + "rPr")
                r.insert(0, rpr)
            change = self._mark(etree.SubElement(rpr, _W + "rPrChange"))
            old = etree.SubElement(change, _W + "rPr")
            for flag, tags in ((old_bold, ("b", "bCs")), (old_italic, ("i", "iCs"))):
                if flag:
                    for tag in tags:
                        etree.SubElement(old, _W + tag)
            if rpr.find(_W + "rtl") is not None:
                etree.SubElement(old, _W + "rtl")
            return
        wrapper = self._mark(etree.Element(_W + kind))
        r.addprevious(wrapper)
        wrapper.append(r)
        if kind == DEL:
            _to_deleted_text(r)

    def paragraph_mark(self, p: Element, kind: str) -> None:
        """Mark a paragraph's mark as inserted or deleted (the first child of its pPr/rPr)."""
        from lxml import etree

        ppr = p.find(_W + "pPr")
        if ppr is None:
            ppr = etree.Element(_W + "pPr")
            p.insert(0, ppr)
        rpr = ppr.find(_W + "rPr")
        if rpr is None:
            rpr = etree.SubElement(ppr, _W + "rPr")  # rPr is the last pPr child we write
        rpr.insert(0, self._mark(etree.Element(_W + kind)))

    def row(self, tr: Element, kind: str) -> None:
        """Mark a table row as inserted or deleted (after cantSplit/tblHeader in its trPr)."""
        from lxml import etree

        trpr = tr.find(_W + "trPr")
        if trpr is None:
            trpr = etree.Element(_W + "trPr")
            tr.insert(0, trpr)
        trpr.append(self._mark(etree.Element(_W + kind)))

    def whole(self, elements: list[Element], kind: str) -> None:
        """Mark every run, paragraph mark and table row of whole body elements inserted or deleted."""
        for element in elements:
            if element.tag == _W + "tbl":
                for tr in element.iter(_W + "tr"):
                    self.row(tr, kind)
            else:
                self.paragraph_mark(element, kind)
            for r in list(element.iter(_W + "r")):
                if r.getparent().tag not in (_W + "ins", _W + "del"):
                    self.run(r, kind)


def _to_deleted_text(r: Element) -> None:
    for t in r.iter(_W + "t"):
        t.tag = _W + "delText"
    for t in r.iter(_W + "instrText"):
        t.tag = _W + "delInstrText"


def resolve(body: Element, accept: bool) -> None:
    """Accept (or reject) every tracked change under ``body`` in place, as Word's Accept All does.

    Accepting keeps insertions and drops deletions; rejecting the reverse. A paragraph whose
    mark goes away joins the paragraph after it; a row that goes away is removed.
    """
    keep, drop = (INS, DEL) if accept else (DEL, INS)
    for tr in [e.getparent().getparent() for e in body.iter(_W + drop) if e.getparent().tag == _W + "trPr"]:
        tr.getparent().remove(tr)
    for marker in [e for e in body.iter(_W + keep) if e.getparent().tag == _W + "trPr"]:
        marker.getparent().remove(marker)
    for wrapper in [e for e in body.iter(_W + drop) if e.getparent().tag not in (_W + "rPr", _W + "trPr")]:
        wrapper.getparent().remove(wrapper)
    for wrapper in [e for e in body.iter(_W + keep) if e.getparent().tag not in (_W + "rPr", _W + "trPr")]:
        if not accept:
            for t in wrapper.iter(_W + "delText"):
                t.tag = _W + "t"
            for t in wrapper.iter(_W + "delInstrText"):
                t.tag = _W + "instrText"
        for child in list(wrapper):
            wrapper.addprevious(child)
        wrapper.getparent().remove(wrapper)
    for change in list(body.iter(_W + "rPrChange")):
        rpr = change.getparent()
        if accept:
            rpr.remove(change)
        else:
            old = change.find(_W + "rPr")
            for child in list(rpr):
                rpr.remove(child)
            for child in list(old if old is not None else ()):
                rpr.append(child)
    for p in list(body.iter(_W + "p")):
        marks = p.find(f"{_W}pPr/{_W}rPr")
        if marks is None:
            continue
        for marker in marks.findall(_W + keep):
            marks.remove(marker)
        if marks.find(_W + drop) is None:
            continue
        following = p.getnext()
        content = [c for c in p if c.tag != _W + "pPr"]
        if following is not None and following.tag == _W + "p":
            anchor = following.find(_W + "pPr")
            for child in reversed(content):
                if anchor is None:
                    following.insert(0, child)
                else:
                    anchor.addnext(child)
        p.getparent().remove(p)
