"""Machine-readable exports of an event: frab XML and JSON, iCalendar feeds.

Schedule apps and calendars poll these every few minutes. Each export is a
function of its event's content version (sessions.content), so its ETag
comes from the event's row alone, a conditional GET is answered before
anything is built, and the body is built once per version and then served
from the shared cache.
"""

from __future__ import annotations

import hashlib

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date
from django.utils.text import compress_string
from django.views.decorators.http import require_safe

from confguide.http import or_404
from confguide.pagecache import accepts_gzip, stored_response
from sessions.exports import frab as exports
from sessions.exports.calendar import absolute_url, build_calendar, session_url
from sessions.models import Theme
from sessions.public import selectors

# Shared caches (a CDN, a proxy) may keep an export this long; browsers and
# calendar apps revalidate every time, which costs one query and a 304.
SHARED_MAX_AGE_SECONDS = 30
# Bodies are keyed by version, so they never go stale; this only frees memory.
BODY_CACHE_SECONDS = 24 * 60 * 60
NO_EVENT = "No published event here."


def _export(request: HttpRequest, slug: str, *, theme: Theme | None, kind: str, build):
    """An export of the event `slug`: `build(event, sessions)` gives its type and body."""
    version = or_404(selectors.published_event_version(slug), NO_EVENT)
    # A theme's own name shows in its calendar even where the event has none of its sessions.
    seed = f"{kind}|{version.pk}|{version.content_version}|{theme.name if theme else ''}"
    digest = hashlib.sha256(seed.encode()).hexdigest()[:32]
    key, etag = f"export:{digest}", f'"{digest}"'
    stamp = int(version.updated_at.timestamp())  # HTTP dates have whole seconds
    conditional = get_conditional_response(request, etag=etag, last_modified=stamp)
    if conditional is None:
        cached = cache.get(key)
        if cached is None:
            event = or_404(selectors.published_event(slug), NO_EVENT)
            sessions = list(selectors.exportable_sessions(event=event, theme=theme))
            content_type, body = build(event, sessions)
            body = body.encode() if isinstance(body, str) else body
            # Compressed once per version, not per poll: exports hold nothing secret.
            cached = (content_type, body, compress_string(body))
            cache.set(key, cached, BODY_CACHE_SECONDS)
        content_type, body, body_gzip = cached
        gzipped = accepts_gzip(request)
        response = stored_response(
            body_gzip if gzipped else body, gzipped=gzipped, content_type=content_type
        )
    else:
        response = conditional
    response.headers["ETag"] = etag
    response.headers["Last-Modified"] = http_date(stamp)
    patch_cache_control(response, public=True, max_age=0, s_maxage=SHARED_MAX_AGE_SECONDS)
    return response


def _frab(request: HttpRequest, slug: str, *, kind: str, content_type: str, render):
    """frab XML and JSON list the same sessions (cancelled ones left out) the same way."""
    feed = absolute_url(reverse(f"exports:frab_{kind}", args=[slug]))

    def build(event, sessions):
        listed = [s for s in sessions if not s.is_cancelled]
        return content_type, render(event, listed, url_of=session_url, feed_url=feed)

    return _export(request, slug, theme=None, kind=kind, build=build)


@require_safe
def frab_xml(request: HttpRequest, slug: str) -> HttpResponse:
    return _frab(
        request,
        slug,
        kind="xml",
        content_type="application/xml; charset=utf-8",
        render=exports.frab_xml,
    )


@require_safe
def frab_json(request: HttpRequest, slug: str) -> HttpResponse:
    return _frab(
        request, slug, kind="json", content_type="application/json", render=exports.frab_json
    )


@require_safe
def event_calendar(request: HttpRequest, slug: str) -> HttpResponse:
    def build(event, sessions):
        return "text/calendar; charset=utf-8", build_calendar(
            sessions,
            name=event.name,
            description=f"Every session of {event.name} in the guide.",
            url=absolute_url(reverse("exports:event_ics", args=[slug])),
        )

    return _export(request, slug, theme=None, kind="ics", build=build)


@require_safe
def theme_calendar(request: HttpRequest, slug: str, theme_slug: str) -> HttpResponse:
    or_404(selectors.published_event_version(slug), NO_EVENT)  # before the theme's 404
    theme = or_404(selectors.public_theme(theme_slug), "No theme here.")

    def build(event, sessions):
        return "text/calendar; charset=utf-8", build_calendar(
            sessions,
            name=f"{event.name}: {theme.name}",
            description=f"Sessions of {event.name} on {theme.name}, picked by the guide.",
            url=absolute_url(reverse("exports:theme_ics", args=[slug, theme_slug])),
        )

    return _export(request, slug, theme=theme, kind=f"ics-{theme.pk}", build=build)
