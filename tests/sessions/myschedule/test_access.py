"""One attendee never reaches another's schedule, feed or share link, by any URL."""

import secrets

import pytest
from django.urls import reverse

from sessions.models import SavedSession
from sessions.myschedule import services
from tests.factories import SavedSessionFactory, SessionFactory, UserFactory

pytestmark = pytest.mark.integration


@pytest.fixture
def owner(db):
    user = UserFactory(username="owner")
    services.regenerate_calendar_token(user=user)
    return user


@pytest.fixture
def owners_session(owner):
    return SavedSessionFactory(user=owner, session__title="Owners private pick").session


@pytest.fixture
def other_client(client, db):
    client.force_login(UserFactory(username="other"))
    return client


def test_another_attendee_sees_only_their_own_schedule_pages(other_client, owners_session):
    event_page = other_client.get(reverse("myschedule:event", args=[owners_session.event.slug]))
    index = other_client.get(reverse("myschedule:index"))

    assert "Owners private pick" not in event_page.text
    assert owners_session.event.name not in index.text


def test_another_attendee_cannot_remove_the_owners_session(other_client, owner, owners_session):
    other_client.post(reverse("myschedule:remove", args=[owners_session.pk]))

    assert SavedSession.objects.filter(user=owner, session=owners_session).exists()


def test_marking_seen_touches_only_the_callers_rows(other_client, owner, owners_session):
    before = SavedSession.objects.get(user=owner).seen_at

    other_client.post(reverse("myschedule:mark_seen", args=[owners_session.event.slug]))

    assert SavedSession.objects.get(user=owner).seen_at == before


@pytest.mark.parametrize(
    "token",
    [
        secrets.token_urlsafe(32),  # a guess in the right format
        "a" * 43,
        "",  # the empty token of users without one must never match
    ],
)
def test_guessed_feed_tokens_find_nothing(client, owner, owners_session, token):
    UserFactory(username="no-token")  # calendar_token is NULL, not ""
    if not token:
        response = client.get(f"/my-schedule/calendar/{token}.ics")
    else:
        response = client.get(reverse("myschedule:feed", args=[token]))

    assert response.status_code == 404
    assert b"Owners private pick" not in response.content


def test_feed_tokens_are_case_sensitive_and_not_prefix_matched(client, owner):
    token = owner.calendar_token

    assert client.get(reverse("myschedule:feed", args=[token.swapcase()])).status_code == 404
    assert client.get(reverse("myschedule:feed", args=[token[:-1]])).status_code == 404
    assert client.get(reverse("myschedule:feed", args=[token])).status_code == 200


def test_the_feed_url_does_not_accept_user_ids(client, owner, owners_session):
    assert client.get(f"/my-schedule/calendar/{owner.pk}.ics").status_code == 404


def test_share_link_works_only_while_sharing_is_on(client, owner, owners_session):
    services.set_sharing(user=owner, enabled=True)
    owner.refresh_from_db()
    url = reverse("myschedule:shared", args=[owner.share_token, owners_session.event.slug])

    shared = client.get(url)
    assert shared.status_code == 200
    assert "Owners private pick" in shared.text
    assert "Remove" not in shared.text  # read-only: no toggles
    assert shared["X-Robots-Tag"] == "noindex"

    services.set_sharing(user=owner, enabled=False)
    assert client.get(url).status_code == 404


def test_a_share_token_is_not_a_feed_token_and_vice_versa(client, owner, owners_session):
    services.set_sharing(user=owner, enabled=True)
    owner.refresh_from_db()
    slug = owners_session.event.slug

    assert client.get(reverse("myschedule:feed", args=[owner.share_token])).status_code == 404
    shared = reverse("myschedule:shared", args=[owner.calendar_token, slug])
    assert client.get(shared).status_code == 404


def test_guessed_share_tokens_find_nothing(client, owner, owners_session):
    url = reverse("myschedule:shared", args=[secrets.token_urlsafe(32), owners_session.event.slug])

    assert client.get(url).status_code == 404


def test_the_owners_session_page_toggle_state_is_their_own(other_client, owners_session):
    # The saved-state set for toggles comes from the caller's rows only.
    from sessions.myschedule.selectors import saved_session_ids

    request = other_client.get(reverse("myschedule:index")).wsgi_request

    assert saved_session_ids(request) == set()


def test_a_fetch_toggle_cannot_be_driven_cross_site(client, owner, owners_session):
    # State changes need the CSRF token; a forged cross-site POST is refused.
    from django.test import Client

    forger = Client(enforce_csrf_checks=True)
    forger.force_login(owner)
    session = SessionFactory()

    response = forger.post(
        reverse("myschedule:add", args=[session.pk]), HTTP_X_REQUESTED_WITH="fetch"
    )

    assert response.status_code == 403
    assert not SavedSession.objects.filter(user=owner, session=session).exists()
