"""Which format a file is read as, why, and the refusal to guess when that cannot be told."""

import pytest

from sessions.importers import ScheduleImportError, detect, parse_schedule

pytestmark = pytest.mark.unit


def calendar(*events: str, prodid: str = "", header: str = "") -> bytes:
    top = f"PRODID:{prodid}\r\n" if prodid else ""
    body = "".join(f"BEGIN:VEVENT\r\n{event}END:VEVENT\r\n" for event in events)
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n{top}{header}{body}END:VCALENDAR\r\n".encode()


def vevent(uid: str, summary: str, *lines: str, start: str = "20310506T090000Z") -> str:
    extra = "".join(f"{line}\r\n" for line in lines)
    return (
        f"UID:{uid}\r\nSUMMARY:{summary}\r\nDTSTART:{start}\r\n"
        f"DTEND:{start[:9]}{int(start[9:11]) + 1:02}{start[11:]}\r\n{extra}"
    )


@pytest.mark.parametrize(
    ("path", "fmt", "label", "why"),
    [
        (
            "good2025/good2025-schedule.ics",
            "pretalx-ics",
            "pretalx iCalendar",
            "its PRODID “-//pretalx//cfp.openondemand.org//” names pretalx",
        ),
        (
            "kubecon-eu-2026/kccnceu2026-all.ics",
            "sched-ics",
            "Sched iCalendar",
            "its PRODID “-//Sched.com KubeCon + CloudNativeCon Europe 2026//EN” names Sched",
        ),
        (
            "kubecon-eu-2026/kccnceu2026-20260324.ics",
            "sched-ics",
            "Sched iCalendar",
            "its PRODID “-//Sched.com KubeCon + CloudNativeCon Europe 2026//EN” names Sched",
        ),
        (
            "good2025/good2025-schedule.xml",
            "frab-xml",
            "frab/pretalx XML",
            "it is XML with a <schedule> root, as frab and pretalx write",
        ),
        (
            "good2025/good2025-schedule.json",
            "frab-json",
            "frab/pretalx JSON",
            "it is JSON, as frab and pretalx write schedule.json",
        ),
    ],
)
def test_real_files_are_recognised_and_say_why(shared_data, path, fmt, label, why):
    data = (shared_data / path).read_bytes()

    parsed = parse_schedule(data)

    assert detect(data).format == fmt
    assert (parsed.format, parsed.detected_as, parsed.detected_why) == (fmt, label, why)


def test_an_xcal_file_is_refused_with_what_to_import_instead(shared_data):
    with pytest.raises(ScheduleImportError) as caught:
        parse_schedule((shared_data / "good2025/good2025-schedule.xcal").read_bytes())

    assert [p.what for p in caught.value.problems] == [
        "This is an xCal file (iCalendar written as XML), which this import does not read; "
        "import the same schedule's .ics, schedule.xml or schedule.json export instead."
    ]


def test_pretalx_is_recognised_by_its_uids_without_a_prodid():
    data = calendar(
        vevent("pretalx-2031-ABC123@cfp.example.org", "Talk - Ada Lovelace [Red Hat]"),
        vevent("pretalx-2031-DEF456@cfp.example.org", "Other - "),
    )

    parsed = parse_schedule(data)

    assert parsed.detected_as == "pretalx iCalendar"
    assert parsed.detected_why == "its events' UIDs are pretalx's (pretalx-…@host)"
    assert [(s.title, [(p.name, p.company) for p in s.people]) for s in parsed.sessions] == [
        ("Talk", [("Ada Lovelace", "Red Hat")]),
        ("Other", []),
    ]


def test_sched_is_recognised_by_its_event_urls_without_a_prodid():
    data = calendar(
        vevent("a1", "Talk - Ada Lovelace, Red Hat", "URL:https://x.sched.com/event/a1"),
        prodid="-//Someone//Else//EN",
    )

    parsed = parse_schedule(data)

    assert (parsed.format, parsed.detected_why) == (
        "sched-ics",
        "its events' URLs are Sched event pages",
    )
    assert [(p.name, p.company) for p in parsed.sessions[0].people] == [("Ada Lovelace", "Red Hat")]


def test_an_unknown_calendar_with_dashed_titles_is_not_guessed():
    data = calendar(
        vevent("a", "Keynote - Ada Lovelace, Red Hat"),
        vevent("b", "Governance - Contributor Guide"),
        prodid="-//Example Corp//Agenda 2.0//EN",
    )

    with pytest.raises(ScheduleImportError) as caught:
        parse_schedule(data)

    (problem,) = caught.value.problems
    assert problem.what.startswith(
        "This calendar does not say it comes from Sched or pretalx (its PRODID "
        "“-//Example Corp//Agenda 2.0//EN”), and most of its titles read “… - …”"
    )
    assert problem.what.endswith(
        "Choose the format: sched-ics, pretalx-ics, or ics to keep titles whole "
        "(the command's --format, or Format in the import form)."
    )


def test_the_editor_decides_what_detection_would_not():
    data = calendar(
        vevent("a", "Keynote - Ada Lovelace, Red Hat"),
        vevent("b", "Governance - Contributor Guide"),
        prodid="-//Example Corp//Agenda 2.0//EN",
    )

    whole = parse_schedule(data, fmt="ics")
    split = parse_schedule(data, fmt="sched-ics")

    assert (whole.detected_as, whole.detected_why) == ("iCalendar", "chosen when importing")
    assert [s.title for s in whole.sessions] == [
        "Keynote - Ada Lovelace, Red Hat",
        "Governance - Contributor Guide",
    ]
    assert [s.people for s in whole.sessions] == [[], []]
    assert split.detected_as == "Sched iCalendar"
    assert [(p.name, p.company) for p in split.sessions[0].people] == [("Ada Lovelace", "Red Hat")]


def test_a_generic_calendar_keeps_titles_and_reads_speakers_from_attendee():
    data = calendar(
        vevent(
            "a",
            "Operators - the hard parts",
            'ATTENDEE;CN="Ada Lovelace [Red Hat]";ROLE=CHAIR:mailto:ada@example.org',
            "ATTENDEE;CN=Grace Hopper:mailto:grace@example.org",
            "ATTENDEE;CUTYPE=ROOM;CN=Hall 1:mailto:hall1@example.org",
            "ATTENDEE:mailto:nobody@example.org",
            "LOCATION:Hall 1, Berlin",
            "CATEGORIES:Platform",
        ),
        vevent("b", "Lunch"),
        prodid="-//Example Corp//Agenda 2.0//EN",
        header="X-WR-CALNAME:Example Conf 2031\r\nX-WR-TIMEZONE:Europe/Berlin\r\n",
    )

    parsed = parse_schedule(data)

    assert parsed.detected_as == "iCalendar"
    assert parsed.detected_why == (
        "its PRODID “-//Example Corp//Agenda 2.0//EN”, which is neither Sched's nor "
        "pretalx's: titles are kept whole and speakers read from ATTENDEE"
    )
    (session,) = parsed.sessions
    assert (session.title, session.room, session.track) == (
        "Operators - the hard parts",
        "Hall 1",
        "Platform",
    )
    assert [(p.name, p.company) for p in session.people] == [
        ("Ada Lovelace", "Red Hat"),
        ("Grace Hopper", ""),
    ]
    assert parsed.skipped == ["Lunch"]
    assert (parsed.conference.name, parsed.conference.time_zone) == (
        "Example Conf 2031",
        "Europe/Berlin",
    )


def test_attendees_are_read_when_a_pretalx_title_names_nobody():
    data = calendar(
        vevent(
            "pretalx-2031-ABC123@cfp.example.org",
            "Hands-on - ",
            "ATTENDEE;CN=Ada Lovelace [Red Hat]:mailto:ada@example.org",
        ),
        prodid="-//pretalx//cfp.example.org//2031",
    )

    (session,) = parse_schedule(data).sessions

    assert session.title == "Hands-on"
    assert [(p.name, p.company) for p in session.people] == [("Ada Lovelace", "Red Hat")]


def test_this_guides_own_calendar_export_is_a_generic_calendar():
    data = calendar(vevent("x", "Keynote - Why"), prodid="-//confguide//Conference guide//EN")

    assert (
        detect(data).why
        == "its PRODID “-//confguide//Conference guide//EN” is this guide's own export"
    )
    assert parse_schedule(data).sessions[0].title == "Keynote - Why"
