"""An event's official feed kept in sync: the worker imports it again on the event's interval.

The task worker (sessions.tasks.sync_official_feeds) asks which events are due
and claims each one by moving its `next_sync_at` forward in one conditional
UPDATE: whichever worker's UPDATE matches the value it read gets the event, so
any number of workers and web replicas never sync one event twice at once. A
worker that dies mid-sync leaves the event claimed until one interval later.

A sync fetches the feed through the site's safe fetcher, sending back the
validators (ETag, Last-Modified) of the last response it imported: an unchanged
feed answers 304 and costs neither a parse nor a write to the programme. A body
identical to the last one imported (a server that sends no validators) is not
parsed either. Anything else goes through read_and_apply(), the importer the
admin and the command use, which keeps what editors own (notes, picks, themes,
level, links). Every sync is recorded as a FeedSync, the last KEEP_SYNCS per
event; failures (network, HTTP status, size, parse) are recorded, never raised,
and push the next try further off each time. A sync that changed something
queues one email to the editors.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Min, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import dateformat, timezone

from confguide import fetch as safe
from sessions.importers.base import MAX_IMPORT_BYTES, ScheduleImportError, check_size
from sessions.importers.report import ImportReport
from sessions.importers.services import digest_of, read_and_apply
from sessions.models import Event, FeedSync, Session

logger = logging.getLogger(__name__)

# The history kept per event: older syncs are deleted as new ones are recorded.
KEEP_SYNCS = 200
# After failures in a row the pause doubles, up to this (or the interval, if longer).
MAX_BACKOFF = dt.timedelta(hours=24)
# The editors' email lists this many sessions per kind; the admin's history has them all.
MAIL_LIMIT = 50
UNEXPECTED = "The sync failed unexpectedly; the details were logged for the site's developers."
# The report's kinds of session change, as the history and the email name them.
# A sync that would cancel at least this many sessions, and most of the event, is held.
HOLD_CANCELLING = 10
KINDS = ("created", "moved", "re_roomed", "cancelled", "speakers_changed", "updated")


def syncing() -> QuerySet[Event]:
    """Events whose feed the worker keeps in sync: a feed address, and not paused."""
    return Event.objects.exclude(feed_url="").filter(sync_paused=False)


def due(*, now: dt.datetime) -> QuerySet[Event]:
    return syncing().filter(next_sync_at__lte=now)


def next_due() -> dt.datetime | None:
    """When the next sync falls due; None when no event is kept in sync."""
    return syncing().aggregate(next=Min("next_sync_at"))["next"]


def claim(event_id: int, seen: dt.datetime, *, now: dt.datetime) -> Event | None:
    """The event, if this worker is the one that moved its next sync from `seen`.

    Claimed until one interval from now: a worker that dies mid-sync does not
    leave the event stuck, and no other worker takes it meanwhile.
    """
    event = Event.objects.filter(pk=event_id).only("sync_every").first()
    if event is None:
        return None
    claimed = (
        due(now=now)
        .filter(pk=event_id, next_sync_at=seen)
        .update(next_sync_at=now + dt.timedelta(minutes=event.sync_every))
    )
    return Event.objects.get(pk=event_id) if claimed else None


def sync_due_events(*, now: dt.datetime | None = None) -> int:
    """Sync every event that is due and that this worker claims; how many it synced."""
    now = now or timezone.now()
    synced = 0
    for event_id, seen in due(now=now).order_by("next_sync_at").values_list("pk", "next_sync_at"):
        # The claim runs from now, not from when the list was read: syncs before it take time.
        event = claim(event_id, seen, now=timezone.now())
        if event is not None:
            sync_event(event)
            synced += 1
    return synced


@dataclass
class _Outcome:
    outcome: str
    http_status: int | None = None
    error: str = ""
    report: ImportReport | None = None
    etag: str = ""
    last_modified: str = ""
    digest: str = ""


def sync_event(event: Event) -> FeedSync:
    """Fetch the event's feed and import it if it changed; the sync as recorded.

    Never raises for the feed's sake: a failure is a FeedSync that says why.
    """
    started_at = timezone.now()
    try:
        outcome = _fetch_and_import(event)
    except Exception:
        logger.exception("Syncing the feed of event %s failed", event.pk)
        outcome = _Outcome(FeedSync.Outcome.FAILED, error=UNEXPECTED)
    return _record(event, outcome, started_at=started_at)


def _fetch_and_import(event: Event) -> _Outcome:
    try:
        fetched = safe.fetch_if_changed(
            event.feed_url,
            max_bytes=MAX_IMPORT_BYTES,
            etag=event.feed_etag,
            last_modified=event.feed_last_modified,
        )
    except safe.ResponseTooLarge as error:
        return _Outcome(
            FeedSync.Outcome.FAILED, http_status=error.status, error=_size_refusal(error)
        )
    except safe.FetchError as error:
        return _Outcome(FeedSync.Outcome.FAILED, http_status=error.status, error=str(error))
    validators = {
        "etag": fetched.etag or event.feed_etag,
        "last_modified": fetched.last_modified or event.feed_last_modified,
    }
    if fetched.not_modified:
        return _Outcome(FeedSync.Outcome.NOT_MODIFIED, http_status=fetched.status, **validators)
    digest = digest_of(fetched.body)
    if digest == event.feed_digest:
        return _Outcome(
            FeedSync.Outcome.UNCHANGED, http_status=fetched.status, digest=digest, **validators
        )
    name = urlsplit(event.feed_url).path.rsplit("/", 1)[-1]
    try:
        # A dry run first: a feed that would cancel most of the programme (an
        # empty file, the wrong conference's) waits for an editor, not the worker.
        held = _mass_cancellation(
            event, read_and_apply(data=fetched.body, event_slug=event.slug, name=name, dry_run=True)
        )
        if held:
            return _Outcome(FeedSync.Outcome.FAILED, http_status=fetched.status, error=held)
        report = read_and_apply(data=fetched.body, event_slug=event.slug, name=name)
    except ScheduleImportError as error:
        # The validators are not kept: the same file is read again next time.
        return _Outcome(FeedSync.Outcome.FAILED, http_status=fetched.status, error=_problems(error))
    changed = _changed(report)
    return _Outcome(
        FeedSync.Outcome.CHANGED if changed else FeedSync.Outcome.UNCHANGED,
        http_status=fetched.status,
        report=report,
        digest=digest,
        **validators,
    )


def _mass_cancellation(event: Event, dry_run: ImportReport) -> str:
    """Why a sync is held rather than applied ("" if it is not): it would cancel
    at least HOLD_CANCELLING sessions and more than half of those still on."""
    cancelling = len(dry_run.cancelled)
    if cancelling < HOLD_CANCELLING:
        return ""
    still_on = Session.objects.filter(event=event).exclude(status=Session.Status.CANCELLED).count()
    if cancelling * 2 <= still_on:
        return ""
    return (
        f"Held: the feed would cancel {cancelling} of the event's {still_on} sessions. "
        "If that is right, import the file from the admin (Events, “Import a schedule”), which "
        "asks you to confirm; syncing tries again at the next interval."
    )


def _size_refusal(error: safe.ResponseTooLarge) -> str:
    """The importer's words for a feed over the limit, as for an upload of that size."""
    try:
        check_size(error.size, limit=error.limit, exact=error.exact)
    except ScheduleImportError as refusal:
        return _problems(refusal)
    return str(error)


def _problems(error: ScheduleImportError) -> str:
    """What went wrong, each problem where it is ("line 12: ..."); the whole file goes unnamed."""
    return "; ".join(
        problem.what if problem.where == "file" else str(problem) for problem in error.problems
    )


def _changed(report: ImportReport) -> bool:
    return bool(
        report.created
        or report.updated
        or report.cancelled
        or report.rooms_created
        or report.speakers_changed
    )


def _record(event: Event, outcome: _Outcome, *, started_at: dt.datetime) -> FeedSync:
    """Keep the sync in the history, set the event's next one, and queue the editors' email."""
    from sessions.tasks import mail_feed_sync

    finished_at = timezone.now()
    counts, changes, summary = _counts(outcome.report)
    failed = outcome.outcome == FeedSync.Outcome.FAILED
    failures = event.sync_failures + 1 if failed else 0
    state = {"sync_failures": failures}
    if not failed:
        state |= {"feed_etag": outcome.etag, "feed_last_modified": outcome.last_modified}
        if outcome.digest:
            state["feed_digest"] = outcome.digest
    with transaction.atomic():
        sync = FeedSync.objects.create(
            event=event,
            started_at=started_at,
            finished_at=finished_at,
            feed_url=event.feed_url,
            outcome=outcome.outcome,
            http_status=outcome.http_status,
            error=outcome.error,
            summary=summary,
            changes=changes,
            **counts,
        )
        # Only for the address fetched: an editor may have changed it meanwhile.
        Event.objects.filter(pk=event.pk, feed_url=event.feed_url).update(**state)
        # Only while the claim holds: an editor may have asked for a sync now meanwhile.
        Event.objects.filter(pk=event.pk, next_sync_at=event.next_sync_at).update(
            next_sync_at=finished_at + pause(event, failures)
        )
        _trim_history(event.pk)
        if sync.outcome == FeedSync.Outcome.CHANGED:
            mail_feed_sync.enqueue(sync.pk)
    return sync


def pause(event: Event, failures: int) -> dt.timedelta:
    """The wait before the next sync: the interval, doubled for each failure in a row."""
    interval = dt.timedelta(minutes=event.sync_every)
    if not failures:
        return interval
    return min(interval * 2 ** min(failures, 10), max(interval, MAX_BACKOFF))


def _counts(report: ImportReport | None) -> tuple[dict[str, int], dict, str]:
    """The history's counts, the report's entries as JSON, and its summary line."""
    counts = dict.fromkeys(KINDS, 0)
    if report is None:
        return counts, {}, ""
    data = report.as_json()
    for kind, entries in data["sessions"].items():
        for entry in entries:
            fields = {change["field"] for change in entry["changes"]}
            if kind == "updated":
                counts["updated"] += 1
                counts["moved"] += "time" in fields
                counts["re_roomed"] += "room" in fields
                counts["speakers_changed"] += "speakers" in fields
            else:
                counts[kind] += 1
    changes = {
        "sessions": data["sessions"],
        "rooms_created": data["rooms_created"],
        "speakers_changed": data["speakers_changed"],
        "warnings": data["warnings"],
    }
    return counts, changes, data["summary"]


def _trim_history(event_id: int) -> None:
    oldest_kept = (
        FeedSync.objects.filter(event_id=event_id)
        .order_by("-started_at", "-pk")
        .values_list("started_at", "pk")[KEEP_SYNCS - 1 : KEEP_SYNCS]
        .first()
    )
    if oldest_kept is not None:
        started_at, pk = oldest_kept
        FeedSync.objects.filter(event_id=event_id, started_at__lte=started_at).exclude(
            started_at=started_at, pk__gte=pk
        ).delete()


# --- Editors' settings --------------------------------------------------------


def check_feed_url(url: str) -> None:
    """Refuse, without any network traffic, an address the worker would never fetch."""
    try:
        safe.check_url(url)
    except safe.FetchError as error:
        raise ScheduleImportError(str(error)) from None


def feed_settings_saved(
    *, event: Event, url_changed: bool, resumed: bool, interval_changed: bool = False
) -> None:
    """After an editor saved the event's feed settings: a new address is synced now,
    from scratch (its validators and digest belong to the old one), as is a resumed
    feed; a shorter interval brings the next sync forward."""
    if not event.feed_url:
        Event.objects.filter(pk=event.pk).update(next_sync_at=None)
        return
    if url_changed:
        Event.objects.filter(pk=event.pk).update(
            feed_etag="", feed_last_modified="", feed_digest="", sync_failures=0
        )
    if event.sync_paused:
        return
    if url_changed or resumed or not _scheduled(event):
        sync_soon(events=Event.objects.filter(pk=event.pk))
    elif interval_changed:
        from sessions.tasks import schedule_feed_syncs

        sooner = timezone.now() + dt.timedelta(minutes=event.sync_every)
        Event.objects.filter(pk=event.pk, next_sync_at__gt=sooner).update(next_sync_at=sooner)
        schedule_feed_syncs()


def _scheduled(event: Event) -> bool:
    return Event.objects.filter(pk=event.pk, next_sync_at__isnull=False).exists()


def set_paused(*, events: QuerySet[Event], paused: bool) -> int:
    """Pause or resume syncing; a resumed feed is synced right away."""
    with transaction.atomic():
        count = events.exclude(feed_url="").update(sync_paused=paused)
        if not paused:
            sync_soon(events=events)
    return count


def sync_soon(*, events: QuerySet[Event]) -> int:
    """Make the events' feeds due now and have the worker look; how many will sync."""
    from sessions.tasks import schedule_feed_syncs

    with transaction.atomic():
        count = events.exclude(feed_url="").update(next_sync_at=timezone.now(), sync_failures=0)
        # In the same transaction: the worker never runs before the rows are due.
        schedule_feed_syncs()
    return count


# --- The editors' email -------------------------------------------------------


def mail_editors(*, sync_id: int) -> bool:
    """Email the editors what one sync changed, once; whether it went out now."""
    with transaction.atomic():
        sync = (
            FeedSync.objects.select_for_update()
            .select_related("event")
            .filter(pk=sync_id, mailed_at__isnull=True, outcome=FeedSync.Outcome.CHANGED)
            .first()
        )
        if sync is None:
            return False
        _editors_email(sync).send()
        FeedSync.objects.filter(pk=sync.pk).update(mailed_at=timezone.now())
    return True


def _editors_email(sync: FeedSync) -> EmailMessage:
    event = sync.event
    sessions = sync.changes.get("sessions", {})
    groups = []
    for kind, heading in (
        ("created", "New sessions"),
        ("updated", "Sessions changed"),
        ("cancelled", "Sessions cancelled"),
    ):
        entries = sessions.get(kind, [])
        if entries:
            groups.append(
                {
                    "heading": f"{heading} ({len(entries)})",
                    "entries": entries[:MAIL_LIMIT],
                    "more": max(len(entries) - MAIL_LIMIT, 0),
                }
            )
    history = reverse("admin:conference_feedsync_changelist")
    body = render_to_string(
        "sessions/mail/feed_sync_changed.txt",
        {
            "sync": sync,
            "event": event,
            # Formatted here: the template would show it in the site's zone.
            "finished_at": dateformat.format(sync.finished_at.astimezone(event.tz), "D j M Y, H:i"),
            "groups": groups,
            "speakers": sync.changes.get("speakers_changed", []),
            "history_url": f"{settings.SITE_URL}{history}?event__id__exact={event.pk}",
        },
    )
    parts = [
        f"{sync.created} new" if sync.created else "",
        f"{sync.moved} moved" if sync.moved else "",
        f"{sync.re_roomed} re-roomed" if sync.re_roomed else "",
        f"{sync.cancelled} cancelled" if sync.cancelled else "",
    ]
    what = ", ".join(part for part in parts if part) or "changes"
    return EmailMessage(
        subject=f"{event.name}: the official schedule changed ({what})",
        body=body,
        to=settings.EDITORS_EMAIL,
    )
