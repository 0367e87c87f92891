"""The toggle on the public pages: right state per session, one query for all of them."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sessions.models import Session
from tests.factories import (
    EventFactory,
    SavedSessionFactory,
    SessionFactory,
    SpeakerFactory,
    ThemeFactory,
    UserFactory,
)

pytestmark = pytest.mark.integration


@pytest.fixture
def attendee_client(client, db):
    client.force_login(UserFactory(username="attendee"))
    return client


def _programme(count, *, theme=None, speaker=None):
    event = EventFactory()
    sessions = []
    for n in range(count):
        start = dt.datetime.combine(event.start_date, dt.time(9), tzinfo=event.tz)
        start += dt.timedelta(minutes=40 * n)
        sessions.append(
            SessionFactory(
                event=event,
                starts_at=start,
                ends_at=start + dt.timedelta(minutes=30),
                themes=[theme] if theme else [],
                speakers=[speaker] if speaker else [],
            )
        )
    return event, sessions


def test_schedule_page_shows_add_or_remove_per_session(attendee_client):
    event, sessions = _programme(3)
    user = attendee_client.get("/").wsgi_request.user
    SavedSessionFactory(user=user, session=sessions[1])

    response = attendee_client.get(reverse("conference:schedule", args=[event.slug]))

    text = response.text
    assert text.count('aria-label="Save “') == 2
    assert text.count(reverse("myschedule:remove", args=[sessions[1].pk])) == 1
    assert f'name="next" value="{reverse("conference:schedule", args=[event.slug])}"' in text


@pytest.mark.parametrize("count", [3, 12])
def test_schedule_page_saved_state_costs_one_query_whatever_the_size(attendee_client, count):
    event, sessions = _programme(count)
    user = attendee_client.get("/").wsgi_request.user
    SavedSessionFactory(user=user, session=sessions[0])
    url = reverse("conference:schedule", args=[event.slug])
    attendee_client.get(url)  # warm up: the session and user rows are the same either way
    with CaptureQueriesContext(connection) as queries:
        response = attendee_client.get(url)

    saved_queries = [q for q in queries.captured_queries if "savedsession" in q["sql"].lower()]
    assert len(saved_queries) == 1
    assert response.text.count('aria-label="Save “') == count - 1


@pytest.mark.parametrize(
    "page",
    ["session", "speaker", "theme"],
)
def test_toggle_appears_on_session_speaker_and_theme_pages(attendee_client, page):
    theme, speaker = ThemeFactory(), SpeakerFactory()
    _, (session,) = _programme(1, theme=theme, speaker=speaker)
    url = {
        "session": session.get_absolute_url(),
        "speaker": speaker.get_absolute_url(),
        "theme": theme.get_absolute_url(),
    }[page]

    response = attendee_client.get(url)

    assert reverse("myschedule:add", args=[session.pk]) in response.text


def test_cancelled_sessions_offer_no_add_button(attendee_client):
    event, (session,) = _programme(1)
    Session.objects.filter(pk=session.pk).update(status=Session.Status.CANCELLED)

    response = attendee_client.get(reverse("conference:schedule", args=[event.slug]))

    assert session.title in response.text
    assert reverse("myschedule:add", args=[session.pk]) not in response.text
