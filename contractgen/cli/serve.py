"""``contractgen serve``: the HTTP API (:mod:`contractgen.web`) on this machine, or behind a token."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import click

from contractgen.cli import user_errors
from contractgen.errors import Problem, UserError
from contractgen.spec.loader import MAX_BYTES
from contractgen.web import wording

TOKEN_ENV = "CONTRACTGEN_TOKEN"


def is_local(host: str) -> bool:
    """True for an address only this machine can reach (loopback, ``localhost``)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a name that may resolve anywhere: treat it as reachable from outside


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help=wording.text("serve.help.host"))
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help=wording.text("serve.help.port"))
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("out") / "serve",
              show_default=True, help=wording.text("serve.help.out"))
@click.option("--token", envvar=TOKEN_ENV, default=None, help=wording.text("serve.help.token"))
@click.option("--workers", type=click.IntRange(1, 64), default=2, show_default=True, help=wording.text("serve.help.workers"))
@click.option("--queue", "waiting", type=click.IntRange(0, 1000), default=4, show_default=True,
              help=wording.text("serve.help.queue"))
@click.option("--timeout", type=click.FloatRange(1, 3600), default=120.0, show_default=True,
              help=wording.text("serve.help.timeout"))
@click.option("--max-bytes", type=click.IntRange(1024, 100 * MAX_BYTES), default=MAX_BYTES, show_default=True,
              help=wording.text("serve.help.max_bytes"))
@user_errors
def serve(host: str, port: int, out_dir: Path, token: str | None, workers: int, waiting: int, timeout: float,
          max_bytes: int) -> None:
    """Serve the HTTP API: validate, build, coverage, schema, clauses (OpenAPI at /docs).

    Listens on 127.0.0.1 by default; any other address needs a token, and every request
    without it gets 401. Builds run in worker processes, each in its own folder inside OUT,
    removed once the zip is sent. Needs the web extra: pip install 'contractgen[web]'.
    """
    if not token and not is_local(host):
        raise click.UsageError(wording.text("serve.needs_token", host=host))
    try:
        import uvicorn

        from contractgen.web.app import ServerConfig, create_app
    except ImportError:
        raise UserError(Problem(wording.text("serve.needs_extra"), hint=wording.text("serve.needs_extra_hint"))) from None
    config = ServerConfig(out_dir.resolve(), token or None, workers, waiting, timeout, max_bytes)
    click.echo(wording.text("serve.listening", host=host, port=str(port), out=str(config.out_dir)), err=True)
    uvicorn.run(create_app(config), host=host, port=port, log_level="warning")
