"""Input handling that must never lose or invent anything: one-line values and calendars,
numbers in rosters as Europeans write them, logos, and files that are not files (issue 11)."""

from __future__ import annotations

import copy
import io
import json
import os
import struct
import subprocess
import sys
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from contractgen.roster import read_roster
from tests.conftest import SAMPLES, docx_text, pdf_text, run_cli

BREAKS = ["\r", "\n", "\r\n", "\u2028", "\u2029", "\x85"]


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        node = data
        *parents, last = path.split(".")
        for part in parents:
            node = node[int(part)] if part.isdigit() else node.setdefault(part, {})
        node[last] = value

    return change


# -- 7: line breaks and calendars ---------------------------------------------------------------


@pytest.mark.parametrize(("field", "brk"), [
    ("campaign.name", "\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nSUMMARY:Injected\r\n"),
    ("campaign.name", "\r"),
    ("brand.display_name", "\n"),
    ("brand.legal_name", "\u2028"),
    ("influencers.0.legal_name", "\x85"),
    ("payment.method", "\u2029"),
])
def test_a_line_break_in_a_one_line_value_is_refused_before_anything_is_written(
        minimal_data: dict[str, Any], tmp_path: Path, field: str, brk: str) -> None:
    data = copy.deepcopy(minimal_data)
    _set(field, f"Spring{brk}Drop")(data)
    spec = tmp_path / "spec.json"  # JSON keeps every break as written (YAML folds some into spaces)
    spec.write_text(json.dumps(data, default=str), encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli("build", spec, "--out", out)
    assert result.exit_code == 1, result.stderr
    where = field.replace(".0.", "[0].")
    assert f": {where}: has a line break (U+{ord(brk[0]):04X} after 'Spring'); it is printed on one line" in result.stderr
    assert f"{spec}:" in result.stderr and "Traceback" not in result.stderr
    assert not out.exists()


def test_an_address_over_lines_is_joined_and_notes_may_run_over_lines(minimal_data: dict[str, Any],
                                                                     tmp_path: Path) -> None:
    data = copy.deepcopy(minimal_data)
    data["influencers"][0]["address"] = "1 High Street,\r\nManchester\nM1 1AA\n"
    data["deliverables"][0]["notes"] = "Show the box.\u2028Then\x85the shoe.\rLast\u2029the logo."
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(data, default=str), encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli("build", spec, "--out", out)
    assert result.exit_code == 0, result.stderr
    assert "1 High Street, Manchester, M1 1AA" in docx_text(out / "alexruns/contract.docx")
    notes = "Show the box. Then the shoe. Last the logo."
    assert notes in docx_text(out / "alexruns/brief.docx") and notes in pdf_text(out / "alexruns/brief.pdf")


HOSTILE = "Evil\r\nEND:VEVENT\r\nBEGIN:VEVENT\rUID:x\nSUMMARY:Injected\u2028X:1\u2029Y:2\x85Z:3"

CHECK_CALENDAR = """
import datetime as dt, sys
from icalendar import Calendar
from contractgen.calendar_export import Duty, calendar_bytes
hostile = sys.argv[1]
duty = Duty("u1", hostile, hostile, dt.date(2027, 4, 1), dt.date(2027, 4, 2), "draft")
data = calendar_bytes(hostile, [duty], dt.datetime(2027, 4, 1, 9, tzinfo=dt.UTC))
cal = Calendar.from_ical(data)
events = cal.walk("VEVENT")
print(len(events))
print(str(cal["X-WR-CALNAME"]))
print(str(events[0]["SUMMARY"]))
print(repr(str(events[0]["DESCRIPTION"])))
"""


@pytest.mark.parametrize("optimize", ["", "1"])
def test_no_text_value_can_add_a_calendar_event_even_under_python_O(optimize: str) -> None:
    env = {**os.environ, "PYTHONOPTIMIZE": optimize}
    done = subprocess.run([sys.executable, "-c", CHECK_CALENDAR, HOSTILE], capture_output=True, text=True, env=env,
                          cwd=SAMPLES.parent, check=False)
    assert done.returncode == 0, done.stderr
    count, name, summary, description = done.stdout.splitlines()
    flat = "Evil END:VEVENT BEGIN:VEVENT UID:x SUMMARY:Injected X:1 Y:2 Z:3"
    assert (count, name, summary) == ("1", flat, flat)
    assert description == repr("Evil\nEND:VEVENT\nBEGIN:VEVENT\nUID:x\nSUMMARY:Injected\nX:1\nY:2\nZ:3")


# -- 8: numbers in rosters ----------------------------------------------------------------------


def _roster(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "roster.csv"
    path.write_text(text, encoding="utf-8")
    return path


def _read(tmp_path: Path, text: str) -> tuple[dict[str, tuple[Any, Any]], dict[str, str]]:
    """(handle → (fee, instagram followers)) of the rows read, and (row → message) of the rows refused."""
    roster = read_roster(_roster(tmp_path, text))
    rows = {r.handle: (r.person.fee, r.person.platforms["instagram"].followers if r.person.platforms else None)
            for r in roster.rows}
    return rows, {str(r.line): r.message for r in roster.rejected}


def test_a_semicolon_roster_reads_numbers_the_european_way(tmp_path: Path) -> None:
    rows, refused = _read(tmp_path, "legal_name;handle;email;fee;instagram_followers\n"
                                    "A;@a;a@example.com;1.500;1.000\n"
                                    "B;@b;b@example.com;1.500,00;2\u202f500\n"
                                    "C;@c;c@example.com;1250,5;1 000 000\n")
    assert refused == {}
    assert {h: (str(fee), n) for h, (fee, n) in rows.items()} == {
        "@a": ("1500", 1000), "@b": ("1500.00", 2500), "@c": ("1250.5", 1000000)}


def test_the_semicolon_roster_fee_reaches_the_contract(make_spec: Callable[..., Path], tmp_path: Path) -> None:
    roster = _roster(tmp_path, "legal_name;handle;email;fee;instagram_followers\nDana Roe;@dana;d@example.com;"
                               "1.500;1.000\n")
    out = tmp_path / "out"
    result = run_cli("batch", make_spec(), "--roster", roster, "--out", out, "--format", "pdf", "--only", "contract",
                     "--jobs", "1")
    assert result.exit_code == 0, result.stderr
    text = pdf_text(next(out.rglob("dana/contract.pdf")))
    assert "£1,500" in text and "£1.50" not in text


def test_a_tab_roster_whose_numbers_do_not_tell_reads_what_is_unambiguous(tmp_path: Path) -> None:
    rows, refused = _read(tmp_path, "legal_name\thandle\temail\tfee\tinstagram_followers\n"
                                    "A\t@a\ta@example.com\t1500\t12 000\n")
    assert (refused, {h: (str(fee), n) for h, (fee, n) in rows.items()}) == ({}, {"@a": ("1500", 12000)})


def test_a_comma_roster_reads_as_before(tmp_path: Path) -> None:
    roster = read_roster(SAMPLES / "roster.csv")
    assert roster.rejected == []
    assert [(r.handle, str(r.person.fee), r.person.platforms["instagram"].followers if "instagram" in
             r.person.platforms else None) for r in roster.rows] == [
        ("@lena.glow", "3800", 36500), ("@marcusbell", "6200", 88000), ("@aikoskin", "2500", 19800),
        ("@priya.routine", "5400", None), ("@danortiz", "4100", 52300)]
    rows, refused = _read(tmp_path, 'legal_name,handle,email,fee,instagram_followers\n'
                                    'A,@a,a@example.com,"1,250.50","48,200"\nB,@b,b@example.com,99.5,7\n')
    assert (refused, {h: str(fee) for h, (fee, _) in rows.items()}) == ({}, {"@a": "1250.50", "@b": "99.5"})


@pytest.mark.parametrize(("text", "expected"), [
    # '.' is the decimal mark of a comma file, so 1.500 could be fifteen hundred or one and a half.
    ("legal_name,handle,email,fee\nA,@a,a@example.com,1.500\n",
     "fee: '1.500' could be 1500 or 1.5: '.' is the decimal mark in this file (the file is separated by commas) "
     "(write 1500 without a separator, or 1.50 for the decimal)"),
    ("legal_name;handle;email;fee\nA;@a;a@example.com;1,500\n",
     "fee: '1,500' could be 1500 or 1,5: ',' is the decimal mark in this file (the file is separated by semicolons)"),
    ("legal_name\thandle\temail\tfee\nA\t@a\ta@example.com\t1.500\n",
     "fee: '1.500' could be 1500 or 1.5: nothing in the file shows which of , and . is the decimal mark"),
    # The numbers outvote the delimiter: this semicolon file writes decimal points.
    ("legal_name;handle;email;fee\nA;@a;a@example.com;1.500\nB;@b;b@example.com;99.50\n",
     "fee: '1.500' could be 1500 or 1.5: '.' is the decimal mark in this file (as row 3, fee '99.50' shows)"),
    ("legal_name;handle;email;fee\nA;@a;a@example.com;2.5\nB;@b;b@example.com;1.250,50\n",
     "fee: '2.5' is not a number as this file writes them: ',' is the decimal mark (the file is separated by "
     "semicolons; row 2, fee '2.5' and row 3, fee '1.250,50' use different decimal marks)"),
    ("legal_name,handle,email,instagram_followers\nA,@a,a@example.com,1.5\n",
     "instagram_followers: '1.5' is not a whole number (a count is written without a fraction)"),
])
def test_a_number_that_reads_two_ways_is_refused_with_row_and_column(tmp_path: Path, text: str,
                                                                     expected: str) -> None:
    path = _roster(tmp_path, text)
    roster = read_roster(path)
    assert 2 not in [r.line for r in roster.rows] and roster.rejected
    assert roster.rejected[0].message.startswith(f"{path}:2: {expected}")


def test_a_cell_over_several_lines_does_not_shift_the_row_numbers(tmp_path: Path) -> None:
    path = _roster(tmp_path, 'legal_name,handle,email,address\n'
                             'Ann,@ann,ann@example.com,"1 High Street\nManchester\nM1 1AA"\n'
                             'Ben,@ben,not-an-email,x\n')
    roster = read_roster(path)
    assert [r.person.address for r in roster.rows] == ["1 High Street, Manchester, M1 1AA"]
    assert [r.message for r in roster.rejected] == [
        f"{path}:3: email: value is not a valid email address: An email address must have an @-sign. "
        "(row 3 starts on line 5 of the file)"]


# -- 12: logos ----------------------------------------------------------------------------------


def _png_claiming(width: int, height: int) -> bytes:
    """A valid PNG header claiming a huge size, with almost no data: decoding it would be the bomb."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b""))


def _with_logo(make_spec: Callable[..., Path], name: str) -> Path:
    return make_spec(_set("brand.logo", name))


def _embedded(out: Path) -> tuple[tuple[int, int], tuple[int, int]]:
    """Pixel size of the logo in contract.docx and in contract.pdf."""
    from pypdf import PdfReader

    with zipfile.ZipFile(out / "alexruns/contract.docx") as docx:
        media = [n for n in docx.namelist() if n.startswith("word/media/")]
        assert len(media) == 1
        in_docx = Image.open(io.BytesIO(docx.read(media[0]))).size
    images = PdfReader(out / "alexruns/contract.pdf").pages[0].images
    assert len(images) == 1
    return in_docx, images[0].image.size


def test_a_decompression_bomb_logo_is_refused_before_decoding(make_spec: Callable[..., Path], tmp_path: Path) -> None:
    (tmp_path / "logo.png").write_bytes(_png_claiming(20_000, 20_000))
    out = tmp_path / "out"
    result = run_cli("build", _with_logo(make_spec, "logo.png"), "--out", out)
    assert result.exit_code == 1
    assert ("brand.logo: the logo " in result.stderr and "is 20,000 × 20,000 pixels (400 megapixels); a logo may "
            "have at most 100 megapixels (save it at most 1200 pixels wide)" in result.stderr)
    assert not out.exists()


@pytest.mark.parametrize(("mode", "name", "size", "expected"), [
    ("RGB", "logo.png", (3000, 1000), (1200, 400)),  # larger than ever shown: scaled once
    ("CMYK", "logo.jpg", (300, 100), (300, 100)),  # python-docx refused it with the reason "()"
    ("RGBA", "logo.png", (240, 80), (240, 80)),  # an ordinary logo goes in as it is
])
def test_docx_and_pdf_embed_the_same_logo(make_spec: Callable[..., Path], tmp_path: Path, mode: str, name: str,
                                          size: tuple[int, int], expected: tuple[int, int]) -> None:
    Image.new(mode, size, (0, 200, 200, 0) if mode == "CMYK" else (200, 40, 40)).save(tmp_path / name)
    out = tmp_path / "out"
    result = run_cli("build", _with_logo(make_spec, name), "--out", out, "--only", "contract")
    assert result.exit_code == 0, result.stderr
    assert _embedded(out) == (expected, expected)


@pytest.mark.parametrize(("content", "reason"), [
    (b"GIF89a not a png", "is not a PNG or JPEG image (its content is neither, whatever its name) "
                          "(export the logo as PNG)"),
    (None, "cannot be decoded: image file is truncated"),
])
def test_an_unusable_logo_is_refused_with_the_reason(make_spec: Callable[..., Path], tmp_path: Path,
                                                     content: bytes | None, reason: str) -> None:
    if content is None:  # a real PNG cut short
        buffer = io.BytesIO()
        Image.effect_noise((200, 200), 40).save(buffer, "PNG")
        content = buffer.getvalue()[:-400]
    (tmp_path / "logo.png").write_bytes(content)
    result = run_cli("build", _with_logo(make_spec, "logo.png"), "--out", tmp_path / "out")
    assert result.exit_code == 1
    assert "brand.logo: the logo " in result.stderr and reason in result.stderr
    assert "()" not in result.stderr and not (tmp_path / "out").exists()


# -- 13: files that are not files ---------------------------------------------------------------


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero here")
def test_a_device_as_spec_or_roster_is_refused_not_read(make_spec: Callable[..., Path], tmp_path: Path) -> None:
    result = run_cli("validate", "/dev/zero")
    assert result.exit_code == 1
    assert "error: /dev/zero: is a device, not a spec file (give the path of a file saved on disk)" in result.stderr
    result = run_cli("batch", make_spec(), "--roster", "/dev/zero", "--out", tmp_path / "out")
    assert result.exit_code == 1
    assert "/dev/zero: is a device, not a roster file" in result.stderr


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_named_pipe_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    fifo = tmp_path / "spec.yaml"
    os.mkfifo(fifo)
    result = run_cli("validate", fifo)  # opening it to read would block until someone writes
    assert result.exit_code == 1
    assert f"{fifo}: is a pipe (FIFO), not a spec file" in result.stderr
