"""Hostile and broken input: a located error or literal text, never a crash or a half-written file.

Each table row is one hostile input with the exact outcome a user sees. The classes covered:
malformed YAML and JSON, roots that are not mappings, YAML tags that would build Python
objects, alias bombs, oversized files, wrong types in every section, impossible dates,
negative, enormous and not-a-number numbers, XML-illegal control characters, invisible bidi
overrides, markup and template injection in every string field, handles and ids that try to
leave the output folder (spec and roster), an unwritable output folder, two builds at once,
clause text that reaches for Python internals or never ends, builds and batches killed
mid-way, and every entry point's error printing.
"""

from __future__ import annotations

import io
import json
import os
import re
import resource
import signal
import subprocess
import sys
import time
import types
import typing
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus

import pytest
import yaml
from conftest import ROOT, SAMPLES, count_while_writing, docx_text, pdf_text, run_cli
from pydantic import BaseModel, EmailStr

from contractgen.errors import UserError
from contractgen.output import TEMP_PREFIX
from contractgen.spec.models import CampaignSpec

# The spec every case starts from: a line per key, so each error's line number is known.
BASE = """\
campaign:
  name: Spring Sneaker Drop
  jurisdiction: GB
  currency: GBP
  start: 2027-04-01
  end: 2027-04-30
brand:
  legal_name: Stride Footwear Ltd
influencers:
  - legal_name: Alex Morgan
    handle: "@alexruns"
    email: alex@example.co.uk
deliverables:
  - platform: instagram
    format: reel
    count: 1
    publish_window: {from: 2027-04-08, to: 2027-04-20}
payment:
  fee: 800
"""
BASE_JSON = json.dumps(yaml.safe_load(BASE), indent=1, default=str)
XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def edit(old: str, new: str, text: str = BASE) -> str:
    """BASE with one piece replaced (the piece must be there)."""
    assert old in text, old
    return text.replace(old, new, 1)


def add(text: str) -> str:
    """BASE with lines added at the end (line 20 on)."""
    return BASE + text


def section(name: str, value: str) -> str:
    """BASE with a whole top-level section replaced by ``name: value``."""
    out = re.sub(rf"^{name}:\n(?:[ -].*\n)*", f"{name}: {value}\n", BASE, flags=re.M)
    assert out != BASE, name
    return out


def _bomb(levels: int) -> str:
    """A "billion laughs": each line holds ten aliases of the line before (10**levels values)."""
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


OPTIONAL_MAPPINGS = ["agency", "review", "communication", "penalties", "usage_rights", "exclusivity", "conduct",
                     "authenticity", "disclosure", "cadence", "confidentiality", "reporting", "tracking", "brief",
                     "legal"]
MODEL_NAMES = {"usage_rights": "UsageRights"}

# (id, file content, file suffix, the error line a user sees: "{file}" is the spec's path).
# Every case exits 1 and builds nothing.
ERROR_CASES: list[tuple[str, str | bytes, str, str]] = [
    # Malformed YAML and JSON.
    ("yaml-unclosed-list", edit("fee: 800", "fee: [800"), ".yaml",
     "{file}:20: invalid YAML: expected ',' or ']', but got '<stream end>'"),
    ("yaml-tab-indent", edit("  fee: 800", "\tfee: 800"), ".yaml",
     "{file}:19: invalid YAML: found character '\\t' that cannot start any token"),
    ("yaml-colon-in-plain-text", edit("legal_name: Alex Morgan", "legal_name: Alex: Morgan"), ".yaml",
     "{file}:10: invalid YAML: mapping values are not allowed here"),
    ("yaml-two-documents", add("---\ncampaign: {}\n"), ".yaml", "{file}:20: invalid YAML: but found another document"),
    ("yaml-undefined-alias", edit("fee: 800", "fee: *price"), ".yaml", "{file}:19: invalid YAML: found undefined alias 'price'"),
    ("yaml-duplicate-key", edit("  fee: 800", "  fee: 800\n  fee: 900"), ".yaml",
     "{file}:20: duplicate key 'fee' (keep one of them)"),
    ("yaml-not-utf8", BASE.encode().replace(b"Alex Morgan", b"Alex \xff Morgan"), ".yaml",
     "{file}: not UTF-8 text (bad byte at offset 186) (save the file as UTF-8)"),
    ("yaml-empty", "", ".yaml", "{file}: the file is empty (start from samples/minimal.yaml)"),
    ("yaml-nested-too-deep", "[" * 50_000, ".yaml", "{file}: invalid YAML: nested too deeply"),
    ("json-truncated", BASE_JSON[:-40], ".json", "{file}:27: invalid JSON: Expecting ',' delimiter"),
    ("json-trailing-comma", edit('"fee": 800', '"fee": 800,', BASE_JSON), ".json",
     "{file}:32: invalid JSON: Expecting property name enclosed in double quotes"),
    ("json-single-quotes", "{'campaign': {}}", ".json", "{file}:1: invalid JSON: Expecting property name enclosed in double quotes"),
    ("json-duplicate-key", edit('"fee": 800', '"fee": 800,\n  "fee": 1', BASE_JSON), ".json",
     "{file}:32: duplicate key 'fee' (keep one of them)"),
    ("json-nested-too-deep", "[" * 50_000, ".json", "{file}: invalid JSON: nested too deeply"),
    ("json-nan", edit('"fee": 800', '"fee": NaN', BASE_JSON), ".json", "{file}:31: payment.fee: input should be a finite number"),
    ("json-infinity", edit('"fee": 800', '"fee": -Infinity', BASE_JSON), ".json",
     "{file}:31: payment.fee: input should be a finite number"),
    # A root that is not a mapping.
    ("root-list", "- campaign\n- brand\n", ".yaml", "{file}:1: the top level must be a mapping of sections (campaign, brand, ...), not list"),
    ("root-text", "just some words\n", ".yaml", "{file}:1: the top level must be a mapping of sections (campaign, brand, ...), not str"),
    ("root-number", "42\n", ".yaml", "{file}:1: the top level must be a mapping of sections (campaign, brand, ...), not int"),
    ("root-null", "~\n", ".yaml", "{file}:1: the top level must be a mapping of sections (campaign, brand, ...), not nothing"),
    ("root-json-list", "[1, 2]", ".json", "{file}:1: the top level must be a mapping of sections (campaign, brand, ...), not list"),
    ("root-json-text", '"campaign"', ".json", "{file}:1: the top level must be a mapping of sections (campaign, brand, ...), not str"),
    # YAML tags that would build Python objects (or anything but plain data).
    ("tag-python-object-apply", edit("fee: 800", "fee: !!python/object/apply:os.system ['echo pwned']"), ".yaml",
     "{file}:19: tag tag:yaml.org,2002:python/object/apply:os.system is not allowed in a spec"),
    ("tag-python-object-new", edit("fee: 800", "fee: !!python/object/new:subprocess.Popen [[id]]"), ".yaml",
     "{file}:19: tag tag:yaml.org,2002:python/object/new:subprocess.Popen is not allowed in a spec"),
    ("tag-python-name", edit("fee: 800", "fee: !!python/name:os.system"), ".yaml",
     "{file}:19: tag tag:yaml.org,2002:python/name:os.system is not allowed in a spec (remove the tag)"),
    ("tag-python-module", edit("fee: 800", "fee: !!python/module:os"), ".yaml",
     "{file}:19: tag tag:yaml.org,2002:python/module:os is not allowed in a spec (remove the tag)"),
    ("tag-binary", edit("legal_name: Alex Morgan", "legal_name: !!binary QWxleA=="), ".yaml",
     "{file}:10: tag tag:yaml.org,2002:binary is not allowed in a spec (remove the tag)"),
    ("tag-custom", edit("legal_name: Alex Morgan", "legal_name: !person Alex"), ".yaml",
     "{file}:10: tag !person is not allowed in a spec (remove the tag)"),
    ("tag-set", edit("brand:\n", "tags: !!set {a, b}\nbrand:\n"), ".yaml",
     "{file}:7: tag tag:yaml.org,2002:set is not allowed in a spec"),
    ("tag-directive-shorthand", "%TAG !py! tag:yaml.org,2002:python/\n---\n" + edit("fee: 800", "fee: !py!object/apply:os.system [id]"),
     ".yaml", "{file}:21: tag tag:yaml.org,2002:python/object/apply:os.system is not allowed in a spec"),
    ("merge-key", edit("payment:\n  fee: 800", "payment:\n  <<: {fee: 800}"), ".yaml",
     "{file}:19: merge keys (<<) are not supported (write the keys out)"),
    # Alias bombs (memory is measured in test_alias_bomb_costs_no_memory).
    ("alias-bomb", _bomb(10), ".yaml",
     "{file}:6: more than 200,000 values once aliases are expanded (an alias bomb?) (remove repeated aliases)"),
    ("alias-inside-itself", edit("fee: 800", "fee: &loop [*loop]"), ".yaml",
     "{file}:19: an alias refers to the value that contains it (an alias cannot contain itself)"),
    # Oversized.
    ("oversized", BASE + "# padding\n" * 600_000, ".yaml",
     "{file}: file is 6,000,390 bytes; a spec may be at most 5,242,880 (split the campaign or move influencers "
     "into a --roster CSV)"),
    # XML-illegal control characters: refused, located, before any document exists.
    ("control-nul-in-name", edit("legal_name: Alex Morgan", 'legal_name: "Alex\\0Morgan"'), ".yaml",
     "{file}:10: influencers[0].legal_name: contains the control character U+0000, which a document cannot hold"),
    ("control-vtab-in-name", edit("legal_name: Alex Morgan", 'legal_name: "Alex\\vMorgan"'), ".yaml",
     "{file}:10: influencers[0].legal_name: contains the control character U+000B, which a document cannot hold"),
    ("control-escape-in-brand", edit("legal_name: Stride Footwear Ltd", 'legal_name: "Stride \\e[31mFootwear"'), ".yaml",
     "{file}:8: brand.legal_name: contains the control character U+001B, which a document cannot hold "
     "(delete it; it is often pasted in by accident)"),
    ("control-raw-in-file", edit("legal_name: Alex Morgan", "legal_name: Alex\x0bMorgan"), ".yaml",
     "{file}:10: contains the control character U+000B, which a document cannot hold"),
    ("control-in-key", edit("  fee: 800", '  fee: 800\n  "no\\x1bte": x'), ".yaml",
     "{file}:20: payment.no\\x1bte: contains the control character U+001B"),  # shown, not sent to the terminal
    ("control-json-escape", edit('"legal_name": "Alex Morgan"', '"legal_name": "Alex\\u0000"', BASE_JSON), ".json",
     "{file}:14: influencers[0].legal_name: contains the control character U+0000"),
    ("lone-surrogate", edit("legal_name: Alex Morgan", 'legal_name: "Alex \\uD800"'), ".yaml",
     "{file}:10: influencers[0].legal_name: contains the character U+D800, which a document cannot hold"),
    # Invisible bidi overrides: flagged, located.
    ("bidi-override-name", edit("legal_name: Alex Morgan", 'legal_name: "Alex \u202enagroM"'), ".yaml",
     "{file}:10: influencers[0].legal_name: contains the invisible direction override U+202E, which can disguise "
     "text (delete it; Persian text needs no overrides)"),
    ("bidi-isolate-brand", edit("legal_name: Stride Footwear Ltd", 'legal_name: "Stride \u2066Ltd\u2069"'), ".yaml",
     "{file}:8: brand.legal_name: contains the invisible direction override U+2066"),
    ("bidi-override-json", edit('"legal_name": "Alex Morgan"', '"legal_name": "Alex \\u202e"', BASE_JSON), ".json",
     "{file}:14: influencers[0].legal_name: contains the invisible direction override U+202E"),
    # Impossible dates.
    ("date-february-30", edit("start: 2027-04-01", "start: 2027-02-30"), ".yaml",
     "{file}:5: campaign.start: '2027-02-30' is not a real date; write it as YYYY-MM-DD"),
    ("date-month-13", edit("end: 2027-04-30", "end: 2027-13-01"), ".yaml",
     "{file}:6: campaign.end: '2027-13-01' is not a real date; write it as YYYY-MM-DD"),
    ("date-not-a-leap-year", edit("start: 2027-04-01", "start: 2027-02-29"), ".yaml",
     "{file}:5: campaign.start: '2027-02-29' is not a real date; write it as YYYY-MM-DD"),
    ("date-hour-25", edit("start: 2027-04-01", "start: 2027-04-01T25:00:00"), ".yaml",
     "{file}:5: campaign.start: '2027-04-01T25:00:00' is not a real date; write it as YYYY-MM-DD"),
    ("date-as-number", edit("start: 2027-04-01", "start: 20270401"), ".yaml",
     "{file}:5: campaign.start: '20270401' is not a date; write it as YYYY-MM-DD"),
    ("date-in-words", edit("end: 2027-04-30", "end: next friday"), ".yaml",
     "{file}:6: campaign.end: 'next friday' is not a real date; write it as YYYY-MM-DD"),
    ("date-year-1", edit("start: 2027-04-01", "start: 0001-01-01"), ".yaml",
     "{file}:5: campaign.start: 0001-01-01 is not a plausible campaign date (years 2000-2100)"),
    ("date-year-9999", edit("end: 2027-04-30", "end: 9999-12-31"), ".yaml",
     "{file}:6: campaign.end: 9999-12-31 is not a plausible campaign date (years 2000-2100)"),
    ("date-window-reversed", edit("{from: 2027-04-08, to: 2027-04-20}", "{from: 2027-04-20, to: 2027-04-08}"), ".yaml",
     "{file}:17: deliverables[0].publish_window.to: 2027-04-08 is before 'from' (2027-04-20) (swap the dates)"),
    # Negative, enormous and not-a-number numbers.
    ("fee-1e300", edit("fee: 800", "fee: 1e300"), ".yaml", "{file}:19: payment.fee: input should be less than or equal to 1E+15"),
    ("fee-negative", edit("fee: 800", "fee: -1"), ".yaml", "{file}:19: payment.fee: input should be greater than or equal to 0"),
    ("fee-nan", edit("fee: 800", "fee: .nan"), ".yaml", "{file}:19: payment.fee: '.nan' is not a number; write it as digits, e.g. 1500 or 1,500.50"),
    ("fee-infinite", edit("fee: 800", "fee: .inf"), ".yaml", "{file}:19: payment.fee: '.inf' is not a number; write it as digits, e.g. 1500 or 1,500.50"),
    ("fee-yes", edit("fee: 800", "fee: true"), ".yaml", "{file}:19: payment.fee: expected a number, not true"),
    ("fee-in-words", edit("fee: 800", "fee: eight hundred"), ".yaml", "{file}:19: payment.fee: 'eight hundred' is not a number; write it as digits, e.g. 1500 or 1,500.50"),
    ("followers-negative", edit("    email: alex@example.co.uk", "    email: alex@example.co.uk\n    platforms: {instagram: {followers: -1}}"),
     ".yaml", "{file}:13: influencers[0].platforms.instagram.followers: input should be greater than or equal to 0"),
    ("followers-enormous",
     edit("    email: alex@example.co.uk", "    email: alex@example.co.uk\n    platforms: {instagram: {followers: 100000000000000000000}}"),
     ".yaml", "{file}:13: influencers[0].platforms.instagram.followers: input should be less than or equal to 10000000000"),
    ("count-1e9", edit("count: 1", "count: 1000000000"), ".yaml",
     "{file}:16: deliverables[0].count: input should be less than or equal to 1000"),
    ("count-fraction", edit("count: 1", "count: 1.5"), ".yaml",
     "{file}:16: deliverables[0].count: input should be a valid integer, got a number with a fractional part"),
    ("count-yes", edit("count: 1", "count: true"), ".yaml", "{file}:16: deliverables[0].count: expected a number, not true"),
    ("percent-1e9", add("  kill_fee_percent: 1e9\n"), ".yaml",
     "{file}:20: payment.kill_fee_percent: input should be less than or equal to 100"),
    ("percent-negative", add("  commission_percent: -5\n"), ".yaml",
     "{file}:20: payment.commission_percent: input should be greater than or equal to 0"),
    ("liability-cap-1e300", add("legal: {liability_cap: 1e300}\n"), ".yaml",
     "{file}:20: legal.liability_cap: input should be less than or equal to 1E+15"),
    ("revision-rounds-10e30", add("review: {revision_rounds: 1000000000000000000000000000000}\n"), ".yaml",
     "{file}:20: review.revision_rounds: input should be less than or equal to 20"),
    ("schedule-overflowing", add("  schedule: [{label: Now, percent: 100}, {label: Again, percent: 100}]\n"), ".yaml",
     "{file}:20: payment.schedule: percentages sum to 200, expected 100"),
    # Wrong types in every section.
    ("wrong-type-campaign", section("campaign", "just text"), ".yaml",
     "{file}:1: campaign: input should be a valid dictionary or instance of Campaign"),
    ("wrong-type-brand", section("brand", "[Stride]"), ".yaml",
     "{file}:7: brand: input should be a valid dictionary or instance of Brand"),
    ("wrong-type-influencers", section("influencers", "Alex Morgan"), ".yaml", "{file}:9: influencers: input should be a valid list"),
    ("wrong-type-deliverables", section("deliverables", "{platform: instagram}"), ".yaml",
     "{file}:13: deliverables: input should be a valid list"),
    ("wrong-type-payment", section("payment", "800"), ".yaml",
     "{file}:18: payment: input should be a valid dictionary or instance of Payment"),
    *[(f"wrong-type-{name}", add(f"{name}: just text\n"), ".yaml",
       f"{{file}}:20: {name}: input should be a valid dictionary or instance of "
       f"{MODEL_NAMES.get(name, name.capitalize())}") for name in OPTIONAL_MAPPINGS],
    ("wrong-type-name-list", edit("name: Spring Sneaker Drop", "name: [Spring, Drop]"), ".yaml",
     "{file}:2: campaign.name: input should be a valid string"),
    ("wrong-type-influencer-entry", edit("  - legal_name: Alex Morgan\n    handle: \"@alexruns\"\n    email: alex@example.co.uk",
                                         "  - Alex Morgan"), ".yaml",
     "{file}:10: influencers[0]: input should be a valid dictionary or instance of Influencer"),
    ("wrong-type-key-is-a-list", edit("  fee: 800", "  fee: 800\n  ? [a, b]\n  : c"), ".yaml", "{file}:20: a key must be plain text"),
    ("key-like-a-pydantic-tag", add('"[str]": 1\n'), ".yaml", "{file}:20: [str]: unknown key '[str]'; allowed: campaign,"),
    ("wrong-type-objectives", edit("  end: 2027-04-30", "  end: 2027-04-30\n  objectives: sales"), ".yaml",
     "{file}:7: campaign.objectives: input should be a valid list"),
    # Handles and ids that try to leave the output folder (refused by their patterns).
    ("handle-parent-folder", edit('handle: "@alexruns"', 'handle: "../x"'), ".yaml",
     "{file}:11: influencers[0].handle: string should match pattern"),
    ("handle-absolute-path", edit('handle: "@alexruns"', 'handle: "/etc/passwd"'), ".yaml",
     "{file}:11: influencers[0].handle: string should match pattern"),
    ("handle-windows-path", edit('handle: "@alexruns"', 'handle: "C:\\\\Windows"'), ".yaml",
     "{file}:11: influencers[0].handle: string should match pattern"),
    ("handle-dot", edit('handle: "@alexruns"', 'handle: "."'), ".yaml", "{file}:11: influencers[0].handle: string should match pattern"),
    ("campaign-id-parent-folder", edit("name: Spring Sneaker Drop", "name: Spring Sneaker Drop\n  id: ../../etc"), ".yaml",
     "{file}:3: campaign.id: string should match pattern"),
    ("campaign-id-absolute-path", edit("name: Spring Sneaker Drop", "name: Spring Sneaker Drop\n  id: /tmp/x"), ".yaml",
     "{file}:3: campaign.id: string should match pattern"),
]


@pytest.mark.parametrize(("content", "suffix", "expected"), [c[1:] for c in ERROR_CASES], ids=[c[0] for c in ERROR_CASES])
def test_hostile_spec_gives_one_located_error_and_builds_nothing(tmp_path: Path, content: str | bytes, suffix: str,
                                                                 expected: str) -> None:
    spec = tmp_path / f"spec{suffix}"
    if isinstance(content, bytes):
        spec.write_bytes(content)
    else:
        spec.write_text(content, encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli("build", spec, "--out", out)  # an exception here would fail the test: no traceback
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert any(line.startswith("error: " + expected.format(file=spec)) for line in lines), result.stderr
    assert all(line.startswith("error: ") for line in lines), result.stderr
    assert not out.exists()


def test_the_table_is_big_enough() -> None:
    assert len(ERROR_CASES) >= 40
    assert len({c[0] for c in ERROR_CASES}) == len(ERROR_CASES)


def test_alias_bomb_costs_no_memory() -> None:
    from contractgen.errors import UserError
    from contractgen.spec.loader import load_yaml_text

    text = _bomb(30)  # 10**30 values once expanded
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(UserError, match=r"more than 200,000 values once aliases are expanded \(an alias bomb\?\)"):
        load_yaml_text(text, "bomb.yaml")
    grown_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before  # KiB on Linux
    assert grown_kb < 50 * 1024


# --- handles, ids and folders ----------------------------------------------------------------

@pytest.mark.parametrize(("handle", "folder"), [("CON", "_con"), ("nul.txt", "_nul.txt"), ("@com1", "_com1"),
                                                ("@__b__", "__b__"), ("@a..b", "a..b")])
def test_reserved_and_odd_handles_stay_inside_the_output_folder(tmp_path: Path, handle: str, folder: str) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(edit('handle: "@alexruns"', f'handle: "{handle}"'))
    out = tmp_path / "out"
    result = run_cli("build", spec, "--out", out, "--format", "pdf", "--only", "contract")
    assert result.exit_code == 0, result.stderr
    assert [p.relative_to(out).as_posix() for p in out.rglob("contract.pdf")] == [f"{folder}/contract.pdf"]
    assert handle.lstrip("@") in pdf_text(out / folder / "contract.pdf")


def test_a_reserved_campaign_id_is_not_a_device_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(edit("name: Spring Sneaker Drop", "name: Spring Sneaker Drop\n  id: CON"))
    monkeypatch.chdir(tmp_path)
    result = run_cli("build", spec, "--format", "pdf", "--only", "contract")
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "out" / "_CON" / "alexruns" / "contract.pdf").is_file()
    assert not (tmp_path / "out" / "CON").exists()


def test_roster_handles_cannot_leave_the_output_folder(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(edit("name: Spring Sneaker Drop", "name: Spring Sneaker Drop\n  id: CON"))
    roster = tmp_path / "roster.csv"
    roster.write_text("legal_name,handle,email\n"
                      "Up,../x,up@example.com\n"
                      "Root,/etc/passwd,root@example.com\n"
                      "Drive,C:\\x,drive@example.com\n"
                      "Device,CON,con@example.com\n"
                      "Null,nul.txt,nul@example.com\n"
                      "Esc\x1bape,@esc,esc@example.com\n"
                      "Over\u202eride,@over,over@example.com\n", encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli("batch", spec, "--roster", roster, "--out", out, "--format", "pdf", "--only", "contract",
                     "--jobs", "1")
    assert result.exit_code == 1
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("contract.pdf")) == [
        "_CON/_con/contract.pdf", "_CON/_nul.txt/contract.pdf", "_CON/alexruns/contract.pdf"]
    failures = {f["influencer"]: f["message"] for f in json.loads((out / "manifest.json").read_text())["failures"]}
    assert failures == {
        "../x": f"{roster}:2: handle: string should match pattern '^@?[A-Za-z0-9_](?:[A-Za-z0-9._-]{{0,62}}[A-Za-z0-9_])?$'",
        "/etc/passwd": f"{roster}:3: handle: string should match pattern '^@?[A-Za-z0-9_](?:[A-Za-z0-9._-]{{0,62}}[A-Za-z0-9_])?$'",
        "C:\\x": f"{roster}:4: handle: string should match pattern '^@?[A-Za-z0-9_](?:[A-Za-z0-9._-]{{0,62}}[A-Za-z0-9_])?$'",
        "@esc": f"{roster}:7: legal_name: contains the invisible character U+001B (delete it)",
        "@over": f"{roster}:8: legal_name: contains the invisible character U+202E (delete it)",
    }
    assert "Traceback" not in result.stderr
    assert {p for p in tmp_path.rglob("*") if p.is_file() and out not in p.parents} == {spec, roster}


@pytest.mark.parametrize("command", ["build", "batch"])
def test_an_unwritable_output_folder_is_one_located_error(tmp_path: Path, command: str) -> None:
    # chmod does not stop root (CI runs as root): a folder below a *file* cannot be made by anyone.
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    out = blocker / "sub"
    result = run_cli(command, SAMPLES / "minimal.yaml", "--out", out, "--format", "pdf")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"error: {out}: cannot create the output folder: Not a directory (choose another --out folder)"]
    assert blocker.read_text() == "not a folder"


def _build_process(spec: Path, out: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "contractgen", "build", str(spec), "--out", str(out)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _files(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def test_two_builds_into_the_same_folder_at_once(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    data = yaml.safe_load(BASE)
    data["influencers"] = [{"legal_name": f"Person {i}", "handle": f"@p{i}", "email": f"p{i}@example.com"}
                           for i in range(4)]
    spec.write_text(yaml.safe_dump(data))
    shared, alone = tmp_path / "shared", tmp_path / "alone"
    first, second = _build_process(spec, shared), _build_process(spec, shared)
    # The output folder is locked: one of two overlapping runs is refused, and says why (both
    # succeed when the first finishes before the second starts).
    outcomes = [(p.communicate(timeout=300)[1], p.returncode) for p in (first, second)]
    refused = [err for err, code in outcomes if code != 0]
    assert len(refused) <= 1 and all("another contractgen run (pid " in err for err in refused), outcomes
    assert run_cli("build", spec, "--out", alone).exit_code == 0
    together = _files(shared)
    assert together == _files(alone)  # complete, and the same bytes as one build on its own
    assert len([name for name in together if name.endswith((".pdf", ".docx"))]) == 4 * 4 + 2
    assert not [name for name in together if TEMP_PREFIX in name]


# --- markup and template injection in every string field -------------------------------------

LEADS = ["# ", "1. ", "- ", "> ", "+ ", "* ", "| ", "=", "\\", "**", "[", "{{ ", "{% ", "&", "<", "`", "~~", "_",
         "!", "1) ", "## ", "---", "<!-- ", "    x"]
CORES = ["<b>&amp;</b>", "**x** [x](y)", "{{ 7*7 }}", "{% raw %}", "a\\b|c", "`c` _u_", "<!-- c -->", "&lt;x&gt;",
         "![i](z)", "{# c #}", "*i* ~~s~~", "a | b | c", "\\*x\\*", "<https://x.y>", "[x]: /u", "{%- if 1 %}"]
# Values printed through the `term` filter, which turns unknown values' underscores into spaces
# (see test_term_values_keep_their_underscores).
TERM_FIELDS = {"communication.channels[]", "usage_rights.channels[]", "reporting.kpis[].metric"}
TABLE_FIELDS = {"reporting.kpis[].metric", "reporting.kpis[].target", "payment.schedule[].label", "deliverables[].notes",
                "influencers[].deliverables[].notes"}
# Strings that are not text in the documents: codes, a file name, patterns with their own syntax.
NOT_TEXT = {"campaign.jurisdiction", "campaign.currency", "campaign.language", "brand.logo", "campaign.id", "tracking.discount_code",
            "tracking.landing_url", "influencers[].handle", "influencers[].platforms{}.handle"}
EMAIL_FIELDS = {"brand.signatory.email", "brand.contact.email", "agency.signatory.email", "agency.contact.email",
                "influencers[].email", "influencers[].agent.email", "influencers[].guardian.email"}
URL_FIELDS = {f"tracking.utm.{name}" for name in ("source", "medium", "campaign", "content", "term")}
# Accepted, but no document prints them: a company signatory signs by name and title only, a
# guardian by name; a tax id belongs on the tax forms, never in the contract.
NOT_PRINTED = {"brand.signatory.email", "brand.signatory.phone", "agency.signatory.email", "agency.signatory.phone",
               "influencers[].guardian.title", "influencers[].guardian.email", "influencers[].guardian.phone",
               "influencers[].tax_id"}


def string_fields(model: type[BaseModel] = CampaignSpec, prefix: str = "") -> set[str]:
    """Every string field of the spec models as a path: ``[]`` for a list item, ``{}`` for a map value."""
    found: set[str] = set()
    for name, info in model.model_fields.items():
        path = f"{prefix}{info.alias or name}"
        stack = [(info.annotation, path)]
        while stack:
            annotation, where = stack.pop()
            origin, args = typing.get_origin(annotation), typing.get_args(annotation)
            if origin is typing.Annotated:
                stack.append((args[0], where))
            elif origin in (typing.Union, types.UnionType):
                stack.extend((a, where) for a in args)
            elif origin is list:
                stack.append((args[0], f"{where}[]"))
            elif origin is dict:
                stack.append((args[1], f"{where}{{}}"))
            elif annotation in (str, EmailStr):
                found.add(where)
            elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
                found |= string_fields(annotation, f"{where}.")
    return found


def _person(tag: str, value: Any) -> dict[str, Any]:
    return {"name": value(f"{tag}.name"), "title": value(f"{tag}.title"), "email": value(f"{tag}.email"),
            "phone": value(f"{tag}.phone")}


def hostile_spec() -> tuple[dict[str, Any], dict[str, list[str]]]:
    """A spec with every string field set to its own hostile text; and field → the values given."""
    given: dict[str, list[str]] = {}
    counter = iter(range(1000))

    def value(field: str) -> str:
        i = next(counter)
        if field in EMAIL_FIELDS:
            text = f"q{i:02d}**y**&{{{{a}}}}|#@example.com"
        elif field in URL_FIELDS:
            text = f"<q{i:02d}>&*"
        else:
            core = "a | b | c" if field in TABLE_FIELDS else CORES[i % len(CORES)]
            text = f"{LEADS[i % len(LEADS)]}Q{i:02d} {core}".strip()
            if field in TERM_FIELDS:
                text = text.replace("_", "")
        given.setdefault(field, []).append(text)
        return text

    window = {"from": "2027-04-08", "to": "2027-04-20"}

    def deliverable(field: str, fmt: str) -> dict[str, Any]:
        return {"platform": "instagram", "format": fmt, "publish_window": window, "notes": value(field)}

    def influencer(handle: str, extra: dict[str, Any]) -> dict[str, Any]:
        f = "influencers[]."
        return {"legal_name": value(f + "legal_name"), "handle": handle, "email": value(f + "email"),
                "address": value(f + "address"), "tax_id": value(f + "tax_id"),
                "tax_residence": value(f + "tax_residence"), "guardian": _person("influencers[].guardian", value),
                "kpis": [{"metric": value(f + "kpis[].metric"), "target": value(f + "kpis[].target")}],
                "agent": _person("influencers[].agent", value), **extra}

    data = {
        "campaign": {"name": value("campaign.name"), "id": "Q_i_.x-y", "jurisdiction": "GB", "currency": "GBP",
                     "start": "2027-04-01", "end": "2027-04-30"},
        "brand": {"legal_name": value("brand.legal_name"), "display_name": value("brand.display_name"),
                  "address": value("brand.address"), "registration": value("brand.registration"),
                  "website": value("brand.website"), "signatory": _person("brand.signatory", value),
                  "contact": _person("brand.contact", value)},
        "agency": {"legal_name": value("agency.legal_name"), "address": value("agency.address"),
                   "signatory": _person("agency.signatory", value), "contact": _person("agency.contact", value)},
        "influencers": [
            influencer("@__b__", {"platforms": {"instagram": {"handle": "@_i_", "followers": 5000}}}),
            influencer("@a_b_c", {"fee": 900, "deliverables": [deliverable("influencers[].deliverables[].notes", "post")]}),
        ],
        "deliverables": [deliverable("deliverables[].notes", "reel"), deliverable("deliverables[].notes", "post")],
        "communication": {"channels": [value("communication.channels[]"), value("communication.channels[]")]},
        "payment": {"fee": 800, "method": value("payment.method"),
                    "schedule": [{"label": value("payment.schedule[].label"), "percent": 40},
                                 {"label": value("payment.schedule[].label"), "percent": 60}],
                    "gifted_product": {"description": value("payment.gifted_product.description"), "value": 50}},
        "usage_rights": {"channels": [value("usage_rights.channels[]")], "territory": value("usage_rights.territory")},
        "exclusivity": {"mode": "competitors", "competitors": [value("exclusivity.competitors[]")],
                        "category": value("exclusivity.category"), "days_after": 10},
        "conduct": {"prohibited": [value("conduct.prohibited[]")]},
        "disclosure": {"label": value("disclosure.label"), "placement": value("disclosure.placement")},
        "reporting": {"kpis": [{"metric": value("reporting.kpis[].metric"), "target": value("reporting.kpis[].target")}]},
        "tracking": {"landing_url": "https://x.example/p?a=1&b=<2>**3**", "discount_code": "__{HANDLE}__",
                     "utm": {name: value(f"tracking.utm.{name}") for name in ("source", "medium", "campaign",
                                                                             "content", "term")}},
        "brief": {
            **{name: value(f"brief.{name}") for name in ("key_message", "audience", "visual_guidelines",
                                                        "call_to_action")},
            **{name: [value(f"brief.{name}[]")] for name in ("tone_of_voice", "hashtags", "mentions", "keywords",
                                                            "mandatory", "dos", "donts", "examples")},
            "product": {"name": value("brief.product.name"), "benefits": [value("brief.product.benefits[]")],
                        "how_to_use": value("brief.product.how_to_use")},
            "training": {"session": value("brief.training.session"), "date": "2027-04-02"},
        },
        "legal": {"governing_law": value("legal.governing_law"), "venue": value("legal.venue")},
    }
    return data, given


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.fixture(scope="module")
def hostile_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, list[str]]]:
    folder = tmp_path_factory.mktemp("hostile")
    data, given = hostile_spec()
    spec = folder / "spec.yaml"
    spec.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    # --force: the hostile UTM patterns have no {handle}, so both influencers share one link (an error finding)
    result = run_cli("build", spec, "--out", folder / "out", "--force")
    assert result.exit_code == 0, result.stderr
    return folder / "out", given


def test_every_string_field_is_covered() -> None:
    _, given = hostile_spec()
    assert set(given) | NOT_TEXT == string_fields()


def test_markup_and_template_injection_comes_out_literally(hostile_build: tuple[Path, dict[str, list[str]]]) -> None:
    out, given = hostile_build
    docx_all = _flat("\n".join(docx_text(p) for p in sorted(out.rglob("*.docx"))))
    pdf_all = _flat("\n".join(pdf_text(p) for p in sorted(out.rglob("*.pdf"))))
    missing = {}
    for field, values in given.items():
        for text in values:
            if field in NOT_PRINTED:
                assert text not in docx_all + pdf_all
                continue
            expected = quote_plus(text) if field in URL_FIELDS else text  # utm values are URL-encoded in the link
            where = [name for name, body in (("docx", docx_all), ("pdf", pdf_all)) if expected not in body]
            if where:
                missing[field] = (text, where)
    assert not missing
    for literal in ("@__b__", "@_i_", "@a_b_c", "__ABC__", "__B__", "https://x.example/p?a=1&b=<2>**3**"):
        assert literal in docx_all and literal in pdf_all, literal
    assert "49" not in (docx_all + pdf_all).split()  # {{ 7*7 }} never ran


def test_no_docx_holds_an_xml_illegal_character(hostile_build: tuple[Path, dict[str, list[str]]]) -> None:
    out, _ = hostile_build
    documents = sorted(out.rglob("*.docx"))
    assert len(documents) == 2 * 2 + 1
    for path in documents:
        with zipfile.ZipFile(path) as archive:
            for name in archive.namelist():
                if name.endswith((".xml", ".rels")):
                    text = archive.read(name).decode("utf-8")
                    assert not XML_ILLEGAL.search(text), (path.name, name)
                    assert "\u202e" not in text


def test_term_values_keep_their_underscores(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(add("communication: {channels: [my_own_channel]}\n"))
    result = run_cli("build", spec, "--out", tmp_path / "out", "--format", "pdf", "--only", "contract")
    assert result.exit_code == 0
    assert "my_own_channel" in _flat(pdf_text(tmp_path / "out" / "alexruns" / "contract.pdf"))


# --- clause text from a user's library -------------------------------------------------------

CLAUSE = """\
family: test
clauses:
  - id: test-clause
    version: 1.0.0
    title: {en: Test}
    text:
      en: |
        The Brand is {{ brand.legal_name }}.

        BODY
"""

SANDBOX_CASES = [
    ("dunder-class", "{{ deal.__class__ }}", "access to attribute '__class__' of 'Deal' object is unsafe."),
    ("subclasses", "{{ ''.__class__.__mro__[1].__subclasses__() }}", "access to attribute '__class__' of 'str' object is unsafe."),
    ("mro", "{{ deal.mro() }}", "'contractgen.engagement.Deal object' has no attribute 'mro'"),
    ("init-globals", "{{ deal.__init__.__globals__ }}", "access to attribute '__init__' of 'Deal' object is unsafe."),
    ("cycler-globals", "{{ cycler.__init__.__globals__.os }}", "access to attribute '__init__' of 'StrictUndefined' object is unsafe."),
    ("template-reference", "{{ self._TemplateReference__context }}",
     "access to attribute '_TemplateReference__context' of 'TemplateReference' object is unsafe."),
    ("lipsum-globals", "{{ lipsum.__globals__ }}", "'lipsum' is undefined"),
    ("range-class", "{{ range.__class__ }}", "access to attribute '__class__' of 'method' object is unsafe."),
    ("deal-dict", "{{ deal.__dict__ }}", "access to attribute '__dict__' of 'Deal' object is unsafe."),
    ("attr-filter", "{{ deal|attr('__class__') }}", "access to attribute '__class__' of 'Deal' object is unsafe."),
    ("format-attribute", "{{ '{0.__class__}'.format(deal) }}", "access to attribute '__class__' of 'Deal' object is unsafe."),
    ("mutate-list", "{% set l = [] %}{{ l.append(1) }}", "access to attribute 'append' of 'list' object is unsafe."),
    ("include-outside", "{% include '../../../etc/passwd' %}",
     "no template '../../../etc/passwd' (clause text can include only the templates of its language)"),
    ("nested-range", "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
     "stopped after 200,000 steps: a loop that does not end?"),
    ("macro-recursion", "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}",
     "nested too deeply: a macro, loop or value that refers to itself?"),
    ("recursive-loop", "{% for x in [[1]] recursive %}{{ loop([[x]]) }}{% endfor %}",
     "nested too deeply: a macro, loop or value that refers to itself?"),
    ("string-times-1e9", "{{ 'x' * 10**9 }}",
     "repeating a value 1,000,000,000 times would make 1,000,000,000 characters or items (at most 200,000)"),
    ("list-times-1e9", "{{ ([1] * 10**9)|length }}",
     "repeating a value 1,000,000,000 times would make 1,000,000,000 characters or items (at most 200,000)"),
    ("power-tower", "{{ 2 ** (10 ** 6) }}", "a power over 4,096 bits"),
    ("doubling-concat", "{% macro f(s, n) %}{{ f(s ~ s, n - 1) if n else s|length }}{% endmacro %}{{ f('x', 40) }}",
     "'~' would make 262,144 characters or items (at most 200,000)"),
    ("doubling-plus", "{% macro f(s, n) %}{{ f(s + s, n - 1) if n else s|length }}{% endmacro %}{{ f('x', 40) }}",
     "joining two values would make 262,144 characters or items (at most 200,000)"),
    ("squaring-number", "{% macro f(x, n) %}{{ f(x * x, n - 1) if n else 1 }}{% endmacro %}{{ f(3, 40) }}",
     "multiplying makes a number over 4,096 bits"),
    ("padding-filter", "{{ 'x'|center(10**9) }}", "filter 'center': a number argument over 200,000"),
    ("padding-method", "{{ 'x'.ljust(10**9) }}", "ljust(): a number argument over 200,000"),
    ("printf-width", "{{ '%1000000000s'|format('x') }}", "filter 'format': field widths over 200,000 characters"),
    ("format-width", "{{ '{:>999999}{:>999999}'.format(1, 2) }}", "format: field widths over 200,000 characters"),
    ("join-amplifier", "{{ ([1] * 100000)|join('x' * 100000) }}",
     "filter 'join' could make 30,000,200,000 characters (at most 5,000,000)"),
    ("shared-list-printed", "{% set l = ['xxxxxxxxxx'] * 100000 %}{{ [l, l, l, l, l, l] }}",
     "a value printed here has more than 200,000 characters"),
    ("endless-output", "{% for i in range(10**9) %}xxxxxxxxxx{% endfor %}", "produced more than 200,000 characters"),
]


def _library(tmp_path: Path, body: str, when: str | None = None) -> Path:
    folder = tmp_path / "lib"
    folder.mkdir()
    clause = CLAUSE.replace("BODY", body)
    if when is not None:
        clause = clause.replace("    version: 1.0.0\n", f'    version: 1.0.0\n    when: "{when}"\n')
    (folder / "test.yaml").write_text(clause, encoding="utf-8")
    (folder / "layout.yaml").write_text("clauses: [test-clause]\n")
    # Builds refuse a library that is not locked: lock it as its lawyer would.
    assert run_cli("clauses", "lock", "--library", folder).exit_code == 0
    return folder


def _assemble_with(folder: Path) -> UserError:
    """Assemble the minimal sample's contract with an overlay, past the build's lint gate.

    Lint stops most hostile text before a build starts; the sandbox must hold on its own too
    (a condition or value lint cannot judge), so it is tried here directly.
    """
    from contractgen.build import assemble, engagements
    from contractgen.spec.validate import load_spec
    from contractgen.toolkit import Toolkit

    kit = Toolkit(folder)
    engagement = engagements(load_spec(SAMPLES / "minimal.yaml"), kit)[0]
    with pytest.raises(UserError) as caught:
        assemble(engagement, "contract", kit, None)
    return caught.value


@pytest.mark.parametrize(("body", "message"), [c[1:] for c in SANDBOX_CASES], ids=[c[0] for c in SANDBOX_CASES])
def test_clause_text_cannot_escape_or_run_away(tmp_path: Path, body: str, message: str) -> None:
    folder = _library(tmp_path, body)
    out = tmp_path / "out"
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result = run_cli("build", SAMPLES / "minimal.yaml", "--out", out, "--library", folder, "--format", "pdf")
    linted = run_cli("clauses", "lint", "--library", folder)
    assert result.exit_code == 1
    if linted.exit_code == 1:  # lint's gate: the build says so and makes nothing
        assert "lint error(s); nothing was built" in result.stderr, result.stderr
    else:
        assert f"error: @alexruns: {folder / 'test.yaml'}:3: test-clause@1.0.0: text failed: {message}" in result.stderr
    assert all(line.startswith("error: ") for line in result.stderr.splitlines()), result.stderr
    assert not list(out.rglob("contract.*"))
    # Past the gate, the sandbox refuses the same text with its own reason.
    assert f"test-clause@1.0.0: text failed: {message}" in str(_assemble_with(folder))
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 200 * 1024  # KiB: nothing ballooned


@pytest.mark.parametrize(("condition", "message"), [
    ("deal.__class__.__mro__", "access to attribute '__class__' of 'Deal' object is unsafe."),
    ("('x' * 10**9)|length > 0", "repeating a value 1,000,000,000 times would make 1,000,000,000 characters"),
    ("(range(10**9)|list)|length > 0", "stopped after 200,000 steps: a loop that does not end?"),
])
def test_a_clause_condition_cannot_escape_or_run_away(tmp_path: Path, condition: str, message: str) -> None:
    folder = _library(tmp_path, "Body.", when=condition)
    result = run_cli("build", SAMPLES / "minimal.yaml", "--out", tmp_path / "out", "--library", folder)
    assert result.exit_code == 1
    if run_cli("clauses", "lint", "--library", folder).exit_code == 1:
        assert "lint error(s); nothing was built" in result.stderr, result.stderr
    else:
        assert (f"error: @alexruns: {folder / 'test.yaml'}:3: test-clause@1.0.0: condition 'when' failed: {message}"
                in result.stderr), result.stderr
    assert f"test-clause@1.0.0: condition 'when' failed: {message}" in str(_assemble_with(folder))


def test_a_clause_nested_beyond_reason_is_a_lint_error(tmp_path: Path) -> None:
    folder = _library(tmp_path, "{{ " + "(" * 400 + "1" + ")" * 400 + " }}")
    result = run_cli("clauses", "lint", "--library", folder)
    assert result.exit_code == 1
    assert f"{folder / 'test.yaml'}:8: test-clause@1.0.0: 'en' text, line 1: nested too deeply [error]" in result.stdout
    built = run_cli("build", SAMPLES / "minimal.yaml", "--out", tmp_path / "out", "--library", folder)
    assert built.exit_code == 1
    assert "'en' text, line 1: nested too deeply" in built.stderr and "nothing was built" in built.stderr
    assert "test-clause@1.0.0: text failed: line 1 of the text: nested too deeply" in str(_assemble_with(folder))


def test_the_sandbox_leaves_ordinary_clause_text_alone(tmp_path: Path) -> None:
    body = ("Fee {{ deal.fee|money }}; {{ ['a', 'b']|join(', ') }}; {{ 'abc'.upper() }}; {{ '%s-%s'|format('x', 'y') }};"
            " {{ '{}!'.format(7) }}; {{ 6 * 7 }}; {{ 2 ** 10 }}; {{ 'ab' * 3 }}; {{ 'q' ~ 'r' }};"
            " {% for i in range(3) %}{{ i }}{% endfor %}.")
    folder = _library(tmp_path, body)
    out = tmp_path / "out"
    result = run_cli("build", SAMPLES / "minimal.yaml", "--out", out, "--library", folder, "--format", "pdf",
                     "--only", "contract")
    assert result.exit_code == 0, result.stderr
    assert "Fee £800; a, b; ABC; x-y; 7!; 42; 1024; ababab; qr; 012." in _flat(pdf_text(out / "alexruns" / "contract.pdf"))


# --- interruption -----------------------------------------------------------------------------

def _many(tmp_path: Path, count: int) -> Path:
    data = yaml.safe_load(BASE)
    data["campaign"]["id"] = "KILL"
    data["influencers"] = [{"legal_name": f"Person {i}", "handle": f"@k{i:02d}", "email": f"k{i}@example.com"}
                           for i in range(count)]
    spec = tmp_path / "many.yaml"
    spec.write_text(yaml.safe_dump(data))
    return spec


def _kill_when(process: subprocess.Popen, ready: Any, timeout: float = 120) -> None:
    try:
        deadline = time.monotonic() + timeout
        while not ready() and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.01)
    finally:
        os.killpg(process.pid, signal.SIGKILL)  # the whole group: batch workers too
        process.wait()


def _assert_complete(out: Path) -> int:
    """Every document under ``out`` opens: PDFs parse with pypdf, DOCX files with python-docx."""
    import docx
    from pypdf import PdfReader

    documents = sorted(p for p in out.rglob("*") if p.suffix in (".pdf", ".docx") and TEMP_PREFIX not in p.name)
    for path in documents:
        data = path.read_bytes()
        if path.suffix == ".pdf":
            assert len(PdfReader(io.BytesIO(data)).pages) >= 1, path
        else:
            assert docx.Document(io.BytesIO(data)).paragraphs, path
    return len(documents)


@pytest.mark.parametrize("command", ["build", "batch"])
def test_a_killed_run_leaves_only_complete_files_and_the_rerun_tidies_up(tmp_path: Path, command: str) -> None:
    count = 10
    spec = _many(tmp_path, count)
    out = tmp_path / "out"
    args = [command, str(spec), "--out", str(out)] + (["--jobs", "2"] if command == "batch" else [])
    process = subprocess.Popen([sys.executable, "-m", "contractgen", *args], cwd=ROOT, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    _kill_when(process, lambda: count_while_writing(out, "brief.pdf") >= 2)
    made = _assert_complete(out)
    assert 4 * 2 <= made < 4 * count, "the run should have been killed mid-way"
    # Leave what a writer killed mid-file leaves behind, as a killed writer would name it.
    stale = out / ("KILL/k01" if command == "batch" else "k01") / f"{TEMP_PREFIX}999999-half"
    stale.write_bytes(b"PK\x03\x04 half a docx")
    (out / f"{TEMP_PREFIX}999999-manifest").write_text("{")

    again = run_cli(*args)
    assert again.exit_code == 0, again.stderr
    assert not [p for p in out.rglob("*") if p.name.startswith(TEMP_PREFIX)]
    assert _assert_complete(out) == 4 * count + 2  # and the summary, from build and batch alike


# --- every entry point: one error type, one printer -------------------------------------------

def _broken(tmp_path: Path) -> Path:
    path = tmp_path / "broken.yaml"
    path.write_text("campaign: [unclosed\n")
    return path


def _file(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


ENTRY_POINTS = [
    ("validate", lambda t: ["validate", _broken(t)], 1, "error: {t}/broken.yaml:2: invalid YAML: expected ',' or ']'"),
    ("build", lambda t: ["build", _broken(t)], 1, "error: {t}/broken.yaml:2: invalid YAML"),
    ("coverage", lambda t: ["coverage", _broken(t)], 1, "error: {t}/broken.yaml:2: invalid YAML"),
    ("coverage-missing", lambda t: ["coverage", t / "nope.yaml"], 1, "error: {t}/nope.yaml: no such file (check the path)"),
    ("batch-broken-spec", lambda t: ["batch", _broken(t), "--out", t / "o"], 1, "  broken: {t}/broken.yaml:2: invalid YAML"),
    ("batch-broken-roster", lambda t: ["batch", SAMPLES / "minimal.yaml", "--roster", _broken(t), "--out", t / "o"], 1,
     "error: {t}/broken.yaml:1: unknown column 'campaign: [unclosed' (column 1)"),
    ("batch-roster-terminal-escape",  # a header cell that would clear the screen is shown, not sent
     lambda t: ["batch", SAMPLES / "minimal.yaml", "--roster", _file(t, "r.csv", "legal_name,handle,email,x\x1b[2J\n"),
                "--out", t / "o"], 1, "error: {t}/r.csv:1: unknown column 'x\\x1b[2J' (column 4)"),
    ("batch-missing-roster", lambda t: ["batch", SAMPLES / "minimal.yaml", "--roster", t / "r.csv", "--out", t / "o"], 1,
     "error: {t}/r.csv: no such file (check the --roster path)"),
    ("clauses-show-unknown", lambda t: ["clauses", "show", "exclusivty"], 1,
     "error: no clause 'exclusivty' (did you mean 'exclusivity'?)"),
    ("clauses-broken-library", lambda t: ["clauses", "lint", "--library", t / "missing"], 1, "error: {t}/missing: is not a folder"),
    ("schema-into-missing-folder", lambda t: ["schema", "-o", t / "missing" / "schema.json"], 1,
     "error: {t}/missing/schema.json: cannot write: No such file or directory"),
    ("build-broken-rates", lambda t: ["build", SAMPLES / "minimal.yaml", "--rates", _broken(t)], 1,
     "error: {t}/broken.yaml:2: invalid YAML"),
    ("build-library-not-a-folder", lambda t: ["build", SAMPLES / "minimal.yaml", "--library", _broken(t)], 1,
     "error: {t}/broken.yaml: is not a folder"),
    ("build-bad-format", lambda t: ["build", SAMPLES / "minimal.yaml", "--format", "odt"], 2, "Error: Invalid value"),
    ("unknown-command", lambda t: ["bulid"], 2, "Error: No such command 'bulid'."),
]


@pytest.mark.parametrize(("make_args", "code", "first"), [c[1:] for c in ENTRY_POINTS], ids=[c[0] for c in ENTRY_POINTS])
def test_every_entry_point_prints_located_errors_without_a_traceback(tmp_path: Path, make_args: Any, code: int,
                                                                    first: str) -> None:
    result = run_cli(*make_args(tmp_path))
    assert result.exit_code == code
    assert first.format(t=tmp_path) in result.stderr, result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_new_from_a_broken_file_is_one_located_error(tmp_path: Path) -> None:
    pexpect = pytest.importorskip("pexpect")
    broken = _broken(tmp_path)
    env = {**os.environ, "PROMPT_TOOLKIT_NO_CPR": "1", "TERM": "xterm", "NO_COLOR": "1"}
    child = pexpect.spawn(sys.executable, ["-m", "contractgen", "new", "--from", str(broken), "-o", "q.yaml"],
                          cwd=str(tmp_path), env=env, encoding="utf-8", timeout=30, dimensions=(40, 200))
    try:
        child.expect(pexpect.EOF)
        shown = re.sub(r"\x1b\[[0-9;]*m", "", child.before)
    finally:
        child.close(force=True)
    assert child.exitstatus == 1
    assert shown.strip() == f"error: {broken}:2: invalid YAML: expected ',' or ']', but got '<stream end>'"
    assert not (tmp_path / "q.yaml").exists()


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    broken = _broken(tmp_path)
    plain = subprocess.run([sys.executable, "-m", "contractgen", "build", str(broken)], cwd=tmp_path,
                           capture_output=True, text=True, timeout=120, check=False)
    debug = subprocess.run([sys.executable, "-m", "contractgen", "--debug", "build", str(broken)], cwd=tmp_path,
                           capture_output=True, text=True, timeout=120, check=False)
    assert plain.returncode == 1 and "Traceback" not in plain.stderr
    assert plain.stderr.strip() == f"error: {broken}:2: invalid YAML: expected ',' or ']', but got '<stream end>'"
    assert debug.returncode == 1
    assert "Traceback (most recent call last)" in debug.stderr
    assert "contractgen.errors.UserError" in debug.stderr and "invalid YAML" in debug.stderr

