"""The clause library: YAML files that lawyers edit, loaded into validated :class:`Clause`s.

A library is the built-in ``clauses/`` folder, optionally overlaid by a user's folder whose
clauses replace built-in ones with the same id (see :func:`load_library`).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, model_validator

from contractgen.errors import Problem, UserError
from contractgen.library.disclosure import DisclosureRules, load_rules
from contractgen.library.packs import Pack, load_packs
from contractgen.spec.loader import Loaded, load_file
from contractgen.spec.validate import pydantic_problems

Risk = Literal["R1", "R2", "R3", "R4", "R5", "R6", "R7", "R8"]
ClauseId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")]
SemVer = Annotated[str, StringConstraints(pattern=r"^\d+\.\d+\.\d+$")]
Wording = dict[str, str]  # language code (a pack under templates/) → text


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Variant(_Strict):
    """One alternative wording, used when its condition holds."""

    when: str | None = Field(None, description="Jinja expression; no condition = the fallback.")
    title: Wording | None = Field(None, description="A title of its own (e.g. a gifted deal's 'The Product').")
    text: Wording


class Clause(_Strict):
    """One clause: stable id, version, title and wording per language."""

    id: ClauseId
    version: SemVer
    title: Wording
    covers: list[Risk] = Field(default_factory=list)
    when: str | None = None
    notes: str | None = None
    text: Wording | None = None
    variants: list[Variant] | None = None

    @model_validator(mode="after")
    def _one_wording(self) -> Clause:
        if (self.text is None) == (self.variants is None):
            raise ValueError("give either 'text' or 'variants', not both or neither")
        return self

    @property
    def ref(self) -> str:
        """``id@version``, as it appears in errors and the manifest."""
        return f"{self.id}@{self.version}"

    def wordings(self) -> list[Variant]:
        """The variants, or the single text as one unconditional variant."""
        return list(self.variants) if self.variants is not None else [Variant(text=self.text or {})]

    def digest(self) -> str:
        """Hash of everything that changes what the clause says (not the drafting notes)."""
        body = self.model_dump(include={"title", "when", "text", "variants"}, mode="json")
        for variant in body.get("variants") or ():
            if variant.get("title") is None:
                variant.pop("title", None)  # keeps the fingerprints of variants without a title of their own
        return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


class ClauseFile(_Strict):
    """A YAML file of the library: one family of clauses."""

    family: str
    clauses: list[Clause] = Field(min_length=1)


@dataclass(frozen=True)
class Source:
    """Where a clause was read: file, line, and whether it is built in."""

    file: Path
    line: int
    builtin: bool
    family: str

    def display(self) -> str:
        """The file as shown in messages."""
        return str(self.file)


@dataclass
class Library:
    """Every clause by id, where each came from, the layout order and the disclosure rules."""

    clauses: dict[str, Clause]
    sources: dict[str, Source]
    layout: list[str]
    disclosure: DisclosureRules
    layout_file: Path
    sandboxed_ids: frozenset[str] = field(default_factory=frozenset)
    packs: dict[str, Pack] = field(default_factory=dict)

    def digest(self) -> str:
        """One hash for the library as used: every clause in layout order, and the disclosure rules."""
        h = hashlib.sha256()
        for cid in self.layout:
            clause = self.clauses.get(cid)
            if clause:
                h.update(f"{clause.ref}:{clause.digest()}\n".encode())
        h.update(self.disclosure.model_dump_json().encode())  # its wording goes into contracts too
        for code in sorted(self.packs):
            h.update(self.packs[code].model_dump_json().encode())
        return h.hexdigest()


def read_clause_file(path: Path) -> tuple[ClauseFile, Loaded]:
    """Load one clause file; raise UserError with file and line on a wrong shape."""
    loaded = load_file(path)
    try:
        return ClauseFile.model_validate(loaded.data), loaded
    except ValidationError as exc:
        raise UserError(pydantic_problems(exc, loaded, ClauseFile)) from None


def linked_file(path: Path) -> Problem | None:
    """A problem when a file of a user's overlay is a symbolic link, else None.

    An overlay is read from its own folder only: a link could point anywhere (``~/.ssh/...``),
    and error messages quote the lines they are about, so a linked file is refused unread.
    """
    if not path.is_symlink():
        return None
    return Problem("is a symbolic link; a --library folder must hold the files themselves", file=str(path),
                   hint="copy the file into the folder instead of linking it")


def read_clause_files(folder: Path, builtin: bool = True) -> tuple[list[tuple[Path, ClauseFile, Loaded]], list[Problem]]:
    """Every clause file of a folder (``layout.yaml`` aside), and the problems of those that failed.

    In a user's overlay (``builtin`` false) symbolic links are refused without being read.
    """
    files: list[tuple[Path, ClauseFile, Loaded]] = []
    problems: list[Problem] = []
    for path in sorted(folder.glob("*.yaml")):
        if path.name == "layout.yaml":
            continue
        if not builtin and (link := linked_file(path)):
            problems.append(link)
            continue
        try:
            parsed, loaded = read_clause_file(path)
        except UserError as exc:
            problems.extend(exc.problems)
            continue
        files.append((path, parsed, loaded))
    return files, problems


def read_folder(folder: Path, builtin: bool) -> tuple[dict[str, Clause], dict[str, Source], list[Problem]]:
    """Every clause in ``folder/*.yaml``, with problems (bad files, duplicate ids) collected."""
    clauses: dict[str, Clause] = {}
    sources: dict[str, Source] = {}
    files, problems = read_clause_files(folder, builtin)
    for path, parsed, loaded in files:
        for i, clause in enumerate(parsed.clauses):
            line = loaded.line_of(("clauses", i)) or 1
            if clause.id in clauses:
                first = sources[clause.id]
                problems.append(Problem(
                    f"duplicate id '{clause.id}', first defined at {first.display()}:{first.line}",
                    file=str(path), line=line, where=clause.ref, hint="give one of them a new id"))
                continue
            clauses[clause.id] = clause
            sources[clause.id] = Source(path, line, builtin, parsed.family)
    return clauses, sources, problems


def read_layout(path: Path) -> list[str]:
    """The ordered clause ids of a layout file."""
    loaded = load_file(path)
    data = loaded.data
    ids = data.get("clauses") if isinstance(data, dict) else None
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise UserError(Problem("a layout needs 'clauses:', a list of clause ids", file=str(path), line=1))
    return ids


def load_library(builtin_clauses: Path, layout_file: Path, overlay: Path | None = None) -> Library:
    """Load the built-in clauses, then a user's overlay folder on top; raise on any problem."""
    clauses, sources, problems = read_folder(builtin_clauses, builtin=True)
    sandboxed: set[str] = set()
    layout_path = layout_file
    if overlay is not None:
        if not overlay.is_dir():
            raise UserError(Problem("is not a folder", file=str(overlay), hint="--library takes a folder of clause YAML files"))
        extra, extra_sources, extra_problems = read_folder(overlay, builtin=False)
        problems.extend(extra_problems)
        clauses.update(extra)
        sources.update(extra_sources)
        sandboxed.update(extra)
        if (overlay / "layout.yaml").is_file():
            layout_path = overlay / "layout.yaml"
            if link := linked_file(layout_path):
                problems.append(link)
    if problems:
        raise UserError(problems)
    layout = read_layout(layout_path)
    missing = [cid for cid in layout if cid not in clauses]
    if missing:
        raise UserError([
            Problem(f"names clause '{cid}', which is not in the library", file=str(layout_path), where="clauses")
            for cid in missing
        ])
    rules_file = builtin_clauses / "data" / "disclosure.yaml"
    if overlay is not None and (overlay / "data" / "disclosure.yaml").is_file():
        rules_file = overlay / "data" / "disclosure.yaml"  # an overlay may carry its own rules
    rules = load_rules(rules_file)
    # An overlay's jurisdictions/<CC>.yaml replaces the built-in pack of that country.
    packs = load_packs(builtin_clauses / "jurisdictions", *([overlay / "jurisdictions"] if overlay else []))
    return Library(clauses, sources, layout, rules, layout_path, frozenset(sandboxed), packs)
