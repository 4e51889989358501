

def test_campaign_calendar_is_every_duty_once(both: tuple[Path, Path]) -> None:
    # campaign.ics is put together from the influencers' calendar.ics files: the same bytes as
    # drawing every duty of the campaign at once.
    from contractgen.build import engagements
    from contractgen.calendar_export import Words, _brand, calendar_bytes, influencer_duties, stamp_of
    from contractgen.spec import load_spec
    from contractgen.toolkit import Toolkit

    built, _ = both
    spec, kit = load_spec(FULL), Toolkit()
    words = Words(kit, spec)
    duties = {d.uid: d for e in engagements(spec, kit) for d in influencer_duties(e, words)}
    whole = calendar_bytes(words.say("campaign_calendar", campaign=spec.campaign.name, brand=_brand(spec)),
                           sorted(duties.values(), key=lambda d: (d.start, d.end, d.uid)), stamp_of(spec))
    assert (built / "campaign.ics").read_bytes() == whole
