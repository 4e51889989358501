"""``contractgen seal`` and ``contractgen verify``: sign contract PDFs for the brand, check signatures."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from urllib.parse import urlsplit

import click

from contractgen.cli import user_errors
from contractgen.errors import Problem, UserError

SEALED_SUFFIX = ".sealed.pdf"

# What verify says about the changes made after a signature (SignatureReport.changes).
CHANGES = {
    "none": "unchanged since signing",
    "allowed": "changed since signing only by form filling or further signatures (allowed)",
    "annotations": "CHANGED after signing: annotations were added or changed",
    "other": "CHANGED after signing",
}


def _tsa(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    if value is not None and (urlsplit(value).scheme not in ("http", "https") or not urlsplit(value).netloc):
        raise click.BadParameter(f"'{value}' is not an http(s) URL of a timestamp authority (RFC 3161)")
    return value


def _password(path: Path | None) -> bytes | None:
    if path is None:
        if sys.stdin.isatty():
            return click.prompt("Certificate password", hide_input=True, default="", show_default=False).encode() or None
        return None
    try:
        lines = path.read_bytes().splitlines()
    except OSError as exc:
        raise UserError(Problem(f"cannot read the password file: {exc.strerror}", file=str(path))) from None
    return lines[0] if lines else b""


@click.command("seal")
@click.argument("pdfs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--p12", "p12", required=True, type=click.Path(path_type=Path),
              help="The brand's (or agency's) certificate and key, as a PKCS#12 file (.p12/.pfx).")
@click.option("--password-file", type=click.Path(path_type=Path), default=None,
              help="A file whose first line is the certificate's password (else you are asked).")
@click.option("--field", "field_name", type=click.Choice(("brand", "agency")), default="brand", show_default=True,
              help="The signature field to sign: the brand's, or the agency's.")
@click.option("--tsa", callback=_tsa, default=None, metavar="URL",
              help="Timestamp authority URL: adds a trusted time (PAdES B-T) instead of the signer's clock (B-B).")
@click.option("--in-place", is_flag=True, help=f"Replace each PDF instead of writing NAME{SEALED_SUFFIX} beside it.")
@user_errors
def seal_command(pdfs: tuple[Path, ...], p12: Path, password_file: Path | None, field_name: str, tsa: str | None,
                 in_place: bool) -> None:
    """Sign contract PDFs in the brand's signature field (PAdES), leaving the others open.

    The seal is an incremental update: what the other parties sign is the same document.
    Refuses a wrong password and a certificate that has expired or is not yet valid.
    """
    from contractgen.output import write_atomic
    from contractgen.signing.seal import load_signer, seal, timestamper

    signer = load_signer(p12, _password(password_file))
    stamps = timestamper(tsa) if tsa else None
    failed = False
    for path in pdfs:
        try:
            data = path.read_bytes()
        except OSError as exc:
            click.echo(f"error: {path}: cannot read: {exc.strerror}", err=True)
            failed = True
            continue
        try:
            sealed = seal(data, signer, field_name, tsa=stamps, source=str(path))
        except UserError as exc:
            from contractgen.cli import report

            report(exc)
            failed = True
            continue
        target = path if in_place else path.with_name(path.name.removesuffix(".pdf") + SEALED_SUFFIX)
        write_atomic(target, sealed)
        click.echo(f"sealed {path} in field '{field_name}' ({'PAdES B-T' if tsa else 'PAdES B-B'}) -> {target}")
    if failed:
        sys.exit(1)


@click.command("verify")
@click.argument("pdfs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--trust", multiple=True, type=click.Path(path_type=Path),
              help="A root certificate (PEM or DER) the signers' certificates must chain to; repeatable.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON, for scripts.")
@user_errors
def verify_command(pdfs: tuple[Path, ...], trust: tuple[Path, ...], as_json: bool) -> None:
    """Report who signed each PDF, whether it changed after signing, and which fields are unsigned.

    Offline B-B validation: the signature against the signed bytes and the embedded
    certificate, and (with --trust) the certificate against your trust root; no revocation
    checks. Exit 0 when every PDF has signatures and all of them verify; 1 otherwise.
    """
    from contractgen.signing.seal import verify

    failed = False
    results = []
    for path in pdfs:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise UserError(Problem(f"cannot read: {exc.strerror}", file=str(path))) from None
        result = verify(data, list(trust), source=str(path))
        failed = failed or not result.ok
        if as_json:
            results.append({"file": str(path), "ok": result.ok, "unsigned": result.unsigned, "signatures": [
                {"field": s.field, "signer": s.signer, "signed_at": s.signed_at.isoformat() if s.signed_at else None,
                 "intact": s.intact, "changes": s.changes, "trusted": s.trusted, "timestamped": s.timestamped,
                 "ok": s.ok} for s in result.signatures]})
            continue
        click.echo(f"{path}: {'ok' if result.ok else 'NOT VERIFIED'}")
        if not result.signatures:
            click.echo("  no signatures")
        for s in result.signatures:
            when = f", {s.signed_at:%Y-%m-%d %H:%M %Z}" if s.signed_at else ""
            click.echo(f"  signed: {s.field} by {s.signer}{when} ({'PAdES B-T' if s.timestamped else 'PAdES B-B'})")
            state = "intact" if s.intact else "BROKEN: the signed bytes were altered"
            click.echo(f"    signature: {state}; {CHANGES[s.changes]}")
            click.echo("    certificate: " + ("trusted (chains to --trust)" if s.trusted else
                                             "NOT trusted by --trust" if s.trusted is False else
                                             "not checked against a trust root (give --trust FILE)"))
        click.echo(f"  unsigned fields: {', '.join(result.unsigned) if result.unsigned else 'none'}")
    if as_json:
        click.echo(json.dumps(results, indent=2, ensure_ascii=False))
    if failed:
        sys.exit(1)
