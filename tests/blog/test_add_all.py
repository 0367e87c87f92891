import pytest

from sessions.models import SavedSession, Session
from tests.factories import UserFactory

pytestmark = pytest.mark.integration


def add_all_url(post):
    return f"/blog/{post.slug}/add-to-schedule/"


def test_signed_in_reader_adds_every_featured_session_at_once(client, guide_post):
    reader = UserFactory()
    client.force_login(reader)

    response = client.post(add_all_url(guide_post), follow=True)

    assert response.redirect_chain[-1][0] == f"/blog/{guide_post.slug}/#add-all"
    assert "Added 2 sessions to your schedule." in response.text
    assert sorted(
        SavedSession.objects.filter(user=reader).values_list("session__title", flat=True)
    ) == ["Beyond File and Block Storage", "Persistent Memory in Kubernetes"]


def test_adding_all_again_adds_nothing_twice(client, guide_post):
    reader = UserFactory()
    client.force_login(reader)
    client.post(add_all_url(guide_post))

    response = client.post(add_all_url(guide_post), follow=True)

    assert "Every session in this post is already in your schedule." in response.text
    assert SavedSession.objects.filter(user=reader).count() == 2


def test_anonymous_reader_adds_all_to_the_browser_schedule(client, guide_post):
    client.post(add_all_url(guide_post))
    event = guide_post.sections.first().entries.first().session.event

    response = client.get(f"/my-schedule/events/{event.slug}/")

    assert "Persistent Memory in Kubernetes" in response.text
    assert "Beyond File and Block Storage" in response.text


def test_cancelled_sessions_are_not_added_and_not_counted(client, guide_post):
    Session.objects.filter(title="Beyond File and Block Storage").update(
        status=Session.Status.CANCELLED
    )
    reader = UserFactory()
    client.force_login(reader)

    page = client.get(guide_post.get_absolute_url())
    client.post(add_all_url(guide_post))

    assert "Add all 1 of these to my schedule" in page.text
    assert list(
        SavedSession.objects.filter(user=reader).values_list("session__title", flat=True)
    ) == ["Persistent Memory in Kubernetes"]


def test_add_all_needs_a_post_request(client, guide_post):
    response = client.get(add_all_url(guide_post))

    assert response.status_code == 405
    assert SavedSession.objects.count() == 0


def test_add_all_on_a_draft_post_is_a_404_for_readers(client, guide_post):
    guide_post.status = "draft"
    guide_post.save()

    assert client.post(add_all_url(guide_post)).status_code == 404


def test_add_all_is_refused_without_a_csrf_token(guide_post):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)

    assert strict.post(add_all_url(guide_post)).status_code == 403
