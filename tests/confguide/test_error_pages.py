"""The error pages: the right status, the site's layout, and a way on from each."""

import re

import pytest
from django.template import loader
from django.test import Client

pytestmark = pytest.mark.integration

TEST_URLS = "tests.confguide.error_urls"


def assert_layout(page: str) -> None:
    assert '<nav class="navbar' in page and 'aria-label="Main"' in page
    assert '<footer class="site-footer' in page
    assert "css/errors.css" in page


def assert_designed(page: str) -> None:
    """The site's header and footer, a search box and the links on."""
    assert_layout(page)
    search = re.search(r'<form class="error-search" action="/search/" method="get"', page)
    assert search, "no search form"
    assert 'name="q"' in page and '<label class="form-label" for="error-search-q">' in page
    for href in ("/", "/events/", "/my-schedule/"):
        assert f'<a href="{href}">' in page


@pytest.fixture
def failing_views(settings):
    settings.ROOT_URLCONF = TEST_URLS
    return Client(raise_request_exception=False)


def test_a_missing_page_is_a_designed_404_naming_the_address(client, db):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert_designed(response.text)
    assert "<title>Page not found · confguide</title>" in response.text
    assert '<code class="error-path">/no-such-page/</code>' in response.text
    # The reader's own part of the navigation is filled in, as on every page.
    assert "<!--cg:" not in response.text


def test_a_missing_event_is_the_same_designed_404(client, db):
    response = client.get("/events/no-such-event/")

    assert response.status_code == 404
    assert_designed(response.text)


@pytest.mark.parametrize("path", ["/no-such-page/", "/events/no-such-event/"])
def test_with_debug_on_a_missing_page_still_shows_the_designed_404(client, db, settings, path):
    settings.DEBUG = True

    response = client.get(path)

    assert response.status_code == 404
    assert_designed(response.text)
    assert "Using the URLconf" not in response.text
    assert "<!--cg:" not in response.text


@pytest.mark.parametrize("path", ["/no-such-page/", "/events/no-such-event/"])
def test_debug_technical_errors_brings_back_djangos_debug_404(client, db, settings, path):
    settings.DEBUG = True
    settings.DEBUG_TECHNICAL_ERRORS = True

    response = client.get(path)

    assert response.status_code == 404
    assert "seeing this error because you have <code>DEBUG = True</code>" in response.text
    assert 'class="error-search"' not in response.text


def test_the_500_page_renders_without_a_request_context_or_the_database():
    # No `db` fixture: pytest-django fails any query, so this passes only if none runs.
    page = loader.get_template("500.html").render()

    assert_designed(page)
    assert "Something went wrong on our side" in page


def test_a_failing_view_answers_the_designed_500(failing_views, db):
    response = failing_views.get("/test-errors/broken/")

    assert response.status_code == 500
    assert_designed(response.text)
    assert "Something went wrong on our side" in response.text


def test_a_lost_database_answers_the_designed_503_with_retry_after(failing_views, db):
    response = failing_views.get("/test-errors/database/")

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert_layout(response.text)
    assert "The guide is back in a moment" in response.text
    # Every other page needs the database too: no search or links that would fail alike.
    assert 'class="error-search"' not in response.text


def test_a_forbidden_page_is_a_designed_403_offering_sign_in(failing_views, db):
    response = failing_views.get("/test-errors/forbidden/")

    assert response.status_code == 403
    assert_designed(response.text)
    assert "/accounts/login/?next=/test-errors/forbidden/" in response.text


def test_a_bad_request_is_a_designed_400(failing_views, db):
    response = failing_views.get("/test-errors/bad/")

    assert response.status_code == 400
    assert_designed(response.text)
    assert "That request could not be understood" in response.text


def test_a_body_too_large_is_a_designed_413(client, db):
    response = client.generic(
        "POST", "/contact/", b"x", content_type="text/plain", CONTENT_LENGTH=str(10**9)
    )

    assert response.status_code == 413
    assert_designed(response.text)
    assert "That was too large to accept" in response.text


def test_too_many_sign_ups_is_a_designed_429_saying_when_to_try_again(client, db, settings):
    settings.ACCOUNT_RATE_LIMITS = {"signup": "0/900s/ip"}

    response = client.post(
        "/accounts/signup/",
        {"email": "new@example.test", "password1": "x" * 20, "password2": "x" * 20},
    )

    assert response.status_code == 429
    assert response["Retry-After"]
    assert_designed(response.text)
    assert "Please try again in" in response.text
