"""Writing results: atomic files, safe folder names, the manifest."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

from contractgen.errors import Problem, UserError

TEMP_PREFIX = ".contractgen-tmp-"
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
                "kinds": list(self.kinds), "complete": self.complete}
        out.write("{\n")
        for key, value in head.items():
            out.write(f"  {json.dumps(key)}: {_dumps(value, 2)},\n")
        out.write('  "files": ')
        _write_list(out, self.records() if records is None else records)
        out.write(',\n  "failures": ')
        _write_list(out, (asdict(f) for f in self.failures))
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
            writer.writerow(_cells(("ok", r["campaign"], r["influencer"], r["kind"], r["format"], r["path"],
                                    r["sha256"], r["bytes"], " ".join(r["clauses"]), r["inputs"], "")))
        for f in self.failures:
            writer.writerow(_cells(("failed", f.campaign, f.influencer or "", "", "", "", "", "", "", "", f.message)))

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


def _cells(row: Iterable[object]) -> list[object]:
    # A cell starting with = + - @ is a formula to a spreadsheet (and handles start with @):
    # a leading apostrophe keeps it text (OWASP's advice against CSV injection).
    return [f"'{v}" if isinstance(v, str) and v[:1] in ("=", "+", "-", "@", "\t", "\r") else v for v in row]


def safe_folder_name(slug: str) -> str:
    """A single path component that cannot leave its parent or be a reserved device name."""
    name = "".join(ch for ch in slug if ch.isascii() and (ch.isalnum() or ch in "._-")).strip(".")
    if not name:
        name = "influencer"
    if name.split(".")[0].lower() in _RESERVED:
        name = f"_{name}"
    return name[:64]


def prepare_dir(path: Path) -> None:
    """Create an output folder and clear temporary files a killed run may have left."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        for stale in path.glob(f"{TEMP_PREFIX}*"):
            if not _writer_alive(stale.name):
                stale.unlink(missing_ok=True)
    except OSError as exc:
        raise UserError(Problem(f"cannot create the output folder: {exc.strerror}", file=str(path),
                                hint="choose another --out folder")) from None


def _writer_alive(name: str) -> bool:
    """Whether the process that owns a temporary file still runs (another build at once)."""
    try:
        pid = int(name[len(TEMP_PREFIX):].split("-", 1)[0])
        os.kill(pid, 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    return True


@contextmanager
def atomic_file(path: Path, encoding: str = "utf-8") -> Iterator[IO[str]]:
    """A text file that replaces ``path`` only when the block completes: never half-written."""
    try:
        # The pid in the name, as in write_atomic: a concurrent run's prepare_dir keeps the file.
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
    """Write to a temporary file beside ``path`` and rename it over; return the sha256."""
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
