"""`contractgen batch`: many specs and a roster in parallel, failure isolation, manifest, reruns."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, count_while_writing, pdf_text, run_cli

from contractgen.output import TEMP_PREFIX


def _people(*handles: str, **extra: Any) -> list[dict[str, Any]]:
    return [{"legal_name": f"Person {h}", "handle": f"@{h}", "email": f"{h}@example.com", **extra} for h in handles]


def _campaign(campaign_id: str, *handles: str) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        data["campaign"]["id"] = campaign_id
        data["influencers"] = _people(*handles)

    return change


def _files(out: Path) -> dict[str, bytes]:
    """Every file under ``out`` (relative path → bytes)."""
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def _manifest(out: Path) -> dict[str, Any]:
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))


def _csv_rows(out: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO((out / "manifest.csv").read_text(encoding="utf-8-sig"))))


@pytest.fixture
def specs(make_spec: Callable[..., Path], tmp_path: Path) -> Path:
    """A folder with two good specs and one invalid one."""
    folder = tmp_path / "specs"
    folder.mkdir()
    make_spec(_campaign("SPRING", "ana", "ben"), name="specs/a-spring.yaml")
    make_spec(_campaign("SUMMER", "cy"), name="specs/b-summer.yaml")
    make_spec(text="campaign:\n  name: Broken\n  start: 2027-02-30\n", name="specs/c-broken.yaml")
    return folder


def test_a_failing_spec_and_influencer_do_not_stop_the_others(specs: Path, tmp_path: Path) -> None:
    # A clause of the user's own library that prints the tax id fails for whoever has none.
    library = tmp_path / "library"
    library.mkdir()
    (library / "definitions.yaml").write_text(
        "family: definitions\nclauses:\n  - id: definitions\n    version: 9.0.0\n    title: {en: Definitions}\n"
        "    text: {en: 'Tax id {{ influencer.tax_id }}.'}\n", encoding="utf-8")
    assert run_cli("clauses", "lock", "--library", library).exit_code == 0  # builds refuse unlocked wording
    spec = specs / "a-spring.yaml"
    spec.write_text(spec.read_text().replace("email: ana@example.com", "email: ana@example.com\n  tax_id: T-1"))
    out = tmp_path / "out"

    result = run_cli("batch", specs, "--out", out, "--format", "pdf", "--only", "contract",
                     "--library", library, "--jobs", "2")

    assert result.exit_code == 1
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("contract.pdf")) == [
        "SPRING/ana/contract.pdf"]
    assert "Tax id T-1" in pdf_text(out / "SPRING/ana/contract.pdf")
    manifest = _manifest(out)
    assert [(f["campaign"], f["influencer"], f["clauses"][0]) for f in manifest["files"] if f["kind"] == "contract"] == [
        ("SPRING", "@ana", "definitions@9.0.0")]
    failures = {(f["campaign"], f["influencer"]): f["message"] for f in manifest["failures"]}
    assert set(failures) == {("SPRING", "@ben"), ("SUMMER", "@cy"), ("broken", None)}
    assert "definitions.yaml" in failures[("SPRING", "@ben")] and "definitions@9.0.0" in failures[("SPRING", "@ben")]
    assert "c-broken.yaml:3: campaign.start:" in failures[("broken", None)]
    rows = _csv_rows(out)
    # An ordinary handle is written as it is (no apostrophe: see output.text_cells); the campaign's
    # own files (summary, campaign.ics) are listed too, with no influencer.
    assert [(r["status"], r["campaign"], r["influencer"]) for r in rows if r["kind"] in ("contract", "")] == [
        ("ok", "SPRING", "@ana"), ("failed", "SPRING", "@ben"), ("failed", "SUMMER", "@cy"),
        ("failed", "broken", "")]
    assert rows[0]["sha256"] == manifest["files"][0]["sha256"]
    assert "definitions@9.0.0" in rows[0]["clauses"]
    assert "3 failed" in result.stderr and "c-broken.yaml:3" in result.stderr


def test_roster_rows_join_the_campaign_and_a_bad_row_is_skipped(make_spec: Callable[..., Path],
                                                                 tmp_path: Path) -> None:
    spec = make_spec(_campaign("AGENCY", "own"))
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "legal_name,handle,email,fee,Instagram Followers,instagram_avg_engagements,agent_name,agent_email\n"
        'Dana Roe,@dana,dana@example.com,"1,250",48200,2650,Jo Park,jo@talent.example\n'
        "Eli Moe,@eli,not-an-email,900,,,,\n"
        "Fay Poe,@fay,fay@example.com,,1000,,,\n"
        "Own Again,@OWN,own2@example.com,,,,,\n", encoding="utf-8")
    out = tmp_path / "out"

    result = run_cli("batch", spec, "--roster", roster, "--out", out, "--format", "pdf", "--only", "contract",
                     "--jobs", "1")

    assert result.exit_code == 1
    assert sorted(p.parent.name for p in out.rglob("contract.pdf")) == ["dana", "fay", "own"]
    text = pdf_text(out / "AGENCY/dana/contract.pdf")
    assert "Dana Roe" in text and "1,250" in text and "Jo Park" in text
    failures = _manifest(out)["failures"]
    assert [f["influencer"] for f in failures] == ["@eli", "@OWN"]
    assert failures[0]["message"].startswith(f"{roster}:3: email: ")
    assert failures[1]["message"].startswith(f"{roster}:5: handle: '@OWN' is already used by influencers[0]")
    assert f"{roster}:3: email" in result.stderr


def test_roster_with_an_unknown_column_stops_before_building(make_spec: Callable[..., Path], tmp_path: Path) -> None:
    spec = make_spec()
    roster = tmp_path / "roster.csv"
    roster.write_text("legal_name,handle,email,instagram_folowers\nA,@a,a@example.com,10\n", encoding="utf-8")
    result = run_cli("batch", spec, "--roster", roster, "--out", tmp_path / "out")
    assert result.exit_code == 1
    assert "unknown column 'instagram_folowers' (column 4)" in result.stderr
    assert "did you mean 'instagram_followers'?" in result.stderr
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").rglob("*.pdf"))


def test_rerun_skips_unchanged_and_force_rebuilds_the_same_bytes(make_spec: Callable[..., Path],
                                                                 tmp_path: Path) -> None:
    spec = make_spec(_campaign("RERUN", "ana", "ben", "cy"))
    out = tmp_path / "out"
    args = ("batch", spec, "--out", out, "--format", "pdf", "--only", "contract", "--jobs", "1")
    assert run_cli(*args).exit_code == 0
    first = _files(out)
    stamps = {p: p.stat().st_mtime_ns for p in out.rglob("contract.pdf")}  # the summary is drawn every run

    again = run_cli(*args)
    assert again.exit_code == 0
    assert "3 influencer(s) unchanged" in again.stderr
    assert {p: p.stat().st_mtime_ns for p in out.rglob("contract.pdf")} == stamps  # nothing rewritten
    statuses = (out / "influencers.csv").read_text(encoding="utf-8-sig")
    assert statuses.count(",skipped,") == 3 and ",built," not in statuses
    (out / "influencers.csv").write_bytes(first["influencers.csv"])  # the only file that says "skipped"
    assert _files(out) == first

    forced = run_cli(*args, "--force")
    assert forced.exit_code == 0 and "unchanged" not in forced.stderr
    assert all(p.stat().st_mtime_ns != stamps[p] for p in out.rglob("contract.pdf"))
    assert _files(out) == first  # same bytes, same manifest

    # Only what changed is rebuilt: ben's fee, and cy's file that went missing.
    spec.write_text(spec.read_text().replace("email: ben@example.com", "email: ben@example.com\n  fee: 1234"))
    (out / "RERUN/cy/contract.pdf").unlink()
    before = {p: p.stat().st_mtime_ns for p in out.rglob("contract.pdf")}
    changed = run_cli(*args)
    assert changed.exit_code == 0 and "1 influencer(s) unchanged" in changed.stderr
    assert (out / "RERUN/ana/contract.pdf").stat().st_mtime_ns == before[out / "RERUN/ana/contract.pdf"]
    assert "1,234" in pdf_text(out / "RERUN/ben/contract.pdf")
    assert (out / "RERUN/cy/contract.pdf").read_bytes() == first["RERUN/cy/contract.pdf"]


def test_one_and_two_jobs_give_identical_outputs(make_spec: Callable[..., Path], tmp_path: Path) -> None:
    one = make_spec(_campaign("ONE", "ana", "ben"), name="one.yaml")
    two = make_spec(_campaign("TWO", "cy", "dee"), name="two.yaml")
    outputs = []
    for jobs in ("1", "2"):
        out = tmp_path / f"out{jobs}"
        result = run_cli("batch", one, two, "--out", out, "--jobs", jobs)
        assert result.exit_code == 0, result.stderr
        outputs.append(_files(out))
    # 4 influencers × (contract and brief × docx and pdf, calendar.ics); per campaign the summary
    # (docx, pdf, csv, chart) and campaign.ics; manifest.json, manifest.csv, influencers.csv
    assert len(outputs[0]) == 4 * 5 + 2 * 5 + 3
    assert outputs[0] == outputs[1]


def test_two_specs_may_not_write_into_the_same_folder(make_spec: Callable[..., Path], tmp_path: Path) -> None:
    first = make_spec(_campaign("SAME", "ana"), name="first.yaml")
    second = make_spec(_campaign("SAME", "ana", "ben"), name="second.yaml")
    out = tmp_path / "out"
    result = run_cli("batch", first, second, "--out", out, "--format", "pdf", "--only", "brief", "--jobs", "1")
    assert result.exit_code == 1
    [failure] = _manifest(out)["failures"]
    assert failure["influencer"] == "@ana"
    assert "would write into SAME/ana/, which SAME @ana" in failure["message"]
    assert sorted(p.parent.name for p in out.rglob("brief.pdf")) == ["ana", "ben"]


def test_a_roster_needs_exactly_one_spec(specs: Path, tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text("legal_name,handle,email\nA,@a,a@example.com\n", encoding="utf-8")
    result = run_cli("batch", specs, "--roster", roster, "--out", tmp_path / "out")
    assert result.exit_code == 1
    assert "--roster adds influencers to one campaign, but 3 specs were given" in result.stderr


def _python(*code: str, args: tuple[object, ...] = ()) -> list[str]:
    return [sys.executable, "-c", "\n".join(code), *map(str, args)]


def test_the_parent_process_does_not_import_the_renderers(make_spec: Callable[..., Path], tmp_path: Path) -> None:
    spec = make_spec(_campaign("LIGHT", "ana", "ben"))
    out = tmp_path / "out"
    done = subprocess.run(_python(
        "import sys",
        "from contractgen.cli import main",
        "main(['--help'], standalone_mode=False)",
        "main(['validate', sys.argv[1]], standalone_mode=False)",
        "help_ok = not {'docx', 'reportlab', 'lxml'} & set(sys.modules)",
        "main(['batch', sys.argv[1], '--out', sys.argv[2], '--jobs', '2'], standalone_mode=False)",
        "print(help_ok, not {'docx', 'reportlab', 'lxml'} & set(sys.modules))",
        args=(spec, out)), capture_output=True, text=True, check=False, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[-2:] == ["True", "True"]
    assert len(list(out.glob("*/*/*.docx"))) == 4  # and the summary.docx of the campaign


def test_a_killed_batch_leaves_only_complete_files(make_spec: Callable[..., Path], tmp_path: Path) -> None:
    handles = [f"p{i:02d}" for i in range(40)]
    spec = make_spec(_campaign("KILL", *handles))
    out = tmp_path / "out"
    command = [sys.executable, "-m", "contractgen", "batch", str(spec), "--out", str(out), "--format", "pdf",
               "--only", "contract", "--jobs", "2"]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)  # its own process group: the workers die with it
    try:
        deadline = time.monotonic() + 60
        while count_while_writing(out, "contract.pdf") < 4 and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    made = list(out.rglob("contract.pdf"))
    assert 4 <= len(made) < len(handles), "the batch should have been killed mid-way"
    for path in made:
        data = path.read_bytes()
        assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF"), path

    result = run_cli("batch", spec, "--out", out, "--format", "pdf", "--only", "contract", "--jobs", "2")
    assert result.exit_code == 0, result.stderr
    assert not [p for p in out.rglob("*") if p.name.startswith(TEMP_PREFIX)]
    contracts = [f for f in _manifest(out)["files"] if f["kind"] == "contract"]
    assert len(contracts) == len(handles) == len(list(out.rglob("contract.pdf")))
