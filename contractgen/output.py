"""Writing results: atomic files, safe folder names, the manifest."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

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
            stale.unlink(missing_ok=True)
    except OSError as exc:
        raise UserError(Problem(f"cannot create the output folder: {exc.strerror}", file=str(path),
                                hint="choose another --out folder")) from None


def write_atomic(path: Path, data: bytes) -> str:
    """Write to a temporary file beside ``path`` and rename it over; return the sha256."""
    try:
        fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=path.parent)
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
