"""Privacy for attendees: the privacy page, "Your data" and its download, deleting an account."""

import json
from importlib import import_module

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.auth.models import Group
from django.core.serializers.json import DjangoJSONEncoder
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from confguide.models import ContactMessage
from confguide.permissions import EDITORS_GROUP
from sessions.models import SavedSession, Session, Visitor
from sessions.myschedule import services as myschedule
from tests.factories import (
    ContactMessageFactory,
    EventFactory,
    PostFactory,
    SavedSessionFactory,
    SessionFactory,
    UserFactory,
)

pytestmark = pytest.mark.integration

POLICY = "/privacy/"
YOUR_DATA = "/privacy/your-data/"
DOWNLOAD = "/privacy/your-data/download/"
DELETE = "/privacy/delete-account/"
PASSWORD = "correct horse battery staple"  # UserFactory's


def encoded(value):
    """A value as the download writes it (dates in ISO 8601)."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def browser_sessions_of(user_id: int) -> list[str]:
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    model, store = store_class.get_model_class(), store_class()
    return [
        row.session_key
        for row in model.objects.all()
        if store.decode(row.session_data).get(SESSION_KEY) == str(user_id)
    ]


def verify_address(user):
    """The account's own address, verified (as sign-up leaves it)."""
    from allauth.account.models import EmailAddress

    EmailAddress.objects.update_or_create(
        user=user, email=user.email.lower(), defaults={"verified": True, "primary": True}
    )


def unverify_addresses(user):
    """As for an address typed at sign-up and never confirmed."""
    if "allauth.account" in settings.INSTALLED_APPS:
        from allauth.account.models import EmailAddress

        EmailAddress.objects.filter(user=user).update(verified=False)


def add_passkey(user, name="Work laptop"):
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.create(
        user=user,
        type=Authenticator.Type.WEBAUTHN,
        data={"name": name, "credential": {"id": "c2VjcmV0LWNyZWRlbnRpYWw"}, "passwordless": True},
    )


@pytest.fixture
def attendee(db):
    return UserFactory(username="ada", email="ada@example.com", display_name="Ada L.")


@pytest.fixture
def attendee_client(client, attendee):
    client.force_login(attendee)
    return client


# --- The privacy page ---------------------------------------------------------


def test_privacy_page_is_linked_from_every_page_footer(client, db):
    for path in ("/", "/contact/", "/events/"):
        response = client.get(path)

        assert '<a href="/privacy/">Privacy</a>' in response.text, path


def test_privacy_page_says_how_long_from_the_settings(client, db, settings):
    settings.CONTACT_RETENTION_DAYS = 365
    settings.ANONYMOUS_SCHEDULE_DAYS = 30

    response = client.get(POLICY)

    text = " ".join(response.text.split())
    assert response.status_code == 200
    assert "12 months (365 days) after it arrives" in text
    assert "a schedule left unused for 30 days is deleted by a daily clean-up" in text
    cookies = ("<code>sessionid</code>", "<code>csrftoken</code>", "<code>reader_tz</code>")
    assert all(cookie in text for cookie in cookies)
    assert "14 days, or until you sign out" in text
    assert f'<link rel="canonical" href="{settings.SITE_URL}/privacy/">' in text


# --- Your data ------------------------------------------------------------------


def test_your_data_page_lists_what_the_download_holds(attendee_client):
    response = attendee_client.get(YOUR_DATA)

    assert [section.name for section in response.context["sections"]] == [
        "account",
        "email_addresses",
        "sign_in_methods",
        "contact_messages",
        "my_schedule",
        "change_emails",
    ]
    assert f'href="{DOWNLOAD}" download>Download my data</a>' in response.text
    assert f'href="{DELETE}">Delete my account…</a>' in response.text
    assert response["Cache-Control"] == ("max-age=0, no-cache, no-store, must-revalidate, private")


@pytest.mark.parametrize("path", [YOUR_DATA, DOWNLOAD, DELETE])
def test_your_data_and_deletion_need_a_signed_in_account(client, db, path):
    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse(settings.LOGIN_URL)}?next={path}"


def test_download_is_one_json_file_without_the_password_hash(attendee_client, attendee):
    response = attendee_client.get(DOWNLOAD)

    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="confguide-my-data-{timezone.now():%Y-%m-%d}.json"'
    )
    assert "no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    assert list(data) == [
        "exported_at",
        "site",
        "account",
        "email_addresses",
        "sign_in_methods",
        "contact_messages",
        "my_schedule",
        "change_emails",
    ]
    account = data["account"]
    assert {key: account[key] for key in ("id", "username", "email", "display_name")} == {
        "id": attendee.pk,
        "username": "ada",
        "email": "ada@example.com",
        "display_name": "Ada L.",
    }
    assert {"password", "calendar_token", "share_token"} & set(account) == set()
    assert attendee.password not in response.text


def test_download_holds_the_schedule_with_titles_addresses_and_token_urls(
    attendee_client, attendee
):
    event = EventFactory(name="CloudConf Berlin", slug="cloudconf-berlin")
    session = SessionFactory(event=event, title="Storage on Kubernetes", slug="storage")
    session.refresh_from_db()  # times as the database gives them back, in UTC
    saved = SavedSessionFactory(user=attendee, session=session)
    calendar_token = myschedule.regenerate_calendar_token(user=attendee)
    myschedule.set_sharing(user=attendee, enabled=True)
    attendee.refresh_from_db()
    site = settings.SITE_URL
    feed = f"{site}/my-schedule/calendar/{calendar_token}.ics"

    data = json.loads(attendee_client.get(DOWNLOAD).content)

    assert data["my_schedule"] == {
        "saved_sessions": [
            encoded(
                {
                    "saved_at": saved.created_at,
                    "seen_at": saved.seen_at,
                    "plan": "Plan A",
                    "event": "CloudConf Berlin",
                    "event_url": f"{site}/events/cloudconf-berlin/",
                    "session": "Storage on Kubernetes",
                    "session_url": f"{site}/events/cloudconf-berlin/sessions/storage/",
                    "starts_at": session.starts_at,
                    "ends_at": session.ends_at,
                    "status": "Published",
                }
            )
        ],
        "calendar_feed": {
            "address_made": True,
            "url": feed,
            "webcal_url": "webcal://" + feed.split("://", 1)[1],
        },
        "sharing": {
            "enabled": True,
            "links": [f"{site}/my-schedule/shared/{attendee.share_token}/cloudconf-berlin/"],
        },
    }


def test_download_says_no_calendar_address_or_sharing_until_made(attendee_client):
    data = json.loads(attendee_client.get(DOWNLOAD).content)

    assert data["my_schedule"] == {
        "saved_sessions": [],
        "calendar_feed": {"address_made": False},
        "sharing": {"enabled": False, "links": []},
    }


def test_download_leaves_out_the_title_of_a_session_no_longer_published(attendee_client, attendee):
    draft = SavedSessionFactory(
        user=attendee, session=SessionFactory(title="Unannounced keynote")
    ).session
    Session.objects.filter(pk=draft.pk).update(status=Session.Status.DRAFT)

    response = attendee_client.get(DOWNLOAD)

    [entry] = json.loads(response.content)["my_schedule"]["saved_sessions"]
    assert (entry["session"], entry["note"]) == (None, "This session is no longer published.")
    assert "Unannounced keynote" not in response.text


def test_download_never_holds_another_accounts_data(attendee_client, attendee):
    SavedSessionFactory(user=attendee)
    grace = UserFactory(username="grace", email="grace@example.com", display_name="Grace H.")
    SavedSessionFactory(user=grace, session=SessionFactory(title="Grace's own pick"))
    token = myschedule.regenerate_calendar_token(user=grace)
    myschedule.set_sharing(user=grace, enabled=True)
    ContactMessageFactory(name="Grace Hopper", email="grace@example.com", message="Call Grace.")

    response = attendee_client.get(DOWNLOAD)

    data = json.loads(response.content)
    assert len(data["my_schedule"]["saved_sessions"]) == 1
    grace.refresh_from_db()
    for secret in ("grace", "Grace", token, grace.share_token):
        assert secret not in response.text


def test_contact_messages_need_a_verified_address_not_just_the_accounts_email(
    attendee_client, attendee
):
    # Anyone may sign up with someone else's address; until confirmed it proves nothing.
    unverify_addresses(attendee)
    ContactMessageFactory(name="Ada Lovelace", email="ada@example.com")

    data = json.loads(attendee_client.get(DOWNLOAD).content)

    assert data["contact_messages"] == []


def test_download_holds_messages_from_verified_addresses_in_any_case(attendee_client, attendee):
    from allauth.account.models import EmailAddress

    verify_address(attendee)
    EmailAddress.objects.create(user=attendee, email="ada@work.example", verified=False)
    sent = ContactMessageFactory(
        name="Ada Lovelace",
        email="ADA@Example.com",
        company="Analytical Engines",
        message="Help with persistent memory, please.",
        source_path="/themes/storage/",
        source_label="Storage & CSI",
        triage_note="Louise calls back",
    )
    ContactMessageFactory(email="ada@work.example")  # an address not proved
    ContactMessageFactory(email="someone@example.com")

    data = json.loads(attendee_client.get(DOWNLOAD).content)

    assert data["contact_messages"] == [
        encoded(
            {
                "received_at": sent.created_at,
                "name": "Ada Lovelace",
                "email": "ADA@Example.com",
                "company": "Analytical Engines",
                "topic": "Kubernetes adoption or migration",
                "message": "Help with persistent memory, please.",
                "consented_at": sent.consented_at,
                "written_from": "/themes/storage/",
                "about": "Storage & CSI",
                "status": "New",
                "editors_note": "Louise calls back",
            }
        )
    ]
    assert data["email_addresses"] == [
        {"email": "ada@example.com", "verified": True, "primary": True},
        {"email": "ada@work.example", "verified": False, "primary": False},
    ]


def test_download_names_passkeys_but_holds_no_credential(attendee_client, attendee):
    passkey = add_passkey(attendee, name="Work laptop")

    response = attendee_client.get(DOWNLOAD)

    assert json.loads(response.content)["sign_in_methods"] == [
        encoded(
            {
                "type": "WebAuthn",
                "added_at": passkey.created_at,
                "last_used_at": None,
                "name": "Work laptop",
            }
        )
    ]
    assert "c2VjcmV0LWNyZWRlbnRpYWw" not in response.text


# --- Deleting an account ----------------------------------------------------------


def test_deleting_an_account_takes_its_schedule_and_tokens_and_signs_out_everywhere(
    attendee_client, attendee
):
    SavedSessionFactory.create_batch(2, user=attendee)
    kept = SavedSessionFactory()  # someone else's
    myschedule.regenerate_calendar_token(user=attendee)
    myschedule.set_sharing(user=attendee, enabled=True)
    other_device = Client()
    other_device.force_login(attendee)
    assert len(browser_sessions_of(attendee.pk)) == 2

    response = attendee_client.post(DELETE, {"password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/privacy/delete-account/done/"
    assert not get_user_model().objects.filter(pk=attendee.pk).exists()
    assert list(SavedSession.objects.all()) == [kept]
    assert browser_sessions_of(attendee.pk) == []
    assert other_device.get(YOUR_DATA).status_code == 302  # signed out there too
    done = attendee_client.get(response["Location"])
    assert "Your account is deleted" in done.text
    assert not done.wsgi_request.user.is_authenticated


def test_picks_made_before_signing_in_go_with_the_account(client, attendee):
    session = SessionFactory()
    client.post(f"/my-schedule/sessions/{session.pk}/add/")
    assert Visitor.objects.count() == 1
    client.force_login(attendee)  # the picks move into the account

    client.post(DELETE, {"password": PASSWORD})

    assert (Visitor.objects.count(), SavedSession.objects.count()) == (0, 0)


def test_deleting_an_account_takes_its_email_addresses_and_passkeys(attendee_client, attendee):
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator

    verify_address(attendee)
    add_passkey(attendee)
    other = UserFactory()
    verify_address(other)
    add_passkey(other)

    attendee_client.post(DELETE, {"password": PASSWORD})

    assert list(EmailAddress.objects.values_list("user", flat=True)) == [other.pk]
    assert list(Authenticator.objects.values_list("user", flat=True)) == [other.pk]


def test_deleting_leaves_contact_messages_to_their_own_retention(attendee_client, attendee):
    ContactMessageFactory(email=attendee.email)

    attendee_client.post(DELETE, {"password": PASSWORD})

    assert ContactMessage.objects.count() == 1


def test_an_account_without_a_password_confirms_with_its_address_in_any_case(client, attendee):
    attendee.set_unusable_password()
    attendee.save()
    client.force_login(attendee)

    form = client.get(DELETE)
    response = client.post(DELETE, {"email": "  ADA@example.COM "})

    assert 'name="email"' in form.text
    assert 'name="password"' not in form.text
    assert response["Location"] == "/privacy/delete-account/done/"
    assert not get_user_model().objects.filter(pk=attendee.pk).exists()


@pytest.mark.parametrize(
    ("has_password", "typed", "error"),
    [
        (True, {"password": "wrong"}, "That is not your password."),
        (True, {"password": ""}, "This field is required."),
        (True, {"email": "ada@example.com"}, "This field is required."),
        (False, {"email": "grace@example.com"}, "That is not the address of this account."),
    ],
)
def test_a_wrong_confirmation_deletes_nothing(client, attendee, has_password, typed, error):
    if not has_password:
        attendee.set_unusable_password()
        attendee.save()
    SavedSessionFactory(user=attendee)
    client.force_login(attendee)

    response = client.post(DELETE, typed)

    assert response.status_code == 400
    assert error in response.text
    assert get_user_model().objects.filter(pk=attendee.pk).exists()
    assert SavedSession.objects.filter(user=attendee).count() == 1
    assert client.get(YOUR_DATA).status_code == 200  # still signed in


def test_wrong_confirmations_pause_deletion_after_five(attendee_client, attendee):
    for _ in range(5):
        assert attendee_client.post(DELETE, {"password": "wrong"}).status_code == 400

    response = attendee_client.post(DELETE, {"password": PASSWORD})

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "deleting it is paused" in response.text
    assert get_user_model().objects.filter(pk=attendee.pk).exists()


def test_a_get_deletes_nothing_and_a_post_needs_the_csrf_token(attendee, db):
    client = Client(enforce_csrf_checks=True)
    client.force_login(attendee)

    page = client.get(DELETE)
    forged = client.post(DELETE, {"password": PASSWORD})

    assert page.status_code == 200
    assert 'name="csrfmiddlewaretoken"' in page.text
    assert forged.status_code == 403
    assert get_user_model().objects.filter(pk=attendee.pk).exists()


@pytest.mark.parametrize("kind", ["staff", "superuser", "editor without staff"])
def test_editors_and_administrators_cannot_delete_themselves(client, db, kind):
    user = UserFactory(is_staff=kind == "staff", is_superuser=kind == "superuser", username="boss")
    if kind == "editor without staff":
        user.groups.add(Group.objects.get(name=EDITORS_GROUP))
    client.force_login(user)

    page = client.get(DELETE)
    response = client.post(DELETE, {"password": PASSWORD})

    assert "ask an administrator to delete yours" in page.text
    assert 'name="password"' not in page.text
    assert response.status_code == 403
    assert "ask an administrator to delete yours" in response.text
    assert get_user_model().objects.filter(pk=user.pk).exists()
    assert "ask an administrator" in client.get(YOUR_DATA).text


def test_an_author_of_guide_posts_is_refused_and_keeps_everything(client, db):
    author = UserFactory(username="former-editor")
    PostFactory(author=author)
    SavedSessionFactory(user=author)
    client.force_login(author)

    response = client.post(DELETE, {"password": PASSWORD})

    assert response.status_code == 409
    assert "named on content of the site" in response.text
    assert get_user_model().objects.filter(pk=author.pk).exists()
    assert SavedSession.objects.filter(user=author).count() == 1  # rolled back
    assert browser_sessions_of(author.pk) != []
