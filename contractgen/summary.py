"""The campaign summary for the brand (never sent to influencers): summary.docx and summary.pdf.

One page of figures per campaign: every influencer's tier, engagement rate, fee, cost per
engagement and per 1,000 followers, market band, deliverables, the findings of the checks and
the risk coverage, with a bar chart of fees. The wording is in ``templates/<lang>/summary.md.j2``;
this module only works out the values (with :mod:`contractgen.checks.figures`) and draws the chart.

A campaign may have up to 10,000 influencers: the document's per-influencer tables list the
first :data:`SUMMARY_ROWS` (fewer when they have many deliverables) and say so, while counts
and totals cover everyone, and ``summary.csv`` beside it always lists every influencer with
their figures and findings.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from contractgen.assemble.common import render_template
from contractgen.checks import Finding, RateCard, figures
from contractgen.checks.figures import Band, PlatformFigures
from contractgen.coverage import RISKS, ContractCoverage, OpenPoint, campaign_coverage, load_data
from contractgen.document import Block, Document, Image, Meta, Paragraph, plain
from contractgen.engagement import DeliverablePlan, Engagement
from contractgen.errors import Problem, UserError
from contractgen.locale import Locale
from contractgen.markup import Directive
from contractgen.messages import Formatter, field_label
from contractgen.output import Artifact, text_cells, write_atomic
from contractgen.render.writers import file_name, render
from contractgen.spec.models import CampaignSpec
from contractgen.toolkit import Toolkit

CHART_FILE = "summary-fees.png"
CSV_FILE = "summary.csv"
SUMMARY_ROWS = 100  # influencers the document lists one by one; summary.csv has them all
MAX_DELIVERABLE_ROWS = 400  # rows of the deliverables table, so a long plan cannot overflow the page budget
MAX_NAMED = 10  # handles a coverage gap names before "and N more"
CHART_WIDTH_MM = 160.0
MAX_CHART_BARS = 30  # beyond this a table reads faster than a picture
_STATUS_ORDER = {"covered": 0, "partly": 1, "open": 2}


@dataclass(frozen=True)
class Person:
    """One influencer's line of the summary."""

    handle: str
    legal_name: str
    platforms: tuple[PlatformFigures, ...]
    fee: Decimal
    cost: Decimal
    gifted_only: bool
    cost_per_engagement: Decimal | None
    cost_per_thousand: Decimal | None
    band: Band | None
    deliverables: tuple[DeliverablePlan, ...]
    report_due: Any
    findings: tuple[Any, ...]  # Finding; in the document, ShownFinding


@dataclass(frozen=True)
class ShownFinding:
    """A finding as the summary prints it: its sentences and field in the summary's language."""

    rule: str
    severity: str
    influencer: str | None
    field: str
    label: str  # the field in words where the language has them, else the field
    message: str
    hint: str


def shown_finding(finding: Finding, language: str, formatter: Formatter) -> ShownFinding:
    """The finding's sentences made in ``language``, its values formatted by ``formatter``."""
    message, hint = finding.text(language, formatter)
    return ShownFinding(finding.rule, finding.severity, finding.influencer, finding.field,
                        field_label(finding.field, language, formatter), message, hint)


@dataclass(frozen=True)
class CoverageRow:
    """One risk across the campaign: its worst status, what answers it and what leaves it open."""

    risk: str
    title: str
    status: str
    clauses: tuple[str, ...]
    sections: tuple[str, ...]
    open: tuple[tuple[str, str | None, tuple[str, ...]], ...]  # (reason, field, handles; empty: everyone)


def people(engagements: Sequence[Engagement], rates: RateCard, findings: Sequence[Finding]) -> list[Person]:
    """The figures of every influencer, rounded for print."""
    out = []
    for e in engagements:
        fig = figures(e, rates)
        rounded = tuple(dataclasses.replace(p, rate=_round(p.rate, "0.01")) for p in fig.platforms)
        out.append(Person(
            handle=e.influencer.handle,
            legal_name=e.influencer.legal_name,
            platforms=rounded,
            fee=fig.fee,
            cost=fig.cost,
            gifted_only=e.deal.gifted_only,
            cost_per_engagement=_round(fig.cost_per_engagement, "0.01"),
            cost_per_thousand=_round(fig.cost_per_thousand, "0.01"),
            band=fig.band,
            deliverables=e.deal.deliverables,
            report_due=e.deal.report_due,
            findings=tuple(f for f in findings if f.influencer == e.influencer.handle),
        ))
    return out


def coverage_rows(coverage: Sequence[ContractCoverage]) -> list[CoverageRow]:
    """One row per risk: the worst status over all contracts, with who is affected by each gap."""
    rows = []
    for risk in RISKS:
        items = [(c, c.by_risk()[risk]) for c in coverage]
        if not items:
            continue
        status = max((r.status for _, r in items), key=_STATUS_ORDER.__getitem__)
        clauses = tuple(dict.fromkeys(cid for _, r in items for cid in r.clauses))
        sections = tuple(dict.fromkeys(s for _, r in items for s in r.sections))
        gaps: dict[tuple[str, str | None], list[str]] = {}
        for c, r in items:
            for point in r.open:
                gaps.setdefault((point.reason, _generic(point)), []).append("@" + c.influencer.lstrip("@"))
        everyone = len(items)
        open_ = tuple((reason, field, () if len(who) == everyone else tuple(who))
                      for (reason, field), who in gaps.items())
        rows.append(CoverageRow(risk, items[0][1].title, status, clauses, sections, open_))
    return rows


def summary_document(spec: CampaignSpec, kit: Toolkit, persons: Sequence[Person], findings: Sequence[Finding],
                     rows: Sequence[CoverageRow], chart: str | None, logo: str | None = None) -> Document:
    """The summary as a document tree, from ``templates/<lang>/summary.md.j2``."""
    spec = summary_spec(spec, kit)
    language = spec.campaign.language
    engine = kit.engine(spec)
    strings = kit.strings(language)
    names: dict[str, Any] = {name: getattr(spec, name) for name in type(spec).model_fields}
    names.pop("influencers")
    locale = engine.locale
    findings = [shown_finding(f, language, locale) for f in findings]
    listed = [dataclasses.replace(p, findings=tuple(shown_finding(f, language, locale) for f in p.findings))
              for p in shown(persons)]
    listed_handles = {p.handle for p in listed}
    fields = {f.field for f in findings} | {field for r in rows for _, field, _ in r.open if field}
    clauses = kit.library.clauses
    context = {
        **names,
        "t": strings,
        "brand_name": spec.brand.display_name or spec.brand.legal_name,
        "people": listed,
        "influencer_count": len(persons),
        "unlisted": len(persons) - len(listed),
        "unlisted_findings": sum(f.influencer is not None and f.influencer not in listed_handles for f in findings),
        "csv_file": CSV_FILE,
        "max_named": MAX_NAMED,
        "campaign_findings": [f for f in findings if f.influencer is None],
        "findings": list(findings),
        "coverage": list(rows),
        "labels": {field: field_label(field, language, locale) for field in fields},
        "section_titles": {b.id: b.title.get(language) or b.title.get(next(iter(b.title)), b.id)
                           for b in load_data().brief},
        "clause_titles": {cid: (clauses[cid].title.get(language) or cid) if cid in clauses else cid  # type: ignore[attr-defined]
                          for r in rows for cid in r.clauses},
        "chart": chart is not None,
        "total_fee": sum((p.fee for p in persons), Decimal(0)),
        "total_cost": sum((p.cost for p in persons), Decimal(0)),
    }
    folder = f"templates/{language}"
    parsed = render_template(engine, "summary.md.j2", context, folder)
    blocks: list[Block] = []
    i = 0
    while i < len(parsed):
        item = parsed[i]
        if isinstance(item, Directive):
            if item.name != "chart":
                raise UserError(Problem(f"[[{item.name}]] has no meaning in a summary", file=f"{folder}/summary.md.j2"))
            # The paragraph right after [[chart]] is the chart's caption.
            following = parsed[i + 1] if i + 1 < len(parsed) else None
            caption = plain(following.runs) if isinstance(following, Paragraph) else None
            if chart is not None:
                blocks.append(Image(chart, CHART_WIDTH_MM, caption))
            i += 2 if caption is not None else 1
            continue
        blocks.append(item)
        i += 1
    day = spec.campaign.agreement_date or spec.campaign.start  # fixed, so rebuilds give the same bytes
    meta = Meta(
        title=f"{strings['summary_title']} — {spec.campaign.name}",
        subject=spec.campaign.name,
        author=spec.brand.legal_name,
        keywords=(spec.campaign_id, strings["summary_title"]),
        language=language,
        rtl=engine.locale.rtl,
        created=dt.datetime(day.year, day.month, day.day, 9, 0, 0),
        header_text=context["brand_name"],
        page_label=strings["page"],
        logo=logo,
        digits=engine.locale.pack.digits,
        tag=engine.locale.pack.tag,
        numbering=engine.locale.pack.scheme(),
        properties={"contractgen.campaign": spec.campaign_id, "contractgen.kind": "summary"},
    )
    return Document(meta, tuple(blocks))


def shown(persons: Sequence[Person]) -> list[Person]:
    """The influencers the document lists one by one: the first :data:`SUMMARY_ROWS`, in spec order,
    as long as their deliverables fit :data:`MAX_DELIVERABLE_ROWS` rows (always at least one)."""
    out: list[Person] = []
    rows = 0
    for person in persons[:SUMMARY_ROWS]:
        rows += len(person.deliverables)
        if out and rows > MAX_DELIVERABLE_ROWS:
            break
        out.append(person)
    return out


def summary_csv(persons: Sequence[Person], currency: str) -> bytes:
    """Every influencer's line of the summary as CSV (UTF-8 with a BOM, so spreadsheets read it)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["handle", "legal_name", f"fee_{currency}", f"cost_{currency}", "gifted_only",
                     f"cost_per_engagement_{currency}", f"cost_per_1000_followers_{currency}",
                     f"band_low_{currency}", f"band_high_{currency}", "platforms", "deliverables",
                     "report_due", "findings"])
    for p in persons:
        platforms = "; ".join(
            f"{f.platform} {f.followers} {f.tier}" + (f" {f.rate}%" if f.rate is not None else "") for f in p.platforms)
        findings = "; ".join(f"{f.severity} {f.rule}: {f.message}" for f in p.findings)
        writer.writerow(text_cells([
            p.handle, p.legal_name, p.fee, p.cost, "yes" if p.gifted_only else "no",
            _blank(p.cost_per_engagement), _blank(p.cost_per_thousand),
            _blank(p.band.low if p.band else None), _blank(p.band.high if p.band else None),
            platforms, sum(d.count for d in p.deliverables), p.report_due.isoformat(), findings,
        ]))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _blank(value: object) -> object:
    return "" if value is None else value


def summary_spec(spec: CampaignSpec, kit: Toolkit) -> CampaignSpec:
    """The spec in the language the summary is written in.

    A language without its own summary template gets the fallback language's (English) (dates keep their
    calendar): the summary is the brand's internal paper, and English is better than none.
    """
    if (kit.templates / spec.campaign.language / "summary.md.j2").is_file():
        return spec
    from contractgen.messages import settings

    fallback = spec.campaign.model_copy(update={"language": settings().fallback, "calendar": kit.calendar(spec)})
    return spec.model_copy(update={"campaign": fallback})


def fee_chart(persons: Sequence[Person], locale: Locale) -> bytes | None:
    """A horizontal bar chart (PNG) of the fee per influencer; None when a chart would not help."""
    if not 2 <= len(persons) <= MAX_CHART_BARS:
        return None
    from PIL import Image as PILImage
    from PIL import ImageDraw, ImageFont

    from contractgen.render.fonts import font_files

    regular, bold = font_files()
    basic = ImageFont.Layout.BASIC  # same pixels on every machine, with or without libraqm
    font = ImageFont.truetype(str(regular), 30, layout_engine=basic)
    label_font = ImageFont.truetype(str(bold), 30, layout_engine=basic)
    labels = [p.handle for p in persons]
    values = [p.fee for p in persons]
    texts = [locale.num(v) for v in values]
    width, row, bar, top, pad = 1600, 70, 42, 30, 24
    probe = ImageDraw.Draw(PILImage.new("RGB", (1, 1)))
    left = pad + max(int(probe.textlength(label, font=label_font)) for label in labels) + pad
    room = width - left - pad - max(int(probe.textlength(t, font=font)) for t in texts) - pad
    height = top + row * len(persons) + top
    image = PILImage.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    highest = max(values) or Decimal(1)
    draw.line([(left, top - 10), (left, height - top + 10)], fill="#9aa4ae", width=2)
    for i, (label, value, text) in enumerate(zip(labels, values, texts, strict=True)):
        y = top + i * row + (row - bar) // 2
        length = int(room * (value / highest)) if value > 0 else 0
        draw.text((left - pad, y + bar // 2), label, font=label_font, fill="#1f2933", anchor="rm")
        if length:
            draw.rectangle([left, y, left + length, y + bar], fill="#2f6f9f")
        draw.text((left + length + pad // 2, y + bar // 2), text, font=font, fill="#1f2933", anchor="lm")
    out = io.BytesIO()
    image.save(out, format="PNG", dpi=(254, 254))
    return out.getvalue()


def write_summary(spec: CampaignSpec, engagements: Sequence[Engagement], kit: Toolkit, out_dir: Path,
                  formats: Iterable[str], findings: Sequence[Finding], rates: RateCard,
                  built: Sequence[Artifact] = (), logo: str | None = None) -> list[Artifact]:
    """Write the chart, summary.<fmt> and summary.csv into ``out_dir``; return them as manifest entries.

    ``built`` are the files a build already wrote: their clause lists give each contract's
    coverage without assembling it again.
    """
    persons = people(engagements, rates, findings)
    clause_ids = _clause_ids(built)
    coverage = _coverage(engagements, kit, clause_ids)
    artifacts = []
    chart_path = None
    png = fee_chart(persons, kit.locale(summary_spec(spec, kit)))
    if png is not None:
        chart_path = out_dir / CHART_FILE
        artifacts.append(_artifact(spec, "png", CHART_FILE, write_atomic(chart_path, png), len(png)))
    document = summary_document(spec, kit, persons, findings, coverage_rows(coverage),
                                str(chart_path) if chart_path else None, logo)
    for fmt in formats:
        data = render(document, fmt)
        name = file_name("summary", fmt)
        artifacts.append(_artifact(spec, fmt, name, write_atomic(out_dir / name, data), len(data)))
    table = summary_csv(persons, spec.campaign.currency)
    artifacts.append(_artifact(spec, "csv", CSV_FILE, write_atomic(out_dir / CSV_FILE, table), len(table)))
    return artifacts


def _coverage(engagements: Sequence[Engagement], kit: Toolkit,
              clause_ids: Mapping[str, Sequence[str]]) -> list[ContractCoverage]:
    out = []
    for e in engagements:
        try:
            out.extend(campaign_coverage([e], kit, clause_ids))
        except UserError:
            continue  # a contract that cannot be assembled is already a failure in the manifest
    return out


def _clause_ids(built: Sequence[Artifact]) -> dict[str, list[str]]:
    ids: dict[str, list[str]] = {}
    for a in built:
        if a.kind == "contract" and a.clauses and a.influencer not in ids:
            ids[a.influencer] = [ref.split("@", 1)[0] for ref in a.clauses]
    return ids


def _artifact(spec: CampaignSpec, fmt: str, path: str, digest: str, size: int) -> Artifact:
    return Artifact(spec.campaign_id, "", "summary", fmt, path, digest, size)


def _generic(point: OpenPoint) -> str | None:
    # Per-influencer fields (influencers[2].platforms) read as one gap across the campaign.
    return re.sub(r"^influencers\[\d+\]", "influencers[]", point.field) if point.field else None


def _round(value: Decimal | None, places: str) -> Decimal | None:
    return None if value is None else value.quantize(Decimal(places))
