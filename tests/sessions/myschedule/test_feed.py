import datetime as dt

import icalendar
import pytest
from django.urls import reverse
from django.utils import timezone

from sessions import services as programme
from sessions.models import Session
from sessions.myschedule import services
from tests.factories import EventFactory, SavedSessionFactory, UserFactory

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
