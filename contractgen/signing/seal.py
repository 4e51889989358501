"""Sealing a contract PDF with the brand's (or agency's) certificate, and verifying signatures.

Both use pyHanko (the optional ``sign`` extra). A seal is a PAdES baseline signature (B-B, or
B-T with a timestamp authority) in the party's own signature field, added as an incremental
update so the other parties' fields stay open for them. Verification is B-B validation
without the network: the signature's integrity and the document's changes since, and the
signer's certificate against a trust root the user gives (no revocation fetching).
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from contractgen.errors import Problem, UserError

STAMP_TEXT = "Digitally signed by %(signer)s\n%(ts)s"


def _pyhanko() -> None:
    try:
        import pyhanko  # noqa: F401
    except ImportError:
        raise UserError(Problem("sealing and verifying need pyHanko, which is not installed",
                                hint="pip install 'contractgen[sign]'")) from None


def who(cert: Any) -> str:
    """A certificate's holder as people read it: ``Dana Whitfield (Lumen Skincare Inc.)``."""
    names = cert.subject.native
    name = names.get("common_name") or cert.subject.human_friendly
    org = names.get("organization_name")
    return f"{name} ({org})" if org and org != name else str(name)


def load_signer(p12: Path, password: bytes | None, today: dt.datetime | None = None) -> Any:
    """The signer in a PKCS#12 file; refuses a wrong password and a certificate not valid now."""
    _pyhanko()
    from pyhanko.sign import signers

    try:
        data = p12.read_bytes()
    except OSError as exc:
        raise UserError(Problem(f"cannot read the certificate file: {exc.strerror}", file=str(p12))) from None
    try:
        signer = signers.SimpleSigner.load_pkcs12_data(data, [], passphrase=password)
    except ValueError:
        raise UserError(Problem("cannot open the certificate file: the password is wrong, or it is not a PKCS#12 "
                                "(.p12/.pfx) file with a key", file=str(p12),
                                hint="check the password: the first line of --password-file")) from None
    validity = signer.signing_cert["tbs_certificate"]["validity"]
    start, end = validity["not_before"].native, validity["not_after"].native
    now = today or dt.datetime.now(dt.UTC)
    subject = who(signer.signing_cert)
    if now > end:
        raise UserError(Problem(f"the certificate of {subject} expired on {end:%Y-%m-%d}: a seal made with it "
                                "would not validate", file=str(p12), hint="renew the certificate and seal again"))
    if now < start:
        raise UserError(Problem(f"the certificate of {subject} is valid only from {start:%Y-%m-%d}", file=str(p12)))
    return signer


def timestamper(url: str) -> Any:
    """A timestamp client for PAdES B-T (RFC 3161 over HTTP); used only when sealing."""
    _pyhanko()
    from pyhanko.sign.timestamps import HTTPTimeStamper

    return HTTPTimeStamper(url)


def seal(pdf: bytes, signer: Any, field_name: str, *, tsa: Any = None, source: str = "") -> bytes:
    """``pdf`` with a PAdES signature in the empty signature field ``field_name``."""
    _pyhanko()
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.sign import fields, signers
    from pyhanko.stamp import TextStampStyle

    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
        found = {name: value for name, value, _ in fields.enumerate_sig_fields(writer.prev)}
    except (PdfError, ValueError, KeyError) as exc:
        raise UserError(Problem(f"not a PDF that can be signed ({exc})", file=source)) from None
    if field_name not in found:
        have = ", ".join(found) or "none"
        raise UserError(Problem(f"no signature field '{field_name}' (fields: {have})", file=source,
                                hint="build the contract with contractgen to get a field per party"))
    if found[field_name] is not None:
        raise UserError(Problem(f"the field '{field_name}' is already signed", file=source))
    meta = signers.PdfSignatureMetadata(field_name=field_name, subfilter=fields.SigSeedSubFilter.PADES,
                                        md_algorithm="sha256", use_pades_lta=False)
    style = TextStampStyle(stamp_text=STAMP_TEXT, background=None, border_width=1)
    pdf_signer = signers.PdfSigner(meta, signer=signer, timestamper=tsa, stamp_style=style)
    try:
        return pdf_signer.sign_pdf(writer, existing_fields_only=True).getvalue()
    except Exception as exc:  # the timestamp server, mostly: say what failed, not where in pyHanko
        raise UserError(Problem(f"signing failed: {exc}", file=source)) from None


@dataclass
class SignatureReport:
    """What verification found out about one signature."""

    field: str
    signer: str
    signed_at: dt.datetime | None
    intact: bool  # the signed bytes are unchanged and the signature matches them
    changes: str  # none | allowed (form filling, further signatures) | annotations | other
    trusted: bool | None  # None: no trust root given
    timestamped: bool

    @property
    def ok(self) -> bool:
        """Intact, no changes beyond filling and signing, and trusted when a root was given."""
        return self.intact and self.changes in ("none", "allowed") and self.trusted is not False


@dataclass
class Verification:
    """Signatures and unsigned signature fields of one PDF."""

    signatures: list[SignatureReport] = field(default_factory=list)
    unsigned: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """At least one signature, and every signature ok."""
        return bool(self.signatures) and all(s.ok for s in self.signatures)


def verify(pdf: bytes, trust: list[Path] | None = None, source: str = "") -> Verification:
    """B-B validation of every signature in ``pdf``, offline; ``trust``: root certificate files."""
    _pyhanko()
    from pyhanko.keys import load_cert_from_pemder
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign import fields
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    roots = []
    for path in trust or ():
        try:
            roots.append(load_cert_from_pemder(str(path)))
        except (OSError, ValueError) as exc:
            raise UserError(Problem(f"not a certificate (PEM or DER): {exc}", file=str(path))) from None
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        sigs = list(reader.embedded_signatures)
        unsigned = [name for name, value, _ in fields.enumerate_sig_fields(reader) if value is None]
    except (PdfError, ValueError, KeyError) as exc:
        raise UserError(Problem(f"NOT VERIFIED: the file is damaged or was altered, it no longer reads as a PDF ({exc})",
                                file=source)) from None
    result = Verification(unsigned=unsigned)
    for sig in sigs:
        # Without a trust root, the signer's own certificate is the anchor: the signature is
        # checked, the identity is not (reported as such).
        anchors = roots or [sig.signer_cert]
        context = ValidationContext(trust_roots=anchors, allow_fetching=False, revocation_mode="soft-fail")
        try:
            status = validate_pdf_signature(sig, context)
            intact, level, coverage = status.intact and status.valid, status.modification_level, status.coverage
            trusted = status.trusted if roots else None
            timestamped = status.timestamp_validity is not None
            when = status.signer_reported_dt
        except Exception:  # a mangled signature or byte range: it does not verify
            intact, level, coverage, trusted, timestamped, when = False, None, None, False if roots else None, False, None
        if coverage == SignatureCoverageLevel.ENTIRE_FILE:
            changes = "none"
        elif level is not None and level <= ModificationLevel.FORM_FILLING:
            changes = "allowed"
        elif level == ModificationLevel.ANNOTATIONS:
            changes = "annotations"
        else:
            changes = "other"
        result.signatures.append(SignatureReport(sig.field_name, who(sig.signer_cert), when,
                                                 intact, changes, trusted, timestamped))
    return result
