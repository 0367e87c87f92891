"""Writes to the conference programme. Views and the admin call these."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.text import slugify

from sessions import content
from sessions.models import (
    ChangeNotice,
    Company,
    Event,
    SavedSession,
    ScheduleChange,
    Session,
    SessionSpeaker,
    SessionTheme,
    Speaker,
)


def unique_slug(base: str, taken: set[str], *, fallback: str, max_length: int) -> str:
    """A slug of `base` that is not in `taken`, numbered -2, -3... if it has to be.

    The slug is added to `taken`. It leaves room for the number within
    max_length; a base with nothing to make a slug of gives `fallback`.
    """
    stem = (slugify(base) or fallback)[: max_length - 6].strip("-") or fallback
    slug, number = stem, 2
    while slug in taken:
        slug, number = f"{stem}-{number}", number + 1
    taken.add(slug)
    return slug


@dataclass(frozen=True)
class ScheduleSlot:
    """Where and when a session is, as attendees are told: its times, room name and status."""

    starts_at: dt.datetime
    ends_at: dt.datetime
    room: str
    status: str


def schedule_slot(*, session_id: int) -> ScheduleSlot | None:
    """Where and when the session is as saved now (None if it is not saved)."""
    row = (
        Session.objects.filter(pk=session_id)
        .values("starts_at", "ends_at", "room__name", "status")
        .first()
    )
    if row is None:
        return None
    return ScheduleSlot(
        starts_at=row["starts_at"],
        ends_at=row["ends_at"],
        room=row["room__name"] or "",
        status=row["status"],
    )


def schedule_changes(
    *, session_id: int, before: ScheduleSlot, after: ScheduleSlot, at: dt.datetime
) -> list[ScheduleChange]:
    """What attendees are told about a session that went from `before` to `after` (unsaved).

    A move, a new room, a cancellation or a return to the programme; publishing
    or unpublishing a draft is the editors' business and tells nobody anything.
    """
    found = []
    if (before.starts_at, before.ends_at) != (after.starts_at, after.ends_at):
        found.append(
            ScheduleChange(
                what=ScheduleChange.What.TIME,
                old_starts_at=before.starts_at,
                old_ends_at=before.ends_at,
                new_starts_at=after.starts_at,
                new_ends_at=after.ends_at,
            )
        )
    if before.room != after.room:
        found.append(
            ScheduleChange(
                what=ScheduleChange.What.ROOM, old_value=before.room, new_value=after.room
            )
        )
    cancelled = Session.Status.CANCELLED
    if before.status != after.status and cancelled in (before.status, after.status):
        found.append(
            ScheduleChange(
                what=ScheduleChange.What.STATUS, old_value=before.status, new_value=after.status
            )
        )
    for change in found:
        change.session_id, change.changed_at = session_id, at
    return found


def record_schedule_changes(*, changes: Iterable[ScheduleChange]) -> int:
    """Log schedule changes, and owe each to the attendees who asked to be emailed about it.

    Only attendees with the session in their schedule (plan A or B), and only
    for published events' sessions that are not drafts. Two queries and two
    inserts, however many changes and attendees. Returns how many notices.
    """
    changes = ScheduleChange.objects.bulk_create(list(changes))
    if not changes:
        return 0
    watchers: dict[int, list[int]] = {}
    for user_id, session_id in (
        SavedSession.objects.filter(
            session_id__in={change.session_id for change in changes},
            user__schedule_alerts__enabled=True,
            session__event__is_published=True,
        )
        .exclude(session__status=Session.Status.DRAFT)
        .values_list("user_id", "session_id")
    ):
        watchers.setdefault(session_id, []).append(user_id)
    notices = ChangeNotice.objects.bulk_create(
        [
            ChangeNotice(user_id=user_id, change=change)
            for change in changes
            for user_id in watchers.get(change.session_id, ())
        ]
    )
    return len(notices)


def note_schedule_change(
    *, session: Session, changed_fields: Iterable[str], before: ScheduleSlot | None = None
) -> bool:
    """Raise the session's calendar SEQUENCE when its time, room or status changed.

    Call after saving. Given where the session was `before`, the change is
    also logged for attendees' change emails. Returns whether anything
    attendees' calendars show changed.
    """
    if not set(changed_fields) & set(Session.SCHEDULE_FIELDS):
        return False
    now = timezone.now()
    with transaction.atomic():
        Session.objects.filter(pk=session.pk).update(
            sequence=F("sequence") + 1, schedule_changed_at=now
        )
        if before is not None:
            after = ScheduleSlot(
                starts_at=session.starts_at,
                ends_at=session.ends_at,
                room=session.room.name if session.room_id else "",
                status=session.status,
            )
            record_schedule_changes(
                changes=schedule_changes(session_id=session.pk, before=before, after=after, at=now)
            )
    session.refresh_from_db(fields=["sequence", "schedule_changed_at"])
    return True


@transaction.atomic
def set_sessions_status(*, sessions: QuerySet[Session], status: str) -> int:
    """Publish, unpublish (back to draft) or cancel sessions; returns how many changed."""
    changing = {
        pk: (event_id, old_status)
        for pk, event_id, old_status in sessions.exclude(status=status).values_list(
            "pk", "event_id", "status"
        )
    }
    now = timezone.now()
    Session.objects.filter(pk__in=changing).update(
        status=status, sequence=F("sequence") + 1, schedule_changed_at=now, updated_at=now
    )
    if Session.Status.CANCELLED in {status, *(old for _, old in changing.values())}:
        record_schedule_changes(
            changes=[
                ScheduleChange(
                    session_id=pk,
                    what=ScheduleChange.What.STATUS,
                    old_value=old_status,
                    new_value=status,
                    changed_at=now,
                )
                for pk, (_, old_status) in changing.items()
                if Session.Status.CANCELLED in (status, old_status)
            ]
        )
    content.programme_changed([event_id for event_id, _ in changing.values()])
    return len(changing)


@transaction.atomic
def set_events_published(*, events: QuerySet[Event], published: bool) -> int:
    """Publish or unpublish events; returns how many changed."""
    changing = list(events.exclude(is_published=published).values_list("pk", flat=True))
    Event.objects.filter(pk__in=changing).update(is_published=published)
    content.programme_changed(changing)
    return len(changing)


def default_affiliations(*, appearances: Iterable[SessionSpeaker]) -> None:
    """An appearance with no company takes the speaker's current one."""
    for appearance in appearances:
        if appearance.company_id is None and appearance.speaker.company_id is not None:
            appearance.company_id = appearance.speaker.company_id


@content.batch()
def set_session_themes(
    *,
    session: Session,
    by_hand: Iterable[SessionTheme],
    to_rules: Iterable[SessionTheme],
    removed: Iterable[SessionTheme],
    editor,
) -> None:
    """An editor's changes to a session's themes (sessions.theming keeps to them).

    `by_hand`: themes they add, change or keep by hand: theirs from now, which
    rules never remove. `to_rules`: themes they hand back to the rules, which
    keep them while one of the theme's rules matches. `removed`: gone.
    """
    by_hand, to_rules, removed = list(by_hand), list(to_rules), list(removed)
    now = timezone.now()
    for link in removed:
        link.delete()
    for link in by_hand:
        link.source, link.rule = SessionTheme.Source.HAND, None
        link.set_by, link.set_at = editor, now
        link.save()
    for link in to_rules:
        link.source = SessionTheme.Source.RULE
        link.set_by, link.set_at = None, now
        link.save()
    if by_hand or to_rules or removed:
        # Row saves send no m2m_changed: say so here. Themes are in no search document.
        content.programme_changed([session.event_id], session_ids=())


def _fill_blanks(*, keep, duplicates, fields: Iterable[str]) -> list[str]:
    filled = []
    for name in fields:
        if getattr(keep, name):
            continue
        for duplicate in duplicates:
            if getattr(duplicate, name):
                setattr(keep, name, getattr(duplicate, name))
                filled.append(name)
                break
    return filled


@content.batch()
def merge_speakers(*, keep: Speaker, duplicates: Iterable[Speaker]) -> int:
    """Fold duplicate speakers into `keep`: their sessions move over, then they go.

    Blank profile fields of `keep` are filled from the duplicates. A session
    that listed both keeps one appearance. Returns how many were merged.
    """
    duplicates = [d for d in duplicates if d.pk != keep.pk]
    if not duplicates:
        return 0
    ids = [d.pk for d in duplicates]
    content.programme_changed(content.events_showing_speakers([keep.pk, *ids]))
    already = set(SessionSpeaker.objects.filter(speaker=keep).values_list("session_id", flat=True))
    moving = SessionSpeaker.objects.filter(speaker_id__in=ids)
    # One appearance per session: drop the duplicate's where `keep` is listed
    # or where two duplicates shared a session.
    seen = set(already)
    drop = []
    for appearance in moving.order_by("session_id", "order", "pk"):
        if appearance.session_id in seen:
            drop.append(appearance.pk)
        seen.add(appearance.session_id)
    SessionSpeaker.objects.filter(pk__in=drop).delete()
    SessionSpeaker.objects.filter(speaker_id__in=ids).update(speaker=keep)
    filled = _fill_blanks(
        keep=keep,
        duplicates=duplicates,
        fields=(
            "company",
            "job_title",
            "bio",
            "photo",
            "website_url",
            "github_url",
            "linkedin_url",
            "social_url",
        ),
    )
    if filled:
        keep.save(update_fields=[*filled, "updated_at"])
    Speaker.objects.filter(pk__in=ids).delete()
    return len(ids)


@content.batch()
def merge_companies(*, keep: Company, duplicates: Iterable[Company]) -> int:
    """Fold duplicate companies into `keep`: speakers and affiliations move over."""
    duplicates = [d for d in duplicates if d.pk != keep.pk]
    if not duplicates:
        return 0
    ids = [d.pk for d in duplicates]
    content.programme_changed(content.events_showing_companies([keep.pk, *ids]))
    Speaker.objects.filter(company_id__in=ids).update(company=keep, updated_at=timezone.now())
    SessionSpeaker.objects.filter(company_id__in=ids).update(company=keep)
    filled = _fill_blanks(
        keep=keep, duplicates=duplicates, fields=("website_url", "logo", "description")
    )
    if filled:
        keep.save(update_fields=[*filled, "updated_at"])
    Company.objects.filter(pk__in=ids).delete()
    return len(ids)


@content.batch()
def set_companies_kind(*, companies: QuerySet[Company], kind: str) -> int:
    """Give the companies one kind (Company.Kind); returns how many changed.

    The kind shows beside the company on session cards and narrows the
    schedule's filters, so the events where they appear are bumped.
    """
    if kind not in Company.Kind.values:
        raise ValueError(f"{kind!r} is not a company kind")
    changing = list(companies.exclude(kind=kind).values_list("pk", flat=True))
    if not changing:
        return 0
    Company.objects.filter(pk__in=changing).update(kind=kind, updated_at=timezone.now())
    # No search document holds the kind: only the pages move.
    content.programme_changed(content.events_showing_companies(changing), session_ids=())
    return len(changing)


@content.batch()
def set_sessions_sponsored(*, sessions: QuerySet[Session], sponsored: bool) -> int:
    """Mark sessions as sponsored (or not); returns how many changed."""
    changing = dict(
        sessions.exclude(is_sponsored=sponsored).values_list("pk", "event_id").order_by()
    )
    if not changing:
        return 0
    Session.objects.filter(pk__in=changing).update(
        is_sponsored=sponsored, updated_at=timezone.now()
    )
    content.programme_changed(set(changing.values()), session_ids=())
    return len(changing)
