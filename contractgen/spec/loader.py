"""Read a spec file (YAML or JSON) into plain data, remembering the line of every value.

YAML is composed into nodes and converted here rather than by PyYAML's constructors, so that
no tag can build a Python object, aliases cannot blow up memory, duplicate keys are caught,
and plain scalars follow YAML 1.2 (``NO`` stays the country code, not ``False``). Dates stay
text for pydantic to parse, so an impossible date is reported on its field like any other.
"""

from __future__ import annotations

import json
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from contractgen.errors import Problem, UserError

MAX_BYTES = 5 * 1024 * 1024
MAX_NODES = 200_000

Path_ = tuple[str | int, ...]

_INT = re.compile(r"[-+]?(0|[1-9][0-9_]*)$")
_FLOAT = re.compile(r"[-+]?([0-9][0-9_]*)?\.[0-9]+([eE][-+]?[0-9]+)?$|[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+$")
# Characters that are illegal in XML (so in DOCX) or that silently reorder text.
_BAD_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
_BIDI_CONTROLS = re.compile(r"[\u202a-\u202e\u2066-\u2069]")


@dataclass
class Loaded:
    """Plain data from a spec file and the line each value came from."""

    data: Any
    file: str
    lines: dict[Path_, int] = field(default_factory=dict)

    def line_of(self, path: Path_) -> int | None:
        """Line of the value at ``path``, or of its nearest parent that has one."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(tuple(path[:end]))
            if line is not None:
                return line
        return None


def read_text(path: Path, name: str, *, kind: str, limit: int = MAX_BYTES, too_big: str | None = None,
              encoding_hint: str = "save the file as UTF-8", missing_hint: str = "check the path") -> str:
    """A user's UTF-8 text file (a byte-order mark is allowed), size-checked; UserError on any problem.

    Only regular files are read: a device (``/dev/zero``), a pipe or a socket is refused before
    it is opened, since it has no size to check and may never end. The read itself stops at
    ``limit`` bytes too, so a file that grows while it is read (or reports no size, as files
    under /proc do) cannot exhaust memory.
    """
    def too_large(size: str) -> UserError:
        return UserError(Problem(f"file is {size} bytes; a {kind} may be at most {limit:,}", file=name, hint=too_big))

    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError
        if not stat.S_ISREG(info.st_mode):
            raise UserError(Problem(f"is a {_file_kind(info.st_mode)}, not a {kind} file", file=name,
                                    hint="give the path of a file saved on disk"))
        if info.st_size > limit:
            raise too_large(f"{info.st_size:,}")
        with path.open("rb") as fh:
            raw = fh.read(limit + 1)
        if len(raw) > limit:
            raise too_large(f"more than {limit:,}")
    except FileNotFoundError:
        raise UserError(Problem("no such file", file=name, hint=missing_hint)) from None
    except IsADirectoryError:
        raise UserError(Problem(f"is a folder, not a {kind} file", file=name)) from None
    except OSError as exc:
        raise UserError(Problem(f"cannot read: {exc.strerror}", file=name)) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UserError(Problem(f"not UTF-8 text (bad byte at offset {exc.start})", file=name,
                                hint=encoding_hint)) from None


def _file_kind(mode: int) -> str:
    """What a file that is not a regular file is, in words."""
    if stat.S_ISFIFO(mode):
        return "pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device"
    return "special file"


STDIN = "-"  # the spec path that means standard input; its problems name STDIN_NAME
STDIN_NAME = "<stdin>"
_TOO_BIG_HINT = "split the campaign or move influencers into a --roster CSV"


def display_name(path: str | Path) -> str:
    """How problems name a spec path: ``<stdin>`` for ``-``."""
    return STDIN_NAME if str(path) == STDIN else str(path)


def load_file(path: str | Path, display: str | None = None) -> Loaded:
    """Read a ``.yaml``, ``.yml`` or ``.json`` spec file (``-``: standard input); raise UserError on any problem."""
    if str(path) == STDIN:
        return load_stdin(display or STDIN_NAME)
    path = Path(path)
    name = display or str(path)
    text = read_text(path, name, kind="spec", too_big=_TOO_BIG_HINT)
    if path.suffix.lower() == ".json":
        return load_json_text(text, name)
    return load_yaml_text(text, name)


def load_stdin(name: str = STDIN_NAME) -> Loaded:
    """A spec piped in: JSON when it starts with ``{``, else YAML; size-limited as files are."""
    import sys

    raw = sys.stdin.buffer.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise UserError(Problem(f"more than {MAX_BYTES:,} bytes; a spec may be at most {MAX_BYTES:,}", file=name,
                                hint=_TOO_BIG_HINT))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UserError(Problem(f"not UTF-8 text (bad byte at offset {exc.start})", file=name,
                                hint="send the spec as UTF-8")) from None
    if text.lstrip().startswith("{"):
        return load_json_text(text, name)
    return load_yaml_text(text, name)


def load_json_text(text: str, name: str) -> Loaded:
    """Parse JSON; lines come from composing the same text as YAML where that works."""
    try:
        data = json.loads(text, object_pairs_hook=_unique_keys)
    except json.JSONDecodeError as exc:
        raise UserError(Problem(f"invalid JSON: {exc.msg}", file=name, line=exc.lineno)) from None
    except RecursionError:
        raise UserError(Problem("invalid JSON: nested too deeply", file=name)) from None
    except _DuplicateKey as exc:
        # json would keep the last of two equal keys without a word: refuse, as for YAML.
        raise UserError(Problem(f"duplicate key '{exc.key}'", file=name, line=_second_line(text, exc.key),
                                hint="keep one of them")) from None
    lines: dict[Path_, int] = {}
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        if node is not None:
            _Converter(name).convert(node, (), lines)
    except (yaml.YAMLError, UserError, RecursionError):
        lines = {}  # line numbers are a courtesy for JSON; the data is already parsed
    _check_strings(data, name, (), lines)
    return Loaded(data, name, lines)


class _DuplicateKey(Exception):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(key)
        out[key] = value
    return out


def _second_line(text: str, key: str) -> int | None:
    """Line of the repeated ``key`` in JSON text, found by composing it as YAML (JSON is YAML)."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        if node is not None:
            _Converter("").convert(node, (), {})
    except UserError as exc:
        problem = exc.problems[0]
        if problem.message == f"duplicate key '{key}'":
            return problem.line
    except (yaml.YAMLError, RecursionError):
        pass
    return None


def load_yaml_text(text: str, name: str) -> Loaded:
    """Parse YAML safely into plain data with a line for every value."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.reader.ReaderError as exc:  # a raw control character in the file
        raise UserError(Problem(
            f"contains the {_char_kind(exc.character)} U+{exc.character:04X}, which a document cannot hold",
            file=name, line=text.count("\n", 0, exc.position) + 1, hint=_BAD_CHAR_HINT)) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise UserError(Problem(f"invalid YAML: {exc.problem or exc.context}", file=name, line=line)) from None
    except yaml.YAMLError as exc:
        raise UserError(Problem(f"invalid YAML: {exc}", file=name)) from None
    except RecursionError:
        raise UserError(Problem("invalid YAML: nested too deeply", file=name)) from None
    if node is None:
        raise UserError(Problem("the file is empty", file=name, hint="start from samples/minimal.yaml"))
    lines: dict[Path_, int] = {}
    try:
        _count_expanded(node, name)  # before converting anything: an alias bomb costs no memory
        data = _Converter(name).convert(node, (), lines)
    except RecursionError:
        raise UserError(Problem("invalid YAML: nested too deeply", file=name)) from None
    _check_strings(data, name, (), lines)
    return Loaded(data, name, lines)


def _count_expanded(root: yaml.Node, name: str) -> int:
    """How many values the document stands for once aliases are expanded, without expanding them.

    An alias is the same node object as its anchor, so each distinct node is counted once and
    its total reused: ten lines of nested aliases (a "billion laughs") are refused at once, at
    the line where the total first passes :data:`MAX_NODES`. An alias inside its own anchor is
    refused too.
    """
    totals: dict[int, int] = {}
    open_nodes: set[int] = set()

    def fail(node: yaml.Node, message: str, hint: str) -> UserError:
        return UserError(Problem(message, file=name, line=node.start_mark.line + 1, hint=hint))

    def count(node: yaml.Node) -> int:
        key = id(node)
        if key in totals:
            return totals[key]
        if key in open_nodes:
            raise fail(node, "an alias refers to the value that contains it", "an alias cannot contain itself")
        open_nodes.add(key)
        total = 1
        if isinstance(node, yaml.SequenceNode):
            total += sum(count(item) for item in node.value)
        elif isinstance(node, yaml.MappingNode):
            total += sum(count(k) + count(v) for k, v in node.value)
        open_nodes.discard(key)
        if total > MAX_NODES:
            raise fail(node, f"more than {MAX_NODES:,} values once aliases are expanded (an alias bomb?)",
                       "remove repeated aliases")
        totals[key] = total
        return total

    return count(root)


class _Converter:
    """Turn composed YAML nodes into dicts, lists and scalars, refusing anything exotic."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.count = 0

    def fail(self, node: yaml.Node, message: str, hint: str | None = None) -> UserError:
        return UserError(Problem(message, file=self.name, line=node.start_mark.line + 1, hint=hint))

    def convert(self, node: yaml.Node, path: Path_, lines: dict[Path_, int]) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise self.fail(node, f"more than {MAX_NODES:,} values (an alias bomb?)", "remove repeated aliases")
        lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path, lines)
        if isinstance(node, yaml.SequenceNode):
            if node.tag not in ("tag:yaml.org,2002:seq",):
                raise self.fail(node, f"tag {node.tag} is not allowed in a spec")
            return [self.convert(item, (*path, i), lines) for i, item in enumerate(node.value)]
        return self._scalar(node)

    def _mapping(self, node: yaml.MappingNode, path: Path_, lines: dict[Path_, int]) -> dict[str, Any]:
        if node.tag != "tag:yaml.org,2002:map":
            raise self.fail(node, f"tag {node.tag} is not allowed in a spec")
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise self.fail(key_node, "merge keys (<<) are not supported", "write the keys out")
            if not isinstance(key_node, yaml.ScalarNode):
                raise self.fail(key_node, "a key must be plain text")
            key = str(key_node.value)
            if key in out:
                raise self.fail(key_node, f"duplicate key '{key}'", "keep one of them")
            lines[(*path, key)] = key_node.start_mark.line + 1
            out[key] = self.convert(value_node, (*path, key), lines)
        return out

    def _scalar(self, node: yaml.ScalarNode) -> Any:
        tag, value = node.tag, node.value
        if tag == "tag:yaml.org,2002:str" or node.style in ("'", '"', "|", ">"):
            return value
        if tag in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:bool",
                   "tag:yaml.org,2002:null", "tag:yaml.org,2002:timestamp"):
            return _plain(value)
        raise self.fail(node, f"tag {tag} is not allowed in a spec", "remove the tag")


def _plain(value: str) -> Any:
    """Resolve an unquoted scalar by YAML 1.2 core-schema rules; dates stay text."""
    low = value.lower()
    if low in ("", "~", "null"):
        return None
    if low == "true":
        return True
    if low == "false":
        return False
    if _INT.match(value):
        return int(value.replace("_", ""))
    if _FLOAT.match(value):
        return float(value.replace("_", ""))
    return value


def _check_strings(data: Any, name: str, path: Path_, lines: dict[Path_, int]) -> None:
    """Refuse control characters (illegal in DOCX) and invisible bidi overrides anywhere."""
    problems: list[Problem] = []
    stack: list[tuple[Path_, Any]] = [(path, data)]
    while stack:
        where, value = stack.pop()
        if isinstance(value, dict):
            stack.extend(((*where, k), v) for k, v in value.items())
            stack.extend(((*where, k), k) for k in value)  # keys are text a user typed too
        elif isinstance(value, list):
            stack.extend(((*where, i), v) for i, v in enumerate(value))
        elif isinstance(value, str):
            dotted = dotted_path(where)
            line = Loaded(None, name, lines).line_of(where)
            if bad := _BAD_CHARS.search(value):
                problems.append(Problem(
                    f"contains the {_char_kind(ord(bad.group()))} U+{ord(bad.group()):04X}, which a document cannot hold",
                    file=name, line=line, where=dotted, hint=_BAD_CHAR_HINT))
            if bad := _BIDI_CONTROLS.search(value):
                problems.append(Problem(
                    f"contains the invisible direction override U+{ord(bad.group()):04X}, which can disguise text",
                    file=name, line=line, where=dotted, hint="delete it; Persian text needs no overrides"))
    if problems:
        raise UserError(sorted(problems, key=lambda p: (p.line or 0, p.where or "")))


_BAD_CHAR_HINT = "delete it; it is often pasted in by accident"


def _char_kind(code: int) -> str:
    return "control character" if code < 0x80 else "character"


def dotted_path(path: Path_) -> str:
    """``('influencers', 0, 'fee')`` → ``influencers[0].fee``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out
