"""Reads that pages share. Each returns everything its page loops over."""

from __future__ import annotations

import datetime as dt
import functools
from collections import Counter
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Case, Count, Max, Q, QuerySet, When
from django.db.models.functions import Substr, Upper
from django.utils import timezone

from sessions.days import conference_day, day_bounds
from sessions.models import (
    Company,
    Event,
    Room,
    SavedSession,
    Session,
    SessionSpeaker,
    Speaker,
    Theme,
)

RELATED_SESSIONS = 6
# The schedule's "Speakers' companies" filter names each kind as readers look
# for it: the end-user option is the "end-user stories" people ask for.
KIND_FILTER_LABELS = {
    Company.Kind.END_USER: "End-user stories",
    Company.Kind.VENDOR: "Vendors",
    Company.Kind.PROJECT: "CNCF or open-source projects",
    Company.Kind.SPONSOR: "Sponsors",
    Company.Kind.COMMUNITY: "Communities",
    Company.Kind.ACADEMIA: "Academia",
    Company.Kind.OTHER: "Other organisations",
}
SOON = dt.timedelta(hours=1)
NOW_AND_NEXT_LIMIT = 20


def _public_session_ids() -> QuerySet:
    return Session.objects.public().values("pk")


def _themes_with_counts(sessions: QuerySet[Session]) -> QuerySet[Theme]:
    return (
        Theme.objects.annotate(
            public_sessions=Count("sessions", filter=Q(sessions__in=sessions.values("pk")))
        )
        .filter(public_sessions__gt=0)
        .order_by("order", "name")
    )


def event_phase(event: Event, *, now: dt.datetime) -> str:
    """ "past", "current" or "upcoming", by the conference day in the event's own zone."""
    today = conference_day(now, event.tz)
    if today < event.start_date:
        return "upcoming"
    return "past" if today > event.end_date else "current"


def event_is_running(event: Event, *, now: dt.datetime | None = None) -> bool:
    return event_phase(event, now=now or timezone.now()) == "current"


def home_page(*, picks: int = 6, now: dt.datetime | None = None) -> dict[str, Any]:
    now = now or timezone.now()
    published = Event.objects.published()
    # Zones lie up to a day either side of UTC: fetch a day early, decide per event.
    candidates = list(
        published.filter(end_date__gte=now.date() - dt.timedelta(days=1)).order_by(
            "start_date", "name"
        )[:12]
    )
    phases = {event.pk: event_phase(event, now=now) for event in candidates}
    current = [event for event in candidates if phases[event.pk] == "current"]
    upcoming = [event for event in candidates if phases[event.pk] == "upcoming"]
    upcoming = upcoming[: max(0, 6 - len(current))]
    # With nothing current or ahead, the latest events still give readers a way in.
    recent = [] if current or upcoming else list(published.order_by("-start_date", "name")[:3])
    latest_picks = list(
        Session.objects.published()
        .filter(is_editors_pick=True)
        .for_listing()
        .order_by("-event__start_date", "starts_at", "title")[:picks]
    )
    return {
        "current_events": current,
        "upcoming_events": upcoming,
        "recent_events": recent,
        "themes": list(_themes_with_counts(Session.objects.public())),
        "picks": latest_picks,
    }


def event_list(*, now: dt.datetime | None = None) -> dict[str, Any]:
    now = now or timezone.now()
    events = list(
        Event.objects.published()
        .annotate(public_sessions=Count("sessions", filter=Q(sessions__in=_public_session_ids())))
        .order_by("-start_date", "name")
    )
    past = [event for event in events if event_phase(event, now=now) == "past"]
    return {
        "upcoming_events": sorted(
            (event for event in events if event not in past), key=lambda e: e.start_date
        ),
        "past_events": past,
    }


def published_event(slug: str) -> Event | None:
    """The published event with this slug, or None."""
    return Event.objects.published().filter(slug=slug).first()


@dataclass(frozen=True)
class EventVersion:
    """What finds a published event's cached pages and exports: no more, so nothing
    else can be read from it by mistake (the whole Event is for a cache miss)."""

    pk: int
    content_version: int
    updated_at: dt.datetime
    start_date: dt.date
    end_date: dt.date
    time_zone: str

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)


_VERSION_FIELDS = ("id", "content_version", "updated_at", "start_date", "end_date", "time_zone")


@functools.cache
def _event_version_sql() -> str:
    columns = ", ".join(Event._meta.get_field(name).column for name in _VERSION_FIELDS)
    slug, published = (Event._meta.get_field(name).column for name in ("slug", "is_published"))
    return f"SELECT {columns} FROM {Event._meta.db_table} WHERE {slug} = %s AND {published}"


def published_event_version(slug: str) -> EventVersion | None:
    """The version of a published event (None if there is none), read on every request
    for its pages.

    A plain SQL query through Event.objects.raw (which still converts the
    values as the fields do): the ORM's query building was a third of the time
    a cached page took to serve.
    """
    found = next(iter(Event.objects.raw(_event_version_sql(), [slug])), None)
    if found is None:
        return None
    return EventVersion(*(getattr(found, name) for name in ("pk", *_VERSION_FIELDS[1:])))


def event_page(*, event: Event, now: dt.datetime | None = None) -> dict[str, Any]:
    sessions = Session.objects.public().filter(event=event)
    counts = sessions.aggregate(
        sessions=Count("pk", distinct=True),
        speakers=Count("appearances__speaker", distinct=True),
        companies=Count("appearances__company", distinct=True),
    )
    picks = list(
        sessions.filter(is_editors_pick=True, status=Session.Status.PUBLISHED)
        .for_listing()
        .order_by("starts_at", "title")[:6]
    )
    return {
        "event": event,
        "themes": list(_themes_with_counts(sessions)),
        "counts": counts,
        "picks": picks,
        "is_running": event_is_running(event, now=now),
    }


@dataclass
class Slot:
    starts_at: dt.datetime
    sessions: list[Session] = field(default_factory=list)


@dataclass
class DayTab:
    day: dt.date
    matches: int
    is_current: bool


def schedule_choices(*, event: Event) -> dict[str, list]:
    """What the schedule's filters can offer: only values this event's public sessions use.

    Each filter is a list of (query value, (what the selector filters by, label)),
    in the order the form lists them; "recorded" is offered (non-empty) only
    when some sessions are recorded and others are not, "sponsored" (True)
    when some session is sponsored. The companies' kinds come with the
    companies, so "kind" costs no query of its own.
    """
    sessions = Session.objects.public().filter(event=event)
    ids = sessions.values("pk")
    facets = set(
        sessions.order_by()
        .values_list("format", "level", "do_not_record", "is_sponsored")
        .distinct()
    )
    formats = {facet[0] for facet in facets}
    levels = {facet[1] for facet in facets if facet[1]}
    recording = {not facet[2] for facet in facets}
    companies = list(
        Company.objects.filter(appearances__session__in=ids).distinct().order_by("name")
    )
    kinds = {company.kind for company in companies}
    return {
        "theme": [
            (theme.slug, (theme, theme.name))
            for theme in Theme.objects.filter(sessions__in=ids).distinct().order_by("order", "name")
        ],
        "room": [
            (str(room.pk), (room, room.name))
            for room in Room.objects.filter(event=event, sessions__in=ids).distinct()
        ],
        "format": [
            (value, (value, label)) for value, label in Session.Format.choices if value in formats
        ],
        "level": [
            (value, (value, label)) for value, label in Session.Level.choices if value in levels
        ],
        "company": [(company.slug, (company, company.name)) for company in companies],
        "kind": [
            (kind, (kind, label)) for kind, label in KIND_FILTER_LABELS.items() if kind in kinds
        ],
        "recorded": [True, False] if len(recording) == 2 else [],
        "sponsored": any(facet[3] for facet in facets),
    }


def filtered_sessions(*, event: Event, filters: dict[str, Any]) -> QuerySet[Session]:
    """The event's public sessions that match every filter given (any of a filter's values)."""
    sessions = Session.objects.public().filter(event=event)
    if filters.get("theme"):
        chosen = Session.themes.through.objects.filter(theme__in=filters["theme"])
        sessions = sessions.filter(pk__in=chosen.values("session_id"))
    if filters.get("format"):
        sessions = sessions.filter(format__in=filters["format"])
    if filters.get("level"):
        sessions = sessions.filter(level__in=filters["level"])
    if filters.get("room"):
        sessions = sessions.filter(room__in=filters["room"])
    if filters.get("company"):
        sessions = sessions.filter(
            pk__in=SessionSpeaker.objects.filter(company__in=filters["company"]).values(
                "session_id"
            )
        )
    if filters.get("kind"):
        sessions = sessions.filter(
            pk__in=SessionSpeaker.objects.filter(company__kind__in=filters["kind"]).values(
                "session_id"
            )
        )
    if filters.get("hide_sponsored"):
        sessions = sessions.filter(is_sponsored=False)
    if filters.get("recorded") is not None:
        sessions = sessions.filter(do_not_record=not filters["recorded"])
    if filters.get("q"):
        sessions = sessions.search(filters["q"])
    return sessions


def schedule_page(
    *, event: Event, filters: dict[str, Any], now: dt.datetime | None = None
) -> dict[str, Any]:
    """One conference day of the (filtered) schedule, grouped by start time."""
    now = now or timezone.now()
    # One pass over the matches (a few columns each, cheap even for a
    # 1,000-session event) yields the day tabs' counts and which sessions
    # the page shows, so the filters and the search run only once.
    matches = list(
        filtered_sessions(event=event, filters=filters).values_list(
            "pk", "starts_at", "ends_at", "status"
        )
    )
    per_day = Counter(conference_day(starts_at, event.tz) for _, starts_at, _, _ in matches)
    today = conference_day(now, event.tz)
    day = filters.get("day")
    if day is None:
        if today in event.days:
            day = today
        else:
            day = next((d for d in event.days if per_day[d]), event.start_date)
    start, end = day_bounds(day, event.tz)
    day_ids = {pk for pk, starts_at, _, _ in matches if start <= starts_at < end}
    running = event_is_running(event, now=now)
    live = [row for row in matches if row[3] == Session.Status.PUBLISHED] if running else []
    now_ids = {pk for pk, starts_at, ends_at, _ in live if starts_at <= now < ends_at}
    next_ids = {pk for pk, starts_at, _, _ in live if now < starts_at <= now + SOON}
    shown = list(
        Session.objects.filter(pk__in=day_ids | now_ids | next_ids)
        .for_listing()
        .order_by("starts_at", "room__order", "room__name", "title")
    )
    listed = [session for session in shown if session.pk in day_ids]
    slots = [
        Slot(starts_at, list(group)) for starts_at, group in groupby(listed, lambda s: s.starts_at)
    ]
    on_now = [session for session in shown if session.pk in now_ids][:NOW_AND_NEXT_LIMIT]
    up_next = [session for session in shown if session.pk in next_ids][:NOW_AND_NEXT_LIMIT]
    return {
        "event": event,
        "day": day,
        "tabs": [DayTab(d, per_day[d], d == day) for d in event.days],
        "total_matches": sum(per_day.values()),
        "slots": slots,
        "session_count": len(listed),
        "is_running": running,
        "on_now": on_now,
        "up_next": up_next,
    }


def public_session(*, event_slug: str, slug: str) -> Session | None:
    """A published or cancelled session of a published event, or None."""
    return Session.objects.public().for_listing().filter(event__slug=event_slug, slug=slug).first()


def session_page(*, session: Session) -> dict[str, Any]:
    theme_ids = [theme.pk for theme in session.listed_themes]
    related = []
    if theme_ids:
        same_themes = Session.themes.through.objects.filter(theme_id__in=theme_ids)
        related = list(
            Session.objects.public()
            .filter(pk__in=same_themes.values("session_id"))
            .exclude(pk=session.pk)
            .for_listing()
            # The same event first, then the newest events.
            .order_by(
                Case(When(event=session.event, then=0), default=1),
                "-event__start_date",
                "starts_at",
                "pk",
            )[:RELATED_SESSIONS]
        )
    return {"session": session, "event": session.event, "related": related}


def _name_matches(text: str) -> Q:
    """Every word of `text` in the name, NUL characters dropped (PostgreSQL refuses them)."""
    matches = Q()
    for word in text.replace("\x00", "").split():
        matches &= Q(name__icontains=word)
    return matches


def _speakers_at(event: Event | None) -> QuerySet[SessionSpeaker]:
    appearances = SessionSpeaker.objects.filter(session__in=_public_session_ids())
    if event is not None:
        appearances = appearances.filter(session__event=event)
    return appearances


def speaker_list(
    *, event: Event | None = None, text: str = "", letter: str = ""
) -> QuerySet[Speaker]:
    """Public speakers (of `event`), by name; narrowed to names with every word of
    `text`, or to names starting with `letter`."""
    appearances = _speakers_at(event)
    speakers = Speaker.objects.filter(pk__in=appearances.values("speaker_id"))
    if text:
        speakers = speakers.filter(_name_matches(text))
    if letter:
        speakers = speakers.filter(name__istartswith=letter)
    return (
        speakers.select_related("company")
        .annotate(
            public_sessions=Count("appearances", filter=Q(appearances__in=appearances.values("pk")))
        )
        .order_by("name", "pk")
    )


def speaker_initials(*, event: Event | None = None) -> set[str]:
    """The first letters, upper case, of the public speakers' names (of `event`): one query."""
    speakers = Speaker.objects.filter(pk__in=_speakers_at(event).values("speaker_id"))
    return _initials(speakers)


def _initials(people: QuerySet) -> set[str]:
    return set(
        people.order_by()
        .annotate(initial=Upper(Substr("name", 1, 1)))
        .values_list("initial", flat=True)
        .distinct()
    )


def public_speaker(slug: str) -> Speaker | None:
    """A speaker is public once they spoke in a public session; None otherwise."""
    speakers = Speaker.objects.filter(
        appearances__session__in=_public_session_ids()
    ).select_related("company")
    return speakers.distinct().filter(slug=slug).first()


def speaker_page(*, speaker: Speaker) -> dict[str, Any]:
    sessions = list(
        Session.objects.public()
        .filter(appearances__speaker=speaker)
        .for_listing()
        .order_by("-event__start_date", "starts_at")
    )
    return {"speaker": speaker, "sessions": sessions}


def company_list(
    *, event: Event | None = None, text: str = "", letter: str = ""
) -> QuerySet[Company]:
    """Companies someone spoke for in a public session (of `event`), by name;
    narrowed as speaker_list() narrows speakers."""
    appearances = _speakers_at(event)
    companies = Company.objects.filter(pk__in=appearances.values("company_id"))
    if text:
        companies = companies.filter(_name_matches(text))
    if letter:
        companies = companies.filter(name__istartswith=letter)
    return companies.annotate(
        public_sessions=Count(
            "appearances__session",
            filter=Q(appearances__in=appearances.values("pk")),
            distinct=True,
        )
    ).order_by("name", "pk")


def company_initials(*, event: Event | None = None) -> set[str]:
    """The first letters, upper case, of those companies' names: one query."""
    return _initials(Company.objects.filter(pk__in=_speakers_at(event).values("company_id")))


def public_company(slug: str) -> Company | None:
    """A company is public once someone spoke for it in a public session; None otherwise."""
    companies = Company.objects.filter(appearances__session__in=_public_session_ids())
    return companies.distinct().filter(slug=slug).first()


def company_page(*, company: Company) -> dict[str, Any]:
    """A company's speakers (then or now) and the sessions they gave for it."""
    sessions = list(
        Session.objects.public()
        .filter(pk__in=SessionSpeaker.objects.filter(company=company).values("session_id"))
        .for_listing()
        .order_by("-event__start_date", "starts_at")
    )
    speakers = list(
        Speaker.objects.filter(
            Q(company=company)
            | Q(
                pk__in=SessionSpeaker.objects.filter(
                    company=company, session__in=_public_session_ids()
                ).values("speaker_id")
            )
        )
        .filter(appearances__session__in=_public_session_ids())
        .select_related("company")
        .distinct()
        .order_by("name")
    )
    return {"company": company, "speakers": speakers, "sessions": sessions}


def theme_list() -> list[Theme]:
    return list(_themes_with_counts(Session.objects.public()))


def public_theme(slug: str) -> Theme | None:
    return Theme.objects.filter(slug=slug).first()


def theme_badges() -> QuerySet[Theme]:
    """What the badge stylesheet needs of every theme: its class name and colour."""
    return Theme.objects.only("slug", "colour")


def theme_sessions(*, theme: Theme) -> QuerySet[Session]:
    """All public sessions of a theme across events, newest event first."""
    return (
        Session.objects.public()
        .filter(themes=theme)
        .for_listing()
        .order_by("-event__start_date", "event__name", "starts_at", "title")
    )


def sitemap_events() -> QuerySet[Event]:
    return Event.objects.published().order_by("-start_date", "pk")


def sitemap_sessions() -> QuerySet[Session]:
    return Session.objects.public().select_related("event").order_by("event_id", "starts_at", "pk")


def sitemap_speakers() -> QuerySet[Speaker]:
    return (
        Speaker.objects.filter(appearances__session__in=_public_session_ids())
        .distinct()
        .order_by("name", "pk")
    )


def sitemap_companies() -> QuerySet[Company]:
    return (
        Company.objects.filter(appearances__session__in=_public_session_ids())
        .distinct()
        .order_by("name", "pk")
    )


def sitemap_themes() -> QuerySet[Theme]:
    return _themes_with_counts(Session.objects.public()).annotate(
        last_change=Max("sessions__updated_at")
    )


def exportable_sessions(*, event: Event, theme: Theme | None = None) -> QuerySet[Session]:
    """What the event's frab and iCalendar exports list: published and cancelled sessions."""
    sessions = Session.objects.public().filter(event=event)
    if theme is not None:
        sessions = sessions.filter(themes=theme)
    return sessions.for_listing().order_by("starts_at", "room__order", "room__name", "pk")


# --- Titles of public pages, for the contact form's "you came from" --------


def _first_title(queryset: QuerySet, field: str) -> str | None:
    return queryset.values_list(field, flat=True).first()


def session_title(*, event_slug: str, slug: str) -> str | None:
    return _first_title(Session.objects.public().filter(event__slug=event_slug, slug=slug), "title")


def event_title(*, slug: str) -> str | None:
    return _first_title(Event.objects.published().filter(slug=slug), "name")


def speaker_title(*, slug: str) -> str | None:
    return _first_title(Speaker.objects.filter(slug=slug), "name")


def company_title(*, slug: str) -> str | None:
    return _first_title(Company.objects.filter(slug=slug), "name")


def theme_title(*, slug: str) -> str | None:
    return _first_title(Theme.objects.filter(slug=slug), "name")


PAGE_TITLES = {
    "conference:session_detail": session_title,
    "conference:event_detail": event_title,
    "conference:speaker_detail": speaker_title,
    "conference:company_detail": company_title,
    "conference:theme_detail": theme_title,
}


def saved_count(*, session: Session) -> int:
    """How many attendees and visitors saved the session (listings annotate it instead)."""
    return SavedSession.objects.filter(session=session).count()
