"""Contact messages are kept CONTACT_RETENTION_DAYS, then the worker's daily task deletes them."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from confguide.contact.tasks import delete_old_contact_messages, schedule_retention
from confguide.models import ContactMessage
from tests.confguide.test_contact import valid_data
from tests.factories import ContactMessageFactory

pytestmark = pytest.mark.integration


def _received(days_ago: float, **fields) -> ContactMessage:
    message = ContactMessageFactory(**fields)
    ContactMessage.objects.filter(pk=message.pk).update(
        created_at=timezone.now() - dt.timedelta(days=days_ago)
    )
    return message


def test_the_daily_task_deletes_only_messages_older_than_the_retention(run_tasks, settings):
    settings.CONTACT_RETENTION_DAYS = 730
    _received(731, name="Too old", status=ContactMessage.Status.IN_PROGRESS)
    _received(729, name="Kept")
    _received(0, name="New")
    schedule_retention()
    queued = DBTaskResult.objects.filter(task_path=delete_old_contact_messages.module_path)
    queued.update(run_after=timezone.now())  # tomorrow has come

    run_tasks()

    assert sorted(ContactMessage.objects.values_list("name", flat=True)) == ["Kept", "New"]
    # Messages remain, so tomorrow's clean-up is queued.
    tomorrow = queued.get(status="READY")
    assert tomorrow.run_after > timezone.now() + dt.timedelta(hours=23)


def test_the_first_lead_mailed_to_the_editors_starts_the_daily_clean_up(client, run_tasks):
    client.post("/contact/", valid_data())
    run_tasks()
    client.post("/contact/", valid_data(email="grace@example.com"))
    run_tasks()

    queued = DBTaskResult.objects.filter(task_path=delete_old_contact_messages.module_path)
    assert queued.count() == 1  # once, however many leads
    assert queued.get().run_after > timezone.now() + dt.timedelta(hours=23)


def test_the_command_deletes_old_messages_now_and_starts_the_daily_round(db):
    _received(800)
    _received(10, name="Kept")
    out = io.StringIO()

    call_command("delete_old_contact_messages", stdout=out)

    assert out.getvalue() == "Deleted 1 contact message older than 730 days.\n"
    assert list(ContactMessage.objects.values_list("name", flat=True)) == ["Kept"]
    queued = DBTaskResult.objects.filter(task_path=delete_old_contact_messages.module_path)
    assert list(queued.values_list("status", flat=True)) == ["READY"]
