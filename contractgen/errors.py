"""The one error type users see, and how it is printed.

Anything a user can cause (a bad spec, a broken clause, an unwritable folder) is raised as
:class:`UserError` holding one or more located :class:`Problem`s. The CLI prints them with
:func:`format_problem` and exits 1; only ``--debug`` shows a traceback.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Characters that would act on a terminal (escape sequences) or reorder the line around them,
# should a key or value someone typed end up in a message: they are shown as \x1b, \u202e.
_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


@dataclass(frozen=True)
class Problem:
    """One thing wrong, with where it is and what to do about it."""

    message: str
    file: str | None = None
    line: int | None = None
    where: str | None = None  # a dotted field path, or a clause id@version
    hint: str | None = None

    def __str__(self) -> str:
        return format_problem(self)


def format_problem(problem: Problem) -> str:
    """Render as ``file:line: where: message (hint)``, leaving out what is unknown.

    Control characters and direction overrides are shown escaped (``\\x1b``), never sent as is.
    """
    parts = []
    if problem.file:
        parts.append(f"{problem.file}:{problem.line}" if problem.line else problem.file)
    if problem.where:
        parts.append(problem.where)
    parts.append(problem.message)
    text = ": ".join(parts)
    if problem.hint:
        text += f" ({problem.hint})"
    return _UNPRINTABLE.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


class UserError(Exception):
    """An error caused by input the user controls; carries every problem found at once."""

    def __init__(self, problems: list[Problem] | Problem | str) -> None:
        if isinstance(problems, str):
            problems = [Problem(problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        super().__init__("\n".join(format_problem(p) for p in self.problems))
