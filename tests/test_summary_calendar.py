"""The brand's campaign summary (DOCX, PDF, fee chart) and the calendar files a build writes."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import SAMPLES, docx_text, pdf_text, run_cli
from icalendar import Calendar

from contractgen.build import engagements
from contractgen.calendar_export import campaign_calendar, influencer_calendar
from contractgen.checks import load_rates, run_checks
from contractgen.coverage import campaign_coverage
from contractgen.spec import load_spec
from contractgen.summary import coverage_rows, people, summary_document
from contractgen.toolkit import Toolkit

# What each influencer of samples/full.yaml should show in the summary, worked out by hand:
#   Maya: fee 4,500 + gifted product 120 = cost 4,620; engagements 2 reels × 2,650 + 1 TikTok × 9,800
#   = 15,100 → 0.31 per engagement; followers 2 × 48,200 + 120,000 = 216,400 → 21.35 per 1,000;
#   band: 2 micro reels 100–500 × 1.4–1.5 + 1 mid TikTok 125–2,500 = 405–4,000.
#   Omid: cost 9,120; 14,000 × 3 = 42,000 engagements → 0.22; 930,000 followers → 9.81;
#   band 3 × 1,000–20,000.  Sara: fee 0, cost 120 (product); 1,830 → 0.07; 25,200 → 4.76.
FIGURES = {
    "@mayaglows": ["Maya Chen", "$4,500", "Instagram 48,200: micro, 5.50%", "TikTok 120,000: mid, 8.17%",
                   "$0.31", "$21.35", "$405 – 4,000"],
    "@omid.daily": ["Omid Rahimi", "$9,000", "YouTube 310,000: mid, 4.52%", "$0.22", "$9.81",
                    "$3,000 – 60,000"],
    "@sara.makes": ["Sara Lopez", "$0 (gifted product)", "Instagram 8,400: nano, 7.26%", "$0.07", "$4.76",
                    "$30 – 300"],
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """samples/full.yaml built once for every test here."""
    out = tmp_path_factory.mktemp("full") / "out"
    result = run_cli("build", SAMPLES / "full.yaml", "--out", out)
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def kit() -> Toolkit:
    return Toolkit()


def events(path: Path) -> list[Any]:
    calendar = Calendar.from_ical(path.read_bytes())
    return list(calendar.walk("VEVENT"))


def by_summary(items: list[Any]) -> dict[str, Any]:
    return {str(e["SUMMARY"]): e for e in items}


# --- the manifest ---------------------------------------------------------------------------

def test_build_lists_summary_and_calendars(built: Path) -> None:
    manifest = json.loads((built / "manifest.json").read_text())
    files = {(f["kind"], f["format"], f["path"]) for f in manifest["files"]}
    assert {("summary", "docx", "summary.docx"), ("summary", "pdf", "summary.pdf"),
            ("summary", "png", "summary-fees.png"), ("calendar", "ics", "campaign.ics"),
            ("calendar", "ics", "mayaglows/calendar.ics"), ("calendar", "ics", "omid.daily/calendar.ics"),
            ("calendar", "ics", "sara.makes/calendar.ics")} <= files
    for entry in manifest["files"]:
        assert (built / entry["path"]).is_file()
    campaign_level = [f for f in manifest["files"] if f["kind"] in ("summary",) or f["path"] == "campaign.ics"]
    assert all(f["influencer"] == "" for f in campaign_level)
    assert [f["rule"] for f in manifest["findings"]] == (["R8.unnamed-signatory"] + ["R6.gifted-extras"] * 3
                                                         + ["R8.gifted-without-disclosure"])


# --- calendars ------------------------------------------------------------------------------

def test_campaign_calendar_has_every_dated_duty(built: Path) -> None:
    items = events(built / "campaign.ics")
    # Maya: 2 deliverables × (draft, publish) + report = 5; Omid the same; Sara 1 × 2 + report = 3;
    # the product training once for everyone; each has the last days of usage and exclusivity (+6).
    assert len(items) == 20
    assert len({str(e["UID"]) for e in items}) == 20
    named = by_summary(items)
    reels = named["Publish: 2 Reels on Instagram, @mayaglows"]
    assert reels["DTSTART"].dt == dt.date(2027, 2, 10)
    assert reels["DTEND"].dt == dt.date(2027, 2, 25)  # all-day events end the day after (exclusive)
    assert named["Draft due: 2 Reels on Instagram, @mayaglows"]["DTSTART"].dt == dt.date(2027, 2, 5)
    assert named["Draft due: 1 video on YouTube, @omid.daily"]["DTSTART"].dt == dt.date(2027, 2, 13)
    assert named["Performance report due, @sara.makes"]["DTSTART"].dt == dt.date(2027, 3, 5)
    assert named["Product training: 30-minute product call"]["DTSTART"].dt == dt.date(2027, 2, 3)
    assert all(e["DTSTAMP"].dt == dt.datetime(2027, 2, 1, 9, 0, tzinfo=dt.UTC) for e in items)


@pytest.mark.parametrize(("slug", "count", "first", "last"), [
    ("mayaglows", 8, dt.date(2027, 2, 3), dt.date(2027, 9, 1)),  # the last: the end of usage
    ("omid.daily", 8, dt.date(2027, 2, 3), dt.date(2027, 9, 20)),
    ("sara.makes", 6, dt.date(2027, 2, 3), dt.date(2027, 8, 26)),
])
def test_influencer_calendar(built: Path, slug: str, count: int, first: dt.date, last: dt.date) -> None:
    items = events(built / slug / "calendar.ics")
    assert len(items) == count
    starts = [e["DTSTART"].dt for e in items]
    assert (min(starts), max(starts)) == (first, last)
    assert all(f"@{slug}" in str(e["SUMMARY"]) for e in items if "training" not in str(e["SUMMARY"]))
    campaign = {str(e["UID"]) for e in events(built / "campaign.ics")}
    assert {str(e["UID"]) for e in items} <= campaign  # one event, one UID, in both files


def test_calendars_are_deterministic_and_skip_undated_duties(make_spec: Callable[..., Path], kit: Toolkit,
                                                             tmp_path: Path) -> None:
    spec = load_spec(make_spec(lambda d: d.update(review={"draft_required": False})))
    first, second = tmp_path / "a", tmp_path / "b"
    for folder in (first, second):
        folder.mkdir()
        people = engagements(spec, kit)
        (folder / "campaign.ics").write_bytes(campaign_calendar(spec, [influencer_calendar(e, kit) for e in people],
                                                                kit))
        (folder / "alexruns").mkdir()
        (folder / "alexruns" / "calendar.ics").write_bytes(influencer_calendar(people[0], kit))
    assert (first / "campaign.ics").read_bytes() == (second / "campaign.ics").read_bytes()
    items = events(first / "alexruns" / "calendar.ics")
    # No drafts (review off), no training, undated payment, no exclusivity: the publish window,
    # the report and the end of the usage period (6 months after the last publishing day).
    assert sorted(str(e["SUMMARY"]) for e in items) == ["Last day of the usage period (no new use after it): @alexruns",
                                                        "Performance report due, @alexruns",
                                                        "Publish: 1 Reel on Instagram, @alexruns"]
    assert {e["DTSTART"].dt for e in items} == {dt.date(2027, 4, 8), dt.date(2027, 4, 27), dt.date(2027, 10, 20)}


# --- the summary ----------------------------------------------------------------------------

def _summary_text(kit: Toolkit) -> str:
    spec = load_spec(SAMPLES / "full.yaml")
    rates = load_rates()
    people_ = engagements(spec, kit)
    findings = run_checks(spec, kit.library, rates, people_)
    rows = coverage_rows(campaign_coverage(people_, kit))
    return summary_document(spec, kit, people(people_, rates, findings), findings, rows, None).text()


def test_summary_holds_each_influencers_figures(kit: Toolkit) -> None:
    text = _summary_text(kit)
    for handle, figures in FIGURES.items():
        row = next(line for line in text.splitlines() if f"({handle})" in line and "$" in line)
        for figure in figures:
            assert figure in row, (handle, figure, row)
    assert "fees $13,500, $13,860 with gifted product" in text
    # A US campaign: dates as a US reader writes them.
    assert "@mayaglows | 2 Reels on Instagram | February 5, 2027 | February 10, 2027 – February 24, 2027 | March 8, 2027" in text


def test_summary_holds_findings_and_coverage(kit: Toolkit) -> None:
    text = _summary_text(kit)
    assert "Note (R8.gifted-without-disclosure, influencers[2].fee): @sara.makes is paid only in product" in text
    lines = text.splitlines()
    for risk in ("R1", "R2", "R3", "R4", "R5", "R6", "R7", "R8"):
        assert any(line.startswith(f"{risk} ") for line in lines)
    r2 = next(line for line in lines if line.startswith("R2 "))
    assert "| partly open |" in r2
    assert "late-delivery" in r2
    assert r2.endswith("no deduction for late delivery (penalties.late_delivery): @sara.makes")
    r7 = next(line for line in lines if line.startswith("R7 "))
    assert "| covered | cadence; brief: deliverables | —" in r7


def test_summary_pdf_and_docx_hold_the_figures(built: Path) -> None:
    docx = docx_text(built / "summary.docx")
    for figures in FIGURES.values():
        for figure in figures:
            assert figure in docx, figure
    # Table cells wrap in the PDF, so compare its numbers rather than whole phrases.
    pdf = pdf_text(built / "summary.pdf")
    numbers = set(re.findall(r"\d[\d.,]*%?", pdf))
    for figures in FIGURES.values():
        for figure in figures:
            assert set(re.findall(r"\d[\d.,]*%?", figure)) <= numbers, figure
    for text in (docx, pdf):
        assert "R8.gifted-without-disclosure" in text
        assert "Campaign Summary: Glow Serum Launch" in text


def test_fee_chart(built: Path) -> None:
    from PIL import Image

    with Image.open(built / "summary-fees.png") as image:
        assert image.format == "PNG"
        assert image.width == 1600
        assert 150 < image.height < 400  # three bars


def test_no_chart_for_a_single_influencer(cli: Callable[..., Any], tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert cli("build", SAMPLES / "minimal.yaml", "--out", out, "--format", "pdf", "--only", "brief").exit_code == 0
    assert not (out / "summary-fees.png").exists()
    assert (out / "summary.pdf").is_file()
    assert "Alex Morgan (@alexruns)" in pdf_text(out / "summary.pdf")
    assert not (out / "summary.docx").exists()  # the summary follows --format


def test_persian_summary_is_in_persian(cli: Callable[..., Any], tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert cli("build", SAMPLES / "persian.yaml", "--out", out, "--only", "brief").exit_code == 0
    docx = docx_text(out / "summary.docx")
    assert "R1 انتخاب اینفلوئنسر نامناسب یا غیرقابل‌اعتماد" in docx  # Persian wording from coverage.yaml
    for text in (docx, pdf_text(out / "summary.pdf")):
        assert "تعهدات تحویلی" in text  # headings of templates/fa/summary.md.j2
        assert "پوشش ریسک‌ها" in text
        assert "Risk coverage" not in text  # not the English fallback
        for handle in ("@negar.glow", "@ali_pooyan", "@mahsa.skin"):
            assert handle in text, handle
