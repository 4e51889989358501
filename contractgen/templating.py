"""Jinja for clause and template text: the single place where spec values enter wording.

Every ``{{ value }}`` passes through :func:`escape_value`, which backslash-escapes CommonMark
punctuation, so a value like ``A & B <Studio> **x** {{ 7*7 }}`` comes out literally after the
Markdown is parsed. Values are only ever template *data*: no spec value is compiled as a template.
All text renders in Jinja's immutable sandbox with a budget on loops and output, so a clause
from a user's folder cannot reach Python internals or run forever.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from jinja2 import StrictUndefined, TemplateError, nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment

from contractgen.locale import Locale

_PUNCT = re.compile(r"([!\"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~])")
_SPACE = re.compile(r"\s*[\r\n]+\s*")

MAX_OUTPUT = 200_000  # characters one clause or template may produce
MAX_STEPS = 200_000  # loop iterations and calls one render may make


class EmptyValue(ValueError):
    """A template printed a missing (None) value: never a blank in a signed contract."""


class BudgetExceeded(RuntimeError):
    """A template looped or called too much (a runaway clause)."""


def escape_value(value: Any) -> str:
    """Make a value literal CommonMark text on one line."""
    if value is None:
        raise EmptyValue("a value printed here is empty (None); guard it with {% if ... is not none %}")
    return _PUNCT.sub(r"\\\1", _SPACE.sub(" ", str(value)))


class _Env(ImmutableSandboxedEnvironment):
    """The sandbox, counting every call and attribute access against a per-render budget."""

    steps = 0

    def _tick(self) -> None:
        self.steps += 1
        if self.steps > MAX_STEPS:
            raise BudgetExceeded(f"stopped after {MAX_STEPS:,} steps: a loop that does not end?")

    def getattr(self, obj: Any, attribute: str) -> Any:
        self._tick()
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        self._tick()
        return super().getitem(obj, argument)

    def call(self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        self._tick()
        return super().call(__context, __obj, *args, **kwargs)


class TextEngine:
    """Compiles and renders clause and template text for one language."""

    def __init__(self, locale: Locale, loader: Any = None) -> None:
        self.locale = locale
        env = _Env(
            undefined=StrictUndefined,
            finalize=escape_value,
            autoescape=False,
            # Not trim_blocks: it would glue the next line onto one ending in a tag.
            lstrip_blocks=True,
            keep_trailing_newline=True,
            loader=loader,
        )
        env.filters.update(
            money=locale.money,
            num=locale.num,
            percent=locale.percent,
            date=locale.date,
            list_and=lambda items: locale.join(items, "list_and"),
            list_or=lambda items: locale.join(items, "list_or"),
            term=locale.term,
            digits=lambda value: locale.digits(str(value)),
        )
        env.globals.clear()
        env.globals["range"] = self._range
        self.env = env
        self._cache: dict[str, Any] = {}
        self._expr_cache: dict[str, Callable[..., Any]] = {}

    def _range(self, *args: int) -> Iterable[int]:
        for number in range(*args):
            self.env._tick()
            yield number

    def compile(self, source: str) -> Any:
        """A compiled template for ``source`` (cached: the library compiles once per process)."""
        template = self._cache.get(source)
        if template is None:
            template = self._cache[source] = self.env.from_string(source)
        return template

    def expression(self, source: str) -> Callable[..., Any]:
        """A compiled ``when`` condition."""
        expr = self._expr_cache.get(source)
        if expr is None:
            expr = self._expr_cache[source] = self.env.compile_expression(source, undefined_to_none=False)
        return expr

    def render(self, template: Any, context: Mapping[str, Any]) -> str:
        """Render with the step and output budgets."""
        self.env.steps = 0
        size = 0
        parts = []
        for chunk in template.generate(**context):
            size += len(chunk)
            if size > MAX_OUTPUT:
                raise BudgetExceeded(f"produced more than {MAX_OUTPUT:,} characters")
            parts.append(chunk)
        return "".join(parts)

    def test(self, source: str, context: Mapping[str, Any]) -> bool:
        """Evaluate a condition."""
        self.env.steps = 0
        return bool(self.expression(source)(**context))

    def template(self, name: str) -> Any:
        """A template file from the loader."""
        return self.env.get_template(name)


def describe(exc: BaseException) -> str:
    """A one-line explanation of a rendering failure, for a located Problem."""
    if isinstance(exc, TemplateError) and getattr(exc, "lineno", None):
        return f"line {exc.lineno} of the text: {exc.message}"
    text = str(exc) or type(exc).__name__
    return text.replace("jinja2.exceptions.", "")


def names_used(engine: TextEngine, source: str) -> list[str]:
    """Top-level names a text refers to (for lint)."""
    from jinja2 import meta

    ast: nodes.Template = engine.env.parse(source)
    return sorted(meta.find_undeclared_variables(ast))
