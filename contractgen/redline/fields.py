"""Which spec fields changed between two specs, and which changes in a document each one caused.

Fields are the validated specs' data, flattened to dotted paths (``payment.fee``,
``deliverables[1].count``, ``influencers[@alexruns].fee``); a list item that exists on one
side only is one change (``deliverables[2]`` added). A field's effect is found by trying it
alone: the old spec with just that field changed is validated and assembled again, and the
places whose text then differs from the old document are that field's. A change that cannot
stand alone (it fails validation without a companion change) is credited to the edits no
other field explains.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from contractgen.document import Document
from contractgen.errors import UserError
from contractgen.redline.diff import Edit, redline
from contractgen.spec import rules
from contractgen.spec.models import CampaignSpec

Part = str | int  # a key, a list index, or an influencer's handle (in "@...")


@dataclass(frozen=True)
class FieldChange:
    """One spec field whose value differs: its path and both values (None: absent)."""

    parts: tuple[Part, ...]
    old: Any
    new: Any

    @property
    def path(self) -> str:
        """The dotted path, as the summary prints it."""
        out = ""
        for part in self.parts:
            if isinstance(part, int) or part.startswith("@"):
                out += f"[{part}]"
            else:
                out += f".{part}" if out else part
        return out


def data(spec: CampaignSpec) -> dict[str, Any]:
    """A spec's validated data as plain JSON values (defaults filled in)."""
    return spec.model_dump(mode="json", by_alias=True)


def changed_fields(old: dict[str, Any], new: dict[str, Any], handle: str) -> list[FieldChange]:
    """Fields that differ between two specs' data, for one influencer (others' entries are left out)."""
    out: list[FieldChange] = []
    for key in dict.fromkeys([*old, *new]):
        if key == "influencers":
            a = next((p for p in old.get(key) or [] if p.get("handle") == handle), None)
            b = next((p for p in new.get(key) or [] if p.get("handle") == handle), None)
            _diff(a, b, ("influencers", handle), out)
        else:
            _diff(old.get(key), new.get(key), (key,), out)
    return out


def _diff(a: Any, b: Any, parts: tuple[Part, ...], out: list[FieldChange]) -> None:
    if a == b:
        return
    if isinstance(a, dict) and isinstance(b, dict):
        for key in dict.fromkeys([*a, *b]):
            _diff(a.get(key), b.get(key), (*parts, key), out)
    elif isinstance(a, list) and isinstance(b, list) and any(isinstance(x, dict) for x in a + b):
        for i in range(max(len(a), len(b))):
            _diff(a[i] if i < len(a) else None, b[i] if i < len(b) else None, (*parts, i), out)
    else:
        out.append(FieldChange(parts, a, b))


def with_change(old: dict[str, Any], change: FieldChange) -> dict[str, Any]:
    """A copy of ``old`` with one field set to its new value (a list item added or removed)."""
    data = copy.deepcopy(old)
    node: Any = data
    for part in change.parts[:-1]:
        node = _child(node, part)
    last = change.parts[-1]
    if isinstance(node, list) and isinstance(last, int):
        if change.new is None:
            del node[last]
        elif last >= len(node):
            node.append(change.new)
        else:
            node[last] = change.new
    elif isinstance(last, str) and last.startswith("@"):
        people = node
        index = next((i for i, p in enumerate(people) if p.get("handle") == last), None)
        if index is not None:
            people[index] = change.new
    else:
        node[last] = change.new
    return data


def _child(node: Any, part: Part) -> Any:
    if isinstance(part, str) and part.startswith("@"):
        return next(p for p in node if p.get("handle") == part)
    return node[part]


def valid(data: dict[str, Any]) -> CampaignSpec | None:
    """The spec of some data, or None when it does not validate (models and cross-field rules)."""
    try:
        spec = CampaignSpec.model_validate(data)
    except (ValidationError, ValueError):
        return None
    return None if list(rules.check(spec)) else spec


def place(edit: Edit) -> tuple[str, str]:
    """Which paragraph of OLD an edit is on, independent of numbering.

    Every diff tried starts from the same OLD document, so an edited or removed paragraph is
    named by its old text (in its clause, or under its heading); an added one by where it goes.
    """
    home = f"clause:{edit.clause_id}" if edit.clause_id else f"section:{edit.section}"
    return (home, edit.old) if edit.old else (home, f"+{edit.where}")


def attribute(edits: list[Edit], old_doc: Document, changes: list[FieldChange],
              rebuild: Callable[[CampaignSpec], Document | None],
              old_data: dict[str, Any]) -> dict[str, list[tuple[str, str]]]:
    """For every changed field's path, the places (``place``) of the edits it causes alone.

    ``rebuild`` assembles the document from a spec (None when the influencer is not in it).
    A field that cannot be tried alone maps to the edits no other field explains.
    """
    found: dict[str, set[tuple[str, str]]] = {}
    untried: list[str] = []
    for change in changes:
        spec = valid(with_change(old_data, change))
        try:
            doc = rebuild(spec) if spec is not None else None
        except UserError:
            doc = None
        if doc is None:
            untried.append(change.path)
            continue
        found[change.path] = {place(e) for e in redline(old_doc, doc, "", None).edits}
    explained = set().union(*found.values()) if found else set()
    rest = {place(e) for e in edits} - explained
    for path in untried:
        found[path] = set(rest)
    return {path: sorted(found[path]) for path in (c.path for c in changes)}
