"""``clauses lint``: everything a lawyer can break in a clause library, found before a build.

Findings are :class:`~contractgen.errors.Problem`s located as ``file:line: id@version``. Lint
never renders a contract; it reads the YAML, parses each text with Jinja and follows every
variable path through the spec model's types.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import TemplateSyntaxError, nodes

from contractgen.engagement import context_types
from contractgen.errors import Problem, UserError
from contractgen.library import lock as lockfile
from contractgen.library.clauses import Clause, linked_file, read_clause_files, read_layout
from contractgen.library.variables import UNKNOWN, element, step
from contractgen.resources import available_languages
from contractgen.spec.loader import Loaded, load_file
from contractgen.templating import TextEngine

GLOBALS = {"ref", "has", "range", "loop", "true", "false", "none", "True", "False", "None"}


@dataclass(frozen=True)
class Finding:
    """A lint result: an error blocks builds, a warning does not."""

    severity: str  # "error" | "warning"
    problem: Problem


def lint_folders(folders: list[tuple[Path, bool]], layout_file: Path, engine: TextEngine) -> list[Finding]:
    """Lint library folders (built-in first, then overlays) and the layout they are used with."""
    findings: list[Finding] = []
    seen: dict[str, tuple[Path, int, bool]] = {}
    clauses: list[tuple[Clause, Loaded, int, Path]] = []
    builtin_lock: dict[str, str] = {}
    for folder, builtin in folders:
        files, problems = read_clause_files(folder, builtin)
        findings.extend(Finding("error", p) for p in problems)
        for path, parsed, loaded in files:
            for i, clause in enumerate(parsed.clauses):
                line = loaded.line_of(("clauses", i)) or 1
                if clause.id in seen and seen[clause.id][2] == builtin:
                    first, first_line, _ = seen[clause.id]
                    findings.append(Finding("error", Problem(
                        f"duplicate id '{clause.id}', first defined at {first}:{first_line}",
                        file=str(path), line=line, where=clause.ref, hint="give one of them a new id")))
                    continue
                seen[clause.id] = (path, line, builtin)
                clauses.append((clause, loaded, i, path))
        own = [c for c, _, _, p in clauses if p.parent == folder]
        findings.extend(_lock_findings(folder, own, clauses, builtin_lock))
        if builtin:
            builtin_lock = lockfile.read(folder)
    ids = {c.id for c, _, _, _ in clauses}
    for clause, loaded, index, path in clauses:
        findings.extend(_clause_findings(clause, loaded, index, path, engine, ids))
    findings.extend(_layout_findings(layout_file, folders, ids))
    findings.extend(_pack_findings(folders))
    return findings


def lint_library(overlay: Path | None) -> list[Finding]:
    """Lint the built-in library with an optional overlay folder, as ``clauses lint`` does."""
    from contractgen.locale import Locale, load_pack
    from contractgen.resources import clauses_dir, templates_dir
    from contractgen.toolkit import Toolkit

    folders = [(clauses_dir(), True)]
    if overlay is not None:
        if not overlay.is_dir():
            raise UserError(Problem("is not a folder", file=str(overlay), hint="--library takes a folder of clause YAML files"))
        folders.append((overlay, False))
    kit = Toolkit()
    # Parsing only: any pack's engine parses every language's text, and needs none of its words.
    engine = TextEngine(Locale(load_pack(kit.templates, kit.languages()[0]), "gregorian", "USD", {}))
    return lint_folders(folders, templates_dir() / "contract-layout.yaml", engine) + catalogue_findings()


def catalogue_findings() -> list[Finding]:
    """A warning per message a language lacks: it is shown in the fallback language instead.

    The same rule as a clause without a text in a language: the build goes on, lint says so.
    """
    from contractgen import messages
    from contractgen.resources import templates_dir

    fallback = messages.settings().fallback
    found = []
    for folder in sorted(p for p in templates_dir().iterdir() if (p / "strings.yaml").is_file()):
        if folder.name == fallback:
            continue
        for key in messages.missing(folder.name):
            found.append(Finding("warning", Problem(
                messages.message("lint.missing_message", None, None, lang=folder.name, fallback=fallback),
                file=f"templates/{folder.name}/{messages.DOCUMENT_FILES[0]}", where=key,
                hint=messages.message("lint.missing_message_hint", key=key))))
    return found


def require_clean(overlay: Path | None) -> None:
    """Refuse to build with a library that has lint errors, with lint's own messages.

    A build claims ``id@version`` for every clause it prints; wording that differs from what
    that version locked (or a library lint finds broken) must not reach a contract.
    """
    errors = sorted((f.problem for f in lint_library(overlay) if f.severity == "error"),
                    key=lambda p: (p.file or "", p.line or 0))
    if errors:
        command = "contractgen clauses lint" + (f" --library {overlay}" if overlay is not None else "")
        errors.append(Problem(f"the clause library has {len(errors)} lint error(s); nothing was built",
                              hint=f"fix them first: '{command}' lists the same"))
        raise UserError(errors)


def _pack_findings(folders: list[tuple[Path, bool]]) -> list[Finding]:
    """The jurisdiction packs (``jurisdictions/<CC>.yaml``) of every folder, read as a build reads them."""
    from contractgen.library.packs import load_packs

    try:
        load_packs(*(folder / "jurisdictions" for folder, _ in folders))
    except UserError as exc:
        return [Finding("error", p) for p in exc.problems]
    return []


def _layout_findings(layout_file: Path, folders: list[tuple[Path, bool]], ids: set[str]) -> list[Finding]:
    overlay_layouts = [f / "layout.yaml" for f, builtin in folders if not builtin and (f / "layout.yaml").is_file()]
    path = overlay_layouts[-1] if overlay_layouts else layout_file
    if overlay_layouts and (link := linked_file(path)):
        return [Finding("error", link)]
    try:
        layout = read_layout(path)
    except UserError as exc:
        return [Finding("error", p) for p in exc.problems]
    loaded = load_file(path)
    out = [
        Finding("error", Problem(f"names clause '{cid}', which is not in the library", file=str(path),
                                 line=loaded.line_of(("clauses", i)), where="clauses",
                                 hint="add the clause or remove it from the layout"))
        for i, cid in enumerate(layout) if cid not in ids
    ]
    first: dict[str, int] = {}
    for i, cid in enumerate(layout):
        line = loaded.line_of(("clauses", i)) or 1
        if cid in first:
            # The clause would print twice, under two numbers: almost always a slip when reordering.
            out.append(Finding("error", Problem(f"names clause '{cid}' twice (first on line {first[cid]})",
                                                file=str(path), line=line, where="clauses",
                                                hint="remove one of the two lines")))
        first.setdefault(cid, line)
    return out


def _lock_findings(folder: Path, own: list[Clause], everything: list[tuple[Clause, Loaded, int, Path]],
                   builtin_lock: dict[str, str]) -> list[Finding]:
    lock = lockfile.read(folder)
    where = {c.id: (p, loaded.line_of(("clauses", i)) or 1) for c, loaded, i, p in everything}
    out = []
    for clause in own:
        path, line = where[clause.id]
        recorded = lock.get(clause.ref)
        original = builtin_lock.get(clause.ref)
        if recorded is None and original is not None and original != clause.digest():
            # An overlay copy edited without a new version would make id@version ambiguous.
            out.append(Finding("error", Problem(
                "the wording differs from the built-in clause with the same version", file=str(path), line=line,
                where=clause.ref, hint="give it a new version (e.g. 1.1.0), then run "
                f"'contractgen clauses lock --library {folder}'")))
        elif recorded is None:
            out.append(Finding("error", Problem(
                "this version is not in the lock file", file=str(path), line=line, where=clause.ref,
                hint=f"run 'contractgen clauses lock{'' if _is_builtin(folder) else ' --library ' + str(folder)}'")))
        elif recorded != clause.digest():
            out.append(Finding("error", Problem(
                "the wording changed but the version did not", file=str(path), line=line, where=clause.ref,
                hint="bump 'version' (e.g. 1.0.0 → 1.1.0), then run 'contractgen clauses lock'")))
    return out


def _is_builtin(folder: Path) -> bool:
    from contractgen.resources import clauses_dir

    return folder.resolve() == clauses_dir().resolve()


def _text_line(loaded: Loaded, path: tuple[Any, ...], offset: int) -> int | None:
    """File line of a line inside a block-scalar text (its key line + offset)."""
    base = loaded.line_of(path)
    return base + offset if base is not None else None


def _clause_findings(clause: Clause, loaded: Loaded, index: int, path: Path, engine: TextEngine,
                     ids: set[str]) -> list[Finding]:
    out: list[Finding] = []
    base = ("clauses", index)
    clause_line = loaded.line_of(base) or 1

    def problem(message: str, line: int | None, hint: str | None = None, severity: str = "error") -> None:
        out.append(Finding(severity, Problem(message, file=str(path), line=line or clause_line,
                                             where=clause.ref, hint=hint)))

    conditions = [("when", clause.when, (*base, "when"))] if clause.when else []
    if clause.variants is not None:
        conditions += [
            (f"variants[{v}].when", variant.when, (*base, "variants", v, "when"))
            for v, variant in enumerate(clause.variants) if variant.when
        ]
        if all(v.when for v in clause.variants):
            problem("no variant without 'when': if none applies the build fails", clause_line,
                    "make the last variant the fallback by removing its 'when'", "warning")
    for label, source, where in conditions:
        try:
            ast = engine.env.parse("{{ " + source + " }}")
        except TemplateSyntaxError as exc:
            problem(f"{label} does not compile: {exc.message}", loaded.line_of(where))
            continue
        for message, hint, _ in _check_names(ast, ids):
            problem(f"{label}: {message}", loaded.line_of(where), hint)

    texts: list[tuple[str, str, tuple[Any, ...]]] = []
    for v, variant in enumerate(clause.wordings()):
        prefix = (*base, "variants", v, "text") if clause.variants is not None else (*base, "text")
        for language, source in variant.text.items():
            texts.append((language, source, (*prefix, language)))
        for language in available_languages():
            if language not in variant.text:
                problem(f"no '{language}' wording" + (f" in variant {v + 1}" if clause.variants else ""),
                        loaded.line_of(prefix), f"add '{language}:' text", "warning")
    for language in available_languages():
        if language not in clause.title:
            problem(f"no '{language}' title", loaded.line_of((*base, "title")), f"add '{language}:'", "warning")

    for language, source, where in texts:
        try:
            ast = engine.env.parse(source)
        except TemplateSyntaxError as exc:
            problem(f"'{language}' text, line {exc.lineno}: {exc.message}", _text_line(loaded, where, exc.lineno or 0))
            continue
        for message, hint, needle in _check_names(ast, ids):
            problem(f"'{language}' text: {message}", _needle_line(loaded, where, source, needle), hint)
    return out


def _needle_line(loaded: Loaded, where: tuple[Any, ...], source: str, needle: str) -> int | None:
    """The file line of the first text line that mentions ``needle`` (else the text's key line)."""
    for offset, text in enumerate(source.splitlines(), start=1):
        if needle and needle in text:
            return _text_line(loaded, where, offset)
    return loaded.line_of(where)


def _check_names(ast: nodes.Template, ids: set[str]) -> list[tuple[str, str | None, str]]:
    """Unknown variables, fields and clause ids in one parsed text."""
    checker = _Checker(ids)
    checker.visit(ast, {})
    return list(dict.fromkeys(checker.found))


class _Checker:
    """Walks a Jinja AST with the types of names in scope, reporting paths that do not exist."""

    def __init__(self, ids: set[str]) -> None:
        self.ids = ids
        self.types = context_types()
        self.found: list[tuple[str, str | None, str]] = []  # message, hint, text to find the line by

    def visit(self, node: nodes.Node, scope: dict[str, Any]) -> None:
        if isinstance(node, nodes.For):
            self.visit(node.iter, scope)
            inner = dict(scope)
            item = element(self.resolve(node.iter, scope))
            for name in _names(node.target):
                inner[name] = item if isinstance(node.target, nodes.Name) else UNKNOWN
            inner["loop"] = UNKNOWN
            for child in [*node.body, *node.else_]:
                self.visit(child, inner)
            if node.test is not None:
                self.visit(node.test, inner)
            return
        if isinstance(node, nodes.Assign | nodes.AssignBlock):
            for name in _names(node.target):
                scope[name] = UNKNOWN
        if isinstance(node, nodes.Getattr | nodes.Getitem):
            self.resolve(node, scope, report=True)
            return
        if isinstance(node, nodes.Name) and node.ctx == "load":
            self.resolve(node, scope, report=True)
            return
        if isinstance(node, nodes.Call) and isinstance(node.node, nodes.Name) and node.node.name in ("ref", "has"):
            for arg in node.args:
                if isinstance(arg, nodes.Const) and arg.value not in self.ids:
                    self.found.append((f"{node.node.name}('{arg.value}') names no clause in the library", None,
                                       f"'{arg.value}'"))
        for child in node.iter_child_nodes():
            self.visit(child, scope)

    def resolve(self, node: nodes.Node, scope: dict[str, Any], report: bool = False) -> Any:
        """The type of an expression made of names and attributes; UNKNOWN when not followable."""
        if isinstance(node, nodes.Name):
            if node.name in scope:
                return scope[node.name]
            if node.name in self.types:
                return self.types[node.name]
            if node.name not in GLOBALS and report:
                import difflib

                close = difflib.get_close_matches(node.name, [*self.types, *scope], n=1, cutoff=0.6)
                self.found.append((f"unknown variable '{node.name}'",
                                   f"did you mean '{close[0]}'?" if close else "see 'contractgen clauses vars'", node.name))
            return UNKNOWN
        if isinstance(node, nodes.Getattr | nodes.Getitem):
            if isinstance(node, nodes.Getitem):
                self.visit(node.arg, scope)
                if not (isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str)):
                    base = self.resolve(node.node, scope, report)
                    return element(base) if base is not UNKNOWN else UNKNOWN
            base = self.resolve(node.node, scope, report)
            attribute = node.attr if isinstance(node, nodes.Getattr) else node.arg.value  # type: ignore[union-attr]
            result, error = step(base, attribute)
            if error and report:
                self.found.append((f"'{_dotted(node)}' {error}", "see 'contractgen clauses vars'", _dotted(node)))
            return result
        if report:
            self.visit(node, scope)
        return UNKNOWN


def _names(target: nodes.Node) -> list[str]:
    """Names bound by a for-loop or set target (a name or a tuple of names)."""
    if isinstance(target, nodes.Name):
        return [target.name]
    return [n.name for n in target.find_all(nodes.Name)]


def _dotted(node: nodes.Node) -> str:
    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Getattr):
        return f"{_dotted(node.node)}.{node.attr}"
    if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
        return f"{_dotted(node.node)}.{node.arg.value}"
    return "…"
