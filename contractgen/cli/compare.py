"""``contractgen compare OLD NEW``: a redline per influencer from two versions of a spec.

OLD and NEW are spec files (not build folders: a redline needs both document trees, and a
build folder holds only rendered files). Each influencer in both, matched by handle, gets
``<slug>/contract.redline.docx`` (Word tracked changes), ``contract.redline.pdf`` (a legal
redline with a first page listing the changes), the same for the brief, and ``changes.md``;
the output folder gets ``changes.md`` for everyone and ``compare.json``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import click

from contractgen.cli import KIND_CHOICES, font_option, format_option, refuse_undrawable, use_fonts, user_errors
from contractgen.errors import Problem, UserError


@click.command("compare")
@click.argument("old", type=click.Path(path_type=Path))
@click.argument("new", type=click.Path(path_type=Path))
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=None,
              help="Output folder. Default: out/<campaign-id>-redline.")
@format_option
@click.option("--only", type=click.Choice(KIND_CHOICES), default=None, help="Compare only contracts or only briefs.")
@click.option("--author", default=None, help="Who the tracked changes are by. Default: the NEW spec's brand.")
@click.option("--library", type=click.Path(path_type=Path), default=None,
              help="Your clause folder (overlay) for NEW, and for OLD unless --old-library is given.")
@click.option("--old-library", type=click.Path(path_type=Path), default=None,
              help="The clause folder OLD was built with, when the library changed between the versions.")
@click.option("--sent", type=click.Path(path_type=Path), default=None,
              help="The manifest.json of the build that was sent: check OLD is the spec it was built from.")
@click.option("--json", "as_json", is_flag=True, help="Print the change summary as JSON.")
@font_option
@user_errors
def compare(old: Path, new: Path, out_dir: Path | None, formats: tuple[str, ...], only: str | None, author: str | None,
            library: Path | None, old_library: Path | None, sent: Path | None, as_json: bool,
            font_files: tuple[Path, ...]) -> None:
    """Redline every influencer's contract and brief from spec OLD to spec NEW.

    Writes OUT/<handle>/contract.redline.docx (Word tracked changes: Accept All gives
    NEW's contract, Reject All OLD's), contract.redline.pdf (insertions underlined,
    deletions struck through, a bar in the margin, and a first page listing the changes),
    brief.redline.docx/.pdf and changes.md; and OUT/changes.md and OUT/compare.json. Each
    change names its clause and the spec fields (or library versions) behind it.
    """
    from contractgen.library.lint import require_clean
    from contractgen.output import locked_output, safe_folder_name, write_atomic
    from contractgen.redline.summary import markdown, to_json
    from contractgen.spec.loader import load_file
    from contractgen.spec.validate import validate_loaded
    from contractgen.toolkit import Toolkit

    chosen = formats
    kinds = (only,) if only else KIND_CHOICES
    use_fonts(font_files)
    loaded = load_file(old), load_file(new)
    old_spec, new_spec = validate_loaded(loaded[0]), validate_loaded(loaded[1])
    if "pdf" in chosen:
        for spec in loaded:
            refuse_undrawable(spec)  # before anything is written, as build does
    for folder in dict.fromkeys((library, old_library or library)):
        require_clean(folder)  # a redline shows contracts as a build would make them, or not at all
    new_kit = Toolkit(library)
    old_kit = Toolkit(old_library) if old_library else new_kit
    if sent is not None:
        check_sent(sent, old, old_kit.library.digest())
    when = dt.datetime.fromtimestamp(new.stat().st_mtime, dt.UTC).replace(microsecond=0, tzinfo=None)
    who = author or new_spec.brand.legal_name
    target = out_dir or Path("out") / f"{safe_folder_name(new_spec.campaign_id)}-redline"
    language = new_spec.campaign.language
    words = load_file(new_kit.templates / language / "redline.yaml").data

    run = Comparison(old, new, old_spec, new_spec, old_kit, new_kit, who, when, words)
    head, tail = run.header(), run.influencer_lines()
    with locked_output(target):  # a second run into the same folder is refused, as for build
        documents, files = run.documents(target, chosen, kinds)
        report = {
            "old": run.side(old, old_kit), "new": run.side(new, new_kit), "author": who,
            "date": when.isoformat() + "Z", "added": run.added, "removed": run.removed,
            "documents": [d.to_dict(words) for d in documents], "files": files,
        }
        write_atomic(target / "changes.md", markdown(documents, head, tail, words).encode())
        write_atomic(target / "compare.json", to_json(report).encode())
    if as_json:
        click.echo(to_json(report), nl=False)
    else:
        edits = sum(len(d.edits) for d in documents)
        click.echo(f"compared {len({d.handle for d in documents})} influencer(s): {edits} change(s); "
                   f"{len(files)} file(s) in {target}")
        for line in tail:
            click.echo(line)
    failed = [d for d in documents if d.checked is not None and not all(d.checked)]
    if failed:
        click.echo("error: internal error: a redline does not accept to NEW or reject to OLD exactly: "
                   + ", ".join(f"{d.handle} {d.kind}" for d in failed) + ". Please report it.", err=True)
        sys.exit(3)


def sha256(path: Path) -> str:
    """The sha256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def check_sent(manifest: Path, old: Path, library: str) -> None:
    """Fail unless ``old`` (and the library) are what the build with ``manifest`` was made from."""
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
        recorded = data["spec"]["sha256"]
    except (OSError, ValueError, KeyError, TypeError):
        raise UserError(Problem("not a build manifest that records its spec's hash", file=str(manifest),
                                hint="give the manifest.json of 'contractgen build' (version with spec hashes)")) from None
    if recorded != sha256(old):
        raise UserError(Problem(f"OLD is not the spec that was sent: the build recorded sha256 {recorded[:12]}…, "
                                f"{old} has {sha256(old)[:12]}…", file=str(manifest), where="spec.sha256",
                                hint="compare against the spec file that build was made from"))
    if data.get("library") not in (None, library):
        raise UserError(Problem(f"the build used clause library {str(data['library'])[:12]}…, not "
                                f"{library[:12]}…", file=str(manifest), where="library",
                                hint="pass the clause folder that build used with --old-library"))


class Comparison:
    """Two specs (and their libraries) and what comparing them makes."""

    def __init__(self, old_file: Path, new_file: Path, old: Any, new: Any, old_kit: Any, new_kit: Any,
                 author: str, when: dt.datetime, words: dict[str, Any]) -> None:
        from contractgen.build import engagements

        self.old_file, self.new_file = old_file, new_file
        self.old, self.new = old, new
        self.old_kit, self.new_kit = old_kit, new_kit
        self.author, self.when, self.words = author, when, words
        self.old_people = {e.influencer.handle: e for e in engagements(old, old_kit)}
        self.new_people = {e.influencer.handle: e for e in engagements(new, new_kit)}
        self.added = [h for h in self.new_people if h not in self.old_people]
        self.removed = [h for h in self.old_people if h not in self.new_people]
        old_lib, new_lib = old_kit.library, new_kit.library
        self.library = {cid: (old_lib.clauses[cid].version, clause.version)
                        for cid, clause in new_lib.clauses.items()
                        if cid in old_lib.clauses and old_lib.clauses[cid].digest() != clause.digest()}

    def side(self, path: Path, kit: Any) -> dict[str, str]:
        """What one side is: file, its hash, the library digest."""
        return {"file": str(path), "sha256": sha256(path), "library": kit.library.digest()}

    def header(self) -> list[str]:
        """The summary's opening lines: what was compared, by whom and when."""
        w = self.words
        lines = [w["compared"].format(old=self.old_file.name, old_hash=sha256(self.old_file)[:12],
                                      new=self.new_file.name, new_hash=sha256(self.new_file)[:12])]
        old_digest, new_digest = self.old_kit.library.digest(), self.new_kit.library.digest()
        if old_digest != new_digest:
            lines.append(w["library"].format(old=old_digest[:12], new=new_digest[:12]))
        lines.append(w["by"].format(author=self.author, date=self.when.strftime("%Y-%m-%d %H:%M UTC")))
        return lines

    def influencer_lines(self) -> list[str]:
        """Influencers only one side has."""
        w = self.words
        return ([w["added_influencers"].format(names=", ".join(self.added))] if self.added else []) + \
               ([w["removed_influencers"].format(names=", ".join(self.removed))] if self.removed else [])

    def documents(self, target: Path, formats: tuple[str, ...], kinds: tuple[str, ...]) -> tuple[list[Any], list[str]]:
        """Write every redline; return the documents' change summaries and the files written."""
        from contractgen.build import assemble, engagements, logo_path, render
        from contractgen.output import prepare_dir, safe_folder_name, write_atomic
        from contractgen.redline import review
        from contractgen.redline.diff import redline
        from contractgen.redline.fields import attribute, changed_fields, data
        from contractgen.redline.summary import DocumentChanges, front_page, markdown

        old_logo, new_logo = logo_path(self.old, self.old_file), logo_path(self.new, self.new_file)
        old_data, new_data = data(self.old), data(self.new)
        head = self.header()
        documents: list[DocumentChanges] = []
        files: list[str] = []
        for handle, new_engagement in self.new_people.items():
            if handle not in self.old_people:
                continue
            folder_name = safe_folder_name(new_engagement.deal.slug)
            folder = target / folder_name
            prepare_dir(folder)
            fields = changed_fields(old_data, new_data, handle)
            mine = []
            for kind in kinds:
                before = assemble(self.old_people[handle], kind, self.old_kit, old_logo)
                after = assemble(new_engagement, kind, self.new_kit, new_logo)
                result = redline(before, after, self.author, self.when)

                def rebuild(spec: Any, kind: str = kind, handle: str = handle) -> Any:
                    found = [e for e in engagements(spec, self.old_kit) if e.influencer.handle == handle]
                    return assemble(found[0], kind, self.old_kit, old_logo) if found else None

                effects = attribute(result.edits, before, fields, rebuild, old_data) if fields else {}
                library = {cid: v for cid, v in self.library.items()
                           if any(e.clause_id == cid for e in result.edits)}
                changes = DocumentChanges(handle, kind, after.meta.title, result.edits, fields, effects, library)
                for fmt in formats:
                    document = result.document
                    if fmt == "pdf":
                        blocks = front_page(changes, head, self.words) + document.blocks
                        document = dataclasses.replace(document, blocks=blocks)
                    data_bytes = render(document, fmt)
                    if fmt == "docx":
                        changes.checked = review.check(data_bytes, render(before, "docx"), render(after, "docx"))
                    name = f"{folder_name}/{kind}.redline.{fmt}"
                    write_atomic(target / name, data_bytes)
                    changes.files.append(name)
                    files.append(name)
                mine.append(changes)
            write_atomic(folder / "changes.md", markdown(mine, head, [], self.words).encode())
            files.append(f"{folder_name}/changes.md")
            documents.extend(mine)
        return documents, files
