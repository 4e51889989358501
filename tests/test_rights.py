"""The rights ledger (`contractgen rights`): windows from the contract's own data, answers per day, calendars."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from icalendar import Calendar

from contractgen.assemble.contract import build_contract
from contractgen.build import engagements
from contractgen.document import Clause, ListBlock, SubClause, plain
from contractgen.spec import load_spec
from contractgen.toolkit import Toolkit
from tests.conftest import SAMPLES, run_cli

FULL = SAMPLES / "full.yaml"
DAY = dt.timedelta(days=1)


def _ledger(spec: Path) -> list[dict]:
    result = run_cli("rights", spec, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _on(spec: Path, day: dt.date) -> dict[tuple[str, int | None], str]:
    result = run_cli("rights", spec, "--on", day.isoformat(), "--json")
    assert result.exit_code == 0, result.output
    return {(a["influencer"], a["deliverable"]): a["answer"] for a in json.loads(result.stdout)}


def _clause_text(clause: Clause) -> str:
    lists = [b for b in clause.body if isinstance(b, ListBlock)]
    lines = []
    for part in clause.body:
        if isinstance(part, SubClause):
            lines.append(plain(part.runs))
            lists.extend(part.lists)
    lines.extend(plain(item) for lst in lists for item in lst.items)
    return "\n".join(lines)


@pytest.fixture(scope="module")
def ledger() -> list[dict]:
    return _ledger(FULL)


def test_ledger_dates_match_the_contract_wording(ledger: list[dict]) -> None:
    kit = Toolkit()
    campaign = load_spec(FULL)
    locale = kit.locale(campaign)
    for engagement in engagements(campaign, kit):
        handle = engagement.influencer.handle
        clauses = {b.clause_id: b for b in build_contract(engagement, kit).blocks if isinstance(b, Clause)}
        text = {cid: _clause_text(c) for cid, c in clauses.items()}
        mine = [r for r in ledger if r["influencer"] == handle]
        paid = [r for r in mine if r["right"] == "paid"]
        assert paid and all(r["granted"] for r in paid)
        for r in paid:
            end = dt.date.fromisoformat(r["end_to"])
            # The Usage Period's end as the definitions clause words it, and the clause numbers cited.
            assert f"ending on {locale.date(end)}" in text["definitions"]
            assert f"usage-rights:{clauses['usage-rights'].number}" in r["clauses"]
            assert f"definitions:{clauses['definitions'].number}" in r["clauses"]
        for r in (r for r in mine if r["right"] == "whitelisting"):
            assert f"until {locale.date(dt.date.fromisoformat(r['end_to']))}, the end of the Usage Period" in text["whitelisting"]
        (ex,) = [r for r in mine if r["right"] == "exclusivity"]
        start, end = (locale.date(dt.date.fromisoformat(ex[k])) for k in ("start_from", "end_to"))
        assert f"From {start} to {end} (the Exclusivity Period)" in text["exclusivity"]
        for r in (r for r in mine if r["right"] == "live"):
            d = engagement.deal.deliverables[r["deliverable"] - 1]
            assert dt.date.fromisoformat(r["end_to"]) - dt.date.fromisoformat(r["start_to"]) == (d.live_days - 1) * DAY
            assert dt.date.fromisoformat(r["start_from"]) == d.publish_from
    # By hand from samples/full.yaml: Maya's last post 1 March 2027 + 6 months; 14 days before her
    # first post to 30 days after her last.
    maya = {(r["deliverable"], r["right"]): r for r in ledger if r["influencer"] == "@mayaglows"}
    assert maya[(1, "paid")]["end_to"] == "2027-09-01"
    assert (maya[(None, "exclusivity")]["start_from"], maya[(None, "exclusivity")]["end_to"]) == ("2027-01-27", "2027-03-31")


def test_on_answers_change_exactly_at_each_boundary(ledger: list[dict]) -> None:
    maya = {(r["deliverable"], r["right"]): r for r in ledger if r["influencer"] == "@mayaglows"}
    key = ("@mayaglows", 1)
    first = dt.date.fromisoformat(maya[(1, "paid")]["start_from"])
    last = dt.date.fromisoformat(maya[(1, "paid")]["end_to"])
    assert _on(FULL, first - DAY)[key] == "not_yet"
    assert _on(FULL, first)[key] == "paid_account"  # whitelisting: also through her account
    assert _on(FULL, last)[key] == "paid_account"
    assert _on(FULL, last + DAY)[key] == "expired"
    ex = maya[(None, "exclusivity")]
    ex_from, ex_to = (dt.date.fromisoformat(ex[k]) for k in ("start_from", "end_to"))
    exclusive = ("@mayaglows", None)
    assert _on(FULL, ex_from - DAY)[exclusive] == "free"
    assert _on(FULL, ex_from)[exclusive] == "exclusive"
    assert _on(FULL, ex_to)[exclusive] == "exclusive"
    assert _on(FULL, ex_to + DAY)[exclusive] == "free"


def test_organic_only_deal_never_answers_paid(make_spec) -> None:
    spec = make_spec(lambda d: d.update(usage_rights={"mode": "organic_only", "term_months": 3}))
    rows = _ledger(spec)
    (paid,) = [r for r in rows if r["right"] == "paid"]
    assert paid["granted"] is False and paid["end_to"] is None
    assert not [r for r in rows if r["right"] in ("whitelisting", "exclusivity")]
    # minimal.yaml: the reel goes out 5-20 April 2027; usage ends 3 months after 20 April.
    answers = _on(spec, dt.date(2027, 7, 20))
    assert answers == {("@alexruns", 1): "organic"}
    assert _on(spec, dt.date(2027, 7, 21)) == {("@alexruns", 1): "expired"}
    table = run_cli("rights", spec, "--on", "2027-05-01")
    assert "organic only: no paid ads or boosting (until 20 July 2027)" in table.stdout


def test_perpetual_usage_has_no_end(make_spec) -> None:
    spec = make_spec(lambda d: d.update(usage_rights={"mode": "buyout", "term_months": None}))
    (paid,) = [r for r in _ledger(spec) if r["right"] == "paid"]
    assert paid["end_to"] is None
    assert _on(spec, dt.date(2099, 1, 1)) == {("@alexruns", 1): "paid"}
    assert "no end date" in run_cli("rights", spec).stdout


def test_table_csv_and_persian_wording() -> None:
    table = run_cli("rights", FULL)
    assert table.exit_code == 0
    assert "Paid usage (ads, boosted posts)" in table.stdout and "September 1, 2027" in table.stdout  # US dates
    csv_out = run_cli("rights", FULL, "--csv").stdout.splitlines()
    assert csv_out[0].split(",")[:3] == ["influencer", "deliverable", "right"]
    assert csv_out[1].startswith("@mayaglows,")  # an ordinary handle as it is (see output.text_cells)
    fa = run_cli("rights", SAMPLES / "persian.yaml", "--on", "2027-05-01")
    assert fa.exit_code == 0
    assert "استفاده در آگهی پولی" in fa.stdout and "ماده" in fa.stdout


def test_bad_usage_is_a_usage_error() -> None:
    bad = run_cli("rights", FULL, "--on", "2027-02-30")
    assert bad.exit_code == 2 and "write it as YYYY-MM-DD" in bad.output
    both = run_cli("rights", FULL, "--json", "--csv")
    assert both.exit_code == 2 and "--json" in both.output


def test_calendar_reminds_before_usage_and_exclusivity_end(tmp_path: Path, ledger: list[dict]) -> None:
    out = tmp_path / "out"
    assert run_cli("build", FULL, "--out", out, "--format", "pdf", "--only", "brief").exit_code == 0
    cal = Calendar.from_ical((out / "mayaglows" / "calendar.ics").read_bytes())
    events = {str(e["uid"]): e for e in cal.walk("VEVENT")}
    usage = events["glow-2027-q1-mayaglows-usage-end@contractgen"]
    maya = {(r["deliverable"], r["right"]): r for r in ledger if r["influencer"] == "@mayaglows"}
    assert usage.decoded("dtstart") == dt.date.fromisoformat(maya[(1, "paid")]["end_to"])
    exclusivity = events["glow-2027-q1-mayaglows-exclusivity-end@contractgen"]
    assert exclusivity.decoded("dtstart") == dt.date.fromisoformat(maya[(None, "exclusivity")]["end_to"])
    for event in (usage, exclusivity):
        (alarm,) = event.walk("VALARM")
        assert alarm.decoded("trigger") == -dt.timedelta(days=14)
    assert "exclusivity-end" in (out / "campaign.ics").read_text()
