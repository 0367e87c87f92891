"""The import report names every session it changes, and says what changes."""

import datetime as dt
import json

import pytest

from sessions.importers import parse_schedule
from sessions.importers.apply import apply_schedule
from sessions.importers.report import FieldChange, ImportReport
from sessions.models import Session, Speaker
from tests.factories import EventFactory, SessionFactory, SpeakerFactory

pytestmark = pytest.mark.integration

DASH = "\u2013"


def event_xml(guid: str, title: str, start: str, room: str, *people: str, abstract="") -> str:
    persons = "".join(f"<person>{person}</person>" for person in people)
    return (
        f'<room name="{room}"><event guid="{guid}">'
        f"<date>2031-05-06T{start}:00+02:00</date><duration>00:30</duration>"
        f"<room>{room}</room><title>{title}</title><type>Talk</type>"
        f"<abstract>{abstract}</abstract><persons>{persons}</persons></event></room>"
    )


def frab(*events: str) -> bytes:
    """A one-day frab schedule with these events."""
    return (
        "<schedule><conference><title>Tiny Conf</title><start>2031-05-06</start>"
        "<end>2031-05-06</end><time_zone_name>Europe/Berlin</time_zone_name></conference>"
        f'<day index="1" date="2031-05-06">{"".join(events)}</day>'
        "</schedule>"
    ).encode()


def run(data: bytes, **kwargs):
    return apply_schedule(parsed=parse_schedule(data), event_slug="tiny", **kwargs)


def entries(report, kind: str) -> list[tuple[str, list[str]]]:
    return [(str(entry), [str(c) for c in entry.changes]) for entry in report.sessions(kind)]


@pytest.mark.django_db
def test_same_title_sessions_are_reported_separately():
    run(
        frab(
            event_xml("lt-1", "Lightning Talks", "10:00", "Main Hall", "Ada Lovelace"),
            event_xml("lt-2", "Lightning Talks", "16:00", "Main Hall", "Grace Hopper"),
        )
    )

    # One moves; the other only gains a speaker.
    report = run(
        frab(
            event_xml("lt-1", "Lightning Talks", "11:00", "Main Hall", "Ada Lovelace"),
            event_xml(
                "lt-2", "Lightning Talks", "16:00", "Main Hall", "Grace Hopper", "Linus Example"
            ),
        )
    )

    assert report.updated == ["Lightning Talks", "Lightning Talks"]
    assert report.unchanged == 0
    assert entries(report, "updated") == [
        (
            f"Lightning Talks (Tue 6 May 11:00{DASH}11:30, Main Hall; id lt-1)",
            [f"time: Tue 6 May 10:00{DASH}10:30 → Tue 6 May 11:00{DASH}11:30"],
        ),
        (
            f"Lightning Talks (Tue 6 May 16:00{DASH}16:30, Main Hall; id lt-2)",
            ["speakers: Grace Hopper → Grace Hopper, Linus Example"],
        ),
    ]


@pytest.mark.django_db
def test_reimport_reports_each_change_with_its_fields():
    data = frab(
        event_xml("a", "Operators in Anger", "10:00", "Main Hall", "Ada Lovelace [Red Hat]"),
        event_xml("b", "Hands-on eBPF", "11:00", "Main Hall", abstract="Bring a laptop."),
        event_xml("c", "Keynote", "12:00", "Main Hall"),
        event_xml("d", "Closing", "17:00", "Main Hall"),
    )
    run(data)

    report = run(
        frab(
            event_xml("a", "Operators in Anger", "10:00", "Side Room", "Ada Lovelace [IBM]"),
            event_xml("b", "Hands-on eBPF!", "11:00", "Main Hall", abstract="Bring two."),
            event_xml("d", "Closing", "17:00", "Main Hall"),
            event_xml("e", "Keynote", "09:00", "Main Hall"),
        ),
        dry_run=True,
    )

    assert entries(report, "created") == [
        (f"Keynote (Tue 6 May 09:00{DASH}09:30, Main Hall; id e)", [])
    ]
    assert entries(report, "updated") == [
        (
            f"Operators in Anger (Tue 6 May 10:00{DASH}10:30, Side Room; id a)",
            [
                "room: Main Hall → Side Room",
                "speakers: Ada Lovelace (Red Hat) → Ada Lovelace (IBM)",
            ],
        ),
        (
            f"Hands-on eBPF! (Tue 6 May 11:00{DASH}11:30, Main Hall; id b)",
            ["title: “Hands-on eBPF” → “Hands-on eBPF!”", "abstract: changed"],
        ),
    ]
    assert entries(report, "cancelled") == [
        (
            f"Keynote (Tue 6 May 12:00{DASH}12:30, Main Hall; id c)",
            ["status: published → cancelled"],
        )
    ]
    assert (report.unchanged, report.rooms_created, report.companies_created) == (
        1,
        ["Side Room"],
        ["IBM"],
    )
    assert [entry.moved for entry in report.sessions("updated")] == [True, False]
    assert Session.objects.get(source_id="a").room.name == "Main Hall"  # a dry run


@pytest.mark.django_db
def test_a_cancelled_session_that_returns_is_reported_as_published_again():
    run(frab(event_xml("a", "Talk", "10:00", "Main Hall"), event_xml("b", "Other", "11:00", "")))
    run(frab(event_xml("b", "Other", "11:00", "")))

    report = run(frab(event_xml("a", "Talk", "10:00", "Main Hall")))

    assert entries(report, "updated") == [
        (
            f"Talk (Tue 6 May 10:00{DASH}10:30, Main Hall; id a)",
            ["status: cancelled → published"],
        )
    ]
    # A session without a room is named by its time alone.
    assert entries(report, "cancelled") == [
        (f"Other (Tue 6 May 11:00{DASH}11:30; id b)", ["status: published → cancelled"])
    ]


@pytest.mark.django_db
def test_every_changed_field_is_named_even_one_without_a_word_of_its_own():
    event = EventFactory(time_zone="Europe/Berlin")
    session = SessionFactory(event=event, source_id="a", language="en", do_not_record=False)
    report = ImportReport(event=event)
    report.remember([session])

    session.language, session.do_not_record, session.level = "de", True, "advanced"
    report.session_updated(session, {"language", "do_not_record", "level"}, moved=False)

    [entry] = report.sessions("updated")
    assert [str(change) for change in entry.changes] == [
        "language: en → de",
        "do not record: no → yes",
        "level: — → advanced",
    ]


@pytest.mark.django_db
def test_sessions_without_a_source_id_are_one_entry_each():
    event = EventFactory(time_zone="Europe/Berlin")
    sessions = SessionFactory.create_batch(2, event=event, source_id="", title="Lightning Talks")
    report = ImportReport(event=event)
    report.remember(sessions)

    for session in sessions:
        session.track = "Community"
        report.session_updated(session, {"track"}, moved=False)

    entries = report.sessions("updated")
    assert [entry.title for entry in entries] == ["Lightning Talks", "Lightning Talks"]
    assert all(str(entry).endswith(", " + entry.room + ")") for entry in entries)  # no "; id"
    assert str(entries[0].changes[0]).startswith("track: ")


@pytest.mark.django_db
def test_speakers_whose_blanks_are_filled_are_listed():
    SpeakerFactory(name="Ada Lovelace", company=None, job_title="")

    report = run(frab(event_xml("a", "Talk", "10:00", "Main Hall", "Ada Lovelace [Red Hat]")))

    assert [str(entry) for entry in report.speakers_changed] == [
        "Ada Lovelace: company: — → Red Hat"
    ]
    assert Speaker.objects.get(name="Ada Lovelace").company.name == "Red Hat"


@pytest.mark.django_db
def test_report_lines_group_by_kind_and_cut_long_groups():
    report = run(
        frab(*(event_xml(f"t{n}", f"Talk {n}", f"1{n}:00", "Main Hall") for n in range(4))),
        dry_run=True,
    )

    read_as, *lines = report.lines(limit=2)
    assert read_as.startswith("Read as: frab/pretalx XML")
    assert lines == [
        "Sessions to create (4):",
        f"  + Talk 0 (Tue 6 May 10:00{DASH}10:30, Main Hall; id t0)",
        f"  + Talk 1 (Tue 6 May 11:00{DASH}11:30, Main Hall; id t1)",
        "  … and 2 more (-v 2 lists them all)",
        "New rooms (1):",
        "  Main Hall",
    ]
    assert len(report.lines(limit=None)) == 8


@pytest.mark.django_db
def test_report_says_how_the_file_was_read_and_where_the_time_zone_came_from():
    data = frab(event_xml("a", "Talk", "10:00", "Main Hall"))

    new_event = run(data, dry_run=True)
    EventFactory(
        slug="tiny",
        time_zone="Europe/London",
        start_date=dt.date(2031, 5, 6),
        end_date=dt.date(2031, 5, 6),
    )
    other_zone = run(data, dry_run=True)

    assert new_event.read_as_line() == (
        "Read as: frab/pretalx XML (it is XML with a <schedule> root, as frab and pretalx "
        "write); time zone: Europe/Berlin (the file's time_zone_name “Europe/Berlin”)"
    )
    assert new_event.as_json()["read_as"] == new_event.read_as_line()
    # The event keeps its own zone: the file's says nothing about it.
    assert other_zone.read_as_line().endswith("; time zone: Europe/London (the event's own)")


@pytest.mark.django_db
def test_report_json_keeps_the_entries():
    run(frab(event_xml("a", "Talk", "10:00", "Main Hall", abstract="One.")))

    report = run(frab(event_xml("a", "Talk", "10:30", "Main Hall", abstract="Two.")), dry_run=True)

    [updated] = json.loads(json.dumps(report.as_json()))["sessions"]["updated"]
    assert updated == {
        "title": "Talk",
        "when": f"Tue 6 May 10:30{DASH}11:00",
        "room": "Main Hall",
        "source_id": "a",
        "place": f"Tue 6 May 10:30{DASH}11:00, Main Hall; id a",
        "moved": True,
        "changes": [
            {
                "field": "time",
                "old": f"Tue 6 May 10:00{DASH}10:30",
                "new": f"Tue 6 May 10:30{DASH}11:00",
                "text": f"time: Tue 6 May 10:00{DASH}10:30 → Tue 6 May 10:30{DASH}11:00",
            },
            {"field": "abstract", "old": None, "new": None, "text": "abstract: changed"},
        ],
    }


def test_field_change_text():
    assert str(FieldChange("track", "", "Platform")) == "track: — → “Platform”"
    assert str(FieldChange("abstract")) == "abstract: changed"


@pytest.mark.django_db
def test_a_session_found_by_its_guid_shows_its_old_and_new_title(client):
    # Added by hand (no source id); our own export names it by its guid only.
    event = EventFactory(slug="tiny", time_zone="Europe/Berlin", is_published=True)
    session = SessionFactory(event=event, source_id="", title="Old title")
    exported = client.get(f"/events/{event.slug}/schedule.xml").content

    report = run(exported.replace(b"Old title", b"New title"))

    assert entries(report, "updated") == [
        (str(report.sessions("updated")[0]), ["title: “Old title” → “New title”"])
    ]
    session.refresh_from_db()
    assert session.title == "New title"
