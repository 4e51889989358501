"""``contractgen new``: answer questions, get a spec file, then the contract and brief.

The click command only checks for a terminal and hands over to :func:`run_new`, which tests
drive through prompt_toolkit pipe input.
"""

from __future__ import annotations

import os
import shlex
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.text import Text

from contractgen.cli import library_option, user_errors
from contractgen.errors import Problem, UserError
from contractgen.questionnaire.wording import Wording, load_wording

DEFAULT_OUTPUT = Path("campaign.yaml")

Asker = Callable[[Any, Wording], Any]  # (Step, Wording) -> value or BACK


@click.command()
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=DEFAULT_OUTPUT,
              show_default=True, help="Where to write the spec file.")
@click.option("--from", "source", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Pre-fill every answer from this spec (or a draft, to resume where it stopped).")
@click.option("--minimal", is_flag=True, help="Ask only what has no default.")
@click.option("--build", "build_now", is_flag=True, help="Build the documents at the end without asking.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output folder for the documents. Default: out/<campaign-id>.")
@library_option
@user_errors
def new(output: Path, source: Path | None, minimal: bool, build_now: bool, out_dir: Path | None,
        library: Path | None) -> None:
    """Answer questions and get a spec, a contract and a brief.

    \b
    Every answer is checked as it is given. Press < as the first key of an
    answer to go back to the previous question. Ctrl-C stops and saves your
    answers in a draft (OUTPUT with .draft.yaml); resume it with --from.
    """
    if not sys.stdin.isatty():
        click.echo(load_wording().text("messages", "no_terminal"), err=True)
        sys.exit(2)
    code = run_new(output, source, minimal, build_now, out_dir, library)
    if code:
        sys.exit(code)


def run_new(output: Path, source: Path | None = None, minimal: bool = False, build_now: bool = False,
            out_dir: Path | None = None, library: Path | None = None, console: Console | None = None,
            asker: Asker | None = None) -> int:
    """Run the questionnaire, write the spec and (optionally) build; return the exit code.

    ``asker`` asks one question (default :func:`contractgen.questionnaire.prompts.ask`); tests
    wrap it to type each question's keys into prompt_toolkit pipe input.
    """
    from contractgen.questionnaire.answers import Answers, collect, from_data
    from contractgen.questionnaire.flow import Flow, Interrupted
    from contractgen.questionnaire.prompts import ask
    from contractgen.questionnaire.questions import final_problems
    from contractgen.questionnaire.writer import draft_path, draft_position

    console = console or Console(highlight=False)
    w = load_wording()
    _check_writable(output)  # before any question: answers must never be lost at the end
    answers, position = Answers(folder=str(output.parent)), 0
    if source is not None:
        from contractgen.spec.loader import load_file

        loaded = load_file(source)
        answers, unknown = from_data(loaded.data)
        answers.folder = str(output.parent)
        for key in unknown:
            console.print(Text(w.text("messages", "unknown_key", key=key, file=source), style="yellow"))
        position = draft_position(source.read_text(encoding="utf-8-sig", errors="replace"), minimal)
    console.print(Text(w.text("intro"), style="dim"))
    asker = asker or ask
    flow = Flow(answers, w, console, minimal, asker)
    resume = _resume_command(draft_path(output), output, minimal, build_now, out_dir)
    # A finished spec given with --from opens on the review (Enter keeps everything); a draft resumes.
    at_review = source is not None and position == 0
    try:
        while True:
            if not at_review:
                flow.run(position)
            at_review, position = True, 0
            target = _review(flow, output, w, console, asker, library)
            if target is None:  # back from the review to the last question
                at_review = False
                position = flow.position
                continue
            if final_problems(collect(flow.answers)):
                flow.run(len(flow.steps()))  # the flow goes to each problem's question, then back to the review
                continue
            data = collect(flow.answers)
            break
    except Interrupted as stop:
        return _save_draft(collect(stop.answers), stop.position, output, minimal, resume, w, console)
    except (KeyboardInterrupt, EOFError):  # during the summary's questions
        return _save_draft(collect(flow.answers), len(flow.steps()), output, minimal, resume, w, console)
    except UserError:  # a problem no question can fix: keep the answers, then report it
        _save_draft(collect(flow.answers), flow.position, output, minimal, resume, w, console,
                    message="cannot_fix")
        raise
    spec = _write(data, target, w, console)
    try:
        build = build_now or _yes(w.text("messages", "confirm_build"), True, w, asker) is True
    except EOFError:
        build = False
    if build:
        return _build(spec, target, out_dir, library, w, console)
    console.print(Text(w.text("messages", "build_later", command=f"contractgen build {shlex.quote(str(target))}")))
    return 0


def _review(flow: Any, output: Path, w: Wording, console: Console, asker: Asker, library: Path | None,
            ) -> Path | None:
    """The review screen until the user keeps everything: the path to write, or None (go back)."""
    from contractgen.questionnaire.prompts import BACK
    from contractgen.questionnaire.questions import Invalid, Step, problem_path
    from contractgen.questionnaire.review import review
    from contractgen.questionnaire.summary import draw_review

    while True:
        sections = review(flow.answers, w, library)
        console.print()
        console.print(draw_review(sections, w))

        def choose(text: str, sections: list = sections) -> Any:
            text = text.strip()
            if not text:
                return "keep"
            number, _, line = text.partition(".")
            if number.isdigit() and 1 <= int(number) <= len(sections):
                section = sections[int(number) - 1]
                if not line:
                    return section.keys
                if line.isdigit() and 1 <= int(line) <= len(section.lines):
                    return problem_path(section.lines[int(line) - 1].path)
            path = problem_path(text)
            if path and flow.minimal and not any(step.key[: len(path)] == path for step in flow.steps()):
                flow.ask_also(path)  # a field --minimal did not ask (the fee of one influencer)
            if path and any(step.key[: len(path)] == path for step in flow.steps()):
                return path
            raise Invalid(w.text("review", "unknown", answer=text, sections=len(sections)))

        answer = asker(Step(("#review",), "value", "text", w.text("review", "prompt"), w.text("review", "help"), (),
                            "", optional=True, check=choose), w)
        if answer is BACK:
            flow.reopen()
            return None
        if answer == "keep":
            return _target(flow, output, w, asker)
        if any(answer == s.keys for s in sections):
            flow.edit_section(answer)
        else:
            flow.edit(answer)


def _target(flow: Any, output: Path, w: Wording, asker: Asker) -> Path | None:
    """Where to write: the output, unless it exists and the user keeps it (then another name, or nothing)."""
    from contractgen.questionnaire.prompts import BACK

    target = output
    while target.exists():
        answer = _yes(w.text("messages", "overwrite", path=target), False, w, asker)
        if answer is BACK:
            return None
        if answer:
            return target
        target = _ask_path(target, w, asker)
    return target


def _write(data: dict, target: Path, w: Wording, console: Console) -> Any:
    """Write the spec, after checking that the text loads back to the same spec."""
    from contractgen.questionnaire.writer import draft_path, spec_text, write, write_schema
    from contractgen.spec.loader import Loaded, load_yaml_text
    from contractgen.spec.validate import validate_loaded

    text = spec_text(data, w, target)
    spec = validate_loaded(load_yaml_text(text, str(target)))
    if spec != validate_loaded(Loaded(data, "")):  # a bug in the writer, never the user's doing
        raise RuntimeError(f"the spec text written to {target} does not load back to the answers")
    write(target, text)
    console.print(Text(w.text("messages", "written", path=target), style="green"))
    if schema := write_schema(target):
        console.print(Text(w.text("messages", "schema_written", path=schema), style="dim"))
    draft = draft_path(target)
    if draft.is_file() and draft != target:
        draft.unlink()
        console.print(Text(w.text("messages", "draft_removed", draft=draft), style="dim"))
    return spec


def _build(spec: Any, target: Path, out_dir: Path | None, library: Path | None, w: Wording,
           console: Console) -> int:
    from contractgen.build import build_campaign
    from contractgen.glyph_check import glyph_problems
    from contractgen.output import safe_folder_name
    from contractgen.spec.loader import load_file
    from contractgen.toolkit import Toolkit

    if problems := glyph_problems(load_file(target)):  # the spec is saved; the PDF could not draw it
        raise UserError(problems)
    out = out_dir or Path("out") / safe_folder_name(spec.campaign_id)  # as `build`: campaign.id CON is out/_CON
    console.print(Text(w.text("messages", "building", out=out)))
    kit = Toolkit(library)
    manifest = build_campaign(spec, target, out, kit)
    folders: dict[str, list[str]] = {}
    for artifact in manifest.files:
        folder, _, name = artifact.path.rpartition("/")
        folders.setdefault(folder, []).append(name)
    people = len({a.influencer for a in manifest.files if a.influencer})  # campaign files have none
    console.print(Text(w.text("messages", "built", files=len(manifest.files), people=people, out=out),
                       style="green"))
    for folder, names in folders.items():
        console.print(Text(w.text("messages", "built_one", folder=out / folder, names=", ".join(names))))
    for failure in manifest.failures:
        console.print(Text(w.text("messages", "build_failed", influencer=failure.influencer or "campaign",
                                  message=failure.message), style="red"))
    console.print(Text(w.text("messages", "check_later", command=f"contractgen validate {shlex.quote(str(target))}"),
                       style="dim"))
    return 1 if manifest.failures else 0


def _save_draft(data: dict, position: int, output: Path, minimal: bool, resume: str, w: Wording,
                console: Console, message: str = "interrupted") -> int:
    from contractgen.questionnaire.writer import draft_path, draft_text, write

    console.print()
    if not data:
        console.print(Text(w.text("messages", "nothing_saved"), style="yellow"))
        return 130
    draft = draft_path(output)
    write(draft, draft_text(data, w, position, minimal, resume))
    console.print(Text(w.text("messages", message, draft=draft), style="yellow"))
    console.print(Text(w.text("messages", "resume", command=resume), style="bold"))
    return 130


def _check_writable(output: Path) -> None:
    folder = output.resolve().parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if output.is_dir() or not os.access(folder, os.W_OK):
        raise UserError(Problem("cannot write the spec here", file=str(output),
                                hint="choose another -o file in a folder you can write to"))


def _resume_command(draft: Path, output: Path, minimal: bool, build_now: bool, out_dir: Path | None) -> str:
    parts = ["contractgen", "new", "--from", str(draft), "-o", str(output)]
    if minimal:
        parts.append("--minimal")
    if build_now:
        parts.append("--build")
    if out_dir is not None:
        parts += ["--out", str(out_dir)]
    return shlex.join(parts)


def _yes(question: str, default: bool, w: Wording, asker: Asker) -> Any:
    """A yes/no question outside the spec (write? build?); may return BACK."""
    from contractgen.questionnaire.questions import Step

    return asker(Step(("#confirm",), "value", "confirm", question, "", (), default), w)


def _ask_path(current: Path, w: Wording, asker: Asker) -> Path:
    from contractgen.questionnaire.prompts import BACK
    from contractgen.questionnaire.questions import Invalid, Step

    def check(text: str) -> Path:
        path = Path(text.strip())
        if not text.strip() or path.is_dir():
            raise Invalid(w.text("messages", "required"))
        return path

    stem, n = current.stem, 2
    while (suggestion := current.with_name(f"{stem}-{n}{current.suffix}")).exists():
        n += 1
    answer = asker(Step(("#path",), "value", "text", w.text("messages", "other_path"), "", (), str(suggestion),
                      check=check), w)
    return current if answer is BACK else answer
