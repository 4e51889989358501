"""What the server says, from ``templates/<lang>/web.yaml`` in the terminal's language.

The API speaks to programs and the people running them, as the CLI does, so it uses the
catalogue's ``terminal`` language; a key that language lacks is read from the fallback.
"""

from __future__ import annotations

from typing import Any

from contractgen import messages
from contractgen.resources import templates_dir

FILE = "web.yaml"


def _entries(language: str) -> dict[str, Any]:
    path = templates_dir() / language / FILE
    return messages.entries_of(path) if path.is_file() else {}


def text(key: str, /, **values: Any) -> str:
    """The sentence ``key`` (dotted, e.g. ``errors.token``) with ``values`` filled in."""
    settings = messages.settings()
    raw = _entries(settings.terminal).get(key)
    if raw is None:
        raw = _entries(settings.fallback)[key]  # KeyError: a key missing from the fallback is ours to fix
    language, formatter = messages.terminal()
    return messages.fill(str(raw), language, formatter, values)
