"""Mail goes out from the task worker: requests never wait on SMTP."""

import datetime as dt

import pytest
from django.core import mail
from django.tasks import TaskResultStatus
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from confguide.models import ContactMessage
from tests.confguide.test_contact import URL, valid_data
from tests.factories import UserFactory

pytestmark = pytest.mark.integration


@pytest.fixture
def hanging_smtp(settings, silent_server):
    """An SMTP server that takes the connection and never says a word."""
    original = settings.MAILERS
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": "127.0.0.1",
                "port": silent_server.port,
                "use_tls": False,
                "timeout": 1,
            },
        }
    }
    return silent_server.accepted, original


def test_with_smtp_hanging_the_contact_form_answers_and_mail_goes_out_later_once(
    client, db, hanging_smtp, settings, run_tasks
):
    accepted, working_mailers = hanging_smtp

    response = client.post(URL, valid_data())

    assert response.status_code == 302
    assert accepted == []  # the request never talked to the mail server
    message = ContactMessage.objects.get()
    assert message.notify_attempts == 0
    assert DBTaskResult.objects.filter(status=TaskResultStatus.READY).count() == 1

    settings.MAILERS = working_mailers
    run_tasks()
    run_tasks()

    assert len(mail.outbox) == 1
    message.refresh_from_db()
    assert message.notified_at is not None


def test_a_failed_notification_is_tried_again_later_with_a_pause(
    client, db, mail_outage, run_tasks
):
    client.post(URL, valid_data())
    run_tasks()

    message = ContactMessage.objects.get()
    assert message.notify_attempts == 1
    retry = DBTaskResult.objects.get(status=TaskResultStatus.READY)
    assert retry.run_after > timezone.now() + dt.timedelta(seconds=50)


def test_password_reset_queues_the_same_work_for_known_and_unknown_addresses(client, db, run_tasks):
    UserFactory(username="mary", email="mary@example.com")

    for address in ("mary@example.com", "nobody@example.com"):
        response = client.post(reverse("account_reset_password"), {"email": address})
        assert response.url == reverse("account_reset_password_done")
    assert DBTaskResult.objects.count() == 2
    assert mail.outbox == []

    run_tasks()

    # Each address gets a mail: a reset link, or a note that it has no account.
    links = {message.to[0]: "/password/reset/key/" in message.body for message in mail.outbox}
    assert links == {"mary@example.com": True, "nobody@example.com": False}


def test_editors_see_the_mail_tasks_but_cannot_change_them(editor_client, client, db):
    client.post(URL, valid_data())
    changelist = reverse("admin:django_tasks_database_dbtaskresult_changelist")

    page = editor_client.get(changelist)

    assert page.status_code == 200
    assert "notify_editors" in page.text
    task = DBTaskResult.objects.get()
    change = reverse("admin:django_tasks_database_dbtaskresult_change", args=[task.pk])
    assert editor_client.post(change, {}).status_code == 403
