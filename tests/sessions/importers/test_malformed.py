"""Hostile and broken files: each gets a clear ScheduleImportError, and the import has bounds.

The shapes come from an outside review: each of them was a 500 or a worker
killed for memory before.
"""

import datetime as dt
import json
import logging

import pytest

from sessions.importers import PARSERS, ImportLimits, ScheduleImportError, parse_schedule
from sessions.importers.apply import apply_schedule
from sessions.importers.services import SAVING, read_and_apply
from sessions.models import Event

pytestmark = pytest.mark.unit


def problems(data: bytes, **kwargs) -> list[str]:
    with pytest.raises(ScheduleImportError) as caught:
        parse_schedule(data, **kwargs)
    return [str(problem) for problem in caught.value.problems]


def ics(*events: str, header: str = "") -> bytes:
    body = "".join(f"BEGIN:VEVENT\r\n{event}END:VEVENT\r\n" for event in events)
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n{header}{body}END:VCALENDAR\r\n".encode()


def vevent(uid: str, start: str = "20310506T090000Z", end: str = "20310506T093000Z") -> str:
    return f"UID:{uid}\r\nSUMMARY:Talk {uid}\r\nDTSTART:{start}\r\nDTEND:{end}\r\n"


def frab_xml(*events: str, zone: str = "Europe/Berlin") -> bytes:
    return (
        "<schedule><conference><title>Tiny</title>"
        f"<time_zone_name>{zone}</time_zone_name></conference>"
        f"<day date='2031-05-06'><room name='A'>{''.join(events)}</room></day></schedule>"
    ).encode()


def xml_event(guid: str, date: str = "2031-05-06T10:00:00+02:00", duration="00:30") -> str:
    return (
        f"<event guid='{guid}'><date>{date}</date><duration>{duration}</duration>"
        f"<title>Talk {guid}</title></event>"
    )


def frab_json(*events: dict, zone: str = "Europe/Berlin") -> bytes:
    conference = {
        "title": "Tiny",
        "time_zone_name": zone,
        "days": [{"date": "2031-05-06", "rooms": {"A": list(events)}}],
    }
    return json.dumps({"schedule": {"conference": conference}}).encode()


def json_event(guid: str, **fields) -> dict:
    return {
        "guid": guid,
        "title": f"Talk {guid}",
        "date": "2031-05-06T10:00:00+02:00",
        "duration": "00:30",
    } | fields


# --- What the review found ---------------------------------------------------


def test_an_ics_zone_that_is_a_folder_is_a_warning_not_a_crash():
    parsed = parse_schedule(ics(vevent("a"), header="X-WR-TIMEZONE:Europe\r\n"))

    assert parsed.conference.time_zone == "UTC"
    assert [str(w) for w in parsed.warnings] == [
        "X-WR-TIMEZONE: “Europe” is not a known IANA time zone; times without a zone of "
        "their own are read as UTC (choose the event's zone when importing a new event)"
    ]


@pytest.mark.parametrize("zone", ["Europe", "../../../etc/passwd", "Mars/Olympus_Mons"])
def test_a_frab_zone_that_does_not_exist_is_a_warning(zone):
    for data in (frab_xml(xml_event("a"), zone=zone), frab_json(json_event("a"), zone=zone)):
        parsed = parse_schedule(data)

        assert parsed.conference.time_zone == ""
        assert [w.what.split(";")[0] for w in parsed.warnings] == [
            f"“{zone}” is not a known IANA time zone"
        ]


@pytest.mark.parametrize(
    ("start", "end", "shown"),
    [
        ("00010101T090000", "00010101T100000", "0001-01-01T09:00:00"),
        ("20310506T090000Z", "99991231T235959", "9999-12-31T23:59:59"),
        ("19691231T230000Z", "20310506T093000Z", "1969-12-31T23:00:00+00:00"),
    ],
    ids=["year 1", "year 9999", "before 1970"],
)
def test_ics_times_outside_any_conference_are_refused_with_the_line(start, end, shown):
    data = ics(vevent("ok"), vevent("bad", start, end), header="X-WR-TIMEZONE:Europe/Berlin\r\n")

    assert problems(data) == [
        f"line 10 (source id bad): unreadable DTSTART or DTEND ({shown} is outside "
        "the years 1970 to 2100)"
    ]


def test_frab_times_outside_any_conference_are_refused_with_the_element():
    assert problems(frab_xml(xml_event("a", date="0001-01-01T00:00:00+02:00"))) == [
        "<event> #1 (day 1) (source id a): unreadable date, start or duration "
        "(0001-01-01T00:00:00+02:00 is outside the years 1970 to 2100)"
    ]
    assert problems(frab_json(json_event("b", duration="99999:00:00:00"))) == [
        "days[0].rooms['A'][0] (source id b): unreadable date, start or duration "
        "(2305-02-18T10:00:00+02:00 is outside the years 1970 to 2100)"
    ]


def test_json_nested_100000_deep_is_refused():
    deep = b'{"schedule": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"

    assert problems(deep) == [
        "file: The JSON is nested far more deeply than any schedule; it was not read."
    ]


def test_json_with_a_5000_digit_number_is_refused():
    data = b'{"schedule": {"conference": {"days": [], "title": ' + b"9" * 5000 + b"}}}"

    assert problems(data) == [
        "file: The JSON holds a number of more than 4,300 digits, which no schedule needs; "
        "it was not read."
    ]


def test_a_list_where_a_title_belongs_is_no_title():
    assert problems(frab_json(json_event("a", title=[[["Talk"]]]))) == [
        "days[0].rooms['A'][0] (source id a): the entry has no title"
    ]


def test_an_unforeseen_failure_is_a_clear_message_and_is_logged(monkeypatch, caplog):
    def parser_meeting_the_unforeseen(data, options):
        raise KeyError("something no rule foresaw")

    monkeypatch.setitem(PARSERS, "frab-xml", parser_meeting_the_unforeseen)

    with caplog.at_level(logging.ERROR, logger="sessions.importers"):
        found = problems(frab_xml(xml_event("a")))

    assert found == [
        "file: The file could not be read as a frab/pretalx XML schedule: it is damaged or in "
        "a shape this import does not know. (The details were logged for the site's developers.)"
    ]
    assert "something no rule foresaw" in caplog.text


def test_a_long_value_is_quoted_short():
    found = problems(frab_xml(xml_event("a", duration="1" * 5000)))

    assert found == [
        "<event> #1 (day 1) (source id a): unreadable date, start or duration "
        f"(“{'1' * 39}…” is not a duration such as 00:30)"
    ]


def test_a_file_broken_everywhere_lists_a_hundred_problems_and_counts_the_rest():
    data = frab_xml(*(xml_event(f"e{n}", duration="soon") for n in range(250)))

    found = problems(data)

    assert len(found) == 101
    assert found[-1] == "file: … and 150 more problems"


# --- The entry cap -----------------------------------------------------------


def test_an_ics_file_over_the_default_cap_is_refused_before_it_is_parsed():
    # 20,001 minimal events: the review's 100,000 in miniature, at the real default.
    data = ics(*(vevent(str(n)) for n in range(20_001)))

    assert problems(data) == [
        "file: The file has 20,001 events (VEVENT); an import takes at most 20,000 "
        "(the IMPORT_MAX_ENTRIES setting)."
    ]


def test_the_ics_count_comes_before_reading_even_a_broken_file(settings):
    settings.IMPORT_MAX_ENTRIES = 3
    # Four events, one spelled with a parameter, then a line no iCalendar reader takes.
    data = (
        ics(*(vevent(str(n)) for n in range(3)), "UID:x\r\n").replace(
            b"BEGIN:VEVENT\r\nUID:x", b"begin;x-y=z:vevent\r\nUID:x"
        )
        + b"\x00not ical"
    )

    assert problems(data) == [
        "file: The file has 4 events (VEVENT); an import takes at most 3 "
        "(the IMPORT_MAX_ENTRIES setting)."
    ]


def test_xml_reading_stops_at_the_first_event_over_the_cap(settings):
    settings.IMPORT_MAX_ENTRIES = 3
    # Malformed after the fourth event: reading never gets there.
    data = frab_xml(*(xml_event(str(n)) for n in range(4))) + b"<unclosed"

    assert problems(data) == [
        "file: The file has more than 3 <event> elements; an import takes at most 3 "
        "(the IMPORT_MAX_ENTRIES setting)."
    ]


def test_json_events_are_counted_before_any_is_read(settings):
    settings.IMPORT_MAX_ENTRIES = 3
    # None of them could be read; the count is what the editor hears about.
    data = frab_json(*({"guid": str(n)} for n in range(5)))

    assert problems(data) == [
        "file: The file has 5 events; an import takes at most 3 (the IMPORT_MAX_ENTRIES setting)."
    ]


def test_a_file_at_the_cap_is_read(settings):
    settings.IMPORT_MAX_ENTRIES = 3

    for data in (
        ics(*(vevent(str(n)) for n in range(3))),
        frab_xml(*(xml_event(str(n)) for n in range(3))),
        frab_json(*(json_event(str(n)) for n in range(3))),
    ):
        assert len(parse_schedule(data).sessions) == 3


# --- The time budget ---------------------------------------------------------


def test_reading_stops_when_the_time_budget_is_spent(settings):
    settings.IMPORT_TIME_BUDGET_SECONDS = 0

    assert problems(ics(vevent("a"), vevent("b"))) == [
        "line 3: the import took longer than its time budget of 0 seconds "
        "(the IMPORT_TIME_BUDGET_SECONDS setting) and was stopped here"
    ]


@pytest.mark.django_db
def test_applying_stops_when_the_time_budget_is_spent_and_writes_nothing():
    parsed = parse_schedule(frab_xml(xml_event("a")))

    with pytest.raises(ScheduleImportError) as caught:
        apply_schedule(
            parsed=parsed, event_slug="tiny", limits=ImportLimits(max_entries=10, seconds=0)
        )

    assert [p.where for p in caught.value.problems] == ["saving the schedule"]
    assert not Event.objects.exists()


class StoppedClock:
    """A clock that moves only when a test moves it."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.django_db
def test_one_budget_covers_reading_and_applying():
    clock = StoppedClock()
    limits = ImportLimits(max_entries=10, seconds=120, clock=clock)

    def reading_took_121_seconds(stage, done, total):
        if stage == SAVING:
            clock.now = 121.0

    # Saving alone would be within 120 seconds; reading and saving together are not.
    with pytest.raises(ScheduleImportError) as caught:
        read_and_apply(
            data=frab_xml(xml_event("a")),
            event_slug="tiny",
            limits=limits,
            progress=reading_took_121_seconds,
        )

    assert [p.where for p in caught.value.problems] == ["saving the schedule"]
    assert not Event.objects.exists()


def test_dates_inside_the_range_are_read():
    parsed = parse_schedule(ics(vevent("a", "20990506T090000Z", "20990506T093000Z")))

    assert parsed.sessions[0].starts_at == dt.datetime(2099, 5, 6, 9, 0, tzinfo=dt.UTC)


@pytest.mark.django_db
def test_nul_characters_are_dropped_so_postgresql_can_store_the_schedule():
    data = frab_json(json_event("a\x00", title="Talk\x00 one", persons=["Ada\x00 Lovelace"]))

    report = read_and_apply(data=data, event_slug="tiny")

    session = report.event.sessions.get()
    assert (session.source_id, session.title) == ("a", "Talk one")
    assert [speaker.name for speaker in session.speakers.all()] == ["Ada Lovelace"]
