"""Calendar files of every dated duty: ``campaign.ics`` for the brand, ``<slug>/calendar.ics`` each.

Duties: the draft due date and the publish window (an all-day event over several days) of each
deliverable, the report due date, dated payment milestones, the product training, and the last
days of the usage period and of exclusivity (each with a reminder ``REMINDER_DAYS`` before). Built with
the icalendar package. Output is the same bytes on every run: UIDs come from the campaign id,
the influencer and the duty, and DTSTAMP is the agreement date (or the campaign start), so a
rebuilt file updates the events already imported instead of duplicating them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from contractgen import __version__
from contractgen.engagement import Engagement, Instalment
from contractgen.locale import Locale
from contractgen.spec.loader import load_file
from contractgen.spec.models import LINE_BREAKS, CampaignSpec
from contractgen.toolkit import Toolkit

CAMPAIGN_FILE = "campaign.ics"
REMINDER_DAYS = 14  # how long before a licence or exclusivity ends the calendar reminds
INFLUENCER_FILE = "calendar.ics"


@dataclass(frozen=True)
class Duty:
    """One dated duty: an all-day event from ``start`` to ``end`` (both included)."""

    uid: str
    summary: str
    description: str
    start: dt.date
    end: dt.date
    kind: str  # draft, publish, report, payment, training, usage, exclusivity
    reminder_days: int | None = None  # an alarm this many days before the start


class Words:
    """The calendar wording of one language (``templates/<lang>/calendar.yaml``, else English)."""

    def __init__(self, kit: Toolkit, spec: CampaignSpec) -> None:
        path = kit.templates / spec.campaign.language / "calendar.yaml"
        if not path.is_file():  # English words need English names and digits too
            path = kit.templates / "en" / "calendar.yaml"
            spec = spec.model_copy(update={"campaign": spec.campaign.model_copy(update={"language": "en"})})
        self.patterns: dict[str, str] = _patterns(path)
        self.locale: Locale = kit.locale(spec)

    def say(self, key: str, **values: Any) -> str:
        """A pattern with its values filled in (numbers in the document's digits)."""
        return self.patterns[key].format(**{k: self.locale.digits(str(v)) if isinstance(v, int) else str(v)
                                            for k, v in values.items()})


@cache
def _patterns(path: Path) -> dict[str, str]:
    # Read once per process: a batch worker makes a calendar per influencer from the same file.
    return load_file(path).data


def influencer_duties(engagement: Engagement, words: Words) -> list[Duty]:
    """The dated duties of one influencer, in date order (the training included)."""
    spec, deal, person = engagement.spec, engagement.deal, engagement.influencer
    handle = person.handle
    base = f"{spec.campaign_id}-{deal.slug}".lower()
    about = words.say("description", campaign=spec.campaign.name, brand=deal.brand_name, name=person.legal_name,
                      handle=handle)
    locale = words.locale
    out = []
    for i, d in enumerate(deal.deliverables):
        piece = words.say("piece", count=d.count, platform=locale.term(d.platform, "platform"),
                          format=locale.term(d.format, "format" if d.count == 1 else "format_plural"))
        if spec.review.draft_required:
            out.append(Duty(f"{base}-d{i + 1}-draft", words.say("draft_due", piece=piece, handle=handle), about,
                            d.draft_due, d.draft_due, "draft"))
        out.append(Duty(f"{base}-d{i + 1}-publish", words.say("publish", piece=piece, handle=handle), about,
                        d.publish_from, d.publish_to, "publish"))
    out.append(Duty(f"{base}-report", words.say("report_due", handle=handle), about, deal.report_due, deal.report_due,
                    "report"))
    for i, instalment in enumerate(deal.schedule):
        day = _due(instalment)
        if day is not None:
            out.append(Duty(f"{base}-pay{i + 1}", words.say("payment_due", label=instalment.label, handle=handle),
                            about, day, day, "payment"))
    # The last days of the rights the brand holds: paid ads must stop, exclusivity lapses.
    if deal.usage_end is not None:
        out.append(Duty(f"{base}-usage-end", words.say("usage_end", handle=handle), about, deal.usage_end,
                        deal.usage_end, "usage", REMINDER_DAYS))
    if spec.exclusivity.mode != "none":
        out.append(Duty(f"{base}-exclusivity-end", words.say("exclusivity_end", handle=handle), about,
                        deal.exclusivity_to, deal.exclusivity_to, "exclusivity", REMINDER_DAYS))
    training = training_duty(spec, words)
    if training is not None:
        out.append(training)
    return sorted(out, key=lambda d: (d.start, d.end, d.uid))


def training_duty(spec: CampaignSpec, words: Words) -> Duty | None:
    """The product training, shared by every influencer (one UID in every file)."""
    training = spec.brief.training
    if training is None or training.date is None:
        return None
    brand = spec.brand.display_name or spec.brand.legal_name
    return Duty(f"{spec.campaign_id}-training".lower(), words.say("training", session=training.session),
                words.say("training_description", campaign=spec.campaign.name, brand=brand),
                training.date, training.date, "training")


def _due(instalment: Instalment) -> dt.date | None:
    # Milestones carry only a label today; a milestone that gains a date becomes an event here.
    day = getattr(instalment, "date", None)
    return day if isinstance(day, dt.date) else None


def calendar_bytes(name: str, duties: Sequence[Duty], stamp: dt.datetime) -> bytes:
    """An iCalendar file of all-day events.

    Every text value goes in as an escaped TEXT value: names and summaries on one line, the
    description's own line breaks as ``\\n``. The result is checked to be nothing but content
    lines, so no value can end a line and start a property or an event of its own.
    """
    from icalendar import Alarm, Calendar, Event

    cal = Calendar()
    cal.add("prodid", f"-//contractgen//contractgen {__version__}//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", _text(name))
    for duty in duties:
        event = Event()
        event.add("uid", _text(f"{duty.uid}@contractgen"))
        event.add("dtstamp", stamp)
        event.add("dtstart", duty.start)
        event.add("dtend", duty.end + dt.timedelta(days=1))  # DTEND of an all-day event is exclusive
        event.add("summary", _text(duty.summary))
        event.add("description", _text(duty.description, lines=True))
        event.add("categories", [duty.kind])
        event.add("transp", "TRANSPARENT")  # a deadline does not make anyone busy all day
        if duty.reminder_days:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", _text(duty.summary))
            alarm.add("trigger", -dt.timedelta(days=duty.reminder_days))
            event.add_component(alarm)
        cal.add_component(event)
    data = cal.to_ical()
    _check_lines(data)
    return data


def _text(value: str, lines: bool = False) -> Any:
    """A TEXT value, escaped on output; line breaks of every kind become spaces (or ``\\n``)."""
    from icalendar import vText

    return vText(LINE_BREAKS.sub("\n" if lines else " ", value))


_CONTENT_LINE = re.compile(rb"(?:[A-Za-z0-9-]+[;:]| )[^\r\n]*")


def _check_lines(data: bytes) -> None:
    # icalendar guards its lines with an assert, which python -O removes: check here instead.
    for number, line in enumerate(data.split(b"\r\n")[:-1], start=1):
        if not _CONTENT_LINE.fullmatch(line):
            raise RuntimeError(f"calendar line {number} is not an iCalendar content line: {line[:60]!r}")
    if not data.endswith(b"\r\n"):
        raise RuntimeError("calendar does not end with a line break")


def stamp_of(spec: CampaignSpec) -> dt.datetime:
    """The fixed DTSTAMP: 09:00 UTC on the agreement date, or the campaign start."""
    day = spec.campaign.agreement_date or spec.campaign.start
    return dt.datetime(day.year, day.month, day.day, 9, 0, 0, tzinfo=dt.UTC)


def influencer_calendar(engagement: Engagement, kit: Toolkit) -> bytes:
    """One influencer's calendar.ics: their dated duties (and the shared training)."""
    spec = engagement.spec
    words = Words(kit, spec)
    name = words.say("influencer_calendar", campaign=spec.campaign.name, brand=_brand(spec),
                     handle=engagement.influencer.handle)
    return calendar_bytes(name, influencer_duties(engagement, words), stamp_of(spec))


def campaign_calendar(spec: CampaignSpec, calendars: Iterable[bytes], kit: Toolkit) -> bytes:
    """campaign.ics: every event of these influencers' calendar.ics files, the shared training once.

    Made from the influencers' files rather than from their duties again: a batch has them on
    disk already (also those unchanged since the last run), and drawing every event a second
    time would be most of the campaign stage's time. The result is the same bytes as
    :func:`calendar_bytes` of all the duties: an event's lines do not depend on its neighbours.
    """
    words = Words(kit, spec)
    events: dict[bytes, tuple[tuple[bytes, bytes, bytes], bytes]] = {}
    for data in calendars:
        for block in _events(data):
            key = _sort_key(block)
            events.setdefault(key[2], (key, block))  # one UID, one event
    empty = calendar_bytes(words.say("campaign_calendar", campaign=spec.campaign.name, brand=_brand(spec)), [],
                           stamp_of(spec))
    head, end = empty.removesuffix(_END), _END
    data = head + b"".join(block for _, block in sorted(events.values())) + end
    _check_lines(data)
    return data


_END = b"END:VCALENDAR\r\n"


def _events(data: bytes) -> list[bytes]:
    """The VEVENT blocks of a calendar this module wrote, each with its line breaks."""
    blocks = []
    for piece in data.split(b"BEGIN:VEVENT\r\n")[1:]:
        body, found, _ = piece.partition(b"END:VEVENT\r\n")
        if not found:
            raise RuntimeError("calendar event without its end")
        blocks.append(b"BEGIN:VEVENT\r\n" + body + b"END:VEVENT\r\n")
    return blocks


def _sort_key(block: bytes) -> tuple[bytes, bytes, bytes]:
    """(DTSTART, DTEND, UID) of one event block, as :func:`calendar_bytes` orders duties."""
    fields = {}
    for line in block.replace(b"\r\n ", b"").split(b"\r\n"):  # unfolded
        name, _, value = line.partition(b":")
        fields.setdefault(name.split(b";")[0], value)
    return fields.get(b"DTSTART", b""), fields.get(b"DTEND", b""), fields.get(b"UID", b"")


def _brand(spec: CampaignSpec) -> str:
    return spec.brand.display_name or spec.brand.legal_name
