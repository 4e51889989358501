"""The PDF text engine: one flowable, :class:`TextBlock`, for every paragraph in either direction.

It wraps in logical order by measured width and draws each line itself, after shaping and
bidi reordering when the line needs them (``bidi.py``). reportlab's own Paragraph is not used:
its right-to-left support needs a package that is not on PyPI, and without markup there is
nothing to escape — ``A & B <Studio>`` is drawn as the characters it is, never parsed.

Text in the PDF is glyphs in visual order whose ToUnicode maps back to plain letters (as in
a PDF from a word processor), so viewers copy and search Persian in reading order. Each
reordered line also records its logical text in a private marked-content property.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable

from contractgen.errors import Problem, UserError
from contractgen.render import bidi
from contractgen.render.fonts import FACE_BOLD, FACE_ITALIC, FACE_REGULAR, FONT_SHIFT, FontSet, describe_missing, fonts

# The page's text column (A4; a Letter page keeps the same column, centred).
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
