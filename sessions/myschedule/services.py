"""Writes to personal schedules ("my schedule").

Signed-in attendees keep their schedule in SavedSession rows; anonymous
visitors keep a list of session ids in their browser session, which is merged
into their account when they sign up or sign in.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.sessions.backends.base import SessionBase
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from ..models import Event, SavedSession, Session
from ..validators import validate_time_zone

# Key of the anonymous schedule in the browser session.
ANONYMOUS_KEY = "myschedule"

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


def _save_rows(*, user: AbstractBaseUser, session_ids: Iterable[int]) -> int:
    session_ids = set(session_ids)
    already = set(
        SavedSession.objects.filter(user=user, session_id__in=session_ids).values_list(
            "session_id", flat=True
        )
    )
    new_rows = [SavedSession(user=user, session_id=pk) for pk in sorted(session_ids - already)]
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


# --- Anonymous visitors: the schedule lives in the browser session ----------


def anonymous_session_ids(store: SessionBase) -> list[int]:
    value = store.get(ANONYMOUS_KEY, [])
    # The session is signed, but stay strict about what comes back out of it.
    return [pk for pk in value if isinstance(pk, int)] if isinstance(value, list) else []


def add_session_anonymously(*, store: SessionBase, session: Session) -> bool:
    if session.status != Session.Status.PUBLISHED or not session.event.is_published:
        raise ValidationError(UNKNOWN_MESSAGE, code="unknown")
    ids = anonymous_session_ids(store)
    if session.pk in ids:
        return False
    store[ANONYMOUS_KEY] = [*ids, session.pk]
    return True


def remove_session_anonymously(*, store: SessionBase, session_id: int) -> bool:
    ids = anonymous_session_ids(store)
    if session_id not in ids:
        return False
    store[ANONYMOUS_KEY] = [pk for pk in ids if pk != session_id]
    return True


def add_sessions_anonymously(*, store: SessionBase, sessions: Iterable[Session]) -> int:
    ids = anonymous_session_ids(store)
    wanted = [session.pk for session in sessions]
    addable = set(Session.objects.published().filter(pk__in=wanted).values_list("pk", flat=True))
    new_ids = [pk for pk in dict.fromkeys(wanted) if pk in addable and pk not in ids]
    if new_ids:
        store[ANONYMOUS_KEY] = [*ids, *new_ids]
    return len(new_ids)


def add_sessions_for_visitor(*, request: HttpRequest, sessions: Iterable[Session]) -> int:
    """Add several sessions to whoever is asking: an account, or the browser session."""
    if request.user.is_authenticated:
        return add_sessions(user=request.user, sessions=sessions)
    return add_sessions_anonymously(store=request.session, sessions=sessions)


@transaction.atomic
def merge_anonymous_schedule(*, user: AbstractBaseUser, store: SessionBase) -> int:
    """Move the browser session's schedule into the account; returns how many were new.

    Called by the sign-in and sign-up views right after login(). Sessions
    cancelled since they were saved are kept (they show as cancelled); only
    those no longer public are dropped.
    """
    ids = anonymous_session_ids(store)
    if not ids:
        return 0
    public_ids = Session.objects.public().filter(pk__in=ids).values_list("pk", flat=True)
    added = _save_rows(user=user, session_ids=public_ids)
    del store[ANONYMOUS_KEY]
    return added


# --- Changes, calendar feed and share link ----------------------------------


def mark_changes_seen(*, user: AbstractBaseUser, event: Event) -> int:
    """The attendee has seen their schedule for an event as it is now."""
    return SavedSession.objects.filter(user=user, session__event=event).update(
        seen_at=timezone.now()
    )


def _new_token() -> str:
    # 32 bytes from the OS's CSPRNG: 43 URL-safe characters, unguessable.
    return secrets.token_urlsafe(32)


def ensure_calendar_token(*, user: AbstractBaseUser) -> str:
    if not user.calendar_token:
        user.calendar_token = _new_token()
        user.save(update_fields=["calendar_token"])
    return user.calendar_token


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
