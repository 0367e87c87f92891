"""Our own exports, imported again.

Into a new event, each format gives back exactly the fields the README's table
("Which fields survive which format") says it holds; into the event it came
from, it changes nothing. Over a generated 1,000-session event with every field
filled somewhere, and over the real KubeCon EU 2026 import with its Sched ids.
"""

import datetime as dt

import pytest
from django.db.models import CharField, QuerySet, Value
from django.db.models.functions import Cast, Concat
from django.test import Client
from django.urls import reverse

from sessions.demo.generator import generate_event
from sessions.importers import parse_schedule
from sessions.importers.apply import apply_schedule
from sessions.models import Event, Session
from tests.conftest import SHARED_DATA, _needed_beside_the_repository

pytestmark = pytest.mark.integration

EXPORTS = ("frab_xml", "frab_json", "event_ics")

# The README table, per export: the session fields an import of it gives back.
EVERY_FORMAT = {"uid", "title", "starts_at", "ends_at", "room", "track", "themes", "language"}
SURVIVES = {
    "frab_xml": EVERY_FORMAT
    | {"room_guid", "speakers", "format", "abstract", "schedule_url", "video_url"}
    | {"slides_url", "do_not_record", "slug"},
    "frab_json": EVERY_FORMAT
    | {"room_guid", "speakers", "format", "abstract", "schedule_url", "video_url"}
    | {"slides_url", "do_not_record", "slug", "source_id", "level", "editors_note"}
    | {"is_editors_pick"},
    "event_ics": EVERY_FORMAT,
}
# And the event's fields a new event takes from it.
EVENT_SURVIVES = {
    "frab_xml": {"name", "time_zone", "start_date", "end_date", "website_url"},
    "frab_json": {"name", "time_zone", "start_date", "end_date", "website_url"}
    | {"description", "venue", "is_virtual", "schedule_url"},
    "event_ics": {"name", "time_zone"},
}


def _session_fields(session: Session) -> dict:
    return {
        "uid": session.uid,
        "source_id": session.source_id,
        "title": session.title,
        "slug": session.slug,
        "abstract": session.abstract,
        "format": session.format,
        "level": session.level,
        "language": session.language,
        "starts_at": session.starts_at,
        "ends_at": session.ends_at,
        "room": session.room.name if session.room else None,
        "room_guid": session.room.guid if session.room else None,
        "track": session.track,
        "themes": tuple(theme.name for theme in session.listed_themes),
        "speakers": tuple(
            (a.speaker.guid, a.speaker.name, a.company.name if a.company else None)
            for a in session.listed_appearances
        ),
        "schedule_url": session.schedule_url,
        "video_url": session.video_url,
        "slides_url": session.slides_url,
        "editors_note": session.editors_note,
        "is_editors_pick": session.is_editors_pick,
        "do_not_record": session.do_not_record,
    }


def programme(slug: str, fields=None) -> dict:
    """Every published session of the event, by uid: the fields asked for, or all of them."""
    sessions = Session.objects.filter(event__slug=slug, status=Session.Status.PUBLISHED)
    found = {}
    for session in sessions.for_listing():
        values = _session_fields(session)
        found[session.uid] = {k: v for k, v in values.items() if fields is None or k in fields}
    return found


def event_fields(slug: str, fields) -> dict:
    return dict(Event.objects.filter(slug=slug).values(*sorted(fields)).get())


def exported(slug: str, name: str) -> bytes:
    response = Client().get(reverse(f"exports:{name}", args=[slug]))
    assert response.status_code == 200
    return response.content


def version(slug: str) -> int:
    return Event.objects.values_list("content_version", flat=True).get(slug=slug)


@pytest.fixture(scope="module")
def generated(module_db, django_db_blocker) -> str:
    """A generated 1,000-session event, with every field the exports carry filled somewhere."""
    with django_db_blocker.unblock():
        event = generate_event(sessions=1000, speakers=1500, seed=4).event
        Event.objects.filter(pk=event.pk).update(
            website_url="https://summit.example.org/",
            schedule_url="https://summit.example.org/programme/",
        )
        ids = list(event.sessions.order_by("pk").values_list("pk", flat=True))

        def every(step: int) -> QuerySet:
            return Session.objects.filter(pk__in=ids[::step])

        every(7).update(language="de")
        every(11).update(do_not_record=True)
        every(19).update(track="Community track")
        every(23).update(room=None)
        for step, field, address in (
            (5, "schedule_url", "https://summit.example.org/programme/"),
            (13, "video_url", "https://media.example.org/v/"),
            (17, "slides_url", "https://slides.example.org/"),
        ):
            every(step).update(**{field: Concat(Value(address), Cast("pk", CharField()))})
        # An official track of the same name as the session's first theme.
        second = Session.objects.get(pk=ids[1])
        second.track = second.themes.order_by("order", "name")[0].name
        second.save(update_fields=["track"])
    return event.slug


@pytest.fixture(scope="module")
def kubecon(module_db, django_db_blocker) -> str:
    """KubeCon + CloudNativeCon Europe 2026, imported from Sched, as load_demo imports it."""
    path = SHARED_DATA / "kubecon-eu-2026" / "kccnceu2026-all.ics"
    if not path.is_file():
        _needed_beside_the_repository(f"{path} is absent: the real KubeCon export is needed.")
    with django_db_blocker.unblock():
        apply_schedule(
            parsed=parse_schedule(path.read_bytes()),
            event_slug="kubecon-eu-2026",
            time_zone="Europe/Amsterdam",
            publish=True,
        )
    return "kubecon-eu-2026"


@pytest.fixture(scope="module")
def remembered():
    """Each event's programme and exports, read once: no test changes them for good."""
    found = {}

    def once(key: tuple, read):
        if key not in found:
            found[key] = read()
        return found[key]

    return once


@pytest.fixture(params=["generated", "kubecon"])
def event_slug(request, generated, kubecon) -> str:
    # Both named as arguments: built before the test's own transaction, so they outlive it.
    return {"generated": generated, "kubecon": kubecon}[request.param]


@pytest.mark.django_db
def test_the_generated_event_has_every_field_to_lose(generated):
    sessions = programme(generated).values()

    assert len(sessions) > 950  # some 3% are cancelled
    assert sum(len(s["themes"]) == 2 for s in sessions) > 200
    for field in ("language", "schedule_url", "video_url", "slides_url", "track", "level"):
        assert any(s[field] for s in sessions), field
    for field in ("do_not_record", "editors_note", "is_editors_pick"):
        assert any(s[field] for s in sessions), field
    assert any(s["room"] is None for s in sessions)
    assert any(s["track"] and s["track"] == s["themes"][0] for s in sessions)


@pytest.mark.django_db
@pytest.mark.parametrize("name", EXPORTS)
def test_export_imported_into_a_new_event_gives_back_what_the_format_holds(
    event_slug, name, remembered
):
    original = remembered((event_slug,), lambda: programme(event_slug))
    data = remembered((event_slug, name), lambda: exported(event_slug, name))

    apply_schedule(parsed=parse_schedule(data), event_slug="the-copy")

    fields = SURVIVES[name]
    copy = programme("the-copy", fields)
    assert len(copy) == len(original)
    for uid, values in original.items():
        expected = {k: v for k, v in values.items() if k in fields}
        if "source_id" in fields:  # a session of no official schedule: its guid
            expected["source_id"] = values["source_id"] or str(uid)
        assert copy[uid] == expected, (name, values["title"])
    assert event_fields("the-copy", EVENT_SURVIVES[name]) == event_fields(
        event_slug, EVENT_SURVIVES[name]
    )


@pytest.mark.django_db
@pytest.mark.parametrize("name", EXPORTS)
def test_export_imported_into_its_own_event_changes_nothing(event_slug, name, remembered):
    before = remembered((event_slug,), lambda: programme(event_slug))
    version_before = version(event_slug)
    data = remembered((event_slug, name), lambda: exported(event_slug, name))

    report = apply_schedule(parsed=parse_schedule(data), event_slug=event_slug)

    assert (report.created, report.updated, report.cancelled) == ([], [], [])
    assert report.rooms_created == report.speakers_created == []
    assert report.unchanged == len(before)
    assert programme(event_slug) == before
    assert version(event_slug) == version_before


@pytest.mark.django_db
def test_sessions_without_a_guid_match_copy_by_source_id(kubecon):
    """The copy keeps Sched's ids (JSON), so the organisers' file updates it in place."""
    apply_schedule(parsed=parse_schedule(exported(kubecon, "frab_json")), event_slug="the-copy")
    sched = (SHARED_DATA / "kubecon-eu-2026" / "kccnceu2026-all.ics").read_bytes()

    report = apply_schedule(
        parsed=parse_schedule(sched), event_slug="the-copy", time_zone="Europe/Amsterdam"
    )

    assert (report.created, report.cancelled) == ([], [])
    copy = Session.objects.filter(event__slug="the-copy")
    assert copy.count() == Session.objects.filter(event__slug=kubecon).count() == 564
    assert copy.filter(starts_at__gte=dt.datetime(2026, 3, 22, tzinfo=dt.UTC)).count() == 564
