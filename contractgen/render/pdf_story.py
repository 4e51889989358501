"""The PDF story builder: document blocks → platypus flowables (headings, clauses, lists,
tables, signature panels, pictures), every label as the document tree decided it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table, TableStyle
from reportlab.platypus import Image as RLImage
from reportlab.platypus import PageBreak as RLPageBreak

from contractgen.document import (
    Block,
    Clause,
    Heading,
    Image,
    Inline,
    ListBlock,
    Meta,
    PageBreak,
    Paragraph,
    Revised,
    SignatureBlock,
    SubClause,
)
from contractgen.document import Table as TableBlock
from contractgen.render.fonts import FACE_BOLD, FACE_ITALIC, FACE_REGULAR, fonts
from contractgen.render.pdf_page import _FieldSpec, _note_field, _picture, _spot
from contractgen.render.pdf_text import (
    _CHANGE_FACES,
    _WORD,
    FACE_DEL,
    FACE_INS,
    FRAME_W,
    HEADER_FILL,
    INK,
    MARGIN_BOTTOM,
    MARGIN_TOP,
    MUTED,
    PAGE_H,
    RULE,
    ZEBRA,
    TextBlock,
    TextStyle,
    _styles,
)

CELL_PAD = 4.0
SPLIT_IN_ROW = 30.0  # least height (points) of either part when a table row splits across pages

# ---------------------------------------------------------------------------------------------
# Small flowables for tables and signatures


def _field(label: str, value: str | None, style: TextStyle, rtl: bool, spot: _FieldSpec | None = None) -> Flowable:
    """``Label: value`` (text that wraps and splits like any other), or a blank to write on.

    A blank field with a ``spot`` also becomes a form text field on its rule (and gets the
    spot's e-signature anchor).
    """
    if value:
        return TextBlock([(f"{label}: {value}", FACE_REGULAR)], style, rtl)
    return _BlankField(label, style, rtl, spot)


class _BlankField(Flowable):
    """``Label:`` followed by a rule to write on."""

    def __init__(self, label: str, style: TextStyle, rtl: bool, spot: _FieldSpec | None = None) -> None:
        super().__init__()
        self.text = TextBlock([(f"{label}:", FACE_REGULAR)], style, rtl)
        self.rtl = rtl
        self.spot = spot

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        """Lay out the label."""
        self.width, self.height = self.text.wrap(availWidth, availHeight)
        return self.width, self.height

    def draw(self) -> None:
        """Draw the label and the rule after it."""
        self.text.drawOn(self.canv, 0, 0)
        used = self.text.line_widths()[-1] + 4
        y = self.height - self.text.style.leading * len(self.text.lines)
        y += (self.text.style.leading - self.text.style.size) / 2
        self.canv.setStrokeColor(MUTED)
        self.canv.setLineWidth(0.5)
        x0, x1 = (0, self.width - used) if self.rtl else (used, self.width)
        self.canv.line(x0, y, x1, y)
        if self.spot:
            _note_field(self.canv, "text", self.spot, (x0, y + 0.5, x1, y + self.text.style.size + 2.5))


class _SignatureLine(Flowable):
    """Room to sign, a rule, and a caption under it; with a ``spot``, a signature field above the rule."""

    GAP = 30.0

    def __init__(self, caption: str, style: TextStyle, rtl: bool, spot: _FieldSpec | None = None) -> None:
        super().__init__()
        self.caption = TextBlock([(caption, FACE_REGULAR)], style, rtl)
        self.spot = spot

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        """Height: the signing space plus the caption."""
        _, h = self.caption.wrap(availWidth, availHeight)
        self.width, self.height = availWidth, self.GAP + 2 + h
        return self.width, self.height

    def draw(self) -> None:
        """Draw the rule and caption, and note where the signature field goes."""
        h = self.height - self.GAP - 2
        self.canv.setStrokeColor(INK)
        self.canv.setLineWidth(0.7)
        self.canv.line(0, h + 1, self.width, h + 1)
        self.caption.drawOn(self.canv, 0, 0)
        if self.spot:
            _note_field(self.canv, "sig", self.spot, (0, h + 1.5, self.width, self.height - 1))


# ---------------------------------------------------------------------------------------------
# Blocks → flowables


def _pieces(runs: Inline) -> list[tuple[str, int]]:
    return [(r.text, (FACE_BOLD if r.bold else 0) | (FACE_ITALIC if r.italic else 0)
             | (_CHANGE_FACES[r.change.kind] if r.change else 0)) for r in runs]


class _Builder:
    """Turns the document's blocks into platypus flowables."""

    def __init__(self, meta: Meta) -> None:
        self.meta = meta
        self.rtl = meta.rtl
        self.st = _styles(meta.rtl)
        self.numbering = meta.numbering
        self.keys = 0
        self.outline_level = -1
        self.sub_indent = 10 * mm
        self.mark = 0  # FACE_INS or FACE_DEL while drawing a whole inserted or deleted block

    def text(self, pieces: Iterable[tuple[str, int]], style: str, **kw: Any) -> TextBlock:
        if self.mark:
            pieces = [(t, f | self.mark) for t, f in pieces]
        return TextBlock(pieces, self.st[style], self.rtl, **kw)

    def bookmark(self, title: str, level: int) -> tuple[str, str, int]:
        # Outline levels may only go one deeper than the previous entry.
        level = max(0, min(level, self.outline_level + 1))
        self.outline_level = level
        self.keys += 1
        return title, f"cg{self.keys}", level

    def flow(self, blocks: Sequence[Block]) -> list[Flowable]:
        # One hanging indent for every sub-clause of the document, wide enough for "12.10".
        clauses = [b.block if isinstance(b, Revised) else b for b in blocks]
        numbers = [part.number for b in clauses if isinstance(b, Clause)
                   for part in b.body if isinstance(part, SubClause)]
        size = self.st["sub"].size
        widest = max((fonts().widths[0](n, size) for n in numbers), default=0.0)
        self.sub_indent = max(10 * mm, widest + 3 * mm)
        out: list[Flowable] = []
        for block in blocks:
            out.extend(self.block(block))
        return out

    def block(self, block: Block) -> list[Flowable]:
        out: list[Flowable] = []
        if isinstance(block, Revised):
            self.mark = FACE_INS if block.kind == "ins" else FACE_DEL
            out.extend(self.block(block.block))
            self.mark = 0
        elif isinstance(block, Heading):
            out.append(self.heading(block))
        elif isinstance(block, Paragraph):
            out.append(self.text(_pieces(block.runs), block.style if block.style in self.st else "body"))
        elif isinstance(block, ListBlock):
            out.extend(self.items(block, label_indent=4 * mm, indent=10 * mm))
        elif isinstance(block, Clause):
            out.extend(self.clause(block))
        elif isinstance(block, TableBlock):
            if block.header or any(block.rows):  # a table without cells draws nothing
                out.append(self.table(block))
        elif isinstance(block, SignatureBlock):
            out.extend(self.signatures(block))
        elif isinstance(block, PageBreak):
            out.append(RLPageBreak())
        elif isinstance(block, Image):
            out.extend(self.image(block))
        return out

    def image(self, block: Image) -> list[Flowable]:
        parts: list[Flowable] = []
        path = Path(block.path)
        found = _picture(str(path.resolve()), path.stat().st_mtime) if path.is_file() else None
        if found:  # an unreadable file is skipped here; assembly checks pictures exist
            file, w, h = found
            width = min(block.width_mm * mm, FRAME_W)
            height = width * h / w
            limit = (PAGE_H - MARGIN_TOP - MARGIN_BOTTOM) * 0.8
            if height > limit:
                width, height = width * limit / height, limit
            picture = RLImage(file, width=width, height=height)
            picture.hAlign = "CENTER"
            picture.spaceBefore = 6
            picture.spaceAfter = 4 if block.caption else 10
            parts.append(picture)
        if block.caption:
            parts.append(self.text([(block.caption, FACE_REGULAR)], "caption"))
        return [KeepTogether(parts)] if len(parts) > 1 else parts

    def heading(self, block: Heading) -> TextBlock:
        style = {1: "title", 2: "h2"}.get(block.level, "h3")
        title = "".join(r.text for r in block.runs)
        mark = self.bookmark(title, max(0, block.level - 2)) if block.bookmark else None
        return self.text(_pieces(block.runs), style, bookmark=mark, keep_with_next=True)

    def items(self, block: ListBlock, label_indent: float, indent: float) -> list[Flowable]:
        # Room for the widest marker ("(aa)", "(الف)") before the text.
        markers = block.labels(self.numbering)
        size = self.st["item"].size
        widest = max((fonts().widths[0](m, size) for m in markers), default=0.0)
        indent = max(indent, label_indent + widest + 2.5 * mm)
        return [
            self.text(_pieces(item), "item", indent=indent, label=marker, label_indent=label_indent)
            for item, marker in zip(block.items, markers, strict=True)
        ]

    def clause(self, block: Clause) -> list[Flowable]:
        label = block.label_in(self.numbering)
        title = f"{label} {block.title}"
        pieces = [(f"{label} ", FACE_BOLD),
                  *((t, f | FACE_BOLD) for t, f in _pieces(block.title_inline()))]
        out: list[Flowable] = [
            self.text(pieces, "clause", bookmark=self.bookmark(title, 0), keep_with_next=True)
        ]
        for part in block.body:
            indent = self.sub_indent
            if isinstance(part, SubClause):
                out.append(self.text(_pieces(part.runs), "sub", indent=indent, label=part.number))
                for lst in part.lists:
                    out.extend(self.items(lst, label_indent=indent, indent=indent + 7 * mm))
            else:
                out.extend(self.items(part, label_indent=indent, indent=indent + 7 * mm))
        return out

    def table(self, block: TableBlock) -> Table:
        ncols = max([len(block.header), *(len(r) for r in block.rows)])
        rows = [tuple(block.header) + ((),) * (ncols - len(block.header))]
        rows += [tuple(r) + ((),) * (ncols - len(r)) for r in block.rows]
        cells = [
            [self.text(_pieces(cell), "cell_head" if r == 0 else "cell") for cell in row]
            for r, row in enumerate(rows)
        ]
        widths = _column_widths(cells, FRAME_W, block.widths)
        if self.rtl:  # mirror: the first column on the right
            cells = [row[::-1] for row in cells]
            widths = widths[::-1]
        # splitInRow: a row taller than a page (a 2,000-character value) splits between lines.
        table = Table(cells, colWidths=widths, repeatRows=1, hAlign="CENTER", splitInRow=SPLIT_IN_ROW)
        table.setStyle(TableStyle([
            ("FONTNAME", (0, 0), (-1, -1), fonts().regular),  # else empty cells pull in Helvetica
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), CELL_PAD),
            ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PAD),
            ("TOPPADDING", (0, 0), (-1, -1), CELL_PAD - 1),
            ("BOTTOMPADDING", (0, 0), (-1, -1), CELL_PAD),
            ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
            ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, ZEBRA]),
            ("GRID", (0, 0), (-1, -1), 0.4, RULE),
            ("LINEBELOW", (0, 0), (-1, 0), 0.8, MUTED),
        ]))
        table.spaceBefore = 4
        table.spaceAfter = 10
        return table

    def signatures(self, block: SignatureBlock) -> list[Flowable]:
        labels = block.labels
        st = self.st
        panels = []
        for n, s in enumerate(block.signatories, start=1):
            spot = partial(_spot, self.meta.signing, s.key, n, s.role)
            panel: list[Flowable] = [
                self.text([(s.role, FACE_BOLD)], "sig_role"),
                self.text([(s.heading or s.party, FACE_BOLD)], "sig_party"),
                _SignatureLine(labels["signature"], st["sig_caption"], self.rtl, spot("signature", labels["signature"])),
                _field(labels["name"], s.name, st["sig_field"], self.rtl, spot("name", labels["name"])),
            ]
            panels.append(panel)
        for i in range(0, len(panels), 2):  # a title row for both panels of a pair, or neither
            pair = block.signatories[i:i + 2]
            for n, (s, panel) in enumerate(zip(pair, panels[i:i + 2], strict=True), start=i + 1):
                if any(p.title for p in pair):
                    panel.append(_field(labels["title"], s.title, st["sig_field"], self.rtl)
                                 if s.title else Spacer(1, st["sig_field"].leading))
                panel.append(_field(labels["date"], None, st["sig_field"], self.rtl,
                                    _spot(self.meta.signing, s.key, n, s.role, "date", labels["date"])))
        out: list[Flowable] = [
            self.text([(block.heading, FACE_BOLD)], "h2", keep_with_next=True),
            self.text([(block.intro, FACE_REGULAR)], "body", keep_with_next=True),
        ]
        # Two panels side by side, row by row (role, party, signature, name, title, date) so
        # their lines align; each pair is kept together on one page.
        gap = 12 * mm
        col = (FRAME_W - gap) / 2
        for i in range(0, len(panels), 2):
            pair = panels[i:i + 2]
            depth = max(len(p) for p in pair)
            rows = []
            for r in range(depth):
                cells: list[Any] = [p[r] if r < len(p) else "" for p in pair]
                row = [cells[0], "", cells[1] if len(cells) > 1 else ""]
                rows.append(row[::-1] if self.rtl else row)
            grid = Table(rows, colWidths=[col, gap, col], hAlign="CENTER", splitInRow=SPLIT_IN_ROW)
            grid.setStyle(TableStyle([
                ("FONTNAME", (0, 0), (-1, -1), fonts().regular),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]))
            grid.spaceBefore = 10
            grid.spaceAfter = 6
            out.append(KeepTogether([grid]))
        return out


def _column_widths(cells: list[list[TextBlock]], total: float, relative: Sequence[float] | None) -> list[float]:
    """Column widths: given relative widths, else from content (longest word, text length)."""
    n = len(cells[0])
    if relative and len(relative) == n and all(w > 0 for w in relative):
        scale = total / sum(relative)
        return [w * scale for w in relative]
    pad = 2 * CELL_PAD + 1
    least = [pad + 12.0] * n  # the longest word must fit
    natural = [pad + 12.0] * n  # the whole text on one line
    for row in cells:
        for c, cell in enumerate(row):
            words = [w for _, _, kind, w in cell.prep.tokens if kind == _WORD]
            if words:
                # A word wider than its share of the table (a 2,000-character value) does not
                # claim it all: it breaks inside the column like any over-long word.
                least[c] = max(least[c], pad + min(max(words), total / n))
                natural[c] = max(natural[c], pad + cell.prep.measure(0, len(cell.prep.text)))
    if sum(natural) <= total:  # everything fits on one line: share the spare room alike
        spare = (total - sum(natural)) / n
        return [w + spare for w in natural]
    if sum(least) >= total:  # even single words do not fit: shrink (words will break)
        scale = total / sum(least)
        return [w * scale for w in least]
    # Like a browser's automatic table layout: a column whose whole text fits in its share
    # gets just that; the others share what is left in proportion to their text, but never
    # less than their longest word.
    widths: list[float | None] = [None] * n
    # Short columns (dates, amounts, names) keep their text on one line when the long ones
    # can still fit their longest words: the long columns absorb the wrapping.
    short = [c for c in range(n) if natural[c] <= total / 4]
    if sum(natural[c] for c in short) + sum(least[c] for c in range(n) if c not in short) <= total:
        for c in short:
            widths[c] = natural[c]
    while True:
        open_cols = [c for c in range(n) if widths[c] is None]
        if not open_cols:
            return [w or 0.0 for w in widths]
        room = total - sum(w for w in widths if w is not None)
        wanted = sum(natural[c] for c in open_cols)
        share = {c: room * natural[c] / wanted for c in open_cols}
        settled = [c for c in open_cols if natural[c] <= share[c]] or [c for c in open_cols if least[c] > share[c]]
        if not settled:
            for c in open_cols:
                widths[c] = share[c]
            return [w or 0.0 for w in widths]
        for c in settled:
            widths[c] = natural[c] if natural[c] <= share[c] else least[c]
        if all(w is not None for w in widths):
            return [w or 0.0 for w in widths]
