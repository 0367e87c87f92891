"""Background work of the conference app, run by the task worker (`db_worker`)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.tasks import TaskResultStatus, task
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from sessions.importers import services as imports
from sessions.models import ScheduleAlerts, Visitor
from sessions.myschedule import alerts, services

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


# --- Schedule imports from the admin (sessions.importers.services) ------------


@task
def preview_schedule_import(import_id: int) -> None:
    """Fetch (for a feed), read and dry-run an editor's import, for them to confirm."""
    imports.preview_import(import_id=import_id)


@task
def apply_schedule_import(import_id: int) -> None:
    """Import the file the editor confirmed."""
    imports.apply_import(import_id=import_id)


@task
def expire_schedule_imports() -> int:
    """Delete imports left unconfirmed (or unfinished) for IMPORT_CONFIRM_WITHIN_HOURS.

    It keeps itself scheduled for when the next one falls due, while any
    remain; each new import schedules it (schedule_import_expiry).
    """
    deleted = imports.expire_imports()
    schedule_import_expiry()
    return deleted


def schedule_import_expiry() -> None:
    """Queue the clean-up for when the oldest unfinished import falls due, unless one is queued."""
    queued = DBTaskResult.objects.filter(
        task_path=expire_schedule_imports.module_path, status=TaskResultStatus.READY
    )
    if queued.exists():
        return
    due = imports.next_expiry()
    if due is not None:
        expire_schedule_imports.using(run_after=max(due, timezone.now())).enqueue()


# --- Attendees' change emails (sessions.myschedule.alerts) --------------------

CHANGE_EMAILS_EVERY = dt.timedelta(minutes=10)


@task
def send_schedule_change_emails() -> int:
    """Send the change emails that are due; again in CHANGE_EMAILS_EVERY.

    It keeps itself scheduled while any attendee has change emails on, and
    the first to turn them on schedules it (schedule_change_emails). Several
    workers may run it at once: each attendee is claimed by one of them.
    """
    sent = alerts.send_due_emails()
    if ScheduleAlerts.objects.filter(enabled=True).exists():
        schedule_change_emails()
    return sent


def schedule_change_emails() -> None:
    """Queue the next sending run, unless one is queued already."""
    queued = DBTaskResult.objects.filter(
        task_path=send_schedule_change_emails.module_path, status=TaskResultStatus.READY
    )
    if not queued.exists():
        send_schedule_change_emails.using(run_after=timezone.now() + CHANGE_EMAILS_EVERY).enqueue()
