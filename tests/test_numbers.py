"""Numbers as people type them (spec/numbers.py), in spec files, the questionnaire and rosters.

Each format of issue 15 is accepted or refused with the documented message: a number that reads
two ways names both readings and shows how to write each in the campaign's own format.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from contractgen.spec.numbers import UNKNOWN, NumberError, campaign_style, parse_number

EN, FR, DE = campaign_style("en"), campaign_style("fr"), campaign_style("de")


@pytest.mark.parametrize(("text", "style", "value"), [
    ("€1,500", EN, "1500"),
    ("1 500 €", FR, "1500"),
    ("1\u202f500\u00a0€", FR, "1500"),  # the narrow no-break space French software writes
    ("1.500,00 €", DE, "1500.00"),
    ("1.500,00 €", FR, "1500.00"),
    ("1.500,00 €", EN, "1500.00"),  # both marks: only one reading, whatever the campaign's language
    ("89,00 €", EN, "89.00"),  # two decimals: a comma that cannot group thousands
    ("45.2k", EN, "45200"),
    ("45,2k", FR, "45200"),
    ("45 200", EN, "45200"),
    ("45 200", UNKNOWN, "45200"),  # spaces only: both readings agree
    ("EUR 4,500", EN, "4500"),
    ("12,500.50", EN, "12500.50"),
    ("1.000.000", UNKNOWN, "1000000"),  # a repeated mark groups thousands
    ("50%", EN, "50"),
    ("800", UNKNOWN, "800"),
])
def test_accepted(text: str, style, value: str) -> None:
    assert parse_number(text, style) == Decimal(value)


@pytest.mark.parametrize(("text", "style", "message"), [
    ("1,500", FR, "'1,500' could be 1500 or 1,5: ',' is the decimal mark here (as French writes numbers); "
                  "write 1500 without a separator, or 1,50 for the decimal"),
    ("1.500", EN, "'1.500' could be 1500 or 1.5"),
    ("1,500", UNKNOWN, "'1,500' could be 1500 or 1.5: nothing shows which of , and . is the decimal mark"),
    ("1,5,00", EN, "'1,5,00' is not a number as it is written here: '.' is the decimal mark "
                   "(as English writes numbers) and ',' or a space separates thousands; e.g. 1,500.50 or 1500.50"),
    ("a lot", DE, "'a lot' is not a number; write it as digits, e.g. 1500 or 1.500,50"),
])
def test_refused_with_what_was_understood(text: str, style, message: str) -> None:
    with pytest.raises(NumberError) as caught:
        parse_number(text, style)
    assert str(caught.value).startswith(message)


def test_counts_are_whole() -> None:
    assert parse_number("45.2k", EN, whole=True) == 45200
    with pytest.raises(NumberError, match="not a whole number"):
        parse_number("45.25", EN, whole=True)


def test_spec_files_read_numbers_as_their_campaign_writes_them(make_spec, cli) -> None:
    def french(data: dict) -> None:
        data["campaign"].update(jurisdiction="FR", currency="EUR")
        data["payment"]["fee"] = "1 500 €"
        data["influencers"][0]["platforms"] = {"instagram": {"followers": "45.2k"}}

    from contractgen.spec import load_spec

    spec = load_spec(make_spec(french))
    assert spec.payment.fee == Decimal(1500)
    assert spec.influencers[0].platforms["instagram"].followers == 45200

    def ambiguous(data: dict) -> None:
        data["payment"]["fee"] = "1.500"

    result = cli("validate", make_spec(ambiguous))
    assert result.exit_code == 1
    assert "payment.fee: '1.500' could be 1500 or 1.5" in result.output + result.stderr
    assert "valid decimal" not in result.output + result.stderr
