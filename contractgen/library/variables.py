"""What clause text may refer to: names, their types, and checking dotted paths against them.

Generated from the spec models and the engagement's ``Deal`` so the reference never drifts
from the code: ``clauses vars`` prints it and lint checks every path in clause text with it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import re
import types
import typing
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from contractgen.engagement import context_types
from contractgen.spec.introspect import strip_optional

UNKNOWN = object()  # a value whose type lint cannot follow (no checks below it)


@dataclass(frozen=True)
class Variable:
    """One dotted path clause text can use."""

    path: str
    type: str
    description: str


def members(annotation: Any) -> dict[str, tuple[Any, str]] | None:
    """Attributes of a model or dataclass: name → (type, description); None for other types."""
    annotation, _ = strip_optional(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        out = {}
        for name, info in annotation.model_fields.items():
            out[info.alias or name] = (info.annotation, info.description or "")
            if info.alias:
                out[name] = (info.annotation, info.description or "")
        return out
    if dataclasses.is_dataclass(annotation) and isinstance(annotation, type):
        hints = typing.get_type_hints(annotation)
        docs = dict(re.findall(r"^\s+(\w+): (.+)$", annotation.__doc__ or "", re.MULTILINE))
        return {f.name: (hints[f.name], docs.get(f.name, "")) for f in dataclasses.fields(annotation)}
    return None


def element(annotation: Any) -> Any:
    """The item type of a list or tuple annotation (for ``{% for x in ... %}``), else UNKNOWN."""
    annotation, _ = strip_optional(annotation)
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin in (list, tuple) and args:
        return args[0]
    return UNKNOWN


def step(annotation: Any, attribute: str) -> tuple[Any, str | None]:
    """Follow ``.attribute``; return (its type, None) or (UNKNOWN, an error message)."""
    if annotation is UNKNOWN:
        return UNKNOWN, None
    fields = members(annotation)
    if fields is not None:
        if attribute in fields:
            return fields[attribute][0], None
        close = difflib.get_close_matches(attribute, list(fields), n=1, cutoff=0.6)
        return UNKNOWN, f"has no field '{attribute}'" + (f"; did you mean '{close[0]}'?" if close else "")
    base, _ = strip_optional(annotation)
    origin = typing.get_origin(base) or base
    if origin is dict:
        return typing.get_args(base)[1] if typing.get_args(base) else UNKNOWN, None
    python_type = origin if isinstance(origin, type) else None
    if python_type is not None and hasattr(python_type, attribute):
        return UNKNOWN, None  # a method such as str.upper
    if python_type in (str, int, float, bool, Decimal, dt.date, list, tuple):
        return UNKNOWN, f"is a {python_type.__name__} and has no '{attribute}'"
    return UNKNOWN, None


def type_name(annotation: Any) -> str:
    """A short readable type, e.g. ``date``, ``list[Deliverable]``, ``text or none``."""
    inner, optional = strip_optional(annotation)
    origin = typing.get_origin(inner)
    args = typing.get_args(inner)
    if origin is typing.Literal:
        name = " | ".join(repr(a) for a in args)
    elif origin in (list, tuple):
        name = f"list[{type_name(args[0])}]" if args else "list"
    elif origin is dict:
        name = f"map of {type_name(args[1])}"
    elif origin in (typing.Union, types.UnionType):
        name = " | ".join(type_name(a) for a in args)
    elif isinstance(inner, type):
        name = {"str": "text", "Decimal": "number", "int": "whole number", "bool": "true/false"}.get(
            inner.__name__, inner.__name__)
    else:
        name = str(inner)
    return f"{name} or none" if optional else name


def all_variables() -> list[Variable]:
    """Every dotted path clause text may use, depth first, with type and description."""
    out: list[Variable] = []

    def walk(prefix: str, annotation: Any, description: str, depth: int) -> None:
        out.append(Variable(prefix, type_name(annotation), description))
        if depth > 4:
            return
        target = annotation
        if element(annotation) is not UNKNOWN:
            target = element(annotation)
            prefix = f"{prefix}[]"
        fields = members(target)
        if fields:
            for name, (sub, text) in fields.items():
                if members(target) is not None and name.endswith("_") and name.rstrip("_") in fields:
                    continue
                walk(f"{prefix}.{name}", sub, text, depth + 1)

    for name, annotation in context_types().items():
        doc = (strip_optional(annotation)[0].__doc__ or "").strip().splitlines()
        walk(name, annotation, doc[0] if doc else "", 0)
    return out
