"""Right-to-left text for the PDF renderer: Arabic-script shaping and bidi reordering per line.

reportlab draws glyphs in the order it is given them, left to right, with no shaping. So the
renderer (1) shapes a whole paragraph in logical order, choosing each letter's joined
presentation form, (2) wraps it into lines by measured width, still in logical order, and
(3) reorders each line into visual order with the Unicode bidi algorithm. Reordering before
wrapping would put a paragraph's last line first.

Both steps keep a tag (the bold/italic face) on every character so mixed runs keep their
place on a reordered line: shaping is one output per input character, and reordering runs
python-bidi's pure-Python algorithm on character records that carry the tag along.

The same reordering, applied to a line already in visual order, gives the logical order back
(see :func:`logical_line`), which is how text is extracted from the PDF for tests and search.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from typing import TypeVar

from arabic_reshaper.letters import (
    FINAL,
    INITIAL,
    ISOLATED,
    LETTERS_ARABIC,
    MEDIAL,
    connects_with_letter_after,
    connects_with_letter_before,
)
from bidi.algorithm import (
    apply_mirroring,
    explicit_embed_and_overrides,
    get_empty_storage,
    reorder_resolved_levels,
    resolve_implicit_levels,
    resolve_neutral_types,
    resolve_weak_types,
)

T = TypeVar("T")

# Arabic script, including the presentation forms the shaper produces.
ARABIC_SCRIPT = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")
# Characters that make a line need the bidi algorithm at all (Arabic script, Hebrew, controls).
_NEEDS_BIDI = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff\u200e\u200f\u202a-\u202e\u2066-\u2069]")

_ZWJ = "\u200d"
_LAM = "\u0644"
# lam + alef variant → (isolated, final) ligature; mandatory in Arabic script.
_LAM_ALEF = {
    "\u0622": ("\ufef5", "\ufef6"),
    "\u0623": ("\ufef7", "\ufef8"),
    "\u0625": ("\ufef9", "\ufefa"),
    "\u0627": ("\ufefb", "\ufefc"),
}
_LRE, _PDF = "\u202a", "\u202c"
# Punctuation that belongs to the surrounding right-to-left sentence, not to a Latin token.
_EDGE_PUNCT = ".,;:!?()[]{}«»\"'“”‘’،؛؟…"
_TOKEN = re.compile(r"\S+")


def has_arabic(text: str) -> bool:
    """True when ``text`` contains Arabic-script characters (so it needs shaping)."""
    return ARABIC_SCRIPT.search(text) is not None


def needs_bidi(text: str) -> bool:
    """True when a left-to-right line must still go through the bidi algorithm."""
    return _NEEDS_BIDI.search(text) is not None


def _transparent(char: str) -> bool:
    # Combining marks (harakat) do not break joining: the letters around them still join.
    return unicodedata.category(char) == "Mn"


def shape(text: str, has_glyph: Callable[[str], bool]) -> list[str]:
    """Joined presentation forms for ``text`` in logical order: one string per input character.

    Uses arabic_reshaper's letter tables (its 'Arabic' table covers Persian letters: پ چ ژ گ
    ک ی). Differences from ``arabic_reshaper.reshape``, on purpose: output stays aligned with
    the input (so bold/italic tags survive), lam-alef ligatures put the ligature on the lam
    and ``""`` on the alef, zero-width joiners and other invisible format characters (ZWNJ,
    LRM, soft hyphen) become ``""`` after they have done their job (the font has no glyph for
    them), and a form the font lacks (IBM Plex Sans Arabic has no isolated presentation form
    for several Persian letters) falls back to the base letter, whose glyph is that form.
    """
    n = len(text)
    out = list(text)

    def joins_after(i: int) -> bool:  # does the character at i connect to the one after it?
        c = text[i]
        return c == _ZWJ or bool(connects_with_letter_after(c, LETTERS_ARABIC))

    def joins_before(i: int) -> bool:
        c = text[i]
        return c == _ZWJ or bool(connects_with_letter_before(c, LETTERS_ARABIC))

    def neighbour(i: int, step: int) -> int:  # nearest non-mark character, or -1
        i += step
        while 0 <= i < n and _transparent(text[i]):
            i += step
        return i if 0 <= i < n else -1

    skip = -1
    for i, c in enumerate(text):
        if i == skip:
            out[i] = ""
            continue
        forms = LETTERS_ARABIC.get(c)
        if forms is None:
            if unicodedata.category(c) == "Cf" and not has_glyph(c):
                out[i] = ""  # ZWNJ, ZWJ, LRM, soft hyphen …: no glyph, nothing to draw
            continue
        prev, nxt = neighbour(i, -1), neighbour(i, 1)
        by_prev = prev >= 0 and joins_after(prev) and joins_before(i)
        by_next = nxt >= 0 and joins_after(i) and joins_before(nxt)
        if c == _LAM and nxt >= 0 and text[nxt] in _LAM_ALEF:
            out[i] = _LAM_ALEF[text[nxt]][1 if by_prev else 0]
            skip = nxt
            continue
        if by_prev and by_next and forms[MEDIAL]:
            form = forms[MEDIAL]
        elif by_prev and forms[FINAL]:
            form = forms[FINAL]
        elif by_next and forms[INITIAL]:
            form = forms[INITIAL]
        else:
            form = forms[ISOLATED]
        out[i] = form if form and has_glyph(form) else c
    return out


def _ltr_units(text: str) -> list[tuple[int, int]]:
    """Spans of tokens that must read left to right inside right-to-left text.

    Latin words, @handles, #tags, URLs, e-mail addresses and ASCII numbers: the bare bidi
    algorithm would move a handle's ``@`` or a URL's trailing ``/`` to the wrong end. Edge
    punctuation stays outside so a sentence's final full stop still ends the sentence.
    """
    units = []
    for m in _TOKEN.finditer(text):
        token = m.group()
        if not any(("a" <= ch.lower() <= "z") or ("0" <= ch <= "9") for ch in token):
            continue
        start, end = m.start(), m.end()
        while start < end and text[start] in _EDGE_PUNCT:
            start += 1
        while end > start and text[end - 1] in _EDGE_PUNCT:
            end -= 1
        if start < end:
            units.append((start, end))
    return units


def reorder(chars: Sequence[str], tags: Sequence[T], rtl: bool) -> list[tuple[str, T]]:
    """Visual (left-to-right drawing) order of one line given in logical order.

    ``chars`` are single characters (already shaped), ``tags`` one per character (the face);
    the result pairs each character, mirrored where the algorithm says so, with its tag.
    Combining marks are moved after their base letter so a zero-width mark lands on it.
    """
    text = "".join(chars)
    marks: list[tuple[int, str]] = []
    if rtl:
        for start, end in reversed(_ltr_units(text)):
            marks.append((end, _PDF))
            marks.append((start, _LRE))
    base = 1 if rtl else 0
    storage = get_empty_storage()
    storage["base_level"] = base
    storage["base_dir"] = "R" if rtl else "L"
    records = []
    inserts = sorted(marks, key=lambda m: (m[0], m[1] == _LRE))  # PDF before LRE at a boundary
    k = 0
    for i, (ch, tag) in enumerate(zip(chars, tags, strict=True)):
        while k < len(inserts) and inserts[k][0] == i:
            kind = "LRE" if inserts[k][1] == _LRE else "PDF"
            records.append({"ch": inserts[k][1], "level": base, "type": kind, "orig": kind, "tag": None})
            k += 1
        kind = unicodedata.bidirectional(ch)
        records.append({"ch": ch, "level": base, "type": kind, "orig": kind, "tag": tag})
    while k < len(inserts):
        records.append({"ch": inserts[k][1], "level": base, "type": "PDF", "orig": "PDF", "tag": None})
        k += 1
    storage["chars"] = records
    explicit_embed_and_overrides(storage, False)
    resolve_weak_types(storage, False)
    resolve_neutral_types(storage, False)
    resolve_implicit_levels(storage, False)
    reorder_resolved_levels(storage, False)
    apply_mirroring(storage, False)

    result: list[tuple[str, T]] = []
    pending: list[tuple[str, T]] = []
    for rec in storage["chars"]:
        item = (rec["ch"], rec["tag"])
        if rec["level"] % 2 and unicodedata.category(rec["ch"]) == "Mn":
            pending.append(item)  # a mark before its base in visual order: hold it
            continue
        result.append(item)
        if pending:
            result.extend(reversed(pending))
            pending.clear()
    result.extend(pending)
    return result


def _unshape(text: str) -> str:
    # Presentation forms back to base letters (NFKC only on those, leaving other text alone).
    return "".join(unicodedata.normalize("NFKC", c) if ("\ufb50" <= c <= "\ufdff" or "\ufe70" <= c <= "\ufeff") else c
                   for c in text)


def logical_line(visual: str, rtl: bool) -> str:
    """The logical text of one line drawn in visual order (the inverse of shaping + reorder)."""
    if rtl or needs_bidi(visual):
        visual = "".join(ch for ch, _ in reorder(list(visual), [None] * len(visual), rtl))
    return _unshape(visual)
