"""German documents (campaign.language: de, jurisdiction DE), built once from samples/de-de.yaml.

The tests read what a German signer sees, in the DOCX and in the PDF: German contract wording,
German numbers and dates, the same text in both formats, and no English sentence left over.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import ROOT, SAMPLES, run_cli, words
from conftest import docx_text as docx_raw
from conftest import pdf_text as pdf_raw

SPEC = SAMPLES / "de-de.yaml"
PAID, GIFTED = "miriam.pflegt", "jana.natuerlich"

# Words that are English and never German, matched as whole words in any capitals. German
# homographs ("also", "will", "die", "war", "hat", "Brand" = fire) are left out on purpose.
ENGLISH = {
    "the", "and", "of", "with", "shall", "this", "that", "which", "must", "may", "any", "each",
    "under", "after", "before", "within", "agreement", "schedule", "clause", "fee",
    "deliverable", "deliverables", "page", "signature", "signed", "days", "hours", "business",
    "payment", "influencer's", "without", "unless", "where",
}


def docx_text(path: Path) -> str:
    """DOCX text with the no-break spaces German typesetting puts after "§" read as spaces."""
    return docx_raw(path).replace("\u00a0", " ")


def pdf_text(path: Path) -> str:
    """PDF text with no-break spaces read as spaces."""
    return pdf_raw(path).replace("\u00a0", " ")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The German sample built once: contracts, briefs and summary, DOCX and PDF."""
    out = tmp_path_factory.mktemp("de-de")
    result = run_cli("build", SPEC, "--out", out)
    assert result.exit_code == 0, result.output
    return out


def spec_values() -> list[str]:
    """Every text the spec itself supplies (printed as typed, so not ours to translate)."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
        elif isinstance(node, str):
            found.append(node)

    walk(yaml.safe_load(SPEC.read_text(encoding="utf-8")))
    return sorted(found, key=len, reverse=True)


def our_words(text: str) -> str:
    """The text with spec values, URLs, e-mail addresses and handles taken out."""
    for value in spec_values():
        text = text.replace(value, " ")
    return re.sub(r"\S+@\S+|https?://\S+|@[\w.]+", " ", text)


def test_contract_speaks_german_contract_language(built: Path) -> None:
    text = docx_text(built / PAID / "contract.docx")
    assert "Vertrag über Influencer-Marketing" in text
    assert "(nachfolgend „Auftraggeber“)" in text and "(nachfolgend „Influencer“)" in text
    # the DE pack's clauses: liability carve-outs, § 648 BGB, § 38 ZPO, KSK and § 19 UStG
    assert "vorsätzlich oder grob fahrlässig" in text and "Produkthaftungsgesetz" in text
    assert "vertragstypischen, bei Vertragsschluss vorhersehbaren Schaden" in text
    assert "§ 648 BGB" in text and "§ 648 Satz 2 BGB" in text
    assert "§ 38 ZPO" in text and "Kaufleute im Sinne des Handelsgesetzbuchs" in text
    assert "Künstlersozialabgabe" in text and "§ 19 UStG" in text
    assert "dem Recht der Bundesrepublik Deutschland" in text
    assert "„Bezahlte Werbepartnerschaft“" in text and "„Werbung“" in text
    assert re.search(r"nach § \d+", text)  # cross-references as German contracts number them


def test_german_numbers_and_dates_in_both_formats(built: Path) -> None:
    for text in (docx_text(built / PAID / "contract.docx"), pdf_text(built / PAID / "contract.pdf")):
        assert "4.500,00 €" in text  # the fee, with the euro's two minor units
        assert "2.250,00 €" in text  # each instalment
        assert "1. Februar 2027" in text  # campaign start
        assert "86.000 Follower" in text
        assert "EUR 4,500" not in text and "February" not in text


def test_docx_and_pdf_carry_the_same_text(built: Path) -> None:
    furniture = {"Seite", "von", "Nordlicht"}  # the PDF's running header and page numbers
    for folder in (PAID, GIFTED):
        for document in ("contract", "brief"):
            in_word = Counter(words(docx_text(built / folder / f"{document}.docx")))
            in_pdf = Counter(words(pdf_text(built / folder / f"{document}.pdf")))
            assert not in_word - in_pdf, f"{folder}/{document}: only in the DOCX"
            assert set(in_pdf - in_word) <= furniture, f"{folder}/{document}: only in the PDF"


@pytest.mark.parametrize("document", ["contract", "brief"])
@pytest.mark.parametrize("folder", [PAID, GIFTED])
def test_no_english_left_in_german_documents(built: Path, folder: str, document: str) -> None:
    for text in (docx_text(built / folder / f"{document}.docx"), pdf_text(built / folder / f"{document}.pdf")):
        left = sorted({w for w in re.findall(r"[^\W\d_]+(?:'s)?", our_words(text)) if w.lower() in ENGLISH})
        assert not left, f"{folder}/{document}: English words {left}"


def test_gifted_contract_has_no_fee_wording(built: Path) -> None:
    text = docx_text(built / GIFTED / "contract.docx")
    assert "Das Produkt" in text and "89,00 €" in text
    for word in ("Vergütung", "Rechnung", "Rate", "Ausfallvergütung"):
        assert not re.search(rf"\b{word}\b", text), word


def test_a_missing_german_text_is_a_lint_warning(tmp_path: Path) -> None:
    library = tmp_path / "library"
    library.mkdir()
    data = yaml.safe_load((ROOT / "clauses" / "cadence.yaml").read_text(encoding="utf-8"))
    clause = data["clauses"][0]
    del clause["text"]["de"]
    clause["version"] = "99.0.0"
    (library / "cadence.yaml").write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    assert run_cli("clauses", "lock", "--library", library).exit_code == 0
    result = run_cli("clauses", "lint", "--library", library)
    assert result.exit_code == 0, result.output
    output = result.output + (result.stderr or "")
    line = next((x for x in output.splitlines() if "cadence@99.0.0" in x and "'de'" in x), None)
    assert line is not None and "warning" in line, output
