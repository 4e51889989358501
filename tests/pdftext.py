"""Text out of a PDF that contractgen made, in reading order: what the tests read (pdfminer).

Glyphs are read with the logical text the renderer recorded for each reordered line (see
``contractgen.render.pdf_text.LOGICAL_KEY``); everything else by glyph position.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from contractgen.render import bidi
from contractgen.render.pdf_text import LOGICAL_KEY


def extract_text(pdf: bytes | Path, *, glyphs_only: bool = False) -> str:
    """The text of a PDF made by :func:`render_pdf`, line by line in logical (reading) order.

    Glyphs are grouped into lines by their baseline. Glyphs of a line that was reordered
    (every line of a right-to-left document, and mixed lines) read as the logical text the
    renderer recorded for it; other glyphs read left to right, and in a right-to-left
    document (direction R2L in the viewer preferences) are put back into reading order by
    :func:`bidi.logical_line`. Pieces of one visual line (table cells, a label and its text)
    are read in the document's direction. Pages are separated by a form feed.

    ``glyphs_only=True`` ignores the recorded text and reads glyphs only, reordered by
    :func:`bidi.logical_line`: a check on what is drawn (ZWNJ, which has no glyph, is lost).
    """
    from pdfminer.converter import PDFPageAggregator
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdfparser import PDFParser
    from pdfminer.pdftypes import resolve1
    from pdfminer.utils import decode_text

    class Collector(PDFPageAggregator):
        """Records every glyph with the recorded logical text of the line it belongs to."""

        def __init__(self, rsrc: PDFResourceManager) -> None:
            super().__init__(rsrc, laparams=None)
            self.glyphs: list[_Glyph] = []
            self.spans: list[tuple[int, str] | None] = []
            self.count = 0

        def begin_tag(self, tag: Any, props: Any = None) -> None:
            recorded = props.get(LOGICAL_KEY) if isinstance(props, dict) else None
            if isinstance(recorded, bytes) and not glyphs_only:
                self.count += 1
                self.spans.append((self.count, decode_text(recorded)))
            else:
                self.spans.append(self.spans[-1] if self.spans else None)

        def end_tag(self) -> None:
            if self.spans:
                self.spans.pop()

        def render_char(self, matrix: Any, font: Any, fontsize: float, *args: Any) -> float:
            adv = super().render_char(matrix, font, fontsize, *args)
            item = self.cur_item._objs[-1]
            span = self.spans[-1] if self.spans else None
            self.glyphs.append(_Glyph(item.get_text(), item.x0, item.x1, matrix[5], item.size, span))
            return adv

    data = pdf if isinstance(pdf, bytes | bytearray) else Path(pdf).read_bytes()
    parser = PDFParser(io.BytesIO(data))
    document = PDFDocument(parser)
    prefs = resolve1(document.catalog.get("ViewerPreferences")) or {}
    direction = resolve1(prefs.get("Direction")) if isinstance(prefs, dict) else None
    rtl = getattr(direction, "name", None) == "R2L"
    rsrc = PDFResourceManager()
    pages_out = []
    for page in PDFPage.create_pages(document):
        device = Collector(rsrc)
        PDFPageInterpreter(rsrc, device).process_page(page)
        pages_out.append("\n".join(_read_line(line, rtl) for line in _glyph_lines(device.glyphs)))
    return "\n\f".join(pages_out)


@dataclass(frozen=True)
class _Glyph:
    text: str
    x0: float
    x1: float
    baseline: float
    size: float
    span: tuple[int, str] | None  # (span id, logical text) when drawn inside one


def _glyph_lines(glyphs: list[_Glyph]) -> list[list[_Glyph]]:
    # Group by baseline, top to bottom; each line left to right. Positions are compared to
    # 0.01 pt, so a zero-width mark (Thai vowels, Devanagari signs) stays before the glyph
    # drawn after it at the same place, in drawing order.
    ordered = sorted(glyphs, key=lambda g: (-round(g.baseline, 1), round(g.x0, 2)))
    lines: list[list[_Glyph]] = []
    base = math.inf
    for g in ordered:
        if not lines or abs(g.baseline - base) > 1.0:
            lines.append([])
            base = g.baseline
        lines[-1].append(g)
    return [sorted(line, key=lambda g: round(g.x0, 2)) for line in lines]


def _read_line(glyphs: list[_Glyph], rtl: bool) -> str:
    # Split the visual line into pieces: one per recorded span, and runs of plain glyphs
    # (a wide gap, as between table cells, starts a new run); then read the pieces in the
    # document's direction.
    pieces: list[str] = []
    run: list[_Glyph] = []
    span_id: int | None = None
    for g in [*glyphs, _Glyph("", math.inf, math.inf, 0.0, 1.0, (-1, ""))]:
        if g.span is None:
            span_id = None
            if run and g.x0 - run[-1].x1 > 1.5 * g.size:
                pieces.append(bidi.logical_line(_glyph_string(run), rtl))
                run = []
            run.append(g)
            continue
        if run:
            pieces.append(bidi.logical_line(_glyph_string(run), rtl))
            run = []
        if g.span[0] != span_id:
            span_id = g.span[0]
            pieces.append(g.span[1])
    if rtl:
        pieces.reverse()
    return " ".join(p.strip() for p in pieces if p.strip())


def _glyph_string(glyphs: list[_Glyph]) -> str:
    # Glyphs left to right; a visible gap without a space glyph counts as a space.
    out = []
    prev = None
    for g in glyphs:
        if prev is not None and g.x0 - prev.x1 > 0.2 * g.size and g.text != " " and prev.text != " ":
            out.append(" ")
        out.append(g.text)
        prev = g
    return "".join(out)
