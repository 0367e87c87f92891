"""The editors' dashboard of one event: what needs their attention, each number a link.

An admin page (EventAdmin's `<id>/dashboard/`) with: sessions by saves, sessions
saved more often than their room has seats, themes and their sessions, sessions
without a theme, speakers without a company, the last official feed sync, and
the contact messages waiting. Saves are SavedSession rows, an account's or an
anonymous visitor's, plan A and plan B alike: each is someone who may come.

Every number links to an admin changelist filtered to exactly the rows it
counts; the list filters those links need (SavesFilter, SpeakingAtFilter) live
here beside the counts they must agree with. The page costs the same few
queries whatever the event's size.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from confguide.contact.selectors import waiting_counts
from sessions.importers.sync_admin import history_url
from sessions.models import Event, FeedSync, SavedSession, Session, SessionSpeaker, Speaker, Theme

# The dashboard lists the most saved and the over-full sessions up to this
# many; the linked changelist has them all.
TOP_SESSIONS = 15


# --- What the numbers count (the list filters below reuse these) ------------


def over_capacity(sessions: QuerySet[Session]) -> QuerySet[Session]:
    """Sessions saved more often than their room has seats.

    Never a room without a capacity, nor a cancelled session: nobody needs seats there.
    """
    return (
        sessions.filter(room__capacity__isnull=False)
        .exclude(status=Session.Status.CANCELLED)
        .annotate(saves=Count("saved_by"))
        .filter(saves__gt=F("room__capacity"))
    )


def saved_sessions(sessions: QuerySet[Session]) -> QuerySet[Session]:
    """Sessions in at least one schedule."""
    return sessions.filter(pk__in=SavedSession.objects.values("session_id"))


def speakers_at(event_id: int | str) -> QuerySet[Speaker]:
    """Speakers with a session at the event, each once."""
    return Speaker.objects.filter(
        pk__in=SessionSpeaker.objects.filter(session__event_id=event_id).values("speaker_id")
    )


# --- The list filters the dashboard's links use ------------------------------


class SavesFilter(admin.SimpleListFilter):
    """Sessions by attendees' saves (accounts' and anonymous visitors', plan A and B)."""

    title = "saves"
    parameter_name = "saves"

    def lookups(self, request, model_admin):
        return [
            ("saved", "Saved at least once"),
            ("unsaved", "Saved by nobody"),
            ("over_capacity", "Saved more often than the room has seats"),
        ]

    def queryset(self, request, queryset):
        match self.value():
            case "saved":
                return saved_sessions(queryset)
            case "unsaved":
                return queryset.exclude(pk__in=SavedSession.objects.values("session_id"))
            case "over_capacity":
                return queryset.filter(pk__in=over_capacity(Session.objects.all()).values("pk"))
        return queryset


class SpeakingAtFilter(admin.SimpleListFilter):
    """Speakers with a session at one event."""

    title = "speaking at"
    parameter_name = "event"

    def lookups(self, request, model_admin):
        return [(str(pk), name) for pk, name in Event.objects.values_list("pk", "name")]

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        if not value.isdecimal():
            # A hand-edited URL: no event has such an id.
            return queryset.none()
        return queryset.filter(pk__in=speakers_at(value).values("pk"))


# --- The page ------------------------------------------------------------------


def _changelist(name: str, **params) -> str:
    url = reverse(f"admin:{name}_changelist")
    return f"{url}?{urlencode(params)}" if params else url


@dataclass(frozen=True)
class Dashboard:
    event: Event
    session_count: int
    saves: dict[str, int]
    most_saved: list[Session]
    over_capacity: list[Session]
    over_capacity_count: int
    themes: list[Theme]
    untagged_count: int
    speaker_count: int
    speakers_without_company: int
    last_sync: FeedSync | None
    # The latest sync that changed something (a 304 since then changes nothing).
    last_change: FeedSync | None
    contact_waiting: dict[str, int] | None
    links: dict[str, str]


def dashboard(*, event: Event, with_contact: bool) -> Dashboard:
    """Every number of the event's dashboard, in a fixed number of queries."""
    sessions = Session.objects.filter(event=event)
    saves = SavedSession.objects.filter(session__event=event).aggregate(
        total=Count("pk"),
        anonymous=Count("pk", filter=Q(visitor__isnull=False)),
        plan_b=Count("pk", filter=Q(plan=SavedSession.Plan.B)),
        sessions=Count("session", distinct=True),
    )
    most_saved = list(
        sessions.select_related("room")
        .annotate(
            saves=Count("saved_by"),
            anonymous_saves=Count("saved_by", filter=Q(saved_by__visitor__isnull=False)),
            plan_b_saves=Count("saved_by", filter=Q(saved_by__plan=SavedSession.Plan.B)),
        )
        .filter(saves__gt=0)
        .order_by("-saves", "starts_at", "pk")[:TOP_SESSIONS]
    )
    full = over_capacity(sessions).select_related("room").order_by("-saves", "starts_at", "pk")
    themes = list(
        Theme.objects.annotate(
            event_sessions=Count("sessions", filter=Q(sessions__event=event))
        ).order_by("order", "name")
    )
    speakers = speakers_at(event.pk).aggregate(
        total=Count("pk"), without_company=Count("pk", filter=Q(company__isnull=True))
    )
    session_filter = {"event__id__exact": event.pk}
    speaker_filter = {SpeakingAtFilter.parameter_name: event.pk}
    return Dashboard(
        event=event,
        session_count=sessions.count(),
        saves=saves,
        most_saved=most_saved,
        over_capacity=list(full[:TOP_SESSIONS]),
        over_capacity_count=full.count(),
        themes=themes,
        untagged_count=sessions.filter(themes__isnull=True).count(),
        speaker_count=speakers["total"],
        speakers_without_company=speakers["without_company"],
        last_sync=event.feed_syncs.order_by("-started_at", "-pk").first(),
        last_change=event.feed_syncs.filter(outcome=FeedSync.Outcome.CHANGED)
        .order_by("-started_at", "-pk")
        .first(),
        contact_waiting=waiting_counts() if with_contact else None,
        links={
            "sessions": _changelist("conference_session", **session_filter),
            "saved": _changelist("conference_session", **session_filter, saves="saved"),
            "over_capacity": _changelist(
                "conference_session", **session_filter, saves="over_capacity"
            ),
            "untagged": _changelist("conference_session", **session_filter, themes__isnull="True"),
            "theme": _changelist("conference_session", **session_filter) + "&themes__id__exact=",
            "speakers": _changelist("conference_speaker", **speaker_filter),
            "without_company": _changelist(
                "conference_speaker", **speaker_filter, company__isnull="True"
            ),
            "sync_history": history_url(event.pk),
            "contact": _changelist("confguide_contactmessage") + "?status__exact=",
        },
    )


def dashboard_view(
    request: HttpRequest, object_id: str, model_admin: admin.ModelAdmin
) -> HttpResponse:
    """The page: for whoever may view the event in the admin (admin_view checks staff)."""
    event = model_admin.get_object(request, object_id)
    if event is None:
        raise Http404("No such event.")
    if not model_admin.has_view_permission(request, event):
        raise PermissionDenied
    user = request.user
    data = dashboard(event=event, with_contact=user.has_perm("confguide.view_contactmessage"))
    context = {
        **model_admin.admin_site.each_context(request),
        "title": f"Dashboard: {event.name}",
        "subtitle": None,
        "opts": model_admin.model._meta,
        "original": event,
        "dashboard": data,
        "can_view_sessions": user.has_perm("conference.view_session"),
        "can_view_speakers": user.has_perm("conference.view_speaker"),
        "can_view_syncs": user.has_perm("conference.view_feedsync"),
        "top": TOP_SESSIONS,
    }
    return render(request, "admin/conference/event/dashboard.html", context)
