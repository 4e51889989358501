"""The question model as data (``templates/questionnaire.yaml``): sections, order, conditions.

Language-neutral and free of any terminal code, so every front end (the terminal questionnaire,
a web form) asks the same questions in the same order under the same conditions. Conditions
are expressions over a question's siblings, as Copier keeps its ``when``, evaluated in Jinja's
sandbox: data, never code.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from jinja2 import meta
from jinja2.sandbox import SandboxedEnvironment

from contractgen.resources import templates_dir
from contractgen.spec.loader import load_file

FILE_NAME = "questionnaire.yaml"

Pattern = tuple[str, ...]  # a spec path with list positions as "*"


@dataclass(frozen=True)
class Condition:
    """When a question applies: an expression over its siblings, and the siblings it reads."""

    expression: str
    reads: frozenset[str]
    test: Callable[..., Any]

    def holds(self, siblings: dict[str, Any]) -> bool:
        """Whether the question applies, given its siblings' values (asked when they cannot be compared yet)."""
        try:
            return bool(self.test(**siblings))
        except TypeError:  # a pre-filled draft value not checked yet ("1 500 €" > 0): ask, it is checked then
            return True


@dataclass(frozen=True)
class SectionModel:
    """One section: its id (the key of its words in each language) and the spec keys it asks."""

    id: str
    keys: tuple[str, ...]


@dataclass(frozen=True)
class QuestionModel:
    """What is asked, in which order and when."""

    sections: tuple[SectionModel, ...]
    first: dict[str, tuple[str, ...]]
    always: frozenset[Pattern]
    when: dict[Pattern, Condition]
    required_when_asked: frozenset[Pattern]
    comma_lists: frozenset[Pattern]
    files: frozenset[Pattern]  # answers that are file paths, relative to the spec, checked when typed
    suggested: dict[Pattern, str]  # question → the CountryDefaults attribute offered as its answer
    country_question: Pattern  # the question whose answer the defaults follow
    defaults_after: Pattern  # the question after which the country's defaults are shown
    confirmed: dict[Pattern, str]  # question → attribute, asked only if the defaults are not accepted

    def section_of(self, key: str) -> SectionModel:
        """The section a top-level spec key is asked under."""
        for section in self.sections:
            if key in section.keys:
                return section
        raise KeyError(f"{FILE_NAME}: no section lists the spec key '{key}'")

    def ordered(self, section: str, keys: list[str]) -> list[str]:
        """A model's keys in asking order: the ones named under ``first``, then the rest."""
        head = [k for k in self.first.get(section, ()) if k in keys]
        return head + [k for k in keys if k not in head]

    def depended_on(self) -> frozenset[Pattern]:
        """The answers some condition reads (a change to them changes what is asked)."""
        reads = {(*where[:-1], name) for where, c in self.when.items() for name in c.reads}
        return frozenset(reads | {self.country_question, self.defaults_after})


def _pattern(dotted: str) -> Pattern:
    return tuple(dotted.split("."))


@cache
def question_model() -> QuestionModel:
    """The question model of the built-in templates."""
    data = load_file(templates_dir() / FILE_NAME).data
    env = SandboxedEnvironment()
    when = {}
    for dotted, expression in (data.get("when") or {}).items():
        reads = frozenset(meta.find_undeclared_variables(env.parse("{{ " + expression + " }}")))
        when[_pattern(dotted)] = Condition(expression, reads, env.compile_expression(expression, undefined_to_none=True))
    return QuestionModel(
        sections=tuple(SectionModel(s["id"], tuple(s["keys"])) for s in data["sections"]),
        first={k: tuple(v) for k, v in (data.get("first") or {}).items()},
        always=frozenset(_pattern(p) for p in data.get("always") or ()),
        when=when,
        required_when_asked=frozenset(_pattern(p) for p in data.get("required_when_asked") or ()),
        comma_lists=frozenset(_pattern(p) for p in data.get("comma_lists") or ()),
        files=frozenset(_pattern(p) for p in data.get("files") or ()),
        suggested={_pattern(k): v for k, v in data["country_defaults"]["suggested"].items()},
        country_question=_pattern(data["country_defaults"]["country"]),
        defaults_after=_pattern(data["country_defaults"]["after"]),
        confirmed={_pattern(k): v for k, v in data["country_defaults"]["confirmed"].items()},
    )
