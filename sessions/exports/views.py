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
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date
from django.utils.text import compress_string
from django.views.decorators.http import require_safe

from confguide.http import or_404
from confguide.pagecache import accepts_gzip, stored_response
from sessions.exports.exporters import Exporter
from sessions.models import Theme
from sessions.public import selectors

# Shared caches (a CDN, a proxy) may keep an export this long; browsers and
# calendar apps revalidate every time, which costs one query and a 304.
SHARED_MAX_AGE_SECONDS = 30
# Bodies are keyed by version, so they never go stale; this only frees memory.
BODY_CACHE_SECONDS = 24 * 60 * 60
NO_EVENT = "No published event here."


@require_safe
def export(
    request: HttpRequest, slug: str, exporter: Exporter, theme_slug: str | None = None
) -> HttpResponse:
    """The event `slug` (and, for a theme's calendar, the theme) in `exporter`'s format."""
    version = or_404(selectors.published_event_version(slug), NO_EVENT)
    theme = None
    if theme_slug is not None:  # an unknown event is a 404 before the theme is looked up
        theme = or_404(selectors.public_theme(theme_slug), "No theme here.")
    digest = hashlib.sha256(exporter.freshness_key(version, theme).encode()).hexdigest()[:32]
    key, etag = f"export:{digest}", f'"{digest}"'
    stamp = int(version.updated_at.timestamp())  # HTTP dates have whole seconds
    response = get_conditional_response(request, etag=etag, last_modified=stamp)
    if response is None:
        body, body_gzip = cache.get(key) or _build(key, slug, exporter, theme)
        gzipped = accepts_gzip(request)
        response = stored_response(
            body_gzip if gzipped else body, gzipped=gzipped, content_type=exporter.content_type
        )
    response.headers["ETag"] = etag
    response.headers["Last-Modified"] = http_date(stamp)
    patch_cache_control(response, public=True, max_age=0, s_maxage=SHARED_MAX_AGE_SECONDS)
    return response


def _build(key: str, slug: str, exporter: Exporter, theme: Theme | None) -> tuple[bytes, bytes]:
    event = or_404(selectors.published_event(slug), NO_EVENT)
    sessions = exporter.listed(list(selectors.exportable_sessions(event=event, theme=theme)))
    body = exporter.render(event, sessions, theme)
    # Compressed once per version, not per poll: exports hold nothing secret.
    built = (body, compress_string(body))
    cache.set(key, built, BODY_CACHE_SECONDS)
    return built
