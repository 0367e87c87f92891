"""Reads for personal schedules: what "My schedule", the feed and the toggles need."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field
from itertools import groupby, pairwise

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.sessions.backends.base import SessionBase
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.http import HttpRequest

from sessions.days import conference_day, day_bounds
from sessions.models import Event, SavedSession, Session

# Key of the visitor's token in the browser session (a list of session ids,
# in sessions from before schedules were rows).
ANONYMOUS_KEY = "myschedule"
# Free time shorter than this is a walk between rooms, not a gap.
MIN_GAP = dt.timedelta(minutes=15)
SUGGESTIONS_PER_SESSION = 3


def legacy_ids(value) -> list[int]:
    """The session ids of a schedule kept as a list in the browser session (before rows)."""
    return [pk for pk in value if isinstance(pk, int)] if isinstance(value, list) else []


def anonymous_session_ids(store: SessionBase) -> list[int]:
    """The sessions a visitor saved, in the order they saved them."""
    value = store.get(ANONYMOUS_KEY)
    if not isinstance(value, str):
        return legacy_ids(value)
    return list(
        SavedSession.objects.filter(visitor__token=value)
        .order_by("pk")
        .values_list("session_id", flat=True)
    )


def saved_session_ids(request: HttpRequest) -> set[int]:
    """Ids of the sessions the visitor has saved: one query for an account, none otherwise."""
    if request.user.is_authenticated:
        return set(
            SavedSession.objects.filter(user=request.user).values_list("session_id", flat=True)
        )
    return set(anonymous_session_ids(request.session))


@dataclass
class Entry:
    session: Session
    changed: bool = False
    conflicts: list[Session] = field(default_factory=list)
    suggestions: list[Session] = field(default_factory=list)

    @property
    def starts_at(self) -> dt.datetime:
        return self.session.starts_at


@dataclass
class Gap:
    starts_at: dt.datetime
    ends_at: dt.datetime

    @property
    def minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


@dataclass
class Day:
    date: dt.date
    # Entries and the gaps between them, in time order.
    timeline: list[Entry | Gap]

    @property
    def entries(self) -> list[Entry]:
        return [item for item in self.timeline if isinstance(item, Entry)]


@dataclass
class MySchedule:
    event: Event
    days: list[Day]

    @property
    def entries(self) -> list[Entry]:
        return [entry for day in self.days for entry in day.entries]

    @property
    def conflict_count(self) -> int:
        return sum(1 for entry in self.entries if entry.conflicts)

    @property
    def changed_count(self) -> int:
        return sum(1 for entry in self.entries if entry.changed)


def _saved_sessions(
    *, event: Event, user: AbstractBaseUser | None, session_ids: list[int]
) -> QuerySet[Session]:
    sessions = Session.objects.public().filter(event=event)
    if user is None:
        return sessions.filter(pk__in=session_ids).for_listing()
    seen_at = SavedSession.objects.filter(user=user, session=OuterRef("pk")).values("seen_at")
    return (
        sessions.filter(saved_by__user=user)
        .annotate(saved_seen_at=Subquery(seen_at[:1]))
        .for_listing()
    )


def _busy(sessions: list[Session]) -> list[tuple[dt.datetime, dt.datetime]]:
    """Merged time intervals taken by sessions that still take place."""
    merged: list[tuple[dt.datetime, dt.datetime]] = []
    for session in sorted(sessions, key=lambda s: s.starts_at):
        if session.is_cancelled:
            continue
        if merged and session.starts_at < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], session.ends_at))
        else:
            merged.append((session.starts_at, session.ends_at))
    return merged


def _overlaps(a: Session, b: Session) -> bool:
    return a.starts_at < b.ends_at and b.starts_at < a.ends_at


def my_schedule(
    *,
    event: Event,
    user: AbstractBaseUser | None = None,
    session_ids: list[int] | None = None,
    with_suggestions: bool = True,
) -> MySchedule:
    """An attendee's schedule for one event, by conference day.

    Pass `user` for an account's schedule or `session_ids` for an anonymous one.
    Overlapping sessions are flagged as conflicts (a suggestion, never a
    refusal) with other sessions of the same themes that fit the free time.
    A fixed number of queries, however many sessions are saved.
    """
    sessions = list(_saved_sessions(event=event, user=user, session_ids=session_ids or []))
    entries = []
    for session in sessions:
        seen_at = getattr(session, "saved_seen_at", None)
        changed = bool(
            seen_at and session.schedule_changed_at and session.schedule_changed_at > seen_at
        )
        entries.append(Entry(session=session, changed=changed))

    live = [entry for entry in entries if not entry.session.is_cancelled]
    for entry in live:
        entry.conflicts = [
            other.session
            for other in live
            if other is not entry and _overlaps(entry.session, other.session)
        ]
    if with_suggestions:
        _suggest(event=event, sessions=sessions, entries=[e for e in live if e.conflicts])

    tz = event.tz
    days = []
    for date, day_entries in groupby(entries, key=lambda e: conference_day(e.starts_at, tz)):
        day_entries = list(day_entries)
        timeline: list[Entry | Gap] = []
        busy = _busy([entry.session for entry in day_entries])
        gaps = [
            Gap(starts_at=end, ends_at=next_start)
            for (_, end), (next_start, _) in pairwise(busy)
            if next_start - end >= MIN_GAP
        ]
        items: list[Entry | Gap] = [*day_entries, *gaps]
        # A gap sorts before the entry that starts when it ends.
        timeline = sorted(items, key=lambda item: (item.starts_at, isinstance(item, Entry)))
        days.append(Day(date=date, timeline=timeline))
    return MySchedule(event=event, days=days)


def _suggest(*, event: Event, sessions: list[Session], entries: list[Entry]) -> None:
    """Fill entry.suggestions: unsaved sessions sharing a theme that clash with nothing saved."""
    if not entries:
        return
    theme_ids = {theme.pk for entry in entries for theme in entry.session.listed_themes}
    if not theme_ids:
        return
    tz = event.tz
    days = {conference_day(entry.starts_at, tz) for entry in entries}
    day_filter = Q()
    for day in days:
        start, end = day_bounds(day, tz)
        day_filter |= Q(starts_at__gte=start, starts_at__lt=end)
    candidates = (
        Session.objects.published()
        .filter(day_filter, event=event, themes__in=theme_ids)
        .exclude(pk__in=[session.pk for session in sessions])
        .distinct()
        .order_by("starts_at", "title")
        .select_related("room")
        .prefetch_related("themes")
    )
    busy = _busy(sessions)
    free = [
        candidate
        for candidate in candidates
        if not any(candidate.starts_at < end and start < candidate.ends_at for start, end in busy)
    ]
    for entry in entries:
        entry_themes = {theme.pk for theme in entry.session.listed_themes}
        day = conference_day(entry.starts_at, tz)
        entry.suggestions = [
            candidate
            for candidate in free
            if conference_day(candidate.starts_at, tz) == day
            and entry_themes & {theme.pk for theme in candidate.listed_themes}
        ][:SUGGESTIONS_PER_SESSION]


def removable_session(*, session_id: int) -> Session | None:
    """A session to take off a schedule, or None if there is no such session.

    Any status: a session unpublished after it was saved can still be removed.
    """
    return Session.objects.select_related("event").filter(pk=session_id).first()


def _owner_by_token(field: str, token: str, **conditions) -> AbstractBaseUser | None:
    owner = get_user_model().objects.filter(**{field: token}, **conditions).first()
    # Compared again in constant time: whatever the database's collation matched.
    if owner is None or not secrets.compare_digest(getattr(owner, field), token):
        return None
    return owner


def shared_schedule_owner(*, token: str) -> AbstractBaseUser | None:
    """Whose schedule a share link shows; None if the link is wrong or sharing is off."""
    return _owner_by_token("share_token", token, share_enabled=True)


def calendar_owner(*, token: str) -> AbstractBaseUser | None:
    """Whose saved sessions a calendar feed address lists; None if it is wrong or replaced."""
    return _owner_by_token("calendar_token", token)


def feed_sessions(*, user: AbstractBaseUser) -> QuerySet[Session]:
    """Every public session the user saved, cancelled ones included, for the calendar feed."""
    return (
        Session.objects.public()
        .filter(saved_by__user=user)
        .for_listing()
        .order_by("starts_at", "pk")
    )


def saved_events(*, user: AbstractBaseUser | None, session_ids: list[int]) -> list[Event]:
    """Published events with sessions in the schedule, with how many each."""
    sessions = Session.objects.public()
    if user is None:
        sessions = sessions.filter(pk__in=session_ids)
    else:
        sessions = sessions.filter(saved_by__user=user)
    return list(
        Event.objects.published()
        .annotate(saved_count=Count("sessions", filter=Q(sessions__in=sessions)))
        .filter(saved_count__gt=0)
        .order_by("start_date", "name")
    )
