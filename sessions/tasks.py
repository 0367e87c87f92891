"""Background work of the conference app, run by the task worker (`db_worker`)."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db.models import Q
from django.tasks import TaskResultStatus, task
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from sessions.importers import services as imports
from sessions.importers import sync
from sessions.models import ScheduleAlerts, Visitor
from sessions.myschedule import alerts, services

logger = logging.getLogger(__name__)

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


# --- Official feeds kept in sync (sessions.importers.sync) --------------------

# Pauses before the editors' email is tried again after the mail server failed.
MAIL_RETRY_PAUSES = (dt.timedelta(minutes=5), dt.timedelta(minutes=30), dt.timedelta(hours=2))


@task
def sync_official_feeds() -> int:
    """Sync every event whose feed is due, then queue this task for when the next one is.

    Several of these may be queued or running at once (each worker, each
    editor's "sync now"): each event is claimed by one of them only.
    """
    try:
        return sync.sync_due_events()
    finally:
        schedule_feed_syncs()


def schedule_feed_syncs() -> None:
    """Queue sync_official_feeds for when the next feed falls due, unless one is queued by then."""
    due = sync.next_due()
    if due is None:
        return
    run_after = max(due, timezone.now())
    queued = DBTaskResult.objects.filter(
        Q(run_after__isnull=True) | Q(run_after__lte=run_after),
        task_path=sync_official_feeds.module_path,
        status=TaskResultStatus.READY,
    )
    if not queued.exists():
        sync_official_feeds.using(run_after=run_after).enqueue()


@task
def mail_feed_sync(sync_id: int, attempt: int = 1) -> bool:
    """Email the editors what one sync changed; if the mail server fails, try again later."""
    try:
        return sync.mail_editors(sync_id=sync_id)
    except Exception:
        logger.exception("Could not email the editors about feed sync %s", sync_id)
    if attempt <= len(MAIL_RETRY_PAUSES):
        pause = MAIL_RETRY_PAUSES[attempt - 1]
        mail_feed_sync.using(run_after=timezone.now() + pause).enqueue(sync_id, attempt + 1)
    return False
