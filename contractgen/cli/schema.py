"""The ``contractgen schema`` command: print or write the JSON Schema of spec files."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from contractgen.cli import user_errors, verbosity
from contractgen.spec.schema import SCHEMA_FILE_NAME, schema_text


@click.command()
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help=f"Write to a file: {SCHEMA_FILE_NAME} beside your specs is where their first line "
                   "points editors (batch skips it in folders).")
@user_errors
def schema(output: Path | None) -> None:
    """Print the JSON Schema of spec files, for editors and other tools.

    Specs written by 'contractgen new' start with a line that points editors at
    contractgen.schema.json in their folder; 'new' writes that file beside them.
    For specs of your own: contractgen schema -o contractgen.schema.json
    """
    text = schema_text()
    if output:
        from contractgen.output import write_atomic

        write_atomic(output, text.encode())
        if verbosity() >= 0:
            click.echo(f"wrote {output}")
        return
    click.echo(text, nl=False)
    if sys.stdout.isatty() and verbosity() >= 0:  # a person reading it, not a pipe: say where it belongs
        click.echo(f"save it beside your specs, where their first line points: "
                   f"contractgen schema -o {SCHEMA_FILE_NAME}", err=True)
