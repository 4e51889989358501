"""One pipeline: the same spec through ``build`` and ``batch`` gives the same files, and batch
makes what build makes (findings, summary, calendars), with an ops sheet and stale folders."""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from contractgen.checks import BUILTIN
from contractgen.output import text_cells
from tests.conftest import SAMPLES, pdf_text, run_cli

FULL = SAMPLES / "full.yaml"


def digests(folder: Path) -> dict[str, str]:
    """sha256 of every file under ``folder`` but the manifests, by relative path."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and not p.name.startswith(("manifest.", "influencers."))}


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """samples/full.yaml built once with `build` and once with `batch` (one job)."""
    root = tmp_path_factory.mktemp("pipeline")
    assert run_cli("build", FULL, "--out", root / "build", "--force").exit_code == 0
    done = run_cli("batch", FULL, "--out", root / "batch", "--jobs", "1")
    assert done.exit_code == 0, done.output
    return root / "build", root / "batch"


def test_build_and_batch_give_byte_identical_files(both: tuple[Path, Path]) -> None:
    built, batched = both
    campaign = json.loads((built / "manifest.json").read_text())["campaign"]
    from_build, from_batch = digests(built), digests(batched / campaign)
    assert {"summary.pdf", "summary.docx", "campaign.ics", "mayaglows/contract.pdf", "mayaglows/brief.docx",
            "mayaglows/calendar.ics"} <= set(from_build)
    assert from_batch == from_build


def test_batch_manifest_has_the_findings_build_has(both: tuple[Path, Path]) -> None:
    built, batched = both
    from_build = json.loads((built / "manifest.json").read_text())["findings"]
    from_batch = json.loads((batched / "manifest.json").read_text())["findings"]
    assert from_build  # the sample has warnings
    assert [{k: v for k, v in f.items() if k != "campaign"} for f in from_batch] == from_build


def test_influencers_csv_one_row_per_influencer(both: tuple[Path, Path]) -> None:
    _, batched = both
    text = (batched / "influencers.csv").read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(text.splitlines()))
    spec = yaml.safe_load(FULL.read_text())
    assert [r["handle"] for r in rows] == [p["handle"] for p in spec["influencers"]]  # no leading apostrophe
    assert {r["status"] for r in rows} == {"built"}
    for row in rows:
        for column in ("contract_docx", "contract_pdf", "brief_docx", "brief_pdf"):
            assert (batched / row[column]).is_file(), row[column]
        assert row["contract_pdf"].endswith(f"/{row['handle'].lstrip('@')}/contract.pdf")
    findings = json.loads((batched / "manifest.json").read_text())["findings"]
    for row in rows:
        mine = [f for f in findings if f["influencer"] == row["handle"]]
        assert int(row["warnings"]) == sum(f["severity"] == "warning" for f in mine)


def test_formula_protection_spares_handles_only() -> None:
    assert text_cells(["@alexruns", "@sum(A1)", "=1+1", "-5", "Maya"]) == ["@alexruns", "'@sum(A1)", "'=1+1", "'-5", "Maya"]


@pytest.fixture(scope="module")
def roster_spec(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """samples/full.yaml without its influencers: they come from samples/roster.csv."""
    folder = tmp_path_factory.mktemp("roster")
    data = yaml.safe_load(FULL.read_text())
    data.pop("influencers")
    data["brand"].pop("logo", None)
    path = folder / "campaign.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    return path


def test_batch_of_a_roster_checks_its_rows(roster_spec: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = run_cli("batch", roster_spec, "--roster", SAMPLES / "roster.csv", "--out", out, "--jobs", "1",
                   "--format", "pdf", "--only", "brief")
    assert done.exit_code == 0, done.output
    findings = json.loads((out / "manifest.json").read_text())["findings"]
    flagged = {f["influencer"] for f in findings if f["rule"] == "R1.no-account"}
    assert "@lena.glow" in flagged  # a roster row: its platform columns were checked
    [summary] = out.glob("*/summary.pdf")
    assert "R1.no-account" in pdf_text(summary)
    assert (summary.parent / "campaign.ics").is_file()
    # --rates: the same batch with that rule switched off by a rate card of one's own
    card = yaml.safe_load(BUILTIN.read_text())
    card["severity"] = {**card.get("severity", {}), "R1.no-account": "off"}
    rates = tmp_path / "rates.yaml"
    rates.write_text(yaml.safe_dump(card))
    again = run_cli("batch", roster_spec, "--roster", SAMPLES / "roster.csv", "--out", out, "--jobs", "1",
                    "--format", "pdf", "--only", "brief", "--rates", rates)
    assert again.exit_code == 0, again.output
    findings = json.loads((out / "manifest.json").read_text())["findings"]
    assert not [f for f in findings if f["rule"] == "R1.no-account"]


def test_validate_checks_a_roster_without_building(roster_spec: Path, tmp_path: Path) -> None:
    assert run_cli("validate", roster_spec).exit_code == 1  # no influencers and no roster
    done = run_cli("validate", roster_spec, "--roster", SAMPLES / "roster.csv")
    assert done.exit_code == 0, done.output
    assert "roster.csv:2: influencers[0].platforms" in done.output  # a roster row's finding names its row
    bad = tmp_path / "bad.csv"
    bad.write_text("legal_name,handle,email\nAna,@ana,not-an-email\n")
    refused = run_cli("validate", roster_spec, "--roster", bad)
    assert refused.exit_code == 1
    assert "bad.csv:2" in refused.output
    assert not list(tmp_path.glob("out*"))


def test_build_strict_fails_on_warnings_and_writes_nothing(tmp_path: Path) -> None:
    done = run_cli("build", FULL, "--out", tmp_path / "out", "--strict")
    assert done.exit_code == 1
    assert "warning: " in done.output and "not built" in done.output
    assert not (tmp_path / "out").exists()


def test_renamed_handle_leaves_a_stale_folder_that_clean_removes(make_spec: Callable[..., Any],
                                                                   tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = make_spec()
    assert run_cli("build", first, "--out", out, "--format", "docx", "--only", "brief").exit_code == 0
    assert (out / "alexruns" / "brief.docx").is_file()
    (out / "mine").mkdir()  # a folder of the user's: never stale, never removed

    def rename(data: dict[str, Any]) -> None:
        data["influencers"][0]["handle"] = "@alex.runs"

    second = make_spec(rename)
    done = run_cli("build", second, "--out", out, "--format", "docx", "--only", "brief")
    assert done.exit_code == 0
    assert "alexruns" in done.output and "stale" in done.output and "--clean" in done.output
    assert (out / "alexruns").is_dir()
    again = run_cli("build", second, "--out", out, "--format", "docx", "--only", "brief")
    assert "stale" in again.output  # still on record: a later --clean finds it
    cleaned = run_cli("build", second, "--out", out, "--format", "docx", "--only", "brief", "--clean")
    assert cleaned.exit_code == 0
    assert not (out / "alexruns").exists()
    assert (out / "alex.runs" / "brief.docx").is_file() and (out / "mine").is_dir()
    assert "stale" not in run_cli("build", second, "--out", out, "--format", "docx", "--only", "brief").output


def test_batch_reports_and_cleans_stale_folders(make_spec: Callable[..., Any], tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = make_spec()
    assert run_cli("batch", first, "--out", out, "--jobs", "1", "--format", "docx", "--only", "brief").exit_code == 0
    [old] = out.glob("*/alexruns")
    (old / "notes.txt").write_text("mine")  # a file of the user's keeps the folder

    def rename(data: dict[str, Any]) -> None:
        data["influencers"][0]["handle"] = "@alex.runs"

    second = make_spec(rename)
    done = run_cli("batch", second, "--out", out, "--jobs", "1", "--format", "docx", "--only", "brief")
    assert "stale" in done.output and old.is_dir()
    run_cli("batch", second, "--out", out, "--jobs", "1", "--format", "docx", "--only", "brief", "--clean")
    assert (old / "notes.txt").is_file() and not (old / "brief.docx").exists()
    shutil.rmtree(old)


def test_campaign_calendar_is_every_duty_once(both: tuple[Path, Path]) -> None:
    # campaign.ics is put together from the influencers' calendar.ics files: the same bytes as
    # drawing every duty of the campaign at once.
    from contractgen.build import engagements
    from contractgen.calendar_export import Words, _brand, calendar_bytes, influencer_duties, stamp_of
    from contractgen.spec import load_spec
    from contractgen.toolkit import Toolkit

    built, _ = both
    spec, kit = load_spec(FULL), Toolkit()
    words = Words(kit, spec)
    duties = {d.uid: d for e in engagements(spec, kit) for d in influencer_duties(e, words)}
    whole = calendar_bytes(words.say("campaign_calendar", campaign=spec.campaign.name, brand=_brand(spec)),
                           sorted(duties.values(), key=lambda d: (d.start, d.end, d.uid)), stamp_of(spec))
    assert (built / "campaign.ics").read_bytes() == whole
