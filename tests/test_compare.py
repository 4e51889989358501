"""contractgen compare: the redline accepts to NEW and rejects to OLD, and says what changed and why."""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import ROOT, SAMPLES, docx_text, pdf_text, run_cli

from contractgen.redline import review


def _fee(d: dict) -> None:
    d["payment"]["fee"] = 950


def _dates(d: dict) -> None:
    d["deliverables"][0]["publish_window"]["to"] = "2027-04-25"


def _usage(d: dict) -> None:
    d["usage_rights"] = {"mode": "paid_usage", "channels": ["brand_social", "paid_social"], "term_months": 3}


def _exclusivity(d: dict) -> None:
    d["exclusivity"] = {"mode": "category", "category": "running shoes", "days_before": 7, "days_after": 14}


def _add_deliverable(d: dict) -> None:
    d["deliverables"].append({"platform": "tiktok", "format": "video", "count": 1,
                              "publish_window": {"from": "2027-04-10", "to": "2027-04-25"}})


def _add_influencer(d: dict) -> None:
    d["influencers"].append({"legal_name": "Bea Lin", "handle": "@bealin", "email": "bea@example.co.uk"})


def _agent_and_signatory(d: dict) -> None:
    d["influencers"][0]["agent"] = {"name": "Jo Park", "email": "jo@talent.example"}
    d["brand"]["signatory"] = {"name": "Ann Lee", "title": "CEO"}


def _with_tiktok(d: dict) -> None:
    _add_deliverable(d)


# (name, change to OLD, change giving NEW, fields the summary must name, clause ids it must name)
EDITS: list[tuple[str, Callable[[dict], Any] | None, Callable[[dict], Any], set[str], set[str]]] = [
    ("fee", None, _fee, {"payment.fee"}, {"payment", "definitions"}),  # the cap stays at its floor (GBP 5,000)
    ("dates", None, _dates, {"deliverables[0].publish_window.to"}, {"timeline"}),
    ("usage term", None, _usage, {"usage_rights.term_months", "usage_rights.mode"}, {"usage-rights"}),
    ("exclusivity mode", None, _exclusivity, {"exclusivity.mode"}, {"exclusivity"}),
    ("add a deliverable", None, _add_deliverable, {"deliverables[1]"}, {"scope", "timeline"}),
    ("remove a deliverable", _with_tiktok, lambda d: d["deliverables"].pop(), {"deliverables[1]"}, {"scope"}),
    ("agent and signatory", None, _agent_and_signatory, {"influencers[@alexruns].agent", "brand.signatory"},
     {"general-terms"}),
]


def _write(path: Path, data: dict) -> Path:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _pair(tmp_path: Path, base: dict, before: Callable[[dict], Any] | None,
          after: Callable[[dict], Any]) -> tuple[Path, Path]:
    old = copy.deepcopy(base)
    if before:
        before(old)
    new = copy.deepcopy(old)
    after(new)
    return _write(tmp_path / "old.yaml", old), _write(tmp_path / "new.yaml", new)


def _build(spec: Path, out: Path, *extra: str | Path) -> Path:
    result = run_cli("build", spec, "--out", out, "--format", "docx", *extra)
    assert result.exit_code == 0, result.stderr
    return out


def _compare(old: Path, new: Path, out: Path, *extra: str | Path) -> dict:
    result = run_cli("compare", old, new, "--out", out, "--format", "docx", "--json", *extra)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def _assert_property(redline: Path, old_build: Path, new_build: Path) -> None:
    """Accepting every change gives the NEW build's document, rejecting them the OLD build's."""
    data = redline.read_bytes()
    assert review.resolved(data, True) == review.lines(review.body(new_build.read_bytes()))
    assert review.resolved(data, False) == review.lines(review.body(old_build.read_bytes()))


def _document(report: dict, handle: str, kind: str) -> dict:
    return next(d for d in report["documents"] if d["influencer"] == handle and d["document"] == kind)


@pytest.mark.parametrize(("name", "before", "after", "fields", "clauses"), EDITS, ids=[e[0] for e in EDITS])
def test_redline_accepts_to_new_and_rejects_to_old(tmp_path: Path, minimal_data: dict, name: str,
                                                   before: Any, after: Any, fields: set[str], clauses: set[str]) -> None:
    old, new = _pair(tmp_path, minimal_data, before, after)
    old_build, new_build = _build(old, tmp_path / "b-old"), _build(new, tmp_path / "b-new")
    report = _compare(old, new, tmp_path / "red")
    for kind in ("contract", "brief"):
        redline = tmp_path / "red" / "alexruns" / f"{kind}.redline.docx"
        _assert_property(redline, old_build / "alexruns" / f"{kind}.docx", new_build / "alexruns" / f"{kind}.docx")
    contract = _document(report, "@alexruns", "contract")
    assert contract["check"] == {"accept_all_gives_new": True, "reject_all_gives_old": True}
    assert {f["field"] for f in contract["fields"]} >= fields
    named = {c["clause"] for c in contract["changes"]}
    assert named >= clauses, named
    for change in contract["changes"]:  # every change is credited to a field that changed
        assert set(change["because"]) <= {f["field"] for f in contract["fields"]}, change


def test_a_changed_fee_marks_the_amount_not_the_paragraph(tmp_path: Path, minimal_data: dict) -> None:
    old, new = _pair(tmp_path, minimal_data, None, _fee)
    report = _compare(old, new, tmp_path / "red")
    contract = _document(report, "@alexruns", "contract")
    fee = next(f for f in contract["fields"] if f["field"] == "payment.fee")
    assert (fee["old"], fee["new"]) == ("800", "950")
    assert "Schedule 2 — Fee and payment" in fee["where"]
    payment = [c for c in contract["changes"] if c["clause"] == "payment"]
    assert payment and all(c["replaced"] == [["800", "950"]] and c["because"] == ["payment.fee"] for c in payment)
    body = review.body((tmp_path / "red" / "alexruns" / "contract.redline.docx").read_bytes())
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    deleted = ["".join(t.text for t in d.iter(w + "delText")) for d in body.iter(w + "del") if d.getparent().tag == w + "p"]
    inserted = ["".join(t.text for t in i.iter(w + "t")) for i in body.iter(w + "ins") if i.getparent().tag == w + "p"]
    assert set(deleted) == {"800"} and set(inserted) == {"950"}
    marks = list(body.iter(w + "ins")) + list(body.iter(w + "del"))
    assert all(m.get(w + "author") == "Stride Footwear Ltd" and m.get(w + "date") for m in marks)
    assert len({m.get(w + "id") for m in marks}) == len(marks)  # ids unique in the document
    summary = (tmp_path / "red" / "alexruns" / "changes.md").read_text(encoding="utf-8")
    assert "payment.fee 800 → 950: " in summary and "Schedule 2 — Fee and payment" in summary


def test_added_and_removed_influencers_are_listed(tmp_path: Path, minimal_data: dict) -> None:
    old, new = _pair(tmp_path, minimal_data, None, _add_influencer)
    report = _compare(old, new, tmp_path / "red")
    assert report["added"] == ["@bealin"] and report["removed"] == []
    assert not (tmp_path / "red" / "bealin").exists()
    assert "@bealin" in (tmp_path / "red" / "changes.md").read_text(encoding="utf-8")
    unchanged = _document(report, "@alexruns", "contract")
    assert unchanged["changes"] == []
    back = run_cli("compare", new, old, "--out", tmp_path / "back", "--format", "docx", "--json")
    assert json.loads(back.stdout)["removed"] == ["@bealin"]


def test_a_library_bump_marks_the_wording_with_the_clause_and_both_versions(tmp_path: Path, minimal_data: dict) -> None:
    source = yaml.safe_load((ROOT / "clauses" / "force-majeure.yaml").read_text(encoding="utf-8"))
    versions = {}
    for version, word in (("1.0.1", "reasonable"), ("1.1.0", "commercially reasonable")):
        folder = tmp_path / f"lib-{version}"
        folder.mkdir()
        data = copy.deepcopy(source)
        clause = data["clauses"][0]
        clause["version"] = version
        clause["text"]["en"] = clause["text"]["en"].replace("limits its effects", f"takes {word} steps to limit its effects")
        if version == "1.1.0":  # and a formatting-only change: the defined term in italics too
            clause["text"]["en"] = clause["text"]["en"].replace("**Force Majeure Event**", "***Force Majeure Event***", 1)
        _write(folder / "force-majeure.yaml", data)
        locked = run_cli("clauses", "lock", "--library", folder)  # as a lawyer releases a version
        assert locked.exit_code == 0, locked.stderr
        versions[version] = folder
    spec = _write(tmp_path / "spec.yaml", minimal_data)
    old_build = _build(spec, tmp_path / "b-old", "--library", versions["1.0.1"])
    new_build = _build(spec, tmp_path / "b-new", "--library", versions["1.1.0"])
    report = _compare(spec, spec, tmp_path / "red", "--old-library", versions["1.0.1"], "--library", versions["1.1.0"],
                      "--only", "contract")
    contract = _document(report, "@alexruns", "contract")
    assert contract["fields"] == []
    reformatted, reworded = contract["changes"]  # in reading order
    assert {reworded["clause"], reformatted["clause"]} == {"force-majeure"}
    assert reworded["versions"] == ["1.0.1", "1.1.0"]
    assert reworded["replaced"] == [["", "commercially"]] and reformatted["replaced"] == []
    assert reworded["because"] == ["clause library: force-majeure 1.0.1 → 1.1.0"]
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    body = review.body((tmp_path / "red" / "alexruns" / "contract.redline.docx").read_bytes())
    [change] = [c.getparent().getparent() for c in body.iter(w + "rPrChange")]
    assert "".join(t.text for t in change.iter(w + "t")) == "Force Majeure Event"
    _assert_property(tmp_path / "red" / "alexruns" / "contract.redline.docx",
                     old_build / "alexruns" / "contract.docx", new_build / "alexruns" / "contract.docx")


def test_persian_redline_keeps_latin_spans_isolated_in_both_versions(tmp_path: Path) -> None:
    base = yaml.safe_load((SAMPLES / "persian.yaml").read_text(encoding="utf-8"))
    base["influencers"] = base["influencers"][:1]
    base["brand"].pop("logo", None)
    person = base["influencers"][0]
    handle = person["handle"]

    def edit(d: dict) -> None:
        d["influencers"][0]["email"] = "new-address@example.ir"
        d["influencers"][0]["fee"] = int(d["influencers"][0]["fee"]) + 100_000_000

    old, new = _pair(tmp_path, base, None, edit)
    old_build, new_build = _build(old, tmp_path / "b-old"), _build(new, tmp_path / "b-new")
    report = _compare(old, new, tmp_path / "red", "--only", "contract")
    slug = next(p.name for p in (tmp_path / "red").iterdir() if p.is_dir())
    redline = tmp_path / "red" / slug / "contract.redline.docx"
    _assert_property(redline, old_build / slug / "contract.docx", new_build / slug / "contract.docx")
    contract = _document(report, handle, "contract")
    email = next(c for c in contract["changes"] if any("new-address@example.ir" in b for _, b in c["replaced"]))
    assert email["replaced"][0][0] == person["email"]  # the address is one word: replaced whole
    assert "influencers[" + handle + "].email" in email["because"]
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    marked = {kind: [r for m in review.body(redline.read_bytes()).iter(w + kind) if m.getparent().tag == w + "p"
                     for r in m.iter(w + "r")] for kind in ("ins", "del")}
    for kind, tag in (("ins", "t"), ("del", "delText")):
        latin = [r for r in marked[kind] if "@" in "".join(t.text for t in r.iter(w + tag))]
        assert latin and all("".join(t.text for t in r.iter(w + tag))[0] == "\u2066" for r in latin)  # LRI … PDI
        assert all(r.find(f"{w}rPr/{w}rtl") is None for r in latin)  # a Latin span is not marked right to left
        persian = [r for r in marked[kind] if "٬" in "".join(t.text for t in r.iter(w + tag))]
        assert persian and all(r.find(f"{w}rPr/{w}rtl") is not None for r in persian)
    summary = (tmp_path / "red" / slug / "changes.md").read_text(encoding="utf-8")
    assert "فیلدهای تغییرکردهٔ مشخصات" in summary  # the summary speaks the document's language


def test_pdf_redline_lists_the_changes_first_and_shows_both_versions(tmp_path: Path, minimal_data: dict) -> None:
    def edit(d: dict) -> None:
        _fee(d)
        _agent_and_signatory(d)  # the signature panels change: the old ones struck, the new ones inserted

    old, new = _pair(tmp_path, minimal_data, None, edit)
    result = run_cli("compare", old, new, "--out", tmp_path / "red", "--only", "contract", "--author", "Jo Park")
    assert result.exit_code == 0, result.stderr
    text = pdf_text(tmp_path / "red" / "alexruns" / "contract.redline.pdf")
    first, rest = text.split("\f", 1)
    assert "Changes: Influencer Marketing Agreement" in first and "payment.fee 800 → 950" in first
    assert "Jo Park" in first
    assert "GBP800950" in rest.replace(" ", "")  # the old amount struck through, the new one beside it
    body = rest.split("\nInfluencer Marketing Agreement\n", 1)[1]  # after the pages listing the changes
    assert body.count("Signed by the parties") == 2 and "Jo Park" in body.split("Signed by the parties")[-1]
    assert b"/FT /Sig" not in (tmp_path / "red" / "alexruns" / "contract.redline.pdf").read_bytes()  # read, not signed


def test_sent_manifest_must_match_the_old_spec(tmp_path: Path, minimal_data: dict) -> None:
    old, new = _pair(tmp_path, minimal_data, None, _fee)
    build = _build(old, tmp_path / "sent")
    assert json.loads((build / "manifest.json").read_text())["spec"]["sha256"]
    ok = run_cli("compare", old, new, "--out", tmp_path / "r1", "--format", "docx", "--sent", build / "manifest.json")
    assert ok.exit_code == 0, ok.stderr
    wrong = run_cli("compare", new, old, "--out", tmp_path / "r2", "--format", "docx", "--sent", build / "manifest.json")
    assert wrong.exit_code == 1
    assert "OLD is not the spec that was sent" in wrong.stderr and "manifest.json" in wrong.stderr


def test_bad_old_spec_is_reported_with_its_place(tmp_path: Path, make_spec: Callable[..., Path]) -> None:
    good = make_spec()
    bad = make_spec(lambda d: d["payment"].update(fee="lots"), name="bad.yaml")
    result = run_cli("compare", bad, good, "--out", tmp_path / "r")
    assert result.exit_code == 1
    assert "bad.yaml" in result.stderr and "payment.fee" in result.stderr


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_opens_the_redline(tmp_path: Path, minimal_data: dict) -> None:
    old, new = _pair(tmp_path, minimal_data, None, _add_deliverable)
    _compare(old, new, tmp_path / "red", "--only", "contract")
    redline = tmp_path / "red" / "alexruns" / "contract.redline.docx"
    done = subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(redline)],
                          capture_output=True, timeout=180, check=False)
    pdf = tmp_path / "contract.redline.pdf"
    assert done.returncode == 0 and pdf.is_file(), done.stderr
    text = pdf_text(pdf)
    assert "TikTok" in text and "Instagram" in text  # the inserted deliverable is shown, marked
    assert docx_text(redline)  # python-docx reads it too


def test_a_library_lint_rejects_is_never_redlined(tmp_path: Path, minimal_data: dict) -> None:
    source = yaml.safe_load((ROOT / "clauses" / "force-majeure.yaml").read_text(encoding="utf-8"))
    source["clauses"][0]["version"] = "9.0.0"  # changed and not locked
    folder = tmp_path / "lib"
    folder.mkdir()
    _write(folder / "force-majeure.yaml", source)
    spec = _write(tmp_path / "spec.yaml", minimal_data)
    result = run_cli("compare", spec, spec, "--out", tmp_path / "red", "--library", folder)
    assert result.exit_code == 1
    assert "not in the lock file" in result.stderr and not (tmp_path / "red").exists()
