"""Every `next` a visitor can type ends on this site, whatever they type."""

import re
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.test import RequestFactory
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from confguide.redirects import safe_next_url
from tests.factories import SessionFactory, UserFactory


@pytest.mark.unit
@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/events/kubecon/", "/events/kubecon/"),
        ("/events/kubecon/?day=2020-11-18#now", "/events/kubecon/?day=2020-11-18#now"),
        # Only paths: a full URL, even to this host, is not needed and not taken.
        ("http://testserver/speakers/", "/fallback/"),
        ("https://evil.example/", "/fallback/"),
        ("//evil.example/path", "/fallback/"),
        ("/\\evil.example/path", "/fallback/"),
        ("\\\\evil.example", "/fallback/"),
        ("javascript:alert(1)", "/fallback/"),
        # A bare word was taken as a URL pattern name by redirect(): a 500.
        ("abc", "/fallback/"),
        ("/events/\r\nSet-Cookie: stolen=1", "/fallback/"),
        ("/events/\x00", "/fallback/"),
        ("/" + "a" * 2000, "/fallback/"),
        ("", "/fallback/"),
        (None, "/fallback/"),
    ],
)
def test_safe_next_url_keeps_only_paths_on_this_site(target, expected):
    request = RequestFactory().post("/time-zone/")

    assert safe_next_url(request, target, fallback="/fallback/") == expected


NASTY = [
    "abc",
    "//evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "http://evil.example",
    "https:evil.example",
    "javascript:alert(1)",
    "data:text/html,x",
    "/%2F%2Fevil.example",
    "\t//evil.example",
    " /events/",
    "/events/\r\nLocation: //evil.example",
    "/\x00",
    "\u2028/",
    "/" + "x" * 1200,
    "http://testserver@evil.example/",
    "/events/?next=//evil.example",
]
# Typed nonsense, known attacks, and attacks with anything after them.
TARGETS = st.one_of(
    st.text(max_size=40),
    st.sampled_from(NASTY),
    st.builds(str.__add__, st.sampled_from(NASTY), st.text(max_size=20)),
)
FUZZ = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


def _stays_on_site(location: str) -> bool:
    parts = urlsplit(location)
    return (
        location.startswith("/")
        and not location.startswith(("//", "/\\"))
        and not parts.scheme
        and not parts.netloc
        and not re.search(r"[\x00-\x1f\x7f]", location)
    )


@pytest.fixture
def session(db):
    return SessionFactory()


@pytest.mark.integration
@pytest.mark.parametrize("action", ["add", "remove"])
@FUZZ
@given(target=TARGETS)
def test_schedule_toggles_send_readers_back_only_within_the_site(client, session, action, target):
    response = client.post(f"/my-schedule/sessions/{session.pk}/{action}/", {"next": target})

    assert response.status_code == 302
    assert _stays_on_site(response["Location"]), response["Location"]


@pytest.mark.integration
@FUZZ
@given(target=TARGETS)
def test_time_zone_choice_sends_readers_back_only_within_the_site(client, db, target):
    response = client.post("/time-zone/", {"time_zone": "Europe/Berlin", "next": target})

    assert response.status_code == 302
    assert _stays_on_site(response["Location"]), response["Location"]


@pytest.mark.integration
@pytest.mark.parametrize("page", ["/time-zone/", "/my-schedule/sessions/{pk}/add/"])
@FUZZ
@given(target=TARGETS)
def test_back_links_on_pages_that_take_next_stay_on_the_site(client, session, page, target):
    response = client.get(page.format(pk=session.pk), {"next": target})

    assert response.status_code == 200
    back = response.context["back"]
    assert _stays_on_site(back), back


@pytest.mark.integration
@FUZZ
@given(target=TARGETS)
def test_signing_in_sends_readers_back_only_within_the_site(client, db, target):
    cache.clear()  # each example is a first try, not the nth from one address
    UserFactory(username="ada")  # ada@example.com, with the factory's password
    response = client.post(
        "/accounts/login/",
        {"login": "ada@example.com", "password": "correct horse battery staple", "next": target},
    )
    client.logout()

    assert response.status_code == 302
    assert _stays_on_site(response["Location"]), response["Location"]


@pytest.mark.integration
@FUZZ
@given(target=TARGETS)
def test_old_account_addresses_pass_next_on_without_leaving_the_site(client, db, target):
    response = client.get("/accounts/sign-in/", {"next": target})

    assert response.status_code == 301
    assert _stays_on_site(response["Location"]), response["Location"]
