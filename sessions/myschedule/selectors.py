"""Reads for personal schedules: what "My schedule", the feed and the toggles need."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field
from itertools import groupby, pairwise

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.sessions.backends.base import SessionBase
from django.db.models import Prefetch, Q
from django.http import HttpRequest

from sessions.days import conference_day
from sessions.models import Event, SavedSession, Session

# Key of the visitor's token in the browser session (a list of session ids,
# in sessions from before schedules were rows).
ANONYMOUS_KEY = "myschedule"
# Free time shorter than this is a walk between rooms, not a gap.
MIN_GAP = dt.timedelta(minutes=15)
# Plan B candidates shown for one clash: enough to choose from, few enough to scan.
ALTERNATIVES_PER_CLASH = 4
PLAN_A, PLAN_B = SavedSession.Plan.A, SavedSession.Plan.B


def legacy_ids(value) -> list[int]:
    """The session ids of a schedule kept as a list in the browser session (before rows)."""
    return [pk for pk in value if isinstance(pk, int)] if isinstance(value, list) else []


@dataclass(frozen=True)
class Pick:
    """How a session is saved: as plan A or B, and when its owner last looked at it."""

    plan: str = PLAN_A
    seen_at: dt.datetime | None = None


def saved_picks(
    *, user: AbstractBaseUser | None = None, store: SessionBase | None = None
) -> dict[int, Pick]:
    """An account's (`user`) or a visitor's (`store`) saved sessions, by session id,
    in the order they were saved. One query, or none for a visitor without a schedule."""
    if user is not None:
        rows = SavedSession.objects.filter(user=user).order_by("pk")
        return {
            session_id: Pick(plan=plan, seen_at=seen_at)
            for session_id, plan, seen_at in rows.values_list("session_id", "plan", "seen_at")
        }
    value = store.get(ANONYMOUS_KEY) if store is not None else None
    if not isinstance(value, str):
        return dict.fromkeys(legacy_ids(value), Pick())
    # A visitor has no "changed since you last looked" marks: no seen_at.
    rows = SavedSession.objects.filter(visitor__token=value).order_by("pk")
    return {
        session_id: Pick(plan=plan) for session_id, plan in rows.values_list("session_id", "plan")
    }


def anonymous_session_ids(store: SessionBase) -> list[int]:
    """The sessions a visitor saved, in the order they saved them."""
    return list(saved_picks(store=store))


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
    plan: str = PLAN_A
    changed: bool = False
    conflicts: list[Session] = field(default_factory=list)

    @property
    def starts_at(self) -> dt.datetime:
        return self.session.starts_at

    @property
    def ends_at(self) -> dt.datetime:
        return self.session.ends_at

    @property
    def is_backup(self) -> bool:
        return self.plan == PLAN_B


@dataclass
class Clash:
    """Saved sessions that overlap one another (linked by overlaps), and the
    unsaved sessions of the same slot sharing a theme with them: plan B candidates."""

    entries: list[Entry]
    alternatives: list[Session] = field(default_factory=list)

    @property
    def starts_at(self) -> dt.datetime:
        return min(entry.starts_at for entry in self.entries)

    @property
    def ends_at(self) -> dt.datetime:
        return max(entry.ends_at for entry in self.entries)

    @property
    def is_decided(self) -> bool:
        """No two plan A sessions overlap any more: the attendee has picked."""
        plan_a = [entry for entry in self.entries if not entry.is_backup]
        return bool(plan_a) and not any(
            _overlaps(a.session, b.session) for i, a in enumerate(plan_a) for b in plan_a[i + 1 :]
        )

    @property
    def theme_ids(self) -> set[int]:
        return {theme.pk for entry in self.entries for theme in entry.session.listed_themes}


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
    # Entries, clashes and the gaps between them, in time order.
    timeline: list[Entry | Clash | Gap]

    @property
    def entries(self) -> list[Entry]:
        entries: list[Entry] = []
        for item in self.timeline:
            if isinstance(item, Entry):
                entries.append(item)
            elif isinstance(item, Clash):
                entries.extend(item.entries)
        return entries

    @property
    def clashes(self) -> list[Clash]:
        return [item for item in self.timeline if isinstance(item, Clash)]


@dataclass
class MySchedule:
    event: Event
    days: list[Day]

    @property
    def entries(self) -> list[Entry]:
        return [entry for day in self.days for entry in day.entries]

    @property
    def clashes(self) -> list[Clash]:
        return [clash for day in self.days for clash in day.clashes]

    @property
    def conflict_count(self) -> int:
        return sum(1 for entry in self.entries if entry.conflicts)

    @property
    def undecided_count(self) -> int:
        return sum(1 for clash in self.clashes if not clash.is_decided)

    @property
    def changed_count(self) -> int:
        return sum(1 for entry in self.entries if entry.changed)

    @property
    def is_past(self) -> bool:
        """The event is over in its own zone: the page turns to "what you saved and missed"."""
        return dt.datetime.now(self.event.tz).date() > self.event.end_date

    @property
    def recordings(self) -> list[Session]:
        """Saved sessions with a video or slides, for after the event."""
        return [
            entry.session
            for entry in self.entries
            if entry.session.video_url or entry.session.slides_url
        ]


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


def _clashes(entries: list[Entry]) -> list[Clash]:
    """Group live entries linked by overlaps (sorted by start, a sweep suffices)."""
    clashes: list[Clash] = []
    group: list[Entry] = []
    group_end: dt.datetime | None = None
    for entry in sorted(entries, key=lambda e: (e.starts_at, e.session.pk)):
        if group and group_end is not None and entry.starts_at < group_end:
            group.append(entry)
            group_end = max(group_end, entry.ends_at)
            continue
        if len(group) > 1:
            clashes.append(Clash(entries=group))
        group, group_end = [entry], entry.ends_at
    if len(group) > 1:
        clashes.append(Clash(entries=group))
    return clashes


def _schedule(event: Event, entries: list[Entry]) -> MySchedule:
    live = [entry for entry in entries if not entry.session.is_cancelled]
    for entry in live:
        entry.conflicts = [
            other.session
            for other in live
            if other is not entry and _overlaps(entry.session, other.session)
        ]
    clash_of = {id(entry): clash for clash in _clashes(live) for entry in clash.entries}
    tz = event.tz
    days = []
    for date, day_entries in groupby(entries, key=lambda e: conference_day(e.starts_at, tz)):
        day_entries = list(day_entries)
        items: list[Entry | Clash | Gap] = []
        for entry in day_entries:
            clash = clash_of.get(id(entry))
            if clash is None:
                items.append(entry)
            elif clash.entries[0] is entry:
                items.append(clash)
        busy = _busy([entry.session for entry in day_entries])
        items += [
            Gap(starts_at=end, ends_at=next_start)
            for (_, end), (next_start, _) in pairwise(busy)
            if next_start - end >= MIN_GAP
        ]
        # A gap sorts before the entry that starts when it ends.
        timeline = sorted(items, key=lambda item: (item.starts_at, not isinstance(item, Gap)))
        days.append(Day(date=date, timeline=timeline))
    return MySchedule(event=event, days=days)


def my_agenda(
    *,
    picks: dict[int, Pick],
    event: Event | None = None,
    with_alternatives: bool = True,
) -> list[MySchedule]:
    """A personal schedule by event (in date order), then by conference day and time.

    `picks` comes from saved_picks(). Overlapping sessions are grouped as
    clashes (a suggestion, never a refusal), each with plan B candidates: the
    other sessions of the slot that share a theme with it. A fixed number of
    queries, however many sessions and events are saved.
    """
    sessions = Session.objects.public().filter(pk__in=list(picks))
    if event is not None:
        sessions = sessions.filter(event=event)
    sessions = sessions.for_listing().order_by("starts_at", "pk")
    by_event: dict[int, list[Entry]] = {}
    events: dict[int, Event] = {}
    for session in sessions:
        pick = picks[session.pk]
        changed = bool(
            pick.seen_at
            and session.schedule_changed_at
            and session.schedule_changed_at > pick.seen_at
        )
        events.setdefault(session.event_id, session.event)
        by_event.setdefault(session.event_id, []).append(
            Entry(session=session, plan=pick.plan, changed=changed)
        )
    ordered = sorted(events.values(), key=lambda e: (e.start_date, e.name, e.pk))
    schedules = [_schedule(event, by_event[event.pk]) for event in ordered]
    if with_alternatives:
        # Nothing to choose any more at an event that is over.
        _alternatives(
            clashes=[
                clash
                for schedule in schedules
                if not schedule.is_past
                for clash in schedule.clashes
            ],
            saved_ids=set(picks),
        )
    return schedules


def my_schedule(
    *, event: Event, picks: dict[int, Pick], with_alternatives: bool = True
) -> MySchedule:
    """One event's part of my_agenda(), empty if nothing of it is saved."""
    found = my_agenda(picks=picks, event=event, with_alternatives=with_alternatives)
    return found[0] if found else MySchedule(event=event, days=[])


def _alternatives(*, clashes: list[Clash], saved_ids: set[int]) -> None:
    """Fill clash.alternatives in one query for every clash of every event."""
    wanted = [clash for clash in clashes if clash.theme_ids]
    if not wanted:
        return
    slots = Q()
    for clash in wanted:
        slots |= Q(
            event_id=clash.entries[0].session.event_id,
            starts_at__lt=clash.ends_at,
            ends_at__gt=clash.starts_at,
            themes__in=clash.theme_ids,
        )
    candidates = list(
        Session.objects.published()
        .filter(slots)
        .exclude(pk__in=saved_ids)
        .distinct()
        # A candidate's line shows its time, title and room; its themes match it.
        .select_related("event", "room")
        .prefetch_related(Prefetch("themes", to_attr="_listed_themes"))
        .order_by("starts_at", "title", "pk")
    )
    for clash in wanted:
        event_id, themes = clash.entries[0].session.event_id, clash.theme_ids
        clash.alternatives = [
            candidate
            for candidate in candidates
            if candidate.event_id == event_id
            and candidate.starts_at < clash.ends_at
            and clash.starts_at < candidate.ends_at
            and themes & {theme.pk for theme in candidate.listed_themes}
        ][:ALTERNATIVES_PER_CLASH]


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


@dataclass
class Feed:
    sessions: list[Session]
    # Plan A session id -> the plan B sessions kept as its backups.
    backups: dict[int, list[Session]]


def feed(*, user: AbstractBaseUser) -> Feed:
    """What the calendar feed holds: every public session the user saved
    (cancelled ones included, so calendars show them cancelled) except the
    plan B backups of a plan A session that still takes place; those are named
    in their plan A's description instead."""
    picks = saved_picks(user=user)
    sessions = list(
        Session.objects.public()
        .filter(pk__in=list(picks))
        .for_listing()
        .order_by("starts_at", "pk")
    )
    plan_a = [s for s in sessions if picks[s.pk].plan == PLAN_A and not s.is_cancelled]
    backups: dict[int, list[Session]] = {}
    left_out: set[int] = set()
    for session in sessions:
        if picks[session.pk].plan != PLAN_B:
            continue
        covering = [a for a in plan_a if a.event_id == session.event_id and _overlaps(a, session)]
        if covering:
            left_out.add(session.pk)
        if session.is_cancelled:
            continue
        for a in covering:
            backups.setdefault(a.pk, []).append(session)
    return Feed(sessions=[s for s in sessions if s.pk not in left_out], backups=backups)
