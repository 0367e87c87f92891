import datetime as dt
import gzip
import json

import icalendar
import jsonschema
import pytest
from django.urls import reverse
from lxml import etree

from sessions.demo.generator import generate_event
from sessions.importers import parse_schedule
from sessions.importers.apply import apply_schedule
from sessions.models import Event, Session
from tests.factories import (
    EventFactory,
    SessionFactory,
    SpeakerFactory,
    ThemeFactory,
)

pytestmark = pytest.mark.integration


@pytest.fixture
def xml_schema(shared_data):
    return etree.XMLSchema(etree.parse(str(shared_data / "schemas/schedule.xml.xsd")))


@pytest.fixture
def json_schema(shared_data):
    return json.loads((shared_data / "schemas/schema.json").read_text())


@pytest.fixture
def programme(db):
    event = EventFactory(
        slug="cloudconf-2030", time_zone="Europe/Amsterdam", venue="RAI, Amsterdam"
    )
    storage = ThemeFactory(name="Storage & CSI", slug="storage", order=1)
    security = ThemeFactory(name="Security", slug="security", order=2)
    ada = SpeakerFactory(name="Ada Lovelace", company__name="Red Hat")
    talk = SessionFactory(
        event=event,
        title="Persistent volumes <in> practice & more",
        starts_at=dt.datetime(2030, 11, 17, 9, 0, tzinfo=dt.UTC),
        ends_at=dt.datetime(2030, 11, 17, 9, 45, tzinfo=dt.UTC),
        speakers=[ada, SpeakerFactory(name="Grace Hopper", company=None)],
        themes=[storage, security],
        schedule_url="https://official.example.org/talk/1",
        video_url="https://media.example.org/v/1",
        slides_url="https://slides.example.org/1.pdf",
        language="de",
        do_not_record=True,
        level=Session.Level.ADVANCED,
        editors_note="The one to see on storage.",
        is_editors_pick=True,
    )
    late = SessionFactory(
        event=event,
        title="Late-night demo",
        starts_at=dt.datetime(2030, 11, 18, 0, 30, tzinfo=dt.UTC),  # 01:30 local, day 1
        ends_at=dt.datetime(2030, 11, 18, 1, 0, tzinfo=dt.UTC),
        room=None,
        track="Demos",
    )
    cancelled = SessionFactory(event=event, title="Called off", status=Session.Status.CANCELLED)
    SessionFactory(event=event, title="Still a draft", status=Session.Status.DRAFT)
    return {"event": event, "talk": talk, "late": late, "cancelled": cancelled, "theme": storage}


def test_frab_xml_validates_against_the_strict_xsd(client, programme, xml_schema):
    response = client.get(reverse("exports:frab_xml", args=["cloudconf-2030"]))

    assert response["Content-Type"] == "application/xml; charset=utf-8"
    document = etree.fromstring(response.content)
    xml_schema.assertValid(document)
    titles = document.xpath("//event/title/text()")
    assert titles == ["Persistent volumes <in> practice & more", "Late-night demo"]
    talk = document.xpath("//event[title='Persistent volumes <in> practice & more']")[0]
    assert talk.get("guid") == str(programme["talk"].uid)
    assert talk.findtext("date") == "2030-11-17T10:00:00+01:00"
    assert talk.findtext("duration") == "00:45"
    assert talk.xpath("persons/person/text()") == ["Ada Lovelace [Red Hat]", "Grace Hopper"]
    # The 01:30 session belongs to the conference day that began the evening before.
    assert document.xpath("//day[@index='1']//event/title/text()")[1] == "Late-night demo"
    # Identity, and everything else the XSD has a place for.
    ada = programme["talk"].appearances.first().speaker
    assert talk.xpath("persons/person/@guid")[0] == str(ada.guid)
    assert talk.xpath("parent::room/@guid") == [str(programme["talk"].room.guid)]
    programme["event"].refresh_from_db()
    assert document.findtext("version") == str(programme["event"].content_version)
    assert talk.findtext("language") == "de"
    assert talk.findtext("recording/optout") == "true"
    assert talk.findtext("origin_url") == "https://official.example.org/talk/1"
    assert talk.findtext("track") == "Storage & CSI"  # no official track: the first theme
    assert [(link.get("type"), link.text) for link in talk.iterfind("links/link")] == [
        ("web", "Official schedule"),
        ("media", "Video"),
        ("slides", "Slides"),
        ("track", "Storage & CSI"),
        ("theme", "Security"),
    ]
    assert talk.xpath("links/link[@type='theme']/@href")[0].endswith("/themes/security/")
    late = document.xpath("//event[title='Late-night demo']")[0]
    assert late.findtext("room") == "To be announced"
    assert late.xpath("parent::room/@guid") == []  # no room: no guid
    assert late.findtext("track") == "Demos"
    assert late.find("language") is None  # not known


def test_frab_json_validates_against_the_schema(client, programme, json_schema):
    response = client.get(reverse("exports:frab_json", args=["cloudconf-2030"]))

    document = response.json()
    jsonschema.validate(document, json_schema, cls=jsonschema.Draft6Validator)
    conference = document["schedule"]["conference"]
    assert conference["acronym"] == "cloudconf_2030"
    events = [e for day in conference["days"] for room in day["rooms"].values() for e in room]
    assert [e["title"] for e in events] == [
        "Persistent volumes <in> practice & more",
        "Late-night demo",
    ]
    ada = programme["talk"].appearances.first().speaker
    assert events[0]["persons"][0] == {
        "id": ada.pk,
        "public_name": "Ada Lovelace [Red Hat]",
        "guid": str(ada.guid),
    }
    talk, late = events
    assert (talk["language"], talk["do_not_record"]) == ("de", True)
    assert talk["origin_url"] == "https://official.example.org/talk/1"
    assert (late["language"], late["room"], "do_not_record" in late) == (
        None,
        "To be announced",
        False,
    )
    programme["event"].refresh_from_db()
    assert document["schedule"]["version"] == str(programme["event"].content_version)
    assert conference["rooms"] == [
        {"name": programme["talk"].room.name, "guid": str(programme["talk"].room.guid)}
    ]
    # What the schema has no field for, in the conference's meta.
    assert conference["meta"]["confguide"] == {
        "venue": "RAI, Amsterdam",
        "is_virtual": True,
        "sessions": {
            str(programme["talk"].uid): {
                "level": "advanced",
                "themes": ["Storage & CSI", "Security"],
                "editors_note": "The one to see on storage.",
                "is_editors_pick": True,
                "track": "",
            }
        },
    }


@pytest.mark.parametrize("name", ["frab_xml", "frab_json", "event_ics"])
def test_control_characters_are_left_out_of_every_export(
    client, programme, xml_schema, json_schema, name
):
    talk = programme["talk"]
    talk.title = "Bell\x07 and\x0b tab\tin\x1b[1m a title\x85"
    talk.abstract = "First line\r\nsecond\x0c line"
    talk.save()

    response = client.get(reverse(f"exports:{name}", args=["cloudconf-2030"]))

    if name == "frab_xml":
        document = etree.fromstring(response.content)  # well-formed
        xml_schema.assertValid(document)
        event = document.xpath(f"//event[@guid='{talk.uid}']")[0]
        title, abstract = event.findtext("title"), event.findtext("abstract")
    elif name == "frab_json":
        document = response.json()
        jsonschema.validate(document, json_schema, cls=jsonschema.Draft6Validator)
        (event,) = [
            e
            for day in document["schedule"]["conference"]["days"]
            for room in day["rooms"].values()
            for e in room
            if e["guid"] == str(talk.uid)
        ]
        title, abstract = event["title"], event["abstract"]
    else:
        calendar = icalendar.Calendar.from_ical(response.content)
        (event,) = [v for v in calendar.walk("VEVENT") if v["UID"] == str(talk.uid)]
        title, abstract = str(event["SUMMARY"]), str(event["DESCRIPTION"])
    assert title == "Bell and tab\tin[1m a title"
    assert "First line\nsecond line" in abstract


def test_event_and_theme_calendars(client, programme):
    event_feed = client.get(reverse("exports:event_ics", args=["cloudconf-2030"]))
    theme_feed = client.get(reverse("exports:theme_ics", args=["cloudconf-2030", "storage"]))

    assert event_feed["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = icalendar.Calendar.from_ical(event_feed.content)
    by_summary = {str(v["SUMMARY"]): v for v in calendar.walk("VEVENT")}
    assert set(by_summary) == {
        "Persistent volumes <in> practice & more",
        "Late-night demo",
        "Called off",
    }
    assert by_summary["Called off"]["STATUS"] == "CANCELLED"
    assert by_summary["Late-night demo"]["UID"] == str(programme["late"].uid)
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Amsterdam"]
    themed = icalendar.Calendar.from_ical(theme_feed.content)
    assert [str(v["SUMMARY"]) for v in themed.walk("VEVENT")] == [
        "Persistent volumes <in> practice & more"
    ]
    assert str(themed["X-WR-CALNAME"]) == f"{programme['event'].name}: Storage & CSI"


def test_event_calendar_categories_hold_the_official_track_then_the_themes(client, programme):
    response = client.get(reverse("exports:event_ics", args=["cloudconf-2030"]))

    calendar = icalendar.Calendar.from_ical(response.content)
    by_summary = {str(v["SUMMARY"]): v for v in calendar.walk("VEVENT")}
    talk = by_summary["Persistent volumes <in> practice & more"]
    late = by_summary["Late-night demo"]

    def categories(vevent):
        found = vevent.get("CATEGORIES") or []
        return [
            (dict(c.params), [str(v) for v in c.cats])
            for c in (found if isinstance(found, list) else [found])
        ]

    assert categories(talk) == [({"X-CONFGUIDE": "THEMES"}, ["Storage & CSI", "Security"])]
    assert categories(late) == [({}, ["Demos"])]
    assert talk["SUMMARY"].params["LANGUAGE"] == "de"
    assert "LANGUAGE" not in late["SUMMARY"].params
    assert talk["X-CONFGUIDE-ROOM"] == programme["talk"].room.name
    assert "X-CONFGUIDE-ROOM" not in late
    assert str(late["LOCATION"]) == "Online"  # a virtual event's session with no room


def test_exports_of_a_draft_event_are_not_found(client, db):
    EventFactory(slug="secret", is_published=False)

    for name in ("frab_xml", "frab_json", "event_ics"):
        assert client.get(reverse(f"exports:{name}", args=["secret"])).status_code == 404


def test_theme_calendar_of_unknown_theme_is_not_found(client, programme):
    url = reverse("exports:theme_ics", args=["cloudconf-2030", "no-such-theme"])

    assert client.get(url).status_code == 404


def test_exports_refuse_writes(client, programme):
    response = client.post(reverse("exports:frab_xml", args=["cloudconf-2030"]))

    assert response.status_code == 405


@pytest.mark.parametrize("name", ["frab_xml", "frab_json", "event_ics"])
def test_conditional_get_answers_304_until_something_changes(client, programme, name):
    url = reverse(f"exports:{name}", args=["cloudconf-2030"])
    first = client.get(url)

    by_etag = client.get(url, headers={"If-None-Match": first["ETag"]})
    by_date = client.get(url, headers={"If-Modified-Since": first["Last-Modified"]})
    talk = programme["talk"]
    talk.title = "Renamed"
    talk.save()
    after_change = client.get(url, headers={"If-None-Match": first["ETag"]})

    assert by_etag.status_code == 304
    assert by_etag.content == b""
    assert by_date.status_code == 304
    assert after_change.status_code == 200
    assert b"Renamed" in after_change.content
    assert after_change["ETag"] != first["ETag"]


@pytest.fixture(scope="class")
def small_and_large(class_db, django_db_blocker):
    """A 10- and a 1,000-session event, built once for the class: the exports only read them.

    Class-scoped, so the other tests of this module never see these rows.
    """
    with django_db_blocker.unblock():
        small = generate_event(sessions=10, speakers=15, seed=11).event
        large = generate_event(sessions=1000, speakers=1500, seed=12).event
        Event.objects.filter(pk__in=[small.pk, large.pk]).update(is_published=True)
    return small, large


class TestExportQueries:
    @pytest.mark.django_db
    @pytest.mark.parametrize("name", ["frab_xml", "frab_json", "event_ics"])
    def test_export_queries_do_not_grow_with_the_event(
        self, client, small_and_large, name, django_assert_max_num_queries
    ):
        small, large = small_and_large

        for event in (small, large):
            with django_assert_max_num_queries(6):
                response = client.get(reverse(f"exports:{name}", args=[event.slug]))
            assert response.status_code == 200
        assert large.sessions.count() == 1000


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["frab_xml", "frab_json"])
def test_round_trip_gives_back_the_same_programme(client, shared_data, name):
    apply_schedule(
        parsed=parse_schedule((shared_data / "good2025/good2025-schedule.xml").read_bytes()),
        event_slug="good-2025",
        publish=True,
    )
    exported = client.get(reverse(f"exports:{name}", args=["good-2025"])).content

    apply_schedule(parsed=parse_schedule(exported), event_slug="good-2025-again")

    def programme_of(slug):
        return sorted(
            (
                s.title,
                s.starts_at,
                s.ends_at,
                s.room.name,
                tuple(
                    (a.speaker.name, a.company.name if a.company else "")
                    for a in s.appearances.all()
                ),
            )
            for s in Session.objects.filter(event__slug=slug).for_listing()
        )

    original, copy = programme_of("good-2025"), programme_of("good-2025-again")
    assert len(original) == 72
    assert copy == original
    assert Event.objects.get(slug="good-2025-again").time_zone == "America/New_York"


@pytest.mark.django_db
def test_round_trip_into_the_same_event_changes_nothing(client, shared_data):
    apply_schedule(
        parsed=parse_schedule((shared_data / "good2025/good2025-schedule.json").read_bytes()),
        event_slug="good-2025",
        publish=True,
    )
    exported = client.get(reverse("exports:frab_xml", args=["good-2025"])).content

    # The sessions keep pretalx's ids; the import finds them by the guid we publish.
    report = apply_schedule(parsed=parse_schedule(exported), event_slug="good-2025")

    assert (report.created, report.updated, report.cancelled) == ([], [], [])
    assert report.unchanged == 72


def test_schedule_page_links_every_export(client, programme):
    response = client.get(reverse("conference:schedule", args=["cloudconf-2030"]))

    content = response.content.decode()
    for url in (
        reverse("exports:event_ics", args=["cloudconf-2030"]),
        reverse("exports:frab_xml", args=["cloudconf-2030"]),
        reverse("exports:frab_json", args=["cloudconf-2030"]),
        reverse("exports:theme_ics", args=["cloudconf-2030", "storage"]),
    ):
        assert f'href="{url}"' in content
    assert "Calendar of the “Storage &amp; CSI” sessions" in content


def test_exported_session_links_are_the_guide_pages(client, programme):
    response = client.get(reverse("exports:frab_json", args=["cloudconf-2030"]))

    events = [
        e
        for day in response.json()["schedule"]["conference"]["days"]
        for room in day["rooms"].values()
        for e in room
    ]
    assert events[0]["url"].endswith(programme["talk"].get_absolute_url())
    assert events[0]["links"] == [
        {"url": "https://official.example.org/talk/1", "title": "Official schedule", "type": "web"},
        {"url": "https://media.example.org/v/1", "title": "Video", "type": "media"},
        {"url": "https://slides.example.org/1.pdf", "title": "Slides", "type": "slides"},
    ]


@pytest.mark.parametrize("name", ["frab_xml", "frab_json", "event_ics"])
def test_renaming_a_room_changes_the_export_etag(client, programme, name):
    url = reverse(f"exports:{name}", args=["cloudconf-2030"])
    first = client.get(url)
    room = programme["talk"].room
    room.name = "Auditorium Renamed"
    room.save()

    after = client.get(url, headers={"If-None-Match": first["ETag"]})

    assert after.status_code == 200
    assert b"Auditorium Renamed" in after.content


@pytest.mark.parametrize("name", ["frab_xml", "frab_json", "event_ics"])
def test_exports_travel_gzipped_when_asked_and_unzip_to_the_same_body(client, programme, name):
    url = reverse(f"exports:{name}", args=["cloudconf-2030"])
    plain = client.get(url)
    packed = client.get(url, headers={"Accept-Encoding": "gzip"})

    assert "Content-Encoding" not in plain
    assert packed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed["Vary"]
    assert gzip.decompress(packed.content) == plain.content
    assert packed["ETag"].strip("W/") == plain["ETag"].strip("W/")
