"""Drawing one question with questionary, with the key that goes back.

Going back: pressing ``<`` as the first key of an answer (with the suggested answer untouched,
or the answer emptied) returns :data:`BACK` at once, on every kind of question; a text answer
of just ``<`` does the same. In a text answer the first character typed replaces the suggested
answer; ← or Backspace edit it instead. Ctrl-C raises KeyboardInterrupt (and Ctrl-D on an empty
answer EOFError) for the flow to save a draft.

Text answers are checked while the prompt is open: an invalid answer shows the reason under
the prompt and is not accepted until it is fixed. Choices (select, confirm, checkbox) are
checked after they are made; :class:`~contractgen.questionnaire.questions.Invalid` is raised for
the flow to show and ask again.
"""

from __future__ import annotations

from typing import Any

import questionary
from prompt_toolkit.filters import Condition
from prompt_toolkit.key_binding import KeyBindings, merge_key_bindings
from prompt_toolkit.keys import Keys
from questionary import Choice, Style

from contractgen.questionnaire.questions import Invalid, Step
from contractgen.questionnaire.wording import Wording

BACK_KEY = "<"


class _Back:
    def __repr__(self) -> str:
        return "BACK"


BACK: Any = _Back()

STYLE = Style([
    ("qmark", "fg:ansicyan bold"),
    ("question", "bold"),
    ("instruction", "fg:ansibrightblack"),
    ("answer", "fg:ansicyan"),
    ("pointer", "fg:ansicyan bold"),
    ("highlighted", "fg:ansicyan"),
    ("selected", "fg:ansicyan"),
])


def ask(step: Step, wording: Wording) -> Any:
    """Ask one step and return its checked value, or :data:`BACK`."""
    if step.kind == "text":
        return _text(step, wording)
    if step.kind == "confirm":
        hint = wording.text("hints", "yes" if step.default else "no")
        question = questionary.confirm(step.label, default=bool(step.default), style=STYLE,
                                       instruction=_instruction(step.help, hint))
        return _finish(step, _with_back(question).unsafe_ask())
    choices = [Choice(title, value=i, checked=step.kind == "checkbox" and value in step.default)
               for i, (title, value) in enumerate(step.choices)]
    if step.kind == "select":
        default = next((i for i, (_, value) in enumerate(step.choices) if value == step.default), 0)
        question = questionary.select(step.label, choices, default=choices[default], style=STYLE,
                                      instruction=_instruction(step.help, wording.text("hints", "select")))
        picked = _with_back(question).unsafe_ask()
        return _finish(step, picked if picked is BACK else step.choices[picked][1])
    question = questionary.checkbox(step.label, choices, style=STYLE,
                                    instruction=_instruction(step.help, wording.text("hints", "checkbox")))
    picked = _with_back(question).unsafe_ask()
    return _finish(step, picked if picked is BACK else [step.choices[i][1] for i in picked])


def _text(step: Step, wording: Wording) -> Any:
    def validate(text: str) -> bool | str:
        if text.strip() == BACK_KEY:
            return True
        try:
            step.answer(text)
        except Invalid as exc:
            return str(exc)
        return True

    hint = wording.text("hints", "optional") if step.optional else ""
    question = questionary.text(step.label, default=step.default, validate=validate, style=STYLE,
                                instruction=_instruction(step.help, hint), validate_while_typing=False)
    buffer = question.application.current_buffer
    fresh = {"yes": True}  # the suggested answer is untouched: typing replaces it

    def edited(_: Any) -> None:
        fresh["yes"] = False

    buffer.on_text_changed += edited
    buffer.on_cursor_position_changed += edited
    replace = KeyBindings()

    @replace.add(Keys.Any, filter=Condition(lambda: fresh["yes"] and buffer.text != ""))
    def _replace(event: Any) -> None:
        # The first character typed replaces the suggestion (← or Backspace edit it instead),
        # so "brand_social" + typing does not become "brand_socialpaid_social".
        if event.data.isprintable():
            buffer.text = ""
            buffer.insert_text(event.data)

    app = question.application
    app.key_bindings = merge_key_bindings([app.key_bindings, replace])
    back_when = Condition(lambda: fresh["yes"] or buffer.text == "")
    answer = _with_back(question, back_when).unsafe_ask()
    if answer is BACK or answer.strip() == BACK_KEY:
        return BACK
    return step.answer(answer)


def _finish(step: Step, value: Any) -> Any:
    if value is BACK:
        return BACK
    if value is None and step.kind != "select":
        raise KeyboardInterrupt  # questionary returns None when the prompt was aborted
    return step.answer(value)


def _with_back(question: questionary.Question, when: Condition | None = None) -> questionary.Question:
    """Add the go-back key to a question (bindings added last win over questionary's own)."""
    bindings = KeyBindings()

    @bindings.add(BACK_KEY, filter=when if when is not None else True, eager=True)
    def _back(event: Any) -> None:
        event.app.exit(result=BACK)

    app = question.application
    app.key_bindings = merge_key_bindings([app.key_bindings, bindings]) if app.key_bindings else bindings
    return question


def _instruction(help_text: str, hint: str) -> str | None:
    return " ".join(part for part in (help_text, hint) if part) + " " if help_text or hint else None
