"""The closing summary: the campaign and each influencer's fee, deliverables and key terms."""

from __future__ import annotations

from decimal import Decimal

from rich.console import Group
from rich.table import Table
from rich.text import Text

from contractgen.money import amount_text
from contractgen.questionnaire.wording import Wording
from contractgen.spec.models import CampaignSpec, Deliverable


def summary(spec: CampaignSpec, wording: Wording) -> Group:
    """Two rich tables: the campaign, then one row per influencer."""
    w = wording
    c = spec.campaign
    campaign = Table(title=w.text("summary", "campaign"), show_header=False, title_justify="left")
    campaign.add_column(style="bold")
    campaign.add_column()
    rows = [
        ("name", c.name),
        ("brand", spec.brand.display_name or spec.brand.legal_name),
        ("dates", w.text("summary", "dates", start=c.start, end=c.end)),
        ("money", f"{c.currency}, {c.jurisdiction}"),
        ("objectives", ", ".join(c.objectives)),
    ]
    for key, value in rows:
        if value:
            campaign.add_row(w.text("summary", "rows", key), Text(str(value)))

    people = Table(title=w.text("summary", "influencers"), title_justify="left", show_lines=True)
    for key in ("influencer", "fee", "deliverables", "terms"):
        people.add_column(w.text("summary", "columns", key), justify="right" if key == "fee" else "left")
    terms = _terms(spec, w)
    for person in spec.influencers:
        fee = person.fee if person.fee is not None else spec.payment.fee
        items = person.deliverables or spec.deliverables
        people.add_row(
            Text(f"{person.legal_name}\n{person.handle}"),
            Text(f"{amount_text(fee, c.currency)} {c.currency}"),
            Text("\n".join(_deliverable(d, w) for d in items)),
            Text("\n".join(terms)),
        )
    return Group(campaign, people)


def _terms(spec: CampaignSpec, w: Wording) -> list[str]:
    p, u, x = spec.payment, spec.usage_rights, spec.exclusivity
    out = [w.text("summary", "terms", "payment", days=p.net_days)]
    if p.schedule:
        out.append(w.text("summary", "terms", "schedule", count=len(p.schedule)))
    if p.commission_percent is not None:
        out.append(w.text("summary", "terms", "commission", percent=_number(p.commission_percent)))
    if p.gifted_product:
        out.append(w.text("summary", "terms", "gifted", product=p.gifted_product.description))
    if u.term_months is None:
        out.append(w.text("summary", "terms", "usage_perpetual", mode=u.mode))
    else:
        out.append(w.text("summary", "terms", "usage_term", mode=u.mode, months=u.term_months))
    if x.mode != "none":
        out.append(w.text("summary", "terms", "exclusivity", mode=x.mode, before=x.days_before, after=x.days_after))
    if spec.confidentiality.nda:
        out.append(w.text("summary", "terms", "nda", years=spec.confidentiality.years))
    return out


def _deliverable(item: Deliverable, w: Wording) -> str:
    window = item.publish_window
    return w.text("summary", "deliverable", count=item.count, platform=item.platform, format=item.format,
                  start=window.from_, end=window.to)


def _number(value: Decimal) -> str:
    text = f"{value:,f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
