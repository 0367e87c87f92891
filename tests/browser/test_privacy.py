"""The privacy page, "Your data" and account deletion in Chromium: axe, a phone, a deletion."""

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from playwright.sync_api import expect

from tests.factories import SavedSessionFactory, UserFactory

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery staple"  # UserFactory's


def sign_in(page, live_server, user) -> None:
    """A session made by the test client, handed to the browser: no sign-in form involved."""
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


@pytest.mark.django_db(transaction=True)
def test_privacy_pages_are_accessible(page, live_server, assert_accessible):
    sign_in(page, live_server, UserFactory(username="ada"))

    for url, heading in (
        ("/privacy/", "Privacy"),
        ("/privacy/your-data/", "Your data"),
        ("/privacy/delete-account/", "Delete your account"),
    ):
        page.goto(url)
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        assert_accessible(page)


@pytest.mark.django_db(transaction=True)
def test_privacy_pages_fit_a_phone(phone_page, live_server, assert_accessible):
    sign_in(phone_page, live_server, UserFactory(username="ada"))

    for url in ("/privacy/", "/privacy/your-data/", "/privacy/delete-account/"):
        phone_page.goto(url)
        overflow = phone_page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, url
        assert_accessible(phone_page)


@pytest.mark.django_db(transaction=True)
def test_an_attendee_deletes_their_account_from_the_menu(page, live_server, assert_accessible):
    ada = UserFactory(username="ada")
    SavedSessionFactory(user=ada)
    sign_in(page, live_server, ada)
    page.goto("/")

    page.get_by_role("link", name="Your data").click()
    page.get_by_role("link", name="Delete my account…").click()
    page.get_by_label("Your password").fill("not it")
    page.get_by_role("button", name="Delete my account").click()
    expect(page.get_by_text("That is not your password.")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Delete my account").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your account is deleted")
    expect(page.get_by_role("link", name="Your data")).to_have_count(0)
    assert not get_user_model().objects.filter(username="ada").exists()
