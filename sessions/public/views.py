"""Public pages for readers. Views parse the request, call a selector, render."""

from __future__ import annotations

import hashlib
from urllib.parse import urlencode

from django.contrib import messages
from django.core.validators import slug_re
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_http_methods, require_safe

from confguide.http import or_404
from confguide.links import absolute_url
from confguide.pagecache import cached_page, minute, quarter_hour, query_key
from confguide.pagination import page_key, page_url, paginate
from confguide.redirects import redirect_back, safe_next_url
from confguide.seo import page_meta
from confguide.timezones import parse_time_zone, remember_time_zone
from sessions import content
from sessions.exports.calendar import build_calendar
from sessions.models import Event
from sessions.myschedule.services import set_time_zone as set_attendee_time_zone
from sessions.public import selectors
from sessions.public.forms import MULTI_FILTERS, ScheduleFilterForm, TimeZoneForm
from sessions.public.structured_data import event_data, session_data, speaker_data
from sessions.search.text import LETTERS, SEARCH_MAX_LENGTH, clean_letter, clean_search_text

LIST_PAGE_SIZE = 60
SLUG_MAX_LENGTH = Event._meta.get_field("slug").max_length
THEME_PAGE_SIZE = 50
NO_EVENT = "No published event here."
NO_SESSION = "No public session here."


def _popularity_clock(now):
    """Pages whose stars show how many saved a session are rendered afresh at
    least every quarter hour, so a count on a cached page is that old at most."""
    return quarter_hour(now)


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    now = timezone.now()

    def build() -> dict:
        context = selectors.home_page(now=now)
        return context | page_meta(
            "Conference guide",
            "A cloud-native consultancy's guide to conferences: current and upcoming events, "
            "sessions by theme, editors' picks, in your own time zone.",
            "/",
        )

    # Which events are on now or next follows the clock in each event's zone.
    version, clock = content.site_version(), quarter_hour(now)
    return cached_page(
        request,
        template_name="home.html",
        key=(version.token, clock),
        build=build,
        last_modified=max(filter(None, (version.changed_at, clock))),
    )


def _event_filter(request: HttpRequest) -> tuple[Event | None, str]:
    """The optional ?event=<slug> of the speaker and company lists."""
    slug = request.GET.get("event", "")
    if not slug:
        return None, ""
    # Only a well-formed slug reaches the database: PostgreSQL refuses text with
    # a NUL character outright, and nothing else could name an event anyway.
    event = (
        selectors.published_event(slug)
        if len(slug) <= SLUG_MAX_LENGTH and slug_re.fullmatch(slug)
        else None
    )
    if event is None:
        return None, "There is no published event with that name, so every event is included."
    return event, ""


def _cached_across_events(request: HttpRequest, template_name: str, build, query=(), clock=None):
    """A page that shows sessions or people of several events: keyed on them all.

    `clock`, for a page that follows it, is the moment its current copy began.
    """
    version = content.site_version()
    return cached_page(
        request,
        template_name=template_name,
        key=(version.token, clock),
        query=query,
        build=build,
        last_modified=max(filter(None, (version.changed_at, clock)), default=None),
    )


@require_safe
def event_list(request: HttpRequest) -> HttpResponse:
    now = timezone.now()

    def build() -> dict:
        context = selectors.event_list(now=now)
        context |= page_meta(
            "Events",
            "The cloud-native conferences in the guide: upcoming and past events, "
            "with their schedules in your own time zone.",
            reverse("conference:event_list"),
        )
        return context

    # Events move from upcoming to past with the clock, in their own zones.
    return _cached_across_events(
        request, "sessions/event_list.html", build, clock=quarter_hour(now)
    )


@require_safe
def event_detail(request: HttpRequest, slug: str) -> HttpResponse:
    version = or_404(selectors.published_event_version(slug), NO_EVENT)
    now = timezone.now()

    def build() -> dict:
        event = or_404(selectors.published_event(slug), NO_EVENT)
        context = selectors.event_page(event=event, now=now)
        dates = f"{event.start_date:%-d %b} to {event.end_date:%-d %b %Y}"
        where = "online" if event.is_virtual else (event.venue or "")
        context |= page_meta(
            event.name,
            f"{event.name}, {dates}{', ' + where if where else ''}. "
            + (event.description or "Schedule, speakers and companies."),
            event.get_absolute_url(),
        )
        context["structured_data"] = event_data(event)
        return context

    return cached_page(
        request,
        template_name="sessions/event_detail.html",
        key=(
            version.pk,
            version.content_version,
            selectors.event_phase(version, now=now),
            _popularity_clock(now),
        ),
        build=build,
        last_modified=max(version.updated_at, _popularity_clock(now)),
    )


SCHEDULE_PARAMETERS = ("q", "recorded", "sponsored", "day", "view")
# Filters that take several values (see ScheduleFilterForm).
SCHEDULE_MULTIPLE = tuple(spec.name for spec in MULTI_FILTERS)
# The reader's choice of agenda or cards, set by static/js/schedule-view.js when
# they switch; a ?view= in the address (the switch's links) wins over it.
SCHEDULE_VIEW_COOKIE = "schedule_view"
SCHEDULE_VIEWS = ("agenda", "cards")


def _schedule_view(request: HttpRequest) -> tuple[str, bool, str]:
    """The view to show (agenda, cards, or auto: agenda on phones and cards
    above), whether the address chose it, and a problem with the address's choice."""
    asked = request.GET.get("view", "")
    if asked in SCHEDULE_VIEWS:
        return asked, True, ""
    remembered = request.COOKIES.get(SCHEDULE_VIEW_COOKIE, "")
    chosen = remembered if remembered in SCHEDULE_VIEWS else "auto"
    if asked:
        return (
            chosen,
            False,
            (
                f"“{asked[:40]}” is not a way to show the schedule (agenda or cards), "
                "so the usual one is used."
            ),
        )
    return chosen, False, ""


@require_safe
def schedule(request: HttpRequest, slug: str) -> HttpResponse:
    version = or_404(selectors.published_event_version(slug), NO_EVENT)
    now = timezone.now()
    # The day shown by default, "now and next" and the running banner follow the
    # clock; the saved counts on the stars follow a coarser one.
    phase = selectors.event_phase(version, now=now)
    clock = minute(now) if phase == "current" else _popularity_clock(now)
    view, view_in_link, view_problem = _schedule_view(request)

    def build() -> dict:
        event = or_404(selectors.published_event(slug), NO_EVENT)
        choices = selectors.schedule_choices(event=event)
        form = ScheduleFilterForm(request.GET, days=event.days, choices=choices)
        filters = form.filters()
        context = selectors.schedule_page(event=event, filters=filters, now=now)
        day = context["day"]
        path = reverse("conference:schedule", kwargs={"slug": event.slug})
        context |= page_meta(
            f"{event.name} schedule, {day:%A %-d %B}",
            f"Sessions of {event.name} on {day:%A %-d %B %Y}, by start time, "
            f"with times in {event.time_zone} and your own zone.",
            f"{path}?{urlencode({'day': day.isoformat()})}",
        )
        # Only the filters that worked travel on, in the day tabs' and the
        # view switch's links; the day travels in the filter form.
        clean_query = form.query()
        view_pair = [("view", view)] if view_in_link else []

        def here(*pairs) -> str:
            return f"?{urlencode(list(pairs))}"

        day_pair = ("day", day.isoformat())
        active = form.active_count()
        context |= {
            "form": form,
            "fieldsets": form.fieldsets(),
            "filters": filters,
            "has_filters": bool(active),
            "active_filters": active,
            "problems": form.problems() + ([view_problem] if view_problem else []),
            "export_themes": [theme for _, (theme, _) in choices["theme"]],
            "view": view,
            "view_in_link": view_in_link,
            "tab_links": [
                (tab, here(*clean_query, ("day", tab.day.isoformat()), *view_pair))
                for tab in context["tabs"]
            ],
            "agenda_link": here(*clean_query, day_pair, ("view", "agenda")),
            "cards_link": here(*clean_query, day_pair, ("view", "cards")),
            "clear_link": here(day_pair, *view_pair),
            "return_path": f"{path}{here(*clean_query, day_pair, *view_pair)}",
        }
        return context

    return cached_page(
        request,
        template_name="sessions/schedule.html",
        key=(version.pk, version.content_version, phase, clock, view),
        query=query_key(request, SCHEDULE_PARAMETERS, multiple=SCHEDULE_MULTIPLE),
        # Searches are rendered as asked, not kept: each text would be an entry of its own.
        store=not request.GET.get("q", "").strip(),
        build=build,
        last_modified=max(version.updated_at, clock),
    )


@require_safe
def session_detail(request: HttpRequest, event_slug: str, slug: str) -> HttpResponse:
    def build() -> dict:
        session = or_404(selectors.public_session(event_slug=event_slug, slug=slug), NO_SESSION)
        context = selectors.session_page(session=session)
        speakers = ", ".join(a.speaker.name for a in session.listed_appearances)
        summary = session.editors_note or session.abstract
        # The browser tab, search results and link previews say so too, not only the page.
        cancelled = "Cancelled: " if session.is_cancelled else ""
        context |= page_meta(
            f"{cancelled}{session.title} · {session.event.name}",
            f"{cancelled}{session.title}"
            + (f" by {speakers}" if speakers else "")
            + f". {summary}",
            session.get_absolute_url(),
        )
        context["structured_data"] = session_data(session)
        return context

    # Related sessions come from every event: the page follows them all.
    return _cached_across_events(
        request, "sessions/session_detail.html", build, clock=_popularity_clock(timezone.now())
    )


@require_safe
def session_ics(request: HttpRequest, event_slug: str, slug: str) -> HttpResponse:
    """The one session as an .ics file for any calendar app (built by sessions.exports.calendar)."""
    session = or_404(selectors.public_session(event_slug=event_slug, slug=slug), NO_SESSION)
    body = build_calendar(
        [session],
        name=f"{session.title} ({session.event.name})",
        url=absolute_url(session.get_absolute_url()),
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{session.slug[:100]}.ics"'
    return response


def _event_filtered_list(
    request: HttpRequest, template_name: str, select, describe, *, items: str, initials
):
    """The speaker and company lists: narrowed by ?event=, ?q= (words of the name) and
    ?letter= (A to Z, across pages), warned about bad values, paged."""
    text, text_problem = clean_search_text(request.GET.get("q", ""))
    letter, letter_problem = clean_letter(request.GET.get("letter", ""))

    def build() -> dict:
        event, problem = _event_filter(request)
        page = paginate(
            request, select(event=event, text=text, letter=letter), per_page=LIST_PAGE_SIZE
        )
        event_query = {"event": event.slug} if event else {}
        page_query = (
            event_query | ({"q": text} if text else {}) | ({"letter": letter} if letter else {})
        )
        present = initials(event=event)
        context = {
            "page_obj": page,
            items: page.object_list,
            "event": event,
            "problems": [p for p in (problem, text_problem, letter_problem) if p],
            "page_query": page_query,
            "event_query": event_query,
            "query": text,
            "letter": letter,
            "letters": [(each, each in present) for each in LETTERS],
            "max_length": SEARCH_MAX_LENGTH,
        }
        title, description = describe(event)
        if letter:
            title = f"{title}: {letter}"
        return context | page_meta(title, description, page_url(request.path, page, page_query))

    version = content.site_version()
    response = cached_page(
        request,
        template_name=template_name,
        key=(version.token,),
        query=query_key(request, ("event", "q", "letter")) + page_key(request),
        # Free-text searches and refused values are rendered as asked, not kept:
        # each would be an entry of its own. A letter is one of 26.
        store=not (text or text_problem or letter_problem),
        build=build,
        last_modified=version.changed_at,
    )
    if text:  # the letters' pages are the list's own; a search's are not worth indexing
        response["X-Robots-Tag"] = "noindex"
    return response


@require_safe
def speaker_list(request: HttpRequest) -> HttpResponse:
    def describe(event: Event | None) -> tuple[str, str]:
        return (
            f"Speakers at {event.name}" if event else "Speakers",
            f"Everyone who speaks {'at ' + event.name if event else 'in the guide'}, "
            "with their companies and sessions.",
        )

    return _event_filtered_list(
        request,
        "sessions/speaker_list.html",
        selectors.speaker_list,
        describe,
        items="speakers",
        initials=selectors.speaker_initials,
    )


@require_safe
def speaker_detail(request: HttpRequest, slug: str) -> HttpResponse:
    def build() -> dict:
        speaker = or_404(selectors.public_speaker(slug), "No public speaker here.")
        context = selectors.speaker_page(speaker=speaker)
        role = ", ".join(part for part in (speaker.job_title, str(speaker.company or "")) if part)
        context |= page_meta(
            speaker.name,
            f"{speaker.name}{' (' + role + ')' if role else ''}: sessions and profile. "
            f"{speaker.bio}",
            speaker.get_absolute_url(),
            og_type="profile",
        )
        context["structured_data"] = speaker_data(speaker)
        return context

    return _cached_across_events(
        request, "sessions/speaker_detail.html", build, clock=_popularity_clock(timezone.now())
    )


@require_safe
def company_list(request: HttpRequest) -> HttpResponse:
    def describe(event: Event | None) -> tuple[str, str]:
        return (
            f"Companies at {event.name}" if event else "Companies",
            f"The companies whose people speak {'at ' + event.name if event else 'in the guide'}.",
        )

    return _event_filtered_list(
        request,
        "sessions/company_list.html",
        selectors.company_list,
        describe,
        items="companies",
        initials=selectors.company_initials,
    )


@require_safe
def company_detail(request: HttpRequest, slug: str) -> HttpResponse:
    def build() -> dict:
        company = or_404(selectors.public_company(slug), "No public company here.")
        context = selectors.company_page(company=company)
        context |= page_meta(
            company.name,
            f"{company.name}: its speakers and their sessions. {company.description}",
            company.get_absolute_url(),
        )
        return context

    return _cached_across_events(
        request, "sessions/company_detail.html", build, clock=_popularity_clock(timezone.now())
    )


@require_safe
def theme_list(request: HttpRequest) -> HttpResponse:
    def build() -> dict:
        context = {"themes": selectors.theme_list()}
        return context | page_meta(
            "Themes",
            "Sessions by topic across every event: storage, security, multi-tenancy and more.",
            reverse("conference:theme_list"),
        )

    return _cached_across_events(request, "sessions/theme_list.html", build)


@require_safe
def theme_detail(request: HttpRequest, slug: str) -> HttpResponse:
    def build() -> dict:
        theme = or_404(selectors.public_theme(slug), "No theme here.")
        page = paginate(request, selectors.theme_sessions(theme=theme), per_page=THEME_PAGE_SIZE)
        context = {"theme": theme, "page_obj": page, "sessions": page.object_list, "page_query": {}}
        return context | page_meta(
            theme.name,
            f"Every {theme.name} session in the guide, newest event first. {theme.description}",
            page_url(theme.get_absolute_url(), page),
        )

    return _cached_across_events(
        request,
        "sessions/theme_detail.html",
        build,
        query=page_key(request),
        clock=_popularity_clock(timezone.now()),
    )


@require_safe
@cache_control(public=True, max_age=0, s_maxage=30)
def theme_css(request: HttpRequest) -> HttpResponse:
    """Badge colours as a stylesheet: the strict CSP forbids style= attributes.

    Every page loads it, so browsers revalidate it (a 304 for one small query)
    rather than keep an old colour for minutes after an editor changed it.
    """
    rules = "".join(
        f".{theme.css_class}{{background-color:{theme.colour};color:{theme.text_colour}}}\n"
        for theme in selectors.theme_badges()
    )
    etag = f'"{hashlib.blake2b(rules.encode(), digest_size=12).hexdigest()}"'
    response = get_conditional_response(request, etag=etag) or HttpResponse(
        rules, content_type="text/css; charset=utf-8"
    )
    response.headers["ETag"] = etag
    return response


@require_http_methods(["GET", "HEAD", "POST"])
def set_time_zone(request: HttpRequest) -> HttpResponse:
    """Choose the zone times are also shown in: kept in a cookie, and on the account.

    Works without JavaScript; the page's script picks the browser's zone by itself.
    """
    if request.method != "POST":
        back = safe_next_url(request, request.GET.get("next"), fallback=reverse("home"))
        context = {"back": back} | page_meta(
            "Your time zone",
            "Choose the time zone the guide shows every time in, beside the event's own.",
            reverse("conference:set_time_zone"),
        )
        response = render(request, "sessions/time_zone.html", context)
        response["X-Robots-Tag"] = "noindex"
        return response
    form = TimeZoneForm(request.POST)
    response = redirect_back(request, request.POST.get("next"), fallback=reverse("home"))
    zone = parse_time_zone(form.data.get("time_zone"))
    if not form.is_valid() or zone is None:
        messages.error(request, "We do not know that time zone; please choose one from the list.")
        return response
    remember_time_zone(response, zone, secure=request.is_secure())
    if request.user.is_authenticated:
        # An attendee's choice follows them to every device.
        set_attendee_time_zone(user=request.user, time_zone=zone.key)
    messages.success(request, f"Times are now also shown in {zone.key.replace('_', ' ')}.")
    return response
