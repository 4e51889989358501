"""What the questionnaire needs to know about each field of the spec models.

Everything here is read from the pydantic models: the key (alias), the description, the
default, whether None is allowed, and the shape of the value, which decides the kind of
question. Which questions apply only after an earlier answer (a rule between fields, which a
type cannot express) is data: :mod:`contractgen.questionnaire.model`.
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any, Literal

from pydantic import BaseModel
from pydantic.fields import FieldInfo

Path = tuple[str | int, ...]

# Kinds of field, by the shape of their value.
MODEL = "model"  # a nested model: a sub-section
MODELS = "models"  # a list of models: "add another?" loop of sub-sections
MODEL_MAP = "model_map"  # a mapping choice -> model (platform stats): loop of choice + sub-section
CHOICES = "choices"  # a list of Literal values: a checkbox
ITEMS = "items"  # a list of scalars: "add another?" loop of text answers
VALUE = "value"  # one scalar: text, select or confirm


@dataclass(frozen=True)
class Field:
    """One field of a spec model, as the questionnaire sees it."""

    key: str  # the key in a spec file (the alias where there is one)
    name: str  # the attribute name on the model
    owner: type[BaseModel]
    info: FieldInfo
    kind: str
    optional: bool  # None is an allowed value
    target: Any  # the nested model (MODEL, MODELS, MODEL_MAP) or the scalar type
    choices: tuple[Any, ...] = ()  # Literal values (VALUE select, CHOICES, MODEL_MAP keys)
    min_items: int = 0
    max_items: int | None = None

    @property
    def required(self) -> bool:
        """The field has no default: a spec must give it."""
        return self.info.is_required()

    @property
    def description(self) -> str:
        """The field's description, written for people."""
        return self.info.description or ""

    def default(self) -> Any:
        """The model's default value (a fresh one for mutable defaults)."""
        return None if self.required else self.info.get_default(call_default_factory=True)

    @property
    def scalar(self) -> str:
        """What kind of scalar a VALUE or ITEMS field holds: bool, date, number, choice or text."""
        if self.choices and self.target is None:
            return "choice"
        if self.target is bool:
            return "bool"
        if self.target is dt.date:
            return "date"
        if self.target in (int, Decimal):
            return "number"
        return "text"


def _strip(annotation: Any) -> tuple[Any, bool]:
    """Unwrap Annotated and ``X | None``; return (X, None allowed)."""
    optional = False
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            optional = optional or len(args) < len(typing.get_args(annotation))
            if len(args) == 1:
                annotation = args[0]
            else:
                return typing.Union[tuple(args)], optional  # noqa: UP007 - rebuilt at run time
        else:
            return annotation, optional


def _literal(annotation: Any) -> tuple[Any, ...]:
    stripped, _ = _strip(annotation)
    return typing.get_args(stripped) if typing.get_origin(stripped) is Literal else ()


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _length(info: FieldInfo) -> tuple[int, int | None]:
    low, high = 0, None
    for item in info.metadata:
        low = getattr(item, "min_length", None) or low
        high = getattr(item, "max_length", None) or high
    return low, high


def _field(owner: type[BaseModel], name: str, info: FieldInfo) -> Field:
    annotation, optional = _strip(info.annotation)
    origin = typing.get_origin(annotation)
    key = info.alias or name
    low, high = _length(info)
    if _is_model(annotation):
        return Field(key, name, owner, info, MODEL, optional, annotation)
    if origin is list:
        item, _ = _strip(typing.get_args(annotation)[0])
        if _is_model(item):
            return Field(key, name, owner, info, MODELS, optional, item, (), low, high)
        if choices := _literal(item):
            return Field(key, name, owner, info, CHOICES, optional, None, choices, low, high)
        return Field(key, name, owner, info, ITEMS, optional, item, (), low, high)
    if origin is dict:
        key_type, value_type = typing.get_args(annotation)
        return Field(key, name, owner, info, MODEL_MAP, optional, _strip(value_type)[0], _literal(key_type))
    if choices := _literal(annotation):
        return Field(key, name, owner, info, VALUE, optional, None, choices)
    return Field(key, name, owner, info, VALUE, optional, annotation)


@cache
def fields_of(model: type[BaseModel]) -> tuple[Field, ...]:
    """The fields of a model, in declaration order (the order of a spec file)."""
    return tuple(_field(model, name, info) for name, info in model.model_fields.items())


def field_at(model: type[BaseModel], key: str) -> Field:
    """The field of ``model`` with spec key ``key``."""
    return next(f for f in fields_of(model) if f.key == key)


def pattern(path: Path) -> tuple[str, ...]:
    """A path with list positions as ``*``, to match rules that hold for every item."""
    return tuple("*" if isinstance(part, int) else part for part in path)
