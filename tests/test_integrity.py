"""No silent loss: money that reconciles, a lock that holds, a summary that scales, a library lint trusts."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import docx_text, run_cli

# --- money -------------------------------------------------------------------------------------

_AMOUNT = re.compile(r"(?:EUR|KWD|JPY|GBP|USD) (\d{1,3}(?:,\d{3})*(?:\.\d+)?)")


def _fee_table(text: str, currency: str) -> tuple[list[Decimal], Decimal]:
    lines = text.splitlines()
    start = lines.index("Total Fee") if "Total Fee" in lines else None
    assert start is not None, "no fee table"
    # The table reads: label, percent, amount per row; the total row is last.
    head = max(i for i in range(start) if lines[i] == "Amount")
    cells = lines[head + 1:start]
    parts = [Decimal(c.removeprefix(f"{currency} ").replace(",", "")) for c in cells[2::3]]
    total = Decimal(lines[start + 2].removeprefix(f"{currency} ").replace(",", ""))
    return parts, total


@pytest.mark.parametrize(("currency", "fee", "percents", "parts"), [
    ("EUR", 1000, ["33.3335", "33.3335", "33.333"], ["333.34", "333.33", "333.33"]),
    ("EUR", 100, ["33.3335", "33.3335", "33.333"], ["33.34", "33.33", "33.33"]),
    ("JPY", 100000, ["33.3335", "33.3335", "33.333"], ["33334", "33333", "33333"]),
    ("KWD", "100.005", ["50", "50"], ["50.003", "50.002"]),
])
def test_instalments_add_up_to_the_fee_as_printed(make_spec, tmp_path: Path, currency, fee, percents, parts) -> None:
    def change(data):
        data["campaign"]["currency"] = currency
        data["payment"] = {"fee": fee, "schedule": [{"label": f"Part {i + 1}", "percent": p}
                                                     for i, p in enumerate(percents)]}

    out = tmp_path / "out"
    result = run_cli("build", make_spec(change), "--out", out, "--format", "docx", "--only", "contract")
    assert result.exit_code == 0, result.stderr
    printed, total = _fee_table(docx_text(out / "alexruns" / "contract.docx"), currency)
    assert printed == [Decimal(p) for p in parts]
    assert sum(printed) == total == Decimal(str(fee))


@pytest.mark.parametrize(("currency", "fee", "message"), [
    ("EUR", "100.005", "payment.fee: 100.005 has more decimals than EUR allows (2)"),
    ("JPY", "1000.5", "payment.fee: 1000.5 has more decimals than JPY allows (0)"),
    ("KWD", "1.0005", "payment.fee: 1.0005 has more decimals than KWD allows (3)"),
])
def test_a_fee_finer_than_the_currency_is_a_located_error(make_spec, currency, fee, message) -> None:
    spec = make_spec()
    text = spec.read_text().replace("currency: GBP", f"currency: {currency}").replace("fee: 800", f"fee: {fee}")
    text = text.replace("email: alex@example.co.uk", f"email: alex@example.co.uk\n  fee: {fee}")
    spec.write_text(text)
    result = run_cli("validate", spec)
    assert result.exit_code == 1
    lines = text.splitlines()
    assert f"spec.yaml:{len(lines) - lines[::-1].index(f'  fee: {fee}')}: {message}" in result.stderr
    assert f"spec.yaml:{lines.index(f'  fee: {fee}') + 1}: influencers[0].fee: {fee} has more decimals" in result.stderr
    assert "Traceback" not in result.stderr


def test_currency_minor_units_follow_iso_4217() -> None:
    from contractgen.money import allocate, amount_text
    from contractgen.spec.codes import minor_units

    assert [minor_units(c) for c in ("EUR", "JPY", "KRW", "KWD", "BHD", "IRR", "USD")] == [2, 0, 0, 3, 3, 0, 2]
    assert amount_text(Decimal("333.3"), "EUR") == "333.30"
    assert amount_text(Decimal(4500), "USD") == "4,500"
    assert amount_text(Decimal("1.2345"), "KWD") == "1.235"
    assert sum(allocate(Decimal("0.05"), [Decimal(1)] * 100, "EUR")) == Decimal("0.05")


def test_derived_amounts_are_in_minor_units(make_spec, tmp_path: Path) -> None:
    def change(data):
        data["campaign"]["currency"] = "JPY"
        data["payment"] = {"fee": 99999, "kill_fee_percent": 25}
        data["penalties"] = {"late_delivery": {"percent_per_day": "1.5", "cap_percent": "12.5"}}

    out = tmp_path / "out"
    assert run_cli("build", make_spec(change), "--out", out, "--format", "docx", "--only", "contract").exit_code == 0
    text = docx_text(out / "alexruns" / "contract.docx")
    amounts = set(_AMOUNT.findall(text))
    assert {"25,000", "1,500", "12,500", "99,999"} <= amounts  # 24,999.75 / 1,499.985 / 12,499.875 rounded half up
    assert not [a for a in amounts if "." in a]


# --- lock integrity ----------------------------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent


def _payment_version() -> str:
    """The built-in payment clause's version (it moves as the wording is revised)."""
    import re

    text = (ROOT / "clauses" / "payment.yaml").read_text(encoding="utf-8")
    return re.search(r"- id: payment\n    version: (\S+)", text).group(1)


def _reworded_payment(tmp_path: Path) -> Path:
    """An overlay whose payment@1.0.0 says something else than the locked payment@1.0.0."""
    folder = tmp_path / "lib"
    folder.mkdir()
    text = (ROOT / "clauses" / "payment.yaml").read_text(encoding="utf-8")
    assert "the Brand pays the Influencer the Fee of" in text
    (folder / "payment.yaml").write_text(text.replace("the Brand pays the Influencer the Fee of",
                                                      "the Brand may pay the Influencer up to"), encoding="utf-8")
    return folder


@pytest.mark.parametrize("command", ["build", "batch"])
def test_reworded_clause_under_a_locked_version_blocks_the_build(tmp_path: Path, command: str) -> None:
    folder = _reworded_payment(tmp_path)
    out = tmp_path / "out"
    result = run_cli(command, ROOT / "samples" / "minimal.yaml", "--out", out, "--library", folder)
    assert result.exit_code == 1
    lint = run_cli("clauses", "lint", "--library", folder)
    assert lint.exit_code == 1
    message = next(line for line in lint.stdout.splitlines()
                   if f"payment@{_payment_version()}" in line).removesuffix(" [error]")
    assert "the wording differs from the built-in clause with the same version" in message
    assert f"error: {message}" in result.stderr  # lint's own words
    assert "nothing was built" in result.stderr
    assert not out.exists()


def test_a_clean_overlay_still_builds(tmp_path: Path) -> None:
    folder = _reworded_payment(tmp_path)
    clause = folder / "payment.yaml"
    version = _payment_version()
    clause.write_text(clause.read_text(encoding="utf-8").replace(f"version: {version}", "version: 9.0.0", 1),
                      encoding="utf-8")
    assert run_cli("clauses", "lock", "--library", folder).exit_code == 0
    out = tmp_path / "out"
    result = run_cli("build", ROOT / "samples" / "minimal.yaml", "--out", out, "--library", folder,
                     "--format", "docx", "--only", "contract")
    assert result.exit_code == 0, result.stderr
    assert "the Brand may pay the Influencer up to" in docx_text(out / "alexruns" / "contract.docx")


# --- a summary for thousands of influencers ----------------------------------------------------

def _big_campaign(count: int):
    import yaml

    from contractgen.spec.models import CampaignSpec

    data = yaml.safe_load((ROOT / "samples" / "minimal.yaml").read_text(encoding="utf-8"))
    data["influencers"] = [
        {"legal_name": f"Person {i}", "handle": f"@p{i:05d}", "email": f"p{i}@example.com",
         "fee": 500 + i, "platforms": {"instagram": {"followers": 10_000 + i, "avg_engagements": 300 + i}}}
        for i in range(count)]
    return CampaignSpec.model_validate(data)


def test_a_summary_of_2000_influencers_lists_100_and_writes_everyone_to_csv(tmp_path: Path) -> None:
    import csv
    import io

    from contractgen.build import engagements, render
    from contractgen.checks import load_rates, run_checks
    from contractgen.summary import CoverageRow, people, summary_csv, summary_document
    from contractgen.toolkit import Toolkit

    spec, kit, rates = _big_campaign(2000), Toolkit(), load_rates()
    everyone = engagements(spec, kit)
    findings = run_checks(spec, kit.library, rates, everyone)
    persons = people(everyone, rates, findings)
    gap = CoverageRow("R4", "No ROI data", "partly", (), (), (("no tracking link", "tracking.landing_url",
                                                              tuple(f"@p{i:05d}" for i in range(50))),))
    document = summary_document(spec, kit, persons, findings, [gap], None)
    text = docx_text(render(document, "docx"))
    assert "2,000 influencers; fees GBP 2,999,000" in text  # sum of 500..2499: everyone counts
    assert "This summary lists the first 100 of the 2,000 influencers one by one" in text
    assert "Person 99 (@p00099)" in text and "@p00100" not in text
    assert text.rstrip().endswith("(tracking.landing_url): @p00000, @p00001, @p00002, @p00003, @p00004, @p00005, @p00006, "
                                  "@p00007, @p00008, @p00009 and 40 more")
    assert "no Cancellation Fee is set for @p00000, " in text and "@p00009 and 1,990 others" in text

    rows = list(csv.DictReader(io.StringIO(summary_csv(persons, "GBP").decode("utf-8-sig"))))
    assert [r["handle"] for r in rows] == [f"'@p{i:05d}" for i in range(2000)]
    assert sum(Decimal(r["fee_GBP"]) for r in rows) == Decimal(2_999_000)


def test_a_build_writes_summary_csv_into_the_manifest(tmp_path: Path) -> None:
    import json

    out = tmp_path / "out"
    assert run_cli("build", ROOT / "samples" / "full.yaml", "--out", out, "--format", "docx").exit_code == 0
    manifest = json.loads((out / "manifest.json").read_text())
    entry = next(f for f in manifest["files"] if f["path"] == "summary.csv")
    assert entry["kind"] == "summary" and entry["format"] == "csv"
    lines = (out / "summary.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(lines) == 1 + 3 and "'@mayaglows" in (out / "summary.csv").read_text(encoding="utf-8-sig")


# --- the library lint trusts -------------------------------------------------------------------

def test_a_layout_naming_a_clause_twice_is_a_lint_error(tmp_path: Path) -> None:
    folder = tmp_path / "lib"
    folder.mkdir()
    (folder / "layout.yaml").write_text("clauses:\n  - definitions\n  - scope\n  - definitions\n", encoding="utf-8")
    lint = run_cli("clauses", "lint", "--library", folder)
    assert lint.exit_code == 1
    expected = f"{folder / 'layout.yaml'}:4: clauses: names clause 'definitions' twice (first on line 2)"
    assert expected in lint.stdout
    built = run_cli("build", ROOT / "samples" / "minimal.yaml", "--out", tmp_path / "out", "--library", folder)
    assert built.exit_code == 1 and f"error: {expected}" in built.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("name", ["stolen.yaml", "layout.yaml"])
def test_a_symlinked_file_in_an_overlay_is_refused_unread(tmp_path: Path, name: str) -> None:
    secret = tmp_path / "outside" / "secret.yaml"
    secret.parent.mkdir()
    secret.write_text("password: TOPSECRET-1234\n", encoding="utf-8")  # not a clause file: its lines would be quoted
    folder = tmp_path / "lib"
    folder.mkdir()
    (folder / name).symlink_to(secret)
    commands = [["clauses", "lint", "--library", folder],
                ["build", ROOT / "samples" / "minimal.yaml", "--out", tmp_path / "out", "--library", folder]]
    if name != "layout.yaml":  # lock reads clause files only
        commands.append(["clauses", "lock", "--library", folder])
    for args in commands:
        result = run_cli(*args)
        assert result.exit_code == 1
        said = result.stdout + result.stderr
        assert f"{folder / name}: is a symbolic link; a --library folder must hold the files themselves" in said
        assert "TOPSECRET" not in said
    assert not (tmp_path / "out").exists()
