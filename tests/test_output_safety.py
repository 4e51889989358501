"""Writing output loses nothing: distinct folders, one run per folder, whole sets, no links, clean stops."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, count_while_writing, docx_text, run_cli

from contractgen.output import LOCK_NAME, TEMP_PREFIX

MakeSpec = Callable[..., Path]


def _people(*handles: str) -> list[dict[str, Any]]:
    return [{"legal_name": f"Person {h.lstrip('@')}", "handle": h, "email": f"p{i}@example.com"}
            for i, h in enumerate(handles)]


def _spec(make_spec: MakeSpec, *handles: str, campaign_id: str = "SAFE", fee: int = 800,
          name: str = "spec.yaml") -> Path:
    def change(data: dict[str, Any]) -> None:
        data["campaign"]["id"] = campaign_id
        data["influencers"] = _people(*handles)
        data["payment"]["fee"] = fee

    return make_spec(change, name=name)


def _many(make_spec: MakeSpec, count: int) -> Path:
    return _spec(make_spec, *(f"@p{i:03d}" for i in range(count)), campaign_id="MANY")


def _manifest(out: Path) -> dict[str, Any]:
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))


def _csv_files(out: Path) -> list[dict[str, str]]:
    rows = csv.DictReader(io.StringIO((out / "manifest.csv").read_text(encoding="utf-8-sig")))
    return [r for r in rows if r["status"] == "ok"]


def _assert_manifest_is_the_truth(out: Path) -> list[dict[str, Any]]:
    """Every file either manifest lists is on disk with the listed hash, and both list the same."""
    files = _manifest(out)["files"]
    for record in files:
        assert hashlib.sha256((out / record["path"]).read_bytes()).hexdigest() == record["sha256"], record["path"]
    if (out / "manifest.csv").exists():
        assert [(r["path"], r["sha256"]) for r in _csv_files(out)] == [(r["path"], r["sha256"]) for r in files]
    return files


def _contracts(files: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The contracts among manifest records (a run also lists calendars and the campaign's summary)."""
    return [f for f in files if f["kind"] == "contract"]


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _batch(*args: str | Path) -> list[str]:
    return [sys.executable, "-m", "contractgen", "batch", *map(str, args)]


def _one_job(command: str) -> tuple[str, ...]:
    return ("--jobs", "1") if command == "batch" else ()


def _wait_for(ready: Callable[[], bool], process: subprocess.Popen | None = None, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        assert time.monotonic() < deadline, "timed out"
        assert process is None or process.poll() is None, "the run ended before the test could act"
        time.sleep(0.01)


# --- item 2: no contract overwrites another ----------------------------------------------------

HANDLES = ("@con", "@_con", "@nul.tv", "@_nul.tv")


def test_build_gives_handles_that_meet_as_folder_names_their_own_folders(make_spec: MakeSpec, tmp_path: Path) -> None:
    # `con` is a device name on Windows, so it is written `_con`: the real handle `_con` must not land there too.
    spec = _spec(make_spec, *HANDLES)
    out = tmp_path / "out"
    result = run_cli("build", spec, "--out", out, "--format", "docx", "--only", "contract")
    assert result.exit_code == 0, result.stderr
    paths = [f["path"] for f in _manifest(out)["files"] if f["kind"] == "contract"]
    assert paths == ["_con/contract.docx", "__con/contract.docx", "_nul.tv/contract.docx", "__nul.tv/contract.docx"]
    for handle, path in zip(HANDLES, paths, strict=True):
        assert f"Person {handle.lstrip('@')}" in docx_text(out / path)  # each contract is its own influencer's
    assert len({f["path"] for f in _manifest(out)["files"]}) == len(_manifest(out)["files"])


def test_batch_uses_the_same_folders_as_build(make_spec: MakeSpec, tmp_path: Path) -> None:
    spec = _spec(make_spec, *HANDLES)
    out = tmp_path / "out"
    result = run_cli("batch", spec, "--out", out, "--format", "docx", "--only", "contract", "--jobs", "1")
    assert result.exit_code == 0, result.stderr
    assert [f["path"] for f in _contracts(_manifest(out)["files"])] == [
        "SAFE/_con/contract.docx", "SAFE/__con/contract.docx", "SAFE/_nul.tv/contract.docx", "SAFE/__nul.tv/contract.docx"]


# --- item 3: one run never breaks another -------------------------------------------------------

def test_a_second_run_into_a_busy_folder_is_refused_and_the_first_completes(make_spec: MakeSpec,
                                                                              tmp_path: Path) -> None:
    count = 100  # enough that the first is still running on a fast machine when the second starts
    spec = _many(make_spec, count)
    out = tmp_path / "out"
    first = subprocess.Popen(_batch(spec, "--out", out, "--format", "docx", "--only", "contract", "--jobs", "2"),
                             cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    _wait_for(lambda: count_while_writing(out, "MANY/*/contract.docx") >= 2, first)
    # Pause the first run while it holds the lock, so a fast machine cannot let it finish first.
    os.kill(first.pid, signal.SIGSTOP)
    try:
        for command in ("batch", "build"):
            second = run_cli(command, spec, "--out", out, "--format", "docx")
            assert second.exit_code == 1
            assert second.stderr == (f"error: {out}: another contractgen run (pid {first.pid}) is writing into this "
                                     "folder (wait for it to finish, or choose another --out folder)\n")
    finally:
        os.kill(first.pid, signal.SIGCONT)
    _, err = first.communicate(timeout=300)
    assert first.returncode == 0, err
    assert len(_contracts(_assert_manifest_is_the_truth(out))) == count
    assert not [p for p in out.rglob("*") if p.name.startswith(TEMP_PREFIX) or p.name == LOCK_NAME]


def test_the_lock_of_a_run_that_died_is_taken_over(make_spec: MakeSpec, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / LOCK_NAME).write_text("999999\n")  # what a killed run leaves: the file, no lock held
    result = run_cli("build", _spec(make_spec, "@ana"), "--out", out, "--format", "docx", "--only", "contract")
    assert result.exit_code == 0, result.stderr
    assert (out / "ana" / "contract.docx").is_file()
    assert not (out / LOCK_NAME).exists()


# --- item 4: an influencer's files are replaced as a set ---------------------------------------

def _small_disk() -> None:
    # Files over 40 kB cannot be written: a DOCX contract (~22 kB) fits, its PDF (~75 kB) does not,
    # as when a disk fills up between the two. Python ignores SIGXFSZ, so the write fails (EFBIG).
    resource.setrlimit(resource.RLIMIT_FSIZE, (40_000, 40_000))


def test_a_rerun_that_fails_midway_leaves_each_old_set_whole_and_listed(make_spec: MakeSpec, tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = ("--out", out, "--only", "contract", "--jobs", "1")
    assert run_cli("batch", _spec(make_spec, "@ana", "@ben"), *args).exit_code == 0
    before = {k: v for k, v in _files(out / "SAFE").items() if "/" in k}  # the influencers' sets
    assert sorted(before) == ["ana/calendar.ics", "ana/contract.docx", "ana/contract.pdf",
                              "ben/calendar.ics", "ben/contract.docx", "ben/contract.pdf"]

    changed = _spec(make_spec, "@ana", "@ben", fee=900)  # every contract must be made again
    done = subprocess.run(_batch(changed, *args), cwd=ROOT, capture_output=True, text=True, preexec_fn=_small_disk,
                          check=False)
    assert done.returncode == 1, done.stderr
    assert "contract.pdf: cannot write: File too large" in done.stderr
    assert {k: v for k, v in _files(out / "SAFE").items() if "/" in k} == before  # no new DOCX beside an old PDF
    manifest = _manifest(out)
    assert [f["influencer"] for f in manifest["failures"] if f["influencer"]] == ["@ana", "@ben"]
    assert sorted(f["path"] for f in _assert_manifest_is_the_truth(out) if f["influencer"]) == [
        f"SAFE/{p}" for p in sorted(before)]

    assert run_cli("batch", changed, *args).exit_code == 0  # the old files were listed with their old inputs
    assert "900" in docx_text(out / "SAFE" / "ana" / "contract.docx")
    _assert_manifest_is_the_truth(out)


def test_files_that_are_not_contractgens_survive_a_rebuild(make_spec: MakeSpec, tmp_path: Path) -> None:
    spec = _spec(make_spec, "@ana")
    out = tmp_path / "out"
    assert run_cli("build", spec, "--out", out, "--only", "contract").exit_code == 0
    (out / "ana" / "signed-scan.txt").write_text("signed on paper")
    result = run_cli("build", spec, "--out", out, "--only", "contract", "--format", "docx")
    assert result.exit_code == 0, result.stderr
    # The new set is the DOCX alone: the PDF of the run before is not left beside it.
    assert sorted(p.name for p in (out / "ana").iterdir()) == ["calendar.ics", "contract.docx", "signed-scan.txt"]
    assert (out / "ana" / "signed-scan.txt").read_text() == "signed on paper"


def test_a_swap_cut_short_by_a_kill_is_put_right_by_the_next_run(make_spec: MakeSpec, tmp_path: Path) -> None:
    spec = _spec(make_spec, "@ana", "@ben")
    out = tmp_path / "out"
    args = ("--out", out, "--format", "docx", "--only", "contract", "--jobs", "1")
    assert run_cli("batch", spec, *args).exit_code == 0
    before = _files(out / "SAFE")
    # Killed between the two renames: ana's old folder set aside, its new one staged, not yet swapped in.
    (out / "SAFE" / "ana").rename(out / "SAFE" / f"{TEMP_PREFIX}999999-old-ana")
    (out / "SAFE" / f"{TEMP_PREFIX}999999-new-ana").mkdir()
    (out / "SAFE" / f"{TEMP_PREFIX}999999-new-ana" / "contract.docx").write_bytes(b"PK half")

    again = run_cli("batch", spec, *args)
    assert again.exit_code == 0, again.stderr
    assert "2 influencer(s) unchanged since the last run, skipped" in again.stderr  # the old set is back, whole
    assert _files(out / "SAFE") == before
    _assert_manifest_is_the_truth(out)


# --- item 5: no writing through links ------------------------------------------------------------

def _elsewhere(tmp_path: Path) -> tuple[Path, dict[str, bytes]]:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "contract.docx").write_bytes(b"someone else's file")
    (elsewhere / f"{TEMP_PREFIX}1-x").write_bytes(b"looks like ours, is not in the output folder")
    return elsewhere, _files(elsewhere)


@pytest.mark.parametrize("command", ["build", "batch"])
def test_a_linked_influencer_folder_is_refused_and_left_alone(make_spec: MakeSpec, tmp_path: Path, command: str) -> None:
    spec = _spec(make_spec, "@ana", "@ben")
    out = tmp_path / "out"
    elsewhere, before = _elsewhere(tmp_path)
    link = out / "ana" if command == "build" else out / "SAFE" / "ana"
    link.parent.mkdir(parents=True)
    link.symlink_to(elsewhere, target_is_directory=True)
    result = run_cli(command, spec, "--out", out, "--format", "docx", "--only", "contract", *_one_job(command))
    assert result.exit_code == 1
    assert f"{link}: is a symbolic link; contractgen does not write through links (remove the link, or choose " \
           "another --out folder)" in result.stderr
    assert _files(elsewhere) == before
    assert link.is_symlink()
    assert (link.parent / "ben" / "contract.docx").is_file()  # the others are built
    assert [f["influencer"] for f in _manifest(out)["failures"]] == ["@ana"]


def test_a_linked_campaign_folder_is_refused(make_spec: MakeSpec, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    elsewhere, before = _elsewhere(tmp_path)
    (out / "SAFE").symlink_to(elsewhere, target_is_directory=True)
    result = run_cli("batch", _spec(make_spec, "@ana"), "--out", out, "--format", "docx", "--jobs", "1")
    assert result.exit_code == 1
    assert f"{out / 'SAFE'}: is a symbolic link" in result.stderr
    assert _files(elsewhere) == before


def test_an_unchanged_influencer_behind_a_link_is_not_taken_as_built(make_spec: MakeSpec, tmp_path: Path) -> None:
    spec = _spec(make_spec, "@ana")
    out = tmp_path / "out"
    args = ("--out", out, "--format", "docx", "--only", "contract", "--jobs", "1")
    assert run_cli("batch", spec, *args).exit_code == 0
    # The same bytes, but reached through a link: not a file in the output folder any more.
    shutil.move(out / "SAFE" / "ana", tmp_path / "moved")
    (out / "SAFE" / "ana").symlink_to(tmp_path / "moved", target_is_directory=True)
    result = run_cli("batch", spec, *args)
    assert result.exit_code == 1
    assert "skipped" not in result.stderr
    assert "is a symbolic link" in result.stderr
    assert [f for f in _manifest(out)["files"] if f["influencer"]] == []  # only the campaign's own files


# --- item 11 (part): a folder that cannot be made fails that influencer only -------------------

@pytest.mark.parametrize("command", ["build", "batch"])
def test_an_influencer_whose_folder_cannot_be_made_fails_alone(make_spec: MakeSpec, tmp_path: Path,
                                                               command: str) -> None:
    spec = _spec(make_spec, "@ana", "@ben")
    out = tmp_path / "out"
    blocker = out / "ana" if command == "build" else out / "SAFE" / "ana"
    blocker.parent.mkdir(parents=True)
    blocker.write_text("a file where the folder should be")
    result = run_cli(command, spec, "--out", out, "--format", "docx", "--only", "contract", *_one_job(command))
    assert result.exit_code == 1
    assert f"{blocker}: is in the way of a folder contractgen needs to write (move it away, or choose another " \
           "--out folder)" in result.stderr
    assert blocker.read_text() == "a file where the folder should be"
    assert (blocker.parent / "ben" / "contract.docx").is_file()
    assert [f["influencer"] for f in _manifest(out)["failures"]] == ["@ana"]
    if command == "build":
        assert (out / "summary.docx").is_file()  # the campaign's own files are still made


# --- item 13 (part): a read-only output folder is the user's error ------------------------------

def test_batch_into_a_read_only_folder_is_a_located_user_error(make_spec: MakeSpec, tmp_path: Path) -> None:
    spec = _spec(make_spec, "@ana")
    out = tmp_path / "out"
    out.mkdir()
    command = _batch(spec, "--out", out, "--format", "docx", "--jobs", "1")
    if os.geteuid() == 0:  # root writes through permissions: make it a read-only mount instead
        if not shutil.which("unshare") or subprocess.run(
                ["unshare", "--mount", "mount", "--bind", "-o", "ro", str(out), str(out)], capture_output=True,
                check=False).returncode:
            pytest.skip("needs a non-root user or unshare to make a read-only folder")
        command = ["unshare", "--mount", "sh", "-c", 'mount --bind -o ro "$1" "$1" && shift && exec "$@"', "sh",
                   str(out), *command]
    else:
        out.chmod(0o555)
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    out.chmod(0o755)
    assert done.returncode == 1, done.stderr
    assert done.stderr.startswith(f"error: {out}: cannot write into the output folder: ")
    assert done.stderr.endswith(" (make it writable, or choose another --out folder)\n")
    assert "Traceback" not in done.stderr and not list(out.iterdir())


# --- item 6: clean shutdown --------------------------------------------------------------------

def _group_alive(group: int) -> list[int]:
    """Processes of a process group still running (zombies, ended but unreaped, do not count)."""
    alive = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rpartition(")")[2].split()
            except OSError:
                continue
            if int(fields[2]) == group and fields[0] not in ("Z", "X"):
                alive.append(int(entry.name))
    return alive


def _gone(group: int, timeout: float = 15) -> list[int]:
    deadline = time.monotonic() + timeout
    while (left := _group_alive(group)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


needs_proc = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc")


def _start(spec: Path, out: Path) -> subprocess.Popen:
    # Its own process group, so that the test can find every process the batch started.
    return subprocess.Popen(_batch(spec, "--out", out, "--format", "docx", "--only", "contract", "--jobs", "2"),
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


@needs_proc
def test_sigterm_saves_what_finished_and_leaves_no_process(make_spec: MakeSpec, tmp_path: Path) -> None:
    count = 40
    spec = _many(make_spec, count)
    out = tmp_path / "out"
    process = _start(spec, out)
    try:
        _wait_for(lambda: count_while_writing(out, "MANY/*/contract.docx") >= 3 and len(_group_alive(process.pid)) >= 4,
                  process)
        process.send_signal(signal.SIGTERM)  # the batch process alone, as a service manager would
        _, err = process.communicate(timeout=120)
    finally:
        left = _gone(process.pid)
        for pid in left:
            os.kill(pid, signal.SIGKILL)
    assert process.returncode == 128 + signal.SIGTERM, err
    assert "interrupted" in err
    assert not left, "processes of the batch still running after SIGTERM"
    manifest = _manifest(out)
    assert manifest["complete"] is False
    files = _contracts(_assert_manifest_is_the_truth(out))
    built = sorted(p.parent.name for p in out.glob("MANY/*/contract.docx"))
    assert 3 <= len(files) < count
    assert sorted(f["path"].split("/")[1] for f in files) == built  # every finished one listed, no other

    again = subprocess.run(_batch(spec, "--out", out, "--format", "docx", "--only", "contract", "--jobs", "2"),
                           cwd=ROOT, capture_output=True, text=True, check=False)
    assert again.returncode == 0, again.stderr
    assert f"{len(files)} influencer(s) unchanged since the last run, skipped" in again.stderr
    assert len(_contracts(_assert_manifest_is_the_truth(out))) == count


@needs_proc
def test_workers_end_when_the_batch_process_is_killed(make_spec: MakeSpec, tmp_path: Path) -> None:
    spec = _many(make_spec, 60)
    out = tmp_path / "out"
    process = _start(spec, out)
    try:
        _wait_for(lambda: count_while_writing(out, "MANY/*/contract.docx") >= 3 and len(_group_alive(process.pid)) >= 4,
                  process)
        os.kill(process.pid, signal.SIGKILL)  # the parent only: nobody tells the workers
        process.wait(timeout=60)
    finally:
        left = _gone(process.pid)
        for pid in left:
            os.kill(pid, signal.SIGKILL)
    assert not left, "workers, forkserver or resource tracker outlived the killed batch"


def test_sigterm_stops_build_as_ctrl_c_does(make_spec: MakeSpec, tmp_path: Path) -> None:
    spec = _many(make_spec, 60)
    out = tmp_path / "out"
    process = subprocess.Popen([sys.executable, "-m", "contractgen", "build", str(spec), "--out", str(out), "--format",
                                "docx", "--only", "contract"], cwd=ROOT, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
    _wait_for(lambda: count_while_writing(out, "*/contract.docx") >= 2, process)
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 128 + signal.SIGTERM, err
    assert err == "interrupted\n"
    # The influencer in hand was not swapped in half-made; nothing of the run is left but whole sets.
    assert not [p for p in out.rglob("*") if p.name.startswith(TEMP_PREFIX) or p.name == LOCK_NAME]
    whole = ["calendar.ics", "contract.docx"]  # an influencer's set
    assert {f.name: sorted(p.name for p in f.iterdir()) for f in out.iterdir() if sorted(p.name for p in f.iterdir()) != whole} == {}


def test_files_recorded_under_another_folder_name_are_not_taken_as_built(make_spec: MakeSpec, tmp_path: Path) -> None:
    # An earlier version put `@_con` in `_con`, which is now `@con`'s folder: it must be built into `__con`.
    spec = _spec(make_spec, "@_con")
    out = tmp_path / "out"
    args = ("--out", out, "--format", "docx", "--only", "contract", "--jobs", "1")
    assert run_cli("batch", spec, *args).exit_code == 0
    (out / "SAFE" / "__con").rename(out / "SAFE" / "_con")
    text = (out / "manifest.json").read_text(encoding="utf-8").replace('"SAFE/__con/', '"SAFE/_con/')
    (out / "manifest.json").write_text(text, encoding="utf-8")
    result = run_cli("batch", spec, *args)
    assert result.exit_code == 0, result.stderr
    assert "skipped" not in result.stderr
    assert [f["path"] for f in _contracts(_assert_manifest_is_the_truth(out))] == ["SAFE/__con/contract.docx"]
