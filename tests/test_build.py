"""End to end: spec in, contract and brief per influencer out, in DOCX and PDF."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import SAMPLES, docx_text, pdf_text, run_cli, words


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.fixture(scope="module")
def full_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("full")
    result = run_cli("build", SAMPLES / "full.yaml", "--out", out)
    assert result.exit_code == 0, result.stderr
    return out


def test_every_influencer_gets_four_files_and_a_manifest(full_build: Path) -> None:
    manifest = json.loads((full_build / "manifest.json").read_text())
    assert manifest["campaign"] == "GLOW-2027-Q1"
    assert not manifest["failures"]
    for slug in ("mayaglows", "omid.daily", "sara.makes"):
        for name in ("contract.docx", "contract.pdf", "brief.docx", "brief.pdf"):
            assert (full_build / slug / name).stat().st_size > 1000
    contracts = [f for f in manifest["files"] if f["kind"] == "contract"]
    assert all(f["clauses"] and all("@" in c for c in f["clauses"]) for f in contracts)
    assert {f["path"] for f in manifest["files"]} >= {"mayaglows/contract.pdf", "sara.makes/brief.docx"}


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_contract_states_the_deal(full_build: Path, fmt: str) -> None:
    path = full_build / "mayaglows" / f"contract.{fmt}"
    text = _flat(docx_text(path) if fmt == "docx" else pdf_text(path))
    for expected in (
        "Lumen Skincare Inc.", "Maya Chen", "@mayaglows", "Northlight Media LLC",
        "$4,500", "$2,250",  # fee and the 50% instalment, as a US contract writes them
        "Glossier", "The Ordinary",  # named competitors in exclusivity
        "#ad", "Paid partnership",  # disclosure label and Instagram's tool
        "MAYAGLOWS15",  # discount code
        "February 10, 2027",  # publish window start, written the US way (a US campaign)
        "the State of California",
    ):
        assert expected in text, f"{expected!r} missing from {path.name}"
    assert "{{" not in text and "**" not in text


def test_gifted_only_influencer_still_gets_disclosure_duties(full_build: Path) -> None:
    text = _flat(pdf_text(full_build / "sara.makes" / "contract.pdf"))
    assert "Glow Serum full set" in text
    assert "#ad" in text
    assert "$4,000" not in text  # the campaign's default fee does not apply to her


def test_influencer_deliverables_override_the_campaign(full_build: Path) -> None:
    text = _flat(docx_text(full_build / "omid.daily" / "contract.docx"))
    assert "YouTube" in text and "$9,000" in text
    assert "TikTok" not in text


@pytest.mark.parametrize("kind", ["contract", "brief"])
def test_docx_and_pdf_say_the_same(full_build: Path, kind: str) -> None:
    docx_all = docx_text(full_build / "mayaglows" / f"{kind}.docx")
    pdf_all = pdf_text(full_build / "mayaglows" / f"{kind}.pdf")
    # Signature panels stand side by side, so line-based PDF text interleaves them: compare
    # the body in order and the signature block as a set of words.
    docx_body, _, docx_signatures = docx_all.partition("\nSignatures\n")
    pdf_body, _, pdf_signatures = pdf_all.partition("\nSignatures\n")
    # The PDF adds running headers and page footers; everything the DOCX body says is there, in order.
    it = iter(words(pdf_body))
    missing = [w for w in words(docx_body) if w not in it]
    assert not missing, missing[:20]
    assert set(words(docx_signatures)) <= set(words(pdf_signatures))


def test_brief_is_personal(full_build: Path) -> None:
    text = _flat(pdf_text(full_build / "mayaglows" / "brief.pdf"))
    assert "utm_source=instagram" in text.replace(" ", "")
    assert "MAYAGLOWS15" in text
    assert "Glow Serum gives visibly brighter skin in 14 days" in text
    omid = _flat(pdf_text(full_build / "omid.daily" / "brief.pdf"))
    assert "OMIDDAILY15" in omid and "MAYAGLOWS15" not in omid


def test_rebuild_gives_identical_bytes(full_build: Path, tmp_path: Path) -> None:
    assert run_cli("build", SAMPLES / "full.yaml", "--out", tmp_path).exit_code == 0
    for first in (p for p in full_build.rglob("*") if p.is_file()):
        second = tmp_path / first.relative_to(full_build)
        assert first.read_bytes() == second.read_bytes(), first.name


def test_minimal_spec_builds(tmp_path: Path) -> None:
    result = run_cli("build", SAMPLES / "minimal.yaml", "--out", tmp_path)
    assert result.exit_code == 0, result.stderr
    text = _flat(pdf_text(tmp_path / "alexruns" / "contract.pdf"))
    assert "Stride Footwear Ltd" in text and "£800" in text


def test_format_and_only_options(tmp_path: Path) -> None:
    result = run_cli("build", SAMPLES / "minimal.yaml", "--out", tmp_path, "--format", "pdf", "--only", "brief")
    assert result.exit_code == 0
    assert sorted(p.name for p in (tmp_path / "alexruns").glob("*.*") if p.suffix in (".pdf", ".docx")) == ["brief.pdf"]
    bad = run_cli("build", SAMPLES / "minimal.yaml", "--format", "odt")
    assert bad.exit_code == 2 and "use docx, pdf" in bad.stderr


HOSTILE = "A & B <Studio> **x** {{ 7*7 }}"


def test_hostile_strings_come_out_literally(make_spec, tmp_path: Path) -> None:
    def change(data):
        data["brand"]["legal_name"] = HOSTILE
        data["influencers"][0]["legal_name"] = "Eve [x](http://evil) {% if 1 %}y{% endif %} `z`"
        data["campaign"]["name"] = "<script>alert(1)</script> _under_ \\back"

    out = tmp_path / "out"
    result = run_cli("build", make_spec(change), "--out", out)
    assert result.exit_code == 0, result.stderr
    for name in ("contract.docx", "contract.pdf", "brief.docx", "brief.pdf"):
        path = out / "alexruns" / name
        text = _flat(docx_text(path) if name.endswith("docx") else pdf_text(path))
        assert HOSTILE in text, name
        assert "Eve [x](http://evil) {% if 1 %}y{% endif %} `z`" in text, name
        assert "<script>alert(1)</script> _under_ \\back" in text, name
        assert "49" not in text.split()


def test_default_output_folder_is_out_campaign_id(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run_cli("build", SAMPLES / "minimal.yaml", "--format", "pdf", "--only", "contract")
    assert result.exit_code == 0
    assert (tmp_path / "out" / "spring-sneaker-drop" / "alexruns" / "contract.pdf").is_file()
