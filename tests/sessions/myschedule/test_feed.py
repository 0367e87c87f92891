import datetime as dt

import icalendar
import pytest
from django.urls import reverse
from django.utils import timezone

from sessions import services as programme
from sessions.models import Session
from sessions.myschedule import services
from tests.factories import (
    EventFactory,
    RoomFactory,
    SavedSessionFactory,
    SessionFactory,
    UserFactory,
)

pytestmark = pytest.mark.integration


@pytest.fixture
def subscriber(db):
    user = UserFactory(username="subscriber")
    services.regenerate_calendar_token(user=user)
    return user


def _feed_url(user):
    return reverse("myschedule:feed", args=[user.calendar_token])


def _events(client, user):
    response = client.get(_feed_url(user))
    assert response.status_code == 200
    calendar = icalendar.Calendar.from_ical(response.content)
    return calendar, {str(vevent["UID"]): vevent for vevent in calendar.walk("VEVENT")}


def test_feed_has_one_event_per_saved_public_session(client, subscriber):
    event = EventFactory(time_zone="Europe/Amsterdam", venue="RAI Amsterdam", is_virtual=False)
    kept = SavedSessionFactory(user=subscriber, session__event=event, session__title="Kept")
    SavedSessionFactory(user=subscriber, session__status=Session.Status.DRAFT)
    SavedSessionFactory(session__title="Someone else's")

    response = client.get(_feed_url(subscriber))
    calendar, events = _events(client, subscriber)

    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert 'filename="my-schedule.ics"' in response["Content-Disposition"]
    assert list(events) == [str(kept.session.uid)]
    vevent = events[str(kept.session.uid)]
    assert vevent["SUMMARY"] == "Kept"
    assert vevent["DTSTART"].params["TZID"] == "Europe/Amsterdam"
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Amsterdam"]
    assert vevent["LOCATION"].endswith("RAI Amsterdam")
    assert vevent["URL"].endswith(kept.session.get_absolute_url())
    assert calendar["REFRESH-INTERVAL"].dt == dt.timedelta(hours=1)
    assert b"\r\nX-PUBLISHED-TTL:PT1H\r\n" in response.content  # Outlook's refresh hint
    assert "subscriber" not in str(vevent["UID"]) and "@" not in str(vevent["UID"])


def test_feed_follows_moves_and_cancellations(client, subscriber):
    moved = SavedSessionFactory(user=subscriber).session
    cancelled = SavedSessionFactory(user=subscriber).session
    # LAST-MODIFIED has whole seconds: make "before" clearly earlier.
    Session.objects.filter(pk=moved.pk).update(created_at=timezone.now() - dt.timedelta(days=1))
    _, before = _events(client, subscriber)

    moved.starts_at += dt.timedelta(hours=2)
    moved.ends_at += dt.timedelta(hours=2)
    moved.save()
    programme.note_schedule_change(session=moved, changed_fields=["starts_at", "ends_at"])
    programme.set_sessions_status(
        sessions=Session.objects.filter(pk=cancelled.pk), status=Session.Status.CANCELLED
    )
    _, after = _events(client, subscriber)

    uid = str(moved.uid)
    assert after[uid]["SEQUENCE"] == before[uid]["SEQUENCE"] + 1
    assert after[uid].start == before[uid].start + dt.timedelta(hours=2)
    assert after[uid]["LAST-MODIFIED"].dt > before[uid]["LAST-MODIFIED"].dt
    assert after[str(cancelled.uid)]["STATUS"] == "CANCELLED"


def test_regenerating_the_token_kills_the_old_url_and_keeps_uids(client, subscriber):
    saved = SavedSessionFactory(user=subscriber)
    old_url = _feed_url(subscriber)
    _, before = _events(client, subscriber)
    client.force_login(subscriber)

    client.post(reverse("myschedule:regenerate_calendar"))
    subscriber.refresh_from_db()

    assert client.get(old_url).status_code == 404
    _, after = _events(client, subscriber)
    assert list(after) == list(before) == [str(saved.session.uid)]


@pytest.mark.parametrize("count", [2, 15])
def test_feed_queries_do_not_grow_with_the_schedule(
    client, subscriber, django_assert_num_queries, count
):
    for _ in range(count):
        SavedSessionFactory(user=subscriber)

    with django_assert_num_queries(5):
        response = client.get(_feed_url(subscriber))

    assert response.content.count(b"BEGIN:VEVENT") == count


def test_index_shows_https_and_webcal_addresses(client, subscriber, settings):
    settings.SITE_URL = "https://guide.example"
    client.force_login(subscriber)

    response = client.get(reverse("myschedule:index"))

    path = _feed_url(subscriber)
    assert f"https://guide.example{path}" in response.text
    assert f"webcal://guide.example{path}" in response.text


# --- Plan A and plan B ------------------------------------------------------------


def _slot(subscriber):
    event = EventFactory(time_zone="America/New_York")
    start = dt.datetime(2030, 11, 17, 10, tzinfo=event.tz)
    room = RoomFactory(event=event, name="Room 2")

    def session(title, offset, **kwargs):
        begins = start + dt.timedelta(minutes=offset)
        return SessionFactory(
            event=event,
            title=title,
            starts_at=begins,
            ends_at=begins + dt.timedelta(minutes=45),
            **kwargs,
        )

    plan_a = session("Volumes", 0)
    plan_b = session("Backups", 15, room=room)
    alone = session("Evening keynote", 8 * 60)
    for one in (plan_a, plan_b, alone):
        SavedSessionFactory(user=subscriber, session=one)
    return plan_a, plan_b, alone


def test_feed_exports_plan_a_and_names_plan_b_in_its_description(client, subscriber):
    plan_a, plan_b, alone = _slot(subscriber)
    services.choose_plan_a(user=subscriber, session_id=plan_a.pk)

    _, events = _events(client, subscriber)

    assert set(events) == {str(plan_a.uid), str(alone.uid)}
    description = str(events[str(plan_a.uid)]["DESCRIPTION"])
    assert "Plan B: Backups (10:15\N{EN DASH}11:00, Room 2)" in description
    assert plan_b.get_absolute_url() in description
    assert "Plan B" not in str(events[str(alone.uid)]["DESCRIPTION"])


def test_feed_exports_both_until_plan_a_is_chosen(client, subscriber):
    plan_a, plan_b, alone = _slot(subscriber)

    _, events = _events(client, subscriber)

    assert set(events) == {str(plan_a.uid), str(plan_b.uid), str(alone.uid)}
    assert "Plan B" not in str(events[str(plan_a.uid)]["DESCRIPTION"])


def test_feed_brings_plan_b_back_when_plan_a_is_cancelled_or_moved_away(client, subscriber):
    plan_a, plan_b, _ = _slot(subscriber)
    services.choose_plan_a(user=subscriber, session_id=plan_a.pk)

    programme.set_sessions_status(
        sessions=Session.objects.filter(pk=plan_a.pk), status=Session.Status.CANCELLED
    )
    _, events = _events(client, subscriber)

    assert str(plan_b.uid) in events
    assert events[str(plan_a.uid)]["STATUS"] == "CANCELLED"
    assert "Plan B" not in str(events[str(plan_a.uid)]["DESCRIPTION"])


@pytest.mark.parametrize("slots", [1, 6])
def test_feed_with_plans_queries_do_not_grow(client, subscriber, django_assert_num_queries, slots):
    for _ in range(slots):
        plan_a, _, _ = _slot(subscriber)
        services.choose_plan_a(user=subscriber, session_id=plan_a.pk)

    with django_assert_num_queries(5):
        response = client.get(_feed_url(subscriber))

    assert response.content.count(b"BEGIN:VEVENT") == 2 * slots
