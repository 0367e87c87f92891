"""Reads of the admin's schedule imports: which an editor may see, and how they stand."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import QuerySet
from django.utils import timezone

from sessions.models import ScheduleImport

RUNNING = (
    ScheduleImport.Status.QUEUED,
    ScheduleImport.Status.PREVIEWING,
    ScheduleImport.Status.APPLYING,
)
# A worker that has said nothing for this long past the time budget has stopped.
STALL_MARGIN = dt.timedelta(minutes=1)
# Queued longer than this, an import is probably waiting for a worker that is not running.
WORKER_SLOW = dt.timedelta(minutes=1)


def visible_imports(*, user: AbstractBaseUser) -> QuerySet[ScheduleImport]:
    """The imports this user may see: their own, or every one for a superuser; no files."""
    imports = ScheduleImport.objects.defer("data").select_related("started_by")
    return imports if user.is_superuser else imports.filter(started_by=user)


def schedule_import(*, user: AbstractBaseUser, import_id: int) -> ScheduleImport | None:
    return visible_imports(user=user).filter(pk=import_id).first()


def recent_imports(*, user: AbstractBaseUser, count: int = 5) -> list[ScheduleImport]:
    return list(visible_imports(user=user).filter(started_by=user)[:count])


def is_running(schedule_import: ScheduleImport) -> bool:
    return schedule_import.status in RUNNING


def is_stalled(schedule_import: ScheduleImport, *, now: dt.datetime | None = None) -> bool:
    """Reading or importing, and silent for longer than any import may take."""
    if schedule_import.status not in (
        ScheduleImport.Status.PREVIEWING,
        ScheduleImport.Status.APPLYING,
    ):
        return False
    budget = dt.timedelta(seconds=settings.IMPORT_TIME_BUDGET_SECONDS) + STALL_MARGIN
    return (now or timezone.now()) - schedule_import.updated_at > budget


def is_waiting_long(schedule_import: ScheduleImport, *, now: dt.datetime | None = None) -> bool:
    """Still queued after a while: the task worker may not be running."""
    return (
        schedule_import.status == ScheduleImport.Status.QUEUED
        and (now or timezone.now()) - schedule_import.created_at > WORKER_SLOW
    )
