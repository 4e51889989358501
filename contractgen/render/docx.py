"""Document tree → DOCX bytes.

Real Word styles, automatic clause numbering, header and footer, core and custom properties,
right-to-left layout for Persian, and identical bytes on every run.

Each document starts from a small prepared template (styles and numbering definitions written
once per process, see :mod:`contractgen.render.docx_xml`); the body is built as WordprocessingML
with lxml, which escapes every value, and python-docx handles the package, the logo picture and
the core properties. Nothing here keeps a reference to the :class:`Document` after returning.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import string
from functools import lru_cache
from io import BytesIO
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from contractgen.document import (
    Block,
    Clause,
    Document,
    Heading,
    Image,
    Inline,
    ListBlock,
    Meta,
    Numbering,
    PageBreak,
    Paragraph,
    Revised,
    Run,
    Signatory,
    SignatureBlock,
    Signing,
    SubClause,
    Table,
    plain,
)
from contractgen.errors import Problem, UserError
from contractgen.render import bidi
from contractgen.render import docx_xml as ox
from contractgen.render.docx_revisions import Revisions
from contractgen.render.fonts import coverage

if TYPE_CHECKING:
    from lxml.etree import _Element as Element

__all__ = ["render_docx"]

_W = f"{{{ox.W_NS}}}"
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_VAL = _W + "val"
_WP_INLINE = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}inline"

# Heading level → style id: level 1 is the document title, 2 and 3 are Word's Heading 1 and 2.
_HEADING_STYLES = {1: "Title", 2: "Heading1"}
_PARAGRAPH_STYLES = {"lead": "Lead", "small": "Small", "center": "Centered"}
_SPACED_STYLES = {"Title", "Heading1", "Heading2"}  # they bring their own space before
_BLANK = "_" * 26  # a line to sign or date on
_LOGO_HEIGHT_MM = 12
_BREAKS = re.compile(r"(\t|\n)")
_CORE_LIMIT = 255  # python-docx refuses longer core property values


def render_docx(doc: Document) -> bytes:
    """Render a document tree as a .docx file's bytes.

    The same Document always gives the same bytes: the zip has fixed entry times and order,
    and every timestamp inside comes from ``doc.meta.created``.
    """
    import docx  # lazy: commands that never render should not pay for python-docx

    meta = doc.meta
    word = docx.Document(BytesIO(_template(meta.rtl, meta.tag or meta.language, meta.numbering)))
    package = word.part.package
    try:
        writer = _Writer(meta.rtl, word.part.numbering_part.element, word.part, meta.signing,
                         Revisions(meta.revision_author, meta.revision_date), meta.numbering)
        sect_pr = word.element.body[-1]  # the template's body holds only the section properties
        elements = writer.blocks(doc.blocks)
        if not elements or elements[-1].tag == _W + "tbl":
            elements.append(writer.end_mark())  # Word wants a paragraph after a final table
        for element in elements:
            sect_pr.addprevious(element)
        writer.restart_clauses(doc.blocks)

        section = word.sections[0]
        if meta.paper == "letter":  # US and Canadian documents; the template is A4
            from docx.shared import Inches

            section.page_width, section.page_height = Inches(8.5), Inches(11)
        writer.header(section.header, meta)
        writer.footer(section.footer.part.element, meta)
        signatures = next((b for b in doc.blocks if isinstance(b, SignatureBlock)), None)
        if meta.signing.initials and signatures is not None:
            writer.initials(section.footer.part.element, signatures)
        _core_properties(word, meta)
        if meta.properties:
            _custom_properties(word, meta.properties)
        return _package_bytes(package)
    finally:
        _release(package)


@lru_cache(maxsize=8)
def _template(rtl: bool, lang: str, numbering: Numbering) -> bytes:
    # Built once per direction, language and numbering scheme: styles, numbering, section, settings.
    return ox.template_docx(rtl, lang, numbering)


class _Writer:
    """Builds WordprocessingML elements for blocks; holds no reference to the source Document."""

    def __init__(self, rtl: bool, numbering: Element, part: Any, signing: Signing | None = None,
                 revisions: Revisions | None = None, scheme: Numbering | None = None) -> None:
        from lxml import etree

        self.rtl = rtl
        self.scheme = scheme or Numbering()
        # Which labels Word numbers itself; the others are written as the tree's literal text.
        self.auto_clause, self.auto_sub, self.auto_list = ox.automatic(self.scheme)
        self.signing = signing or Signing()
        self.revisions = revisions or Revisions("", None)  # marks a redline's changes; a plain document has none
        self.part = part  # the main document part, which owns image relationships
        self.numbering = numbering
        self.sub = etree.SubElement
        self.make = etree.Element
        self.break_before = False  # a PageBreak waits for the next paragraph
        self.after_table = False  # the paragraph after a table gets some air

    # -- blocks -------------------------------------------------------------------------------

    def blocks(self, blocks: tuple[Block, ...]) -> list[Element]:
        """Body elements (paragraphs and tables) for the blocks, in order."""
        out: list[Element] = []
        for i, block in enumerate(blocks):
            if isinstance(block, Heading):
                style = _HEADING_STYLES.get(block.level, "Heading2")
                out.append(self.paragraph(style, block.runs))
            elif isinstance(block, Paragraph):
                out.append(self.paragraph(_PARAGRAPH_STYLES.get(block.style), block.runs))
            elif isinstance(block, ListBlock):
                out.extend(self.list_items(block, in_clause=False))
            elif isinstance(block, Clause):
                out.extend(self.clause(block))
            elif isinstance(block, Table):
                out.append(self.table(block))
            elif isinstance(block, SignatureBlock):
                out.extend(self.signatures(block))
            elif isinstance(block, Image):
                out.extend(self.image(block))
            elif isinstance(block, Revised):
                elements = self.blocks((block.block,))
                self.revisions.whole(elements, block.kind)
                out.extend(elements)
            elif isinstance(block, PageBreak):
                following = blocks[i + 1] if i + 1 < len(blocks) else None
                if isinstance(following, Revised):
                    following = following.block
                if isinstance(following, Table):
                    out.append(self.page_break())  # pageBreakBefore cannot sit on a table
                elif following is not None:  # a break at the very end would leave a blank page
                    self.break_before = True
            else:
                raise TypeError(f"render_docx: unknown block {type(block).__name__}")
        return out

    def image(self, block: Image) -> list[Element]:
        """A centred picture ``width_mm`` wide, and its caption in small type below it."""
        from docx.shared import Mm

        try:
            inline = self.part.new_pic_inline(block.path, Mm(block.width_mm), None)
        except Exception as exc:  # python-docx raises its own types for unreadable images
            raise UserError(Problem(f"cannot read the image {block.path} ({exc})")) from None
        picture = self.paragraph(_PARAGRAPH_STYLES["center"], (), keep_next=bool(block.caption))
        self.sub(self.sub(picture, _W + "r"), _W + "drawing").append(inline)
        out = [picture]
        if block.caption:
            out.append(self.paragraph(_PARAGRAPH_STYLES["center"], (Run(block.caption, italic=True),)))
        return out

    def clause(self, clause: Clause) -> list[Element]:
        """The clause heading and its sub-clauses: Word's numbering where the scheme allows, else the tree's labels."""
        label = clause.label_in(self.scheme)
        if self.auto_clause:
            out = [self.paragraph("Heading1", clause.title_inline(), num=(ox.NUM_CLAUSES, 0))]
        else:
            out = [self.paragraph("Heading1", _labelled(label, clause.title_inline()),
                                  indent=(ox.CLAUSE_INDENT, ox.CLAUSE_INDENT))]
        for item in clause.body:
            if isinstance(item, SubClause):
                if self.auto_sub:
                    out.append(self.paragraph(None, item.runs, num=(ox.NUM_CLAUSES, 1)))
                else:
                    out.append(self.paragraph(None, _labelled(item.number, item.runs),
                                              indent=(ox.CLAUSE_INDENT, ox.CLAUSE_INDENT)))
                for lst in item.lists:
                    out.extend(self.list_items(lst, in_clause=True))
            else:
                out.extend(self.list_items(item, in_clause=True))
        return out

    def list_items(self, block: ListBlock, *, in_clause: bool) -> list[Element]:
        """List paragraphs, marked as the tree says: (a)/(b) or bullets, inside clauses and out."""
        if not block.ordered:
            num = (ox.NUM_CLAUSES, 3) if in_clause else (ox.NUM_BULLETS, 0)
        elif not (self.auto_list and (self.auto_sub or not in_clause)):
            markers = block.labels(self.scheme)
            indent = (ox.LIST_INDENT, 567) if in_clause else (ox.ORDERED_INDENT, ox.ORDERED_INDENT)
            return [self.paragraph("ListParagraph", _labelled(m, item), indent=indent)
                    for m, item in zip(markers, block.items, strict=True)]
        elif in_clause:
            num = (ox.NUM_CLAUSES, 2)
        else:
            num = (self.new_ordered_list(), 0)  # a list of its own, so it starts again at (a)
        return [self.paragraph("ListParagraph", item, num=num) for item in block.items]

    def table(self, table: Table) -> Element:
        """A bordered table; its header row is bold, shaded and repeats on every page."""
        columns = max(len(table.header), *(len(r) for r in table.rows), 1)
        widths = _column_widths(table, columns)
        tbl = self.table_element("TableGrid", widths)
        if table.header:
            self.row(tbl, table.header, widths, header=True)
        for row in table.rows:
            self.row(tbl, row, widths, header=False)
        self.after_table = True
        return tbl

    def signatures(self, block: SignatureBlock) -> list[Element]:
        """Heading, intro, then two signature panels per row of a borderless table."""
        labels = block.labels
        out = [self.paragraph("Heading1", (Run(block.heading),))]
        if block.intro:
            out.append(self.paragraph(None, (Run(block.intro),), keep_next=True))
        half = ox.TEXT_W // 2
        tbl = self.table_element(None, [half, ox.TEXT_W - half])
        people = block.signatories
        for start in range(0, len(people), 2):
            tr = self.sub(tbl, _W + "tr")
            self.sub(self.sub(tr, _W + "trPr"), _W + "cantSplit")  # a panel never splits over pages
            for offset in range(2):
                tc = self.cell(tr, half)
                if start + offset < len(people):
                    self.panel(tc, people[start + offset], labels, first_row=start == 0, signer=start + offset + 1)
                else:
                    self.paragraph_in(tc, "SignaturePanel", ())
        out.append(tbl)
        self.after_table = True
        return out

    def panel(self, tc: Element, person: Signatory, labels: dict[str, str], *, first_row: bool,
              signer: int = 1) -> None:
        """One party's panel: role, party, signature line, name, title, date line.

        With e-signature anchors, each blank line starts with its anchor, in white.
        """
        role = self.paragraph_in(tc, "SignaturePanel", (Run(person.role, bold=True),))
        if not first_row:
            self.set_spacing_before(role, 480)  # room between rows of panels
        self.paragraph_in(tc, "SignaturePanel", (Run(person.heading or person.party),))
        self.blank_line(tc, "SignatureLine", labels["signature"], person, "signature", signer)
        if person.name:
            self.paragraph_in(tc, "SignaturePanel", (Run(f"{labels['name']}: {person.name}"),))
        else:
            self.blank_line(tc, "SignaturePanel", labels["name"], person, "name", signer)
        if person.title:
            self.paragraph_in(tc, "SignaturePanel", (Run(f"{labels['title']}: {person.title}"),))
        self.blank_line(tc, "SignatureLine", labels["date"], person, "date", signer)

    def blank_line(self, tc: Element, style: str, label: str, person: Signatory, kind: str, signer: int) -> None:
        """``Label: ____`` to write on, with the field's anchor at the start of the line."""
        p = self.paragraph_in(tc, style, (Run(f"{label}: "),))
        blank = _BLANK
        if self.signing.anchors and person.key:
            from contractgen.signing.anchors import anchor

            text = anchor(self.signing.anchors, kind, signer)
            self.anchor_run(p, text)
            blank = blank[:max(2, len(blank) - round(len(text) * 0.7))]  # the anchor is part of the line
        self.runs(p, (Run(blank),))

    def anchor_run(self, p: Element, text: str) -> None:
        """White 7 pt text on an ink underline: invisible on the line, found by the e-sign service."""
        r = self.sub(p, _W + "r")
        rpr = self.sub(r, _W + "rPr")
        self.sub(rpr, _W + "color").set(_VAL, "FFFFFF")  # rPr children in schema order: color, sz, u
        self.sub(rpr, _W + "sz").set(_VAL, "14")
        u = self.sub(rpr, _W + "u")
        u.set(_VAL, "single")
        u.set(_W + "color", "1C1F24")
        t = self.sub(r, _W + "t")
        t.text = text
        t.set(_XML_SPACE, "preserve")

    def initials(self, footer: Element, block: SignatureBlock) -> None:
        """A footer line to initial every page: ``Initials: ____ ____`` one blank per signing party."""
        p = self.paragraph_in(footer, "Footer", (Run(f"{block.labels['initials']}: "),))
        for n, person in enumerate(block.signatories, start=1):
            if not person.key:
                continue
            if self.signing.anchors:
                from contractgen.signing.anchors import anchor

                self.anchor_run(p, anchor(self.signing.anchors, "initials", n, 1))
                self.runs(p, (Run("  "),))
            else:
                self.runs(p, (Run("______  "),))

    # -- numbering ----------------------------------------------------------------------------

    def new_ordered_list(self) -> int:
        """A fresh list over a copy of the ordered-list definition, so it restarts at 1.

        Word has been seen to carry counters across w:num instances of one abstractNum, so each
        list gets its own abstractNum (and a startOverride for applications that look only there).
        """
        from copy import deepcopy

        numbering = self.numbering
        abstracts = list(numbering.iterchildren(_W + "abstractNum"))
        template = next(a for a in abstracts if a.get(_W + "abstractNumId") == str(ox.ABSTRACT_ORDERED))
        abstract_id = max(int(a.get(_W + "abstractNumId")) for a in abstracts) + 1
        copy = deepcopy(template)
        copy.set(_W + "abstractNumId", str(abstract_id))
        copy.find(_W + "nsid").set(_VAL, f"5C1B{abstract_id:04X}")  # Word tells lists apart by nsid
        abstracts[-1].addnext(copy)  # every abstractNum precedes every num

        num_id = max(int(n.get(_W + "numId")) for n in numbering.iterchildren(_W + "num")) + 1
        num = self.sub(numbering, _W + "num")
        num.set(_W + "numId", str(num_id))
        self.sub(num, _W + "abstractNumId").set(_VAL, str(abstract_id))
        override = self.sub(num, _W + "lvlOverride")
        override.set(_W + "ilvl", "0")
        self.sub(override, _W + "startOverride").set(_VAL, "1")
        return num_id

    def restart_clauses(self, blocks: tuple[Block, ...]) -> None:
        """Start clause numbering at the first clause's number when that is not 1."""
        first = next((b.number for b in blocks if isinstance(b, Clause)), 1)
        if first == 1:
            return
        for num in self.numbering.iterchildren(_W + "num"):
            if num.get(_W + "numId") == str(ox.NUM_CLAUSES):
                override = self.sub(num, _W + "lvlOverride")
                override.set(_W + "ilvl", "0")
                self.sub(override, _W + "startOverride").set(_VAL, str(first))

    # -- paragraphs and runs --------------------------------------------------------------------

    def paragraph(self, style: str | None, runs: Inline, *, num: tuple[int, int] | None = None,
                  keep_next: bool = False, indent: tuple[int, int] | None = None) -> Element:
        """A body paragraph (not yet attached); ``indent``: (start, hanging) twips for a literal label."""
        p = self.make(_W + "p")
        self.fill(p, style, runs, num=num, keep_next=keep_next, body=True, indent=indent)
        kind = _whole_change(runs)
        if kind:
            self.revisions.paragraph_mark(p, kind)
        return p

    def paragraph_in(self, parent: Element, style: str | None, runs: Inline) -> Element:
        """A paragraph appended to ``parent`` (a cell, header or footer)."""
        p = self.sub(parent, _W + "p")
        self.fill(p, style, runs)
        return p

    def fill(self, p: Element, style: str | None, runs: Inline, *, num: tuple[int, int] | None = None,
             keep_next: bool = False, body: bool = False, indent: tuple[int, int] | None = None) -> None:
        """Paragraph properties in schema order, then the runs.

        The order is pStyle, keepNext, pageBreakBefore, numPr, bidi, spacing, ind, rPr: Word
        rejects a pPr whose children are out of schema order.
        """
        sub = self.sub
        ppr = sub(p, _W + "pPr")
        if style:
            sub(ppr, _W + "pStyle").set(_VAL, style)
        if keep_next:
            sub(ppr, _W + "keepNext")
        if body and self.break_before:
            sub(ppr, _W + "pageBreakBefore")
            self.break_before = False
        if num:
            num_pr = sub(ppr, _W + "numPr")
            sub(num_pr, _W + "ilvl").set(_VAL, str(num[1]))
            sub(num_pr, _W + "numId").set(_VAL, str(num[0]))
        if self.rtl:
            sub(ppr, _W + "bidi")
        if body and self.after_table and style not in _SPACED_STYLES:
            sub(ppr, _W + "spacing").set(_W + "before", "200")
        if body:
            self.after_table = False
        if indent:
            ind = sub(ppr, _W + "ind")
            ind.set(_W + "left", str(indent[0]))
            ind.set(_W + "hanging", str(indent[1]))
        if self.rtl:
            sub(sub(ppr, _W + "rPr"), _W + "rtl")  # the paragraph mark, and so the number, is RTL
        self.runs(p, runs)

    def runs(self, p: Element, runs: Inline) -> None:
        """The runs of a paragraph; in a right-to-left document, with left-to-right spans isolated.

        Word and LibreOffice apply the Unicode bidi algorithm themselves, and left to it a
        handle, a Latin hashtag, a URL or a phone number inside Persian text comes out with its
        ``@``, ``#`` or ``/`` at the wrong end, or its groups reversed. So each span that
        :func:`bidi.ltr_spans` finds (the same spans the PDF isolates) is wrapped in LRI … PDI
        and written as runs without ``w:rtl``: that property tells Word the run's text is
        right to left, which ECMA-376 (Annex I) reserves for text that resolves so. The text
        is otherwise unchanged, and the Document tree stays plain.
        """
        pieces = _isolated(runs) if self.rtl else [(r.text, r.bold, r.italic, False, r.change) for r in runs]
        for text, bold, italic, ltr, change in pieces:
            r = self.run(p, text, bold=bold, italic=italic, ltr=ltr)
            if change is not None:
                self.revisions.run(r, change.kind, change.bold, change.italic)

    def set_spacing_before(self, p: Element, twips: int) -> None:
        """Add space before a paragraph, keeping pPr in schema order (spacing follows bidi)."""
        ppr = p[0]
        spacing = self.make(_W + "spacing")
        spacing.set(_W + "before", str(twips))
        anchor = ppr.find(_W + "rPr")
        if anchor is None:
            ppr.append(spacing)
        else:
            anchor.addprevious(spacing)

    def run(self, p: Element, text: str, *, bold: bool = False, italic: bool = False, ltr: bool = False) -> Element:
        """A run of literal text; tabs and newlines become w:tab and w:br.

        In a right-to-left document every run is ``w:rtl`` except an isolated left-to-right
        span (``ltr``).
        """
        if not text.isascii():
            pieces = coverage().family_runs(text)
            if len(pieces) > 1 or pieces[0][1]:
                for piece, family in pieces:
                    r = self._run(p, piece, bold, italic, ltr, family)
                return r
        return self._run(p, text, bold, italic, ltr, None)

    def _run(self, p: Element, text: str, bold: bool, italic: bool, ltr: bool, family: str | None) -> Element:
        # family: the PDF's fallback font for these letters, named in all four rFonts slots
        # (ASCII, other Latin/Greek/Cyrillic, East Asian, complex script) so Word uses that face.
        sub = self.sub
        r = sub(p, _W + "r")
        rtl = self.rtl and not ltr
        if bold or italic or rtl or family:
            rpr = sub(r, _W + "rPr")
            if family:
                fonts_el = sub(rpr, _W + "rFonts")
                for slot in ("ascii", "hAnsi", "eastAsia", "cs"):
                    fonts_el.set(_W + slot, family)
            if bold:
                sub(rpr, _W + "b")
                sub(rpr, _W + "bCs")  # Persian text uses the complex-script bold
            if italic:
                sub(rpr, _W + "i")
                sub(rpr, _W + "iCs")
            if rtl:
                sub(rpr, _W + "rtl")
        text = ox.xml_safe(text.replace("\r\n", "\n").replace("\r", "\n"))
        for piece in _BREAKS.split(text) if ("\t" in text or "\n" in text) else (text,):
            if piece == "\t":
                sub(r, _W + "tab")
            elif piece == "\n":
                sub(r, _W + "br")
            elif piece:
                t = sub(r, _W + "t")
                t.text = piece
                t.set(_XML_SPACE, "preserve")
        return r

    def end_mark(self) -> Element:
        """A 1 pt empty paragraph to close the body: it never spills onto a page of its own."""
        sub = self.sub
        p = self.make(_W + "p")
        ppr = sub(p, _W + "pPr")
        if self.rtl:
            sub(ppr, _W + "bidi")
        spacing = sub(ppr, _W + "spacing")
        for key, value in (("before", "0"), ("after", "0"), ("line", "20"), ("lineRule", "exact")):
            spacing.set(_W + key, value)
        rpr = sub(ppr, _W + "rPr")
        sub(rpr, _W + "sz").set(_VAL, "2")
        sub(rpr, _W + "szCs").set(_VAL, "2")
        return p

    def page_break(self) -> Element:
        """An empty paragraph holding a page break (used before a table)."""
        p = self.make(_W + "p")
        if self.rtl:
            self.sub(self.sub(p, _W + "pPr"), _W + "bidi")
        self.sub(self.sub(p, _W + "r"), _W + "br").set(_W + "type", "page")
        return p

    # -- tables ---------------------------------------------------------------------------------

    def table_element(self, style: str | None, widths: list[int]) -> Element:
        """w:tbl with properties (in schema order) and its grid; no rows yet."""
        sub = self.sub
        tbl = self.make(_W + "tbl")
        tbl_pr = sub(tbl, _W + "tblPr")
        if style:
            sub(tbl_pr, _W + "tblStyle").set(_VAL, style)
        if self.rtl:
            sub(tbl_pr, _W + "bidiVisual")  # first column on the right
        tbl_w = sub(tbl_pr, _W + "tblW")
        tbl_w.set(_W + "w", str(sum(widths)))
        tbl_w.set(_W + "type", "dxa")
        sub(tbl_pr, _W + "tblLayout").set(_W + "type", "fixed")
        look = sub(tbl_pr, _W + "tblLook")
        for key, value in (("val", "04A0"), ("firstRow", "1"), ("lastRow", "0"), ("firstColumn", "0"),
                           ("lastColumn", "0"), ("noHBand", "0"), ("noVBand", "1")):
            look.set(_W + key, value)
        grid = sub(tbl, _W + "tblGrid")
        for width in widths:
            sub(grid, _W + "gridCol").set(_W + "w", str(width))
        return tbl

    def row(self, tbl: Element, cells: tuple[Inline, ...], widths: list[int], *, header: bool) -> None:
        """One table row, padded to the grid; a header row repeats on each page."""
        sub = self.sub
        tr = sub(tbl, _W + "tr")
        tr_pr = sub(tr, _W + "trPr")
        sub(tr_pr, _W + "cantSplit")
        if header:
            sub(tr_pr, _W + "tblHeader")
        for col, width in enumerate(widths):
            tc = self.cell(tr, width, shade="E7ECF3" if header else None)
            runs = cells[col] if col < len(cells) else ()
            self.paragraph_in(tc, "TableHeading" if header else "TableText", runs)
        kind = _whole_change(tuple(r for cell in cells for r in cell))
        if kind:
            self.revisions.row(tr, kind)

    def cell(self, tr: Element, width: int, shade: str | None = None) -> Element:
        """A table cell with its width (and shading)."""
        sub = self.sub
        tc = sub(tr, _W + "tc")
        tc_pr = sub(tc, _W + "tcPr")
        tc_w = sub(tc_pr, _W + "tcW")
        tc_w.set(_W + "w", str(width))
        tc_w.set(_W + "type", "dxa")
        if shade:
            shd = sub(tc_pr, _W + "shd")
            shd.set(_VAL, "clear")
            shd.set(_W + "color", "auto")
            shd.set(_W + "fill", shade)
        return tc

    # -- header and footer ----------------------------------------------------------------------

    def header(self, header: Any, meta: Meta) -> None:
        """Logo (about 12 mm high) at the start, header text at the end, a rule below."""
        from docx.shared import Mm
        from docx.text.paragraph import Paragraph as DocxParagraph

        p = self.paragraph_in(header.part.element, "Header", ())
        logo = _logo_bytes(meta.logo)
        if logo is not None:
            try:
                DocxParagraph(p, header).add_run().add_picture(BytesIO(logo), height=Mm(_LOGO_HEIGHT_MM))
            except Exception as exc:  # python-docx raises its own types for unreadable images
                raise UserError(Problem(f"the logo {meta.logo} is not a PNG or JPEG image that can be read "
                                        f"({exc or type(exc).__name__})", where="brand.logo")) from None
            for inline in p.iter(_WP_INLINE):
                for side in ("distT", "distB", "distL", "distR"):
                    inline.set(side, "0")  # LibreOffice otherwise adds 3 mm around the logo
        if meta.header_text:
            if logo is not None:
                self.run(p, "\t")  # to the right tab stop: the text goes to the end of the line
            self.runs(p, (Run(meta.header_text),))

    def footer(self, element: Element, meta: Meta) -> None:
        """``Page X of Y`` from meta.page_label, with PAGE and NUMPAGES fields."""
        p = self.paragraph_in(element, "Footer", ())
        one = meta.digits[1] if len(meta.digits) > 1 else "1"
        for literal, field, _spec, _conv in string.Formatter().parse(meta.page_label):
            if literal:
                self.runs(p, (Run(literal),))
            if field == "page":
                self.field(p, "PAGE", one)
            elif field == "pages":
                self.field(p, "NUMPAGES", one)
            elif field is not None:
                self.run(p, "{" + field + "}")

    def field(self, p: Element, instruction: str, cached: str) -> None:
        """A complex field (begin, instruction, separate, cached result, end)."""
        for kind in ("begin", "instr", "separate", "result", "end"):
            r = self.run(p, cached if kind == "result" else "")
            if kind == "instr":
                instr = self.sub(r, _W + "instrText")
                instr.text = f" {instruction} "
                instr.set(_XML_SPACE, "preserve")
            elif kind != "result":
                self.sub(r, _W + "fldChar").set(_W + "fldCharType", kind)


def _labelled(label: str, runs: Inline) -> Inline:
    """A literal label, a tab to the hanging indent, then the text (bold where the text starts bold)."""
    bold = bool(runs) and runs[0].bold
    return (Run(label, bold=bold), Run("\t", bold=bold), *runs)


def _whole_change(runs: Inline) -> str | None:
    """``ins`` or ``del`` when every run of a paragraph (or row) is inserted or deleted."""
    kinds = {r.change.kind if r.change else None for r in runs if r.text}
    return next(iter(kinds)) if len(kinds) == 1 and kinds & {"ins", "del"} else None


def _ltr_spans(runs: Inline, text: str) -> list[tuple[int, int]]:
    """:func:`bidi.ltr_spans` of a paragraph; in a redline, of its old and its new text.

    Each version's spans are isolated on its own text, so accepting every change leaves the
    new paragraph's LRI … PDI and rejecting them the old one's.
    """
    if not any(r.change and r.change.kind != "format" for r in runs):
        return bidi.ltr_spans(text)
    spans: set[tuple[int, int]] = set()
    for hidden in ("del", "ins"):
        positions: list[int] = []
        pos = 0
        for r in runs:
            if not (r.change and r.change.kind == hidden):
                positions.extend(range(pos, pos + len(r.text)))
            pos += len(r.text)
        view = "".join(text[i] for i in positions)
        spans.update((positions[a], positions[b - 1] + 1) for a, b in bidi.ltr_spans(view))
    return sorted(spans)


def _isolated(runs: Inline) -> list[tuple[str, bool, bool, bool, Any]]:
    """(text, bold, italic, left to right, change) pieces of a right-to-left paragraph's runs.

    Runs are cut where a left-to-right span (:func:`bidi.ltr_spans` of the whole paragraph)
    starts or ends; the span's first piece begins with LRI and its last ends with PDI, so a
    span may cross runs (a bold part of a name) and keep each run's formatting.
    """
    text = "".join(r.text for r in runs)
    spans = _ltr_spans(runs, text)
    if not spans:
        return [(r.text, r.bold, r.italic, False, r.change) for r in runs]
    starts, ends = {a for a, _ in spans}, {b for _, b in spans}
    bounds = sorted(starts | ends)
    out = []
    pos = 0
    for run in runs:
        a, b = pos, pos + len(run.text)
        pos = b
        cuts = [a, *(x for x in bounds if a < x < b), b]
        for x, y in pairwise(cuts):
            inside = any(s <= x and y <= e for s, e in spans)
            piece = text[x:y]
            if inside:
                piece = (bidi.LRI if x in starts else "") + piece + (bidi.PDI if y in ends else "")
            out.append((piece, run.bold, run.italic, inside, run.change))
        if a == b:
            out.append(("", run.bold, run.italic, False, run.change))
    return out


_CHAR_TWIPS = 130  # average width of a 10 pt character in twips: generous for Calibri, right for DejaVu Sans
_BOLD = 1.15  # header cells are bold, hence wider
_CELL_PADDING = 2 * 108 + 40  # left and right cell margins, and a little slack


def _column_widths(table: Table, columns: int) -> list[int]:
    """Column widths in twips filling the text width: given relative widths, else from content.

    Each column wants its longest cell on one line and needs at least its longest word. When
    everything fits, the spare width is shared by wanted width. Otherwise every column starts
    at its minimum and width goes, step by step, to whichever column wraps into the most lines
    (cheapest first), so that rows stay as low as the page allows.
    """
    if table.widths and len(table.widths) == columns and all(w > 0 for w in table.widths):
        total = float(sum(table.widths))
        return _fill([ox.TEXT_W * w / total for w in table.widths])
    rows = [(r, _BOLD if r is table.header else 1.0) for r in (table.header, *table.rows) if r]
    longest: list[list[float]] = []  # per column: word widths (in characters) of its longest cell
    least: list[float] = []
    for col in range(columns):
        cells = [[min(len(w), 24) * scale for w in plain(r[col]).split()] for r, scale in rows if col < len(r)]
        cells = [c for c in cells if c] or [[1.0]]
        longest.append(max(cells, key=lambda ws: sum(ws) + len(ws) - 1))
        least.append(max(max(ws) for ws in cells) * _CHAR_TWIPS + _CELL_PADDING)
    most = [(sum(ws) + len(ws) - 1) * _CHAR_TWIPS + _CELL_PADDING for ws in longest]
    if sum(most) <= ox.TEXT_W:
        return _fill([ox.TEXT_W * m / sum(most) for m in most])
    room = ox.TEXT_W - sum(least)
    if room <= 0:  # even the longest words do not fit: shrink the minimums alike
        return _fill([ox.TEXT_W * w / sum(least) for w in least])
    widths = list(least)

    def lines(col: int, width: float) -> int:
        return _wrapped_lines(longest[col], (width - _CELL_PADDING) / _CHAR_TWIPS)

    while True:
        heights = [lines(c, widths[c]) for c in range(columns)]
        top = max(heights)
        if top <= 1:
            break
        # Of the tallest columns, widen the one that loses a line for the least width.
        options = []
        for col in (c for c in range(columns) if heights[c] == top):
            wider = widths[col]
            while lines(col, wider) == top and wider < most[col]:
                wider += _CHAR_TWIPS / 2
            options.append((min(wider, most[col]) - widths[col], col))
        cost, col = min(options)
        if cost > room:
            break
        widths[col] += cost
        room -= cost
    spare = [max(m - w, 0.0) for m, w in zip(most, widths, strict=True)]
    weights = spare if sum(spare) > 0 else widths
    total = sum(weights)
    return _fill([w + room * k / total for w, k in zip(widths, weights, strict=True)])


def _wrapped_lines(words: list[float], width: float) -> int:
    """Lines that words (widths in characters) take when wrapped at ``width`` characters."""
    count, used = 1, -1.0
    for word in words:
        if used >= 0 and used + 1 + word > width:
            count, used = count + 1, word
        else:
            used = word if used < 0 else used + 1 + word
    return count


def _fill(widths: list[float]) -> list[int]:
    """Whole twips summing exactly to the text width."""
    out = [int(w) for w in widths]
    out[-1] += ox.TEXT_W - sum(out)
    return out


def _logo_bytes(path: str | None) -> bytes | None:
    """The logo file's bytes, or None when there is no logo or the file does not exist."""
    if not path:
        return None
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return _read_cached(path, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=32)
def _read_cached(path: str, _mtime: int, _size: int) -> bytes:
    # Keyed by mtime and size so an edited logo is read again; a batch reads each logo once.
    with open(path, "rb") as fh:
        return fh.read()


def _utc(value: dt.datetime | dt.date) -> dt.datetime:
    if not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day)
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value


def _core_properties(word: Any, meta: Meta) -> None:
    def clip(text: str) -> str:
        return ox.xml_safe(text)[:_CORE_LIMIT]

    props = word.core_properties
    props.title = clip(meta.title)
    props.subject = clip(meta.subject)
    props.author = clip(meta.author)
    props.keywords = clip("; ".join(meta.keywords))
    props.language = clip(meta.language)
    props.last_modified_by = "contractgen"
    props.revision = 1
    when = _utc(meta.created)
    props.created = when
    props.modified = when


def _custom_properties(word: Any, properties: dict[str, str]) -> None:
    # python-docx has no custom-properties API: add the part and the package relationship.
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part

    package = word.part.package
    blob = ox.custom_properties_xml(properties)
    part = Part(PackURI("/docProps/custom.xml"), ox.CUSTOM_PROPERTIES_CT, blob, package)
    package.relate_to(part, ox.CUSTOM_PROPERTIES_RT)


def _package_bytes(package: Any) -> bytes:
    """Serialize the package ourselves: python-docx stamps zip entries with the current time."""
    from xml.sax.saxutils import quoteattr

    from docx.opc.spec import default_content_types

    defaults = {"rels": "application/vnd.openxmlformats-package.relationships+xml", "xml": "application/xml"}
    overrides: dict[str, str] = {}
    entries: list[tuple[str, bytes]] = [("_rels/.rels", package.rels.xml)]
    for part in _parts(package):
        part.before_marshal()
        partname = part.partname
        entries.append((partname.membername, part.blob))
        if len(part.rels):
            entries.append((partname.rels_uri.membername, part.rels.xml))
        ext = partname.ext.lower()
        if (ext, part.content_type) in default_content_types:
            defaults[ext] = part.content_type
        else:
            overrides[str(partname)] = part.content_type
    types = "".join(f'<Default Extension={quoteattr(e)} ContentType={quoteattr(c)}/>' for e, c in sorted(defaults.items()))
    types += "".join(f"<Override PartName={quoteattr(n)} ContentType={quoteattr(c)}/>"
                     for n, c in sorted(overrides.items()))
    entries.append(("[Content_Types].xml", (
        "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
        f'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">{types}</Types>'
    ).encode()))
    return ox.zip_entries(entries)


def _parts(package: Any) -> list[Any]:
    """Every part reachable by relationships.

    Iterative, where python-docx's recursive walk leaves a self-referencing closure (one more
    reference cycle) behind.
    """
    seen: set[int] = set()
    found: list[Any] = []
    pending = [package]
    while pending:
        source = pending.pop()
        for rel in source.rels.values():
            if rel.is_external or id(rel.target_part) in seen:
                continue
            seen.add(id(rel.target_part))
            found.append(rel.target_part)
            pending.append(rel.target_part)
    return found


def _release(package: Any) -> None:
    """Drop every part's XML tree and blob once the package is written (or has failed).

    python-docx's package graph is full of reference cycles, and its recursive part walks leave
    self-referencing closures that hold every part, so the trees (about 0.6 MB a document) would
    wait for the cyclic garbage collector. Without them the cycles hold only small objects.
    """
    from lxml import etree

    for part in _parts(package):
        held = vars(part)
        for name in [n for n, v in held.items() if n == "_blob" or isinstance(v, etree._Element)]:
            del held[name]  # _element, and e.g. SettingsPart's own _settings
