"""CLI manners (issue 15): pipes, colour, global flags, stdin, slugs, validation wording, schema files."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from contractgen import __version__
from contractgen.cli import main
from contractgen.spec.slug import slugify
from tests.conftest import ROOT, SAMPLES, docx_text


def run(*args: str | Path, stdin: str | None = None, env: dict[str, str] | None = None,
        color: bool = False) -> Result:
    """The CLI in-process, stdout and stderr apart."""
    return CliRunner().invoke(main, [str(a) for a in args], input=stdin, env=env, color=color,
                              catch_exceptions=False)


# --- item 6: manners -----------------------------------------------------------------------------

def test_a_reader_that_goes_away_ends_the_run_quietly_with_exit_0() -> None:
    # `contractgen validate samples/full.yaml | head -1`: the pipe is closed after one line.
    command = [sys.executable, "-m", "contractgen", "validate", str(SAMPLES / "full.yaml")]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT,
                               env={**os.environ, "PYTHONUNBUFFERED": "1"})
    assert process.stdout is not None and process.stderr is not None
    first = process.stdout.readline()
    process.stdout.close()  # as head does after its line
    errors = process.stderr.read()
    assert process.wait(timeout=60) == 0
    assert first.startswith(b"samples/full.yaml: ok") or b"full.yaml: ok" in first
    assert errors == b""


def test_no_color_and_the_color_flags() -> None:
    spec = SAMPLES / "full.yaml"
    coloured = run("validate", spec, "--color")
    assert "\x1b[" in coloured.stdout
    assert "\x1b[" not in run("validate", spec, color=True, env={"NO_COLOR": "1"}).stdout
    assert "\x1b[" not in run("validate", spec, "--no-color", color=True).stdout
    assert "\x1b[" in run("validate", spec, color=True, env={"NO_COLOR": ""}).stdout  # empty: not set


def test_version_and_global_flags_after_the_command() -> None:
    assert run("-V").stdout.strip() == f"contractgen, version {__version__}"
    quiet = run("validate", SAMPLES / "full.yaml", "-q")
    assert quiet.exit_code == 0 and quiet.stdout == ""
    assert "ok (3 influencer(s))" in run("validate", SAMPLES / "full.yaml").stdout
    assert run("validate", SAMPLES / "full.yaml", "--debug").exit_code == 0
    both = run("-q", "validate", SAMPLES / "full.yaml", "-v")
    assert both.exit_code == 2 and "not both" in both.stderr


def test_a_spec_from_stdin_is_validated_and_its_errors_name_stdin(make_spec: Callable[..., Path]) -> None:
    good = (SAMPLES / "minimal.yaml").read_text(encoding="utf-8")
    result = run("validate", "-", stdin=good)
    assert result.exit_code == 0 and result.stdout.startswith("<stdin>: ok (1 influencer(s))")
    bad = run("validate", "-", stdin=good.replace("fee: 800", "fee: lots"))
    assert bad.exit_code == 1 and bad.stdout == ""
    assert "error: <stdin>:" in bad.stderr and "payment.fee" in bad.stderr


def test_build_reads_stdin_and_lists_its_files_with_verbose(tmp_path: Path) -> None:
    result = run("build", "-", "--out", tmp_path / "out", "--format", "docx", "-v",
                 stdin=(SAMPLES / "minimal.yaml").read_text(encoding="utf-8"))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "alexruns" / "contract.docx").is_file()
    assert str(tmp_path / "out" / "alexruns" / "contract.docx") in result.stdout
    assert result.stderr == ""


# --- item 5: ids keep their letters ---------------------------------------------------------------

def test_the_default_campaign_id_keeps_its_letters(make_spec: Callable[..., Path], tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    assert slugify("Éclat Rose Serum Launch") == "eclat-rose-serum-launch"
    assert slugify("Straße für Æsir, Øre & Łódź") == "strasse-fur-aesir-ore-lodz"
    assert slugify("کمپین بهاره") == "campaign"  # nothing Latin to keep: the fallback

    def french(data: dict[str, Any]) -> None:
        data["campaign"]["name"] = "Éclat Rose Serum Launch"

    spec = make_spec(french)
    monkeypatch.chdir(tmp_path)
    result = run("build", spec, "--format", "docx")
    assert result.exit_code == 0, result.output
    campaign = tmp_path / "out" / "eclat-rose-serum-launch"
    uids = re.findall(r"^UID:(.*)$", (campaign / "campaign.ics").read_text(encoding="utf-8"), re.M)
    assert uids and all(uid.startswith("eclat-rose-serum-launch-") for uid in uids)


# --- item 9: validation ---------------------------------------------------------------------------

def _errors(spec: Path) -> list[str]:
    result = run("validate", spec)
    assert result.exit_code == 1 and result.stdout == ""
    return [line.removeprefix("error: ") for line in result.stderr.splitlines()]


def test_cross_field_problems_come_with_the_others(make_spec: Callable[..., Path]) -> None:
    def broken(data: dict[str, Any]) -> None:
        data["campaign"]["currency"] = "EURO"  # a field error elsewhere
        data["payment"]["schedule"] = [{"label": "On signature", "percent": 50}, {"label": "Later", "percent": 40}]
        data["influencers"].append({**data["influencers"][0], "legal_name": "Alex Two"})  # the same handle
        data["exclusivity"] = {"mode": "competitors"}

    errors = "\n".join(_errors(make_spec(broken)))
    assert "campaign.currency: 'EURO' is not an ISO 4217 currency code" in errors
    assert "payment.schedule: percentages sum to 90, expected 100" in errors
    assert "influencers[1].handle: '@alexruns' is already used by influencers[0]" in errors
    assert "exclusivity.competitors: mode is 'competitors' but the list is empty" in errors


def test_a_missing_key_points_at_its_section(make_spec: Callable[..., Path]) -> None:
    text = (SAMPLES / "minimal.yaml").read_text(encoding="utf-8")
    text = "# my notes\n# more notes\n\n" + "\n".join(line for line in text.splitlines() if "end:" not in line)
    line = text.splitlines().index("campaign:") + 1
    assert line > 1
    assert f"{make_spec(text=text)}:{line}: campaign.end: required key is missing" in _errors(make_spec(text=text))


def test_dates_written_another_way_are_read_back_to_the_user(make_spec: Callable[..., Path]) -> None:
    def dates(data: dict[str, Any]) -> None:
        data["campaign"]["start"] = "15/05/2027"
        data["campaign"]["end"] = "05/06/2027"
        data["campaign"]["agreement_date"] = "2027-02-30"

    errors = "\n".join(_errors(make_spec(dates)))
    assert "campaign.start: '15/05/2027': write dates as YYYY-MM-DD (2027-05-15)" in errors
    assert "campaign.end: '05/06/2027' could be 2027-06-05 or 2027-05-06: write dates as YYYY-MM-DD" in errors
    assert "campaign.agreement_date: '2027-02-30' is not a real date; write it as YYYY-MM-DD" in errors


def test_platform_names_in_any_capitals_and_handles_without_at(make_spec: Callable[..., Path], tmp_path: Path) -> None:
    def typed(data: dict[str, Any]) -> None:
        data["deliverables"][0]["platform"] = "Instagram"
        data["deliverables"][0]["format"] = "Reel"
        person = data["influencers"][0]
        person["handle"] = "alexruns"
        person["platforms"] = {"INSTAGRAM": {"handle": "alex.pics", "followers": 5000, "avg_engagements": 200}}

    result = run("build", make_spec(typed), "--out", tmp_path / "out", "--format", "docx")
    assert result.exit_code == 0, result.output
    folder = tmp_path / "out" / "alexruns"
    contract = docx_text(folder / "contract.docx")
    assert "known online as @alexruns" in contract and "Instagram (@alex.pics)" in contract
    assert "@alexruns" in (folder / "calendar.ics").read_text(encoding="utf-8")

    def twice(data: dict[str, Any]) -> None:
        data["influencers"][0]["platforms"] = {"Instagram": {"followers": 1}, "instagram": {"followers": 2}}

    assert any("instagram is given twice" in e for e in _errors(make_spec(twice)))


# --- item 8: the schema file beside the specs ----------------------------------------------------

def test_batch_of_a_folder_skips_the_schema_beside_the_specs(make_spec: Callable[..., Path], tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    make_spec()  # tmp_path/spec.yaml
    monkeypatch.chdir(tmp_path)
    assert run("schema", "-o", "contractgen.schema.json").exit_code == 0
    (tmp_path / "renamed.json").write_bytes((tmp_path / "contractgen.schema.json").read_bytes())  # by content
    result = run("batch", ".", "--out", "out", "--format", "docx", "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert "1 influencer(s)" in result.stdout and "schema" not in result.output
    assert (tmp_path / "out" / "spring-sneaker-drop" / "alexruns" / "contract.docx").is_file()


def test_new_writes_the_schema_its_spec_points_at(tmp_path: Path) -> None:
    from tests.test_questionnaire import ENTER
    from tests.test_questionnaire import run as run_new

    code, shown, _ = run_new(tmp_path, {"#confirm": [ENTER, "n"]}, source=SAMPLES / "minimal.yaml",
                             output="specs/again.yaml")
    assert code == 0, shown
    first = (tmp_path / "specs" / "again.yaml").read_text(encoding="utf-8").splitlines()[0]
    pointed = tmp_path / "specs" / first.split("$schema=", 1)[1]
    assert json.loads(pointed.read_text(encoding="utf-8"))["title"] == "contractgen campaign spec"
    assert "contractgen.schema.json" in shown
