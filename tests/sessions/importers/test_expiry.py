"""Imports nobody confirms do not stay: the worker deletes them, and their files, after a day."""

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.tasks import TaskResultStatus
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from sessions.importers import services
from sessions.models import ScheduleImport
from sessions.tasks import expire_schedule_imports, schedule_import_expiry
from tests.factories import UserFactory

pytestmark = pytest.mark.integration

DAY = dt.timedelta(hours=24)


def make_import(user, *, status: str, idle: dt.timedelta) -> ScheduleImport:
    """An import in `status`, last touched `idle` ago."""
    data = None if status in ("done", "failed") else b"<schedule/>"
    schedule_import = ScheduleImport.objects.create(
        started_by=user,
        status=status,
        file_name=f"{status}.xml",
        data=data,
        digest=services.digest_of(data) if data else "",
        event_slug="tiny",
    )
    ScheduleImport.objects.filter(pk=schedule_import.pk).update(
        created_at=timezone.now() - idle, updated_at=timezone.now() - idle
    )
    return schedule_import


def queued_expiries():
    return DBTaskResult.objects.filter(
        task_path=expire_schedule_imports.module_path, status=TaskResultStatus.READY
    )


def test_an_import_queues_one_clean_up_for_when_it_falls_due(db):
    user = UserFactory()

    for _ in range(2):
        services.start_import(user=user, event_slug="tiny", data=b"<schedule/>", file_name="s.xml")

    due = queued_expiries().get().run_after
    assert timezone.now() + DAY - dt.timedelta(minutes=1) < due <= timezone.now() + DAY


def test_the_worker_deletes_imports_left_unconfirmed_for_a_day_and_keeps_done_ones(run_tasks):
    user = UserFactory()
    for status in ("queued", "previewing", "ready", "applying", "failed"):
        make_import(user, status=status, idle=DAY + dt.timedelta(minutes=1))
    done = make_import(user, status="done", idle=DAY * 30)
    fresh = make_import(user, status="ready", idle=dt.timedelta(hours=1))
    schedule_import_expiry()  # the oldest fell due long ago: at once

    run_tasks()

    assert set(ScheduleImport.objects.values_list("pk", flat=True)) == {done.pk, fresh.pk}
    assert bytes(ScheduleImport.objects.get(pk=fresh.pk).data) == b"<schedule/>"
    # The next clean-up is queued for when the fresh one falls due.
    fresh.refresh_from_db()
    assert queued_expiries().get().run_after == fresh.updated_at + DAY


def test_with_nothing_left_to_expire_no_clean_up_is_queued(run_tasks):
    make_import(UserFactory(), status="ready", idle=DAY * 2)
    schedule_import_expiry()

    run_tasks()

    assert not ScheduleImport.objects.exists()
    assert not queued_expiries().exists()


def test_the_wait_is_a_setting(db, settings):
    settings.IMPORT_CONFIRM_WITHIN_HOURS = 1
    user = UserFactory()
    make_import(user, status="ready", idle=dt.timedelta(hours=2))
    kept = make_import(user, status="ready", idle=dt.timedelta(minutes=30))

    assert services.expire_imports() == 1
    assert list(ScheduleImport.objects.all()) == [kept]


def test_a_preview_older_than_a_day_cannot_be_confirmed(editor_client, editor):
    # The worker has not deleted it yet (it was down, say): the rule holds anyway.
    stale = make_import(editor, status="ready", idle=DAY + dt.timedelta(minutes=1))

    response = editor_client.post(
        reverse("admin:conference_event_import_confirm", args=[stale.pk]),
        {"digest": stale.digest},
    )

    stale.refresh_from_db()
    assert stale.status == "ready"
    [message] = get_messages(response.wsgi_request)
    assert str(message).startswith("This preview is no longer current (it expired")
