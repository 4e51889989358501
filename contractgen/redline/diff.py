"""Two document trees → one redline tree, and the list of what changed.

The diff works on the trees assembly builds, never on rendered files, so numbering (which Word
and the PDF writer compute) and field codes never show as changes. Blocks are aligned with
clause ids as anchors (a clause is the same clause when its id is); inside a clause, and
between clauses, paragraphs, list items and table rows are aligned by their text, and a pair
of paragraphs that are alike is compared word by word, so a changed fee marks
``4,500`` → ``5,000`` and not the paragraph. In a right-to-left document each left-to-right
span (a handle, a URL, a Latin name) is one word, so its isolation stays whole in both versions.

The redline tree is the new document with deleted text put back as ``del`` runs and whole
blocks as :class:`~contractgen.document.Revised`; the writers draw it as tracked changes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any, TypeVar

from contractgen.document import (
    Block,
    Change,
    Clause,
    Document,
    Heading,
    Image,
    Inline,
    ListBlock,
    PageBreak,
    Paragraph,
    Revised,
    Run,
    SignatureBlock,
    Signing,
    SubClause,
    Table,
    plain,
)
from contractgen.render import bidi

T = TypeVar("T")
INS, DEL, FORMAT = "ins", "del", "format"
ALIKE = 0.5  # paragraphs sharing at least this share of their words are one paragraph, edited

# A URL, an e-mail address or a handle is one word; a number keeps its separators ("4,500",
# "15.1", "2027-04-05", "۴٬۵۰۰"); a word keeps ZWNJ.
_TOKEN = re.compile(r"https?://[^\s<>\"]*[\w/]|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|@\w+(?:\.\w+)*"
                    r"|\d(?:[\d,./\-\u066b\u066c]*\d)?|[\w\u200c]+|\s+|[^\w\s]")
_GLUE = 2  # an unchanged piece this short without letters between two changes joins them


@dataclass(frozen=True)
class Edit:
    """One changed paragraph, list item or table row, as the change summary lists it.

    ``where`` is the clause number with the sub-clause (``5.1``), or the heading the block
    sits under (``Schedule 2 — Fee and payment``); ``pairs`` are the replaced words, old → new.
    """

    kind: str  # "changed" | "added" | "removed"
    where: str
    clause_id: str | None
    section: str  # the clause title or heading
    old: str
    new: str
    pairs: tuple[tuple[str, str], ...] = ()
    versions: tuple[str, str] | None = None  # the clause's library versions, old and new


@dataclass
class Redline:
    """The redline tree of two documents and its edits in reading order."""

    document: Document
    edits: list[Edit] = field(default_factory=list)


def redline(old: Document, new: Document, author: str, when: dt.datetime | None) -> Redline:
    """The redline of ``old`` → ``new``: the new document with both versions' text marked."""
    differ = _Differ(new.meta.rtl)
    blocks = [_unsignable(b) for b in differ.blocks(old.blocks, new.blocks)]
    meta = dataclasses.replace(new.meta, revision_author=author, revision_date=when, signing=Signing())
    return Redline(Document(meta, tuple(blocks)), differ.edits)


def _unsignable(block: Block) -> Block:
    """A redline is read, not signed: its signature panels carry no signing fields or anchors."""
    if isinstance(block, Revised):
        return Revised(block.kind, _unsignable(block.block))  # type: ignore[arg-type]
    if isinstance(block, SignatureBlock):
        return dataclasses.replace(block, signatories=tuple(dataclasses.replace(s, key="") for s in block.signatories))
    return block


# -- alignment ------------------------------------------------------------------------------


def align(old: Sequence[T], new: Sequence[T], key: Callable[[T], Any],
          pairable: Callable[[T, T], bool]) -> list[tuple[T | None, T | None]]:
    """Pairs (old, new) in reading order; (x, None) was deleted, (None, y) inserted.

    Equal keys pair up; where the sequences differ, an old item pairs with the first new item
    it is ``pairable`` with (deleted items come before the inserted ones at a place).
    """
    out: list[tuple[T | None, T | None]] = []
    matcher = SequenceMatcher(None, [key(x) for x in old], [key(y) for y in new], autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out.extend(zip(old[i1:i2], new[j1:j2], strict=True))
            continue
        j = j1
        for x in old[i1:i2]:
            match = next((k for k in range(j, j2) if pairable(x, new[k])), None)
            if match is None:
                out.append((x, None))
                continue
            out.extend((None, y) for y in new[j:match])
            out.append((x, new[match]))
            j = match + 1
        out.extend((None, y) for y in new[j:j2])
    return out


def tokens(text: str, rtl: bool) -> list[str]:
    """Words, numbers, spaces and punctuation; in right-to-left text each LTR span is one."""
    if not rtl:
        return _TOKEN.findall(text)
    out: list[str] = []
    pos = 0
    for a, b in bidi.ltr_spans(text):
        out.extend(_TOKEN.findall(text[pos:a]))
        out.append(text[a:b])
        pos = b
    out.extend(_TOKEN.findall(text[pos:]))
    return out


def similarity(a: str, b: str, rtl: bool) -> float:
    """How alike two texts are (0 to 1): the share of words they have in common.

    A short paragraph kept whole inside a longer one (a phrase added to it) counts as alike.
    """
    ta = [t for t in tokens(a, rtl) if not t.isspace()]
    tb = [t for t in tokens(b, rtl) if not t.isspace()]
    if not ta or not tb:
        return 1.0 if ta == tb else 0.0
    matcher = SequenceMatcher(None, ta, tb, autojunk=False)
    common = sum(block.size for block in matcher.get_matching_blocks())
    return max(matcher.ratio(), 0.8 * common / min(len(ta), len(tb)))


# -- words ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Piece:
    text: str
    bold: bool
    italic: bool


def _pieces(runs: Inline, rtl: bool) -> list[_Piece]:
    """A paragraph's tokens, each cut where a run's formatting changes."""
    text = plain(runs)
    bounds: list[tuple[int, bool, bool]] = []
    pos = 0
    for r in runs:
        bounds.append((pos + len(r.text), r.bold, r.italic))
        pos += len(r.text)
    out: list[_Piece] = []
    pos, k = 0, 0
    for token in tokens(text, rtl):
        end = pos + len(token)
        while pos < end:
            while bounds[k][0] <= pos:
                k += 1
            stop = min(end, bounds[k][0])
            out.append(_Piece(text[pos:stop], bounds[k][1], bounds[k][2]))
            pos = stop
    return out


def inline_diff(old: Inline, new: Inline, rtl: bool) -> tuple[Inline, tuple[tuple[str, str], ...]]:
    """The runs of a paragraph edited from ``old`` to ``new``, and the replaced words.

    Spaces alone between two changes join them ("4,500 GBP" → "5,000 EUR" is one change),
    so the marks read as phrases.
    """
    a, b = _pieces(old, rtl), _pieces(new, rtl)
    ops = SequenceMatcher(None, [p.text for p in a], [p.text for p in b], autojunk=False).get_opcodes()
    merged: list[list[Any]] = []  # [op, old pieces, new pieces]
    for op, i1, i2, j1, j2 in ops:
        olds, news = a[i1:i2], b[j1:j2]
        if op == "equal" and merged and merged[-1][0] != "equal" and _glue(olds) and (i2 < len(a) or j2 < len(b)):
            merged[-1][1].extend(olds)  # a space between changes: part of the change
            merged[-1][2].extend(news)
            continue
        if op != "equal" and merged and merged[-1][0] != "equal":
            merged[-1][1].extend(olds)
            merged[-1][2].extend(news)
            continue
        if op != "equal" and len(merged) >= 2 and merged[-1][0] == "equal" and _glue(merged[-1][1]) \
                and merged[-2][0] != "equal":
            space = merged.pop()
            merged[-1][1].extend(space[1] + olds)
            merged[-1][2].extend(space[2] + news)
            continue
        merged.append([op if op == "equal" else "change", list(olds), list(news)])
    runs: list[Run] = []
    pairs: list[tuple[str, str]] = []
    for op, olds, news in merged:
        if op == "equal":
            for x, y in zip(olds, news, strict=True):
                moved = (x.bold, x.italic) != (y.bold, y.italic)
                _add(runs, Run(y.text, y.bold, y.italic, Change(FORMAT, x.bold, x.italic) if moved else None))
            continue
        for x in olds:
            _add(runs, Run(x.text, x.bold, x.italic, Change(DEL)))
        for y in news:
            _add(runs, Run(y.text, y.bold, y.italic, Change(INS)))
        pairs.append(("".join(x.text for x in olds).strip(), "".join(y.text for y in news).strip()))
    return tuple(runs), tuple(pairs)


def _glue(pieces: list[_Piece]) -> bool:
    """True for an unchanged stretch that only separates two changes: spaces, a stray comma."""
    text = "".join(p.text for p in pieces)
    return not any(ch.isalnum() for ch in text) and len(text.strip()) <= _GLUE


def _add(runs: list[Run], run: Run) -> None:
    if runs and (runs[-1].bold, runs[-1].italic, runs[-1].change) == (run.bold, run.italic, run.change):
        runs[-1] = dataclasses.replace(runs[-1], text=runs[-1].text + run.text)
    else:
        runs.append(run)


def marked(runs: Inline, kind: str) -> Inline:
    """Runs all inserted or all deleted."""
    return tuple(dataclasses.replace(r, change=Change(kind)) for r in runs if r.text)


# -- blocks ---------------------------------------------------------------------------------


def _key(block: Block) -> Any:
    if isinstance(block, Clause):
        return ("clause", block.clause_id)
    if isinstance(block, Heading):
        return ("heading", block.level, plain(block.runs))
    if isinstance(block, Paragraph):
        return ("paragraph", block.style, plain(block.runs))
    if isinstance(block, ListBlock):
        return ("list", block.ordered, tuple(plain(i) for i in block.items))
    if isinstance(block, Table):
        return ("table", tuple(plain(c) for c in block.header))
    if isinstance(block, SignatureBlock):
        return ("signatures", block.heading)
    if isinstance(block, Image):
        return ("image", block.path, block.caption)
    return (type(block).__name__,)


@dataclass(frozen=True)
class _Unit:
    """A paragraph inside a clause: a sub-clause or a list item, for alignment."""

    kind: str  # "sub" | "item"
    runs: Inline
    number: str = ""  # a sub-clause's number
    ordered: bool = False
    group: int = 0  # which list of the clause an item belongs to


class _Differ:
    def __init__(self, rtl: bool) -> None:
        self.rtl = rtl
        self.edits: list[Edit] = []
        self.section = ""  # the heading the current block sits under

    def pairable(self, x: Any, y: Any) -> bool:
        if type(x) is not type(y):
            return False
        if isinstance(x, Clause):
            return x.clause_id == y.clause_id
        if isinstance(x, Heading | Paragraph):
            return similarity(plain(x.runs), plain(y.runs), self.rtl) >= ALIKE
        if isinstance(x, ListBlock):
            return x.ordered == y.ordered
        if isinstance(x, Table):
            return _columns(x) == _columns(y)
        return isinstance(x, SignatureBlock)

    def blocks(self, old: Sequence[Block], new: Sequence[Block]) -> list[Block]:
        out: list[Block] = []
        for x, y in align(old, new, _key, self.pairable):
            if isinstance(y or x, Heading):
                self.section = plain((y or x).runs)  # type: ignore[union-attr]
            elif isinstance(y or x, SignatureBlock):
                self.section = (y or x).heading  # type: ignore[union-attr]
            if isinstance(x or y, PageBreak):
                if y is not None:
                    out.append(y)  # a page break changes no words: the new layout's breaks stand
                continue
            if x is None or y is None:
                out.append(self.whole(x if y is None else y, DEL if y is None else INS))
            elif x == y:
                out.append(y)
            else:
                out.extend(self.pair(x, y))
        return out

    def whole(self, block: Any, kind: str) -> Block:
        where, cid, versions = self.section, None, None
        if isinstance(block, Clause):
            where, cid, versions = str(block.number), block.clause_id, (block.version, block.version)
        text = _text(block)
        self.record(Edit("removed" if kind == DEL else "added", where, cid, _title(block, self.section),
                         text if kind == DEL else "", text if kind == INS else "", (), versions))
        return Revised(kind, block)

    def record(self, edit: Edit) -> None:
        self.edits.append(edit)

    def changed(self, where: str, section: str, x: Inline, y: Inline, clause: Clause | None = None,
                versions: tuple[str, str] | None = None) -> Inline:
        runs, pairs = inline_diff(x, y, self.rtl)
        self.record(Edit("changed", where, clause.clause_id if clause else None, section, plain(x), plain(y),
                         pairs, versions))
        return runs

    def pair(self, x: Block, y: Block) -> list[Block]:
        if isinstance(x, Heading) and isinstance(y, Heading):
            return [dataclasses.replace(y, runs=self.changed(self.section, self.section, x.runs, y.runs))]
        if isinstance(x, Paragraph) and isinstance(y, Paragraph):
            return [dataclasses.replace(y, runs=self.changed(self.section, self.section, x.runs, y.runs))]
        if isinstance(x, ListBlock) and isinstance(y, ListBlock):
            return [ListBlock(tuple(self.items(x.items, y.items, self.section, self.section)), y.ordered)]
        if isinstance(x, Table) and isinstance(y, Table):
            return [self.table(x, y)]
        if isinstance(x, Clause) and isinstance(y, Clause):
            return [self.clause(x, y)]
        return [self.whole(x, DEL), self.whole(y, INS)]  # signatures: the old panels, then the new

    def items(self, old: Sequence[Inline], new: Sequence[Inline], where: str, section: str) -> Iterator[Inline]:
        for a, b in align(old, new, plain, lambda a, b: similarity(plain(a), plain(b), self.rtl) >= ALIKE):
            if a is None or b is None:
                kind = DEL if b is None else INS
                text = plain(a if b is None else b)  # type: ignore[arg-type]
                self.record(Edit("removed" if kind == DEL else "added", where, None, section,
                                 text if kind == DEL else "", text if kind == INS else ""))
                yield marked(a if b is None else b, kind)  # type: ignore[arg-type]
            elif a == b:
                yield b
            else:
                yield self.changed(where, section, a, b)

    def table(self, x: Table, y: Table) -> Table:
        width = _columns(y)

        def row_text(row: tuple[Inline, ...]) -> tuple[str, ...]:
            return tuple(plain(c) for c in row)

        def alike(a: tuple[Inline, ...], b: tuple[Inline, ...]) -> bool:
            return similarity(" ".join(row_text(a)), " ".join(row_text(b)), self.rtl) >= ALIKE

        header = y.header if x.header == y.header else self.cells(x.header, y.header, width)
        rows = []
        for a, b in align(x.rows, y.rows, row_text, alike):
            if a is None or b is None:
                kind = DEL if b is None else INS
                row = a if b is None else b
                text = " | ".join(row_text(row))  # type: ignore[arg-type]
                self.record(Edit("removed" if kind == DEL else "added", self.section, None, self.section,
                                 text if kind == DEL else "", text if kind == INS else ""))
                rows.append(tuple(marked(c, kind) for c in row))  # type: ignore[union-attr]
            elif a == b:
                rows.append(b)
            else:
                rows.append(self.cells(a, b, width))
        return dataclasses.replace(y, header=header, rows=tuple(rows))

    def cells(self, a: tuple[Inline, ...], b: tuple[Inline, ...], width: int) -> tuple[Inline, ...]:
        out = []
        pairs: list[tuple[str, str]] = []
        for col in range(width):
            old = a[col] if col < len(a) else ()
            new = b[col] if col < len(b) else ()
            if old == new:
                out.append(new)
                continue
            runs, found = inline_diff(old, new, self.rtl)
            out.append(runs)
            pairs.extend(found)
        self.record(Edit("changed", self.section, None, self.section, " | ".join(plain(c) for c in a),
                         " | ".join(plain(c) for c in b), tuple(pairs)))
        return tuple(out)

    def clause(self, x: Clause, y: Clause) -> Clause:
        versions = (x.version, y.version)
        title_runs: Inline = ()
        if x.title != y.title:
            title_runs = self.changed(str(y.number), y.title, (Run(x.title),), (Run(y.title),), y, versions)
        units = align(_units(x), _units(y), lambda u: (u.kind, plain(u.runs)),
                      lambda a, b: a.kind == b.kind and similarity(plain(a.runs), plain(b.runs), self.rtl) >= ALIKE)
        merged: list[tuple[_Unit, Inline]] = []
        for a, b in units:
            unit = b or a
            assert unit is not None
            where = unit.number if unit.kind == "sub" else _last_number(merged, y)
            if a is None or b is None:
                kind = DEL if b is None else INS
                text = plain(unit.runs)
                self.record(Edit("removed" if kind == DEL else "added", where, y.clause_id, y.title,
                                 text if kind == DEL else "", text if kind == INS else "", (), versions))
                merged.append((dataclasses.replace(unit, group=-1) if b is None else unit, marked(unit.runs, kind)))
            elif a == b or a.runs == b.runs:
                merged.append((b, b.runs))
            else:
                merged.append((b, self.changed(where, y.title, a.runs, b.runs, y, versions)))
        return dataclasses.replace(y, title_runs=title_runs, body=_rebuild(merged))


def _units(clause: Clause) -> list[_Unit]:
    out: list[_Unit] = []
    group = 0
    for part in clause.body:
        lists = part.lists if isinstance(part, SubClause) else (part,)
        if isinstance(part, SubClause):
            out.append(_Unit("sub", part.runs, part.number))
        for lst in lists:
            group += 1
            out.extend(_Unit("item", item, ordered=lst.ordered, group=group) for item in lst.items)
    return out


def _last_number(merged: list[tuple[_Unit, Inline]], clause: Clause) -> str:
    return next((u.number for u, _ in reversed(merged) if u.kind == "sub"), str(clause.number))


def _rebuild(merged: list[tuple[_Unit, Inline]]) -> tuple[SubClause | ListBlock, ...]:
    """Sub-clauses with their lists again, from aligned units (deleted items join the list they sit in)."""
    body: list[SubClause | ListBlock] = []
    items: list[Inline] = []
    current: tuple[bool, int] | None = None  # (ordered, group) of the list being collected

    def close() -> None:
        nonlocal items, current
        if items and current is not None:
            lst = ListBlock(tuple(items), current[0])
            last = body[-1] if body else None
            if isinstance(last, SubClause):
                body[-1] = dataclasses.replace(last, lists=(*last.lists, lst))
            else:
                body.append(lst)
        items, current = [], None

    for unit, runs in merged:
        if unit.kind == "sub":
            close()
            body.append(SubClause(unit.number, runs))
            continue
        if current is not None and (current[0] != unit.ordered or (unit.group != -1 and current[1] not in (-1, unit.group))):
            close()
        if current is None or current[1] == -1:
            current = (unit.ordered, unit.group)
        items.append(runs)
    close()
    return tuple(body)


def _columns(table: Table) -> int:
    return max([len(table.header), *(len(r) for r in table.rows), 0])


def _text(block: Any) -> str:
    return Document.text(Document(None, (block,))).strip()  # type: ignore[arg-type]


def _title(block: Any, section: str) -> str:
    return block.title if isinstance(block, Clause) else section
