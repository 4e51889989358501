"""Build one campaign: every influencer's contract and brief, in the asked-for formats.

The unit of work is one engagement (:func:`build_engagement`); a whole spec is a loop over them
(:func:`build_campaign`). Renderers are imported on first use so ``validate`` and ``--help``
stay fast.
"""

from __future__ import annotations

import dataclasses
import gc
import hashlib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from contractgen import __version__
from contractgen.document import Document, Signing
from contractgen.engagement import Engagement, expand
from contractgen.errors import Problem, UserError
from contractgen.output import Artifact, Failure, FolderClaims, Manifest, locked_output, replaced_folder, write_atomic
from contractgen.spec.models import CampaignSpec
from contractgen.toolkit import Toolkit

if TYPE_CHECKING:
    from contractgen.checks import RateCard

KINDS = ("contract", "brief")
FORMATS = ("docx", "pdf")


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


def render(document: Document, fmt: str) -> bytes:
    """Bytes of a document in one format."""
    if fmt == "docx":
        from contractgen.render.docx import render_docx

        return render_docx(document)
    from contractgen.render.pdf import render_pdf

    return render_pdf(document)


def build_engagement(engagement: Engagement, kit: Toolkit, out_dir: Path, formats: Iterable[str],
                     kinds: Iterable[str], logo: str | None, folder: str,
                     signing: Signing | None = None) -> list[Artifact]:
    """Write one influencer's documents into ``out_dir/folder/`` as one set; return what was written.

    The documents are made in a staging folder and swapped in together (:func:`replaced_folder`),
    so an error leaves the influencer's previous files as they were, never a mix.
    """
    spec = engagement.spec
    artifacts = []
    with replaced_folder(out_dir, folder) as stage:
        for kind in kinds:
            document = assemble(engagement, kind, kit, logo, signing)
            clauses = tuple(document.meta.properties.get("contractgen.clauses", "").split()) if kind == "contract" else ()
            for fmt in formats:
                data = render(document, fmt)
                digest = write_atomic(stage / f"{kind}.{fmt}", data)
                artifacts.append(Artifact(spec.campaign_id, engagement.influencer.handle, kind, fmt,
                                          f"{folder}/{kind}.{fmt}", digest, len(data), clauses))
            del document
    gc.collect(1)  # python-docx leaves young reference cycles; a full pass per influencer costs ~20 ms
    return artifacts


def build_campaign(spec: CampaignSpec, spec_file: Path | None, out_dir: Path, kit: Toolkit,
                   formats: Iterable[str] = FORMATS, kinds: Iterable[str] = KINDS,
                   on_progress: Callable[[Engagement], None] | None = None,
                   rates: RateCard | None = None, signing: Signing | None = None) -> Manifest:
    """Build every influencer of a spec; one failing influencer does not stop the others.

    Then the campaign's own files: the risk findings (in the manifest, under ``findings``), the
    calendars and the brand's summary. ``rates`` replaces the built-in rate card; ``signing``
    adds initials fields and e-signature anchors to the contracts (and, with anchors, writes
    the envelope manifest ``signers.json``).
    """
    from contractgen.calendar_export import write_calendars
    from contractgen.checks import load_rates, run_checks
    from contractgen.summary import write_summary

    formats, kinds = tuple(formats), tuple(kinds)
    logo = logo_path(spec, spec_file)
    card = rates or load_rates()
    with locked_output(out_dir):
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
                manifest.files.extend(build_engagement(engagement, kit, out_dir, formats, kinds, logo, folder,
                                                        signing))
                built.append(engagement)
            except UserError as exc:
                manifest.failures.append(Failure(spec.campaign_id, engagement.influencer.handle, str(exc)))
            if on_progress:
                on_progress(engagement)
        findings = run_checks(spec, kit.library, card, people)
        manifest.extra["findings"] = [f.to_dict() for f in findings]
        # Calendars go into the folders of the influencers just built: a failed one's folder may
        # be a link, in the way, or another influencer's.
        manifest.files.extend(write_calendars(spec, built, kit, out_dir))
        try:
            manifest.files.extend(write_summary(spec, people, kit, out_dir, formats, findings, card, manifest.files,
                                                logo))
        except UserError as exc:
            manifest.failures.append(Failure(spec.campaign_id, None, f"summary: {exc}"))
        if signing is not None and signing.anchors and "contract" in kinds:
            from contractgen.signing.envelope import FILE, envelope, envelope_bytes

            data = envelope_bytes(envelope(built, kit, signing.anchors, formats, signing.initials))  # contracts made
            manifest.files.append(Artifact(spec.campaign_id, "", "envelope", "json", FILE,
                                           write_atomic(out_dir / FILE, data), len(data)))
        write_atomic(out_dir / "manifest.json", manifest.to_json().encode())
    return manifest
