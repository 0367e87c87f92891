"""The editors' dashboard of an event: its numbers, the lists they link to, who may see it."""

from __future__ import annotations

import itertools

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from confguide.models import ContactMessage
from sessions.demo.generator import generate_event
from sessions.models import Room, SavedSession, Session, Speaker, Visitor
from tests.factories import (
    ContactMessageFactory,
    EventFactory,
    FeedSyncFactory,
    RoomFactory,
    SavedSessionFactory,
    SessionFactory,
    SpeakerFactory,
    ThemeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def dashboard_url(event) -> str:
    return reverse("admin:conference_event_dashboard", args=[event.pk])


def listed_pks(client, url: str) -> set[int]:
    response = client.get(url)
    assert response.status_code == 200, url
    return {obj.pk for obj in response.context["cl"].queryset}


def save(session, *, anonymous=False, plan=SavedSession.Plan.A) -> SavedSession:
    if anonymous:
        return SavedSession.objects.create(
            session=session, visitor=Visitor.objects.create(), plan=plan
        )
    return SavedSessionFactory(session=session, plan=plan)


def disturb(event, *, untag: int, saves: int) -> None:
    """Make a generated event look used: capacities, saves (both kinds), gaps in curation."""
    sessions = list(event.sessions.order_by("pk"))
    Room.objects.filter(event=event).update(capacity=2)
    for session in sessions[:untag]:
        session.themes.clear()
    for index, session in zip(range(saves), itertools.cycle(sessions[: max(1, saves // 3)])):
        save(session, anonymous=index % 2 == 0, plan="B" if index % 5 == 0 else "A")
    speaker_ids = list(
        Speaker.objects.filter(appearances__session__event=event)
        .distinct()
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    Speaker.objects.filter(pk__in=speaker_ids[:3]).update(company=None)


def test_generated_event_numbers_match_the_rows_each_link_lists(editor_client):
    event = generate_event(sessions=30, speakers=20, seed=3).event
    disturb(event, untag=4, saves=25)
    sessions = list(
        Session.objects.filter(event=event).select_related("room").prefetch_related("saved_by")
    )
    saves = {s.pk: s.saved_by.count() for s in sessions}
    expected_over = {
        s.pk
        for s in sessions
        if saves[s.pk] > s.room.capacity and s.status != Session.Status.CANCELLED
    }
    expected_untagged = {s.pk for s in sessions if not s.themes.exists()}
    speakers = Speaker.objects.filter(appearances__session__event=event).distinct()
    expected_no_company = {sp.pk for sp in speakers if sp.company_id is None}

    response = editor_client.get(dashboard_url(event))

    assert response.status_code == 200
    d = response.context["dashboard"]
    assert d.session_count == 30
    assert d.saves["total"] == 25
    assert d.saves["anonymous"] == 13
    assert d.saves["plan_b"] == 5
    assert d.saves["sessions"] == len([pk for pk, n in saves.items() if n])
    assert d.over_capacity_count == len(expected_over) > 0
    assert d.untagged_count == len(expected_untagged) == 4
    assert d.speaker_count == speakers.count()
    assert d.speakers_without_company == len(expected_no_company) == 3
    assert [s.saves for s in d.most_saved] == sorted(
        (n for n in saves.values() if n), reverse=True
    )[: len(d.most_saved)]

    assert listed_pks(editor_client, d.links["sessions"]) == {s.pk for s in sessions}
    assert listed_pks(editor_client, d.links["saved"]) == {pk for pk, n in saves.items() if n}
    assert listed_pks(editor_client, d.links["over_capacity"]) == expected_over
    assert listed_pks(editor_client, d.links["untagged"]) == expected_untagged
    assert listed_pks(editor_client, d.links["without_company"]) == expected_no_company
    assert listed_pks(editor_client, d.links["speakers"]) == {sp.pk for sp in speakers}
    for theme in d.themes:
        listed = listed_pks(editor_client, f"{d.links['theme']}{theme.pk}")
        assert len(listed) == theme.event_sessions
        assert listed == {s.pk for s in sessions if theme in s.themes.all()}
    # The page shows the links, not only the numbers.
    assert d.links["over_capacity"].replace("&", "&amp;") in response.text


def test_hand_made_edge_cases_are_counted_and_filtered_exactly(editor_client):
    event = EventFactory(name="EdgeConf")
    other_event = EventFactory()
    small = RoomFactory(event=event, name="Small", capacity=2)
    unknown = RoomFactory(event=event, name="Hall", capacity=None)
    storage = ThemeFactory(name="Storage & CSI")
    packed = SessionFactory(event=event, room=small, title="Packed", themes=[storage])
    exactly_full = SessionFactory(event=event, room=small, title="Exactly full", themes=[storage])
    no_seats_known = SessionFactory(event=event, room=unknown, title="Popular, room unknown")
    # Over capacity only thanks to an anonymous visitor's plan B save.
    save(packed)
    save(packed)
    save(packed, anonymous=True, plan=SavedSession.Plan.B)
    save(exactly_full)
    save(exactly_full, anonymous=True)
    for _ in range(5):
        save(no_seats_known, anonymous=True)
    called_off = SessionFactory(
        event=event, room=small, title="Called off", status=Session.Status.CANCELLED
    )
    for _ in range(3):
        save(called_off)
    freelancer = SpeakerFactory(name="Free Lancer", company=None)
    SessionFactory(event=event, room=unknown, speakers=[freelancer, SpeakerFactory()])
    # Elsewhere: a companyless speaker and an untagged, over-full session of another event.
    SessionFactory(event=other_event, speakers=[SpeakerFactory(company=None)])
    elsewhere = SessionFactory(event=other_event, room=RoomFactory(event=other_event, capacity=0))
    save(elsewhere)

    response = editor_client.get(dashboard_url(event))
    d = response.context["dashboard"]

    assert [s.title for s in d.over_capacity] == ["Packed"]
    assert d.over_capacity[0].saves == 3
    assert listed_pks(editor_client, d.links["over_capacity"]) == {packed.pk}
    assert d.saves == {"total": 13, "anonymous": 7, "plan_b": 1, "sessions": 4}
    top = d.most_saved[0]
    assert (top.title, top.saves, top.anonymous_saves, top.plan_b_saves) == (
        "Popular, room unknown",
        5,
        5,
        0,
    )
    assert d.untagged_count == 3
    assert {t.name: t.event_sessions for t in d.themes}["Storage & CSI"] == 2
    assert d.speakers_without_company == 1
    assert listed_pks(editor_client, d.links["without_company"]) == {freelancer.pk}
    assert "plan A and plan B both" in response.text
    assert "Packed" in response.text


def test_last_sync_and_its_changes_link_to_the_history(editor_client):
    event = EventFactory(feed_url="https://schedule.example.org/feed.json")
    FeedSyncFactory(event=event, outcome="failed", error="The feed answered 500.")
    latest = FeedSyncFactory(event=event, moved=4, re_roomed=2, cancelled=1)

    response = editor_client.get(dashboard_url(event))

    assert response.context["dashboard"].last_sync == latest
    assert "Re-roomed" in response.text
    assert "The feed answered 500." not in response.text
    history = response.context["dashboard"].links["sync_history"]
    assert history.replace("&", "&amp;") in response.text
    assert listed_pks(editor_client, history) == set(event.feed_syncs.values_list("pk", flat=True))


def test_after_an_unchanged_sync_the_dashboard_shows_and_links_the_last_change(editor_client):
    event = EventFactory(feed_url="https://schedule.example.org/feed.json")
    change = FeedSyncFactory(event=event, moved=4, re_roomed=2, cancelled=1)
    quiet = FeedSyncFactory(
        event=event, outcome="not_modified", http_status=304, moved=0, re_roomed=0, cancelled=0
    )

    response = editor_client.get(dashboard_url(event))

    assert response.context["dashboard"].last_sync == quiet
    assert response.context["dashboard"].last_change == change
    assert f"/admin/conference/feedsync/{change.pk}/change/" in response.text
    assert f"/admin/conference/feedsync/{quiet.pk}/change/" not in response.text
    assert "<dt>Moved in time</dt><dd>4</dd>" in response.text


def test_an_event_never_synced_says_so(editor_client):
    response = editor_client.get(dashboard_url(EventFactory()))

    assert "No official feed" in response.text


def test_waiting_contact_messages_are_counted_and_linked(editor_client):
    ContactMessageFactory.create_batch(2)
    ContactMessageFactory(status=ContactMessage.Status.IN_PROGRESS)
    ContactMessageFactory(status=ContactMessage.Status.DONE)
    ContactMessageFactory(status=ContactMessage.Status.SPAM)

    d = editor_client.get(dashboard_url(EventFactory())).context["dashboard"]

    assert d.contact_waiting == {"new": 2, "in_progress": 1}
    new = listed_pks(editor_client, d.links["contact"] + "new")
    assert new == set(ContactMessage.objects.filter(status="new").values_list("pk", flat=True))


def test_staff_who_cannot_see_contact_messages_get_no_count_of_them(client):
    ContactMessageFactory()
    user = UserFactory(is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_event"))
    client.force_login(user)

    response = client.get(dashboard_url(EventFactory()))

    assert response.status_code == 200
    assert response.context["dashboard"].contact_waiting is None
    assert "Contact messages" not in response.text


def test_anonymous_visitor_is_sent_to_the_admin_login(client):
    response = client.get(dashboard_url(EventFactory()))

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_attendee_without_staff_status_is_sent_to_the_admin_login(client):
    client.force_login(UserFactory())

    response = client.get(dashboard_url(EventFactory()))

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_staff_without_view_permission_is_refused(client):
    client.force_login(UserFactory(is_staff=True))

    assert client.get(dashboard_url(EventFactory())).status_code == 403


@pytest.mark.parametrize("object_id", ["999999", "not-a-number"])
def test_unknown_event_is_not_found(editor_client, object_id):
    url = reverse("admin:conference_event_changelist") + f"{object_id}/dashboard/"

    assert editor_client.get(url).status_code == 404


def test_event_list_and_change_page_link_to_the_dashboard(editor_client):
    event = EventFactory()

    listing = editor_client.get(reverse("admin:conference_event_changelist"))
    change = editor_client.get(reverse("admin:conference_event_change", args=[event.pk]))

    assert f'href="{dashboard_url(event)}"' in listing.text
    assert f'href="{dashboard_url(event)}"' in change.text


@pytest.mark.parametrize("size", [10, 80])
def test_queries_stay_the_same_whatever_the_event_size(
    editor_client, django_assert_max_num_queries, size
):
    event = generate_event(sessions=size, speakers=size, seed=size).event
    disturb(event, untag=size // 5, saves=size)
    FeedSyncFactory(event=event)
    ContactMessageFactory()

    with django_assert_max_num_queries(16):
        response = editor_client.get(dashboard_url(event))

    assert response.status_code == 200
    assert len(response.context["dashboard"].most_saved) > 0


def test_editors_set_a_rooms_capacity_in_the_room_admin_and_the_event_inline(editor_client):
    room = RoomFactory(name="Hall A")

    editor_client.post(
        reverse("admin:conference_room_change", args=[room.pk]),
        {"event": room.event_id, "name": "Hall A", "order": 0, "capacity": 450},
    )
    inline = editor_client.get(reverse("admin:conference_event_change", args=[room.event_id]))
    listing = editor_client.get(reverse("admin:conference_room_changelist"))

    room.refresh_from_db()
    assert room.capacity == 450
    assert 'name="rooms-0-capacity"' in inline.text
    assert 'value="450"' in inline.text
    assert "450" in listing.text


@pytest.mark.parametrize("value", ["abc", "99999999999999999999"])
def test_a_hand_edited_saves_or_event_filter_does_not_fail(editor_client, value):
    sessions = editor_client.get(reverse("admin:conference_session_changelist"), {"saves": value})
    speakers = editor_client.get(reverse("admin:conference_speaker_changelist"), {"event": value})

    assert sessions.status_code == 200
    assert speakers.status_code == 200
