"""Signing: PDF signature fields at the signature lines, e-sign anchors and envelopes, seal and verify."""

from __future__ import annotations

import io
import json
from functools import cache
from pathlib import Path

import pdfplumber
import pytest
from pypdf import PdfReader

from contractgen.build import assemble, engagements
from contractgen.document import Signing
from contractgen.render.docx import render_docx
from contractgen.render.pdf import render_pdf
from contractgen.spec import load_spec
from contractgen.toolkit import Toolkit
from tests.conftest import SAMPLES, docx_text, pdf_text, run_cli

FULL = SAMPLES / "full.yaml"
PERSIAN = SAMPLES / "persian.yaml"
PLAIN = Signing()


@cache
def _kit() -> Toolkit:
    return Toolkit()


@cache
def contract(spec: Path, who: int = 0, signing: Signing = PLAIN, fmt: str = "pdf") -> bytes:
    """One influencer's contract, rendered (cached: tests share the renders)."""
    kit = _kit()
    engagement = engagements(load_spec(spec), kit)[who]
    document = assemble(engagement, "contract", kit, None, signing)
    return render_pdf(document) if fmt == "pdf" else render_docx(document)


def widgets(pdf: bytes) -> dict[str, tuple[int, str, list[float]]]:
    """Field name → (page number, field type, rectangle) for every widget of the PDF."""
    out = {}
    for number, page in enumerate(PdfReader(io.BytesIO(pdf)).pages, start=1):
        for annot in page.get("/Annots") or []:
            a = annot.get_object()
            out[str(a["/T"])] = (number, str(a["/FT"]), [float(v) for v in a["/Rect"]])
    return out


# --- signature fields ------------------------------------------------------------------------

def test_one_signature_field_per_party_on_its_signature_line() -> None:
    pdf = contract(FULL)  # Maya: brand, agency, herself and her agent sign
    fields = PdfReader(io.BytesIO(pdf)).get_fields() or {}
    signatures = {name for name, f in fields.items() if f.get("/FT") == "/Sig"}
    assert signatures == {"brand", "agency", "influencer", "agent"}
    found = widgets(pdf)
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        for name in signatures:
            number, _, (x0, y0, x1, y1) = found[name]
            page = doc.pages[number - 1]
            height = float(page.height)
            # The rule the panel draws: right under the field, exactly as wide.
            rules = [ln for ln in page.lines if abs((height - ln["top"]) - y0) < 1.5
                     and abs(ln["x0"] - x0) < 1 and abs(ln["x1"] - x1) < 1]
            assert rules, f"{name}: no signature line under the field"
            # The caption "Signature" just below that line, inside the panel's column.
            caption = [w for w in page.extract_words() if w["text"] == "Signature" and x0 - 1 <= w["x0"] < x1
                       and 0 < w["top"] - (height - y0) < 12]
            assert caption, f"{name}: the field is not above its panel's caption"
            assert y1 - y0 > 20  # room to sign
    # Name fields only where the panel leaves the name blank (the agency has no signatory);
    # a date field for every party.
    texts = {name for name, (_, kind, _) in found.items() if kind == "/Tx"}
    assert texts == {"agency_name", "brand_date", "agency_date", "influencer_date", "agent_date"}


def test_fields_are_the_same_bytes_every_time_and_in_persian() -> None:
    kit = _kit()
    engagement = engagements(load_spec(FULL), kit)[1]
    document = assemble(engagement, "contract", kit, None)
    assert render_pdf(document) == render_pdf(document)
    pdf = contract(PERSIAN)
    found = widgets(pdf)
    assert {n for n, (_, kind, _) in found.items() if kind == "/Sig"} == {"brand", "agency", "influencer"}
    # Right to left: the first panel (the brand's) is the right-hand one.
    assert found["brand"][2][0] > found["agency"][2][0]


def test_initials_on_every_page() -> None:
    pdf = contract(FULL, 2, Signing(initials=True))  # Sara: brand, agency, herself
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    found = widgets(pdf)
    initials = {n: v for n, v in found.items() if "_initials_" in n}
    assert len(initials) == 3 * pages
    for number in range(1, pages + 1):
        for key in ("brand", "agency", "influencer"):
            page, kind, rect = initials[f"{key}_initials_p{number}"]
            assert (page, kind) == (number, "/Tx") and rect[1] < 60  # in the footer
    assert "Initials" in pdf_text(pdf).split("\f")[0]
    assert "_initials_" not in json.dumps(list(widgets(contract(FULL, 2))))


# --- e-sign anchors ------------------------------------------------------------------------

# The services' own syntax for signer 1's signature and signer 3's date field.
DOCUMENTED = {
    "docusign": ("\\s1\\", "\\d3\\"),
    "dropbox": ("[sig|req|signer1]", "[date|req|signer3]"),
    "documenso": ("{{signature, r1}}", "{{date, r3}}"),
    "adobe": ("{{Sig1_es_:signer1:signature}}", "{{Date3_es_:signer3:date}}"),
}


@pytest.mark.parametrize("service", sorted(DOCUMENTED))
def test_anchors_are_written_invisibly_in_pdf_and_docx(service: str) -> None:
    signature, date = DOCUMENTED[service]
    pdf = contract(FULL, 2, Signing(anchors=service))
    text = last_page_text(pdf)
    assert signature in text and date in text
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        anchored = [c for c in doc.pages[-1].chars if c["size"] < 7.5]
        assert anchored and all(tuple(c["non_stroking_color"]) == (1, 1, 1) for c in anchored)  # white
    docx = contract(FULL, 2, Signing(anchors=service), "docx")
    body = docx_text(docx)
    assert signature in body and date in body
    assert b'w:color w:val="FFFFFF"' in _document_xml(docx)
    assert signature not in last_page_text(contract(FULL, 2))  # only when asked for


def last_page_text(pdf: bytes | Path) -> str:
    """The text of the last page (where the signatures are): reading the whole file is slow."""
    with pdfplumber.open(io.BytesIO(pdf) if isinstance(pdf, bytes) else pdf) as doc:
        return doc.pages[-1].extract_text()


def _document_xml(docx: bytes) -> bytes:
    import zipfile

    return zipfile.ZipFile(io.BytesIO(docx)).read("word/document.xml")


def test_build_writes_the_envelope_manifest(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run_cli("build", FULL, "--out", out, "--only", "contract", "--format", "pdf", "--esign", "docusign")
    assert result.exit_code == 0, result.output
    data = json.loads((out / "signers.json").read_text())
    assert data["service"] == "docusign" and len(data["documents"]) == 3
    maya = data["documents"][0]
    assert maya["files"] == ["mayaglows/contract.pdf"]
    people = [(s["role"], s["name"], s["email"], s["routing_order"]) for s in maya["signers"]]
    assert people == [("brand", "Dana Whitfield", "priya@lumen.example", 1),  # the brand's contact receives it
                      ("agency", None, "sam@northlight.example", 2),
                      ("influencer", "Maya Chen", "maya@example.com", 3),
                      ("agent", "Jo Park", "jo@talent.example", 4)]
    text = last_page_text(out / "mayaglows" / "contract.pdf")
    for signer in maya["signers"]:
        for tabs in signer["tabs"].values():
            assert tabs[0]["anchorString"] in text  # every tab the request names is in the document
    assert "fullNameTabs" in maya["signers"][1]["tabs"] and "fullNameTabs" not in maya["signers"][0]["tabs"]
    manifest = json.loads((out / "manifest.json").read_text())
    assert "signers.json" in [f["path"] for f in manifest["files"]]
    assert not (tmp_path / "plain").exists()
    plain = tmp_path / "plain"
    assert run_cli("build", FULL, "--out", plain, "--only", "contract", "--format", "pdf").exit_code == 0
    assert not (plain / "signers.json").exists()
    assert run_cli("build", FULL, "--esign", "nosuch").exit_code == 2


# --- seal and verify ---------------------------------------------------------------------

def _certificate(folder: Path, name: str, password: bytes, days: tuple[int, int]) -> tuple[Path, Path]:
    """A self-signed certificate and key, valid from ``days[0]`` to ``days[1]`` days from now, as PKCS#12 + PEM."""
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name),
                         x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Lumen Skincare Inc.")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now + dt.timedelta(days=days[0])).not_valid_after(now + dt.timedelta(days=days[1]))
            .add_extension(x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True)
            .sign(key, hashes.SHA256()))
    p12 = folder / f"{name.split()[0].lower()}.p12"
    p12.write_bytes(pkcs12.serialize_key_and_certificates(b"key", key, cert, None,
                                                          serialization.BestAvailableEncryption(password)))
    pem = p12.with_suffix(".pem")
    pem.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return p12, pem


@pytest.fixture(scope="module")
def sealed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Maya's contract sealed by the brand with a test certificate made here."""
    folder = tmp_path_factory.mktemp("seal")
    p12, pem = _certificate(folder, "Dana Whitfield", b"s3cret pass", (-1, 30))
    (folder / "password").write_text("s3cret pass\n")
    original = folder / "contract.pdf"
    original.write_bytes(contract(FULL))
    result = run_cli("seal", original, "--p12", p12, "--password-file", folder / "password")
    assert result.exit_code == 0, result.output
    return {"folder": folder, "p12": p12, "pem": pem, "original": original, "sealed": folder / "contract.sealed.pdf"}


def test_seal_verifies_and_leaves_the_other_fields_open(sealed: dict[str, Path]) -> None:
    from pyhanko.keys import load_cert_from_pemder
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.fields import enumerate_sig_fields
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    data = sealed["sealed"].read_bytes()
    original = sealed["original"].read_bytes()
    assert data.startswith(original)  # an incremental update: the signed document is the built one
    reader = PdfFileReader(io.BytesIO(data))
    (signature,) = reader.embedded_signatures
    assert signature.field_name == "brand"
    context = ValidationContext(trust_roots=[load_cert_from_pemder(str(sealed["pem"]))], allow_fetching=False)
    status = validate_pdf_signature(signature, context)
    assert status.intact and status.valid and status.trusted
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    empty = {name for name, value, _ in enumerate_sig_fields(reader) if value is None}
    assert empty == {"agency", "influencer", "agent"}

    report = run_cli("verify", sealed["sealed"], "--trust", sealed["pem"])
    assert report.exit_code == 0, report.output
    assert "signed: brand by Dana Whitfield (Lumen Skincare Inc.)" in report.stdout
    assert "intact; unchanged since signing" in report.stdout
    assert "certificate: trusted" in report.stdout
    assert "unsigned fields: agency, influencer, agent" in report.stdout
    untrusted = run_cli("verify", sealed["sealed"])
    assert untrusted.exit_code == 0 and "not checked against a trust root" in untrusted.stdout


def test_a_byte_flipped_after_sealing_fails(sealed: dict[str, Path], tmp_path: Path) -> None:
    data = bytearray(sealed["sealed"].read_bytes())
    # One bit of a stream's data in the first revision (which the signature covers): the file
    # still reads as a PDF, so it is the signature check that must catch it.
    data[data.index(b"stream", len(data) // 3) + 40] ^= 0x01
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(bytes(data))
    report = run_cli("verify", broken, "--trust", sealed["pem"], "--json")
    assert report.exit_code == 1
    (result,) = json.loads(report.stdout)
    assert result["ok"] is False and result["signatures"][0]["intact"] is False


def test_a_later_signature_is_an_allowed_change(sealed: dict[str, Path]) -> None:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers

    p12, _ = _certificate(sealed["folder"], "Maya Chen", b"maya", (-1, 30))
    maya = signers.SimpleSigner.load_pkcs12_data(p12.read_bytes(), [], passphrase=b"maya")
    writer = IncrementalPdfFileWriter(io.BytesIO(sealed["sealed"].read_bytes()))
    both = signers.sign_pdf(writer, signers.PdfSignatureMetadata(field_name="influencer"), signer=maya,
                            existing_fields_only=True).getvalue()
    path = sealed["folder"] / "both.pdf"
    path.write_bytes(both)
    (result,) = json.loads(run_cli("verify", path, "--json").stdout)
    assert [s["field"] for s in result["signatures"]] == ["brand", "influencer"]
    assert result["signatures"][0]["changes"] == "allowed" and result["ok"]
    assert result["unsigned"] == ["agency", "agent"]


def test_seal_refuses_clearly(sealed: dict[str, Path]) -> None:
    folder = sealed["folder"]
    (folder / "wrong").write_text("not it\n")
    wrong = run_cli("seal", sealed["original"], "--p12", sealed["p12"], "--password-file", folder / "wrong")
    assert wrong.exit_code == 1 and "the password is wrong" in wrong.output
    expired, _ = _certificate(folder, "Old Key", b"old", (-60, -1))
    (folder / "old").write_text("old")
    refused = run_cli("seal", sealed["original"], "--p12", expired, "--password-file", folder / "old")
    assert refused.exit_code == 1 and "expired on" in refused.output
    again = run_cli("seal", sealed["sealed"], "--p12", sealed["p12"], "--password-file", folder / "password")
    assert again.exit_code == 1 and "already signed" in again.output
    bad_tsa = run_cli("seal", sealed["original"], "--p12", sealed["p12"], "--tsa", "ftp://tsa.example")
    assert bad_tsa.exit_code == 2 and "--tsa" in bad_tsa.output
    # A well-formed URL is accepted and used; no server listens on this port, so signing fails.
    unreachable = run_cli("seal", sealed["original"], "--p12", sealed["p12"], "--password-file", folder / "password",
                          "--tsa", "http://127.0.0.1:9/tsa", "--field", "agency")
    assert unreachable.exit_code == 1 and "signing failed" in unreachable.output
