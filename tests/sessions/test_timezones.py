import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.test import RequestFactory

from confguide.timezones import reader_time_zone, time_zone_choices, zoned_spans
from sessions.days import conference_day
from sessions.templatetags.conference import two_zone_html

pytestmark = pytest.mark.unit

NEW_YORK = ZoneInfo("America/New_York")
LOS_ANGELES = ZoneInfo("America/Los_Angeles")


def test_patrick_ohlys_session_reads_in_both_zones():
    start = dt.datetime(2020, 11, 19, 20, 45, tzinfo=dt.UTC)
    end = dt.datetime(2020, 11, 19, 21, 20, tzinfo=dt.UTC)

    html = two_zone_html(start, end, event_tz=NEW_YORK, reader_tz=LOS_ANGELES)

    assert ">15:45</time>\u2013<time" in html
    assert '>16:20</time> <abbr title="America/New_York">EST</abbr>' in html
    assert ">12:45</time>\u2013<time" in html
    assert '<abbr title="America/Los_Angeles">PST</abbr>' in html
    assert html.index("15:45") < html.index("12:45")


def test_reader_in_the_events_zone_sees_each_time_once():
    start = dt.datetime(2020, 11, 19, 20, 45, tzinfo=dt.UTC)

    event_span, reader_span = zoned_spans(start, None, event_tz=NEW_YORK, reader_tz=NEW_YORK)

    assert reader_span is None
    assert event_span.label == "EST"


def test_reader_time_on_another_date_names_that_date():
    start = dt.datetime(2020, 11, 19, 20, 45, tzinfo=dt.UTC)

    html = two_zone_html(start, None, event_tz=NEW_YORK, reader_tz=ZoneInfo("Asia/Tokyo"))

    assert '>05:45</time> <abbr title="Asia/Tokyo">JST</abbr> (Fri 20 Nov)' in html


def test_reader_range_running_past_midnight_names_the_day_it_ends():
    # A full-day co-located event, 08:30-20:30 in Amsterdam, read from Kolkata.
    amsterdam = ZoneInfo("Europe/Amsterdam")
    start = dt.datetime(2026, 3, 22, 8, 30, tzinfo=amsterdam)

    html = two_zone_html(
        start,
        start + dt.timedelta(hours=12),
        event_tz=amsterdam,
        reader_tz=ZoneInfo("Asia/Kolkata"),
    )

    assert "(ends Mon 23 Mar)" in html
    assert html.count("(ends") == 1  # the event's own 08:30-20:30 stays on one day


def test_range_ending_at_midnight_stays_on_its_day():
    start = dt.datetime(2026, 3, 22, 22, 0, tzinfo=dt.UTC)

    html = two_zone_html(
        start, start + dt.timedelta(hours=2), event_tz=ZoneInfo("UTC"), reader_tz=None
    )

    assert "(ends" not in html


def test_session_across_the_clock_change_names_the_zone_at_each_end():
    # Europe's clocks went forward at 02:00 CET on 29 March 2026: an hour-long
    # session from 01:30 CET ends at 03:30 CEST, and the range must not read
    # as two hours of "CET".
    amsterdam = ZoneInfo("Europe/Amsterdam")
    start = dt.datetime(2026, 3, 29, 0, 30, tzinfo=dt.UTC)

    html = two_zone_html(
        start,
        start + dt.timedelta(hours=1),
        event_tz=amsterdam,
        reader_tz=ZoneInfo("Asia/Kolkata"),
    )

    assert (
        '>01:30</time> <abbr title="Europe/Amsterdam">CET</abbr>\u2013<time' in html
        and '>03:30</time> <abbr title="Europe/Amsterdam">CEST</abbr>' in html
    )
    # Kolkata, half an hour off the hour and without daylight saving, keeps one label.
    assert (
        '>06:00</time>\u2013<time datetime="2026-03-29T07:00:00+05:30">07:00</time> <abbr' in html
    )


def test_session_at_half_past_one_stays_on_the_previous_conference_day():
    half_past_one = dt.datetime(2020, 11, 20, 1, 30, tzinfo=NEW_YORK)

    assert conference_day(half_past_one, NEW_YORK) == dt.date(2020, 11, 19)


@pytest.mark.parametrize(
    ("cookie", "expected"),
    [
        ("America%2FLos_Angeles", "America/Los_Angeles"),
        ('"America/Los_Angeles"', "America/Los_Angeles"),
        ("UTC", "UTC"),
        ("Mars%2FOlympus_Mons", None),
        ("x" * 5000, None),
        ("", None),
    ],
)
def test_reader_time_zone_comes_from_a_valid_cookie_only(cookie, expected):
    request = RequestFactory().get("/")
    request.COOKIES["reader_tz"] = cookie

    zone = reader_time_zone(request)

    assert (zone.key if zone else None) == expected


def test_time_zone_choices_offer_utc_first_and_no_legacy_aliases():
    choices = time_zone_choices()

    assert choices[0] == "UTC"
    assert "America/Los_Angeles" in choices
    assert "US/Pacific" not in choices
