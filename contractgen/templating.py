"""Jinja for clause and template text: the single place where spec values enter wording.

Every ``{{ value }}`` passes through :func:`escape_value`, which backslash-escapes CommonMark
punctuation, so a value like ``A & B <Studio> **x** {{ 7*7 }}`` comes out literally after the
Markdown is parsed. Values are only ever template *data*: no spec value is compiled as a template.
All text renders in Jinja's immutable sandbox with budgets on steps, nesting, the size of every
string and list it makes, and its output (see :class:`_Env`), so a clause from a user's folder
cannot reach Python internals, run forever or fill the memory: it fails with
:class:`BudgetExceeded` or a Jinja error, which the caller reports against the clause.
"""

from __future__ import annotations

import functools
import re
import types
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any

from jinja2 import StrictUndefined, TemplateError, TemplateNotFound, TemplateSyntaxError, nodes, pass_environment
from jinja2.compiler import CodeGenerator, Frame
from jinja2.sandbox import ImmutableSandboxedEnvironment

from contractgen.locale import Locale, respell
from contractgen.numbers import Figure

_PUNCT = re.compile(r"([!\"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~])")
_SPACE = re.compile(r"\s*[\r\n]+\s*")
_DIGITS = re.compile(r"\d+")
_PRINTF_FIELD = re.compile(r"%[#0 +\-]*(\d*)(?:\.(\d*))?")  # '%10.2f': width and precision
_BRACE_SPEC = re.compile(r"\{[^{}]*?:([^{}]*)\}")  # '{0:>10}': the spec after the colon

MAX_OUTPUT = 200_000  # characters one clause or template may produce, and any one value it makes
MAX_STEPS = 200_000  # loop iterations, calls, attribute look-ups and operators one render may make
MAX_BUILT = 5_000_000  # characters (or items) all the strings and lists one render makes may add up to
MAX_INT_BITS = 4_096  # about 1,200 digits: no number in a contract is longer
_BUILTIN_CALLABLES = (types.BuiltinMethodType, types.BuiltinFunctionType, types.MethodWrapperType)


class EmptyValue(ValueError):
    """A template printed a missing (None) value: never a blank in a signed contract."""


class BudgetExceeded(RuntimeError):
    """A template looped, recursed or built too much (a runaway clause)."""


def escape_value(value: Any) -> str:
    """Make a value literal CommonMark text on one line."""
    if value is None:
        raise EmptyValue("a value printed here is empty (None); guard it with {% if ... is not none %}")
    return _PUNCT.sub(r"\\\1", _SPACE.sub(" ", str(value)))


class _Generator(CodeGenerator):
    """Jinja's compiler, except that ``a ~ b`` goes through the sandbox, which measures it first."""

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        self.write("environment.concat((")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")


class _Env(ImmutableSandboxedEnvironment):
    """The sandbox, with budgets a clause from a user's folder cannot get around.

    Jinja's sandbox already refuses ``_private`` and internal attributes (``__class__``,
    ``__globals__``, ``mro``...) and calls that change lists and dicts. On top of that, per
    render: every call, look-up, operator and loop step counts against :data:`MAX_STEPS`;
    every string or list made by ``~``, ``+``, ``*``, ``%``, a filter or a method is measured
    *before* it is made (``'x' * 10**9`` never allocates a gigabyte) and counts against
    :data:`MAX_BUILT`; whole numbers stay under :data:`MAX_INT_BITS`.
    """

    code_generator_class = _Generator
    intercepted_binops = frozenset({"+", "*", "**", "%"})
    steps = 0
    built = 0

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._sizes: dict[int, tuple[Any, int]] = {}

    def reset(self) -> None:
        """Start the budgets of a new render."""
        self.steps = self.built = 0
        self._sizes = {}

    def _tick(self) -> None:
        self.steps += 1
        if self.steps > MAX_STEPS:
            raise BudgetExceeded(f"stopped after {MAX_STEPS:,} steps: a loop that does not end?")

    def _build(self, size: int, what: str) -> None:
        """Count a value of ``size`` characters or items about to be made."""
        if size > MAX_OUTPUT:
            raise BudgetExceeded(f"{what} would make {size:,} characters or items (at most {MAX_OUTPUT:,})")
        self.built += size
        if self.built > MAX_BUILT:
            raise BudgetExceeded(f"stopped after making {MAX_BUILT:,} characters: text that keeps growing?")

    def size(self, value: Any) -> int:
        """About how many characters ``value`` prints as; shared parts are measured once.

        Stops counting past :data:`MAX_BUILT`, so ``[l] * 1000`` of a big ``l`` is measured
        without ever being printed.
        """
        if isinstance(value, str):
            return len(value)
        if isinstance(value, bool) or value is None:
            return 5
        if isinstance(value, int):
            return value.bit_length() * 3 // 10 + 1
        if isinstance(value, float | Decimal):
            return len(str(value))
        if not isinstance(value, list | tuple | dict | set | frozenset):
            return 1  # an object of ours (Deal, a model): its size does not grow in a template
        cached = self._sizes.get(id(value))
        if cached is not None:
            return cached[1]
        total = 2
        for item in (x for pair in value.items() for x in pair) if isinstance(value, dict) else value:
            total += self.size(item) + 2
            if total > MAX_BUILT:
                break
        self._sizes[id(value)] = (value, total)  # the value is kept, so its id is not reused
        return total

    def _check_arguments(self, what: str, value: Any, args: Iterable[Any]) -> None:
        """Refuse arguments that would make ``value`` balloon (padding widths, separators, repeats)."""
        numbers = [a for a in args if isinstance(a, int) and not isinstance(a, bool)]
        if any(abs(n) > MAX_OUTPUT for n in numbers):
            raise BudgetExceeded(f"{what}: a number argument over {MAX_OUTPUT:,}")
        others = [a for a in args if not isinstance(a, int | float | Decimal)]
        estimate = max(1, self.size(value)) * max(1, sum(self.size(a) for a in others)) * max(1, sum(numbers))
        if estimate > MAX_BUILT:
            raise BudgetExceeded(f"{what} could make {estimate:,} characters (at most {MAX_BUILT:,})")

    def _measure(self, result: Any, what: str) -> Any:
        if isinstance(result, str | list | tuple | dict):
            self._build(len(result), what)
        return result

    def getattr(self, obj: Any, attribute: str) -> Any:
        self._tick()
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        self._tick()
        return super().getitem(obj, argument)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        __self._tick()
        target = getattr(__obj, "__wrapped__", __obj)  # str.format comes wrapped by the sandbox
        if isinstance(target, _BUILTIN_CALLABLES):
            name = getattr(target, "__name__", "a method")
            owner = getattr(target, "__self__", None)
            if name in ("format", "format_map") and isinstance(owner, str):
                __self._check_format(owner, name, braces=True)
            __self._check_arguments(f"{name}()", owner, [*args, *kwargs.values()])
            return __self._measure(super().call(__context, __obj, *args, **kwargs), f"{name}()")
        return __self._measure(super().call(__context, __obj, *args, **kwargs), "a call")

    def _check_format(self, template: str, what: str, braces: bool = False) -> None:
        """Refuse field widths and precisions that would pad a value out to megabytes."""
        if braces:
            widths = [d for spec in _BRACE_SPEC.findall(template) for d in _DIGITS.findall(spec)]
        else:
            widths = [d for field in _PRINTF_FIELD.finditer(template) for d in field.groups() if d]
        if any(len(w) > 6 for w in widths) or sum(map(int, widths)) > MAX_OUTPUT:
            raise BudgetExceeded(f"{what}: field widths over {MAX_OUTPUT:,} characters")

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        self._tick()
        sequences = str | list | tuple
        if operator == "*":
            if isinstance(left, int) and isinstance(right, sequences):
                left, right = right, left
            if isinstance(left, sequences) and isinstance(right, int):
                self._build(len(left) * max(right, 0), f"repeating a value {right:,} times")
            elif _whole(left) and _whole(right) and left.bit_length() + right.bit_length() > MAX_INT_BITS:
                raise BudgetExceeded(f"multiplying makes a number over {MAX_INT_BITS:,} bits")
        elif operator == "+" and isinstance(left, sequences) and isinstance(right, sequences):
            self._build(len(left) + len(right), "joining two values")
        elif operator == "**" and _whole(left) and _whole(right) and right > 0 and abs(left) > 1:
            if right * (abs(left).bit_length() - 1) > MAX_INT_BITS:
                raise BudgetExceeded(f"a power over {MAX_INT_BITS:,} bits")
        elif operator == "%" and isinstance(left, str):
            self._check_format(left, "'%' formatting")
            self._check_arguments("'%' formatting", left, right if isinstance(right, tuple) else [right])
            return self._measure(super().call_binop(context, operator, left, right), "'%' formatting")
        return super().call_binop(context, operator, left, right)

    def concat(self, parts: tuple[Any, ...]) -> str:
        """``a ~ b ~ c``: each part as text, measured before it is printed and joined."""
        self._tick()
        for part in parts:
            if self.size(part) > MAX_OUTPUT:
                raise BudgetExceeded(f"'~' would make more than {MAX_OUTPUT:,} characters")
        texts = [str(part) for part in parts]
        self._build(sum(map(len, texts)), "'~'")
        return "".join(texts)

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        # Every library text and template is parsed here: the one place regional spelling applies.
        source = respell(source, self.locale.pack.spelling) if getattr(self, "locale", None) else source
        try:
            return super()._parse(source, name, filename)
        except RecursionError:
            raise TemplateSyntaxError("nested too deeply", 1, name, filename) from None


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _guard_filter(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    """A filter that counts as a step, checks its arguments and measures what it makes."""
    what = f"filter '{name}'"

    def run(env: _Env, value_and_args: tuple[Any, ...], kwargs: dict[str, Any], call: Callable[[], Any]) -> Any:
        env._tick()
        if value_and_args:
            value = value_and_args[0]
            if name == "format" and isinstance(value, str):  # printf-style: '%1000000000s'
                env._check_format(value, what)
            env._check_arguments(what, value, [*value_and_args[1:], *kwargs.values()])
        return env._measure(call(), what)

    if getattr(function, "jinja_pass_arg", None) is None:
        @pass_environment
        @functools.wraps(function)
        def plain(env: _Env, *args: Any, **kwargs: Any) -> Any:
            return run(env, args, kwargs, lambda: function(*args, **kwargs))

        return plain

    @functools.wraps(function)  # keeps the context, eval context or environment it asks for
    def passing(first: Any, *args: Any, **kwargs: Any) -> Any:
        env = first if isinstance(first, _Env) else first.environment
        return run(env, args, kwargs, lambda: function(first, *args, **kwargs))

    return passing


_TOO_DEEP = "nested too deeply: a macro, loop or value that refers to itself?"


@pass_environment
def _finalize(env: _Env, value: Any) -> str:
    if isinstance(value, Figure):  # a number from the spec: printed as the document's language writes numbers
        value = env.locale.figure(value)
    if env.size(value) > MAX_OUTPUT:
        raise BudgetExceeded(f"a value printed here has more than {MAX_OUTPUT:,} characters")
    return escape_value(value)


class TextEngine:
    """Compiles and renders clause and template text for one language."""

    def __init__(self, locale: Locale, loader: Any = None) -> None:
        self.locale = locale
        env = _Env(
            undefined=StrictUndefined,
            finalize=_finalize,
            autoescape=False,
            # Not trim_blocks: it would glue the next line onto one ending in a tag.
            lstrip_blocks=True,
            keep_trailing_newline=True,
            loader=loader,
        )
        env.locale = locale
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
        env.filters.update({name: _guard_filter(name, f) for name, f in env.filters.items()})
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
            try:
                template = self._cache[source] = self.env.from_string(source)
            except (RecursionError, MemoryError):  # Python's own compiler on absurdly nested text
                raise TemplateSyntaxError("nested too deeply", 1) from None
        return template

    def expression(self, source: str) -> Callable[..., Any]:
        """A compiled ``when`` condition."""
        expr = self._expr_cache.get(source)
        if expr is None:
            try:
                expr = self._expr_cache[source] = self.env.compile_expression(source, undefined_to_none=False)
            except (RecursionError, MemoryError):
                raise TemplateSyntaxError("nested too deeply", 1) from None
        return expr

    def render(self, template: Any, context: Mapping[str, Any]) -> str:
        """Render with the step, size and output budgets."""
        self.env.reset()
        size = 0
        parts = []
        try:
            for chunk in template.generate(**context):
                size += len(chunk)
                if size > MAX_OUTPUT:
                    raise BudgetExceeded(f"produced more than {MAX_OUTPUT:,} characters")
                parts.append(chunk)
        except RecursionError:
            raise BudgetExceeded(_TOO_DEEP) from None
        except MemoryError:  # the budgets should stop it first; never a traceback if not
            raise BudgetExceeded("ran out of memory") from None
        finally:
            self.env.reset()  # let go of what the render measured
        return "".join(parts)

    def test(self, source: str, context: Mapping[str, Any]) -> bool:
        """Evaluate a condition (with the same budgets)."""
        self.env.reset()
        try:
            return bool(self.expression(source)(**context))
        except RecursionError:
            raise BudgetExceeded(_TOO_DEEP) from None
        except MemoryError:
            raise BudgetExceeded("ran out of memory") from None
        finally:
            self.env.reset()

    def template(self, name: str) -> Any:
        """A template file from the loader."""
        return self.env.get_template(name)


def describe(exc: BaseException) -> str:
    """A one-line explanation of a rendering failure, for a located Problem."""
    if isinstance(exc, TemplateNotFound):
        return f"no template '{exc.name}' (clause text can include only the templates of its language)"
    if isinstance(exc, TemplateError) and getattr(exc, "lineno", None):
        return f"line {exc.lineno} of the text: {exc.message}"
    text = str(exc) or type(exc).__name__
    return text.replace("jinja2.exceptions.", "")


def names_used(engine: TextEngine, source: str) -> list[str]:
    """Top-level names a text refers to (for lint)."""
    from jinja2 import meta

    ast: nodes.Template = engine.env.parse(source)
    return sorted(meta.find_undeclared_variables(ast))
