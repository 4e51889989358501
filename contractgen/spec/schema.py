"""The JSON Schema of spec files, from the pydantic models (titles and descriptions included)."""

from __future__ import annotations

import json
from typing import Any

import click

from contractgen.cli import user_errors
from contractgen.spec.models import CampaignSpec

# Spec files contractgen writes start with this line so editors complete and check them.
SCHEMA_FILE_NAME = "contractgen.schema.json"
SCHEMA_COMMENT = f"# yaml-language-server: $schema={SCHEMA_FILE_NAME}\n"


def spec_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a campaign spec."""
    schema = CampaignSpec.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "contractgen campaign spec"
    return schema


@click.command()
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help=f"Write to a file (e.g. {SCHEMA_FILE_NAME} beside your specs) instead of printing.")
@user_errors
def schema(output: str | None) -> None:
    """Print the JSON Schema of spec files, for editors and other tools."""
    text = json.dumps(spec_schema(), indent=2, ensure_ascii=False) + "\n"
    if output:
        from pathlib import Path

        from contractgen.output import write_atomic

        write_atomic(Path(output), text.encode())
        click.echo(f"wrote {output}")
    else:
        click.echo(text, nl=False)
