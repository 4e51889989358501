"""CommonMark (as rendered from clause and template text) → document blocks.

markdown-it-py parses; raw HTML is off, so ``<`` in wording is text. Three directive
paragraphs let a layout template place generated parts: ``[[clauses]]``, ``[[signatures]]``
and ``[[pagebreak]]``. Values cannot forge them: their brackets arrive backslash-escaped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.token import Token

from contractgen.document import Heading, Inline, ListBlock, PageBreak, Paragraph, Run, Table

_INDENT = re.compile(r"^[ \t]+", re.MULTILINE)
_MD = MarkdownIt("commonmark", {"html": False, "typographer": False}).enable("table")


@dataclass(frozen=True)
class Directive:
    """A placeholder paragraph such as ``[[clauses]]``."""

    name: str


Parsed = Heading | Paragraph | ListBlock | Table | PageBreak | Directive


@lru_cache(maxsize=2048)
def parse(text: str) -> tuple[Parsed, ...]:
    """Blocks of a Markdown text, in order.

    Cached: most clause texts render the same for every influencer of a campaign, and the
    blocks are immutable, so a batch parses each distinct text once.
    """
    # Indentation carries no meaning in our wording and four spaces would make a code block.
    tokens = _MD.parse(_INDENT.sub("", text))
    out: list[Parsed] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.type == "heading_open":
            level = int(tok.tag[1])
            out.append(Heading(inline(tokens[i + 1]), level=level, bookmark=level <= 2))
            i += 3
        elif tok.type == "paragraph_open":
            raw = tokens[i + 1].content.strip()
            if raw.startswith("[[") and raw.endswith("]]") and raw[2:-2].isidentifier():
                out.append(PageBreak() if raw == "[[pagebreak]]" else Directive(raw[2:-2]))
            else:
                out.append(Paragraph(inline(tokens[i + 1])))
            i += 3
        elif tok.type in ("bullet_list_open", "ordered_list_open"):
            end = _close(tokens, i)
            out.append(ListBlock(_items(tokens[i + 1 : end]), ordered=tok.type == "ordered_list_open"))
            i = end + 1
        elif tok.type == "table_open":
            end = _close(tokens, i)
            out.append(_table(tokens[i + 1 : end]))
            i = end + 1
        elif tok.type == "hr":
            out.append(PageBreak())
            i += 1
        else:
            i += 1  # code blocks, blockquotes' wrappers: their paragraphs are taken as they come
    return tuple(out)


def _close(tokens: list[Token], start: int) -> int:
    """Index of the token closing the one at ``start``."""
    depth = 0
    for j in range(start, len(tokens)):
        depth += tokens[j].nesting
        if depth == 0:
            return j
    return len(tokens) - 1


def _items(tokens: list[Token]) -> tuple[Inline, ...]:
    # Nested lists are flattened: legal wording keeps to one level of list.
    return tuple(inline(t) for t in tokens if t.type == "inline")


def _table(tokens: list[Token]) -> Table:
    rows: list[tuple[Inline, ...]] = []
    row: list[Inline] = []
    header_rows = 0
    for tok in tokens:
        if tok.type == "tr_open":
            row = []
        elif tok.type == "inline":
            row.append(inline(tok))
        elif tok.type == "tr_close":
            rows.append(tuple(row))
        elif tok.type == "thead_close":
            header_rows = len(rows)
    header = rows[0] if header_rows else ()
    return Table(header=header, rows=tuple(rows[header_rows:]))


def inline(token: Token) -> Inline:
    """Runs of an inline token, merging neighbours with the same emphasis."""
    runs: list[Run] = []
    bold = italic = 0
    for child in token.children or []:
        kind = child.type
        if kind == "strong_open":
            bold += 1
        elif kind == "strong_close":
            bold -= 1
        elif kind == "em_open":
            italic += 1
        elif kind == "em_close":
            italic -= 1
        elif kind in ("text", "code_inline"):
            _add(runs, Run(child.content, bold > 0, italic > 0))
        elif kind in ("softbreak", "hardbreak"):
            _add(runs, Run(" ", bold > 0, italic > 0))
        elif kind == "image":
            _add(runs, Run(child.content, bold > 0, italic > 0))
    return tuple(runs)


def _add(runs: list[Run], run: Run) -> None:
    if not run.text:
        return
    if runs and runs[-1].bold == run.bold and runs[-1].italic == run.italic:
        runs[-1] = Run(runs[-1].text + run.text, run.bold, run.italic)
    else:
        runs.append(run)
