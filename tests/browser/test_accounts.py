"""Accounts in headless Chromium: passkeys with a virtual authenticator, and the pages' looks."""

import re

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from playwright.sync_api import expect

from tests.factories import UserFactory

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery staple"
CODE = re.compile(r"^\s*([A-Z0-9]+(?:-[A-Z0-9]+)+)\s*$", re.MULTILINE)


@pytest.fixture
def authenticator(page):
    """A platform authenticator in this browser that holds passkeys and verifies its user
    (as a phone's fingerprint reader would), and the CSP reports the page makes."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    added = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    refusals = []
    page.on(
        "console",
        lambda message: (
            refusals.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )

    def credentials() -> list[dict]:
        return cdp.send("WebAuthn.getCredentials", {"authenticatorId": added["authenticatorId"]})[
            "credentials"
        ]

    yield credentials, refusals
    cdp.send("WebAuthn.disable")


def _code_from_the_last_mail(run_tasks) -> str:
    run_tasks()
    return CODE.search(mail.outbox[-1].body).group(1)


@pytest.mark.django_db(transaction=True)
def test_sign_up_with_a_passkey_then_sign_in_with_it(
    page, live_server, authenticator, run_tasks, assert_accessible
):
    credentials, refusals = authenticator
    assert live_server.url.startswith("http://localhost:")  # a secure context, a valid RP ID

    page.goto(reverse("account_signup"))
    page.get_by_role("link", name="Create an account with a passkey instead").click()
    assert_accessible(page)
    page.get_by_label("Email").fill("pat@example.com")
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("heading", name="Confirm your email address").wait_for()
    page.get_by_label("Code").fill(_code_from_the_last_mail(run_tasks))
    page.get_by_role("button", name="Confirm").click()
    page.get_by_role("heading", name="Create your passkey").wait_for()
    assert_accessible(page)
    page.get_by_role("button", name="Create passkey").click()
    page.get_by_role("heading", name="My schedule").wait_for()

    user = get_user_model().objects.get(email="pat@example.com")
    assert not user.has_usable_password()
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.WEBAUTHN).count() == 1
    (credential,) = credentials()
    assert credential["rpId"] == "localhost"
    assert credential["isResidentCredential"] is True

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()
    page.get_by_role("link", name="Sign in").click()
    page.get_by_role("button", name="Sign in with a passkey").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    assert page.url == f"{live_server.url}/"
    assert refusals == []  # allauth's scripts ran as static files, under the strict CSP


@pytest.mark.django_db(transaction=True)
def test_a_passkey_the_device_does_not_have_is_reported_on_the_page(page, authenticator):
    page.goto(reverse("account_login"))

    page.get_by_role("button", name="Sign in with a passkey").click()

    expect(page.get_by_role("alert")).to_contain_text("Your device made or used no passkey")
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()


@pytest.mark.django_db(transaction=True)
def test_sign_in_by_emailed_code_in_the_browser(page, run_tasks, assert_accessible):
    UserFactory(username="ada")
    page.goto(reverse("account_login"))

    page.get_by_role("link", name="Email me a sign-in code").click()
    assert_accessible(page)
    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_role("button", name="Email me a code").click()
    page.get_by_role("heading", name="Type your sign-in code").wait_for()
    assert_accessible(page)
    page.get_by_label("Code").fill(_code_from_the_last_mail(run_tasks))
    page.get_by_role("button", name="Confirm").click()

    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


@pytest.mark.django_db(transaction=True)
def test_entrance_pages_are_accessible(page, assert_accessible):
    for name in (
        "account_login",
        "account_signup",
        "account_signup_by_passkey",
        "account_request_login_code",
        "account_reset_password",
        "account_reset_password_done",
    ):
        page.goto(reverse(name))
        assert_accessible(page)


@pytest.mark.django_db(transaction=True)
def test_a_refused_sign_in_and_its_errors_are_accessible(page, assert_accessible, settings):
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "20/600s/ip,1/600s/key"}
    UserFactory(username="ada")
    page.goto(reverse("account_login"))
    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_text("are not correct")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Please wait a little")
    expect(page.get_by_role("alert")).to_contain_text("Please try again in 10 minutes.")
    assert_accessible(page)


@pytest.mark.django_db(transaction=True)
def test_signed_in_account_pages_are_accessible(page, live_server, assert_accessible):
    UserFactory(username="ada")
    page.goto(reverse("account_login"))
    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()

    for name in ("account_email", "account_change_password", "account_logout", "mfa_index"):
        page.goto(reverse(name))
        assert_accessible(page)
    page.goto(reverse("mfa_add_webauthn"))  # asks to confirm it is you first
    assert_accessible(page)


@pytest.mark.django_db(transaction=True)
def test_an_attendee_with_a_password_adds_a_passkey_and_signs_in_with_it(
    page, authenticator, assert_accessible
):
    credentials, refusals = authenticator
    UserFactory(username="ada")
    page.goto(reverse("account_login"))
    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()

    page.get_by_role("link", name="Account").click()
    page.get_by_role("link", name="Passkeys").click()
    page.get_by_role("link", name="Add a passkey").click()
    page.get_by_label("Password").fill(PASSWORD)  # confirming it is you first
    page.get_by_role("button", name="Confirm").click()
    page.get_by_label("Passwordless").check()
    assert_accessible(page)
    page.get_by_role("button", name="Add passkey").click()
    # The first passkey comes with recovery codes, for the day the device is lost.
    expect(page.get_by_role("heading", level=1)).to_have_text("Recovery Codes")
    assert_accessible(page)
    page.get_by_role("link", name="Passkeys").click()
    expect(page.get_by_text("You have 1 passkey.")).to_be_visible()
    assert len(credentials()) == 1

    page.get_by_role("button", name="Sign out").click()
    page.goto(reverse("account_login"))
    page.get_by_role("button", name="Sign in with a passkey").click()

    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    assert refusals == []
