import datetime as dt

import pytest

from sessions.importers import ScheduleImportError, detect_format, parse_schedule
from sessions.importers.base import normalize_company
from sessions.importers.sched_ics import parse_people

pytestmark = pytest.mark.unit

UTC = dt.UTC


def people(session):
    return [(p.name, p.company) for p in session.people]


def test_sched_all_file_counts(shared_data):
    parsed = parse_schedule((shared_data / "kubecon-eu-2026/kccnceu2026-all.ics").read_bytes())

    assert parsed.format == "sched-ics"
    assert len(parsed.sessions) + len(parsed.skipped) == 596
    assert len(parsed.skipped) == 32  # badge pick-up, cloakroom, breaks, lunches
    assert set(parsed.skipped) == {
        "Badge Pick-Up",
        "Cloakroom",
        "Coffee Break ☕",
        "Lunch 🍲",
        "Mini Break",
        "Project Lightning Talk: Break",
        "Project Lightning Talk: Mini Break",
        "Project Lightning Talk: Lunch | On Own",
    }
    # A break inside a programme block is left out; a talk in that block is not.
    assert any(s.title.startswith("Project Lightning Talk: Finally") for s in parsed.sessions)
    assert len(parsed.sessions) == 564
    assert len(parsed.rooms) == 49
    # Viktória Spišaková and Spišáková are two people as far as the file tells.
    # No company read as a person ("University of Oxford" once was one).
    assert len(parsed.people) == 682
    assert parsed.conference.name == "KubeCon + CloudNativeCon Europe 2026"
    assert {s.track for s in parsed.sessions} >= {"AI + ML", "Tutorials", "Keynote Sessions"}


def test_sched_exact_sessions(shared_data):
    parsed = parse_schedule((shared_data / "kubecon-eu-2026/kccnceu2026-all.ics").read_bytes())
    by_id = {s.source_id: s for s in parsed.sessions}

    welcome = by_id["6d33234981cf5b14145b63b75fa9e0c0"]
    assert welcome.title == "Keynote: Welcome + Opening Remarks"
    assert welcome.starts_at == dt.datetime(2026, 3, 24, 8, 0, tzinfo=UTC)
    assert welcome.ends_at == dt.datetime(2026, 3, 24, 8, 35, tzinfo=UTC)
    assert welcome.room == "Hall 12"
    assert welcome.format == "keynote"
    assert welcome.schedule_url.endswith("/event/6d33234981cf5b14145b63b75fa9e0c0")
    assert [(p.name, p.job_title, p.company) for p in welcome.people] == [
        ("Jonathan Bryce", "Executive Director, Cloud and Infrastructure", "Linux Foundation"),
        ("Chris Aniszczyk", "CTO, Cloud and Infrastructure", "Linux Foundation"),
    ]

    karmada = by_id["99d153205c0e62bab2f27fe9ee0f80ba"]
    assert karmada.title == "Multi-cluster Orchestration System: Karmada Updates and Use Cases"
    assert karmada.starts_at == dt.datetime(2026, 3, 24, 13, 30, tzinfo=UTC)
    assert karmada.ends_at == dt.datetime(2026, 3, 24, 14, 0, tzinfo=UTC)
    assert karmada.room == "G102-103"
    assert karmada.track == "Maintainer Track"
    assert people(karmada) == [
        ("Hongcai Ren", "Huawei"),
        ("Tessa Pham", "Bloomberg"),
        ("Michas Szacillo", "Bloomberg"),
        ("Wei-Cheng Lai", "Bloomberg"),
        ("Zongqing Li", "Trip.com"),
    ]


def test_sched_one_day_file(shared_data):
    parsed = parse_schedule((shared_data / "kubecon-eu-2026/kccnceu2026-20260324.ics").read_bytes())

    assert len(parsed.sessions) + len(parsed.skipped) == 179
    assert len(parsed.sessions) == 172
    assert len(parsed.rooms) == 28
    assert {s.starts_at.date() for s in parsed.sessions} == {dt.date(2026, 3, 24)}


@pytest.mark.parametrize("name", ["good2025-schedule.xml", "good2025-schedule.json"])
def test_pretalx_files(shared_data, name):
    parsed = parse_schedule((shared_data / "good2025" / name).read_bytes())

    assert len(parsed.sessions) == 72
    assert len(parsed.rooms) == 5
    assert len(parsed.people) == 63
    assert len({s.track for s in parsed.sessions}) == 13
    assert parsed.conference.time_zone == "America/New_York"  # the file says US/Eastern
    assert (parsed.conference.start_date, parsed.conference.end_date) == (
        dt.date(2025, 3, 17),
        dt.date(2025, 3, 20),
    )
    by_id = {s.source_id: s for s in parsed.sessions}
    jam = by_id["307e1812-4a21-5d33-910b-30543d8c6026"]
    assert jam.title == "Contributor Jam"
    assert jam.starts_at == dt.datetime(2025, 3, 17, 17, 0, tzinfo=UTC)
    assert jam.ends_at == dt.datetime(2025, 3, 17, 21, 0, tzinfo=UTC)
    assert jam.room == "Tsai Auditorium (CGIS S010)"
    assert jam.track == "Core Team Track"
    assert people(jam) == [
        ("Emily Moffat Sadeghi", "Ohio Supercomputer Center"),
        ("Travis Ravert", "Ohio Supercomputer Center"),
    ]
    princeton = by_id["501b3abd-794e-56a6-9db8-4af7b4b5d4e5"]
    assert princeton.starts_at == dt.datetime(2025, 3, 18, 18, 30, tzinfo=UTC)
    assert princeton.ends_at - princeton.starts_at == dt.timedelta(minutes=25)
    assert princeton.room == "Belfer Case Study Room (CGIS S020)"
    assert [p.name for p in princeton.people] == [
        "Jonathan Halverson",
        "Josko Plazonic",
        "Irene Kopaliani",
    ]


def test_frab_xml_never_takes_nested_title_or_type(schedule_fixture):
    parsed = parse_schedule(schedule_fixture("minimal-frab.xml"))

    first = parsed.sessions[0]
    assert first.source_id == "talk-1"  # not a UUID, still a stable id
    assert first.title == "Operators in Anger"
    assert first.format == "talk"
    assert first.track == "Platform"
    assert people(first) == [("Ada Lovelace", "Red Hat, Inc."), ("Grace Hopper", "")]
    assert [s.format for s in parsed.sessions] == ["talk", "workshop", "keynote"]
    assert parsed.conference.time_zone == "Europe/Berlin"


def test_frab_json_minimal(schedule_fixture):
    parsed = parse_schedule(schedule_fixture("minimal-frab.json"))

    (session,) = parsed.sessions
    assert session.source_id == "42"
    assert session.format == "lightning"
    assert session.starts_at == dt.datetime(2031, 5, 6, 13, 30, tzinfo=UTC)
    assert parsed.conference.time_zone == "America/New_York"


def test_broken_file_names_the_element_and_id(schedule_fixture):
    with pytest.raises(ScheduleImportError) as caught:
        parse_schedule(schedule_fixture("broken-frab.xml"))

    (problem,) = caught.value.problems
    assert problem.source_id == "bad-2"
    assert problem.where == "<event> #2 (day 1)"
    assert "duration" in problem.what


@pytest.mark.parametrize("name", ["entity-bomb.xml", "external-entity.xml"])
def test_hostile_xml_refused_unread(schedule_fixture, name):
    with pytest.raises(ScheduleImportError, match="refused unread for safety"):
        parse_schedule(schedule_fixture(name))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"   \n ", "empty"),
        (b"BEGIN:VCALENDAR\nSUMMARY:Caf\xe9\nEND:VCALENDAR\n", "not UTF-8"),
        (b"\x00\x01binary", "could not be recognised"),
        (b"<schedule><day", "malformed"),
        (b'{"schedule": ', "malformed"),
        (b"<html><body>Not found</body></html>", "could not be recognised"),
        (b"<?xml version='1.0'?><rss/>", "not a frab schedule"),
    ],
)
def test_bad_files_get_a_clear_message(data, message):
    with pytest.raises(ScheduleImportError, match=message):
        parse_schedule(data)


def test_oversized_file_refused_before_parsing():
    with pytest.raises(ScheduleImportError, match="refused above"):
        parse_schedule(b"{" + b" " * (50 * 1024 * 1024) + b"}")


def test_duplicate_ids_reported(schedule_fixture):
    data = schedule_fixture("minimal-frab.xml").replace(b'guid="talk-2"', b'guid="talk-1"')

    with pytest.raises(ScheduleImportError, match="used twice"):
        parse_schedule(data)


def test_detect_format_by_content():
    assert detect_format(b"\xef\xbb\xbfBEGIN:VCALENDAR\r\nPRODID:-//Sched.com X//EN") == "sched-ics"
    assert detect_format(b"\xef\xbb\xbfBEGIN:VCALENDAR") == "ics"
    assert detect_format(b"<?xml version='1.0'?><schedule/>") == "frab-xml"
    assert detect_format(b' {"schedule": {}}') == "frab-json"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ada Lovelace, Red Hat", [("Ada Lovelace", "", "Red Hat")]),
        (
            "A One, B Two, C Three & D Four, Acme",
            [
                ("A One", "", "Acme"),
                ("B Two", "", "Acme"),
                ("C Three", "", "Acme"),
                ("D Four", "", "Acme"),
            ],
        ),
        (
            "Idit Levine, Founder & CEO, Solo.io & Keith Babo, Chief Product Officer, Solo.io",
            [
                ("Idit Levine", "Founder & CEO", "Solo.io"),
                ("Keith Babo", "Chief Product Officer", "Solo.io"),
            ],
        ),
        ("Aoi Takahashi, Recruit Co., Ltd.", [("Aoi Takahashi", "", "Recruit Co., Ltd.")]),
        ("Andy Anderson, Maintainer", [("Andy Anderson", "Maintainer", "")]),
        (
            "Alfonso Ming and Jorge Turrado, Lidl",
            [("Alfonso Ming", "", "Lidl"), ("Jorge Turrado", "", "Lidl")],
        ),
    ],
)
def test_sched_people(text, expected):
    assert [(p.name, p.job_title, p.company) for p in parse_people(text)] == expected


def test_company_normalisation():
    assert normalize_company("Red Hat") == normalize_company("Red Hat, Inc.") == "red hat"
    assert normalize_company("NTT DATA Japan Corporation") == "ntt data japan"
    assert normalize_company("Co") == "co"
