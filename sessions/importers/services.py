"""Writes of the schedule import: reading and applying a file, and the admin's queued imports.

read_and_apply() is the one way a file is imported, by the command and by the
task worker. The admin's import is a ScheduleImport row: the request stores the
upload (or the feed address) and queues the preview; the worker fetches, reads
and dry-runs it; the editor confirms what they saw (its SHA-256); the worker
applies those same bytes. Rows nobody confirms expire.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Callable
from functools import partial

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import connection, transaction
from django.db.models import Min
from django.utils import timezone

from sessions.importers import ImportLimits, Problem, ScheduleImportError, parse_schedule
from sessions.importers.apply import ImportReport, apply_schedule
from sessions.importers.fetch import fetch
from sessions.models import Event, ScheduleImport

logger = logging.getLogger(__name__)

# The two stages of an import, as progress reports them.
READING = "reading"
SAVING = "saving"
# (stage, entries done, entries in all)
StageProgress = Callable[[str, int, int], None]
# The worker writes its progress every this many entries (and at each stage's start and end).
PROGRESS_EVERY = 500

UNEXPECTED = (
    "The import failed unexpectedly and nothing was imported; the details were logged "
    "for the site's developers."
)
CHANGED = (
    "The stored file is not the one that was previewed, so nothing was imported; "
    "start the import again."
)


def read_and_apply(
    *,
    data: bytes,
    event_slug: str,
    fmt: str = "auto",
    name: str = "",
    publish: bool = False,
    time_zone: str = "",
    dry_run: bool = False,
    progress: StageProgress | None = None,
    limits: ImportLimits | None = None,
) -> ImportReport:
    """Read the file and apply it (dry_run: report what that would do, and write nothing).

    The one way the command and the worker import: within one ImportLimits for
    both steps (entries, and a time budget from the start of reading to the end
    of saving; the settings' by default). Raises ScheduleImportError.
    """
    limits = limits or ImportLimits.from_settings()
    # Local times the file does not place are read in the event's zone on a re-import,
    # else in the zone chosen for the new event.
    event_zone = Event.objects.filter(slug=event_slug).values_list("time_zone", flat=True).first()
    parsed = parse_schedule(
        data,
        fmt=fmt,
        name=name,
        limits=limits,
        progress=partial(progress, READING) if progress else None,
        time_zone=event_zone or time_zone,
        time_zone_source="the event's own" if event_zone else "chosen when importing",
    )
    if progress:
        progress(SAVING, 0, len(parsed.sessions))
    report = apply_schedule(
        parsed=parsed,
        event_slug=event_slug,
        publish=publish,
        dry_run=dry_run,
        time_zone=time_zone,
        progress=partial(progress, SAVING) if progress else None,
        limits=limits,
    )
    if event_zone and time_zone and time_zone != event_zone:
        report.warnings.append(
            Problem(
                "time zone",
                f"The event keeps its own zone, {event_zone}; the zone chosen for this import "
                f"({time_zone}) was not used. Change the event's zone in the admin if it is wrong.",
            )
        )
    return report


def digest_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- The admin's import, step by step ----------------------------------------


def start_import(
    *,
    user: AbstractBaseUser,
    event_slug: str,
    fmt: str = "auto",
    publish: bool = False,
    time_zone: str = "",
    data: bytes | None = None,
    file_name: str = "",
    feed_url: str = "",
) -> ScheduleImport:
    """Keep the upload (or the feed's address) and queue its preview for the worker."""
    from sessions.tasks import preview_schedule_import, schedule_import_expiry

    with transaction.atomic():
        schedule_import = ScheduleImport.objects.create(
            started_by=user,
            file_name=file_name[-200:],
            feed_url=feed_url,
            data=data,
            digest=digest_of(data) if data is not None else "",
            format=fmt,
            event_slug=event_slug,
            publish=publish,
            time_zone=time_zone,
        )
        # In the same transaction: the worker never sees a task without its row.
        preview_schedule_import.enqueue(schedule_import.pk)
        schedule_import_expiry()
    return schedule_import


def preview_import(*, import_id: int) -> None:
    """The worker's first step: fetch the feed if need be, read the file and dry-run it."""
    schedule_import = ScheduleImport.objects.filter(
        pk=import_id, status=ScheduleImport.Status.QUEUED
    ).first()
    # Gone (discarded or expired) or taken meanwhile: nothing to do.
    if schedule_import is None or not _update(
        import_id, ScheduleImport.Status.QUEUED, status=ScheduleImport.Status.PREVIEWING
    ):
        return
    report = _failure_recorded(
        import_id,
        "Previewing schedule import %s failed",
        lambda: read_and_apply(
            data=_bytes_to_preview(schedule_import),
            dry_run=True,
            progress=_progress_writer(import_id),
            **_options(schedule_import),
        ),
    )
    if report is None:
        return
    _update(
        import_id,
        ScheduleImport.Status.PREVIEWING,
        status=ScheduleImport.Status.READY,
        preview=report.as_json(),
        stage="",
    )


def _failure_recorded(
    import_id: int, log_message: str, work: Callable[[], ImportReport]
) -> ImportReport | None:
    """`work()`'s report; or None, with the failure recorded on the import for the editor.

    A file's problems are the editor's to read; anything else is logged for the
    developers and raised again, so the worker marks the task failed too.
    """
    try:
        return work()
    except ScheduleImportError as error:
        _fail(import_id, error.problems)
        return None
    except Exception:
        logger.exception(log_message, import_id)
        _fail(import_id, [Problem("file", UNEXPECTED)])
        raise


def _bytes_to_preview(schedule_import: ScheduleImport) -> bytes:
    """The upload; or the feed, fetched now and kept, so the editor confirms what they saw."""
    if not schedule_import.feed_url:
        return bytes(schedule_import.data)
    data = fetch(schedule_import.feed_url)
    _update(
        schedule_import.pk,
        ScheduleImport.Status.PREVIEWING,
        data=data,
        digest=digest_of(data),
    )
    return data


def confirm_import(*, schedule_import: ScheduleImport, digest: str) -> bool:
    """Queue the import of the previewed file; False when it is not waiting for this digest.

    Only one of two quick clicks queues it.
    """
    from sessions.tasks import apply_schedule_import

    with transaction.atomic():
        moved = ScheduleImport.objects.filter(
            pk=schedule_import.pk,
            status=ScheduleImport.Status.READY,
            digest=digest,
            updated_at__gte=timezone.now() - confirm_within(),
        ).update(status=ScheduleImport.Status.APPLYING, stage="", updated_at=timezone.now())
        if moved:
            apply_schedule_import.enqueue(schedule_import.pk)
    return bool(moved)


def apply_import(*, import_id: int) -> None:
    """The worker's second step: import the confirmed bytes, once their digest is checked again."""
    schedule_import = ScheduleImport.objects.filter(
        pk=import_id, status=ScheduleImport.Status.APPLYING
    ).first()
    if schedule_import is None:
        return
    data = bytes(schedule_import.data or b"")
    if not data or digest_of(data) != schedule_import.digest:
        _fail(import_id, [Problem("file", CHANGED)])
        return
    report = _failure_recorded(
        import_id,
        "Schedule import %s failed",
        lambda: read_and_apply(
            data=data, progress=_progress_writer(import_id), **_options(schedule_import)
        ),
    )
    if report is None:
        return
    # The file and the preview are not needed once imported; the result stays as a record.
    _update(
        import_id,
        ScheduleImport.Status.APPLYING,
        status=ScheduleImport.Status.DONE,
        result=report.as_json(),
        preview=None,
        data=None,
        stage="",
    )


def discard_import(*, schedule_import: ScheduleImport) -> bool:
    """Delete an import the editor does not want; not one being imported or done."""
    deleted, _ = (
        ScheduleImport.objects.filter(pk=schedule_import.pk)
        .exclude(status__in=[ScheduleImport.Status.APPLYING, ScheduleImport.Status.DONE])
        .delete()
    )
    return bool(deleted)


def confirm_within() -> dt.timedelta:
    return dt.timedelta(hours=settings.IMPORT_CONFIRM_WITHIN_HOURS)


def expire_imports(*, now: dt.datetime | None = None) -> int:
    """Delete unfinished imports (and their files) left alone longer than confirm_within().

    Whatever their state: waiting for confirmation, failed, or stuck because
    the worker stopped. Imports that are done stay, without their file.
    """
    cutoff = (now or timezone.now()) - confirm_within()
    deleted, _ = _unfinished().filter(updated_at__lt=cutoff).delete()
    return deleted


def next_expiry() -> dt.datetime | None:
    """When the oldest unfinished import falls due; None when there is none."""
    oldest = _unfinished().aggregate(oldest=Min("updated_at"))["oldest"]
    return oldest + confirm_within() if oldest else None


def _unfinished():
    return ScheduleImport.objects.exclude(status=ScheduleImport.Status.DONE)


def _options(schedule_import: ScheduleImport) -> dict:
    return {
        "fmt": schedule_import.format,
        "name": schedule_import.source,
        "event_slug": schedule_import.event_slug,
        "publish": schedule_import.publish,
        "time_zone": schedule_import.time_zone,
    }


def _update(import_id: int, current: str, **fields) -> int:
    """Change the row if it is still `current` (an editor may have discarded it meanwhile)."""
    return ScheduleImport.objects.filter(pk=import_id, status=current).update(
        updated_at=timezone.now(), **fields
    )


def _fail(import_id: int, problems: list[Problem]) -> None:
    """Record what went wrong; the file is not needed any more."""
    ScheduleImport.objects.filter(pk=import_id).exclude(status=ScheduleImport.Status.DONE).update(
        status=ScheduleImport.Status.FAILED,
        problems=[str(problem) for problem in problems],
        data=None,
        stage="",
        updated_at=timezone.now(),
    )


def _progress_writer(import_id: int) -> StageProgress:
    """Progress the status page can show: at each stage's start, every few hundred entries,
    and at the end of reading."""
    current = {"stage": ""}

    def write(stage: str, done: int, total: int) -> None:
        if connection.in_atomic_block:
            # Inside the import's transaction nobody else would see it (and a
            # dry run rolls it back).
            return
        if stage == current["stage"] and done % PROGRESS_EVERY and done != total:
            return
        current["stage"] = stage
        ScheduleImport.objects.filter(pk=import_id).update(
            stage=stage, entries_done=done, entries_total=total, updated_at=timezone.now()
        )

    return write
