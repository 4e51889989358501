"""Where the built-in clause library and templates are, installed or in a checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _find(name: str) -> Path:
    # A wheel carries the folders inside the package; a checkout has them at the top level.
    for candidate in (_PACKAGE / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"contractgen is missing its {name}/ folder; reinstall it")


def clauses_dir() -> Path:
    """The built-in clause library."""
    return _find("clauses")


def templates_dir() -> Path:
    """The built-in templates (layouts, brief, strings)."""
    return _find("templates")


LANGUAGE_PACK = "language.yaml"


def available_languages(templates: Path | None = None) -> tuple[str, ...]:
    """The document languages there are: folders of the templates holding a language.yaml.

    A pack counts once it has its words too (strings.yaml): a folder with only the facts
    cannot print a document yet, so specs cannot choose it and lint does not ask for it.
    """
    folder = templates or templates_dir()
    return tuple(sorted(p.parent.name for p in folder.glob(f"*/{LANGUAGE_PACK}")
                        if (p.parent / "strings.yaml").is_file()))
