"""Background work of the conference app, run by the task worker (`db_worker`)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.tasks import TaskResultStatus, task
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from sessions.models import Visitor
from sessions.myschedule import services

EXPIRY_EVERY = dt.timedelta(days=1)


@task
def expire_anonymous_schedules() -> int:
    """Delete visitors' schedules unused for ANONYMOUS_SCHEDULE_DAYS; again tomorrow.

    It keeps itself scheduled while any visitor's schedule remains, and the
    first schedule a visitor makes schedules it (schedule_expiry).
    """
    unused_for = dt.timedelta(days=settings.ANONYMOUS_SCHEDULE_DAYS)
    deleted = services.expire_anonymous_schedules(unused_for=unused_for)
    if Visitor.objects.exists():
        schedule_expiry()
    return deleted


def schedule_expiry() -> None:
    """Queue tomorrow's clean-up, unless one is queued already."""
    queued = DBTaskResult.objects.filter(
        task_path=expire_anonymous_schedules.module_path, status=TaskResultStatus.READY
    )
    if not queued.exists():
        expire_anonymous_schedules.using(run_after=timezone.now() + EXPIRY_EVERY).enqueue()
