"""The event's time zone: named by the file, chosen by the editor, inferred, or asked for."""

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from sessions.importers import ScheduleImportError, parse_schedule
from sessions.importers.apply import apply_schedule
from sessions.importers.services import read_and_apply
from sessions.models import Event, Session
from tests.factories import EventFactory

UTC = dt.UTC
ASK = "choose the event's time zone (the command's --time-zone, or Time zone in the import form)"


def frab_xml(*events: str, title: str = "Tiny", zone: str = "") -> bytes:
    named = f"<time_zone_name>{zone}</time_zone_name>" if zone else ""
    return (
        f"<schedule><conference><title>{title}</title>{named}</conference>"
        f"<day date='2031-05-06'><room name='A'>{''.join(events)}</room></day></schedule>"
    ).encode()


def xml_event(guid: str, date: str = "", start: str = "09:30") -> str:
    when = f"<date>{date}</date>" if date else ""
    return (
        f"<event guid='{guid}'>{when}<start>{start}</start><duration>00:30</duration>"
        f"<title>Talk {guid}</title></event>"
    )


def without_zone_name(data: bytes) -> bytes:
    return data.replace(b"<time_zone_name>US/Eastern</time_zone_name>", b"").replace(
        b'"time_zone_name": "US/Eastern", ', b""
    )


@pytest.mark.unit
@pytest.mark.parametrize("name", ["good2025-schedule.xml", "good2025-schedule.json"])
def test_a_real_frab_file_without_a_zone_asks_rather_than_guess(shared_data, name):
    # GOOD 2025's times are at UTC-04:00, which many zones share in March.
    data = without_zone_name((shared_data / "good2025" / name).read_bytes())

    conference = parse_schedule(data).conference

    assert conference.time_zone == ""
    assert conference.time_zone_question.startswith(
        "The file names no time zone; its times are at UTC-04:00 (17 Mar to 20 Mar 2025), which "
    )
    assert conference.time_zone_question.endswith(f"; {ASK}.")


@pytest.mark.django_db
@pytest.mark.integration
def test_a_new_event_with_no_known_zone_is_refused_until_one_is_chosen(shared_data):
    data = without_zone_name((shared_data / "good2025/good2025-schedule.xml").read_bytes())

    with pytest.raises(ScheduleImportError) as caught:
        read_and_apply(data=data, event_slug="good-2025")
    assert not Event.objects.exists()
    report = read_and_apply(data=data, event_slug="good-2025", time_zone="America/New_York")

    (problem,) = caught.value.problems
    assert "UTC-04:00" in problem.what
    assert problem.what.endswith(f"; {ASK}.")
    event = Event.objects.get(slug="good-2025")
    assert (event.time_zone, report.event_created) == ("America/New_York", True)
    jam = Session.objects.get(source_id="307e1812-4a21-5d33-910b-30543d8c6026")
    assert jam.starts_at == dt.datetime(2025, 3, 17, 17, 0, tzinfo=UTC)


@pytest.mark.unit
def test_an_offset_only_one_zone_has_is_inferred_and_said():
    parsed = parse_schedule(frab_xml(xml_event("a", "2031-05-06T10:00:00+05:45")))

    assert parsed.conference.time_zone == "Asia/Kathmandu"
    assert parsed.conference.time_zone_source == (
        "inferred from the offsets UTC+05:45 (6 May 2031), which only it has"
    )
    assert [str(w) for w in parsed.warnings] == [
        "time zone: the file names none; Asia/Kathmandu was inferred from the offsets "
        "UTC+05:45 (6 May 2031), which only it has (check it, or choose another when importing)"
    ]


@pytest.mark.unit
def test_a_city_in_the_title_picks_the_zone_among_those_the_offsets_fit():
    data = frab_xml(xml_event("a", "2031-02-01T10:00:00+01:00"), title="FOSDEM Brussels 2031")

    conference = parse_schedule(data).conference

    assert conference.time_zone == "Europe/Brussels"
    assert conference.time_zone_source == (
        "inferred from the place “Brussels” and the offsets UTC+01:00 (1 Feb 2031)"
    )


@pytest.mark.unit
def test_a_city_whose_offset_disagrees_is_not_taken():
    # Lisbon is at UTC+00:00 in February: the title's city does not fit the times.
    data = frab_xml(xml_event("a", "2031-02-01T10:00:00+01:00"), title="Web Summit Lisbon")

    conference = parse_schedule(data).conference

    assert conference.time_zone == ""
    assert conference.time_zone_question.startswith(
        "The file names no time zone; its times are at UTC+01:00 (1 Feb 2031), which "
    )


@pytest.mark.unit
def test_times_in_utc_say_nothing_of_the_place():
    data = frab_xml(xml_event("a", "2031-05-06T10:00:00+00:00"), title="Jakarta EE Day")

    conference = parse_schedule(data).conference

    assert conference.time_zone == ""
    assert conference.time_zone_question == (
        "The file names no time zone and gives its times in UTC, which say nothing of where "
        f"the conference is; {ASK}."
    )


@pytest.mark.unit
def test_local_times_without_any_zone_are_refused():
    with pytest.raises(ScheduleImportError) as caught:
        parse_schedule(frab_xml(xml_event("a")))

    assert [p.what for p in caught.value.problems] == [
        f"The file gives times without a UTC offset and names no time zone; {ASK}."
    ]


@pytest.mark.unit
def test_local_times_are_read_in_the_chosen_zone():
    parsed = parse_schedule(frab_xml(xml_event("a")), time_zone="Europe/Berlin")

    assert parsed.sessions[0].starts_at == dt.datetime(2031, 5, 6, 7, 30, tzinfo=UTC)
    assert (parsed.conference.time_zone, parsed.conference.time_zone_source) == (
        "Europe/Berlin",
        "chosen when importing",
    )


@pytest.mark.unit
def test_the_files_own_zone_reads_its_times_even_when_another_is_chosen():
    parsed = parse_schedule(frab_xml(xml_event("a"), zone="US/Eastern"), time_zone="Europe/Berlin")

    assert parsed.sessions[0].starts_at == dt.datetime(2031, 5, 6, 13, 30, tzinfo=UTC)
    assert parsed.conference.time_zone == "Europe/Berlin"


@pytest.mark.django_db
@pytest.mark.integration
def test_a_reimport_reads_local_times_in_the_events_zone():
    EventFactory(
        slug="tiny",
        time_zone="Asia/Tokyo",
        start_date=dt.date(2031, 5, 6),
        end_date=dt.date(2031, 5, 6),
    )

    read_and_apply(data=frab_xml(xml_event("a")), event_slug="tiny")

    assert Session.objects.get(source_id="a").starts_at == dt.datetime(
        2031, 5, 6, 0, 30, tzinfo=UTC
    )


@pytest.mark.unit
@pytest.mark.parametrize(
    ("path", "zone", "source"),
    [
        (
            "good2025/good2025-schedule.ics",
            "America/New_York",
            "the TZID “US/Eastern” of its times",
        ),
        (
            "good2025/good2025-schedule.xml",
            "America/New_York",
            "the file's time_zone_name “US/Eastern”",
        ),
        (
            "good2025/good2025-schedule.json",
            "America/New_York",
            "the file's time_zone_name “US/Eastern”",
        ),
        (
            "kubecon-eu-2026/kccnceu2026-all.ics",
            "Europe/Amsterdam",
            "inferred from the place “Amsterdam” the file names",
        ),
        (
            "kubecon-eu-2026/kccnceu2026-20260324.ics",
            "Europe/Amsterdam",
            "inferred from the place “Amsterdam” the file names",
        ),
    ],
)
def test_every_real_file_gets_its_zone_and_says_where_from(shared_data, path, zone, source):
    conference = parse_schedule((shared_data / path).read_bytes()).conference

    assert (conference.time_zone, conference.time_zone_source) == (zone, source)


@pytest.mark.unit
def test_sched_says_utc_but_its_location_names_the_city(schedule_fixture):
    parsed = parse_schedule(schedule_fixture("minimal-sched.ics"))

    assert parsed.conference.time_zone == "Europe/Berlin"
    assert "Europe/Berlin was inferred from the place “Berlin”" in str(parsed.warnings[0])


@pytest.mark.unit
def test_a_calendar_in_utc_with_no_place_asks():
    data = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:a\r\nSUMMARY:Talk\r\n"
        b"DTSTART:20310506T090000Z\r\nDTEND:20310506T093000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )

    conference = parse_schedule(data).conference

    assert conference.time_zone == ""
    assert conference.time_zone_question.endswith(f"{ASK}.")


@pytest.mark.unit
def test_a_frab_json_without_a_zone_reads_the_offset_of_its_days():
    # pretalx writes each day's start with its offset; the events here give a local time only.
    conference = {
        "title": "Tiny",
        "days": [
            {
                "date": "2031-05-06",
                "day_start": "2031-05-06T04:00:00+05:45",
                "rooms": {
                    "A": [{"guid": "a", "title": "T", "start": "09:30", "duration": "00:30"}]
                },
            }
        ],
    }

    parsed = parse_schedule(json.dumps({"schedule": {"conference": conference}}).encode())

    assert parsed.conference.time_zone == "Asia/Kathmandu"
    assert parsed.sessions[0].starts_at == dt.datetime(2031, 5, 6, 3, 45, tzinfo=UTC)


@pytest.mark.django_db
@pytest.mark.integration
def test_the_command_asks_for_the_zone_and_takes_it(tmp_path, shared_data):
    path = tmp_path / "good2025-no-zone.xml"
    path.write_bytes(
        without_zone_name((shared_data / "good2025/good2025-schedule.xml").read_bytes())
    )

    with pytest.raises(CommandError, match="UTC-04:00"):
        call_command(
            "import_schedule", str(path), "--event", "good", stdout=StringIO(), stderr=StringIO()
        )
    out = StringIO()
    call_command(
        "import_schedule",
        str(path),
        "--event",
        "good",
        "--time-zone",
        "America/New_York",
        stdout=out,
        stderr=StringIO(),
    )

    assert Event.objects.get(slug="good").time_zone == "America/New_York"


@pytest.mark.django_db
@pytest.mark.integration
def test_apply_asks_for_the_zone_of_a_new_event_when_nobody_knows_it():
    parsed = parse_schedule(frab_xml(xml_event("a", "2031-05-06T10:00:00+00:00")))

    with pytest.raises(ScheduleImportError, match="say nothing of where the conference is"):
        apply_schedule(parsed=parsed, event_slug="tiny")
    apply_schedule(parsed=parsed, event_slug="tiny", time_zone="Europe/London")

    assert Event.objects.get(slug="tiny").time_zone == "Europe/London"


@pytest.mark.unit
def test_a_calendar_zone_that_does_not_exist_says_utc_is_used_and_why():
    data = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nX-WR-TIMEZONE:Europe\r\nBEGIN:VEVENT\r\nUID:a\r\n"
        b"SUMMARY:Talk\r\nDTSTART:20310506T090000\r\nDTEND:20310506T093000\r\nEND:VEVENT\r\n"
        b"END:VCALENDAR\r\n"
    )

    parsed = parse_schedule(data)

    assert (parsed.conference.time_zone, parsed.conference.time_zone_source) == (
        "UTC",
        "UTC, as the file's X-WR-TIMEZONE “Europe” is no time zone",
    )
    assert parsed.sessions[0].starts_at == dt.datetime(2031, 5, 6, 9, 0, tzinfo=UTC)
