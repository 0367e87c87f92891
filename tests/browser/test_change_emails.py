"""Change emails in Chromium: turned on from My schedule, stopped from the email's link."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from sessions.myschedule import alerts
from tests.factories import UserFactory

pytestmark = pytest.mark.browser


def _sign_in(page, live_server, user) -> None:
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
def test_turn_on_from_my_schedule_by_keyboard_then_stop_from_the_link_on_a_phone(
    page, phone_page, live_server, assert_accessible
):
    user = UserFactory(username="ada")
    _sign_in(page, live_server, user)
    page.goto(reverse("myschedule:index"))
    assert_accessible(page)

    page.get_by_role("button", name="Email me when my sessions change").focus()
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Stop change emails").wait_for()
    assert alerts.change_emails_enabled(user=user)
    assert_accessible(page)

    # From the email, on a phone that is not signed in.
    phone_page.goto(reverse("myschedule:unsubscribe", args=[alerts.unsubscribe_token(user)]))
    assert phone_page.get_by_role("heading", level=1).inner_text() == "Stop the change emails?"
    button = phone_page.get_by_role("button", name="Stop these emails")
    box = button.bounding_box()
    assert box["width"] >= 24 and box["height"] >= 24
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(phone_page)
    button.click()
    phone_page.get_by_role("heading", name="Change emails are off").wait_for()
    assert_accessible(phone_page)
    assert not alerts.change_emails_enabled(user=user)
