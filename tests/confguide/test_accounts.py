"""Accounts on django-allauth: sign-up, sign-in (password, emailed code), sign-out,
password change and reset, their limits, and the old addresses.

Passkeys need a browser: tests/browser/test_accounts.py.
"""

import importlib
import io
import re
import types

import pytest
from allauth.account.models import EmailAddress
from allauth.core.internal import ratelimit as allauth_ratelimit
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from confguide.accounts import limits
from sessions.models import SavedSession
from tests.factories import EditorFactory, SavedSessionFactory, SessionFactory, UserFactory

pytestmark = pytest.mark.integration

PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "a long and unusual passphrase"
CODE = re.compile(r"^\s*([A-Z0-9]+(?:-[A-Z0-9]+)+)\s*$", re.MULTILINE)
accounts_migration = importlib.import_module(
    "confguide.migrations.0006_existing_users_confirmed_email_addresses"
)


@pytest.fixture
def limit_clock(rate_clock, monkeypatch):
    """allauth's request stamps and the 429 page's reading of them on one stopped clock."""
    real = allauth_ratelimit.time
    monkeypatch.setattr(
        allauth_ratelimit,
        "time",
        types.SimpleNamespace(
            time=lambda: rate_clock.now, monotonic=real.monotonic, sleep=real.sleep
        ),
    )
    monkeypatch.setattr(limits, "_clock", lambda: rate_clock.now)
    return rate_clock


def _add_anonymously(client, session):
    return client.post(reverse("myschedule:add", args=[session.pk]))


def _sign_in(client, email, password=PASSWORD, **extra):
    return client.post(reverse("account_login"), {"login": email, "password": password}, **extra)


def _sign_up(client, email, password=NEW_PASSWORD, **extra):
    return client.post(
        reverse("account_signup"),
        {"email": email, "password1": password, "password2": password},
        **extra,
    )


def _signed_in_user(client):
    return client.get(reverse("myschedule:index")).context["user"]


def _code_in(message) -> str:
    return CODE.search(message.body).group(1)


def _has_code(body: str) -> bool:
    return CODE.search(body) is not None


def _without_tokens(html: str) -> str:
    """The page as a reader sees it: CSRF tokens differ on every answer."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


# --- Sign-up ------------------------------------------------------------------


def test_sign_up_form_asks_for_an_email_address_and_no_username(client, db):
    page = client.get(reverse("account_signup"))

    assert 'name="email"' in page.text
    assert 'name="password1"' in page.text
    assert 'name="username"' not in page.text


def test_sign_up_confirms_the_address_with_a_code_then_signs_in_an_ordinary_user(client, run_tasks):
    response = _sign_up(client, "Ada@Example.com")

    assert response.url == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session  # not before the address is confirmed
    assert mail.outbox == []  # the worker sends it
    run_tasks()
    (message,) = mail.outbox
    assert message.to == ["ada@example.com"]
    confirmed = client.post(response.url, {"code": _code_in(message)})

    assert confirmed.url == reverse("myschedule:index")
    user = get_user_model().objects.get(email="ada@example.com")
    assert _signed_in_user(client) == user
    assert (user.is_staff, user.is_superuser, list(user.groups.all())) == (False, False, [])
    assert user.username  # made up for the user model, never asked for
    assert user.check_password(NEW_PASSWORD)
    assert EmailAddress.objects.get(user=user).verified


def test_sign_up_merges_the_anonymous_schedule_into_the_new_account(client, run_tasks):
    first, second = SessionFactory(), SessionFactory()
    _add_anonymously(client, first)
    _add_anonymously(client, second)

    response = _sign_up(client, "grace@example.com")
    run_tasks()
    client.post(response.url, {"code": _code_in(mail.outbox[-1])})

    saved = SavedSession.objects.filter(user__email="grace@example.com")
    assert sorted(saved.values_list("session_id", flat=True)) == sorted([first.pk, second.pk])
    assert "myschedule" not in client.session


def test_sign_up_with_an_address_that_has_an_account_answers_alike_and_mails_its_owner(
    client, db, run_tasks
):
    UserFactory(username="first", email="taken@example.com")
    stranger = Client()

    new = _sign_up(client, "fresh@example.com", follow=True)
    taken = _sign_up(stranger, "TAKEN@example.com", follow=True)

    assert new.redirect_chain == taken.redirect_chain
    assert new.status_code == taken.status_code == 200
    shown = _without_tokens(new.text).replace("fresh@example.com", "ADDRESS")
    assert shown == _without_tokens(taken.text).replace("taken@example.com", "ADDRESS")
    assert get_user_model().objects.filter(email="taken@example.com").count() == 1
    run_tasks()
    mails = {message.to[0]: message for message in mail.outbox}
    assert set(mails) == {"fresh@example.com", "taken@example.com"}
    assert "already exists" in mails["taken@example.com"].body
    assert reverse("account_reset_password") in mails["taken@example.com"].body
    assert _code_in(mails["fresh@example.com"])


def test_signed_in_readers_are_sent_on_from_the_sign_up_page(client, db):
    client.force_login(UserFactory())

    response = client.get(reverse("account_signup"))

    assert response.url == reverse("home")


# --- Sign-in ------------------------------------------------------------------


def test_sign_in_by_email_merges_the_anonymous_schedule_without_duplicates(client, db):
    user = UserFactory(username="linus")
    already, new = SessionFactory(), SessionFactory()
    SavedSessionFactory(user=user, session=already)
    _add_anonymously(client, already)
    _add_anonymously(client, new)

    response = _sign_in(client, "LINUS@example.com")

    assert response.status_code == 302
    assert _signed_in_user(client) == user
    saved = SavedSession.objects.filter(user=user).values_list("session_id", flat=True)
    assert sorted(saved) == sorted([already.pk, new.pk])
    assert "myschedule" not in client.session


def test_sign_in_with_a_wrong_password_says_so(client, db):
    UserFactory(username="alan")

    response = _sign_in(client, "alan@example.com", "wrong")

    assert response.status_code == 200
    assert "The email address and/or password you specified are not correct." in response.text
    assert "_auth_user_id" not in client.session


def test_sign_in_takes_no_username(client, db):
    UserFactory(username="alan")

    response = _sign_in(client, "alan")

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_sign_in_returns_to_next_on_this_site_only(client, db):
    UserFactory(username="ada")
    next_page = reverse("myschedule:index")

    back = client.post(
        f"{reverse('account_login')}?next={next_page}",
        {"login": "ada@example.com", "password": PASSWORD},
    )
    client.post(reverse("account_logout"))
    away = client.post(
        reverse("account_login"),
        {"login": "ada@example.com", "password": PASSWORD, "next": "https://evil.example/"},
    )

    assert back.url == next_page
    assert away.url == reverse("home")


def test_a_signed_in_attendee_reads_times_in_the_zone_kept_on_their_account(client, db):
    UserFactory(username="kenji", time_zone="Asia/Tokyo")
    session = SessionFactory()  # 10:00 in New York: midnight in Tokyo
    assert "Asia/Tokyo" not in client.get(session.get_absolute_url()).text

    _sign_in(client, "kenji@example.com")
    page = client.get(session.get_absolute_url())

    assert page.wsgi_request.reader_tz.key == "Asia/Tokyo"
    assert "JST" in page.text


# --- Existing users, after the move to allauth ----------------------------------


def test_without_the_migration_an_existing_user_would_be_asked_to_confirm_first(client, db):
    UserFactory(username="mary", email="mary@example.com", confirmed_email=False)

    response = _sign_in(client, "mary@example.com")

    assert response.url == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session


def test_existing_users_sign_in_by_email_after_the_migration(client, db):
    # As allauth's own migrations leave it: the address lower-cased, no row of allauth's.
    UserFactory(username="mary", email="mary@example.com", confirmed_email=False)

    accounts_migration.confirm_existing_addresses(apps, schema_editor=None)
    response = _sign_in(client, "mary@example.com")

    assert response.url == reverse("home")
    address = EmailAddress.objects.get(user__username="mary")
    assert (address.email, address.verified, address.primary) == ("mary@example.com", True, True)


def test_the_migration_confirms_a_shared_address_for_one_account_and_skips_empty_ones(db):
    UserFactory(username="older", email="shared@example.com", confirmed_email=False)
    recent = UserFactory(username="recent", email="SHARED@example.com", confirmed_email=False)
    get_user_model().objects.filter(pk=recent.pk).update(last_login="2030-01-01T00:00Z")
    UserFactory(username="nomail", email="", confirmed_email=False)
    UserFactory(username="kept")  # signed up since: its row stays as it is

    accounts_migration.confirm_existing_addresses(apps, schema_editor=None)
    accounts_migration.confirm_existing_addresses(apps, schema_editor=None)  # twice is once

    rows = EmailAddress.objects.order_by("user__username")
    assert [(row.user.username, row.email, row.verified) for row in rows] == [
        ("kept", "kept@example.com", True),
        ("older", "shared@example.com", False),
        ("recent", "shared@example.com", True),
    ]


def test_a_user_without_an_email_address_signs_in_at_the_editors_sign_in(client, db):
    """No address, no site sign-in: staff type their username at the admin's, which
    signs them in on the site too."""
    EditorFactory(username="nomail", email="", confirmed_email=False)

    page = client.post(
        reverse("admin:login"),
        {"username": "nomail", "password": PASSWORD, "next": reverse("admin:index")},
    )

    assert page.url == reverse("admin:index")
    assert _signed_in_user(client).username == "nomail"


def test_editors_sign_in_to_the_admin_with_their_username_or_on_the_site_by_email(client, db):
    EditorFactory(username="louise")

    admin = client.post(reverse("admin:login"), {"username": "louise", "password": PASSWORD})
    client.post(reverse("account_logout"))
    site = _sign_in(client, "louise@example.com")

    assert admin.status_code == site.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200


def test_make_editor_finds_someone_who_signed_up_by_their_email_address(client, db):
    UserFactory(username="ada7", email="ada@example.com")

    call_command("make_editor", "Ada@Example.com", stdout=io.StringIO())

    assert get_user_model().objects.get(username="ada7").is_staff


# --- Sign-in by emailed code ----------------------------------------------------


def test_sign_in_by_emailed_code_end_to_end(client, db, run_tasks):
    user = UserFactory(username="nopass", password=None)
    user.set_unusable_password()
    user.save()
    picked = SessionFactory()
    _add_anonymously(client, picked)

    asked = client.post(reverse("account_request_login_code"), {"email": "nopass@example.com"})
    assert asked.url == reverse("account_confirm_login_code")
    assert mail.outbox == []
    run_tasks()
    (message,) = mail.outbox
    signed_in = client.post(asked.url, {"code": _code_in(message)})

    assert message.to == ["nopass@example.com"]
    assert signed_in.url == reverse("home")
    assert _signed_in_user(client) == user
    assert list(SavedSession.objects.filter(user=user).values_list("session_id", flat=True)) == [
        picked.pk
    ]


def test_a_wrong_code_signs_nobody_in(client, db, run_tasks):
    UserFactory(username="ada")
    asked = client.post(reverse("account_request_login_code"), {"email": "ada@example.com"})

    response = client.post(asked.url, {"code": "WRONG-CODE"})

    assert response.status_code == 200
    assert "Incorrect code." in response.text
    assert "_auth_user_id" not in client.session


def test_a_code_for_an_unknown_address_answers_alike_and_says_so_only_by_mail(
    client, db, run_tasks
):
    UserFactory(username="ada")

    known = client.post(
        reverse("account_request_login_code"), {"email": "ada@example.com"}, follow=True
    )
    unknown = Client().post(
        reverse("account_request_login_code"), {"email": "nobody@example.com"}, follow=True
    )

    assert known.redirect_chain == unknown.redirect_chain
    assert _without_tokens(known.text).replace("ada@example.com", "X") == _without_tokens(
        unknown.text
    ).replace("nobody@example.com", "X")
    run_tasks()
    mails = {message.to[0]: message.body for message in mail.outbox}
    assert _has_code(mails["ada@example.com"])
    assert "do not have any record of such an account" in mails["nobody@example.com"]
    assert not _has_code(mails["nobody@example.com"])


# --- Sign-out and password change -----------------------------------------------


def test_sign_out_needs_a_post_with_its_csrf_token(db):
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory())

    asked = client.get(reverse("account_logout"))
    assert asked.status_code == 200
    assert "_auth_user_id" in client.session
    forged = client.post(reverse("account_logout"))
    assert forged.status_code == 403
    assert "_auth_user_id" in client.session

    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', asked.text).group(1)
    client.post(reverse("account_logout"), {"csrfmiddlewaretoken": token})
    assert "_auth_user_id" not in client.session


def test_password_change_needs_the_old_password(client, db):
    user = UserFactory()
    client.force_login(user)

    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": "wrong", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert "Please type your current password." in response.text

    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert _signed_in_user(client) == user  # still signed in here


def test_a_changed_password_is_told_to_the_owner_by_mail_from_the_worker(client, db, run_tasks):
    user = UserFactory(username="ada")
    client.force_login(user)

    client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        REMOTE_ADDR="198.51.100.23",
    )
    assert mail.outbox == []
    run_tasks()

    (message,) = mail.outbox
    assert (message.to, message.subject) == (["ada@example.com"], "[confguide] Password Changed")
    assert "198.51.100.23" in message.body
    assert re.search(r"Date: \d{1,2} \w+ \d{4}, \d\d:\d\d UTC", message.body)


# --- Password reset -------------------------------------------------------------


def test_password_reset_mails_a_working_link_from_the_worker(client, db, run_tasks, settings):
    user = UserFactory(username="mary", email="mary@example.com")

    response = client.post(reverse("account_reset_password"), {"email": "mary@example.com"})
    assert mail.outbox == []  # the worker sends it
    run_tasks()

    assert response.url == reverse("account_reset_password_done")
    (message,) = mail.outbox
    assert message.to == ["mary@example.com"]
    assert message.subject == "[confguide] Password Reset Email"
    link = next(line for line in message.body.splitlines() if "/password/reset/key/" in line)
    # The link is on the site's own address, not the Host the request came with.
    assert link.startswith(f"{settings.SITE_URL}/")
    form_page = client.get(link.removeprefix(settings.SITE_URL), follow=True)
    assert "Choose a new password" in form_page.text
    client.post(
        form_page.redirect_chain[-1][0], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert _sign_in(Client(), "mary@example.com", NEW_PASSWORD).status_code == 302


def test_password_reset_answers_alike_for_known_and_unknown_addresses(client, db):
    UserFactory(username="mary", email="mary@example.com")

    known = client.post(
        reverse("account_reset_password"), {"email": "mary@example.com"}, follow=True
    )
    unknown = Client().post(
        reverse("account_reset_password"), {"email": "nobody@example.com"}, follow=True
    )

    assert known.redirect_chain == unknown.redirect_chain
    assert _without_tokens(known.text) == _without_tokens(unknown.text)


# --- Limits -----------------------------------------------------------------------


def test_sign_in_is_paused_for_an_account_after_too_many_failures(client, db, settings):
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "20/600s/ip,3/600s/key"}
    UserFactory(username="target")
    for _ in range(3):
        _sign_in(client, "target@example.com", "guess")

    response = _sign_in(client, "TARGET@example.com")  # the right password, any case

    assert response.status_code == 429
    assert response["Retry-After"] == "600"
    assert "Too many failed sign-in attempts" in response.text
    assert "try again in 10 minutes" in response.text
    assert "_auth_user_id" not in client.session


def test_a_paused_sign_in_says_how_long_is_left_not_the_whole_pause(
    client, db, settings, limit_clock
):
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "20/600s/ip,3/600s/key"}
    UserFactory(username="target")
    for _ in range(3):
        _sign_in(client, "target@example.com", "guess")
    limit_clock.now += 420

    response = _sign_in(client, "target@example.com")

    assert response.status_code == 429
    assert response["Retry-After"] == "180"
    assert "try again in 3 minutes" in response.text


def test_five_wrong_passwords_from_one_address_do_not_stop_the_owner_elsewhere(client, db):
    UserFactory(username="owner")  # the default limits: 5 per account per address
    for _ in range(5):
        _sign_in(client, "owner@example.com", "wrong guess", REMOTE_ADDR="203.0.113.9")

    stranger = _sign_in(client, "owner@example.com", REMOTE_ADDR="203.0.113.9")
    owner = _sign_in(Client(), "owner@example.com", REMOTE_ADDR="198.51.100.4")

    assert stranger.status_code == 429
    assert owner.status_code == 302


def test_sign_in_pause_for_one_account_leaves_others_alone(client, db, settings):
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "20/600s/ip,2/600s/key"}
    UserFactory(username="target")
    UserFactory(username="bystander")
    for _ in range(2):
        _sign_in(client, "target@example.com", "guess")

    response = _sign_in(client, "bystander@example.com")

    assert response.status_code == 302


def test_sign_in_is_paused_for_an_address_trying_many_accounts(client, db, settings):
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "3/600s/ip,5/600s/key"}
    UserFactory(username="victim")
    for name in ("a", "b", "c"):
        _sign_in(client, f"{name}@example.com", "guess", REMOTE_ADDR="203.0.113.7")

    blocked = _sign_in(client, "victim@example.com", REMOTE_ADDR="203.0.113.7")
    other_address = _sign_in(Client(), "victim@example.com", REMOTE_ADDR="198.51.100.1")

    assert blocked.status_code == 429
    assert other_address.status_code == 302


def test_sign_in_address_comes_from_the_trusted_proxy_header(client, db, settings):
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "2/600s/ip,5/600s/key"}
    settings.TRUSTED_PROXY_COUNT = 1
    UserFactory(username="victim")
    for name in ("a", "b"):
        _sign_in(
            client, f"{name}@example.com", "guess", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7"
        )

    blocked = _sign_in(client, "victim@example.com", HTTP_X_FORWARDED_FOR="203.0.113.7")
    other = _sign_in(
        Client(), "victim@example.com", HTTP_X_FORWARDED_FOR="203.0.113.7, 198.51.100.1"
    )

    assert blocked.status_code == 429
    assert other.status_code == 302


def test_sign_ups_are_limited_per_address(client, db, settings):
    settings.ACCOUNT_RATE_LIMITS = {"signup": "2/900s/ip"}
    for n in range(2):
        assert _sign_up(Client(), f"new{n}@example.com").status_code == 302

    refused = _sign_up(client, "new9@example.com")

    assert refused.status_code == 429
    assert refused["Retry-After"] == "900"
    assert "Too many new accounts from your network" in refused.text
    assert "try again in 15 minutes" in refused.text
    assert not get_user_model().objects.filter(email="new9@example.com").exists()


def test_password_reset_requests_are_limited_per_address(client, db, settings, run_tasks):
    settings.ACCOUNT_RATE_LIMITS = {"reset_password": "2/900s/ip,5/900s/key"}
    UserFactory(username="mary", email="mary@example.com")

    for _ in range(2):
        client.post(reverse("account_reset_password"), {"email": "mary@example.com"})
    refused = client.post(reverse("account_reset_password"), {"email": "mary@example.com"})

    assert refused.status_code == 429
    assert "Too many password reset requests" in refused.text
    run_tasks()
    assert len(mail.outbox) == 2


def test_the_429_page_is_the_sites_own(client, db, settings):
    settings.ACCOUNT_RATE_LIMITS = {"signup": "0/900s/ip"}

    refused = _sign_up(client, "new@example.com")

    assert refused.status_code == 429
    assert "Skip to main content" in refused.text  # the site's layout
    assert '<h1 class="mb-3">Please wait a little</h1>' in refused.text


# --- Old addresses --------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/accounts/sign-up/", "account_signup"),
        ("/accounts/sign-in/", "account_login"),
        ("/accounts/sign-out/", "account_logout"),
        ("/accounts/password/change/done/", "account_change_password"),
        ("/accounts/password/reset/sent/", "account_reset_password_done"),
        ("/accounts/password/reset/complete/", "account_login"),
    ],
)
def test_old_account_addresses_redirect_for_good_keeping_next(client, db, old, new):
    response = client.get(f"{old}?next=/my-schedule/")

    assert response.status_code == 301
    assert response["Location"] == f"{reverse(new)}?next=/my-schedule/"


def test_paths_that_kept_their_address_still_answer(client, db):
    client.force_login(UserFactory())

    assert client.get("/accounts/password/change/").status_code == 200
    assert client.get("/accounts/password/reset/").status_code == 200


def test_an_old_reset_link_leads_to_asking_for_a_new_one(client, db):
    response = client.get("/accounts/password/reset/MQ/c0ffee-0123456789abcdef/", follow=True)

    assert response.redirect_chain == [(reverse("account_reset_password"), 301)]
    assert "That reset link is from before our sign-in pages changed" in response.text
