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
import gzip
import hashlib
import io
import secrets
import threading
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

from confguide import personal as personal_parts
from confguide.personal import has_personal_messages, saved_ids

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


# Most values of one query parameter a page reads (a filter's several values). A
# key holds one more, so that a link with too many is not keyed as one with the most.
MAX_PARAMETER_VALUES = 50


def query_key(
    request: HttpRequest, names: Iterable[str], *, multiple: Iterable[str] = ()
) -> tuple[tuple[str, str], ...]:
    """The query parameters a page reads, as a key part; any others are ignored.

    A page reads one value of each name (the last, as QueryDict.get does),
    except those in `multiple`, which it reads every value of (`?theme=a&theme=b`):
    those are keyed in a fixed order and once each, so the same filters in
    another order find the same page.
    """
    multiple = frozenset(multiple)
    key = []
    for name in sorted(set(names) | multiple):
        if name in multiple:
            values = {value[:MAX_PARAMETER_LENGTH] for value in request.GET.getlist(name) if value}
            key += [(name, value) for value in sorted(values)[: MAX_PARAMETER_VALUES + 1]]
        elif request.GET.get(name):
            key.append((name, request.GET.get(name, "")[:MAX_PARAMETER_LENGTH]))
    return tuple(key)


def minute(now: dt.datetime) -> dt.datetime:
    """For pages that show what is on now: they change every minute.

    Goes into the key, and into Last-Modified beside the content's own time.
    """
    return now.replace(second=0, microsecond=0)


def quarter_hour(now: dt.datetime) -> dt.datetime:
    """For pages that show which events are on, upcoming or past.

    An event's day starts at 04:00 in its own zone, and every zone's offset is
    a whole number of quarter hours, so these pages can change only on one.
    """
    return minute(now).replace(minute=now.minute // 15 * 15)


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
    # The reader's forms carry a token made from their CSRF secret, which a new
    # sign-in replaces: a copy kept from before must not be revalidated (304).
    secret = request.META.get("CSRF_COOKIE", "")
    return _digest(f"{who}|{saved}|{secret}", 8), True


def accepts_gzip(request: HttpRequest) -> bool:
    return bool(re_accepts_gzip.search(request.headers.get("Accept-Encoding", "")))


def stored_response(body: bytes, *, gzipped: bool, content_type: str | None = None):
    """A response whose `body` is gzipped already when `gzipped` (GZipMiddleware skips it)."""
    response = HttpResponse(body, content_type=content_type)
    if gzipped:
        response.headers["Content-Encoding"] = "gzip"
    patch_vary_headers(response, ["Accept-Encoding"])
    return response


# A signed-in reader's copy is compressed for them alone, on every request: at
# level 3 a 470 KB day takes 1.5 ms instead of 3.6 ms at GZipMiddleware's 6,
# for 44 KB on the wire instead of 37 KB.
PERSONAL_GZIP_LEVEL = 3
# Up to this many random bytes in the gzip header's file name, as Django's
# GZipMiddleware adds (its "Heal the Breach" mitigation), since this copy
# holds the reader's CSRF token (itself masked afresh on every response).
PERSONAL_GZIP_PADDING = 100


def _gzip_for_one_reader(body: bytes) -> bytes:
    buffer = io.BytesIO()
    padding = secrets.token_hex(secrets.randbelow(PERSONAL_GZIP_PADDING // 2) + 1)
    with gzip.GzipFile(
        filename=padding, mode="wb", fileobj=buffer, compresslevel=PERSONAL_GZIP_LEVEL, mtime=0
    ) as packed:
        packed.write(body)
    return buffer.getvalue()


def cached_page(
    request: HttpRequest,
    *,
    template_name: str,
    key: Iterable[Any],
    build: Callable[[], dict[str, Any]],
    query: Iterable[tuple[str, str]] = (),
    last_modified: dt.datetime | None = None,
    store: bool = True,
) -> HttpResponse:
    """The page from the shared cache, or rendered by `build()` and kept there.

    `query` is the page's own query parameters (see query_key): forms on the
    page lead back to the path with those, never with anything else.
    `last_modified` is when what the page shows last changed, the clock included
    for pages that follow it (see minute and quarter_hour). With `store=False`
    the page is rendered for this request only (free-text searches: every
    query would be a new entry, and a stream of them would evict the rest).
    """
    zone = request.reader_tz.key if getattr(request, "reader_tz", None) else ""
    match = getattr(request, "resolver_match", None)
    view = match.view_name if match else ""
    query = tuple(query)
    page_key = "page:" + _digest(repr((template_name, view, request.path, tuple(key), query, zone)))
    reader, personal = _reader_state(request)
    # Flash messages are shown once: a page that carries them is the reader's
    # own, and never a 304.
    messages_waiting = has_personal_messages(request)
    personal = personal or messages_waiting
    etag = f'W/"{page_key[5:21]}-{reader}"'
    stamp = int(last_modified.timestamp()) if last_modified and not personal else None
    back = request.path + (f"?{urlencode(query)}" if query else "")

    response = None
    if not messages_waiting:
        response = get_conditional_response(request, etag=etag, last_modified=stamp)
    if response is None:

        def stored(suffix: str):
            if not store:
                return _render(request, template_name, build, back)[suffix]
            return _stored(request, page_key, suffix, template_name, build, back)

        gzipped = accepts_gzip(request)
        if personal:
            body = personal_parts.for_reader(stored(""), request, back=back)
            body = _gzip_for_one_reader(body) if gzipped else body
        else:
            # Readers without a session all get the same bytes, compressed once when
            # stored: they hold no token and nothing personal, so BREACH finds nothing.
            body = stored(":gz" if gzipped else ":anyone")
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


# One render at a time per page in each process: when a crowd's page misses
# (the programme just changed), the other threads wait for that render and
# read its result instead of all rendering the same page at once. Pages share
# a fixed set of locks by their key, so nothing grows and nothing is cleaned up.
_RENDER_LOCKS = tuple(threading.Lock() for _ in range(64))


def _stored(request, page_key: str, suffix: str, template_name: str, build, back: str):
    """One stored form of the page ("" the split parts, ":anyone", ":gz"), rendering on a miss."""
    found = cache.get(page_key + suffix)
    if found is not None:
        return found
    with _RENDER_LOCKS[int(page_key[-4:], 16) % len(_RENDER_LOCKS)]:
        found = cache.get(page_key + suffix)
        if found is None:
            found = _store(request, page_key, template_name, build, back)[suffix]
    return found


def _store(request, page_key: str, template_name: str, build, back: str) -> dict[str, Any]:
    forms = _render(request, template_name, build, back)
    cache.set_many(
        {page_key + suffix: value for suffix, value in forms.items()}, PAGE_CACHE_SECONDS
    )
    return forms


def _render(request, template_name: str, build, back: str) -> dict[str, Any]:
    """The page's stored forms: split for readers with a session, whole for the rest."""
    # Links back to this page (the time-zone chooser's) carry only the parameters
    # the page reads, never what the first reader happened to add; a view may
    # name a better address (the schedule names the day it shows).
    context = {"return_path": back} | build() | _NOBODY
    html = render_to_string(template_name, context, request=request)
    parts = personal_parts.split(html.encode())
    anyone = personal_parts.for_anyone(parts, request, back=back)
    return {"": parts, ":anyone": anyone, ":gz": compress_string(anyone)}
