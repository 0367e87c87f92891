import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from confguide.models import ContactMessage

pytestmark = pytest.mark.integration

URL = "/contact/"


def valid_data(**overrides):
    data = {
        "name": "Ada Lovelace",
        "email": "ada@example.com",
        "company": "Analytical Engines",
        "topic": "storage",
        "message": "Our stateful workloads need persistent memory on Kubernetes.",
        "consent": "on",
        "homepage": "",
        "source": "/",
    }
    data.update(overrides)
    return data


def test_contact_form_is_linked_from_every_page_footer_with_the_page_as_source(client, db):
    response = client.get("/")

    assert '<a href="/contact/?from=/">Contact us</a>' in response.text


def test_contact_message_is_stored_then_editors_are_emailed(
    client, db, mailoutbox, settings, run_tasks
):
    settings.EDITORS_EMAIL = ["leads@example.com"]

    response = client.post(URL, valid_data())
    assert mailoutbox == []  # the request only queues the mail
    run_tasks()

    assert response.status_code == 302
    assert response["Location"] == "/contact/thanks/?from=%2F"
    message = ContactMessage.objects.get()
    assert (message.name, message.email, message.company, message.topic) == (
        "Ada Lovelace",
        "ada@example.com",
        "Analytical Engines",
        "storage",
    )
    assert message.status == ContactMessage.Status.NEW
    assert message.source_path == "/"
    assert message.consented_at is not None
    assert message.notified_at is not None
    [email] = mailoutbox
    assert email.to == ["leads@example.com"]
    assert email.reply_to == ["ada@example.com"]
    assert "Our stateful workloads need persistent memory" in email.body
    assert f"/admin/confguide/contactmessage/{message.pk}/change/" in email.body


def test_thanks_page_after_redirect_sends_nothing_again(client, db, mailoutbox, run_tasks):
    response = client.post(URL, valid_data(), follow=True)
    client.get(response.redirect_chain[-1][0])
    run_tasks()
    run_tasks()

    assert "your message is with us" in response.text
    assert ContactMessage.objects.count() == 1
    assert len(mailoutbox) == 1


def test_contact_form_keeps_everything_typed_and_marks_the_bad_field(client, db, mailoutbox):
    response = client.post(URL, valid_data(email="not-an-address"))

    assert response.status_code == 200
    assert ContactMessage.objects.count() == 0
    assert response.context["form"].errors == {"email": ["Enter a valid email address."]}
    assert 'value="Ada Lovelace"' in response.text
    assert "Our stateful workloads need persistent memory" in response.text
    assert "Please correct the field marked below" in response.text
    assert mailoutbox == []


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("name", "x" * 101, "Ensure this value has at most 100 characters (it has 101)."),
        ("company", "x" * 201, "Ensure this value has at most 200 characters (it has 201)."),
        ("message", "x" * 5001, "Ensure this value has at most 5000 characters (it has 5001)."),
        ("message", "Help?", "Ensure this value has at least 10 characters (it has 5)."),
        ("email", "a" * 250 + "@example.com", "Ensure this value has at most 254 characters"),
        ("topic", "free-beer", "Select a valid choice. free-beer is not one of the available"),
        ("consent", "", "Please agree to be contacted, or we cannot reply."),
        ("name", "Ada\x00", "Null characters are not allowed."),
    ],
)
def test_contact_form_rejects_each_bad_field_with_a_clear_error(client, db, field, value, error):
    response = client.post(URL, valid_data(**{field: value}))

    assert response.status_code == 200
    assert error in " ".join(response.context["form"].errors[field])
    assert ContactMessage.objects.count() == 0


def test_honeypot_message_is_kept_as_spam_and_nobody_is_emailed(client, db, mailoutbox):
    response = client.post(URL, valid_data(homepage="https://cheap-pills.example"))

    assert response.status_code == 302
    message = ContactMessage.objects.get()
    assert message.status == ContactMessage.Status.SPAM
    assert message.notified_at is None
    assert mailoutbox == []


def test_contact_form_rate_limits_each_client_address(client, db, settings):
    settings.CONTACT_RATE_LIMIT = 2
    settings.CONTACT_RATE_WINDOW = 3600

    for _ in range(2):
        assert client.post(URL, valid_data()).status_code == 302
    refused = client.post(URL, valid_data(name="Third Try"))
    other_address = client.post(URL, valid_data(), REMOTE_ADDR="198.51.100.7")

    assert refused.status_code == 429
    assert refused["Retry-After"] == "3600"
    assert "several messages from your network" in refused.text
    assert 'value="Third Try"' in refused.text
    assert other_address.status_code == 302
    assert ContactMessage.objects.count() == 3


def test_a_refused_contact_message_says_how_long_is_left_in_the_window(
    client, db, settings, rate_clock
):
    settings.CONTACT_RATE_LIMIT = 1
    settings.CONTACT_RATE_WINDOW = 3600
    client.post(URL, valid_data())
    rate_clock.now += 1000

    refused = client.post(URL, valid_data(name="Second Try"))

    assert refused.status_code == 429
    assert refused["Retry-After"] == "2600"
    assert "try again in 44 minutes" in refused.text
    assert 'value="Second Try"' in refused.text


def test_rate_limit_ignores_a_forged_forwarded_header_without_a_trusted_proxy(client, db, settings):
    settings.CONTACT_RATE_LIMIT = 1

    client.post(URL, valid_data(), HTTP_X_FORWARDED_FOR="203.0.113.1")
    response = client.post(URL, valid_data(), HTTP_X_FORWARDED_FOR="203.0.113.2")

    assert response.status_code == 429


def test_rate_limit_uses_the_forwarded_address_behind_a_trusted_proxy(client, db, settings):
    settings.CONTACT_RATE_LIMIT = 1
    settings.TRUSTED_PROXY_COUNT = 1

    first = client.post(URL, valid_data(), HTTP_X_FORWARDED_FOR="forged, 203.0.113.1")
    second = client.post(URL, valid_data(), HTTP_X_FORWARDED_FOR="forged, 203.0.113.2")
    again = client.post(URL, valid_data(), HTTP_X_FORWARDED_FOR="other, 203.0.113.1")

    assert (first.status_code, second.status_code, again.status_code) == (302, 302, 429)


def test_oversize_contact_post_is_refused_as_too_large(client, db, settings):
    settings.CONTACT_MAX_BODY_BYTES = 1000

    response = client.post(URL, valid_data(message="x" * 2000))

    assert response.status_code == 413
    assert "That was too large to accept" in response.text
    assert ContactMessage.objects.count() == 0


def test_malformed_multipart_contact_post_is_a_bad_request(client, db):
    response = client.generic(
        "POST",
        URL,
        b"--broken\r\nContent-Disposition: form-data; name=\r\n",
        content_type="multipart/form-data; boundary=",
    )

    assert response.status_code == 400
    assert ContactMessage.objects.count() == 0


def test_mail_outage_keeps_the_message_and_a_later_retry_sends_it(
    client, db, settings, mailoutbox, run_tasks
):
    original_mailers = settings.MAILERS
    settings.MAILERS = {"default": {"BACKEND": "tests.mail_backends.UnreachableEmailBackend"}}

    response = client.post(URL, valid_data())
    run_tasks()

    assert response.status_code == 302
    message = ContactMessage.objects.get()
    assert message.notified_at is None
    assert message.notify_attempts == 1
    assert "SMTPServerDisconnected" in message.last_notify_error
    with pytest.raises(CommandError, match="1 notification"):
        call_command("send_contact_notifications")
    message.refresh_from_db()
    assert message.notify_attempts == 2

    settings.MAILERS = original_mailers
    call_command("send_contact_notifications")

    message.refresh_from_db()
    assert message.notified_at is not None
    assert message.last_notify_error == ""
    assert len(mailoutbox) == 1
    # Once sent, a further run sends nothing again.
    call_command("send_contact_notifications")
    assert len(mailoutbox) == 1


@pytest.mark.parametrize(
    "source",
    [
        "https://evil.example/phish",
        "//evil.example/phish",
        "/\\evil.example",
        "javascript:alert(1)",
        '/"><script>alert(1)</script>',
        "/admin/",
        "/contact/",
        "/no-such-page/",
        "/\r\nSet-Cookie: x=1",
    ],
)
def test_contact_source_outside_this_sites_pages_is_dropped(client, db, source):
    form_page = client.get(URL, {"from": source})
    client.post(URL, valid_data(source=source))
    thanks = client.get(reverse("contact:thanks"), {"from": source})

    assert "About:" not in form_page.text
    assert "<script>alert(1)" not in form_page.text
    assert ContactMessage.objects.get().source_path == ""
    assert "evil.example" not in thanks.text
    assert 'href="/">Back to the guide</a>' in thanks.text


def test_contact_source_drops_query_and_fragment(client, db):
    client.post(URL, valid_data(source="/?utm=x#top"))

    assert ContactMessage.objects.get().source_path == "/"


def test_contact_form_only_accepts_get_and_post(client, db):
    assert client.put(URL).status_code == 405
    assert client.post(reverse("contact:thanks")).status_code == 405


def test_session_speaker_and_company_pages_invite_readers_to_get_in_touch(client, db):
    from tests.factories import SessionFactory, SpeakerFactory

    speaker = SpeakerFactory(name="Patrick Ohly", company__name="Intel")
    session = SessionFactory(title="Persistent Memory in Kubernetes", speakers=[speaker])

    for page, label in [
        (session.get_absolute_url(), "Persistent Memory in Kubernetes"),
        (speaker.get_absolute_url(), "Patrick Ohly"),
        (speaker.company.get_absolute_url(), "Intel"),
    ]:
        detail = client.get(page)
        link = f'href="/contact/?from={page}">Get in touch</a>'
        assert link in detail.text
        form = client.get(URL, {"from": page})
        assert f"About: <strong>{label}</strong>" in form.text


def test_contact_from_a_draft_session_says_nothing_about_it(client, db):
    from sessions.models import Session
    from tests.factories import SessionFactory

    session = SessionFactory(title="Unannounced talk", status=Session.Status.DRAFT)

    response = client.get(URL, {"from": session.get_absolute_url()})

    assert "Unannounced talk" not in response.text
