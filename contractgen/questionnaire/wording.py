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
    """A heading and the top-level spec keys asked under it."""

    heading: str
    intro: str
    keys: tuple[str, ...]


class Wording:
    """Lookup of the strings in ``templates/<lang>/questionnaire.yaml``."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.sections = tuple(
            Section(s["heading"], s.get("intro", ""), tuple(s["keys"])) for s in data["sections"]
        )

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

    def section_of(self, key: str) -> Section:
        """The section a top-level spec key is asked under."""
        for section in self.sections:
            if key in section.keys:
                return section
        raise KeyError(f"{FILE_NAME}: no section lists the spec key '{key}'")

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
