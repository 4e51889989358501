"""The questionnaire's own words (headings, hints, messages), read from a data file."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from contractgen.resources import templates_dir
from contractgen.spec.loader import load_file

FILE_NAME = "questionnaire.yaml"


@dataclass(frozen=True)
class Section:
    """A section's heading and the line under it."""

    heading: str
    intro: str


class Wording:
    """Lookup of the strings in ``templates/<lang>/questionnaire.yaml``."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    def text(self, *keys: str, **values: Any) -> str:
        """The string at a key path, with ``{placeholders}`` filled from ``values``."""
        node: Any = self.data
        for key in keys:
            node = node[key]
        return str(node).format(**values) if values else str(node)

    def get(self, *keys: str) -> Any:
        """The value at a key path, or None when it is not there."""
        node: Any = self.data
        for key in keys:
            if not isinstance(node, dict) or key not in node:
                return None
            node = node[key]
        return node

    def section(self, section_id: str) -> Section:
        """The heading and intro of a section of the question model."""
        words = self.data["sections"][section_id]
        return Section(words["heading"], words.get("intro", ""))

    def choice(self, value: object) -> str:
        """How a choice is shown: a label from the file, else the value in words (organic_only → Organic only)."""
        if value is None:
            return self.text("choice_unset")
        override = self.get("choices", str(value))
        if override:
            return str(override)
        words = str(value).replace("_", " ").strip()
        return words[:1].upper() + words[1:]

    def label(self, key: str) -> str:
        """A short label for a spec key: an override from the file, else the key in words."""
        override = self.get("labels", key)
        if override:
            return str(override)
        words = key.replace("_", " ").strip()
        return words[:1].upper() + words[1:]


@cache
def load_wording(language: str = "en") -> Wording:
    """The questionnaire wording of a language (English when there is none for it)."""
    path = templates_dir() / language / FILE_NAME
    if not path.is_file():
        path = templates_dir() / "en" / FILE_NAME
    return Wording(load_file(path).data)
