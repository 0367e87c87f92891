import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from sessions.models import SavedSession
from tests.factories import SavedSessionFactory, SessionFactory, UserFactory

pytestmark = pytest.mark.integration

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def _add_anonymously(client, session):
    return client.post(reverse("myschedule:add", args=[session.pk]))


def _sign_in(client, username, password=PASSWORD, **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def test_sign_up_creates_an_ordinary_user_and_signs_them_in(client, db):
    response = client.post(
        reverse("signup"),
        {
            "username": "ada",
            "email": "ada@example.com",
            "password1": "a long and unusual passphrase",
            "password2": "a long and unusual passphrase",
        },
    )

    assert response.status_code == 302
    assert response.url == reverse("myschedule:index")
    user = get_user_model().objects.get(username="ada")
    assert (user.email, user.is_staff, user.is_superuser) == ("ada@example.com", False, False)
    assert list(user.groups.all()) == []
    assert client.get(reverse("myschedule:index")).context["user"] == user


def test_sign_up_refuses_a_taken_email_with_a_message(client, db):
    UserFactory(username="first", email="taken@example.com")

    response = client.post(
        reverse("signup"),
        {
            "username": "second",
            "email": "TAKEN@example.com",
            "password1": "a long and unusual passphrase",
            "password2": "a long and unusual passphrase",
        },
    )

    assert response.status_code == 200
    assert "An account with this email address exists already" in response.text
    assert not get_user_model().objects.filter(username="second").exists()


def test_sign_up_merges_the_anonymous_schedule_into_the_new_account(client, db):
    first, second = SessionFactory(), SessionFactory()
    _add_anonymously(client, first)
    _add_anonymously(client, second)

    client.post(
        reverse("signup"),
        {
            "username": "grace",
            "email": "grace@example.com",
            "password1": "a long and unusual passphrase",
            "password2": "a long and unusual passphrase",
        },
    )

    saved = SavedSession.objects.filter(user__username="grace")
    assert sorted(saved.values_list("session_id", flat=True)) == sorted([first.pk, second.pk])
    assert "myschedule" not in client.session


def test_sign_in_merges_the_anonymous_schedule_without_duplicates(client, db):
    user = UserFactory(username="linus")
    already, new = SessionFactory(), SessionFactory()
    SavedSessionFactory(user=user, session=already)
    _add_anonymously(client, already)
    _add_anonymously(client, new)

    response = _sign_in(client, "linus")

    assert response.status_code == 302
    saved = SavedSession.objects.filter(user=user).values_list("session_id", flat=True)
    assert sorted(saved) == sorted([already.pk, new.pk])
    assert "myschedule" not in client.session


def test_sign_in_with_a_wrong_password_says_so(client, db):
    UserFactory(username="alan")

    response = _sign_in(client, "alan", "wrong")

    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.text
    assert "_auth_user_id" not in client.session


def test_sign_in_is_paused_for_an_account_after_too_many_failures(client, db, settings):
    settings.SIGN_IN_ATTEMPTS_PER_ACCOUNT = 3
    settings.SIGN_IN_LOCKOUT_SECONDS = 600
    UserFactory(username="target")
    for _ in range(3):
        _sign_in(client, "target", "guess")

    response = _sign_in(client, "TARGET")  # the right password, any case

    assert response.status_code == 429
    assert response["Retry-After"] == "600"
    assert "Too many failed sign-in attempts" in response.text
    assert "try again in 10 minutes" in response.text
    assert "_auth_user_id" not in client.session


def test_a_paused_sign_in_says_how_long_is_left_not_the_whole_pause(
    client, db, settings, rate_clock
):
    settings.SIGN_IN_ATTEMPTS_PER_ACCOUNT = 3
    settings.SIGN_IN_LOCKOUT_SECONDS = 600
    UserFactory(username="target")
    for _ in range(3):
        _sign_in(client, "target", "guess")
    rate_clock.now += 420

    response = _sign_in(client, "target")

    assert response.status_code == 429
    assert response["Retry-After"] == "180"
    assert "try again in 3 minutes" in response.text


def test_a_refused_sign_up_keeps_what_was_typed_and_says_when_to_retry(
    client, db, settings, rate_clock
):
    settings.SIGN_UPS_PER_ADDRESS = 0
    settings.SIGN_IN_LOCKOUT_SECONDS = 900
    client.post(reverse("signup"), {"username": "early", "email": "early@example.com"})
    rate_clock.now += 890

    refused = client.post(reverse("signup"), {"username": "later", "email": "later@example.com"})

    assert refused.status_code == 429
    assert refused["Retry-After"] == "10"
    assert "try again in 10 seconds" in refused.text
    assert 'value="later@example.com"' in refused.text


def test_sign_in_pause_for_one_account_leaves_others_alone(client, db, settings):
    settings.SIGN_IN_ATTEMPTS_PER_ACCOUNT = 2
    UserFactory(username="target")
    UserFactory(username="bystander")
    for _ in range(2):
        _sign_in(client, "target", "guess")

    response = _sign_in(client, "bystander")

    assert response.status_code == 302


def test_sign_in_is_paused_for_an_address_trying_many_accounts(client, db, settings):
    settings.SIGN_IN_ATTEMPTS_PER_ADDRESS = 3
    UserFactory(username="victim")
    for name in ("a", "b", "c"):
        _sign_in(client, name, "guess", REMOTE_ADDR="203.0.113.7")

    blocked = _sign_in(client, "victim", REMOTE_ADDR="203.0.113.7")
    other_address = _sign_in(client, "victim", REMOTE_ADDR="198.51.100.1")

    assert blocked.status_code == 429
    assert other_address.status_code == 302


def test_sign_in_address_comes_from_the_trusted_proxy_header(client, db, settings):
    settings.SIGN_IN_ATTEMPTS_PER_ADDRESS = 2
    settings.TRUSTED_PROXY_COUNT = 1
    UserFactory(username="victim")
    for name in ("a", "b"):
        _sign_in(client, name, "guess", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7")

    blocked = _sign_in(client, "victim", HTTP_X_FORWARDED_FOR="203.0.113.7")
    other = _sign_in(client, "victim", HTTP_X_FORWARDED_FOR="203.0.113.7, 198.51.100.1")

    assert blocked.status_code == 429
    assert other.status_code == 302


def test_successful_sign_in_forgets_the_accounts_failures(client, db, settings):
    settings.SIGN_IN_ATTEMPTS_PER_ACCOUNT = 3
    UserFactory(username="forgetful")
    _sign_in(client, "forgetful", "guess")
    _sign_in(client, "forgetful", "guess")
    _sign_in(client, "forgetful")
    client.post(reverse("logout"))

    _sign_in(client, "forgetful", "guess")
    _sign_in(client, "forgetful", "guess")
    response = _sign_in(client, "forgetful")

    assert response.status_code == 302


def test_sign_out_needs_a_post(client, db):
    client.force_login(UserFactory())

    refused = client.get(reverse("logout"))
    assert refused.status_code == 405
    assert "_auth_user_id" in client.session

    client.post(reverse("logout"))
    assert "_auth_user_id" not in client.session


def test_password_reset_mails_a_working_link(client, db, run_tasks, settings):
    user = UserFactory(username="mary", email="mary@example.com")

    response = client.post(reverse("password_reset"), {"email": "mary@example.com"})
    assert mail.outbox == []  # the worker sends it
    run_tasks()

    assert response.url == reverse("password_reset_done")
    (message,) = mail.outbox
    assert message.to == ["mary@example.com"]
    assert message.subject == "Reset your confguide password"
    link = next(line for line in message.body.splitlines() if "/password/reset/" in line)
    # The worker has no request: the link is on the site's own address.
    assert link.startswith(f"{settings.SITE_URL}/")
    path = link.split(settings.SITE_URL, 1)[1]
    form_page = client.get(path, follow=True)
    assert "Choose a new password" in form_page.text
    client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "another fine passphrase", "new_password2": "another fine passphrase"},
    )
    user.refresh_from_db()
    assert user.check_password("another fine passphrase")


def test_password_reset_requests_are_limited_per_address(client, db, settings, run_tasks):
    settings.PASSWORD_RESET_REQUESTS_PER_ADDRESS = 2
    UserFactory(username="mary", email="mary@example.com")

    for _ in range(2):
        client.post(reverse("password_reset"), {"email": "mary@example.com"})
    refused = client.post(reverse("password_reset"), {"email": "mary@example.com"})

    assert refused.status_code == 429
    assert "Too many password reset requests" in refused.text
    assert 'value="mary@example.com"' in refused.text
    run_tasks()
    assert len(mail.outbox) == 2


def test_password_change_needs_the_old_password(client, db):
    user = UserFactory()
    client.force_login(user)

    response = client.post(
        reverse("password_change"),
        {
            "old_password": "wrong",
            "new_password1": "another fine passphrase",
            "new_password2": "another fine passphrase",
        },
    )
    assert "Your old password was entered incorrectly" in response.text

    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "another fine passphrase",
            "new_password2": "another fine passphrase",
        },
    )
    assert response.url == reverse("password_change_done")
    user.refresh_from_db()
    assert user.check_password("another fine passphrase")


def test_a_stranger_elsewhere_cannot_lock_an_account_owner_out(client, db, settings):
    settings.SIGN_IN_ATTEMPTS_PER_ACCOUNT = 3
    UserFactory(username="owner")
    for _ in range(5):
        _sign_in(client, "owner", "wrong guess", REMOTE_ADDR="203.0.113.9")

    stranger = _sign_in(client, "owner", "wrong guess", REMOTE_ADDR="203.0.113.9")
    owner = _sign_in(client, "owner", REMOTE_ADDR="198.51.100.4")

    assert stranger.status_code == 429
    assert owner.status_code == 302


def test_sign_ups_are_limited_per_address(client, db, settings):
    settings.SIGN_UPS_PER_ADDRESS = 2
    settings.SIGN_IN_LOCKOUT_SECONDS = 900
    for n in range(2):
        created = client.post(
            reverse("signup"),
            {
                "username": f"new{n}",
                "email": f"new{n}@example.com",
                "password1": PASSWORD,
                "password2": PASSWORD,
            },
        )
        assert created.status_code == 302
        client.post(reverse("logout"))

    refused = client.post(
        reverse("signup"),
        {
            "username": "new9",
            "email": "new9@example.com",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )

    assert refused.status_code == 429
    assert refused["Retry-After"] == "900"
    assert "Too many new accounts from your network" in refused.text
    assert 'value="new9"' in refused.text
    assert not get_user_model().objects.filter(username="new9").exists()
