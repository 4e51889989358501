"""Pydantic models of a campaign spec: the public shape of ``reference/campaign.yaml``.

Key names and nesting are an interface that users and their scripts rely on: add keys, never
rename or re-nest them. Titles and descriptions here feed the questionnaire, the JSON Schema
and ``clauses vars``, so they are written for people.

Field-level rules live on the fields; rules that need several sections at once live in
:mod:`contractgen.spec.rules` so each error can name the exact field it is about.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import re
import types
import typing
from collections.abc import Iterator
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    EmailStr,
    Field,
    ModelWrapValidatorHandler,
    StringConstraints,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from contractgen.resources import available_languages, templates_dir
from contractgen.spec import codes, numbers
from contractgen.spec.slug import slugify

Platform = Literal[
    "instagram",
    "tiktok",
    "youtube",
    "x",
    "facebook",
    "linkedin",
    "twitch",
    "snapchat",
    "pinterest",
    "telegram",
    "aparat",
    "blog",
    "podcast",
]
Format = Literal["post", "reel", "story", "carousel", "video", "short", "live", "article", "episode"]
Objective = Literal["awareness", "engagement", "traffic", "sales", "leads", "content"]

# Every way text can break a line: CR, LF, vertical tab, form feed, NEL and the Unicode line
# and paragraph separators.
LINE_BREAKS = re.compile(r"\r\n|[\n\r\v\f\x85\u2028\u2029]")


def _one_line(value: str) -> str:
    # Names, labels and titles are printed as one line (and are calendar and file-metadata titles,
    # where a line break would start a new entry): refuse one rather than guess where it belongs.
    if found := LINE_BREAKS.search(value):
        before = value[: found.start()][-30:]
        raise ValueError(f"has a line break (U+{ord(found.group()[0]):04X} after '{before}'); it is printed on one "
                         "line: join the lines (longer text belongs in a notes field)")
    return value


def _fold_lines(value: object) -> object:
    # A postal address is naturally written over several lines; the documents print it on one.
    if not isinstance(value, str) or not LINE_BREAKS.search(value):
        return value
    lines = [line.strip() for line in LINE_BREAKS.split(value) if line.strip()]
    return "".join(line + ("" if i == len(lines) - 1 else " " if line.endswith(",") else ", ")
                   for i, line in enumerate(lines))


# Free text in a contract: one line (no control characters either: the loader refuses those, as
# they are illegal in DOCX XML).
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000), AfterValidator(_one_line)]
# A postal address: its lines are joined with ", ".
Address = Annotated[str, BeforeValidator(_fold_lines), StringConstraints(strip_whitespace=True, min_length=1,
                                                                          max_length=2000)]


def _plain_breaks(value: object) -> object:
    # One kind of line break downstream: the documents' text engines know LF, not NEL or U+2028.
    return LINE_BREAKS.sub("\n", value) if isinstance(value, str) else value


# Text that may run over several lines and paragraphs (notes, the brief's prose); its line
# breaks, of whatever kind, are read as LF.
LongText = Annotated[str, BeforeValidator(_plain_breaks), StringConstraints(strip_whitespace=True, min_length=1,
                                                                             max_length=10000)]


def _plausible_year(value: dt.date) -> dt.date:
    if not 2000 <= value.year <= 2100:
        raise ValueError(f"{value} is not a plausible campaign date (years 2000-2100)")
    return value


def _date_text(value: object) -> object:
    # Dates arrive as text (the loader keeps them so); pydantic would read a number as a Unix time.
    if isinstance(value, bool | int | float | Decimal):
        raise ValueError(f"'{value}' is not a date; write it as YYYY-MM-DD")
    return value


Date = Annotated[dt.date, BeforeValidator(_date_text), AfterValidator(_plausible_year)]
# How the spec being validated writes numbers (its campaign's language) and how many decimals its
# money has (its currency), so that "1.500,00 €" reads as people of that campaign write it; set by
# CampaignSpec, or by number_style() for one answer of the questionnaire.
_NUMBER_STYLE: contextvars.ContextVar[tuple[numbers.NumberStyle, int]] = contextvars.ContextVar(
    "number_style", default=(numbers.UNKNOWN, 2))


@contextlib.contextmanager
def number_style(language: object, currency: object) -> Iterator[None]:
    """Validate numbers typed as text as a campaign in ``language`` and ``currency`` writes them."""
    style = numbers.campaign_style(language) if isinstance(language, str) else numbers.UNKNOWN
    places = codes.minor_units(currency) if isinstance(currency, str) else 2
    token = _NUMBER_STYLE.set((style, places))
    try:
        yield
    finally:
        _NUMBER_STYLE.reset(token)


def _typed_money(value: object) -> object:
    # "€1,500", "1 500 €", "1.500,00 €" as people type them; "1.500" is ambiguous unless money has 3 decimals.
    style, places = _NUMBER_STYLE.get()
    return numbers.normalise(value, style, strict=places < 3)


def _typed_percent(value: object) -> object:
    # No percentage has thousands: 33.333 is a decimal wherever '.' is the decimal mark.
    return numbers.normalise(value, _NUMBER_STYLE.get()[0], strict=False)


def _typed_count(value: object) -> object:
    return numbers.normalise(value, _NUMBER_STYLE.get()[0], whole=True)


# The constraints first: they then belong to the decimal schema (and read "1E+15" in messages).
Percent = Annotated[Decimal, Field(ge=0, le=100), BeforeValidator(_typed_percent)]
Money = Annotated[Decimal, Field(ge=0, le=Decimal("1e15")), BeforeValidator(_typed_money)]
Count = Annotated[int, BeforeValidator(_typed_count)]
Days = Annotated[int, Field(ge=0, le=3650)]


def _at_sign(value: str) -> str:
    # `alexruns` and `@alexruns` are the same person: every document, file and message shows `@alexruns`.
    return value if value.startswith("@") else "@" + value


Handle = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        pattern=r"^@?[A-Za-z0-9_](?:[A-Za-z0-9._-]{0,62}[A-Za-z0-9_])?$",
    ),
    AfterValidator(_at_sign),
]


def _lower_choice(value: object) -> object:
    # Platform and format names are choices, not names: `Instagram` is `instagram`.
    return value.strip().lower() if isinstance(value, str) else value


class Model(BaseModel):
    """Base of every spec model: unknown keys are errors, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @field_validator("*", mode="before")
    @classmethod
    def _no_yes_no_numbers(cls, value: object, info: ValidationInfo) -> object:
        # pydantic reads true as 1: a yes/no where a number belongs is a slip, not a count of one.
        if isinstance(value, bool) and info.field_name and _wants_number(cls, info.field_name):
            raise ValueError(f"expected a number, not {str(value).lower()}")
        return value


_NUMBER_FIELDS: dict[tuple[type, str], bool] = {}


def _wants_number(model: type[BaseModel], name: str) -> bool:
    """Whether a field takes numbers and not yes/no (cached per model and field)."""
    key = (model, name)
    if key not in _NUMBER_FIELDS:
        leaves: set[object] = set()
        stack = [model.model_fields[name].annotation]
        while stack:
            annotation = stack.pop()
            args = typing.get_args(annotation)
            if typing.get_origin(annotation) is Literal:
                continue
            if args and typing.get_origin(annotation) in (Annotated, typing.Union, types.UnionType):
                stack.extend(args[:1] if typing.get_origin(annotation) is Annotated else args)
            else:
                leaves.add(annotation)
        _NUMBER_FIELDS[key] = bool(leaves & {int, float, Decimal}) and bool not in leaves
    return _NUMBER_FIELDS[key]


class Person(Model):
    """A named person: signatory, contact or representative."""

    name: Text = Field(description="Full name.")
    title: Text | None = Field(None, description="Job title, e.g. VP Marketing.")
    email: EmailStr | None = Field(None, description="Email address.")
    phone: Text | None = Field(None, description="Phone number, with country code.")


def _languages() -> tuple[str, ...]:
    return available_languages(templates_dir())


class Campaign(Model):
    """What the campaign is, where and when it runs."""

    name: Text = Field(description="Campaign name, printed on every document.")
    id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")] | None = (
        Field(None, description="Short id used in file names and tracking; default: the name in lower-case letters and dashes.")
    )
    language: str = Field("en", description="Document language: a folder of templates/ with a language.yaml.",
                          json_schema_extra={"enum": list(_languages())})
    calendar: Literal["gregorian", "jalali"] | None = Field(
        None, description="Calendar for dates in the documents; default: the language pack's (jalali for fa)."
    )
    jurisdiction: str = Field(
        "US", description="ISO 3166 country code: sets disclosure rules and legal defaults."
    )
    currency: str = Field("USD", description="ISO 4217 currency code of every amount.")
    start: Date = Field(description="First day of the campaign (YYYY-MM-DD).")
    end: Date = Field(description="Last day of the campaign (YYYY-MM-DD).")
    objectives: list[Objective] = Field(default_factory=list, description="What the campaign is for.")
    agreement_date: Date | None = Field(
        None,
        description="Date printed on the contracts and stamped in file metadata; default: campaign start.",
    )

    @field_validator("language")
    @classmethod
    def _language(cls, value: str) -> str:
        # The packs that exist are the languages there are: a new folder is a new language.
        if value not in _languages():  # reported as for any fixed choice: "'xx' is not allowed; expected one of ..."
            raise PydanticCustomError("literal_error", "{expected}",
                                      {"expected": " or ".join(f"'{code}'" for code in _languages())})
        return value

    @field_validator("jurisdiction")
    @classmethod
    def _country(cls, value: str) -> str:
        return codes.check_country(value)

    @field_validator("currency")
    @classmethod
    def _currency(cls, value: str) -> str:
        return codes.check_currency(value)


class Brand(Model):
    """The brand that commissions the content."""

    legal_name: Text = Field(description="Registered company name.")
    display_name: Text | None = Field(None, description="Name the public knows; default: legal name.")
    address: Address | None = Field(None, description="Registered postal address.")
    registration: Text | None = Field(None, description="Company number or legal form.")
    website: Text | None = Field(None, description="Website address.")
    logo: Text | None = Field(None, description="Logo image (PNG or JPEG), relative to the spec file.")
    signatory: Person | None = Field(None, description="Who signs for the brand.")
    contact: Person | None = Field(None, description="Day-to-day contact for the influencer.")


class Agency(Model):
    """An agency contracting on the brand's behalf."""

    legal_name: Text = Field(description="Registered company name of the agency.")
    address: Address | None = Field(None, description="Postal address.")
    signatory: Person | None = Field(None, description="Who signs for the agency.")
    contact: Person | None = Field(None, description="Agency contact.")


class PublishWindow(Model):
    """The dates between which a deliverable goes live."""

    from_: Date = Field(alias="from", description="First day it may be published.")
    to: Date = Field(description="Last day it may be published.")


class Deliverable(Model):
    """One kind of content the influencer makes and publishes."""

    platform: Platform = Field(description="Where it is published.")
    format: Format = Field(description="What kind of content it is.")
    count: int = Field(1, ge=1, le=1000, description="How many pieces.")
    publish_window: PublishWindow = Field(description="When it goes live.")
    draft_due_days_before: Days = Field(
        5, description="The draft reaches the brand this many days before publishing."
    )
    live_days: Days = Field(30, description="The content stays up at least this many days.")
    notes: LongText | None = Field(None, description="Extra requirements for this deliverable.")
    fee: Money | None = Field(
        None,
        description="Share of the influencer's fee allocated to this deliverable (all its pieces); "
        "default: the fee split by the format weights in contractgen/data/fee-weights.yaml.",
    )

    _choices = field_validator("platform", "format", mode="before")(_lower_choice)


class PlatformStats(Model):
    """Audience figures the brand relied on when choosing the influencer."""

    handle: Handle | None = Field(None, description="Handle on this platform; default: primary handle.")
    followers: Count = Field(ge=0, le=10_000_000_000, description="Follower or subscriber count.")
    avg_engagements: Count | None = Field(
        None, ge=0, le=10_000_000_000, description="Average likes + comments (+ shares) per post."
    )


class Kpi(Model):
    """A performance indicator and its target."""

    metric: Text = Field(description="What is measured, e.g. engagement_rate.")
    target: Annotated[
        Text | None, WithJsonSchema({"anyOf": [{"type": "string"}, {"type": "number"}, {"type": "null"}]})
    ] = Field(None, description="The target, e.g. 4% or 1500.")

    @field_validator("target", mode="before")
    @classmethod
    def _target_text(cls, value: object) -> object:
        # Targets are read as printed ("4%", 1500); numbers become their text.
        if isinstance(value, bool):
            return value
        return str(value) if isinstance(value, int | float | Decimal) else value


class Influencer(Model):
    """One creator under contract."""

    legal_name: Text = Field(description="Full legal name (or company) that signs.")
    handle: Handle = Field(description="Primary handle, used in file names and discount codes.")
    email: EmailStr = Field(description="Email address for notices.")
    address: Address | None = Field(None, description="Postal address for notices.")
    tax_id: Text | None = Field(
        None, description="Tax identification number (kept for the tax forms; never printed in the contract)."
    )
    tax_residence: Text | None = Field(None, description="Country of tax residence, e.g. France.")
    agent: Person | None = Field(None, description="Agent or manager who represents the influencer.")
    guardian: Person | None = Field(
        None, description="Parent or legal guardian who signs with an influencer under the age of majority."
    )
    platforms: dict[Platform, PlatformStats] = Field(
        default_factory=dict, description="Audience figures per platform."
    )
    fee: Money | None = Field(None, description="Fee for this influencer; overrides payment.fee.")
    deliverables: list[Deliverable] = Field(
        default_factory=list, description="Replaces the campaign's deliverables for this person."
    )
    kpis: list[Kpi] = Field(
        default_factory=list, description="This influencer's own KPI targets; replace reporting.kpis in their contract."
    )

    @field_validator("platforms", mode="before")
    @classmethod
    def _platform_keys(cls, value: object) -> object:
        if not isinstance(value, dict):
            return value
        keys = [_lower_choice(k) for k in value]
        repeated = sorted({str(k) for k in keys if keys.count(k) > 1})
        if repeated:
            raise ValueError(f"{', '.join(repeated)} is given twice (in other capitals): keep one")
        return dict(zip(keys, value.values(), strict=True))


class Review(Model):
    """Draft review and approval."""

    draft_required: bool = Field(True, description="A draft goes to the brand before publishing.")
    revision_rounds: int = Field(2, ge=0, le=20, description="Rounds of revisions included in the fee.")
    brand_feedback_days: Days = Field(2, description="Business days the brand has to answer a draft.")
    reshoot_if_off_brief: bool = Field(True, description="Off-brief content is reshot at no cost.")


class Communication(Model):
    """How the two sides keep in touch."""

    channels: list[Text] = Field(default_factory=lambda: ["email"], description="Agreed channels.")
    response_hours: int = Field(24, ge=1, le=720, description="Both sides answer within this many hours.")


class Milestone(Model):
    """One instalment of the fee."""

    label: Text = Field(description="When it is due, e.g. On signature.")
    percent: Percent = Field(description="Share of the fee, 0-100.")


class GiftedProduct(Model):
    """Product given to the influencer as (part of) the consideration."""

    description: Text = Field(description="What is given.")
    value: Money = Field(description="Its retail value in the campaign currency.")
    returnable: bool = Field(False, description="The product must be returned after the campaign.")
    delivered_by: Date | None = Field(
        None, description="Date the brand delivers the product by; default: 7 days before the first draft is due."
    )


def _sums_to_100(schedule: list[Milestone]) -> list[Milestone]:
    # On the field, not among the cross-field rules: it is reported together with every other mistake.
    if schedule and (total := sum(m.percent for m in schedule)) != 100:
        raise ValueError(f"percentages sum to {total:g}, expected 100")
    return schedule


class Payment(Model):
    """The fee and how it is paid."""

    fee: Money = Field(description="Default fee where an influencer has none (0 for gifted-only).")
    schedule: Annotated[list[Milestone], AfterValidator(_sums_to_100)] = Field(
        default_factory=list, description="Instalments; default 100% on completion. Sum to 100."
    )
    net_days: Days = Field(30, description="Days after invoice within which payment is made.")
    method: Text | None = Field(None, description="How payment is made, e.g. bank transfer.")
    commission_percent: Percent | None = Field(
        None, description="Commission on sales through the influencer's code or link."
    )
    commission_window_days: Days = Field(30, description="Days after a click in which a sale counts.")
    gifted_product: GiftedProduct | None = Field(None, description="Product given as consideration.")
    expenses: Literal["none", "pre-approved", "capped"] = Field(
        "none", description="Which expenses the brand pays back."
    )
    expenses_cap: Money | None = Field(None, description="Cap on expenses when expenses is capped.")
    kill_fee_percent: Percent | None = Field(
        None, description="Share of the fee paid if the brand cancels without cause."
    )


class LateDelivery(Model):
    """Liquidated damages for late delivery."""

    percent_per_day: Percent = Field(description="Share of the fee deducted per day late.")
    cap_percent: Percent = Field(description="Most that can be deducted, as a share of the fee.")


class Penalties(Model):
    """Consequences of non-performance."""

    late_delivery: LateDelivery | None = Field(None, description="Deduction for late delivery.")
    make_good: bool = Field(False, description="A failed or broken post is re-run at no cost.")
    disclosure_breach: Literal["remove_and_repost", "withhold_payment", "terminate"] = Field(
        "remove_and_repost", description="What happens if a post lacks the ad label."
    )


class UsageRights(Model):
    """What the brand may do with the content."""

    mode: Literal["organic_only", "paid_usage", "buyout"] = Field(
        "organic_only", description="Scope of the brand's use."
    )
    channels: list[Text] = Field(
        default_factory=lambda: ["brand_social"], description="Where the brand may use the content."
    )
    term_months: int | None = Field(
        6, ge=1, le=1200, description="How long the brand may use it; empty means perpetual."
    )
    territory: Text | None = Field(None, description="Where; default: the campaign's country.")
    whitelisting: bool = Field(False, description="Brand may run ads through the influencer's account.")
    raw_footage: bool = Field(False, description="Raw footage is delivered to the brand.")
    ownership: Literal["influencer", "brand"] = Field(
        "influencer", description="influencer keeps copyright (licence) or brand owns it (assignment)."
    )


class Exclusivity(Model):
    """Who the influencer may not work with, and for how long."""

    mode: Literal["none", "category", "competitors"] = Field("none", description="Kind of exclusivity.")
    competitors: list[Text] = Field(default_factory=list, description="Named competitors.")
    category: Text | None = Field(None, description="Product category covered.")
    days_before: Days = Field(0, description="Days before the first post.")
    days_after: Days = Field(0, description="Days after the last post.")


class Conduct(Model):
    """The morality clause."""

    prohibited: list[Text] = Field(default_factory=list, description="Conduct the influencer avoids.")
    termination_for_conduct: bool = Field(True, description="The brand may terminate for conduct.")
    takedown_hours: int = Field(24, ge=1, le=720, description="Hours to take content down on request.")


class Authenticity(Model):
    """Audience-authenticity warranty."""

    warranty: bool = Field(True, description="The influencer warrants a genuine audience.")
    remedy: Literal["refund_and_terminate", "fee_reduction", "terminate"] = Field(
        "refund_and_terminate", description="What the brand may do if the audience is not genuine."
    )


class Disclosure(Model):
    """How the advertising is labelled; defaults come from the jurisdiction's rules."""

    label: Text | None = Field(None, description="The ad label, e.g. #ad.")
    placement: Text | None = Field(None, description="Where the label goes.")
    platform_tools: bool = Field(True, description="Platform paid-partnership tools are switched on.")


class Cadence(Model):
    """Posting cadence, against ad saturation."""

    max_sponsored_posts_per_day: int | None = Field(
        None, ge=1, le=100, description="Most sponsored posts per day on the influencer's accounts."
    )
    min_hours_between_brand_posts: int | None = Field(
        None, ge=1, le=8760, description="Least hours between two posts for the brand."
    )


class Confidentiality(Model):
    """Non-disclosure of the brand's confidential information."""

    nda: bool = Field(False, description="The contract includes a confidentiality clause.")
    years: int = Field(2, ge=1, le=50, description="How long confidentiality lasts.")




class Reporting(Model):
    """Performance reporting."""

    kpis: list[Kpi] = Field(default_factory=list, description="Agreed indicators and targets.")
    report_due_days: Days = Field(7, description="Days after the last post the report is due.")
    insights_screenshots: bool = Field(True, description="The report includes insights screenshots.")
    insights_access: bool = Field(False, description="The brand gets read access to native insights.")


class Utm(Model):
    """UTM parameters; placeholders {platform}, {campaign_id}, {handle}, {HANDLE}."""

    source: Text | None = Field(None, description="utm_source pattern.")
    medium: Text | None = Field(None, description="utm_medium pattern.")
    campaign: Text | None = Field(None, description="utm_campaign pattern.")
    content: Text | None = Field(None, description="utm_content pattern.")
    term: Text | None = Field(None, description="utm_term pattern.")


class Tracking(Model):
    """Tracking links and discount codes, one per influencer."""

    landing_url: Annotated[str, StringConstraints(pattern=r"^https?://[^\s]+$", max_length=2000)] | None = (
        Field(None, description="Landing page the tracking links point to (http or https).")
    )
    utm: Utm = Field(default_factory=Utm, description="UTM parameters added to the landing URL.")
    discount_code: Annotated[
        str, StringConstraints(pattern=r"^[A-Za-z0-9{}_-]{1,64}$")
    ] | None = Field(None, description="Discount-code pattern, e.g. {HANDLE}15.")


class Product(Model):
    """The product the content is about."""

    name: Text = Field(description="Product name.")
    benefits: list[Text] = Field(default_factory=list, description="Claims the brand can substantiate.")
    how_to_use: LongText | None = Field(None, description="How the product is used.")


class Training(Model):
    """A product training session for the influencer."""

    session: Text = Field(description="What the session is, e.g. 30-minute product call.")
    date: Date | None = Field(None, description="When it takes place.")


class Brief(Model):
    """The creative brief; empty parts are left out of the document."""

    key_message: LongText | None = Field(None, description="The one thing the audience should take away.")
    audience: LongText | None = Field(None, description="Who the content is for.")
    tone_of_voice: list[Text] = Field(default_factory=list, description="How it should sound.")
    hashtags: list[Text] = Field(default_factory=list, description="Hashtags to use.")
    mentions: list[Text] = Field(default_factory=list, description="Accounts to tag.")
    keywords: list[Text] = Field(default_factory=list, description="Words to work in.")
    mandatory: list[Text] = Field(default_factory=list, description="Elements every piece must have.")
    visual_guidelines: LongText | None = Field(None, description="Look and setting.")
    dos: list[Text] = Field(default_factory=list, description="Do's.")
    donts: list[Text] = Field(default_factory=list, description="Don'ts.")
    examples: list[Text] = Field(default_factory=list, description="Links to inspiration.")
    call_to_action: Text | None = Field(None, description="What the audience is asked to do.")
    product: Product | None = Field(None, description="The product featured.")
    training: Training | None = Field(None, description="Product training for the influencer.")


class Legal(Model):
    """Governing law and general terms; defaults come from the jurisdiction."""

    governing_law: Text | None = Field(
        None, description="Law governing the contract, as it follows 'the laws of', e.g. 'the State of California'."
    )
    disputes: Literal["courts", "arbitration", "mediation_then_courts"] = Field(
        "courts", description="How disputes are resolved."
    )
    venue: Text | None = Field(None, description="City or court where disputes are heard.")
    termination_notice_days: Days = Field(14, description="Notice for termination for convenience.")
    liability_cap: Literal["total_fee", "none"] | Money = Field(
        "total_fee", description="Cap on liability: total_fee, none, or an amount."
    )
    renewal_option: bool = Field(False, description="Brand has first refusal on a follow-up campaign.")
    liability_floor: Money | None = Field(
        None, description="The least the liability cap can be; default: the jurisdiction pack's floor for the currency."
    )


class CampaignSpec(Model):
    """A whole campaign: one contract and one creative brief per influencer."""

    campaign: Campaign = Field(description="What the campaign is, where and when it runs.")
    brand: Brand = Field(description="The brand that commissions the content.")
    agency: Agency | None = Field(None, description="An agency contracting on the brand's behalf, if any.")
    influencers: list[Influencer] = Field(min_length=1, max_length=10000, description="The creators under contract.")
    deliverables: list[Deliverable] = Field(
        min_length=1, max_length=200, description="Content every influencer makes, unless they have their own."
    )
    review: Review = Field(default_factory=Review, description="Draft review and approval.")
    communication: Communication = Field(default_factory=Communication, description="How the two sides keep in touch.")
    payment: Payment = Field(description="The fee and how it is paid.")
    penalties: Penalties = Field(default_factory=Penalties, description="Consequences of non-performance.")
    usage_rights: UsageRights = Field(default_factory=UsageRights, description="What the brand may do with the content.")
    exclusivity: Exclusivity = Field(default_factory=Exclusivity, description="Who the influencer may not work with.")
    conduct: Conduct = Field(default_factory=Conduct, description="The morality clause.")
    authenticity: Authenticity = Field(default_factory=Authenticity, description="Audience-authenticity warranty.")
    disclosure: Disclosure = Field(default_factory=Disclosure, description="How the advertising is labelled.")
    cadence: Cadence = Field(default_factory=Cadence, description="Posting cadence, against ad saturation.")
    confidentiality: Confidentiality = Field(default_factory=Confidentiality, description="Non-disclosure (NDA).")
    reporting: Reporting = Field(default_factory=Reporting, description="Performance reporting and KPIs.")
    tracking: Tracking = Field(default_factory=Tracking, description="Tracking links and discount codes.")
    brief: Brief = Field(default_factory=Brief, description="The creative brief.")
    legal: Legal = Field(default_factory=Legal, description="Governing law, disputes and general terms.")

    @model_validator(mode="wrap")
    @classmethod
    def _number_style(cls, data: object, handler: ModelWrapValidatorHandler) -> object:
        # Numbers typed as text are read the way the campaign's language and country write them.
        campaign = data.get("campaign") if isinstance(data, dict) else None
        campaign = campaign if isinstance(campaign, dict) else {}
        with number_style(campaign.get("language", "en"), campaign.get("currency", "USD")):
            return handler(data)

    @property
    def campaign_id(self) -> str:
        """The campaign id, or a slug of its name (``Éclat Rose`` → ``eclat-rose``)."""
        return self.campaign.id or slugify(self.campaign.name)
