import datetime as dt
import json

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from sessions.importers import ScheduleImportError, parse_schedule
from sessions.importers.apply import apply_schedule
from sessions.models import Company, Event, Room, Session, SessionSpeaker, Speaker, Theme
from tests.factories import (
    CompanyFactory,
    EventFactory,
    RoomFactory,
    SessionFactory,
    SpeakerFactory,
    ThemeFactory,
)

pytestmark = pytest.mark.integration


def run(data: bytes, slug: str = "tiny", **kwargs):
    return apply_schedule(parsed=parse_schedule(data), event_slug=slug, **kwargs)


@pytest.mark.django_db
def test_new_event_from_the_file_stays_a_draft(schedule_fixture):
    report = run(schedule_fixture("minimal-frab.xml"))

    event = Event.objects.get(slug="tiny")
    assert report.event_created
    assert (event.name, event.time_zone, event.is_published) == (
        "Tiny Conf",
        "Europe/Berlin",
        False,
    )
    assert (event.start_date, event.end_date) == (dt.date(2031, 5, 6), dt.date(2031, 5, 7))
    assert sorted(Room.objects.filter(event=event).values_list("name", flat=True)) == [
        "Main Hall",
        "Workshop Room",
    ]
    assert Session.objects.filter(event=event, status=Session.Status.PUBLISHED).count() == 3


@pytest.mark.django_db
def test_publish_flag_publishes_a_new_event(schedule_fixture):
    run(schedule_fixture("minimal-frab.xml"), publish=True)

    assert Event.objects.get(slug="tiny").is_published


@pytest.mark.django_db
def test_same_person_is_one_speaker_and_companies_merge(schedule_fixture):
    existing = CompanyFactory(name="Red Hat")

    run(schedule_fixture("minimal-frab.xml"))

    ada = Speaker.objects.get(name="Ada Lovelace")
    assert ada.sessions.count() == 2
    assert ada.company == existing  # "Red Hat, Inc." is the Red Hat already known
    assert Company.objects.filter(name__startswith="Red Hat").count() == 1
    assert Speaker.objects.get(name="Linus Example").company == existing
    talk = Session.objects.get(source_id="talk-1")
    assert [(a.speaker.name, a.company_id) for a in talk.appearances.all()] == [
        ("Ada Lovelace", existing.pk),
        ("Grace Hopper", None),
    ]


@pytest.mark.django_db
def test_reimport_moves_adds_cancels_and_keeps_editors_work(schedule_fixture):
    data = schedule_fixture("minimal-frab.xml")
    run(data)
    talk = Session.objects.get(source_id="talk-1")
    theme = ThemeFactory()
    talk.themes.add(theme)
    talk.editors_note = "Go: best operator talk of the year."
    talk.is_editors_pick = True
    talk.save()
    moved = (
        data.replace(b"2031-05-06T10:00:00+02:00", b"2031-05-06T11:00:00+02:00")
        .replace(b"Operators in Anger", b"Operators in Anger, Revisited")
        .replace(b'guid="talk-2"', b'guid="talk-4"')
    )

    report = run(moved)

    talk.refresh_from_db()
    assert talk.title == "Operators in Anger, Revisited"
    assert talk.starts_at == dt.datetime(2031, 5, 6, 9, 0, tzinfo=dt.UTC)
    assert talk.sequence == 1
    assert talk.schedule_changed_at is not None
    assert list(talk.themes.all()) == [theme]
    assert talk.editors_note == "Go: best operator talk of the year."
    assert talk.is_editors_pick
    gone = Session.objects.get(source_id="talk-2")
    assert gone.status == Session.Status.CANCELLED
    assert gone.sequence == 1
    assert Session.objects.get(source_id="talk-4").status == Session.Status.PUBLISHED
    assert report.moved == ["Operators in Anger, Revisited"]
    assert report.cancelled == ["Hands-on eBPF"]
    assert report.created == ["Hands-on eBPF"]
    assert Session.objects.filter(event__slug="tiny").count() == 4


@pytest.mark.django_db
def test_reimport_of_the_same_file_changes_nothing(schedule_fixture):
    data = schedule_fixture("minimal-frab.xml")
    run(data)

    version = Event.objects.values_list("content_version", flat=True).get(slug="tiny")

    report = run(data)

    assert (report.created, report.updated, report.cancelled, report.unchanged) == ([], [], [], 3)
    assert set(Session.objects.values_list("sequence", flat=True)) == {0}
    # Apps see nothing new: the exports' version and ETags stay.
    assert Event.objects.values_list("content_version", flat=True).get(slug="tiny") == version


@pytest.mark.django_db
def test_cancelled_session_that_returns_is_published_again(schedule_fixture):
    data = schedule_fixture("minimal-frab.xml")
    run(data)
    run(data.replace(b'guid="talk-2"', b'guid="talk-9"'))

    run(data)

    back = Session.objects.get(source_id="talk-2")
    assert back.status == Session.Status.PUBLISHED
    assert back.sequence == 2


@pytest.mark.django_db
def test_hand_made_sessions_are_left_alone(schedule_fixture):
    run(schedule_fixture("minimal-frab.xml"))
    event = Event.objects.get(slug="tiny")
    from tests.factories import SessionFactory

    own = SessionFactory(event=event, starts_at=dt.datetime(2031, 5, 6, 8, tzinfo=dt.UTC))

    run(schedule_fixture("minimal-frab.xml"))

    own.refresh_from_db()
    assert own.status == Session.Status.PUBLISHED


@pytest.mark.django_db
def test_dry_run_writes_nothing(schedule_fixture):
    report = run(schedule_fixture("minimal-frab.xml"), dry_run=True)

    assert report.dry_run
    assert len(report.created) == 3
    assert report.speakers_created == ["Ada Lovelace", "Grace Hopper", "Linus Example"]
    assert not Event.objects.exists()
    assert not Speaker.objects.exists()


@pytest.mark.django_db
def test_interrupted_import_leaves_nothing_behind(schedule_fixture):
    def stop_halfway(done, total):
        if done == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run(schedule_fixture("minimal-frab.xml"), progress=stop_halfway)

    assert not Event.objects.exists()
    assert not Room.objects.exists()
    assert not Speaker.objects.exists()
    assert not Company.objects.exists()


@pytest.mark.django_db
def test_broken_file_imports_nothing(schedule_fixture):
    with pytest.raises(ScheduleImportError):
        run(schedule_fixture("broken-frab.xml"))

    assert not Session.objects.exists()
    assert not Event.objects.exists()


@pytest.mark.django_db
def test_existing_event_dates_widen_to_hold_sessions(schedule_fixture):
    EventFactory(slug="tiny", start_date=dt.date(2031, 5, 7), end_date=dt.date(2031, 5, 7))

    report = run(schedule_fixture("minimal-frab.xml"))

    event = Event.objects.get(slug="tiny")
    assert event.start_date == dt.date(2031, 5, 6)
    assert "widened" in report.warnings[0].what


@pytest.mark.django_db
def test_sched_kubecon_whole_file(shared_data, django_assert_num_queries):
    data = (shared_data / "kubecon-eu-2026/kccnceu2026-all.ics").read_bytes()

    # On PostgreSQL, one more: the UPDATE of the sessions' search documents. Four
    # of them read what theme rules need (sessions.theming): rules, sessions,
    # affiliations, themes set.
    with django_assert_num_queries(23 + (connection.vendor == "postgresql")):
        report = run(data, slug="kubecon-eu-2026", time_zone="Europe/Amsterdam")

    event = Event.objects.get(slug="kubecon-eu-2026")
    assert event.time_zone == "Europe/Amsterdam"
    assert (event.start_date, event.end_date) == (dt.date(2026, 3, 22), dt.date(2026, 3, 27))
    assert event.sessions.count() == 564
    assert event.rooms.count() == 48  # two spellings of one hotel are one room
    # Viktória Spišaková and Spišáková are two speakers: names differ by an accent.
    # No company read as a person ("University of Oxford" once was one).
    assert Speaker.objects.count() == 682
    welcome = Session.objects.get(source_id="6d33234981cf5b14145b63b75fa9e0c0")
    assert welcome.room.name == "Hall 12"
    assert [(a.speaker.name, a.company.name) for a in welcome.appearances.all()] == [
        ("Jonathan Bryce", "Linux Foundation"),
        ("Chris Aniszczyk", "Linux Foundation"),
    ]
    # One demo with no duration; the zone read from LOCATION, which the editor chose anyway.
    assert [w.where for w in report.warnings] == ["time zone", "line 3249"]

    with django_assert_num_queries(12):  # nothing changed: not even the version moves
        again = run(data, slug="kubecon-eu-2026")
    assert again.unchanged == 564


@pytest.mark.django_db
def test_good2025_xml_then_json_is_the_same_schedule(shared_data):
    run((shared_data / "good2025/good2025-schedule.xml").read_bytes(), slug="good-2025")

    report = run((shared_data / "good2025/good2025-schedule.json").read_bytes(), slug="good-2025")

    event = Event.objects.get(slug="good-2025")
    assert event.sessions.count() == 72
    assert event.rooms.count() == 5
    assert Speaker.objects.count() == 63
    assert report.created == [] and report.cancelled == [] and report.moved == []
    assert SessionSpeaker.objects.filter(session__event=event).count() == sum(
        s.appearances.count() for s in event.sessions.all()
    )


def _frab_json(*titles: str) -> bytes:
    events = [
        {"guid": f"e{n}", "start": f"{9 + n}:00", "duration": "00:30", "title": title}
        for n, title in enumerate(titles)
    ]
    schedule = {
        "conference": {
            "title": "Slugs",
            "time_zone_name": "Europe/Berlin",
            "days": [{"date": "2031-05-06", "rooms": {"A": events}}],
        }
    }
    return json.dumps({"schedule": schedule}).encode()


@pytest.mark.django_db
def test_session_addresses_are_unique_and_fit_even_for_long_or_unlatin_titles():
    long_title = "Scaling " + "very " * 60 + "big clusters"  # cut to the 300 a title may have

    run(_frab_json(long_title, long_title, "東京の夜", "東京の朝"))

    slugs = list(Session.objects.order_by("source_id").values_list("slug", flat=True))
    assert slugs[1] == f"{slugs[0]}-2"
    assert all(len(slug) <= 300 for slug in slugs)
    assert slugs[2:] == ["session", "session-2"]  # nothing to make a slug of


# --- Identity: what a guide's own export names by guid ---------------------------


def export(event: Event, name: str = "frab_xml") -> bytes:
    response = Client().get(reverse(f"exports:{name}", args=[event.slug]))
    assert response.status_code == 200
    return response.content


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["frab_xml", "frab_json"])
def test_two_speakers_of_one_name_stay_two_in_another_guide(name):
    event = EventFactory(slug="summit")
    twins = [SpeakerFactory(name="Sam Kim", company=None) for _ in range(2)]
    for number, twin in enumerate(twins):
        SessionFactory(event=event, title=f"Talk {number}", speakers=[twin])
    guids = {twin.guid for twin in twins}
    data = export(event, name)
    event.delete()
    Speaker.objects.all().delete()  # another guide: nobody known yet

    run(data, slug="summit-copy")

    assert set(Speaker.objects.filter(name="Sam Kim").values_list("guid", flat=True)) == guids
    for session in Session.objects.filter(event__slug="summit-copy"):
        (appearance,) = session.appearances.all()
        assert appearance.speaker.guid in guids


@pytest.mark.django_db
def test_a_person_known_by_name_is_still_one_speaker_across_guides():
    ada = SpeakerFactory(name="Ada Lovelace", company=None)  # known here, from another event
    elsewhere = EventFactory(slug="elsewhere")
    SessionFactory(event=elsewhere, speakers=[SpeakerFactory(name="Ada Lovelace", company=None)])
    data = export(elsewhere)
    Speaker.objects.exclude(pk=ada.pk).delete()

    run(data, slug="copy")

    assert Speaker.objects.filter(name="Ada Lovelace").count() == 1
    assert Session.objects.get(event__slug="copy").appearances.get().speaker == ada


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["frab_xml", "frab_json"])
def test_a_renamed_room_is_found_by_its_guid(name):
    event = EventFactory(slug="summit")
    hall = RoomFactory(event=event, name="Hall A")
    talk = SessionFactory(event=event, room=hall, source_id="talk-1")
    data = export(event, name)
    hall.name = "Auditorium"
    hall.save()

    report = run(data, slug="summit")

    assert (report.rooms_created, report.created, report.updated) == ([], [], [])
    assert list(Room.objects.filter(event=event)) == [hall]
    talk.refresh_from_db()
    assert talk.room == hall


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["frab_xml", "frab_json"])
def test_sessions_without_a_room_come_back_without_one(name):
    event = EventFactory(slug="summit")
    SessionFactory(event=event, room=None, title="Room to be found")

    run(export(event, name), slug="summit-copy")

    copy = Session.objects.get(event__slug="summit-copy")
    assert copy.room is None
    assert not Room.objects.filter(event__slug="summit-copy").exists()


@pytest.mark.django_db
def test_new_sessions_take_the_themes_a_guide_export_names_and_keep_them_after():
    event = EventFactory(slug="summit")
    themes = [ThemeFactory(name="Storage", order=1), ThemeFactory(name="Security", order=2)]
    SessionFactory(event=event, themes=themes)
    data = export(event)
    Theme.objects.filter(name="Security").delete()  # another guide has no such theme yet

    run(data, slug="copy")
    copy = Session.objects.get(event__slug="copy")
    copy.themes.remove(Theme.objects.get(name="Storage"))  # the editors' choice
    run(data, slug="copy")

    assert [t.name for t in Theme.objects.filter(sessions__event__slug="copy")] == ["Security"]


@pytest.mark.django_db
def test_frab_language_recording_opt_out_and_origin_page_are_read(schedule_fixture):
    data = schedule_fixture("minimal-frab.xml").replace(
        b"<description/>",
        b"<description/><recording><license/><optout>true</optout></recording>"
        b"<origin_url>https://origin.example.org/talk/1</origin_url>",
    )

    run(data)

    talk = Session.objects.get(source_id="talk-1")
    assert (talk.language, talk.do_not_record) == ("en", True)
    assert talk.schedule_url == "https://origin.example.org/talk/1"
    workshop = Session.objects.get(source_id="talk-2")
    assert (workshop.language, workshop.do_not_record) == ("", False)
    assert workshop.schedule_url == ""
