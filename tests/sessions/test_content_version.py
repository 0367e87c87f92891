"""Every kind of edit moves the content version of each event it shows on, and
the cached pages and exports of those events show the edit on the next request."""

import datetime as dt
from xml.etree import ElementTree as ET

import pytest
from django.urls import reverse

from sessions import content, services
from sessions.importers import parse_schedule
from sessions.importers.apply import apply_schedule
from sessions.models import Event, Session, SessionSpeaker
from tests.factories import (
    CompanyFactory,
    EventFactory,
    RoomFactory,
    SessionFactory,
    SessionSpeakerFactory,
    SpeakerFactory,
    ThemeFactory,
)
from tests.sessions.admin_forms import inline

pytestmark = pytest.mark.integration


def version(event: Event) -> int:
    return Event.objects.values_list("content_version", flat=True).get(pk=event.pk)


@pytest.fixture
def two_events(db):
    """Two events that share a theme, a speaker and a company; a third that shares nothing."""
    storage = ThemeFactory(name="Storage & CSI", slug="storage")
    acme = CompanyFactory(name="Acme Cloud", slug="acme")
    ada = SpeakerFactory(name="Ada Lovelace", slug="ada", company=acme)
    first, second, other = EventFactory(), EventFactory(), EventFactory()
    talks = []
    for event in (first, second):
        talk = SessionFactory(event=event, themes=[storage])
        SessionSpeakerFactory(session=talk, speaker=ada, company=acme)
        talks.append(talk)
    SessionFactory(event=other)
    return {
        "first": first,
        "second": second,
        "other": other,
        "talks": talks,
        "theme": storage,
        "speaker": ada,
        "company": acme,
    }


class Versions:
    def __init__(self, *events):
        self.events = events
        self.before = [version(event) for event in events]

    def moved(self) -> list[bool]:
        return [version(e) > b for e, b in zip(self.events, self.before, strict=True)]


def test_renaming_a_theme_moves_every_event_that_shows_it(two_events):
    seen = Versions(two_events["first"], two_events["second"], two_events["other"])
    theme = two_events["theme"]
    theme.name = "Storage"
    theme.save()
    assert seen.moved() == [True, True, False]


def test_renaming_a_speaker_or_company_moves_the_events_they_appear_in(two_events):
    seen = Versions(two_events["first"], two_events["second"], two_events["other"])
    two_events["speaker"].name = "Ada King"
    two_events["speaker"].save()
    assert seen.moved() == [True, True, False]

    seen = Versions(two_events["first"], two_events["second"], two_events["other"])
    two_events["company"].name = "Acme Cloud Inc"
    two_events["company"].save()
    assert seen.moved() == [True, True, False]


def test_deleting_a_theme_speaker_or_company_moves_their_events(two_events):
    # The company first: once its speaker is gone, it shows nowhere.
    for name in ("company", "speaker", "theme"):
        seen = Versions(two_events["first"], two_events["other"])
        two_events[name].delete()
        assert seen.moved() == [True, False], name


def test_session_edits_move_only_their_own_event(two_events):
    first, second = two_events["first"], two_events["second"]
    talk = two_events["talks"][0]

    seen = Versions(first, second)
    talk.title = "A new title"
    talk.save()
    assert seen.moved() == [True, False]

    seen = Versions(first, second)
    talk.delete()
    assert seen.moved() == [True, False]


def test_moving_a_session_to_another_event_moves_both(two_events):
    first, second, other = two_events["first"], two_events["second"], two_events["other"]
    talk = Session.objects.get(pk=two_events["talks"][0].pk)
    seen = Versions(first, second, other)
    talk.event = other
    talk.room = None
    talk.save()
    assert seen.moved() == [True, False, True]


def test_theme_links_from_either_side_move_the_event(two_events):
    first = two_events["first"]
    talk = two_events["talks"][0]
    new_theme = ThemeFactory()
    for change in (
        lambda: talk.themes.add(new_theme),
        lambda: talk.themes.remove(new_theme),
        lambda: new_theme.sessions.add(talk),
        lambda: new_theme.sessions.clear(),
        lambda: talk.themes.clear(),
    ):
        seen = Versions(first)
        change()
        assert seen.moved() == [True]


def test_speakers_added_or_removed_and_rooms_renamed_move_the_event(two_events):
    first = two_events["first"]
    talk = two_events["talks"][0]

    seen = Versions(first)
    appearance = SessionSpeakerFactory(session=talk)
    assert seen.moved() == [True]

    seen = Versions(first)
    appearance.delete()
    assert seen.moved() == [True]

    seen = Versions(first)
    talk.room.name = "Hall B"
    talk.room.save()
    assert seen.moved() == [True]


def test_bulk_actions_and_merges_move_the_events(two_events):
    first, second, other = two_events["first"], two_events["second"], two_events["other"]

    seen = Versions(first, second, other)
    services.set_sessions_status(
        sessions=Session.objects.filter(pk=two_events["talks"][0].pk),
        status=Session.Status.CANCELLED,
    )
    assert seen.moved() == [True, False, False]

    seen = Versions(first, second, other)
    services.set_events_published(events=Event.objects.filter(pk=other.pk), published=False)
    assert seen.moved() == [False, False, True]

    duplicate = SpeakerFactory(name="Ada  Lovelace")
    SessionSpeakerFactory(session=SessionFactory(event=other), speaker=duplicate)
    seen = Versions(first, second, other)
    services.merge_speakers(keep=two_events["speaker"], duplicates=[duplicate])
    assert seen.moved() == [True, True, True]

    twin = CompanyFactory(name="Acme Cloud, Inc.")
    seen = Versions(first, second, other)
    services.merge_companies(keep=two_events["company"], duplicates=[twin])
    # Ada, of Acme, now speaks at the third event too.
    assert seen.moved() == [True, True, True]


def test_a_batch_bumps_once_at_the_end(two_events):
    first = two_events["first"]
    before = version(first)
    with content.batch():
        for talk in Session.objects.filter(event=first):
            talk.title += " (updated)"
            talk.save()
        RoomFactory(event=first)
        assert version(first) == before  # not yet: the batch is still open
    assert version(first) == before + 1


def test_a_stale_event_form_never_writes_an_old_version_back(two_events):
    first = two_events["first"]
    stale = Event.objects.get(pk=first.pk)
    talk = two_events["talks"][0]
    talk.title = "Changed meanwhile"
    talk.save()
    bumped = version(first)

    stale.name = "Renamed in an old form"
    stale.save()

    assert version(first) > bumped


def test_a_new_theme_speaker_or_company_moves_nothing(two_events):
    seen = Versions(two_events["first"], two_events["other"])
    ThemeFactory()
    SpeakerFactory(company=CompanyFactory())
    assert seen.moved() == [False, False]


def test_site_version_moves_with_any_event_and_with_a_deleted_one(two_events):
    start = content.site_version().token
    two_events["talks"][0].title = "Retitled"
    two_events["talks"][0].save()
    after_edit = content.site_version().token
    two_events["other"].delete()

    assert len({start, after_edit, content.site_version().token}) == 3


# --- Edits are visible on the next request, through every cache ----------------


@pytest.fixture
def shown(client):
    """GET a page twice (the second from the cache) and return the text of a third."""

    def get(url: str) -> str:
        client.get(url)
        return client.get(url).text

    return get


def test_edits_show_on_the_next_request_to_cached_pages_and_exports(two_events, shown, client):
    first = two_events["first"]
    talk = two_events["talks"][0]
    urls = [
        reverse("conference:schedule", args=[first.slug])
        + f"?day={talk.conference_day.isoformat()}",
        talk.get_absolute_url(),
        reverse("exports:frab_json", args=[first.slug]),
        reverse("exports:event_ics", args=[first.slug]),
        reverse("exports:frab_xml", args=[first.slug]),
    ]
    for url in urls:
        assert "Ada Lovelace" in shown(url)

    speaker = two_events["speaker"]
    speaker.name = "Ada King"
    speaker.save()

    for url in urls:
        text = client.get(url).text
        assert "Ada King" in text, url
        assert "Ada Lovelace" not in text, url


def test_theme_rename_shows_on_cached_schedule_and_session_pages(two_events, shown, client):
    first = two_events["first"]
    talk = two_events["talks"][0]
    schedule = (
        reverse("conference:schedule", args=[first.slug])
        + f"?day={talk.conference_day.isoformat()}"
    )
    assert "Storage &amp; CSI" in shown(schedule)
    assert "Storage &amp; CSI" in shown(talk.get_absolute_url())

    theme = two_events["theme"]
    theme.name = "Block and file storage"
    theme.save()

    assert "Block and file storage" in client.get(schedule).text
    assert "Block and file storage" in client.get(talk.get_absolute_url()).text


def test_reimport_that_swaps_a_speaker_changes_every_export(client, db, schedule_fixture):
    original = schedule_fixture("minimal-frab.json")
    apply_schedule(parsed=parse_schedule(original), event_slug="tiny", publish=True)
    urls = [reverse(f"exports:{name}", args=["tiny"]) for name in ("frab_json", "event_ics")]
    first = {url: client.get(url) for url in urls}

    swapped = original.replace(b"Ada Lovelace [Red Hat]", b"Grace Hopper [Navy]")
    apply_schedule(parsed=parse_schedule(swapped), event_slug="tiny")

    for url in urls:
        again = client.get(url, headers={"If-None-Match": first[url]["ETag"]})
        assert again.status_code == 200, url
        assert b"Grace Hopper" in again.content
        assert b"Ada Lovelace" not in again.content
    assert not SessionSpeaker.objects.filter(speaker__name="Ada Lovelace").exists()


def test_admin_edit_shows_on_the_next_request(editor_client, two_events, shown):
    talk = two_events["talks"][0]
    assert talk.title in shown(talk.get_absolute_url())
    change = reverse("admin:conference_theme_change", args=[two_events["theme"].pk])
    form = editor_client.get(change).context["adminform"].form
    data = {name: form.initial.get(name, "") for name in form.fields} | {
        "name": "Renamed in the admin"
    }
    data |= inline("rules", [])  # the theme's rules inline, empty
    response = editor_client.post(change, data)
    assert response.status_code == 302, response.context["adminform"].form.errors

    assert "Renamed in the admin" in editor_client.get(talk.get_absolute_url()).text


def test_a_dry_run_import_moves_nothing(db, schedule_fixture):
    apply_schedule(parsed=parse_schedule(schedule_fixture("minimal-frab.json")), event_slug="tiny")
    event = Event.objects.get(slug="tiny")
    before = version(event)
    updated = Event.objects.values_list("updated_at", flat=True).get(pk=event.pk)
    changed = schedule_fixture("minimal-frab.json").replace(b"09:30", b"10:30")
    apply_schedule(parsed=parse_schedule(changed), event_slug="tiny", dry_run=True)

    assert version(event) == before
    assert Event.objects.values_list("updated_at", flat=True).get(pk=event.pk) == updated
    assert dt.datetime.now(dt.UTC) >= updated


def test_site_version_says_when_the_programme_last_changed(two_events):
    talk = two_events["talks"][0]
    talk.title = "Retitled"
    talk.save()
    latest = Event.objects.order_by("-updated_at").values_list("updated_at", flat=True)[0]

    assert content.site_version().changed_at == latest
    assert content.site_version().changed_at.tzinfo is not None


def _rename_session(p):
    p["talks"][0].title = "A retitled talk"
    p["talks"][0].save()
    return "A retitled talk"


def _rename_speaker(p):
    p["speaker"].name = "Ada King"
    p["speaker"].save()
    return "Ada King"


def _rename_company(p):
    p["company"].name = "Acme Cloud Renamed"
    p["company"].save()
    return "Acme Cloud Renamed"


def _rename_room(p):
    room = p["talks"][0].room
    room.name = "Hall Renamed"
    room.save()
    return "Hall Renamed"


def _rename_theme(p):
    p["theme"].name = "Storage Renamed"
    p["theme"].save()
    return "Storage Renamed"


def _add_theme_link(p):
    p["talks"][0].themes.add(ThemeFactory(name="Freshly Linked"))
    return "Freshly Linked"


def _add_speaker(p):
    SessionSpeakerFactory(session=p["talks"][0], speaker=SpeakerFactory(name="Grace Hopper"))
    return "Grace Hopper"


def _merge_speaker(p):
    twin = SpeakerFactory(name="Ada Byron")
    SessionSpeakerFactory(session=p["talks"][0], speaker=twin, order=1)
    services.merge_speakers(keep=twin, duplicates=[p["speaker"]])
    return "Ada Byron"


@pytest.mark.parametrize(
    "edit",
    [
        _rename_session,
        _rename_speaker,
        _rename_company,
        _rename_room,
        _rename_theme,
        _add_theme_link,
        _add_speaker,
        _merge_speaker,
    ],
)
def test_every_kind_of_edit_shows_at_once_on_cached_pages_and_exports(two_events, client, edit):
    first, talk = two_events["first"], two_events["talks"][0]
    urls = [
        reverse("conference:schedule", args=[first.slug]) + f"?day={talk.conference_day}",
        talk.get_absolute_url(),
        reverse("exports:frab_json", args=[first.slug]),
    ]
    etags = {url: client.get(url)["ETag"] for url in urls}
    for url, etag in etags.items():  # cached, and answering 304 to a repeat visit
        assert client.get(url, headers={"If-None-Match": etag}).status_code == 304

    shown = edit(two_events)

    for url, etag in etags.items():
        response = client.get(url, headers={"If-None-Match": etag})
        assert response.status_code == 200, url
        assert shown in response.content.decode(), (edit.__name__, url)


def test_a_reimport_that_fills_in_a_speakers_company_moves_their_other_events(db, schedule_fixture):
    elsewhere = EventFactory()
    ada = SpeakerFactory(name="Ada Lovelace", company=None)
    SessionSpeakerFactory(session=SessionFactory(event=elsewhere), speaker=ada, company=None)
    seen = Versions(elsewhere)

    apply_schedule(parsed=parse_schedule(schedule_fixture("minimal-frab.json")), event_slug="tiny")

    ada.refresh_from_db()
    assert ada.company is not None  # "Ada Lovelace [Red Hat]" gave her a company
    assert seen.moved() == [True]


# --- frab <version>: what pretalx-downstream releases a new version on ---------


def _published_versions(client, event: Event) -> dict[str, str]:
    """The frab XML and JSON versions, and the ETag of each export."""
    xml = client.get(reverse("exports:frab_xml", args=[event.slug]))
    json = client.get(reverse("exports:frab_json", args=[event.slug]))
    calendar = client.get(reverse("exports:event_ics", args=[event.slug]))
    return {
        "xml version": ET.fromstring(xml.content).findtext("version"),
        "json version": json.json()["schedule"]["version"],
        "xml etag": xml["ETag"],
        "json etag": json["ETag"],
        "ics etag": calendar["ETag"],
    }


def _cancel_a_session(p):
    services.set_sessions_status(
        sessions=Session.objects.filter(pk=p["talks"][0].pk), status=Session.Status.CANCELLED
    )


def _swap_a_speaker(p):
    appearance = p["talks"][0].appearances.get()
    appearance.speaker = SpeakerFactory(name="Grace Hopper")
    appearance.save()


@pytest.mark.parametrize("edit", [_cancel_a_session, _rename_theme, _swap_a_speaker])
def test_frab_version_and_every_etag_move_with_a_change_apps_can_see(two_events, client, edit):
    before = _published_versions(client, two_events["first"])

    edit(two_events)

    after = _published_versions(client, two_events["first"])
    assert {name for name in before if before[name] == after[name]} == set()
    assert after["xml version"] == after["json version"] == str(version(two_events["first"]))


def test_saving_without_a_change_moves_neither_version_nor_etag(two_events, client):
    first = two_events["first"]
    before = _published_versions(client, first)

    Event.objects.get(pk=first.pk).save()  # an admin form saved with nothing edited
    Session.objects.get(pk=two_events["talks"][0].pk).save()
    two_events["theme"].save()
    two_events["talks"][0].room.save()

    assert _published_versions(client, first) == before
