"""Build one campaign: every influencer's contract and brief, in the asked-for formats.

``build`` and ``batch`` share this pipeline: one per-influencer builder (:func:`build_influencer`)
and one campaign stage (:func:`finish_campaign`: findings, calendars, summary); ``build_campaign``
runs them in a loop here, :mod:`contractgen.batch` schedules the same two over worker processes.
The same spec through either gives byte-identical documents. Writers come from
:mod:`contractgen.render.writers` and are imported on first use, so ``--help`` stays fast.
"""

from __future__ import annotations

import dataclasses
import gc
import hashlib
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from contractgen import __version__
from contractgen.document import Document, Signing
from contractgen.engagement import Engagement, expand
from contractgen.errors import Problem, UserError
from contractgen.output import (
    Artifact,
    Failure,
    FolderClaims,
    Manifest,
    locked_output,
    plain_file_bytes,
    plain_folder,
    recorded_folders,
    remove_stale,
    replaced_folder,
    stale_folders,
    write_atomic,
)
from contractgen.render.writers import FORMATS, file_name, render
from contractgen.spec.models import CampaignSpec
from contractgen.toolkit import Toolkit

if TYPE_CHECKING:
    from contractgen.checks import Finding, RateCard

KINDS = ("contract", "brief")


def engagements(spec: CampaignSpec, kit: Toolkit) -> list[Engagement]:
    """One engagement per influencer of a validated spec."""
    strings = kit.strings(spec.campaign.language)
    return expand(spec, kit.library.disclosure, spec.campaign.language, strings["on_completion"],
                  strings["placement_sep"], kit.library.packs)


def logo_path(spec: CampaignSpec, spec_file: Path | None) -> str | None:
    """The brand logo as a path every document embeds as it is (see :mod:`contractgen.logo`)."""
    if spec.brand.logo is None:
        return None
    from contractgen.logo import prepare_logo

    base = spec_file.parent if spec_file else Path.cwd()
    path = (base / spec.brand.logo).resolve()
    if path.suffix.lower() not in (".png", ".jpg", ".jpeg"):
        raise UserError(Problem("the logo must be a .png or .jpg file", file=str(spec_file), where="brand.logo"))
    return prepare_logo(path, str(spec_file) if spec_file else None)


def assemble(engagement: Engagement, kind: str, kit: Toolkit, logo: str | None,
             signing: Signing | None = None) -> Document:
    """The document tree of one kind for one engagement (``signing``: initials, e-sign anchors)."""
    if kind == "contract":
        from contractgen.assemble.contract import build_contract

        document = build_contract(engagement, kit)
    else:
        from contractgen.assemble.brief import build_brief

        document = build_brief(engagement, kit)
    meta = dataclasses.replace(document.meta, logo=logo)
    if signing is not None and kind == "contract":
        meta = dataclasses.replace(meta, signing=signing)
    return dataclasses.replace(document, meta=meta)


@dataclass(frozen=True)
class Job:
    """What every influencer of a run gets: the formats, the kinds of document, signing extras."""

    formats: tuple[str, ...] = FORMATS
    kinds: tuple[str, ...] = KINDS
    signing: Signing | None = None


Timings = list[tuple[str, str, float]]  # (kind, "assemble" or a format, seconds), for the benchmark


def build_influencer(engagement: Engagement, kit: Toolkit, out_dir: Path, folder: str, job: Job,
                     logo: str | None, timings: Timings | None = None) -> list[Artifact]:
    """Write one influencer's documents and calendar into ``out_dir/folder/`` as one set.

    The one per-influencer builder of ``build`` and ``batch`` (in a batch it runs in a worker).
    The files are made in a staging folder and swapped in together (:func:`replaced_folder`),
    so an error leaves the influencer's previous files as they were, never a mix.
    """
    from contractgen.calendar_export import INFLUENCER_FILE, influencer_calendar

    spec = engagement.spec
    campaign, handle = spec.campaign_id, engagement.influencer.handle
    artifacts = []
    with replaced_folder(out_dir, folder) as stage:
        for kind in job.kinds:
            started = time.perf_counter()
            document = assemble(engagement, kind, kit, logo, job.signing)
            if timings is not None:
                timings.append((kind, "assemble", time.perf_counter() - started))
            clauses = tuple(document.meta.properties.get("contractgen.clauses", "").split()) if kind == "contract" else ()
            for fmt in job.formats:
                started = time.perf_counter()
                data = render(document, fmt)
                name = file_name(kind, fmt)
                digest = write_atomic(stage / name, data)
                if timings is not None:
                    timings.append((kind, fmt, time.perf_counter() - started))
                artifacts.append(Artifact(campaign, handle, kind, fmt, f"{folder}/{name}", digest, len(data), clauses))
            del document
        data = influencer_calendar(engagement, kit)
        artifacts.append(Artifact(campaign, handle, "calendar", "ics", f"{folder}/{INFLUENCER_FILE}",
                                  write_atomic(stage / INFLUENCER_FILE, data), len(data)))
    gc.collect(1)  # python-docx leaves young reference cycles; a full pass per influencer costs ~20 ms
    return artifacts


@dataclass
class CampaignFiles:
    """What the campaign stage made: the brand's files, the risk findings, what failed."""

    files: list[Artifact] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)


def finish_campaign(spec: CampaignSpec, people: Sequence[Engagement], built: Sequence[Engagement],
                    made: Sequence[Artifact], kit: Toolkit, out_dir: Path, job: Job, rates: RateCard,
                    logo: str | None, folder: str = "") -> CampaignFiles:
    """The one campaign stage of ``build`` and ``batch``, after every influencer is built.

    ``people``: every influencer of the campaign; ``built``: those whose files are there now
    (made in this run, or unchanged since the last); ``made``: those files (their clause lists
    give each contract's coverage without assembling it again). Writes, into ``out_dir/folder``,
    the campaign calendar, the brand's summary (with its chart and CSV) and, with e-signature
    anchors, ``signers.json``; returns them (paths relative to ``out_dir``) with the findings.
    """
    from contractgen.calendar_export import CAMPAIGN_FILE, campaign_calendar
    from contractgen.checks import run_checks
    from contractgen.summary import write_summary

    result = CampaignFiles(findings=run_checks(spec, kit.library, rates, list(people)))
    target = plain_folder(out_dir, folder) if folder else out_dir
    prefix = f"{folder}/" if folder else ""
    files: list[Artifact] = []
    data = campaign_calendar(spec, _calendars(out_dir, made), kit)
    files.append(Artifact(spec.campaign_id, "", "calendar", "ics", CAMPAIGN_FILE,
                          write_atomic(target / CAMPAIGN_FILE, data), len(data)))
    try:
        files.extend(write_summary(spec, people, kit, target, job.formats, result.findings, rates, made, logo))
    except UserError as exc:
        result.failures.append(Failure(spec.campaign_id, None, f"summary: {exc}"))
    signing = job.signing
    if signing is not None and signing.anchors and "contract" in job.kinds:
        from contractgen.signing.envelope import FILE, envelope, envelope_bytes

        data = envelope_bytes(envelope(built, kit, signing.anchors, job.formats, signing.initials))
        files.append(Artifact(spec.campaign_id, "", "envelope", "json", FILE, write_atomic(target / FILE, data),
                              len(data)))
    result.files = [dataclasses.replace(a, path=prefix + a.path) for a in files] if prefix else files
    return result


def _calendars(out_dir: Path, made: Sequence[Artifact]) -> Iterator[bytes]:
    """The influencers' calendar.ics files among ``made``, read back (as they are now on disk)."""
    for artifact in made:
        if artifact.kind == "calendar" and artifact.influencer:
            data = plain_file_bytes(out_dir, artifact.path)
            if data is not None:
                yield data


def build_campaign(spec: CampaignSpec, spec_file: Path | None, out_dir: Path, kit: Toolkit,
                   job: Job = Job(), on_progress: Callable[[Engagement], None] | None = None,
                   rates: RateCard | None = None, clean: bool = False) -> Manifest:
    """Build every influencer of a spec; one failing influencer does not stop the others.

    Then the campaign stage (:func:`finish_campaign`): the risk findings (in the manifest,
    under ``findings``), the calendars and the brand's summary. ``rates`` replaces the built-in
    rate card. Folders a previous build into ``out_dir`` made for influencers no longer in
    the spec are listed under ``stale`` (``clean``: removed; see :func:`contractgen.output.stale_folders`).
    """
    from contractgen.checks import load_rates

    logo = logo_path(spec, spec_file)
    card = rates or load_rates()
    with locked_output(out_dir):
        before = recorded_folders(out_dir / "manifest.json")
        manifest = Manifest(spec.campaign_id, kit.library.digest(), __version__)
        if spec_file is not None and spec_file.is_file():
            # What was sent: `contractgen compare --sent` checks its OLD spec against this hash.
            manifest.extra["spec"] = {"file": spec_file.name,
                                      "sha256": hashlib.sha256(spec_file.read_bytes()).hexdigest()}
        people = engagements(spec, kit)
        built = []
        claims = FolderClaims()
        for engagement in people:
            try:
                folder = claims.claim([engagement.deal.slug], engagement.influencer.handle, str(spec_file or ""),
                                      f"influencers[{engagement.index}].handle")
                manifest.files.extend(build_influencer(engagement, kit, out_dir, folder, job, logo))
                built.append(engagement)
            except UserError as exc:
                manifest.failures.append(Failure(spec.campaign_id, engagement.influencer.handle, str(exc)))
            if on_progress:
                on_progress(engagement)
        stage = finish_campaign(spec, people, built, manifest.files, kit, out_dir, job, card, logo)
        manifest.files.extend(stage.files)
        manifest.failures.extend(stage.failures)
        manifest.extra["findings"] = [f.to_dict() for f in stage.findings]
        stale = stale_folders(out_dir, before, claims.folders())
        removed = remove_stale(out_dir, stale, before) if clean else []
        if left := [f for f in stale if f not in removed]:  # kept on record, so a later --clean finds them
            manifest.extra["stale"] = {f: before[f] for f in left}
        if removed:
            manifest.extra["removed"] = removed
        write_atomic(out_dir / "manifest.json", manifest.to_json().encode())
    return manifest
