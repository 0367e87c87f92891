"""The programme's content version: "what this event shows has changed".

Every page and export of an event is cached, and answers conditional GETs,
under its event's `content_version`. This module is the one place that moves
it. Admin saves and deletes reach it through the signals below; bulk writes
(imports, merges, status actions), which send no signals, call
`programme_changed()` themselves and wrap their work in `batch()` so that a
thousand rows cost one bump, not a thousand.

Pages that span events (speakers, companies, themes, the home page) key on
`site_version()`, which moves whenever any event's version does.

Recording a change also refreshes the stored search documents of the sessions
it touched (sessions.search.documents), so every write path that keeps pages
fresh keeps search fresh too.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import F, Q
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from sessions.models import Company, Event, Room, Session, SessionSpeaker, Speaker, Theme
from sessions.search.documents import refresh_search_vectors


@dataclass
class _Changes:
    """What a batch has changed so far: events to bump, search documents to refresh."""

    events: set[int] = field(default_factory=set)
    # Events whose every session's document is refreshed, and single sessions.
    searched_events: set[int] = field(default_factory=set)
    searched_sessions: set[int] = field(default_factory=set)


# The changes waiting for the end of the outermost batch(); None outside a batch.
_pending: ContextVar[_Changes | None] = ContextVar("programme_pending", default=None)


def programme_changed(
    event_ids: Iterable[int | None], *, session_ids: Iterable[int] | None = None
) -> None:
    """Bump the content version (and updated_at) of these events.

    Also refreshes search documents: of `session_ids` when the caller knows
    which sessions changed (empty for a change no document holds, such as a
    theme), otherwise of every session of the events. Inside `batch()` the work
    waits for the batch's end; outside, it happens now.
    """
    ids = {pk for pk in event_ids if pk is not None}
    if not ids:
        return
    changes = _pending.get()
    if changes is None:
        changes = _Changes()
        _record(changes, ids, session_ids)
        _apply(changes)
        return
    _record(changes, ids, session_ids)


def _record(changes: _Changes, ids: set[int], session_ids: Iterable[int] | None) -> None:
    changes.events |= ids
    if session_ids is None:
        changes.searched_events |= ids
    else:
        changes.searched_sessions.update(session_ids)


def _apply(changes: _Changes) -> None:
    if not changes.events:
        return
    Event.objects.filter(pk__in=changes.events).update(
        content_version=F("content_version") + 1, updated_at=timezone.now()
    )
    refresh_search_vectors(event_ids=changes.searched_events, session_ids=changes.searched_sessions)


@contextlib.contextmanager
def batch() -> Iterator[None]:
    """Collect the bumps of a bulk write and make them once, atomically with it."""
    if _pending.get() is not None:  # already inside a batch: the outer one bumps
        yield
        return
    token = _pending.set(_Changes())
    try:
        with transaction.atomic():
            yield
            changes = _pending.get()
            _pending.set(None)
            _apply(changes)
    finally:
        _pending.reset(token)


def events_showing_theme(theme_ids: Iterable[int]) -> set[int]:
    return set(
        Session.objects.filter(themes__in=list(theme_ids)).values_list("event_id", flat=True)
    )


def events_showing_speakers(speaker_ids: Iterable[int]) -> set[int]:
    return set(
        SessionSpeaker.objects.filter(speaker_id__in=list(speaker_ids)).values_list(
            "session__event_id", flat=True
        )
    )


def events_showing_companies(company_ids: Iterable[int]) -> set[int]:
    ids = list(company_ids)
    return set(
        SessionSpeaker.objects.filter(
            Q(company_id__in=ids) | Q(speaker__company_id__in=ids)
        ).values_list("session__event_id", flat=True)
    )


@dataclass(frozen=True)
class SiteVersion:
    token: str
    changed_at: dt.datetime | None


def site_version() -> SiteVersion:
    """A fingerprint of every event's content, for pages that span events.

    Any bump raises the latest updated_at; a deleted event lowers the count.
    Read on every request for those pages, so it is one plain SELECT: the ORM's
    query building for the aggregate cost more than the query itself.
    """
    with connection.cursor() as cursor:
        cursor.execute(_site_version_sql())
        count, versions, latest = cursor.fetchone()
    if isinstance(latest, str):  # SQLite gives an aggregate of datetimes as text
        latest = parse_datetime(latest)
    if latest is not None and timezone.is_naive(latest):
        latest = timezone.make_aware(latest, dt.UTC)
    token = hashlib.blake2b(f"{count}|{versions}|{latest}".encode(), digest_size=8).hexdigest()
    return SiteVersion(token, latest)


@functools.cache
def _site_version_sql() -> str:
    version, updated = (
        Event._meta.get_field(name).column for name in ("content_version", "updated_at")
    )
    return f"SELECT COUNT(*), SUM({version}), MAX({updated}) FROM {Event._meta.db_table}"


# --- What admin saves and deletes change -------------------------------------

# A save that changes only these shows nowhere, so it moves no version: an
# admin form saved with nothing edited, say. Exports' <version> and ETags follow
# the content version, and apps re-fetch (pretalx-downstream even releases a
# new version) whenever it moves.
_UNSHOWN_FIELDS = {"created_at", "updated_at", "content_version", "search_vector"}
_EDITABLE = (Event, Session, Room, Theme, Speaker, Company)


def _shown_columns(model) -> list[str]:
    return [
        field.attname
        for field in model._meta.concrete_fields
        if not field.primary_key and field.name not in _UNSHOWN_FIELDS
    ]


def _remember_stored(sender, instance, raw: bool = False, **kwargs) -> None:
    """Keep what the row holds before an update, to tell afterwards whether it changed."""
    if raw or instance._state.adding or instance.pk is None:
        return
    instance._stored_values = (
        sender._base_manager.filter(pk=instance.pk).values(*_shown_columns(sender)).first()
    )


for _model in _EDITABLE:
    pre_save.connect(
        _remember_stored, sender=_model, dispatch_uid=f"programme_remember_{_model.__name__}"
    )


def _changed(instance, update_fields) -> bool:
    """Whether the save just made changed anything pages or exports show."""
    stored = instance.__dict__.pop("_stored_values", None)
    if stored is None:  # a new row, or one that was gone
        return True
    if update_fields is not None:
        names = {instance._meta.get_field(name).attname for name in update_fields}
        stored = {name: value for name, value in stored.items() if name in names}
    return any(getattr(instance, name) != value for name, value in stored.items())


@receiver(post_save, sender=Event, dispatch_uid="programme_event_saved")
def _event_saved(sender, instance: Event, created: bool, raw: bool = False, **kwargs) -> None:
    if not raw and not created and _changed(instance, kwargs.get("update_fields")):
        programme_changed([instance.pk], session_ids=())


@receiver(post_save, sender=Session, dispatch_uid="programme_session_saved")
@receiver(post_save, sender=Room, dispatch_uid="programme_room_saved")
def _event_part_saved(sender, instance, raw: bool = False, **kwargs) -> None:
    if raw:
        return
    stored = instance.__dict__.get("_stored_values") or {}
    if not _changed(instance, kwargs.get("update_fields")):
        return
    # A session moved to another event changes what both events show.
    programme_changed(
        [instance.event_id, stored.get("event_id")],
        session_ids=[instance.pk] if sender is Session else (),
    )


@receiver(post_delete, sender=Session, dispatch_uid="programme_session_deleted")
@receiver(post_delete, sender=Room, dispatch_uid="programme_room_deleted")
def _event_part_deleted(sender, instance, **kwargs) -> None:
    programme_changed([instance.event_id], session_ids=())


@receiver(post_save, sender=SessionSpeaker, dispatch_uid="programme_appearance_saved")
@receiver(post_delete, sender=SessionSpeaker, dispatch_uid="programme_appearance_deleted")
def _appearance_changed(sender, instance: SessionSpeaker, raw: bool = False, **kwargs) -> None:
    if raw:
        return
    event_id = Session.objects.filter(pk=instance.session_id).values_list("event_id", flat=True)
    programme_changed([event_id.first()], session_ids=[instance.session_id])


@receiver(m2m_changed, sender=Session.themes.through, dispatch_uid="programme_themes_linked")
def _themes_linked(sender, instance, action: str, reverse: bool, pk_set, **kwargs) -> None:
    if action not in {"post_add", "post_remove", "pre_clear"}:
        return
    # Themes are in no search document.
    if not reverse:  # session.themes.add(...)
        programme_changed([instance.event_id], session_ids=())
    elif action == "pre_clear":  # theme.sessions.clear()
        programme_changed(events_showing_theme([instance.pk]), session_ids=())
    else:  # theme.sessions.add(...)
        programme_changed(
            Session.objects.filter(pk__in=pk_set).values_list("event_id", flat=True),
            session_ids=(),
        )


# Themes, speakers and companies appear on every event they take part in. On
# delete, the events are found before the cascade removes the links.
_WHERE_SHOWN = {
    Theme: events_showing_theme,
    Speaker: events_showing_speakers,
    Company: events_showing_companies,
}


@receiver(post_save, sender=Theme, dispatch_uid="programme_theme_saved")
@receiver(pre_delete, sender=Theme, dispatch_uid="programme_theme_deleted")
@receiver(post_save, sender=Speaker, dispatch_uid="programme_speaker_saved")
@receiver(pre_delete, sender=Speaker, dispatch_uid="programme_speaker_deleted")
@receiver(post_save, sender=Company, dispatch_uid="programme_company_saved")
@receiver(pre_delete, sender=Company, dispatch_uid="programme_company_deleted")
def _shared_part_changed(sender, instance, raw: bool = False, **kwargs) -> None:
    if raw or kwargs.get("created"):
        return  # a new theme, speaker or company is on no page yet
    if "update_fields" in kwargs and not _changed(instance, kwargs["update_fields"]):
        return  # saved, but nothing shown changed
    events = _WHERE_SHOWN[sender]([instance.pk])
    if kwargs.get("signal") is pre_delete:
        instance._shown_in_events = events  # for _company_deleted
    # Speakers' and companies' names are in the documents of their events' sessions.
    programme_changed(events, session_ids=() if sender is Theme else None)


@receiver(post_delete, sender=Company, dispatch_uid="search_company_deleted")
def _company_deleted(sender, instance: Company, **kwargs) -> None:
    """The company's name leaves the search documents once its affiliations are cleared.

    The pre_delete receiver above ran before the cascade set them to NULL, and
    kept the events it found; outside a batch their documents are refreshed again.
    """
    programme_changed(instance.__dict__.pop("_shown_in_events", ()))
