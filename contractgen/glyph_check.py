"""Refuse spec values the PDF cannot draw, before anything is written.

The PDF draws each character with the first font of the chain that has it
(:mod:`contractgen.render.fonts`); a character none of them has would vanish from a signed
contract. So every text a user typed (values and keys, after a roster is merged) is checked
against the chain, and each one with such characters is a located problem that names the
field, the characters (as U+XXXX and as text) and what to install or pass. ``validate``,
``build``, ``batch`` and ``new --build`` all ask this module, which asks the font chain's
:meth:`~contractgen.render.fonts.Coverage.missing`; roster rows are checked as rows (located
by their line in the CSV), so one bad row is skipped like any other invalid row.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable

from contractgen.errors import Problem
from contractgen.render.fonts import coverage, describe_missing
from contractgen.roster import Rejected, Roster, Row
from contractgen.spec.loader import Loaded, Path_, dotted_path

# Fields that are never printed (a file path): their characters need no glyph.
_NOT_PRINTED = frozenset({("brand", "logo")})
_INFLUENCER = re.compile(r"influencers\[(\d+)\]")


def glyph_problems(loaded: Loaded) -> list[Problem]:
    """One problem per text value of ``loaded`` with characters no PDF font can draw."""
    return _walk(loaded.data, loaded.file, loaded.line_of)


def drawable_rows(roster: Roster) -> tuple[Roster, list[Rejected]]:
    """The roster without the rows the PDF cannot draw, and those rows, each located (file, row)."""
    kept: list[Row] = []
    refused: list[Rejected] = []
    for row in roster.rows:
        data = row.person.model_dump(mode="json", by_alias=True, exclude_none=True)
        if problems := _walk(data, roster.file, lambda _, line=row.line: line):
            refused.append(Rejected(row.line, row.handle, tuple(problems)))
        else:
            kept.append(row)
    return (dataclasses.replace(roster, rows=kept), refused) if refused else (roster, [])


def _walk(data: object, file: str, line_of: Callable[[Path_], int | None]) -> list[Problem]:
    chain = coverage()
    problems: list[Problem] = []
    stack: list[tuple[Path_, object]] = [((), data)]
    while stack:
        where, value = stack.pop()
        if where in _NOT_PRINTED:
            continue
        if isinstance(value, dict):
            stack.extend(((*where, k), v) for k, v in value.items())
            stack.extend(((*where, k), k) for k in value if isinstance(k, str))  # keys can print too
        elif isinstance(value, list):
            stack.extend(((*where, i), v) for i, v in enumerate(value))
        elif isinstance(value, str) and (missing := chain.missing(value)):
            message, hint = describe_missing(missing)
            problems.append(Problem(message, file=file, line=line_of(where), where=dotted_path(where), hint=hint))
    return sorted(problems, key=lambda p: (p.line or 0, p.where or ""))


def influencer_index(problem: Problem) -> int | None:
    """The influencer a problem belongs to (its place in ``influencers``), or None for the campaign."""
    match = _INFLUENCER.match(problem.where or "")
    return int(match.group(1)) if match else None
