"""The engine: asks the planned questions in order, goes back, stops cleanly on Ctrl-C.

The position is an index into the plan, which is recomputed from the answers after each one.
Going back steps the index down by one: the question before is asked again with its answer
filled in; every later answer stays stored and comes back as the suggested answer when the
user moves forward again (where the question still applies; an answer that no longer fits
is refused when accepted, and the user gives a new one).

Ctrl-C (or Ctrl-D) raises :class:`Interrupted` carrying the answers and the position, for
the command to save as a draft; resuming a draft fast-forwards through the answers it holds
back to that position, re-checking each.

When every question is answered the whole spec is checked as a spec file would be; a problem
that slipped through (e.g. a pre-filled value the rules refuse) sends the user to its question.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.console import Console
from rich.text import Text

from contractgen.errors import Problem, UserError, format_problem
from contractgen.questionnaire.answers import Answers, collect
from contractgen.questionnaire.fields import pattern
from contractgen.questionnaire.model import question_model
from contractgen.questionnaire.prompts import BACK, ask
from contractgen.questionnaire.questions import Heading, Invalid, Step, apply, final_problems, plan, problem_path
from contractgen.questionnaire.wording import Wording

# Answers other questions depend on (exclusivity.mode, payment.expenses, ...).
SIBLINGS = question_model().depended_on()


class Interrupted(Exception):
    """The user stopped the questionnaire; the answers so far and where it stopped."""

    def __init__(self, answers: Answers, position: int) -> None:
        super().__init__("interrupted")
        self.answers = answers
        self.position = position


class Flow:
    """One run of the questionnaire over a set of (possibly pre-filled) answers."""

    def __init__(self, answers: Answers, wording: Wording, console: Console, minimal: bool = False,
                 asker: Callable[[Step, Wording], Any] = ask) -> None:
        self.answers = answers
        self.wording = wording
        self.console = console
        self.minimal = minimal
        self.asker = asker
        self.position = 0
        self.force: frozenset = frozenset()
        self._shown: tuple[Heading, ...] = ()
        self._plan: list[Step] | None = None

    def steps(self) -> list[Step]:
        """The questions that apply to the answers as they are now."""
        if self._plan is None:
            self._plan = plan(self.answers, self.wording, self.minimal, self.force)
        return self._plan

    def _answer(self, step: Step, value: Any) -> None:
        apply(self.answers, step, value)
        self.position += 1
        # Replanning after every answer costs time on long specs; a plain value changes what is
        # asked only when another question depends on it (the siblings the model's conditions read).
        if step.role != "value" or pattern(step.key) in SIBLINGS:
            self._plan = None

    def run(self, resume_at: int = 0) -> dict[str, Any]:
        """Ask until every question is answered; return the spec data (valid)."""
        if resume_at:
            self._fast_forward(resume_at)
        while True:
            steps = self.steps()
            if self.position >= len(steps):
                data = collect(self.answers)
                if self._settle(data, steps):
                    return data
                continue
            step = steps[self.position]
            self._headings(step.trail)
            try:
                value = self.asker(step, self.wording)
            except (KeyboardInterrupt, EOFError):
                raise Interrupted(self.answers, self.position) from None
            except Invalid as exc:
                self.console.print(Text(f"  ✗ {exc}", style="red"))
                continue
            if value is BACK:
                self._back()
                continue
            self._answer(step, value)

    def edit(self, where: tuple) -> None:
        """Ask again only the questions at or below ``where`` (a section's keys, or one field), then return.

        The review's "edit section N" and "edit field" jumps: every other answer stays as it is;
        questions an edited answer brings in (a list grown, a part switched on) are asked too.
        """
        n = len(where)

        def mine(step: Step) -> bool:
            return step.key[:n] == where

        i = 0
        while True:
            steps = [step for step in self.steps() if mine(step)]
            if i >= len(steps):
                return
            step = steps[i]
            self._headings(step.trail)
            try:
                value = self.asker(step, self.wording)
            except (KeyboardInterrupt, EOFError):
                raise Interrupted(self.answers, len(self.steps())) from None
            except Invalid as exc:
                self.console.print(Text(f"  ✗ {exc}", style="red"))
                continue
            if value is BACK:
                i = max(i - 1, 0)
                continue
            apply(self.answers, step, value)
            self._plan = None
            i += 1

    def ask_also(self, where: tuple) -> None:
        """Ask a question --minimal leaves out, from now on (the review's "edit field" on it)."""
        self.force = self.force | {where}
        self._plan = None

    def edit_section(self, keys: tuple[str, ...]) -> None:
        """Ask again the questions of the top-level keys of one section."""
        for key in keys:
            self.edit((key,))

    def reopen(self) -> None:
        """Go back to the last question (from the closing "write the spec?")."""
        self._plan = None
        self.position = max(len(self.steps()) - 1, 0)

    def _back(self) -> None:
        if self.position == 0:
            self.console.print(Text(self.wording.text("messages", "back_at_start"), style="yellow"))
            return
        self.position -= 1
        self._plan = None  # the question gets its stored answer as the suggestion
        self.console.print(Text(self.wording.text("messages", "went_back"), style="dim"))

    def _fast_forward(self, target: int) -> None:
        """Accept the stored answers up to ``target`` (a draft's position), re-checking each."""
        kept = 0
        while self.position < target:
            steps = self.steps()
            if self.position >= len(steps):
                break
            step = steps[self.position]
            try:
                value = step.answer(step.default)
            except Invalid:
                break
            self._answer(step, value)
            kept += 1
        self.console.print(Text(self.wording.text("messages", "resumed", count=kept), style="green"))

    def _settle(self, data: dict[str, Any], steps: list[Step]) -> bool:
        """Check the whole spec; on a problem, show it and move to its question."""
        problems = final_problems(data)
        if not problems:
            return True
        self.console.print(Text(self.wording.text("messages", "problems"), style="red"))
        for problem in problems:
            self.console.print(Text("  " + format_problem(problem), style="red"))
        where = problem_path(problems[0].where)
        index = _find(steps, where)
        if index is None and self.minimal:
            self.force = self.force | {where}  # ask it even in --minimal mode
            self._plan = None
            index = _find(self.steps(), where)
        if index is None:
            raise UserError([Problem(p.message, where=p.where, hint=p.hint) for p in problems])
        self.console.print(Text(self.wording.text("messages", "fix"), style="yellow"))
        self.position = index
        self._plan = None
        return False

    def _headings(self, trail: tuple[Heading, ...]) -> None:
        """Print the headings above a question that are not on screen yet."""
        same = 0
        while same < min(len(trail), len(self._shown)) and trail[same] == self._shown[same]:
            same += 1
        for level in range(same, len(trail)):
            title, help_text = trail[level]
            if level == 0:
                self.console.print()
                self.console.rule(Text(title, style="bold cyan"), align="left")
                if help_text:
                    self.console.print(Text(help_text, style="dim"))
            else:
                line = Text("  " * (level - 1) + "▸ " + title, style="bold")
                if help_text:
                    line.append("  " + help_text, style="dim")
                self.console.print(line)
        self._shown = trail


def _find(steps: list[Step], where: tuple) -> int | None:
    """The first question at or below a problem's path (or above it, for a structural key)."""
    n = len(where)
    for i, step in enumerate(steps):
        if step.key[:n] == where:
            return i
    for i, step in enumerate(steps):
        if step.role == "value" and where[: len(step.key)] == step.key:
            return i
    return None
