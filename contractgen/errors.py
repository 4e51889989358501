"""The one error type users see, and how it is printed.

Anything a user can cause (a bad spec, a broken clause, an unwritable folder) is raised as
:class:`UserError` holding one or more located :class:`Problem`s. The CLI prints them with
:func:`format_problem` and exits 1; only ``--debug`` shows a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass


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
    """Render as ``file:line: where: message (hint)``, leaving out what is unknown."""
    parts = []
    if problem.file:
        parts.append(f"{problem.file}:{problem.line}" if problem.line else problem.file)
    if problem.where:
        parts.append(problem.where)
    parts.append(problem.message)
    text = ": ".join(parts)
    if problem.hint:
        text += f" ({problem.hint})"
    return text


class UserError(Exception):
    """An error caused by input the user controls; carries every problem found at once."""

    def __init__(self, problems: list[Problem] | Problem | str) -> None:
        if isinstance(problems, str):
            problems = [Problem(problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        super().__init__("\n".join(format_problem(p) for p in self.problems))
