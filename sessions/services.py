"""Writes to the conference programme. Views and the admin call these."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from .models import Event, Session, SessionSpeaker


def note_schedule_change(*, session: Session, changed_fields: Iterable[str]) -> bool:
    """Raise the session's calendar SEQUENCE when its time, room or status changed.

    Call after saving. Returns whether anything attendees' calendars show changed.
    """
    if not set(changed_fields) & set(Session.SCHEDULE_FIELDS):
        return False
    now = timezone.now()
    Session.objects.filter(pk=session.pk).update(
        sequence=F("sequence") + 1, schedule_changed_at=now
    )
    session.refresh_from_db(fields=["sequence", "schedule_changed_at"])
    return True


@transaction.atomic
def set_sessions_status(*, sessions: QuerySet[Session], status: str) -> int:
    """Publish, unpublish (back to draft) or cancel sessions; returns how many changed."""
    changing = list(sessions.exclude(status=status).values_list("pk", flat=True))
    now = timezone.now()
    Session.objects.filter(pk__in=changing).update(
        status=status, sequence=F("sequence") + 1, schedule_changed_at=now, updated_at=now
    )
    return len(changing)


@transaction.atomic
def set_events_published(*, events: QuerySet[Event], published: bool) -> int:
    """Publish or unpublish events; returns how many changed."""
    now = timezone.now()
    return events.exclude(is_published=published).update(is_published=published, updated_at=now)


def default_affiliations(*, appearances: Iterable[SessionSpeaker]) -> None:
    """An appearance with no company takes the speaker's current one."""
    for appearance in appearances:
        if appearance.company_id is None and appearance.speaker.company_id is not None:
            appearance.company_id = appearance.speaker.company_id
