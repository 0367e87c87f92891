"""Plan A and plan B: choosing between overlapping sessions, by POST, on one's own schedule."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client
from django.urls import reverse

from sessions.models import SavedSession, Session
from sessions.myschedule import services
from tests.factories import EventFactory, SavedSessionFactory, SessionFactory, UserFactory

pytestmark = pytest.mark.integration

NEW_YORK = ZoneInfo("America/New_York")
INDEX = reverse("myschedule:index")


def at(hour, minute=0):
    return dt.datetime(2030, 11, 17, hour, minute, tzinfo=NEW_YORK)


def _session(start, minutes=60, **kwargs):
    if "event" not in kwargs:
        kwargs["event"] = EventFactory()
    return SessionFactory(starts_at=start, ends_at=start + dt.timedelta(minutes=minutes), **kwargs)


@pytest.fixture
def attendee(db):
    return UserFactory(username="attendee")


@pytest.fixture
def attendee_client(client, attendee):
    client.force_login(attendee)
    return client


@pytest.fixture
def overlap(attendee):
    event = EventFactory()
    volumes = _session(at(10), title="Volumes", event=event)
    backups = _session(at(10, 30), title="Backups", event=event)
    evening = _session(at(18), title="Evening", event=event)
    for session in (volumes, backups, evening):
        SavedSessionFactory(user=attendee, session=session)
    return volumes, backups, evening


def _plans(owner_filter):
    return dict(SavedSession.objects.filter(**owner_filter).values_list("session__title", "plan"))


def test_choosing_plan_a_keeps_the_overlapping_session_as_plan_b(
    attendee_client, attendee, overlap
):
    volumes, _, _ = overlap

    response = attendee_client.post(
        reverse("myschedule:plan_a", args=[volumes.pk]), {"next": "/my-schedule/?from=test"}
    )

    assert response.status_code == 302
    assert response.url == "/my-schedule/?from=test"
    assert _plans({"user": attendee}) == {"Volumes": "A", "Backups": "B", "Evening": "A"}
    page = attendee_client.get(INDEX).text
    assert "“Volumes” is your plan A; “Backups” stays as plan B." in page
    assert "Your plan A is chosen" in page


def test_choosing_the_backup_swaps_plan_a_and_b(attendee_client, attendee, overlap):
    volumes, backups, _ = overlap
    attendee_client.post(reverse("myschedule:plan_a", args=[volumes.pk]))

    attendee_client.post(reverse("myschedule:plan_a", args=[backups.pk]))

    assert _plans({"user": attendee}) == {"Volumes": "B", "Backups": "A", "Evening": "A"}


def test_keeping_a_candidate_as_plan_b_saves_it_as_a_backup(attendee_client, attendee, overlap):
    volumes, _, _ = overlap
    candidate = _session(at(10, 15), 30, title="Snapshots", event=volumes.event)

    response = attendee_client.post(reverse("myschedule:plan_b", args=[candidate.pk]))

    assert response.status_code == 302
    assert _plans({"user": attendee})["Snapshots"] == "B"
    assert "“Snapshots” is in your schedule as plan B" in attendee_client.get(INDEX).text


def test_an_anonymous_visitor_picks_plan_a_and_keeps_it_on_sign_in(db):
    visitor = Client()
    event = EventFactory()
    volumes = _session(at(10), title="Volumes", event=event)
    backups = _session(at(10, 30), title="Backups", event=event)
    for session in (volumes, backups):
        visitor.post(reverse("myschedule:add", args=[session.pk]))

    visitor.post(reverse("myschedule:plan_a", args=[volumes.pk]))

    assert _plans({"visitor__isnull": False}) == {"Volumes": "A", "Backups": "B"}
    assert "Your plan A is chosen" in visitor.get(INDEX).text
    user = UserFactory()
    store = SessionStore(session_key=visitor.session.session_key)
    services.merge_anonymous_schedule(user=user, store=store)
    assert _plans({"user": user}) == {"Volumes": "A", "Backups": "B"}


def test_merge_on_sign_in_keeps_the_accounts_own_choice(attendee, overlap):
    volumes, backups, _ = overlap
    services.choose_plan_a(user=attendee, session_id=volumes.pk)
    visitor = Client()
    for session in (volumes, backups):
        visitor.post(reverse("myschedule:add", args=[session.pk]))
    visitor.post(reverse("myschedule:plan_a", args=[backups.pk]))

    services.merge_anonymous_schedule(
        user=attendee, store=SessionStore(session_key=visitor.session.session_key)
    )

    assert _plans({"user": attendee}) == {"Volumes": "A", "Backups": "B", "Evening": "A"}


# --- Security and bad input ----------------------------------------------------


def test_another_attendees_session_cannot_be_made_plan_a(attendee_client, attendee, overlap):
    other = UserFactory()
    theirs = SavedSessionFactory(user=other, session=_session(at(10)), plan="B")

    response = attendee_client.post(reverse("myschedule:plan_a", args=[theirs.session_id]))

    assert response.status_code == 404
    assert "That session is not in your schedule." in response.text
    theirs.refresh_from_db()
    assert theirs.plan == "B"
    assert not SavedSession.objects.filter(user=attendee, session=theirs.session).exists()


def test_plan_a_changes_only_the_askers_own_rows(attendee_client, attendee, overlap):
    volumes, backups, _ = overlap
    other = UserFactory()
    for session in (volumes, backups):
        SavedSessionFactory(user=other, session=session)

    attendee_client.post(reverse("myschedule:plan_a", args=[volumes.pk]))

    assert _plans({"user": other}) == {"Volumes": "A", "Backups": "A"}


def test_one_visitor_cannot_reach_another_visitors_plan(db):
    first, second = Client(), Client()
    event = EventFactory()
    volumes = _session(at(10), event=event)
    backups = _session(at(10, 30), event=event)
    for session in (volumes, backups):
        first.post(reverse("myschedule:add", args=[session.pk]))

    refused = second.post(reverse("myschedule:plan_a", args=[backups.pk]))

    assert refused.status_code == 404
    assert set(SavedSession.objects.values_list("plan", flat=True)) == {"A"}
    assert backups.title not in second.get(INDEX).text


@pytest.mark.parametrize("name", ["myschedule:plan_a", "myschedule:plan_b"])
def test_plans_refuse_unknown_and_draft_sessions_with_a_404(attendee_client, name):
    draft = _session(at(10), title="Secret draft", status=Session.Status.DRAFT)

    for session_id in (987654, draft.pk):
        response = attendee_client.post(reverse(name, args=[session_id]))
        assert response.status_code == 404
        assert "Secret draft" not in response.text
    assert not SavedSession.objects.exists()


def test_a_cancelled_session_is_neither_plan_a_nor_a_new_backup(attendee_client, attendee):
    cancelled = _session(at(10), status=Session.Status.CANCELLED)
    SavedSessionFactory(user=attendee, session=cancelled)
    unsaved = _session(at(10), status=Session.Status.CANCELLED)

    assert (
        attendee_client.post(reverse("myschedule:plan_a", args=[cancelled.pk])).status_code == 400
    )
    response = attendee_client.post(reverse("myschedule:plan_b", args=[unsaved.pk]))
    assert response.status_code == 400
    assert "has been cancelled" in response.text


@pytest.mark.parametrize("name", ["myschedule:plan_a", "myschedule:plan_b"])
def test_plans_change_only_by_post(attendee_client, attendee, overlap, name):
    _, backups, _ = overlap

    for method in ("get", "put", "delete"):
        assert getattr(attendee_client, method)(reverse(name, args=[backups.pk])).status_code == 405
    assert set(_plans({"user": attendee}).values()) == {"A"}


def test_plans_need_the_csrf_token(attendee, overlap):
    volumes, _, _ = overlap
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(attendee)

    assert strict.post(reverse("myschedule:plan_a", args=[volumes.pk])).status_code == 403
    page = strict.get(INDEX).text
    action = reverse("myschedule:plan_a", args=[volumes.pk])
    form = page[page.index(f'action="{action}"') :]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    done = strict.post(action, {"csrfmiddlewaretoken": token})
    assert done.status_code == 302
    assert _plans({"user": attendee})["Backups"] == "B"


def test_plan_a_ignores_a_next_that_leaves_the_site(attendee_client, overlap):
    volumes, _, _ = overlap

    response = attendee_client.post(
        reverse("myschedule:plan_a", args=[volumes.pk]), {"next": "https://evil.example/"}
    )

    assert response.url == INDEX


def test_the_shared_page_shows_plan_a_and_b_but_no_buttons(client, attendee, overlap):
    volumes, _, _ = overlap
    services.choose_plan_a(user=attendee, session_id=volumes.pk)
    services.set_sharing(user=attendee, enabled=True)

    response = client.get(
        reverse("myschedule:shared", args=[attendee.share_token, volumes.event.slug])
    )

    assert response.status_code == 200
    assert "Plan A" in response.text and "Plan B" in response.text
    assert "/plan-a/" not in response.text
    assert "/plan-b/" not in response.text
    assert "csrfmiddlewaretoken" not in response.text
