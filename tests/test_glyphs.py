"""No silent loss: every character of a spec is drawn in the PDF or refused before anything is written.

* Names in many scripts either come back from the PDF's text or are refused by ``validate``,
  ``build`` and ``batch`` with the field, the characters (U+XXXX and as text) and the remedy.
* ``--font FILE`` adds a font (one a pip package ships, found through the package).
* DOCX runs name the same fallback font (w:rFonts) as the PDF uses for those letters.
* Values that validation accepts render, however long and unbroken, in both directions, and
  the text layer gives them back whole (also a word wrapped after "/" in a Persian contract).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pdfplumber
import pytest
from conftest import SAMPLES, docx_text, pdf_text, run_cli

from contractgen.build import assemble, engagements, render
from contractgen.spec.models import CampaignSpec
from contractgen.toolkit import Toolkit

# (script, legal name): each one must be found in the PDF's text.
DRAWN = [
    ("Czech", "Antonín Dvořák"),
    ("Turkish", "Ştefan Şahin Gıda A.Ş."),
    ("Vietnamese", "Nguyễn Thị Minh Khai"),
    ("Greek", "Γιώργος Παπαδόπουλος"),
    ("Cyrillic", "Пётр Ильич Чайковский"),
    ("Devanagari", "अनुष्का शर्मा"),
    ("Thai", "สมชาย ใจดี"),
    ("Hebrew", "דוד בן גוריון"),
    ("Persian", "نیلوفر رحمانی"),
    ("Arabic", "مريم العلي"),
    ("Polish", "Łucja Wąsowska-Żak"),
]
# (script, legal name, the characters the message must name): no installed font has them.
REFUSED = [
    ("CJK", "王小明", "王小明"),
    ("emoji", "Ana Flores 🌸", "🌸"),
    ("Armenian", "Արամ Խաչատրյան", "Արմ"),
    ("Georgian", "ნინო ბერიძე", "ნინო"),
    ("Khmer", "សុខ ចាន់", "សុខ"),
]


def _spec(make_spec: Callable[..., Path], name: str, **changes: Any) -> Path:
    def change(data: dict[str, Any]) -> None:
        data["influencers"][0]["legal_name"] = name
        for key, value in changes.items():
            data[key] = value

    return make_spec(change)


def _khmer_font() -> Path:
    import fontpkg_noto_sans_khmer as package

    [font] = (Path(package.ROOT) / "files").glob("*.ttf")
    return font


@pytest.mark.parametrize(("script", "name"), DRAWN, ids=[s for s, _ in DRAWN])
def test_a_name_in_any_covered_script_is_in_the_pdf_text(make_spec: Callable[..., Path], tmp_path: Path,
                                                         script: str, name: str) -> None:
    out = tmp_path / "out"
    result = run_cli("build", _spec(make_spec, name), "--out", out, "--only", "brief", "--format", "pdf")
    assert result.exit_code == 0, result.output
    assert name in pdf_text(out / "alexruns" / "brief.pdf")


@pytest.mark.parametrize(("script", "name", "chars"), REFUSED, ids=[s for s, _, _ in REFUSED])
def test_a_name_no_font_can_draw_is_refused_with_field_characters_and_remedy(
        make_spec: Callable[..., Path], tmp_path: Path, script: str, name: str, chars: str) -> None:
    spec = _spec(make_spec, name)
    out = tmp_path / "out"
    for args in (("validate", spec), ("build", spec, "--out", out)):
        result = run_cli(*args)
        assert result.exit_code == 1, result.output
        message = result.stderr
        assert "spec.yaml:" in message and "influencers[0].legal_name" in message
        for char in chars:
            assert f"U+{ord(char):04X} {char}" in message
        assert "--font FILE" in message and "--format docx" in message
    assert not out.exists()  # nothing written
    # The DOCX keeps every character: building only the DOCX is allowed.
    result = run_cli("build", spec, "--out", out, "--format", "docx", "--only", "contract")
    assert result.exit_code == 0, result.output
    assert name in docx_text(out / "alexruns" / "contract.docx")


def test_the_hint_names_the_font_package_where_one_exists(make_spec: Callable[..., Path]) -> None:
    result = run_cli("validate", _spec(make_spec, "សុខ ចាន់"))
    assert result.exit_code == 1
    assert "pip install fontpkg-noto-sans-khmer" in result.stderr


def test_font_option_adds_a_font_from_a_pip_package(make_spec: Callable[..., Path], tmp_path: Path) -> None:
    name = "សុខ ចាន់"
    spec = _spec(make_spec, name)
    font = _khmer_font()
    assert run_cli("validate", spec, "--font", font).exit_code == 0
    out = tmp_path / "out"
    result = run_cli("build", spec, "--out", out, "--font", font, "--only", "brief")
    assert result.exit_code == 0, result.output
    assert name in pdf_text(out / "alexruns" / "brief.pdf")
    # The DOCX names that font for those letters.
    assert ("Noto Sans Khmer", name) in _font_runs(out / "alexruns" / "brief.docx")
    # Without the option, the next run of the same process refuses the name again.
    assert run_cli("validate", spec).exit_code == 1


def test_a_font_option_that_is_not_a_truetype_font_is_a_located_error(make_spec: Callable[..., Path],
                                                                      tmp_path: Path) -> None:
    junk = tmp_path / "junk.ttf"
    junk.write_text("not a font")
    out = tmp_path / "out"
    for args in (("validate", make_spec()), ("build", make_spec(), "--out", out)):
        result = run_cli(*args, "--font", junk)
        assert result.exit_code == 1
        assert "junk.ttf: --font: cannot use this font" in result.stderr
    assert run_cli("build", make_spec(), "--out", out, "--font", tmp_path / "none.ttf").exit_code == 1
    assert not out.exists()


def test_batch_refuses_only_the_influencer_the_pdf_cannot_draw(make_spec: Callable[..., Path], tmp_path: Path) -> None:
    def change(data: dict[str, Any]) -> None:
        data["influencers"].append({"legal_name": "王小明", "handle": "@wang", "email": "wang@example.com"})

    out = tmp_path / "out"
    result = run_cli("batch", make_spec(change), "--out", out, "--jobs", "1", "--only", "brief")
    assert result.exit_code == 1
    assert "@wang" in result.stderr and "influencers[1].legal_name" in result.stderr and "U+738B 王" in result.stderr
    campaign = out / "spring-sneaker-drop"
    assert (campaign / "alexruns" / "brief.pdf").is_file()
    assert not (campaign / "wang").exists()
    result = run_cli("batch", make_spec(change), "--out", out, "--jobs", "1", "--only", "brief", "--format", "docx")
    assert result.exit_code == 0, result.output


def test_batch_skips_a_roster_row_the_pdf_cannot_draw_naming_its_row(make_spec: Callable[..., Path],
                                                                      tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text("legal_name,handle,email\nMaya Chen,@maya,maya@example.com\n王小明,@wang,wang@example.com\n",
                      encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli("batch", make_spec(), "--roster", roster, "--out", out, "--jobs", "1", "--only", "brief",
                     "--format", "pdf")
    assert result.exit_code == 1
    assert "roster.csv:3: legal_name: no PDF font has U+738B 王" in result.stderr
    campaign = out / "spring-sneaker-drop"
    assert (campaign / "maya" / "brief.pdf").is_file()
    assert not (campaign / "wang").exists()


def _font_runs(docx: Path) -> list[tuple[str | None, str]]:
    """(w:rFonts family, text) of every run of the document body; None when the run names none."""
    xml = zipfile.ZipFile(docx).read("word/document.xml").decode()
    runs = []
    for run in re.findall(r"<w:r>(.*?)</w:r>", xml):
        fonts = re.search(r'<w:rFonts w:ascii="([^"]*)" w:hAnsi="([^"]*)" w:eastAsia="([^"]*)" w:cs="([^"]*)"/>', run)
        if fonts:
            assert len(set(fonts.groups())) == 1, run  # all four slots name the same face
        text = "".join(re.findall(r"<w:t[^>]*>([^<]*)</w:t>", run))
        runs.append((fonts.group(1) if fonts else None, text))
    return runs


def test_docx_runs_name_the_font_that_has_their_letters(make_spec: Callable[..., Path], tmp_path: Path) -> None:
    names = {"Noto Sans": "Γιώργος Παπαδόπουλος", "Heebo": "דוד בן גוריון", "Noto Sans Thai": "สมชาย ใจดี"}

    def change(data: dict[str, Any]) -> None:
        data["influencers"][0]["legal_name"] = " / ".join(names.values())

    out = tmp_path / "out"
    assert run_cli("build", make_spec(change), "--out", out, "--only", "contract", "--format", "docx").exit_code == 0
    runs = _font_runs(out / "alexruns" / "contract.docx")
    for family, name in names.items():
        named = " ".join(text.strip() for font, text in runs if font == family)
        assert name in named, (family, named)
    assert all(font is None for font, text in runs if text.isascii())  # plain text keeps the document's fonts


def test_a_word_is_drawn_in_one_font_and_the_pdf_is_reproducible(make_spec: Callable[..., Path], tmp_path: Path) -> None:
    spec = _spec(make_spec, "Antonín Dvořák")
    outs = [tmp_path / "a", tmp_path / "b"]
    for out in outs:
        assert run_cli("build", spec, "--out", out, "--only", "brief", "--format", "pdf").exit_code == 0
    first, second = ((out / "alexruns" / "brief.pdf").read_bytes() for out in outs)
    assert first == second
    with pdfplumber.open(io.BytesIO(first)) as pdf:
        chars = [c for page in pdf.pages for c in page.chars]
    text = "".join(c["text"] for c in chars)
    start = text.index("Dvořák")
    word_fonts = {c["fontname"].partition("+")[2] for c in chars[start:start + len("Dvořák")]}
    assert word_fonts == {"NotoSans-Regular"}  # not IBM Plex for "Dvo" and Noto for "ř"
    assert "IBMPlexSansArabic" in chars[text.index("Antonín")]["fontname"]  # a word the first font has


LONG = {"en": "A" * 2000, "fa": "ب" * 2000}


@pytest.mark.parametrize("language", ["en", "fa"])
def test_a_2000_character_unbroken_name_and_kpi_render_and_read_back_whole(
        make_spec: Callable[..., Path], tmp_path: Path, language: str) -> None:
    value = LONG[language]
    campaign = {"name": "Spring", "language": language, "jurisdiction": "GB", "currency": "GBP",
                "start": "2027-04-01", "end": "2027-04-30"}
    spec = _spec(make_spec, value, campaign=campaign, reporting={"kpis": [{"metric": value[:-1] + "K", "target": "5%"}]})
    out = tmp_path / "out"
    result = run_cli("build", spec, "--out", out, "--format", "pdf", "--only", "contract")
    assert result.exit_code == 0, result.output
    text = pdf_text(out / "alexruns" / "contract.pdf")
    assert value in text  # in the parties, the definitions and a signature panel's table cell
    assert value[:-1] + "K" in text  # a list item of many lines


def test_a_mixed_script_venue_wrapped_after_a_slash_reads_back_without_a_space() -> None:
    # Found by tests/test_properties.py: the line broke after "/" and the text layer gave the
    # venue back as "Tehran-Court/ دادگاه...".
    venue = "Tehran-Court/دادگاه-تهران-شماره-یک-ABCDEFGH"
    import yaml

    data = yaml.safe_load((SAMPLES / "minimal.yaml").read_text())
    data["campaign"]["language"] = "fa"
    data["legal"] = {"venue": venue, "governing_law": "x"}
    kit = Toolkit()
    document = assemble(engagements(CampaignSpec.model_validate(data), kit)[0], "contract", kit, None)
    text = pdf_text(render(document, "pdf"))
    assert venue in " ".join(text.split())
