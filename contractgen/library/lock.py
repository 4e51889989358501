"""The lock file: one hash per ``id@version``, so wording cannot change without a new version.

``clauses.lock`` sits in each library folder. Entries are only ever added: old versions stay,
so a signed contract's ``id@version`` can always be matched to the wording it had.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from contractgen.errors import Problem, UserError
from contractgen.library.clauses import Clause
from contractgen.output import write_atomic

NAME = "clauses.lock"
HEADER = (
    "# Written by 'contractgen clauses lock'. One sha256 per clause id@version.\n"
    "# Do not edit by hand: change the wording, bump the version, then run the command.\n"
)


def read(folder: Path) -> dict[str, str]:
    """The recorded hashes of a library folder (empty when there is no lock file)."""
    path = folder / NAME
    if not path.is_file():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise UserError(Problem(f"the lock file is damaged: {exc}", file=str(path),
                                hint="restore it from version control")) from None
    if not isinstance(data, dict):
        raise UserError(Problem("the lock file is damaged", file=str(path), hint="restore it from version control"))
    return {str(k): str(v) for k, v in data.items()}


def update(folder: Path, clauses: list[Clause]) -> tuple[list[str], list[Problem]]:
    """Add new ``id@version`` hashes; refuse changed wording under a recorded version."""
    recorded = read(folder)
    added: list[str] = []
    problems: list[Problem] = []
    for clause in clauses:
        digest = clause.digest()
        old = recorded.get(clause.ref)
        if old is None:
            recorded[clause.ref] = digest
            added.append(clause.ref)
        elif old != digest:
            problems.append(Problem("the wording changed but the version did not", file=str(folder / NAME),
                                    where=clause.ref, hint="bump the clause's version first"))
    if added and not problems:
        body = yaml.safe_dump(dict(sorted(recorded.items())), sort_keys=False)
        write_atomic(folder / NAME, (HEADER + body).encode())
    return added, problems
