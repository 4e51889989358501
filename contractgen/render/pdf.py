"""PDF renderer: a :class:`~contractgen.document.Document` → PDF bytes (reportlab platypus).

Layout: A4, IBM Plex Sans Arabic embedded (Regular + real Bold), a header with the
document's header text and logo on every page, "Page X of Y" in the document's digits, an
outline entry per clause and bookmarked heading, metadata including custom properties, and
the same bytes for the same document (reportlab's invariant mode and a fixed date).

All text goes through one flowable, :class:`TextBlock`, for both directions. It wraps in
logical order by measured width and draws each line itself, after shaping and bidi
reordering when the line needs them (``bidi.py``). reportlab's own Paragraph is not used:
its right-to-left support needs a package that is not on PyPI, and without markup there is
nothing to escape — ``A & B <Studio>`` is drawn as the characters it is, never parsed.

Text in the PDF is glyphs in visual order whose ToUnicode maps back to plain letters (as in
a PDF from a word processor), so viewers copy and search Persian in reading order. Each
reordered line also records its logical text in a private marked-content property, which
:func:`extract_text` reads; it falls back to glyph positions for anything else.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache, partial
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfdoc import PDFArray, PDFDate, PDFDictionary, PDFInfo, PDFName, PDFString
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, KeepTogether, PageTemplate, Spacer, Table, TableStyle
from reportlab.platypus import Image as RLImage
from reportlab.platypus import PageBreak as RLPageBreak

from contractgen.document import (
    Block,
    Clause,
    Document,
    Heading,
    Image,
    Inline,
    ListBlock,
    Meta,
    PageBreak,
    Paragraph,
    Revised,
    SignatureBlock,
    Signing,
    SubClause,
)
from contractgen.document import Table as TableBlock
from contractgen.errors import Problem, UserError
from contractgen.render import bidi
from contractgen.render.fonts import FACE_BOLD, FACE_ITALIC, FACE_REGULAR, FONT_SHIFT, FontSet, describe_missing, fonts

__all__ = ["TextBlock", "extract_text", "render_pdf"]

PAGE_W, PAGE_H = A4
MARGIN_X = 22 * mm
MARGIN_TOP = 32 * mm
MARGIN_BOTTOM = 22 * mm
FRAME_W = PAGE_W - 2 * MARGIN_X

INK = colors.HexColor("#1c1f24")
HEADING_INK = colors.HexColor("#0f1115")
MUTED = colors.HexColor("#5f6670")
RULE = colors.HexColor("#c5cad2")
HEADER_FILL = colors.HexColor("#e9edf2")
ZEBRA = colors.HexColor("#f7f8fa")

# A redline's marks ride on face bits above the font index (see fonts.py): inserted text is
# blue and underlined, deleted text red and struck through; every line with a change gets a
# bar in the outer margin (a formatting change only the bar). Font lookups mask them off.
FACE_INS, FACE_DEL, FACE_FORMAT = 1 << 24, 1 << 25, 1 << 26
_MARKS = FACE_INS | FACE_DEL | FACE_FORMAT
INSERTED = colors.HexColor("#1d4ed8")
DELETED = colors.HexColor("#b91c1c")
CHANGE_BAR = colors.HexColor("#6b7280")
_CHANGE_FACES = {"ins": FACE_INS, "del": FACE_DEL, "format": FACE_FORMAT}

ITALIC_SLANT = 0.2  # shear for italic runs: the fonts have no italic face
SYNTHETIC_BOLD = 0.045  # stroke width (× size) that makes a Regular outline read as Bold
CELL_PAD = 4.0
SPLIT_IN_ROW = 30.0  # least height (points) of either part when a table row splits across pages

# Whitespace that may break a line: any whitespace except newline and the no-break spaces.
_TOKENS = re.compile(r"(\n)|([^\S\n\u00a0\u2007\u202f]+)|((?:[^\s]|[\u00a0\u2007\u202f])+)")
_WORD, _SPACE, _NEWLINE = 0, 1, 2
_BREAK_AFTER = frozenset("/-?&=_.,;:")  # where a long word (URL, path) may break
_NO_BREAK = frozenset("\u00a0\u2007\u202f")


def _breaks(char: str) -> bool:
    # White space a line may break at (what _TOKENS counts as a space or newline).
    return char.isspace() and char not in _NO_BREAK
_WIDTH_CACHE: dict[tuple[str, int, float], float] = {}  # (glyphs, bold, size) → width
_PREPARED: dict[tuple[str, tuple[tuple[int, int, int], ...], float, FontSet], tuple[Any, ...]] = {}
_UPRIGHT = ~(FACE_ITALIC | _MARKS)  # face & _UPRIGHT: the font and weight, which decide widths


# ---------------------------------------------------------------------------------------------
# Styles (built once per process)


@dataclass(frozen=True)
class TextStyle:
    """How a block of text looks: size, leading, colour, alignment and spacing."""

    size: float
    leading: float
    color: colors.Color = INK
    align: str = "start"  # start | end | center | justify (justify: last line at start)
    face: int = FACE_REGULAR  # added to every run (headings are bold throughout)
    space_before: float = 0.0
    space_after: float = 0.0


@cache
def _styles(rtl: bool) -> dict[str, TextStyle]:
    # Arabic script needs a little more size and leading than Latin to read as the same size.
    s = 10.5 if rtl else 10.0
    lead = 18.0 if rtl else 15.0
    return {
        "title": TextStyle(s + 8, s * 2.4, HEADING_INK, "center", FACE_BOLD, 0, 14),
        "h2": TextStyle(s + 2.5, lead + 3, HEADING_INK, "start", FACE_BOLD, 16, 6),
        "h3": TextStyle(s + 0.5, lead, HEADING_INK, "start", FACE_BOLD, 10, 4),
        "clause": TextStyle(s + 1, lead + 1, HEADING_INK, "start", FACE_BOLD, 14, 5),
        "body": TextStyle(s, lead, INK, "justify", FACE_REGULAR, 0, 7),
        "lead": TextStyle(s + 1.5, lead + 3, INK, "justify", FACE_REGULAR, 0, 10),
        "small": TextStyle(s - 1.5, lead - 3, MUTED, "justify", FACE_REGULAR, 0, 6),
        "center": TextStyle(s, lead, INK, "center", FACE_REGULAR, 0, 7),
        "caption": TextStyle(s - 1.5, lead - 3, MUTED, "center", FACE_REGULAR, 0, 10),
        "sub": TextStyle(s, lead, INK, "justify", FACE_REGULAR, 0, 5),
        "item": TextStyle(s, lead, INK, "justify", FACE_REGULAR, 0, 3),
        "cell": TextStyle(s - 1, lead - 3, INK, "start"),
        "cell_head": TextStyle(s - 1, lead - 3, HEADING_INK, "start", FACE_BOLD),
        "sig_role": TextStyle(s - 1.5, lead - 3, MUTED, "start", FACE_BOLD, 0, 1),
        "sig_party": TextStyle(s, lead, HEADING_INK, "start", FACE_BOLD),
        "sig_field": TextStyle(s - 1, lead, INK, "start"),
        "sig_caption": TextStyle(s - 2, lead - 4, MUTED, "start"),
        "header": TextStyle(s - 2, lead - 4, MUTED, "end"),
        "footer": TextStyle(s - 2, lead - 4, MUTED, "center"),
    }


# ---------------------------------------------------------------------------------------------
# Text: shaping, measuring, wrapping, drawing


class _Prepared:
    """A paragraph's text, done once: runs merged, split by font, shaped when Arabic, tokenised.

Each run's face carries the font that draws it (see ``fonts.FontSet.assign``), so measuring
and drawing need nothing more than the face.

    Everything is indexed by position in the logical text, so a part of a split paragraph
    is just a range of positions.
    """

    __slots__ = ("arabic", "bidi", "fontset", "runs", "shaped", "size", "text", "tokens", "widths")

    def __init__(self, pieces: Iterable[tuple[str, int]], size: float, fontset: FontSet) -> None:
        runs: list[tuple[int, int, int]] = []
        parts = []
        pos = 0
        for text, face in pieces:
            text = text.replace("\r\n", "\n").replace("\t", " ")
            if not text:
                continue
            if runs and runs[-1][2] == face:
                runs[-1] = (runs[-1][0], pos + len(text), face)
            else:
                runs.append((pos, pos + len(text), face))
            parts.append(text)
            pos += len(text)
        self.text = "".join(parts)
        self.size = size
        self.fontset = fontset
        self.widths = fontset.widths
        # Most paragraphs are the same for every influencer of a campaign, and a split paragraph
        # is measured again: fonts, shaping and tokens are kept per (text, runs, size, fonts).
        key = (self.text, tuple(runs), size, fontset)
        prepared = _PREPARED.get(key)
        if prepared is None:
            if lost := fontset.missing(self.text):  # the spec check refuses these first; never drop them
                message, hint = describe_missing(lost)
                raise UserError(Problem(message, hint=hint))
            self.runs = _by_font(runs, fontset.assign(self.text))
            self.arabic = bidi.has_arabic(self.text)
            self.bidi = self.arabic or bidi.needs_bidi(self.text)  # Hebrew needs reordering, not shaping
            # One string per character (a presentation form, or "" when it vanishes) when shaped.
            self.shaped = bidi.shape(self.text, fontset.has) if self.arabic else self.text
            self.tokens = self._tokens()
            if len(_PREPARED) > 4_000:
                _PREPARED.clear()
            _PREPARED[key] = (self.runs, self.arabic, self.bidi, self.shaped, self.tokens)
        else:
            self.runs, self.arabic, self.bidi, self.shaped, self.tokens = prepared

    def _tokens(self) -> list[tuple[int, int, int, float]]:
        # (start, end, kind, width) of every word, space and newline. Most tokens lie inside
        # one run: their width comes from a per-process cache, as words repeat a lot.
        kinds = {1: _NEWLINE, 2: _SPACE, 3: _WORD}  # regex group → token kind
        cache = _WIDTH_CACHE
        if len(cache) > 20_000:  # bounded: a long batch sees many distinct names; keeps workers flat
            cache.clear()
        runs, ri, size, shaped = self.runs, 0, self.size, self.shaped
        plain = isinstance(shaped, str)
        tokens = []
        for m in _TOKENS.finditer(self.text):
            a, b = m.span()
            kind = kinds[m.lastindex or 3]
            if kind == _NEWLINE:
                tokens.append((a, b, kind, 0.0))
                continue
            while runs[ri][1] <= a:
                ri += 1
            if b <= runs[ri][1]:
                face = runs[ri][2] & _UPRIGHT
                glyphs = shaped[a:b] if plain else "".join(shaped[a:b])
                key = (glyphs, face, size)
                w = cache.get(key)
                if w is None:
                    w = cache[key] = self.widths[face](glyphs, size)
            else:
                w = self.measure(a, b)
            tokens.append((a, b, kind, w))
        return tokens

    def segments(self, a: int, b: int) -> Iterable[tuple[int, int, int]]:
        """(start, end, face) pieces of the range [a, b) with one face each."""
        for start, end, face in self.runs:
            if end <= a:
                continue
            if start >= b:
                break
            yield max(start, a), min(end, b), face

    def glyphs(self, a: int, b: int) -> str:
        """The drawable (shaped) text of positions [a, b)."""
        return self.shaped[a:b] if isinstance(self.shaped, str) else "".join(self.shaped[a:b])

    def measure(self, a: int, b: int) -> float:
        """Width in points of positions [a, b) as drawn."""
        total = 0.0
        for start, end, face in self.segments(a, b):
            total += self.widths[face & _UPRIGHT](self.glyphs(start, end), self.size)
        return total


def _by_font(runs: list[tuple[int, int, int]], chosen: list[int] | None) -> list[tuple[int, int, int]]:
    """Runs split where the drawing font changes, the font added to each run's face."""
    if chosen is None:
        return runs
    out: list[tuple[int, int, int]] = []
    for start, end, face in runs:
        for i in range(start, end):
            f = face | chosen[i] << FONT_SHIFT
            if out and out[-1][2] == f and out[-1][1] == i:
                out[-1] = (out[-1][0], i + 1, f)
            else:
                out.append((i, i + 1, f))
    return out


@dataclass(frozen=True)
class _Line:
    start: int
    end: int
    width: float
    last: bool  # last line of the paragraph or before a hard break: never justified


class TextBlock(Flowable):
    """A paragraph of styled runs, in either direction, with an optional hanging label.

    ``indent`` is the text's distance from the start edge (left for LTR, right for RTL);
    ``label`` (a clause number, bullet, "(a)") is drawn on the first line ``label_indent``
    from the start edge. ``bookmark`` = (outline title, key, level) adds an outline entry.
    """

    def __init__(
        self,
        pieces: Iterable[tuple[str, int]] | _Prepared,
        style: TextStyle,
        rtl: bool,
        *,
        indent: float = 0.0,
        end_indent: float = 0.0,
        label: str | None = None,
        label_indent: float = 0.0,
        bookmark: tuple[str, str, int] | None = None,
        keep_with_next: bool = False,
        span: tuple[int, int] | None = None,
    ) -> None:
        super().__init__()
        fontset = fonts()
        if isinstance(pieces, _Prepared):
            self.prep = pieces
        else:
            self.prep = _Prepared(((t, f | style.face) for t, f in pieces), style.size, fontset)
        self.style = style
        self.rtl = rtl
        self.indent = indent
        self.end_indent = end_indent
        self.label = label
        self.label_indent = label_indent
        self.bookmark = bookmark
        self.span = span or (0, len(self.prep.text))
        self.spaceBefore = style.space_before
        self.spaceAfter = style.space_after
        if keep_with_next:
            self.keepWithNext = True
        self.lines: list[_Line] = []
        self._wrapped_for: float | None = None

    # -- layout ---------------------------------------------------------------------------

    def _layout(self, width: float) -> list[_Line]:
        prep = self.prep
        lo, hi = self.span
        limit = max(width - self.indent - self.end_indent, prep.size)
        lines: list[_Line] = []
        start = end = -1  # current line's text range; start < 0: no line open
        line_w = gap_w = 0.0

        def close(last: bool) -> None:
            nonlocal start
            if start >= 0:
                lines.append(_Line(start, end, line_w, last))
            start = -1

        for a, b, kind, w in prep.tokens:
            if b <= lo or a >= hi:
                continue
            if a < lo or b > hi:  # a token cut by a split: measure the part that is ours
                a, b = max(a, lo), min(b, hi)
                w = prep.measure(a, b)
            if kind == _NEWLINE:
                if start < 0:  # an empty line keeps its height
                    start = end = a
                    line_w = 0.0
                close(True)
                continue
            if kind == _SPACE:
                if start >= 0:
                    gap_w += w
                continue
            if start >= 0 and line_w + gap_w + w <= limit + 0.01:
                end, line_w, gap_w = b, line_w + gap_w + w, 0.0
                continue
            if start >= 0 and w > limit * 0.3:
                # A long word (a URL): fill the line up to a break point inside it rather than
                # leaving a short, widely justified line behind.
                cut = self._break_point(a, b, limit - line_w - gap_w)
                if cut > a:
                    end, line_w = cut, line_w + gap_w + prep.measure(a, cut)
                    a, w = cut, prep.measure(cut, b)
            close(False)
            gap_w = 0.0
            while w > limit + 0.01 and b - a > 1:  # longer than a whole line: break it
                cut = self._break_point(a, b, limit)
                if cut <= a:
                    cut = self._fit(a, b, limit)
                lines.append(_Line(a, cut, prep.measure(a, cut), False))
                a = cut
                w = prep.measure(a, b)
            start, end, line_w = a, b, w
        close(True)
        if lines and not lines[-1].last:
            lines[-1] = _Line(lines[-1].start, lines[-1].end, lines[-1].width, True)
        return lines

    def _break_point(self, a: int, b: int, room: float) -> int:
        # The last position after a URL/path separator such that [a, pos) fits in ``room``.
        text = self.prep.text
        best = a
        for i in range(a + 2, b - 1):
            if text[i - 1] in _BREAK_AFTER:
                if self.prep.measure(a, i) > room:
                    break
                best = i
        return best

    def _fit(self, a: int, b: int, limit: float) -> int:
        # Longest prefix of [a, b) that fits (at least one character).
        lo, hi = a + 1, b - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.prep.measure(a, mid) <= limit:
                lo = mid
            else:
                hi = mid - 1
        return lo

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        """Lay out for ``availWidth``; returns (width, height)."""
        if self._wrapped_for != availWidth:
            self.lines = self._layout(availWidth)
            self._wrapped_for = availWidth
        self.width = availWidth
        self.height = len(self.lines) * self.style.leading
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        """Split between lines, keeping at least two lines on each side when possible."""
        self.wrap(availWidth, availHeight)
        fit = int((availHeight + 1e-6) // self.style.leading)
        n = len(self.lines)
        if fit >= n:
            # Asked to split although every line fits (a table cell measures its own spacing):
            # "cannot split" lets the caller keep or move the block whole; [self] alone breaks
            # reportlab's table-cell splitting, which expects two parts.
            return []
        if n - fit < 2:
            fit = n - 2  # no widow: take a line along to the next page
        if fit < 2:
            return []  # no orphan: move the whole paragraph
        cut = self.lines[fit].start
        first = self._part((self.span[0], cut), first=True)
        rest = self._part((cut, self.span[1]), first=False)
        first.spaceAfter = 0
        rest.spaceBefore = 0
        return [first, rest]

    def _part(self, span: tuple[int, int], first: bool) -> TextBlock:
        return TextBlock(
            self.prep, self.style, self.rtl, indent=self.indent, end_indent=self.end_indent,
            label=self.label if first else None, label_indent=self.label_indent,
            bookmark=self.bookmark if first else None, span=span,
        )

    def line_widths(self) -> list[float]:
        """Widths of the laid-out lines (after ``wrap``)."""
        return [line.width for line in self.lines]

    # -- drawing --------------------------------------------------------------------------

    def draw(self) -> None:
        """Draw the lines (and label, bookmark) at the flowable's origin."""
        canv = self.canv
        style = self.style
        if self.bookmark:
            title, key, level = self.bookmark
            canv.bookmarkHorizontal(key, 0, self.height)
            canv.addOutlineEntry(title, key, level)
        canv.setFillColor(style.color)
        avail = self.width - self.indent - self.end_indent
        left = self.end_indent if self.rtl else self.indent
        for i, line in enumerate(self.lines):
            y = self.height - (i + 1) * style.leading + (style.leading - style.size) / 2 + 0.22 * style.size
            extra = 0.0
            align = style.align
            if align == "justify":
                text = self.prep.text
                spaces = text.count(" ", line.start, line.end) + text.count("\u00a0", line.start, line.end)
                if not line.last and spaces and line.width < avail:
                    extra = (avail - line.width) / spaces
                    if extra > style.size:  # gaps this wide read worse than a ragged line
                        extra = 0.0
                align = "start"
            if align == "center":
                x = left + (avail - line.width) / 2
            elif (align == "start") != self.rtl:  # LTR start or RTL end: at the left
                x = left
            else:
                x = left + avail - line.width
            if extra:
                x = left
            chunks, logical = _visual(self.prep, line.start, line.end, self.rtl)
            if (recorded := self._recorded_text(line)) is not None:
                logical = recorded
            _draw_chunks(canv, chunks, x, y, style.size, extra, logical)
            if i == 0 and self.label and self.span[0] == 0:
                self._draw_label(y)
            if any(face & _MARKS for _, _, face in self.prep.segments(line.start, line.end)):
                self._change_bar(self.height - (i + 1) * style.leading, style.leading)

    def _change_bar(self, bottom: float, height: float) -> None:
        # In the page's outer margin whatever this block's position (a table cell, an indent).
        origin_x, _ = self.canv.absolutePosition(0, 0)
        page_x = PAGE_W - MARGIN_X + 3 * mm if self.rtl else MARGIN_X - 3 * mm
        self.canv.saveState()
        self.canv.setStrokeColor(CHANGE_BAR)
        self.canv.setLineWidth(1.2)
        self.canv.line(page_x - origin_x, bottom, page_x - origin_x, bottom + height)
        self.canv.restoreState()

    def _recorded_text(self, line: _Line) -> str | None:
        """What a line records as its text when a word is broken across it; None: nothing special.

        Read line by line, a word broken over two lines (a URL, a 2,000-character name) would
        come back with a line break, so a space, inside it. So a line that ends inside a word
        records the text up to that word's end, and a line that starts inside one records
        only what follows that word: every word is read back whole, on the line it starts on,
        also when the paragraph continues on the next page.
        """
        text = self.prep.text
        a, b = line.start, line.end
        starts_inside = 0 < a < len(text) and not _breaks(text[a - 1]) and not _breaks(text[a])
        ends_inside = 0 < b < len(text) and not _breaks(text[b - 1]) and not _breaks(text[b])
        if not (starts_inside or ends_inside):
            return None
        if starts_inside:
            while a < b and not _breaks(text[a]):
                a += 1
            while a < b and _breaks(text[a]):
                a += 1
        if ends_inside and a < b:
            while b < len(text) and not _breaks(text[b]):
                b += 1
        return text[a:b] if a < b else ""

    def _draw_label(self, y: float) -> None:
        prep = _Prepared([(self.label or "", self.style.face)], self.style.size, self.prep.fontset)
        width = prep.measure(0, len(prep.text))
        x = self.width - self.label_indent - width if self.rtl else self.label_indent
        chunks, logical = _visual(prep, 0, len(prep.text), self.rtl)
        _draw_chunks(self.canv, chunks, x, y, self.style.size, 0.0, logical)


def _visual(prep: _Prepared, a: int, b: int, rtl: bool) -> tuple[list[tuple[str, int]], str | None]:
    """A line's drawing chunks (text, face) left to right, and its logical text if reordered."""
    text = prep.text
    if not rtl and not (prep.bidi and bidi.needs_bidi(text[a:b])):
        return [(prep.glyphs(s, e), face) for s, e, face in prep.segments(a, b)], None
    chars: list[str] = []
    tags: list[int] = []
    shaped = prep.shaped
    for s, e, face in prep.segments(a, b):
        for i in range(s, e):
            for ch in shaped[i]:
                chars.append(ch)
                tags.append(face)
    chunks: list[tuple[str, int]] = []
    buf: list[str] = []
    current = -1
    for ch, face in bidi.reorder(chars, tags, rtl):
        if face != current and buf:
            chunks.append(("".join(buf), current))
            buf = []
        current = face
        buf.append(ch)
    if buf:
        chunks.append(("".join(buf), current))
    return chunks, text[a:b]


# The logical text of a reordered line, kept in a private marked-content property that
# viewers ignore. Not /ActualText: poppler and PDFium treat ActualText as if it were in visual
# order and reverse it (checked with pdftotext and pypdfium2), while plain letters in visual
# order are put back into reading order by every viewer. extract_text reads this property.
LOGICAL_KEY = "CGText"


def _logical_mark(text: str) -> str:
    return f"/Span <</{LOGICAL_KEY} <FEFF{text.encode('utf-16-be').hex().upper()}>>> BDC"


def _draw_chunks(canv: Canvas, chunks: Sequence[tuple[str, int]], x: float, y: float, size: float,
                 extra: float, logical: str | None) -> None:
    """Draw chunks left to right from (x, y); ``extra`` points are added after every space.

    Justification uses the PDF word spacing (Tw): reportlab's TrueType subsets always encode
    the space as byte 32, the one code Tw applies to (a no-break space is drawn as a space).
    """
    fontset = fonts()
    widths = fontset.widths
    # A fallback font has no Bold file: its bold is the outline filled and stroked (render mode 2)
    # in the text colour, inside saved graphics state so the line width goes no further.
    synthetic = any(fontset.synthetic_bold(face & _UPRIGHT) for _, face in chunks)
    if synthetic:
        canv.saveState()
        canv.setStrokeColor(canv._fillColorObj)
        canv.setLineWidth(size * SYNTHETIC_BOLD)
    if logical is not None:
        canv.addLiteral(_logical_mark(logical))
    tx = canv.beginText()
    tx.setWordSpace(extra)  # always: word spacing outlives the text object in PDF graphics state
    ink = canv._fillColorObj
    marks: list[tuple[float, float, int]] = []  # (x, width, face) of inserted and deleted chunks
    for text, face in chunks:
        tx.setFont(fontset.name(face & _UPRIGHT), size)
        if synthetic:
            tx.setTextRenderMode(2 if fontset.synthetic_bold(face & _UPRIGHT) else 0)
        if face & (FACE_INS | FACE_DEL):
            tx.setFillColor(INSERTED if face & FACE_INS else DELETED)
        if face & FACE_ITALIC and not bidi.has_arabic(text):
            tx.setTextTransform(1, 0, ITALIC_SLANT, 1, x, y)  # oblique: no italic face exists
        else:
            tx.setTextOrigin(x, y)
        tx.textOut(text)
        width = widths[face & _UPRIGHT](text, size)
        if extra:
            width += extra * (text.count(" ") + text.count("\u00a0"))
        if face & (FACE_INS | FACE_DEL):
            tx.setFillColor(ink)
            marks.append((x, width, face))
        x += width
    canv.drawText(tx)
    for left, width, face in marks:
        canv.saveState()
        canv.setStrokeColor(INSERTED if face & FACE_INS else DELETED)
        canv.setLineWidth(0.6)
        rule = y - 0.12 * size if face & FACE_INS else y + 0.3 * size
        canv.line(left, rule, left + width, rule)
        canv.restoreState()
    if logical is not None:
        canv.addLiteral("EMC")
    if synthetic:
        canv.restoreState()


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
# Form fields for signing: noted where the panels draw their lines, written with their page


@dataclass(frozen=True)
class _FieldSpec:
    """A field a flowable asks for: its name, tooltip and e-signature anchor text (or none)."""

    name: str
    tooltip: str
    anchor: str | None = None


@dataclass(frozen=True)
class _Spot:
    """A field at its place: page number and rectangle (x0, y0, x1, y1) in page coordinates."""

    kind: str  # sig | text
    field: _FieldSpec
    page: int
    rect: tuple[float, float, float, float]


FIELD_FILL = colors.HexColor("#f2f5fa")
FIELD_BORDER = colors.HexColor("#8a94a6")
ANCHOR_SIZE = 7.0


def _note_field(canv: Canvas, kind: str, spec: _FieldSpec, box: tuple[float, float, float, float]) -> None:
    """Record a field at ``box`` (flowable coordinates) and draw its anchor text there, in white.

    The position is taken from the canvas's current transformation, so it is exactly where the
    line was drawn. Fields are written when the page is (see :meth:`_Canvas.save`): only then
    does the page have its own object to attach them to.
    """
    x0, y0 = canv.absolutePosition(box[0], box[1])
    x1, y1 = canv.absolutePosition(box[2], box[3])
    spots = getattr(canv, "_fields", None)
    if spots is not None:
        spots.append(_Spot(kind, spec, canv.getPageNumber(), (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))))
    if spec.anchor:
        _draw_anchor(canv, spec.anchor, box[0] + 1, box[1] + 1)


def _draw_anchor(canv: Canvas, text: str, x: float, y: float) -> None:
    # White glyphs: invisible on the page, found by the service in the text layer.
    canv.saveState()
    canv.setFillColor(colors.white)
    canv.setFont(fonts().regular, ANCHOR_SIZE)
    canv.drawString(x, y, text)
    canv.restoreState()


def _write_fields(canv: Canvas, spots: Sequence[_Spot]) -> None:
    """Add the spots' widgets to the page being written: /Sig fields with a visible dashed box,
    text fields with a light fill. Called once per page, before the page is shown."""
    if not spots:
        return
    form = canv.acroForm
    for spot in spots:
        x0, y0, x1, y1 = (round(v, 2) for v in spot.rect)
        w, h = round(x1 - x0, 2), round(y1 - y0, 2)
        if spot.kind == "text":
            form.textfield(name=spot.field.name, tooltip=spot.field.tooltip, x=x0, y=y0, width=w, height=h,
                           fillColor=FIELD_FILL, borderWidth=0, borderColor=None, textColor=INK,
                           fontName="Helvetica", fontSize=9, maxlen=100)
            continue
        # reportlab has no signature fields: the widget dictionary of ISO 32000 12.7.4.5, by hand.
        stream = (f"q {_rgb(FIELD_FILL)} rg 0 0 {w} {h} re f {_rgb(FIELD_BORDER)} RG 0.8 w [3 2] 0 d "
                  f"0.4 0.4 {round(w - 0.8, 2)} {round(h - 0.8, 2)} re S Q")
        appearance = form.getRef(form.makeStream(w, h, stream))
        widget = PDFDictionary({
            "FT": PDFName("Sig"), "T": PDFString(spot.field.name), "TU": PDFString(spot.field.tooltip),
            "Type": PDFName("Annot"), "Subtype": PDFName("Widget"), "F": 4,  # print
            "Rect": PDFArray([x0, y0, x1, y1]), "P": canv._doc.thisPageRef(),
            "AP": PDFDictionary({"N": appearance}),
            "MK": PDFDictionary({"BC": PDFArray(list(FIELD_BORDER.rgb())), "BG": PDFArray(list(FIELD_FILL.rgb()))}),
            "BS": PDFDictionary({"W": 0.8, "S": PDFName("D"), "D": PDFArray([3, 2])}),
        })
        canv._addAnnotation(widget, name=f"cgsig-{spot.field.name}")
        form.fields.append(form.getRef(widget))
        form.sigFlags = 1  # SignaturesExist


def _rgb(color: colors.Color) -> str:
    return " ".join(f"{c:.3f}" for c in color.rgb())


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


def _spot(signing: Signing, key: str, signer: int, role: str, kind: str, label: str,
          page: int | None = None) -> _FieldSpec | None:
    """The field of one kind for signer number ``signer`` (by role ``key``), or None without a key."""
    if not key:
        return None
    from contractgen.signing.anchors import anchor

    name = key if kind == "signature" else f"{key}_{kind}" + (f"_p{page}" if page is not None else "")
    return _FieldSpec(name, f"{role}: {label}",
                      anchor(signing.anchors, kind, signer, page) if signing.anchors else None)


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


# ---------------------------------------------------------------------------------------------
# Pages: header, footer "Page X of Y", deferred bookmarks, metadata


class _Info(PDFInfo):
    """The document info dictionary plus custom properties (contractgen.* provenance)."""

    extra: dict[str, str] = {}  # noqa: RUF012 (set per instance)

    def format(self, document: Any) -> bytes:
        d = {
            "Title": PDFString(self.title),
            "Author": PDFString(self.author),
            "Subject": PDFString(self.subject),
            "Keywords": PDFString(self.keywords),
            "Creator": PDFString(self.creator),
            "Producer": PDFString(self.producer),
            "Trapped": PDFName(self.trapped),
        }
        d["CreationDate"] = d["ModDate"] = PDFDate(ts=document._timeStamp, dateFormatter=self._dateFormatter)
        for key, value in sorted(self.extra.items()):
            name = _pdf_name(key)
            if name not in d:
                d[name] = PDFString(value)
        return PDFDictionary(d).format(document)


def _pdf_name(key: str) -> str:
    # PDF name syntax: regular characters as they are, anything else as #xx.
    return "".join(c if c.isascii() and (c.isalnum() or c in "._-") else "".join(f"#{b:02X}" for b in c.encode())
                   for c in key) or "Property"


def _pdf_date(when: dt.datetime) -> str:
    stamp = when.strftime("D:%Y%m%d%H%M%S")
    offset = when.utcoffset()
    if offset is None:
        return stamp
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{stamp}{sign}{abs(minutes) // 60:02d}'{abs(minutes) % 60:02d}'"


@lru_cache(maxsize=64)
def _picture(path: str, mtime: float) -> tuple[str, float, float] | None:
    """(path, width, height) of a PNG/JPEG file, or None when it is not one (cached per mtime)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(8)
        if not (head.startswith(b"\x89PNG\r\n\x1a\n") or head.startswith(b"\xff\xd8")):
            return None
        from reportlab.lib.utils import ImageReader

        w, h = ImageReader(path).getSize()
    except Exception:  # an unreadable image is left out, not a failed contract
        return None
    return (path, float(w), float(h)) if w and h else None


class _Page:
    """Draws what every page carries: header text, logo, rule, "Page X of Y" (and initials boxes)."""

    INITIALS_W = 10 * mm
    INITIALS_H = 6.5 * mm

    def __init__(self, meta: Meta, signatures: SignatureBlock | None = None) -> None:
        self.meta = meta
        # With --initials, every signing party initials every page, in the footer's end corner.
        self.initials = signatures if meta.signing.initials and signatures else None
        self.rtl = meta.rtl
        st = _styles(meta.rtl)
        self.header = TextBlock([(meta.header_text, FACE_REGULAR)], st["header"], meta.rtl) if meta.header_text else None
        self.footer_style = st["footer"]
        self.digits = str.maketrans("0123456789", meta.digits) if len(meta.digits) == 10 else {}
        self.logo = None
        if meta.logo:
            p = Path(meta.logo)
            if p.is_file():
                self.logo = _picture(str(p.resolve()), p.stat().st_mtime)

    def setup(self, canv: Canvas) -> None:
        """Per-document canvas settings: fixed date, custom properties, outline shown."""
        info = canv._doc.info
        info.__class__ = _Info
        info.extra = dict(self.meta.properties)
        stamp = _pdf_date(self.meta.created)
        canv.setDateFormatter(lambda *_: stamp)
        canv.showOutline()

    def decorate(self, canv: Canvas, page: int, pages: int) -> None:
        """Header and footer of one page, once the page count is known."""
        canv.saveState()
        page_w, page_h = canv._pagesize
        margin_x = (page_w - FRAME_W) / 2  # Letter is wider than A4: the text column stays the same
        top = page_h - 8 * mm
        logo_w = 0.0
        if self.logo:
            path, w, h = self.logo
            lh = 12 * mm
            logo_w = min(w * lh / h, FRAME_W / 3)
            x = page_w - margin_x - logo_w if self.rtl else margin_x
            canv.drawImage(path, x, top - lh, width=logo_w, height=lh, mask="auto", preserveAspectRatio=True)
        if self.header:
            room = FRAME_W - logo_w - (6 * mm if logo_w else 0)
            _, h = self.header.wrap(room, 40)
            x = margin_x if self.rtl or not logo_w else page_w - margin_x - room
            self.header.drawOn(canv, x, top - 6 * mm - h / 2)
        canv.setStrokeColor(RULE)
        canv.setLineWidth(0.5)
        canv.line(margin_x, top - 15 * mm, page_w - margin_x, top - 15 * mm)
        label = self.meta.page_label.replace("{pages}", str(pages)).replace("{page}", str(page))
        footer = TextBlock([(label.translate(self.digits), FACE_REGULAR)], self.footer_style, self.rtl)
        footer.wrap(FRAME_W, 40)
        footer.drawOn(canv, margin_x, 10 * mm)
        if self.initials:
            self._initials(canv, page)
        canv.restoreState()

    def _initials(self, canv: Canvas, page: int) -> None:
        block = self.initials
        assert block is not None
        people = [s for s in block.signatories if s.key]
        w, h, gap = self.INITIALS_W, self.INITIALS_H, 2 * mm
        row = len(people) * w + (len(people) - 1) * gap
        page_w = canv._pagesize[0]
        margin_x = (page_w - FRAME_W) / 2  # the same column on A4 and Letter
        start = margin_x if self.rtl else page_w - margin_x - row
        y = 7 * mm
        canv.setStrokeColor(FIELD_BORDER)
        canv.setLineWidth(0.5)
        for i, s in enumerate(people):
            x = start + i * (w + gap) if not self.rtl else start + row - (i + 1) * w - i * gap
            spec = _spot(self.meta.signing, s.key, block.signatories.index(s) + 1, s.role, "initials",
                         block.labels["initials"], page)
            assert spec is not None
            canv.rect(x, y, w, h, stroke=1, fill=0)
            _note_field(canv, "text", spec, (x + 1, y + 1, x + w - 1, y + h - 1))
        caption = TextBlock([(block.labels["initials"], FACE_REGULAR)], self.footer_style, self.rtl)
        cw = caption.prep.measure(0, len(caption.prep.text)) + 2
        caption.wrap(cw, 40)
        caption.drawOn(canv, start + row + 2 * mm if self.rtl else start - cw - 2 * mm, y + 1)


class _Canvas(Canvas):
    """A canvas that holds pages until the end, so each footer can say "of Y".

    Bookmarks are held with their page too: a destination binds to the page being written,
    and while pages are held that would be the first page for every bookmark.
    """

    def __init__(self, *args: Any, page: _Page, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._decor = page
        self._held: list[dict[str, Any]] = []
        self._marks: list[tuple[str, dict[str, Any]]] = []
        self._fields: list[_Spot] = []  # shared by every held page's state (one list)
        page.setup(self)

    def bookmarkPage(self, key: str, **kw: Any) -> None:
        """Record a bookmark on the current page; bound when the page is written."""
        self._marks.append((key, kw))

    def showPage(self) -> None:
        """Hold the finished page."""
        self._held.append(dict(self.__dict__))
        self._marks = []
        self._startPage()

    def save(self) -> None:
        """Write every held page with its header, footer and bookmarks, then the file."""
        total = len(self._held)
        # Annotation names must stay unique while each page's own (older) count is restored.
        count = max((state.get("_annotationCount", 0) for state in self._held), default=0)
        for number, state in enumerate(self._held, start=1):
            self.__dict__.update(state)
            self._annotationCount = count
            for key, kw in self._marks:
                Canvas.bookmarkPage(self, key, **kw)
            self._decor.decorate(self, number, total)
            _write_fields(self, [spot for spot in self._fields if spot.page == number])
            count = self._annotationCount
            Canvas.showPage(self)
        Canvas.save(self)


# ---------------------------------------------------------------------------------------------
# Public API


def render_pdf(doc: Document) -> bytes:
    """Render a document to PDF bytes: the same document always gives the same bytes."""
    meta = doc.meta
    fontset = fonts()
    story = _Builder(meta).flow(doc.blocks) or [Spacer(1, 1)]
    out = io.BytesIO()
    pagesize = LETTER if meta.paper == "letter" else A4
    margin_x = (pagesize[0] - FRAME_W) / 2
    template = BaseDocTemplate(
        out,
        pagesize=pagesize,
        leftMargin=margin_x,
        rightMargin=margin_x,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=meta.title,
        author=meta.author,
        subject=meta.subject,
        creator="contractgen",
        keywords=list(meta.keywords),
        invariant=1,
        lang=meta.tag or meta.language or None,
        displayDocTitle=1,
        direction="R2L" if meta.rtl else None,
        initialFontName=fontset.regular,  # else reportlab references Helvetica on every page
    )
    frame = Frame(margin_x, MARGIN_BOTTOM, FRAME_W, pagesize[1] - MARGIN_TOP - MARGIN_BOTTOM,
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0, id="body")
    template.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    signatures = next((b for b in doc.blocks if isinstance(b, SignatureBlock)), None)
    template.build(story, canvasmaker=partial(_Canvas, page=_Page(meta, signatures)))
    return out.getvalue()


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
