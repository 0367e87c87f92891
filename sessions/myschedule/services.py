"""Writes to personal schedules ("my schedule").

Every schedule is SavedSession rows: a signed-in attendee's belong to the
account; an anonymous visitor's to a Visitor whose token is kept in their
browser session, and they are merged into the account when the visitor signs
up or signs in. Rows, not a list in the session, so that quick taps on several
"Add" buttons (concurrent requests) all land.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.sessions.backends.base import SessionBase
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from confguide.timezones import validate_time_zone
from sessions.models import Event, SavedSession, Session, Visitor
from sessions.myschedule.selectors import ANONYMOUS_KEY, legacy_ids, saved_picks

UNKNOWN_MESSAGE = "That session is not in the published programme, so it cannot be saved."
CANCELLED_MESSAGE = "That session has been cancelled, so it cannot be added to a schedule."


def addable_session(*, session_id: int) -> Session:
    """The published session a visitor may add, or a ValidationError saying why not.

    Drafts are reported as unknown: whether a draft exists is the editors' business.
    """
    session = Session.objects.public().select_related("event").filter(pk=session_id).first()
    if session is None:
        raise ValidationError(UNKNOWN_MESSAGE, code="unknown")
    if session.is_cancelled:
        raise ValidationError(CANCELLED_MESSAGE, code="cancelled")
    return session


def add_session(*, user: AbstractBaseUser, session: Session) -> bool:
    """Save a session for the user; returns whether a row was created.

    Two concurrent requests may both try to insert: the unique constraint lets
    one win, and the other's IntegrityError means the session is saved, which
    is what both asked for.
    """
    if session.status != Session.Status.PUBLISHED or not session.event.is_published:
        raise ValidationError(UNKNOWN_MESSAGE, code="unknown")
    saved = SavedSession(user=user, session=session)
    saved.full_clean(validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            saved.save()
    except IntegrityError:
        return False
    return True


def remove_session(*, user: AbstractBaseUser, session_id: int) -> bool:
    """Take a session off the user's schedule; returns whether it was there."""
    deleted, _ = SavedSession.objects.filter(user=user, session_id=session_id).delete()
    return deleted > 0


def _save_rows(
    *, user: AbstractBaseUser, session_ids: Iterable[int], plans: dict[int, str] | None = None
) -> int:
    session_ids = set(session_ids)
    plans = plans or {}
    already = set(
        SavedSession.objects.filter(user=user, session_id__in=session_ids).values_list(
            "session_id", flat=True
        )
    )
    new_rows = [
        SavedSession(user=user, session_id=pk, plan=plans.get(pk, SavedSession.Plan.A))
        for pk in sorted(session_ids - already)
    ]
    # ignore_conflicts: a concurrent add of the same session is not an error.
    SavedSession.objects.bulk_create(new_rows, ignore_conflicts=True)
    return len(new_rows)


@transaction.atomic
def add_sessions(*, user: AbstractBaseUser, sessions: Iterable[Session]) -> int:
    """Save several sessions at once ("Add all of these"); returns how many were new.

    Only published sessions are saved; drafts and cancelled ones are skipped.
    """
    ids = [session.pk for session in sessions]
    addable = Session.objects.published().filter(pk__in=ids).values_list("pk", flat=True)
    return _save_rows(user=user, session_ids=addable)


# --- Anonymous visitors: rows owned by the token in the browser session -----


def _visitor(store: SessionBase, *, create: bool) -> Visitor | None:
    """The visitor whose token this browser session holds; made on the first write."""
    value = store.get(ANONYMOUS_KEY)
    if isinstance(value, str):
        visitor = Visitor.objects.filter(token=value).first()
        if visitor is not None or not create:
            return visitor
    elif not create:
        return None
    visitor = Visitor.objects.create()
    # While visitors keep schedules, the worker clears out unused ones daily.
    from sessions.tasks import schedule_expiry

    schedule_expiry()
    # A schedule kept as a list in the session before it was rows moves over.
    legacy = Session.objects.public().filter(pk__in=legacy_ids(value)).values_list("pk", flat=True)
    SavedSession.objects.bulk_create(
        [SavedSession(visitor=visitor, session_id=pk) for pk in legacy], ignore_conflicts=True
    )
    store[ANONYMOUS_KEY] = visitor.token
    return visitor


def _used(visitor: Visitor) -> None:
    Visitor.objects.filter(pk=visitor.pk).update(last_used_at=timezone.now())


def add_session_anonymously(*, store: SessionBase, session: Session) -> bool:
    """Save a session for the browser's visitor; returns whether a row was created."""
    if session.status != Session.Status.PUBLISHED or not session.event.is_published:
        raise ValidationError(UNKNOWN_MESSAGE, code="unknown")
    with transaction.atomic():
        visitor = _visitor(store, create=True)
        _used(visitor)
    try:
        with transaction.atomic():
            SavedSession.objects.create(visitor=visitor, session=session)
    except IntegrityError:  # saved already, maybe by a concurrent tap: what was asked for
        return False
    return True


def remove_session_anonymously(*, store: SessionBase, session_id: int) -> bool:
    visitor = _visitor(store, create=isinstance(store.get(ANONYMOUS_KEY), list))
    if visitor is None:
        return False
    _used(visitor)
    deleted, _ = SavedSession.objects.filter(visitor=visitor, session_id=session_id).delete()
    return deleted > 0


@transaction.atomic
def add_sessions_anonymously(*, store: SessionBase, sessions: Iterable[Session]) -> int:
    wanted = [session.pk for session in sessions]
    addable = set(Session.objects.published().filter(pk__in=wanted).values_list("pk", flat=True))
    if not addable:
        return 0
    visitor = _visitor(store, create=True)
    _used(visitor)
    already = set(
        SavedSession.objects.filter(visitor=visitor, session_id__in=addable).values_list(
            "session_id", flat=True
        )
    )
    new_ids = [pk for pk in dict.fromkeys(wanted) if pk in addable and pk not in already]
    SavedSession.objects.bulk_create(
        [SavedSession(visitor=visitor, session_id=pk) for pk in new_ids], ignore_conflicts=True
    )
    return len(new_ids)


def expire_anonymous_schedules(*, unused_for: dt.timedelta) -> int:
    """Delete visitors' schedules nobody used for this long; returns how many."""
    stale = Visitor.objects.filter(last_used_at__lt=timezone.now() - unused_for)
    _, by_model = stale.delete()
    return by_model.get(Visitor._meta.label, 0)


def add_sessions_for_visitor(*, request: HttpRequest, sessions: Iterable[Session]) -> int:
    """Add several sessions to whoever is asking: an account, or the browser session."""
    if request.user.is_authenticated:
        return add_sessions(user=request.user, sessions=sessions)
    return add_sessions_anonymously(store=request.session, sessions=sessions)


@transaction.atomic
def merge_anonymous_schedule(*, user: AbstractBaseUser, store: SessionBase) -> int:
    """Move the browser session's schedule into the account; returns how many were new.

    Called on every sign-in, right after login() (see receivers.py). Sessions
    cancelled since they were saved are kept (they show as cancelled); only
    those no longer public are dropped.
    """
    picks = saved_picks(store=store)
    if ANONYMOUS_KEY not in store:
        return 0
    public_ids = Session.objects.public().filter(pk__in=list(picks)).values_list("pk", flat=True)
    # The visitor's plan A / plan B choices come along; where the account had
    # the session already, its own choice stands.
    added = _save_rows(
        user=user,
        session_ids=public_ids,
        plans={pk: pick.plan for pk, pick in picks.items()},
    )
    Visitor.objects.filter(token=store[ANONYMOUS_KEY]).delete()
    del store[ANONYMOUS_KEY]
    return added


# --- Plan A and plan B -------------------------------------------------------

NOT_SAVED_MESSAGE = "That session is not in your schedule."


def _owned_rows(
    *, user: AbstractBaseUser | None, store: SessionBase | None
) -> QuerySet[SavedSession]:
    """The asker's own saved sessions: an account's, or the browser's visitor's."""
    if user is not None:
        return SavedSession.objects.filter(user=user)
    token = store.get(ANONYMOUS_KEY) if store is not None else None
    if not isinstance(token, str):
        return SavedSession.objects.none()
    return SavedSession.objects.filter(visitor__token=token)


@transaction.atomic
def choose_plan_a(
    *, user: AbstractBaseUser | None = None, store: SessionBase | None = None, session_id: int
) -> tuple[Session, list[Session]]:
    """Make a saved session plan A and every saved session of its event overlapping it plan B.

    Returns the session and its new backups. Only the asker's own rows are
    looked at: another attendee's session id is "not in your schedule".
    """
    rows = _owned_rows(user=user, store=store)
    chosen = (
        rows.select_for_update()
        .select_related("session")
        .filter(session_id=session_id, session__in=Session.objects.public())
        .first()
    )
    if chosen is None:
        raise ValidationError(NOT_SAVED_MESSAGE, code="unknown")
    session = chosen.session
    if session.is_cancelled:
        raise ValidationError(
            "That session has been cancelled, so it cannot be plan A.", code="cancelled"
        )
    # The same event's, as on the agenda, where each event's days are apart.
    overlapping = (
        rows.filter(
            session__event_id=session.event_id,
            session__starts_at__lt=session.ends_at,
            session__ends_at__gt=session.starts_at,
        )
        .exclude(pk=chosen.pk)
        .exclude(session__status=Session.Status.CANCELLED)
    )
    backups = list(
        Session.objects.filter(pk__in=overlapping.values("session_id")).order_by("starts_at")
    )
    overlapping.update(plan=SavedSession.Plan.B)
    if chosen.plan != SavedSession.Plan.A:
        chosen.plan = SavedSession.Plan.A
        chosen.save(update_fields=["plan"])
    return session, backups


def keep_as_backup(
    *, user: AbstractBaseUser | None = None, store: SessionBase | None = None, session_id: int
) -> Session:
    """Save a session as plan B (a backup), or turn a saved one into a backup."""
    session = addable_session(session_id=session_id)
    if user is not None:
        add_session(user=user, session=session)
    else:
        add_session_anonymously(store=store, session=session)
    _owned_rows(user=user, store=store).filter(session=session).update(plan=SavedSession.Plan.B)
    return session


# --- Changes, calendar feed and share link ----------------------------------


def mark_changes_seen(*, user: AbstractBaseUser, event: Event) -> int:
    """The attendee has seen their schedule for an event as it is now."""
    return SavedSession.objects.filter(user=user, session__event=event).update(
        seen_at=timezone.now()
    )


def _new_token() -> str:
    # 32 bytes from the OS's CSPRNG: 43 URL-safe characters, unguessable.
    return secrets.token_urlsafe(32)


def regenerate_calendar_token(*, user: AbstractBaseUser) -> str:
    """A new feed address; the old one stops working at once."""
    user.calendar_token = _new_token()
    user.save(update_fields=["calendar_token"])
    return user.calendar_token


def set_sharing(*, user: AbstractBaseUser, enabled: bool) -> None:
    """Turn the public read-only share link on or off.

    Turning it on again after it was off gives a new link, so a link handed
    out before is not revived by accident.
    """
    if enabled and not user.share_enabled:
        user.share_token = _new_token()
    user.share_enabled = enabled
    user.save(update_fields=["share_token", "share_enabled"])


def set_time_zone(*, user: AbstractBaseUser, time_zone: str) -> None:
    """Remember the attendee's zone ("" to follow the event's zone only)."""
    if time_zone:
        validate_time_zone(time_zone)
    user.time_zone = time_zone
    user.save(update_fields=["time_zone"])
