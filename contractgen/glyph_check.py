"""Refuse spec values the PDF cannot draw, before anything is written.

The PDF draws each character with the first font of the chain that has it
(:mod:`contractgen.render.fonts`); a character none of them has would vanish from a signed
contract. So every text a user typed (values and keys, after a roster is merged) is checked
against the chain, and each one with such characters is a located problem that names the
field, the characters (as U+XXXX and as text) and what to install or pass. ``validate``,
``build`` and ``batch`` all ask this one function.
"""

from __future__ import annotations

import re

from contractgen.errors import Problem
from contractgen.render.fonts import describe_missing, fonts
from contractgen.spec.loader import Loaded, Path_, dotted_path

# Fields that are never printed (a file path): their characters need no glyph.
_NOT_PRINTED = frozenset({("brand", "logo")})
_INFLUENCER = re.compile(r"influencers\[(\d+)\]")


def glyph_problems(loaded: Loaded) -> list[Problem]:
    """One problem per text value of ``loaded`` with characters no PDF font can draw."""
    chain = fonts()
    problems: list[Problem] = []
    stack: list[tuple[Path_, object]] = [((), loaded.data)]
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
            problems.append(Problem(message, file=loaded.file, line=loaded.line_of(where), where=dotted_path(where),
                                    hint=hint))
    return sorted(problems, key=lambda p: (p.line or 0, p.where or ""))


def influencer_index(problem: Problem) -> int | None:
    """The influencer a problem belongs to (its place in ``influencers``), or None for the campaign."""
    match = _INFLUENCER.match(problem.where or "")
    return int(match.group(1)) if match else None
