"""The change summary of a redline: per clause what changed, old → new, and the spec fields behind it.

One :class:`DocumentChanges` per redlined document holds everything; it gives the JSON
(``--json``, ``compare.json``), the Markdown (``changes.md``) and the first page of the redline
PDF (document blocks). The words are in ``templates/<lang>/redline.yaml``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from contractgen.document import Block, Heading, Inline, PageBreak, Paragraph, Run, Table
from contractgen.redline.diff import Edit
from contractgen.redline.fields import FieldChange, place

_LONGEST = 80  # characters of a value or a replaced phrase shown in the summary


@dataclass
class DocumentChanges:
    """What changed in one influencer's document, and why."""

    handle: str
    kind: str  # contract | brief
    title: str
    edits: list[Edit]
    fields: list[FieldChange]
    effects: dict[str, list[tuple[str, str]]]  # field path → places (fields.place) its change alone alters
    library: dict[str, tuple[str, str]]  # clause id → (old, new) version, where the library's wording differs
    checked: tuple[bool, bool] | None = None  # (accept all = NEW, reject all = OLD) of the DOCX
    files: list[str] = field(default_factory=list)

    def causes(self, edit: Edit, words: dict[str, Any]) -> list[str]:
        """The spec fields (and library change) an edit comes from."""
        found = [path for path, places in self.effects.items() if place(edit) in places]
        if edit.clause_id in self.library:
            old, new = self.library[edit.clause_id]
            found.append(words["library_cause"].format(clause=edit.clause_id, old=old, new=new))
        return found or [words["together"]]

    def where(self, path: str) -> list[str]:
        """Where a field's change shows: sub-clause numbers and schedule headings, in order."""
        places = set(self.effects.get(path, ()))
        return list(dict.fromkeys(e.where for e in self.edits if place(e) in places))

    def to_dict(self, words: dict[str, Any]) -> dict[str, Any]:
        """The summary as JSON values."""
        return {
            "influencer": self.handle,
            "document": self.kind,
            "files": self.files,
            "fields": [{"field": c.path, "old": c.old, "new": c.new, "where": self.where(c.path)} for c in self.fields],
            "changes": [{
                "clause": e.clause_id, "versions": list(e.versions) if e.versions else None, "where": e.where,
                "section": e.section, "change": e.kind, "replaced": [list(p) for p in e.pairs],
                "old": e.old, "new": e.new, "because": self.causes(e, words),
            } for e in self.edits],
            "check": None if self.checked is None else
            {"accept_all_gives_new": self.checked[0], "reject_all_gives_old": self.checked[1]},
        }


def value(v: Any, words: dict[str, Any]) -> str:
    """A spec value in one short line."""
    if v is None:
        return words["absent"]
    if isinstance(v, list):
        text = words["list_sep"].join(value(x, words) for x in v) or "[]"
    elif isinstance(v, dict):
        text = words["pair_sep"].join(f"{k}: {value(x, words)}" for k, x in v.items() if x not in (None, [], {}))
    else:
        text = str(v)
    return text if len(text) <= _LONGEST else text[: _LONGEST - 1] + "…"


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _LONGEST else text[: _LONGEST - 1] + "…"


def replaced(edit: Edit, words: dict[str, Any]) -> str:
    """Old → new of an edit: its replaced phrases, or the text added or removed."""
    if edit.pairs:
        return words["pair_sep"].join(f"{_short(a) or words['absent']}{words['arrow']}{_short(b) or words['absent']}"
                                      for a, b in edit.pairs[:4])
    if edit.kind == "changed":
        return words["formatting"]  # same words, other bold or italics
    return _short(edit.old or edit.new)


def field_lines(changes: DocumentChanges, words: dict[str, Any]) -> list[str]:
    """One line per changed field: ``payment.fee 4500 → 5000: 12.1, Schedule 2``."""
    return [words["field_line"].format(field=c.path, old=value(c.old, words), new=value(c.new, words),
                                       where=_digits(words["list_sep"].join(changes.where(c.path)), words)
                                       or words["no_effect"])
            for c in changes.fields]


def rows(changes: DocumentChanges, words: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """(where, change, old → new, because of) per edit."""
    out = []
    for e in changes.edits:
        where = _digits(e.where, words)
        if e.clause_id and e.section and e.where != e.section:
            where += f" {e.section}"
        if e.clause_id:
            where += f" ({e.clause_id}" + (f" {e.versions[0]}{words['arrow']}{e.versions[1]}" if e.versions and
                                           e.versions[0] != e.versions[1] else "") + ")"
        out.append((where, words["kinds"][e.kind], replaced(e, words), words["list_sep"].join(changes.causes(e, words))))
    return out


def _digits(text: str, words: dict[str, Any]) -> str:
    """Clause numbers in the document's digits."""
    return text.translate(str.maketrans("0123456789", words["digits"]))


def _cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def markdown(documents: list[DocumentChanges], head: list[str], tail: list[str], words: dict[str, Any]) -> str:
    """``changes.md``: the header lines, then per document its fields and its changes by clause."""
    out = [f"# {words['title']}", "", *head, ""]
    for changes in documents:
        out += [f"## {words['documents'][changes.kind]}: {changes.title} ({changes.handle})", ""]
        if not changes.edits:
            out += [words["no_changes"], ""]
            continue
        if changes.checked is not None:
            out += [words["checked"] if all(changes.checked) else words["check_failed"], ""]
        if changes.fields:
            out += [f"### {words['fields_heading']}", "", *(f"- {_cell(line)}" for line in field_lines(changes, words)), ""]
        cols = words["columns"]
        out += [f"### {words['changes_heading']}", "",
                f"| {cols['where']} | {cols['change']} | {cols['values']} | {cols['cause']} |", "|---|---|---|---|"]
        out += [f"| {' | '.join(_cell(c) for c in row)} |" for row in rows(changes, words)]
        out.append("")
    out += tail
    return "\n".join(out).rstrip() + "\n"


def front_page(changes: DocumentChanges, head: list[str], words: dict[str, Any]) -> tuple[Block, ...]:
    """The redline PDF's first page: what was compared, the legend, the fields and the changes."""

    def cells(*texts: str) -> tuple[Inline, ...]:
        return tuple((Run(t),) for t in texts)

    cols = words["columns"]
    blocks: list[Block] = [
        Heading((Run(f"{words['title']}: {changes.title}"),), level=1),
        *(Paragraph((Run(line),), "small") for line in head),
        Paragraph((Run(words["legend"]),), "small"),
    ]
    if changes.checked is not None:
        blocks.append(Paragraph((Run(words["checked"] if all(changes.checked) else words["check_failed"]),), "small"))
    if not changes.edits:
        blocks.append(Paragraph((Run(words["no_changes"]),)))
    if changes.fields:  # a table: each part keeps its own direction in a right-to-left document
        fields = [(c.path, f"{value(c.old, words)}{words['arrow']}{value(c.new, words)}",
                   _digits(words["list_sep"].join(changes.where(c.path)), words) or words["no_effect"])
                  for c in changes.fields]
        blocks += [Heading((Run(words["fields_heading"]),), level=2, bookmark=False),
                   Table(cells(cols["field"], cols["values"], cols["where"]),
                         tuple(cells(*row) for row in fields), (3, 3.5, 3.5))]
    if changes.edits:
        blocks += [Heading((Run(words["changes_heading"]),), level=2, bookmark=False),
                   Table(cells(cols["where"], cols["change"], cols["values"], cols["cause"]),
                         tuple(cells(*row) for row in rows(changes, words)), (3, 1.4, 4, 2.6))]
    blocks.append(PageBreak())
    return tuple(blocks)


def to_json(report: dict[str, Any]) -> str:
    """Stable, readable JSON."""
    return json.dumps(report, indent=2, ensure_ascii=False) + "\n"
