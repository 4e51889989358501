"""Writing the answers as a spec file (or a draft) people can read and edit.

Keys come in the models' order, which is the order of ``reference/campaign.yaml``; each
top-level section is a block with one comment line above it (wording from the data file);
small all-scalar mappings and lists are written inline, as in the samples
(``publish_window: {from: 2027-02-10, to: 2027-02-24}``). Every text is quoted where the spec
loader would otherwise read it as something else, and the written text is loaded back and
checked before it replaces anything (files are written atomically).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import shlex
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from contractgen.output import write_atomic
from contractgen.questionnaire.wording import Wording
from contractgen.spec import loader

# Line that makes editors (yaml-language-server) check a spec against the JSON Schema. Hook:
# taken from ``contractgen schema`` (spec/schema.py); None writes no such line.
try:
    from contractgen.spec.schema import SCHEMA_COMMENT as _SCHEMA_COMMENT
    from contractgen.spec.schema import write_schema_beside
except ImportError:  # pragma: no cover - the schema command is optional
    _SCHEMA_COMMENT = None
    write_schema_beside = None
SCHEMA_COMMENT: str | None = _SCHEMA_COMMENT

DRAFT_MARKER = "contractgen-draft:"
_DRAFT_LINE = re.compile(rf"^#\s*{re.escape(DRAFT_MARKER)}\s*position=(\d+)\s+minimal=(yes|no)\s*$", re.M)
WIDTH = 100


class _Block(dict):
    """A mapping always written as an indented block (top-level sections, list items)."""


class _Dumper(yaml.SafeDumper):
    """SafeDumper that writes Decimals as numbers, dates bare and long text as blocks."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        # Indent list items under their key, as in the samples and reference spec.
        super().increase_indent(flow, False)

    def represent_mapping(self, tag: str, mapping: Any, flow_style: bool | None = None) -> yaml.Node:
        node = super().represent_mapping(tag, mapping, flow_style)
        if flow_style is None:
            node.flow_style = _all_inline(value for _, value in node.value)
        return node

    def represent_sequence(self, tag: str, sequence: Any, flow_style: bool | None = None) -> yaml.Node:
        node = super().represent_sequence(tag, sequence, flow_style)
        if flow_style is None:
            node.flow_style = _all_inline(node.value)
        return node


def _all_inline(nodes: Any) -> bool:
    """Small collections of one-line scalars are written inline ({from: ..., to: ...})."""
    return all(isinstance(node, yaml.ScalarNode) and node.style != "|" for node in nodes)


def _decimal(dumper: yaml.SafeDumper, value: Decimal) -> yaml.Node:
    text = format(value, "f")
    tag = "tag:yaml.org,2002:int" if re.fullmatch(r"-?\d+", text) else "tag:yaml.org,2002:float"
    return dumper.represent_scalar(tag, text)


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    if loader._plain(value) != value:  # the spec loader would read it as a number, bool or null
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="'")
    return dumper.represent_str(value)


def _block(dumper: yaml.SafeDumper, value: _Block) -> yaml.Node:
    return dumper.represent_mapping("tag:yaml.org,2002:map", dict(value), flow_style=False)


_Dumper.add_representer(Decimal, _decimal)
_Dumper.add_representer(str, _str)
_Dumper.add_representer(_Block, _block)
_Dumper.add_representer(dt.date, yaml.SafeDumper.represent_date)


def render(data: dict[str, Any], wording: Wording, header: str, schema: bool = True) -> str:
    """Spec YAML text: the header comment, then each section with its comment line."""
    lines: list[str] = []
    if schema and SCHEMA_COMMENT:
        lines.append(SCHEMA_COMMENT.rstrip("\n"))
    lines += [f"# {line}".rstrip() for line in header.splitlines()]
    for key, value in data.items():
        lines.append("")
        comment = wording.get("comments", key)
        if comment:
            lines.append(f"# {comment}")
        lines.append(_dump({key: _shape(value)}).rstrip("\n"))
    return "\n".join(lines) + "\n"


def _shape(value: Any) -> Any:
    """Mark top-level sections and the items of top-level lists as blocks."""
    if isinstance(value, dict):
        return _Block(value)
    if isinstance(value, list):
        return [_Block(item) if isinstance(item, dict) else item for item in value]
    return value


def _dump(data: dict[str, Any]) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, default_flow_style=None, allow_unicode=True,
                     width=WIDTH)


def spec_text(data: dict[str, Any], wording: Wording, path: Path) -> str:
    """The text of a finished spec."""
    return render(data, wording, wording.text("header", file=shlex.quote(str(path))))


def draft_text(data: dict[str, Any], wording: Wording, position: int, minimal: bool, resume: str) -> str:
    """The text of a draft: the answers so far and where to resume."""
    header = wording.text("draft_header", command=resume)
    header += f"\n{DRAFT_MARKER} position={position} minimal={'yes' if minimal else 'no'}"
    return render(data, wording, header, schema=False)


def draft_position(text: str, minimal: bool) -> int:
    """Where a draft was stopped (0 when the text is no draft or was made in another mode)."""
    match = _DRAFT_LINE.search(text)
    if not match or (match.group(2) == "yes") != minimal:
        return 0
    return int(match.group(1))


def draft_path(output: Path) -> Path:
    """The draft beside an output spec: ``campaign.yaml`` → ``campaign.draft.yaml``."""
    suffix = output.suffix if output.suffix.lower() in (".yaml", ".yml") else ".yaml"
    stem = output.name[: -len(output.suffix)] if output.suffix.lower() in (".yaml", ".yml") else output.name
    return output.with_name(f"{stem.removesuffix('.draft')}.draft{suffix}")


def write(path: Path, text: str) -> None:
    """Write a spec or draft atomically (creating its folder)."""
    with contextlib.suppress(OSError):  # write_atomic reports the failure, located
        path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, text.encode("utf-8"))


def write_schema(spec: Path) -> Path | None:
    """Put the JSON Schema where a written spec's first line points; its path if it was (re)written."""
    if SCHEMA_COMMENT is None or write_schema_beside is None:
        return None
    return write_schema_beside(spec)
