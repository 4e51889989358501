"""The JSON Schema of spec files, from the pydantic models (titles and descriptions included)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from contractgen.spec.loader import MAX_BYTES
from contractgen.spec.models import CampaignSpec

# Spec files contractgen writes start with this line so editors complete and check them.
SCHEMA_FILE_NAME = "contractgen.schema.json"
SCHEMA_COMMENT = f"# yaml-language-server: $schema={SCHEMA_FILE_NAME}\n"


def spec_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a campaign spec; ``$schema`` first, as schema files start."""
    schema = CampaignSpec.model_json_schema(by_alias=True)
    schema["title"] = "contractgen campaign spec"
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}


def schema_text() -> str:
    """The schema as the file ``schema -o`` and ``new`` write."""
    return json.dumps(spec_schema(), indent=2, ensure_ascii=False) + "\n"


def write_schema_beside(spec: Path) -> Path | None:
    """Write :data:`SCHEMA_FILE_NAME` in the folder of ``spec`` unless it is already there as is.

    Returns the path when it was written. Folder inputs of ``batch`` skip this file.
    """
    from contractgen.output import write_atomic

    target = spec.parent / SCHEMA_FILE_NAME
    data = schema_text().encode()
    try:
        if target.read_bytes() == data:
            return None
    except OSError:
        pass  # not there yet (or unreadable: writing it says why)
    write_atomic(target, data)
    return target


def is_schema_file(path: Path) -> bool:
    """A JSON Schema, not a spec: named ``*.schema.json``, or JSON with a top-level ``$schema`` key.

    A spec never has that key (unknown keys are errors), so a folder of specs may hold schemas.
    """
    if path.name.lower().endswith(".schema.json"):
        return True
    if path.suffix.lower() != ".json":
        return False
    try:
        with path.open("rb") as fh:
            data = json.loads(fh.read(MAX_BYTES))
    except (OSError, ValueError, RecursionError):
        return False  # not readable JSON: the loader reports it as the spec it may be
    return isinstance(data, dict) and "$schema" in data
