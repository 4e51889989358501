"""Jurisdiction packs: each country's wording, paper, dates and required fields, as data.

The samples for the US, GB, DE and FR are built once; each test reads what a local lawyer
would look for in the contract.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import SAMPLES
from docx import Document as WordDocument
from pypdf import PdfReader

PACKS = {"US": "us-paid", "GB": "gb-gifting", "DE": "de", "FR": "fr"}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Country → the folder of its sample's (only) influencer."""
    from click.testing import CliRunner

    from contractgen.cli import main

    out = {}
    for country, name in PACKS.items():
        folder = tmp_path_factory.mktemp(name)
        result = CliRunner().invoke(main, ["build", str(SAMPLES / f"{name}.yaml"), "--out", str(folder),
                                           "--only", "contract"])
        assert result.exit_code == 0, result.output
        out[country] = next(p for p in folder.iterdir() if p.is_dir())
    return out


def text(folder: Path) -> str:
    word = WordDocument(str(folder / "contract.docx"))
    return " ".join(p.text for p in word.paragraphs)


# What a local lawyer looks for, per pack (each from ../shared/domain/jurisdictions.md).
WORDING = {
    "US": ["the law of the State of California", "American Arbitration Association under its Commercial "
           "Arbitration Rules, before a single arbitrator", "strike and rank the names on a list the AAA sends",
           "16 CFR Part 255", "16 CFR Part 465", "IRS Form W-9", "section 1668 of the California Civil Code"],
    "GB": ["registered in England and Wales (company number 09876543)", "registered office",
           "courts of England and Wales have exclusive jurisdiction", "Contracts (Rights of Third Parties) Act 1999",
           "sections 77 to 80 of the Copyright, Designs and Patents Act 1988", "Unfair Contract Terms Act 1977",
           "Consumer Rights Act 2015", "UK GDPR", "CAP Code"],
    "DE": ["Amtsgericht München HRB 234567", "section 648 of the German Civil Code", "Produkthaftungsgesetz",
           "cardinal duty", "gross negligence", "injury to life, body or health", "merchants (Kaufleute)",
           "Künstlersozialabgabe", "section 19 of the German VAT Act", "Regulation (EC) No 1924/2006",
           "Bezahlte Werbepartnerschaft", "Bavaria", "“Werbung”"],
    "FR": ["governed by French law", "merchants (commerçants)", "tax resident in France",
           "Law No. 2023-451", "“Publicité”", "cosmetic surgery", "Regulation (EC) No 1924/2006"],
}


@pytest.mark.parametrize("country", sorted(WORDING))
def test_pack_wording_is_in_the_contract(built: dict[str, Path], country: str) -> None:
    body = text(built[country])
    missing = [w for w in WORDING[country] if w not in body]
    assert not missing, f"{country}: {missing}"


@pytest.mark.parametrize("country", sorted(WORDING))
def test_other_packs_wording_stays_out(built: dict[str, Path], country: str) -> None:
    body = text(built[country])
    foreign = {"US": "American Arbitration Association", "GB": "Contracts (Rights of Third Parties) Act",
               "DE": "Produkthaftungsgesetz", "FR": "commerçants"}
    assert [c for c, w in foreign.items() if c != country and w in body] == []


def test_german_cap_does_not_exclude_indirect_loss(built: dict[str, Path]) -> None:
    # In German standard terms a blanket exclusion of indirect loss and lost profit is void.
    assert "indirect or consequential loss" not in text(built["DE"])


def test_us_contract_is_on_letter_paper_with_us_dates(built: dict[str, Path]) -> None:
    pdf = PdfReader(built["US"] / "contract.pdf")
    assert (float(pdf.pages[0].mediabox.width), float(pdf.pages[0].mediabox.height)) == (612, 792)
    word = WordDocument(str(built["US"] / "contract.docx"))
    assert round(word.sections[0].page_width.inches, 2) == 8.5
    cells = [c.text for t in word.tables for r in t.rows for c in r.cells]
    assert any("June 8, 2027" in c for c in cells)
    gb = PdfReader(built["GB"] / "contract.pdf")
    assert round(float(gb.pages[0].mediabox.height)) == 842  # A4 elsewhere
    assert "10 May 2027" in " ".join(c.text for t in WordDocument(str(built["GB"] / "contract.docx")).tables
                                     for r in t.rows for c in r.cells)


def test_a_missing_field_the_law_requires_is_a_finding(cli: Callable[..., Any], tmp_path: Path) -> None:
    data = yaml.safe_load((SAMPLES / "fr.yaml").read_text())
    del data["influencers"][0]["tax_residence"]
    spec = tmp_path / "fr.yaml"
    spec.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    found = json.loads(cli("validate", "--json", spec).output)[0]["findings"]
    hit = [f for f in found if f["rule"] == "R8.pack-requirement"]
    assert [(f["field"], f["severity"]) for f in hit] == [("influencers[0].tax_residence", "error")]
    assert "2023-451" in hit[0]["message"]
    assert cli("build", spec, "--out", tmp_path / "out").exit_code == 1  # an error blocks the build


def test_a_lawyer_adds_a_pack_without_python(cli: Callable[..., Any], tmp_path: Path) -> None:
    # An overlay folder with jurisdictions/<CC>.yaml: a floor for the cap and a required field.
    overlay = tmp_path / "firm"
    (overlay / "jurisdictions").mkdir(parents=True)
    (overlay / "jurisdictions" / "GB.yaml").write_text(
        "code: GB\nliability_floor: {GBP: 25000}\nrequires:\n"
        "  - field: brand.website\n    message: our firm prints the Brand's website\n    hint: set brand.website\n")
    spec = SAMPLES / "gb-gifting.yaml"
    found = json.loads(cli("validate", "--json", "--library", overlay, spec).output)[0]["findings"]
    assert "brand.website" in [f["field"] for f in found if f["rule"] == "R8.pack-requirement"]
    out = tmp_path / "out"
    result = cli("build", spec, "--out", out, "--library", overlay, "--only", "contract", "--format", "docx")
    assert result.exit_code == 0, result.output
    assert "limited to GBP 25,000" in text(out / "alexruns")


def test_a_pack_file_must_be_named_for_its_code(cli: Callable[..., Any], tmp_path: Path) -> None:
    overlay = tmp_path / "firm"
    (overlay / "jurisdictions").mkdir(parents=True)
    (overlay / "jurisdictions" / "GB.yaml").write_text("code: DE\n")
    result = cli("clauses", "lint", "--library", overlay)
    assert result.exit_code == 1
    assert "GB.yaml" in result.output and "does not match the file name" in result.output


# The packs without a sample of their own: the US paid deal moved to each country, built once as DOCX.
MOVED = {"CA": "CAD", "AU": "AUD", "IR": "IRR"}
MOVED_WORDING = {
    "CA": ["the federal laws of Canada applicable there", "article 1474 of the Civil Code of Québec",
           "Regulation 105", "in Québec, children under 13", "the Competition Act"],
    "AU": ["Australian Consumer Law that cannot lawfully be excluded", "quote an ABN",
           "Therapeutic Goods Advertising Code", "AANA Code of Ethics"],
    "IR": ["the law of the Islamic Republic of Iran", "Official Gazette, with the company seal"],
}


@pytest.fixture(scope="module")
def moved(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Country → the contract folder of the US sample rewritten for that country."""
    from click.testing import CliRunner

    from contractgen.cli import main

    spec = yaml.safe_load((SAMPLES / "us-paid.yaml").read_text(encoding="utf-8"))
    out = {}
    for country, currency in MOVED.items():
        data = json.loads(json.dumps(spec, default=str))
        data["campaign"].update(jurisdiction=country, currency=currency)
        data["legal"] = {"disputes": "courts"}
        data["usage_rights"]["territory"] = country
        folder = tmp_path_factory.mktemp(country)
        path = folder / "spec.yaml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        result = CliRunner().invoke(main, ["build", str(path), "--out", str(folder / "out"), "--only", "contract",
                                           "--format", "docx", "--force"])
        assert result.exit_code == 0, result.output
        out[country] = next(p for p in (folder / "out").iterdir() if p.is_dir())
    return out


@pytest.mark.parametrize("country", sorted(MOVED))
def test_packs_without_a_sample_have_their_wording(moved: dict[str, Path], country: str) -> None:
    body = text(moved[country])
    missing = [w for w in MOVED_WORDING[country] if w not in body]
    assert not missing, f"{country}: {missing}"
    others = {w for c, words in MOVED_WORDING.items() if c != country for w in words[:2]}
    assert [w for w in others if w in body] == []
