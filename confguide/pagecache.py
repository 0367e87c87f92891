"""Render once, serve many: whole public pages cached in the shared cache.

A page is rendered for the first reader who asks for it and kept under a key
made of what it depends on: the view, the content version of what it shows
(sessions.content), the query parameters that change it, the reader's time
zone and, for pages that show "now", the minute. The per-reader parts are
markers that confguide.personal fills in on the way out, so a signed-in
attendee gets the same cached page as everyone else plus one query for their
saved sessions.

The same key makes the ETag (with the reader's own state added), so a repeat
visit is answered with 304 before anything is rendered.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.gzip import re_accepts_gzip
from django.template.loader import render_to_string
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date
from django.utils.text import compress_string

from . import personal as personal_parts
from .personal import Parts, has_personal_messages, saved_ids

# Keys carry the content version, so an entry is never stale; the timeout
# only returns memory from pages nobody asks for any more.
PAGE_CACHE_SECONDS = 6 * 60 * 60
# How long a CDN or proxy may keep an anonymous page; browsers always revalidate.
SHARED_MAX_AGE_SECONDS = 30
# Longest value of one query parameter that goes into a key.
MAX_PARAMETER_LENGTH = 200

# What the shared rendering sees of the reader: nobody in particular.
_NOBODY = {
    "user": AnonymousUser(),
    "perms": {},
    "messages": (),
    "csrf_token": "",
}


def _digest(value: str, size: int = 16) -> str:
    return hashlib.blake2b(value.encode(), digest_size=size).hexdigest()


def query_key(request: HttpRequest, names: Iterable[str]) -> tuple[tuple[str, str], ...]:
    """The query parameters a page reads, as a key part; any others are ignored."""
    return tuple(
        (name, request.GET.get(name, "")[:MAX_PARAMETER_LENGTH])
        for name in sorted(names)
        if request.GET.get(name)
    )


def minute(now: dt.datetime) -> str:
    """A key part for pages that show what is on now: they change every minute."""
    return now.strftime("%Y-%m-%dT%H:%M")


def quarter_hour(now: dt.datetime) -> str:
    """A key part for pages that show which events are on, upcoming or past.

    An event's day starts at 04:00 in its own zone, and every zone's offset is
    a whole number of quarter hours, so these pages can change only on one.
    """
    return f"{now:%Y-%m-%dT%H}:{now.minute // 15 * 15:02d}"


def _reader_state(request: HttpRequest) -> tuple[str, bool]:
    """A short fingerprint of everything the markers fill in, and whether it is personal.

    A reader with no session (no account, nothing saved, no messages) is
    nobody in particular: such readers all get the same bytes.
    """
    user = request.user
    if not user.is_authenticated and settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return "anon", False
    saved = sorted(saved_ids(request))
    who = f"u{user.pk}{'s' if user.is_staff else ''}" if user.is_authenticated else "a"
    return _digest(f"{who}|{saved}", 8), True


def accepts_gzip(request: HttpRequest) -> bool:
    return bool(re_accepts_gzip.search(request.headers.get("Accept-Encoding", "")))


def stored_response(body: bytes, *, gzipped: bool, content_type: str | None = None):
    """Bytes stored ready to send: `body` is gzipped already when `gzipped`.

    Only for bodies with no secret in them (no CSRF token, nothing personal):
    BREACH needs one, so these skip GZipMiddleware's per-response padding.
    """
    response = HttpResponse(body, content_type=content_type)
    if gzipped:
        response.headers["Content-Encoding"] = "gzip"
    patch_vary_headers(response, ["Accept-Encoding"])
    return response


def cached_page(
    request: HttpRequest,
    *,
    template_name: str,
    key: Iterable[Any],
    build: Callable[[], dict[str, Any]],
    query: Iterable[tuple[str, str]] = (),
    last_modified: dt.datetime | None = None,
) -> HttpResponse:
    """The page from the shared cache, or rendered by `build()` and kept there.

    `query` is the page's own query parameters (see query_key): forms on the
    page lead back to the path with those, never with anything else.
    """
    zone = request.reader_tz.key if getattr(request, "reader_tz", None) else ""
    match = getattr(request, "resolver_match", None)
    view = match.view_name if match else ""
    query = tuple(query)
    page_key = "page:" + _digest(repr((template_name, view, request.path, tuple(key), query, zone)))
    reader, personal = _reader_state(request)
    etag = f'W/"{page_key[5:21]}-{reader}"'
    stamp = int(last_modified.timestamp()) if last_modified and not personal else None
    back = request.path + (f"?{urlencode(query)}" if query else "")

    response = None
    # Flash messages are shown once, so a page that carries them is never a 304.
    if not has_personal_messages(request):
        response = get_conditional_response(request, etag=etag, last_modified=stamp)
    if response is None:
        if personal or has_personal_messages(request):
            parts = cache.get(page_key)
            if parts is None:
                parts = _store(request, page_key, template_name, build, back)[0]
            response = HttpResponse(personal_parts.for_reader(parts, request, back=back))
        else:
            # Readers without a session all get the same bytes: no token, nothing personal.
            gzipped = accepts_gzip(request)
            body = cache.get(f"{page_key}:gz" if gzipped else f"{page_key}:anyone")
            if body is None:
                _, anyone, anyone_gzip = _store(request, page_key, template_name, build, back)
                body = anyone_gzip if gzipped else anyone
            response = stored_response(body, gzipped=gzipped)
    response.headers["ETag"] = etag
    if stamp is not None:
        response.headers["Last-Modified"] = http_date(stamp)
    if personal:
        patch_cache_control(response, private=True, no_cache=True)
    else:
        patch_cache_control(response, public=True, max_age=0, s_maxage=SHARED_MAX_AGE_SECONDS)
    # The reader's time-zone cookie and session change what the page says.
    patch_vary_headers(response, ["Cookie"])
    return response


def _store(request, page_key, template_name, build, back) -> tuple[Parts, bytes, bytes]:
    html = render_to_string(template_name, build() | _NOBODY, request=request)
    parts = personal_parts.split(html.encode())
    anyone = personal_parts.for_anyone(parts, request, back=back)
    anyone_gzip = compress_string(anyone)
    cache.set_many(
        {page_key: parts, f"{page_key}:anyone": anyone, f"{page_key}:gz": anyone_gzip},
        PAGE_CACHE_SECONDS,
    )
    return parts, anyone, anyone_gzip
