"""Writing results: atomic files, safe folder names, the manifest."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

from contractgen.errors import Problem, UserError
from contractgen.render.writers import WRITERS, file_name

TEMP_PREFIX = ".contractgen-tmp-"
INFLUENCERS_FILE = "influencers.csv"
HANDLE = re.compile(r"@[A-Za-z0-9._]{1,64}")  # a validated handle: no formula can hide in it
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10))}


@dataclass(frozen=True)
class Artifact:
    """One file written, as the manifest lists it."""

    campaign: str
    influencer: str
    kind: str
    format: str
    path: str  # relative to the output folder, with forward slashes
    sha256: str
    bytes: int
    clauses: tuple[str, ...] = ()


@dataclass(frozen=True)
class Failure:
    """Something that could not be built, and why."""

    campaign: str
    influencer: str | None
    message: str


@dataclass
class Manifest:
    """What one run made and what failed."""

    campaign: str
    library: str
    version: str
    files: list[Artifact] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> str:
        """Stable JSON: no timestamps, so identical runs give identical manifests."""
        data = {
            "contractgen": self.version,
            "campaign": self.campaign,
            "library": self.library,
            **self.extra,
            "files": [asdict(a) | {"clauses": list(a.clauses)} for a in self.files],
            "failures": [asdict(f) for f in self.failures],
        }
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


@dataclass
class BatchManifest:
    """What a batch over many specs made and what failed, with the inputs behind every file.

    ``inputs`` maps (campaign, influencer) to the hash of everything that influencer's files
    were made from; a later run compares it to skip what has not changed. Nothing in it depends
    on timing, the number of workers or which influencers were skipped, so the same inputs give
    the same manifest.
    """

    library: str
    version: str
    formats: tuple[str, ...]
    kinds: tuple[str, ...]
    files: list[Artifact] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    inputs: dict[tuple[str, str], str] = field(default_factory=dict)
    complete: bool = True
    stale: dict[str, list[str]] = field(default_factory=dict)  # folder → recorded files, left in place
    findings: list[dict[str, Any]] = field(default_factory=list)  # every campaign's risk findings

    CSV_COLUMNS = ("status", "campaign", "influencer", "kind", "format", "path", "sha256", "bytes", "clauses",
                   "inputs", "error")

    def to_json(self) -> str:
        """Stable JSON: files in input order, each with the hash of its inputs; then failures."""
        buffer = io.StringIO()
        self.write_json(buffer)
        return buffer.getvalue()

    def records(self) -> Iterator[dict[str, Any]]:
        """The manifest's file records, as :func:`file_record` makes them."""
        for a in self.files:
            yield file_record(a, self.inputs.get((a.campaign, a.influencer), ""))

    def write_json(self, out: IO[str], records: Iterable[dict[str, Any]] | None = None) -> None:
        """Write :meth:`to_json`'s text record by record, so a big batch never holds it all.

        ``records`` replaces :meth:`records` (a batch streams them from its spool file).
        """
        head = {"contractgen": self.version, "library": self.library, "formats": list(self.formats),
                "kinds": list(self.kinds), "complete": self.complete, "stale": self.stale}
        out.write("{\n")
        for key, value in head.items():
            out.write(f"  {json.dumps(key)}: {_dumps(value, 2)},\n")
        out.write('  "files": ')
        _write_list(out, self.records() if records is None else records)
        out.write(',\n  "failures": ')
        _write_list(out, (asdict(f) for f in self.failures))
        out.write(',\n  "findings": ')
        _write_list(out, self.findings)
        out.write("\n}\n")

    def to_csv(self) -> str:
        """The same as a spreadsheet: one row per file, then one per failure (status ``failed``)."""
        buffer = io.StringIO(newline="")
        self.write_csv(buffer)
        return buffer.getvalue()

    def write_csv(self, out: IO[str], records: Iterable[dict[str, Any]] | None = None) -> None:
        """Write :meth:`to_csv`'s rows one by one (``records`` as for :meth:`write_json`)."""
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(self.CSV_COLUMNS)
        for r in self.records() if records is None else records:
            writer.writerow(text_cells(("ok", r["campaign"], r["influencer"], r["kind"], r["format"], r["path"],
                                    r["sha256"], r["bytes"], " ".join(r["clauses"]), r["inputs"], "")))
        for f in self.failures:
            writer.writerow(text_cells(("failed", f.campaign, f.influencer or "", "", "", "", "", "", "", "", f.message)))

    @classmethod
    def previous(cls, path: Path) -> dict[tuple[str, str], tuple[str, list[Artifact]]]:
        """(campaign, influencer) → (inputs hash, files) from an earlier batch manifest; {} if unusable.

        The file is read record by record (it is written one record per block), so the manifest
        of a 10,000-influencer batch is never held in memory as one big parsed document.
        """
        found: dict[tuple[str, str], tuple[str, list[Artifact]]] = {}
        clause_sets: dict[tuple[str, ...], tuple[str, ...]] = {}
        try:
            for item in _file_records(path):
                inputs = str(item.get("inputs") or "")
                key = (item["campaign"], item["influencer"])
                if not inputs or found.setdefault(key, (inputs, []))[0] != inputs:
                    continue
                clauses = tuple(item.get("clauses", ()))
                found[key][1].append(Artifact(
                    item["campaign"], item["influencer"], item["kind"], item["format"], item["path"],
                    item["sha256"], int(item["bytes"]), clause_sets.setdefault(clauses, clauses)))
        except (OSError, ValueError, KeyError, TypeError):
            return {}  # no manifest yet, or one from `contractgen build` / another version: rebuild
        return found


def _file_records(path: Path) -> Iterator[dict[str, Any]]:
    """The ``files`` records of a manifest written by :meth:`BatchManifest.write_json`, one at a time."""
    with path.open(encoding="utf-8") as handle:
        if handle.readline() != "{\n":
            raise ValueError("not a batch manifest")
        for line in handle:
            if line.startswith('  "files": '):
                break
        else:
            raise ValueError("no files in the manifest")
        if line.rstrip().endswith("[]"):
            return
        record: list[str] = []
        for line in handle:
            if line.startswith("    {"):
                record = [line]
            elif line.startswith("    }"):
                record.append("}")
                yield json.loads("".join(record))
                if not line.rstrip().endswith(","):
                    return
            elif record:
                record.append(line)
            else:
                raise ValueError("unexpected layout")


def _head(path: Path) -> dict[str, Any]:
    """The keys a batch manifest lists before its files (small), without reading the files."""
    lines = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.startswith('  "files": '):
                break
            lines.append(line)
    return json.loads("".join(lines).rstrip().rstrip(",") + "\n}")


def file_record(artifact: Artifact, inputs: str) -> dict[str, Any]:
    """One file as a batch manifest lists it: the artifact and the hash of its inputs."""
    return asdict(artifact) | {"clauses": list(artifact.clauses), "inputs": inputs}


def _dumps(value: Any, indent: int) -> str:
    """JSON of one value laid out as ``json.dumps(..., indent=2)`` lays it out ``indent`` deep."""
    return json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n" + " " * indent)


def _write_list(out: IO[str], items: Iterable[Any]) -> None:
    first = True
    for item in items:
        out.write(("[\n    " if first else ",\n    ") + _dumps(item, 4))
        first = False
    out.write("[]" if first else "\n  ]")


def text_cells(row: Iterable[object]) -> list[object]:
    """A row with formula protection (OWASP's advice against CSV injection).

    A cell starting with = + - @ (or a tab or CR) is a formula to a spreadsheet: a leading
    apostrophe keeps it text. An ordinary handle (``@`` then letters, digits, ``.`` and ``_``,
    as validation allows) is left as it is: it cannot call a function, and a mail merge must
    see ``@alexruns``, not ``'@alexruns``.
    """
    return [f"'{v}" if isinstance(v, str) and v[:1] in ("=", "+", "-", "@", "\t", "\r") and not HANDLE.fullmatch(v)
            else v for v in row]


def influencer_columns(kinds: Iterable[str], formats: Iterable[str]) -> list[str]:
    """The header of influencers.csv: who, money, status, finding counts, then a path per document."""
    documents = [f"{kind}_{fmt}" for kind in kinds for fmt in formats]
    return ["campaign", "name", "handle", "email", "fee", "currency", "status", "errors", "warnings", "infos",
            *documents, "calendar", "message"]


def influencer_rows(campaign: str, name: str, handle: str, email: str | None, fee: object, currency: str,
                    status: str, counts: dict[str, int], folder: str | None, message: str,
                    kinds: Iterable[str], formats: Iterable[str]) -> list[object]:
    """One influencer's row of influencers.csv (paths relative to the output folder; none unless built)."""
    paths = [f"{folder}/{file_name(kind, fmt)}" if folder else "" for kind in kinds for fmt in formats]
    first_line = message.splitlines()[0] if message else ""
    return [campaign, name, handle, email or "", "" if fee is None else fee, currency, status,
            counts.get("error", 0), counts.get("warning", 0), counts.get("info", 0), *paths,
            f"{folder}/calendar.ics" if folder else "", first_line]


def write_influencers_csv(out: IO[str], rows: Iterable[list[object]], kinds: Iterable[str],
                          formats: Iterable[str]) -> None:
    """influencers.csv: one row per influencer, for a mail merge (the long lists stay in manifest.json)."""
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(influencer_columns(kinds, formats))
    for row in rows:
        writer.writerow(text_cells(row))


# ---------------------------------------------------------------------------------------------
# Folder names: one rule for `build` and `batch`


def safe_folder_name(slug: str) -> str:
    """A single path component that cannot leave its parent or be a reserved device name.

    Distinct names give distinct folders: a reserved name gets a leading underscore (``con`` →
    ``_con``), and so does a name that is one only after its own leading underscores (``_con`` →
    ``__con``), so no two names meet. Only the characters dropped here (none in a valid handle or
    campaign id) can make two names meet; :class:`FolderClaims` catches that.
    """
    name = "".join(ch for ch in slug if ch.isascii() and (ch.isalnum() or ch in "._-")).strip(".")
    if not name:
        name = "influencer"
    if name.lstrip("_").split(".")[0].lower() in _RESERVED:
        name = f"_{name}"
    return name


class FolderClaims:
    """Which run member writes into which folder of one output folder, compared case-folded.

    Every influencer's folder, in ``build`` and ``batch`` alike, is claimed here before anything
    is written: a second claim on a folder (``SAME/ana`` from two specs, or names that a
    case-insensitive disk would merge) fails that influencer instead of overwriting the first.
    """

    def __init__(self) -> None:
        self._owners: dict[str, str] = {}

    def claim(self, parts: Iterable[str], owner: str, file: str | None = None,
              where: str | None = None) -> str:
        """The folder (``parts`` made safe, joined by ``/``) for ``owner``; UserError if taken."""
        folder = "/".join(safe_folder_name(part) for part in parts)
        first = self._owners.setdefault(folder.casefold(), owner)
        if first != owner:
            raise UserError(Problem(f"would write into {folder}/, which {first} already uses", file=file,
                                    where=where,
                                    hint="give each spec its own campaign.id, or each influencer their own handle"))
        return folder

    def folders(self) -> set[str]:
        """Every folder claimed so far (case-folded)."""
        return set(self._owners)


# ---------------------------------------------------------------------------------------------
# The output folder: one run at a time, no links followed, leftovers of killed runs tidied

LOCK_NAME = ".contractgen.lock"
# What contractgen writes into an influencer's folder: replaced as a set, never carried over.
GENERATED = frozenset({*(file_name(kind, fmt) for kind in ("contract", "brief") for fmt in WRITERS),
                       "calendar.ics"})


@contextmanager
def locked_output(out: Path) -> Iterator[Path]:
    """Create ``out``, hold its lock for the block, and tidy what killed runs left in it (before and after).

    The lock file holds the owner's pid; the operating system releases the lock when its owner
    ends however it ends, so a killed run's lock is simply taken over. A second run into the
    same folder is refused with the owner's pid while the first is alive: it would otherwise
    delete the first run's spool and half its work. ``out`` itself may be a link (the user
    chose it); nothing inside it is followed.
    """
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(Problem(f"cannot create the output folder: {exc.strerror}", file=str(out),
                                hint="choose another --out folder")) from None
    fd = _lock(out / LOCK_NAME)
    try:
        sweep(out)
        yield out
    finally:
        sweep(out)  # again, also when interrupted: a run killed just before this one may not have been gone
        with suppress(OSError):
            os.unlink(out / LOCK_NAME)  # before closing: whoever opens it next makes a new one
        os.close(fd)


def _lock(path: Path) -> int:
    while True:
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | _NOFOLLOW, 0o644)
        except OSError as exc:
            raise UserError(Problem(f"cannot write into the output folder: {exc.strerror}", file=str(path.parent),
                                    hint="make it writable, or choose another --out folder")) from None
        try:
            _try_lock(fd)
        except OSError:
            try:
                owner = os.read(fd, 32).decode("ascii", "replace").strip() or "unknown"
            except OSError:
                owner = "unknown"
            os.close(fd)
            raise UserError(Problem(f"another contractgen run (pid {owner}) is writing into this folder",
                                    file=str(path.parent),
                                    hint="wait for it to finish, or choose another --out folder")) from None
        try:
            same = os.path.samestat(os.fstat(fd), os.lstat(path))
        except FileNotFoundError:
            same = False
        if not same:  # its owner removed it as we opened it: lock the one there now
            os.close(fd)
            continue
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        return fd


if os.name == "nt":
    import msvcrt

    def _try_lock(fd: int) -> None:
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
else:
    import fcntl

    def _try_lock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)


_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def sweep(out: Path, depth: int = 2) -> None:
    """Finish or undo what killed runs left in ``out`` and two levels of folders below it.

    A staged folder (``…-new-NAME``) is removed; a folder set aside (``…-old-NAME``) is put back
    when its replacement never arrived, else removed after carrying over files that are not
    contractgen's; a temporary file is removed. Only what dead processes left is touched (a
    nested output folder may have a live run of its own), and links are never followed.
    """
    try:
        entries = list(os.scandir(out))
    except OSError:
        return
    for entry in entries:
        if entry.name.startswith(TEMP_PREFIX):
            owner, _, rest = entry.name[len(TEMP_PREFIX):].partition("-")
            if _alive(owner):
                continue
            role, _, name = rest.partition("-")
            with suppress(OSError):
                if entry.is_dir(follow_symlinks=False) and role == "old" and name:
                    target = out / name
                    if not os.path.lexists(target):
                        os.rename(entry.path, target)
                        continue
                    _retire(Path(entry.path), target)
                elif entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(entry.path)
                else:
                    os.unlink(entry.path)
        elif depth and entry.is_dir(follow_symlinks=False):
            sweep(Path(entry.path), depth - 1)


def _alive(pid_text: str) -> bool:
    """Whether the process named in a temporary name still runs (another run at once)."""
    try:
        pid = int(pid_text)
    except ValueError:
        return False  # not one of ours as named today: an old run's
    # This process has written nothing yet: the name is a previous process's with the same pid.
    return pid != os.getpid() and process_alive(pid)


def process_alive(pid: int) -> bool:
    """Whether process ``pid`` runs; one that has ended but was not reaped yet (a zombie) does not."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # someone else's process
    try:  # Linux: an orphan whose new parent never reaps it stays a zombie (state Z) for good
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except (OSError, IndexError):
        return True
    return state not in ("Z", "X")


def plain_folder(out: Path, relative: str) -> Path:
    """``out/relative`` as a real folder, made where missing; refused where a part is a link.

    Nothing is ever written through a link inside the output folder (as ``rsync --safe-links``
    or ``tar`` would refuse): a link there could send files, and the removal of old ones,
    anywhere on the disk.
    """
    path = out
    for part in relative.split("/"):
        path = path / part
        try:
            info = os.lstat(path)
        except FileNotFoundError:
            try:
                path.mkdir()
            except FileExistsError:
                info = os.lstat(path)  # made by someone else since: check it as found
            except OSError as exc:
                raise UserError(Problem(f"cannot create the folder: {exc.strerror}", file=str(path),
                                        hint="check the output folder's permissions and free space")) from None
            else:
                continue
        except OSError as exc:
            raise UserError(Problem(f"cannot use the folder: {exc.strerror}", file=str(path))) from None
        _check_folder(path, info)
    return path


def _check_folder(path: Path, info: os.stat_result) -> None:
    if stat.S_ISLNK(info.st_mode):
        raise UserError(Problem("is a symbolic link; contractgen does not write through links", file=str(path),
                                hint="remove the link, or choose another --out folder"))
    if not stat.S_ISDIR(info.st_mode):
        raise UserError(Problem("is in the way of a folder contractgen needs to write", file=str(path),
                                hint="move it away, or choose another --out folder"))


def prepare_dir(path: Path) -> None:
    """Create a folder inside the output folder (not through a link) for files added to it."""
    plain_folder(path.parent, path.name)


@contextmanager
def replaced_folder(out: Path, relative: str) -> Iterator[Path]:
    """An empty staging folder whose files replace ``out/relative``'s as one set when the block ends.

    The new files are written beside the old folder, which is then renamed aside, the staged one
    renamed in, files that are not contractgen's (:data:`GENERATED`) carried over, and the old one
    removed. An error in the block leaves the old folder as it was; a run killed between the two
    renames is put right by the next run's :func:`sweep`.
    """
    target = out / relative
    stage = target.parent / f"{TEMP_PREFIX}{os.getpid()}-new-{target.name}"
    aside = target.parent / f"{TEMP_PREFIX}{os.getpid()}-old-{target.name}"
    created = not os.path.lexists(target)
    # Everything up to the second rename is undone on any error, Ctrl-C and SIGTERM included.
    try:
        plain_folder(out, relative)  # made now if missing (an influencer in the making), and no link
        shutil.rmtree(stage, ignore_errors=True)
        stage.mkdir()
        yield stage
        _check_folder(target, os.lstat(target))  # still a folder of ours to replace
        os.rename(target, aside)
        os.rename(stage, target)
    except OSError as exc:
        _abandon(out, relative, stage, aside, created)
        raise UserError(Problem(f"cannot write: {exc.strerror}", file=str(target),
                                hint="check the folder's permissions and free space")) from None
    except BaseException:
        _abandon(out, relative, stage, aside, created)
        raise
    _retire(aside, target)


def _abandon(out: Path, relative: str, stage: Path, aside: Path, created: bool) -> None:
    """Undo a swap that did not complete: the old folder as it was, or none if there was none."""
    parent = relative.rpartition("/")[0]
    if parent and not _real_folders(out, parent):
        return  # a link on the way: nothing of ours is behind it, and nothing is removed through it
    target = out / relative
    shutil.rmtree(stage, ignore_errors=True)
    with suppress(OSError):
        if not os.path.lexists(target) and os.path.lexists(aside):
            os.rename(aside, target)
        elif created and _real_folders(out, relative):
            os.rmdir(target)  # only if still empty


def _real_folders(out: Path, relative: str) -> bool:
    """Whether every part of ``out/relative`` is a folder, not a link (``out`` itself may be one)."""
    path = out
    try:
        for part in relative.split("/"):
            path = path / part
            if not stat.S_ISDIR(os.lstat(path).st_mode):
                return False
    except OSError:
        return False
    return True


def _retire(old: Path, new: Path) -> None:
    """Remove an influencer's replaced folder, first moving into the new one what is not contractgen's.

    A file someone else put there (notes, a signed scan) is never lost: what cannot be moved
    stays in the old folder for the next run's :func:`sweep` to try again.
    """
    for entry in os.scandir(old):
        with suppress(OSError):
            if entry.name in GENERATED or entry.name.startswith(TEMP_PREFIX):
                if entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(entry.path)
                else:
                    os.unlink(entry.path)
            elif not os.path.lexists(new / entry.name):
                os.rename(entry.path, new / entry.name)
    with suppress(OSError):
        os.rmdir(old)


def plain_file_bytes(out: Path, relative: str) -> bytes | None:
    """The bytes of ``out/relative`` if it is a regular file reached through no link; else None."""
    parent = relative.rpartition("/")[0]
    if parent and not _real_folders(out, parent):
        return None
    try:
        fd = os.open(out / relative, os.O_RDONLY | _NOFOLLOW | getattr(os, "O_BINARY", 0))
    except OSError:
        return None
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            return None
        return handle.read()


# ---------------------------------------------------------------------------------------------
# Files


@contextmanager
def atomic_file(path: Path, encoding: str = "utf-8") -> Iterator[IO[str]]:
    """A text file that replaces ``path`` only when the block completes: never half-written."""
    try:
        # The pid in the name: a concurrent run's sweep keeps the file.
        fd, tmp = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{os.getpid()}-", dir=path.parent)
    except OSError as exc:
        raise UserError(Problem(f"cannot write: {exc.strerror}", file=str(path),
                                hint="check the folder's permissions and free space")) from None
    try:
        with os.fdopen(fd, "w", encoding=encoding, newline="") as handle:
            yield handle
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise UserError(Problem(f"cannot write: {exc.strerror}", file=str(path),
                                hint="check the folder's permissions and free space")) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_atomic(path: Path, data: bytes) -> str:
    """Write to a temporary file beside ``path`` and rename it over; return the sha256.

    The rename replaces a link at ``path`` itself; it never writes through it.
    """
    try:
        # The pid in the name lets a later run tell a killed writer's leftovers from a live one's.
        fd, tmp = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{os.getpid()}-", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.chmod(tmp, 0o644)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise UserError(Problem(f"cannot write: {exc.strerror}", file=str(path),
                                hint="check the folder's permissions and free space")) from None
    return hashlib.sha256(data).hexdigest()


# ---------------------------------------------------------------------------------------------
# Stale folders: an influencer renamed or removed since the last run into this output folder


def recorded_folders(manifest: Path) -> dict[str, list[str]]:
    """Influencer folder → the file paths a previous manifest (of ``build`` or ``batch``) lists in it.

    Only what that manifest recorded counts: {} when there is none or it cannot be read.
    """
    found: dict[str, list[str]] = {}
    try:
        try:
            records: Iterable[dict[str, Any]] = list(_file_records(manifest))
            head = _head(manifest)
        except ValueError:  # a build's manifest: small, read whole
            head = json.loads(manifest.read_text(encoding="utf-8"))
            records = head["files"]
        # Stale folders a run reported and left stay on record, so a later --clean still finds them.
        for folder, paths in dict(head.get("stale") or {}).items():
            found[str(folder)] = [str(p) for p in paths]
        for item in records:
            path = str(item["path"])
            if item.get("influencer") and "/" in path:
                found.setdefault(path.rpartition("/")[0], []).append(path)
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    return found


def stale_folders(out: Path, before: dict[str, list[str]], claimed: Iterable[str],
                  keep: Callable[[str], bool] = lambda _folder: False) -> list[str]:
    """Folders a previous run recorded that no influencer of this run claims, and that are still there.

    ``claimed`` are this run's folders (case-folded, as :class:`FolderClaims` keeps them);
    ``keep`` says which others to leave out (a batch: those of campaigns it could not read).
    """
    taken = {c.casefold() for c in claimed}
    out_stale = []
    for folder in sorted(before):
        if folder.casefold() in taken or keep(folder):
            continue
        if _real_folders(out, folder):
            out_stale.append(folder)
    return out_stale


def remove_stale(out: Path, stale: Iterable[str], before: dict[str, list[str]]) -> list[str]:
    """Remove the files the previous manifest recorded in each stale folder, then the folder if empty.

    Nothing else is removed: files of your own keep their folder. Returns the folders removed.
    """
    removed = []
    for folder in stale:
        if not _real_folders(out, folder):
            continue
        for path in before.get(folder, []):
            with suppress(FileNotFoundError):
                info = os.lstat(out / path)
                if stat.S_ISREG(info.st_mode):
                    os.unlink(out / path)
        try:
            os.rmdir(out / folder)
        except OSError:
            continue  # something of the user's is still in it
        removed.append(folder)
    return removed
