"""Reading type annotations of the spec models (shared by validation messages and lint)."""

from __future__ import annotations

import types
import typing
from typing import Any

from pydantic import BaseModel


def strip_optional(annotation: Any) -> tuple[Any, bool]:
    """``X | None`` → ``(X, True)``, Annotated unwrapped; of a union, the one model in it."""
    optional = False
    while True:
        origin = typing.get_origin(annotation)
        args = typing.get_args(annotation)
        if origin is typing.Annotated:
            annotation = args[0]
        elif origin in (typing.Union, types.UnionType):
            rest = [a for a in args if a is not type(None)]
            optional = optional or len(rest) < len(args)
            models = [a for a in rest if isinstance(a, type) and issubclass(a, BaseModel)]
            if len(models) == 1:
                annotation = models[0]
            elif len(rest) == 1:
                annotation = rest[0]
            else:
                return annotation, optional
        else:
            return annotation, optional
