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
from contractgen.spec.loader import Loaded, Path_, dotted_path

# Fields that are never printed (a file path): their characters need no glyph.
_NOT_PRINTED = frozenset({("brand", "logo")})
_SHOWN = 8  # characters listed in one message; the rest are counted

# Scripts that a font package on PyPI covers, though no built-in fallback does:
# (first code point, last code point, package). Others need a font file the user has.
_PACKAGES = (
    (0x0980, 0x09FF, "fontpkg-hind-siliguri"),  # Bengali
    (0x0B80, 0x0BFF, "fontpkg-noto-sans-tamil"),
    (0x0C00, 0x0C7F, "fontpkg-noto-sans-telugu"),
    (0x1780, 0x17FF, "fontpkg-noto-sans-khmer"),
)
_INFLUENCER = re.compile(r"influencers\[(\d+)\]")


def glyph_problems(loaded: Loaded) -> list[Problem]:
    """One problem per text value of ``loaded`` with characters no PDF font can draw."""
    from contractgen.render.fonts import fonts

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
            problems.append(Problem(_message(missing), file=loaded.file, line=loaded.line_of(where),
                                    where=dotted_path(where), hint=_hint(missing)))
    return sorted(problems, key=lambda p: (p.line or 0, p.where or ""))


def influencer_index(problem: Problem) -> int | None:
    """The influencer a problem belongs to (its place in ``influencers``), or None for the campaign."""
    match = _INFLUENCER.match(problem.where or "")
    return int(match.group(1)) if match else None


def _message(missing: str) -> str:
    listed = ", ".join(f"U+{ord(c):04X} {c}" for c in missing[:_SHOWN])
    more = f" and {len(missing) - _SHOWN} more" if len(missing) > _SHOWN else ""
    return f"no PDF font has {listed}{more}; the PDF would lose them"


def _hint(missing: str) -> str:
    packages = sorted({pkg for c in missing for lo, hi, pkg in _PACKAGES if lo <= ord(c) <= hi})
    font = (f"pip install {' '.join(packages)} and pass its .ttf file with --font FILE" if packages
            else "pass a TrueType font (.ttf) that has them with --font FILE")
    return f"{font}; or build only the DOCX with --format docx"
