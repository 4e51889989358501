"""Right-to-left text for the PDF renderer: Arabic-script shaping and bidi reordering per line.

reportlab draws glyphs in the order it is given them, left to right, with no shaping. So the
renderer (1) shapes a whole paragraph in logical order, choosing each letter's joined
presentation form, (2) wraps it into lines by measured width, still in logical order, and
(3) reorders each line into visual order with the Unicode bidi algorithm. Reordering before
wrapping would put a paragraph's last line first.

Both steps keep a tag (the bold/italic face) on every character so mixed runs keep their
place on a reordered line: shaping is one output per input character, and reordering (the
Unicode bidi algorithm with isolates and bracket pairs, :func:`visual_order`) returns
positions, so each character's tag goes with it.

The same reordering, applied to a line already in visual order, gives the logical order back
(see :func:`logical_line`), which is how text is extracted from the PDF for tests and search.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from itertools import pairwise
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
from bidi.mirror import MIRRORED

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
LRI, PDI = "\u2066", "\u2069"  # left-to-right isolate, pop directional isolate
# Punctuation that belongs to the surrounding right-to-left sentence, not to a Latin token.
_EDGE_PUNCT = ".,;:!?()[]{}«»\"'“”‘’،؛؟…"
_TOKEN = re.compile(r"\S+")
# What may join two left-to-right tokens into one span: spaces and Latin punctuation.
_JOINS = re.compile(r"[,.:;]?[ \u00a0]+")


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


def _reads_ltr(token: str) -> bool:
    # A token reads left to right when its first strong character is Latin (a handle, a URL,
    # "#collab", a brand), or when it has no strong character but ASCII digits ("+98").
    for ch in token:
        kind = unicodedata.bidirectional(ch)
        if kind == "L":
            return True
        if kind in ("R", "AL"):
            return False
    return any("0" <= ch <= "9" for ch in token)


def ltr_spans(text: str) -> list[tuple[int, int]]:
    """Spans of right-to-left text that must read left to right as a whole (isolated).

    Handles, hashtags whose first letter is Latin, URLs, e-mail addresses, Latin names and
    numbers with Latin or ASCII digits: left to the bare bidi algorithm, a handle's ``@``, a
    tag's ``#`` or a URL's trailing ``/`` lands at the wrong end, and a phone number's groups
    come out in reverse order. Edge punctuation (brackets, quotes, the sentence's full stop,
    Persian commas) stays outside, so it keeps its place in the right-to-left sentence.
    Neighbouring tokens joined only by spaces or Latin punctuation ("Nila Beauty",
    "+98 21 8800 1234", "Nila Beauty, Inc") make one span: isolated one by one, the words of a
    Latin phrase would be laid out right to left. Both renderers isolate these spans: the PDF
    while reordering each line, the DOCX with LRI … PDI around them.
    """
    spans: list[tuple[int, int]] = []
    for m in _TOKEN.finditer(text):
        start, end = m.span()
        while start < end and text[start] in _EDGE_PUNCT:
            start += 1
        while end > start and text[end - 1] in _EDGE_PUNCT:
            end -= 1
        if start >= end or not _reads_ltr(text[start:end]):
            continue
        if spans and _JOINS.fullmatch(text, spans[-1][1], start):
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    return spans


# -- The Unicode bidirectional algorithm (UAX #9), for one line -------------------------------
#
# python-bidi's pure-Python algorithm predates Unicode 6.3: it has no isolates and no bracket
# pairs, so "اینستاگرام (@handle): ۴۲۰٬۰۰۰" pulled the number into the bracket, and an LRE
# embedding around a handle made the Persian comma after it part of the Latin run. This is
# the current algorithm (X1-X10, W1-W7, N0-N2, I1-I2, L1-L2) on one line, which is what Word
# and LibreOffice apply to the same text in the DOCX (with the same isolates).

_MAX_DEPTH = 125
_ISOLATES = frozenset(("LRI", "RLI", "FSI"))
_REMOVED = frozenset(("RLE", "LRE", "RLO", "LRO", "PDF", "BN"))  # X9
_NEUTRAL = frozenset(("B", "S", "WS", "ON", "LRI", "RLI", "FSI", "PDI"))
# Bidi_Paired_Bracket pairs (BidiBrackets.txt); U+2329/U+232A are canonically U+3008/U+3009.
_OPENING = dict(zip(
    "([{\u0f3a\u0f3c\u169b\u2045\u207d\u208d\u2308\u230a\u2329\u2768\u276a\u276c\u276e\u2770\u2772\u2774\u27c5"
    "\u27e6\u27e8\u27ea\u27ec\u27ee\u2983\u2985\u2987\u2989\u298b\u298d\u298f\u2991\u2993\u2995\u2997\u29d8"
    "\u29da\u29fc\u2e22\u2e24\u2e26\u2e28\u3008\u300a\u300c\u300e\u3010\u3014\u3016\u3018\u301a\ufe59\ufe5b"
    "\ufe5d\uff08\uff3b\uff5b\uff5f\uff62",
    ")]}\u0f3b\u0f3d\u169c\u2046\u207e\u208e\u2309\u230b\u3009\u2769\u276b\u276d\u276f\u2771\u2773\u2775\u27c6"
    "\u27e7\u27e9\u27eb\u27ed\u27ef\u2984\u2986\u2988\u298a\u298c\u298e\u2990\u2992\u2994\u2996\u2998\u29d9"
    "\u29db\u29fd\u2e23\u2e25\u2e27\u2e29\u3009\u300b\u300d\u300f\u3011\u3015\u3017\u3019\u301b\ufe5a\ufe5c"
    "\ufe5e\uff09\uff3d\uff5d\uff60\uff63",
    strict=True,
))
_CLOSING = {close: close for close in _OPENING.values()} | {"\u232a": "\u3009"}


def _strong(kind: str) -> str | None:
    # The strong direction a resolved type counts as in N0 and N1: numbers count as R.
    if kind == "L":
        return "L"
    if kind in ("R", "AL", "EN", "AN"):
        return "R"
    return None


def _direction(level: int) -> str:
    return "R" if level % 2 else "L"


def _matching_pdis(kinds: list[str]) -> dict[int, int]:
    # BD9: each isolate initiator and the PDI that closes it.
    pairs: dict[int, int] = {}
    open_at: list[int] = []
    for i, kind in enumerate(kinds):
        if kind in _ISOLATES:
            open_at.append(i)
        elif kind == "PDI" and open_at:
            pairs[open_at.pop()] = i
    return pairs


def _first_strong(kinds: list[str], start: int, stop: int, pdis: dict[int, int]) -> str | None:
    # P2, between start and stop, skipping nested isolates: "L", "R" or None.
    i = start
    while i < stop:
        kind = kinds[i]
        if kind == "L":
            return "L"
        if kind in ("R", "AL"):
            return "R"
        if kind in _ISOLATES:
            i = pdis.get(i, stop)
        i += 1
    return None


def _explicit(kinds: list[str], base: int, pdis: dict[int, int]) -> tuple[list[int], list[str]]:
    """X1-X8: embedding levels and the types after overrides (removed characters keep theirs)."""
    n = len(kinds)
    types = list(kinds)
    levels = [base] * n
    stack: list[tuple[int, str | None, bool]] = [(base, None, False)]  # level, override, isolate
    overflow_isolates = overflow_embeddings = valid_isolates = 0
    for i, kind in enumerate(kinds):
        level, override, _ = stack[-1]
        if kind in ("RLE", "LRE", "RLO", "LRO"):
            new = (level + 1) | 1 if kind[0] == "R" else (level + 2) & ~1
            if new <= _MAX_DEPTH and not overflow_isolates and not overflow_embeddings:
                stack.append((new, {"RLO": "R", "LRO": "L"}.get(kind), False))
            elif not overflow_isolates:
                overflow_embeddings += 1
            levels[i] = level
        elif kind in _ISOLATES:
            levels[i] = level
            if override:
                types[i] = override
            rtl = kind == "RLI" or (kind == "FSI" and _first_strong(kinds, i + 1, pdis.get(i, n), pdis) == "R")
            new = (level + 1) | 1 if rtl else (level + 2) & ~1
            if new <= _MAX_DEPTH and not overflow_isolates and not overflow_embeddings:
                valid_isolates += 1
                stack.append((new, None, True))
            else:
                overflow_isolates += 1
        elif kind == "PDI":
            if overflow_isolates:
                overflow_isolates -= 1
            elif valid_isolates:
                overflow_embeddings = 0
                while not stack[-1][2]:
                    stack.pop()
                stack.pop()
                valid_isolates -= 1
            level, override, _ = stack[-1]
            levels[i] = level
            if override:
                types[i] = override
        elif kind == "PDF":
            if overflow_isolates:
                pass
            elif overflow_embeddings:
                overflow_embeddings -= 1
            elif not stack[-1][2] and len(stack) > 1:
                stack.pop()
            levels[i] = stack[-1][0]
        elif kind == "B":
            levels[i] = base
        else:
            levels[i] = level
            if override and kind != "BN":
                types[i] = override
    return levels, types


def _sequences(kinds: list[str], levels: list[int], pdis: dict[int, int]) -> list[list[int]]:
    """X10: the isolating run sequences, as lists of (not removed) character positions."""
    runs: list[list[int]] = []
    for i, kind in enumerate(kinds):
        if kind in _REMOVED:
            continue
        if runs and levels[runs[-1][-1]] == levels[i]:
            runs[-1].append(i)
        else:
            runs.append([i])
    starts = {run[0]: run for run in runs}
    continued = set(pdis.values())
    sequences = []
    for run in runs:
        if run[0] in continued and kinds[run[0]] == "PDI":
            continue
        sequence = list(run)
        while kinds[sequence[-1]] in _ISOLATES and sequence[-1] in pdis and pdis[sequence[-1]] in starts:
            sequence.extend(starts[pdis[sequence[-1]]])
        sequences.append(sequence)
    return sequences


def _resolve_sequence(seq: list[int], chars: Sequence[str], kinds: list[str], types: list[str],
                      levels: list[int], sos: str, eos: str) -> None:
    """W1-W7, N0-N2 and I1-I2 on one isolating run sequence (in place)."""
    t = [types[i] for i in seq]
    n = len(t)
    # W1: a non-spacing mark takes the type of what precedes it (ON after an isolate).
    for k in range(n):
        if t[k] == "NSM":
            t[k] = sos if k == 0 else ("ON" if t[k - 1] in _ISOLATES or t[k - 1] == "PDI" else t[k - 1])
    # W2, W3: European numbers after Arabic letters are Arabic numbers; AL is R.
    last = sos
    for k in range(n):
        if t[k] in ("L", "R", "AL"):
            last = t[k]
        elif t[k] == "EN" and last == "AL":
            t[k] = "AN"
    t = ["R" if x == "AL" else x for x in t]
    # W4: one separator between two numbers of one kind joins them.
    for k in range(1, n - 1):
        if t[k] == "ES" and t[k - 1] == "EN" and t[k + 1] == "EN":
            t[k] = "EN"
        elif t[k] == "CS" and t[k - 1] == t[k + 1] and t[k - 1] in ("EN", "AN"):
            t[k] = t[k - 1]
    # W5: terminators next to European numbers are numbers too.
    k = 0
    while k < n:
        if t[k] == "ET":
            end = k
            while end < n and t[end] == "ET":
                end += 1
            if (k > 0 and t[k - 1] == "EN") or (end < n and t[end] == "EN"):
                t[k:end] = ["EN"] * (end - k)
            k = end
        else:
            k += 1
    # W6: other separators and terminators are neutral.
    t = ["ON" if x in ("ES", "ET", "CS") else x for x in t]
    # W7: European numbers after Latin are Latin.
    last = sos
    for k in range(n):
        if t[k] in ("L", "R"):
            last = t[k]
        elif t[k] == "EN" and last == "L":
            t[k] = "L"
    level = levels[seq[0]]
    embedding = _direction(level)
    # N0: bracket pairs take the direction of what they enclose (or of what precedes them).
    pairs = []
    stack: list[tuple[str, int]] = []
    for k in range(n):
        ch = chars[seq[k]]
        if t[k] != "ON":
            continue
        if ch in _OPENING:
            if len(stack) == 63:
                break
            stack.append((_OPENING[ch] if ch != "\u2329" else "\u3009", k))
        elif ch in _CLOSING:
            want = _CLOSING[ch]
            for depth in range(len(stack) - 1, -1, -1):
                if stack[depth][0] == want:
                    pairs.append((stack[depth][1], k))
                    del stack[depth:]
                    break
    for open_k, close_k in sorted(pairs):
        inside = {_strong(x) for x in t[open_k + 1:close_k]}
        if embedding in inside:
            chosen = embedding
        elif inside - {None}:
            before = next((_strong(x) for x in reversed(t[:open_k]) if _strong(x)), sos)
            chosen = before if before != embedding else embedding
        else:
            continue
        for k in (open_k, close_k):
            t[k] = chosen
            j = k + 1
            while j < n and kinds[seq[j]] == "NSM":
                t[j] = chosen
                j += 1
    # N1, N2: neutrals between two of one direction take it; others the embedding direction.
    k = 0
    while k < n:
        if t[k] in _NEUTRAL:
            end = k
            while end < n and t[end] in _NEUTRAL:
                end += 1
            before = _strong(t[k - 1]) if k else sos
            after = _strong(t[end]) if end < n else eos
            t[k:end] = [before if before == after else embedding] * (end - k)
            k = end
        else:
            k += 1
    # I1, I2: implicit levels.
    for k, i in enumerate(seq):
        x = t[k]
        if level % 2 == 0:
            levels[i] = level + (1 if x == "R" else 2 if x in ("AN", "EN") else 0)
        else:
            levels[i] = level + (1 if x in ("L", "EN", "AN") else 0)
        types[i] = x


def visual_order(chars: Sequence[str], base: int) -> tuple[list[int], list[int]]:
    """The bidi algorithm on one line: (positions in visual order, resolved level of each).

    ``chars`` are single characters in logical order, ``base`` the paragraph level (0 or 1).
    Explicit formatting characters stay in the result (at the level of what precedes them).
    """
    kinds = [unicodedata.bidirectional(ch) or "L" for ch in chars]
    pdis = _matching_pdis(kinds)
    levels, types = _explicit(kinds, base, pdis)
    kept = [i for i, kind in enumerate(kinds) if kind not in _REMOVED]
    after = dict(pairwise(kept))
    before = {b: a for a, b in after.items()}
    explicit = list(levels)  # sos and eos come from the explicit levels, not resolved ones
    for seq in _sequences(kinds, explicit, pdis):
        level = explicit[seq[0]]
        prev = explicit[before[seq[0]]] if seq[0] in before else base
        last = seq[-1]
        nxt = base if kinds[last] in _ISOLATES or last not in after else explicit[after[last]]
        _resolve_sequence(seq, chars, kinds, types, levels, _direction(max(level, prev)),
                          _direction(max(level, nxt)))
    # L1: trailing white space and isolate controls go back to the paragraph level; removed
    # characters elsewhere take the level of what precedes them, so they stay next to it.
    reset = set()
    for i in range(len(kinds) - 1, -1, -1):
        kind = kinds[i]
        if kind in ("WS", "PDI", "S", "B") or kind in _ISOLATES or kind in _REMOVED:
            levels[i] = base
            reset.add(i)
        else:
            break
    for i, kind in enumerate(kinds):
        if kind in _REMOVED and i not in reset:
            levels[i] = levels[i - 1] if i else base
    # L2: reverse every run at each level from the highest down to the lowest odd one.
    order = list(range(len(chars)))
    if levels:
        highest = max(levels)
        lowest_odd = min((lv for lv in levels if lv % 2), default=highest + 1)
        for lv in range(highest, lowest_odd - 1, -1):
            k = 0
            while k < len(order):
                if levels[order[k]] >= lv:
                    end = k
                    while end < len(order) and levels[order[end]] >= lv:
                        end += 1
                    order[k:end] = order[k:end][::-1]
                    k = end
                else:
                    k += 1
    return order, levels


def reorder(chars: Sequence[str], tags: Sequence[T], rtl: bool) -> list[tuple[str, T]]:
    """Visual (left-to-right drawing) order of one line given in logical order.

    ``chars`` are single characters (already shaped), ``tags`` one per character (the face);
    the result pairs each character, mirrored where it is drawn right to left, with its tag.
    In a right-to-left line the spans of :func:`ltr_spans` are isolated (LRI … PDI) first.
    Combining marks are moved after their base letter so a zero-width mark lands on it.
    """
    text = "".join(chars)
    items: list[tuple[str, T | None, bool]] = []  # (char, tag, inserted isolate control)
    spans = ltr_spans(text) if rtl else []
    k = 0
    for i, (ch, tag) in enumerate(zip(chars, tags, strict=True)):
        if k < len(spans) and spans[k][1] == i:
            items.append((PDI, None, True))
            k += 1
        if k < len(spans) and spans[k][0] == i:
            items.append((LRI, None, True))
        items.append((ch, tag, False))
    if k < len(spans):
        items.append((PDI, None, True))
    order, levels = visual_order([ch for ch, _, _ in items], 1 if rtl else 0)

    result: list[tuple[str, T]] = []
    pending: list[tuple[str, T]] = []
    for i in order:
        ch, tag, inserted = items[i]
        if inserted:
            continue
        if levels[i] % 2:
            ch = MIRRORED.get(ch, ch)
            if unicodedata.category(ch) == "Mn":
                pending.append((ch, tag))  # a mark before its base in visual order: hold it
                continue
        result.append((ch, tag))  # type: ignore[arg-type]
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
