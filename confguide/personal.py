"""The per-reader holes in pages that are rendered once and served to many.

A cached page (confguide.pagecache) is the same for every reader who asks for
it with the same key. What differs per reader is left in it as a marker, an
HTML comment that no escaped or sanitised text can contain, and is filled in
for each reader:

- `account`: the signed-in or signed-out part of the navigation;
- `messages`: the flash messages, if any;
- `csrf`: a CSRF form field;
- `toggle_form`: the one form every "Add to my schedule" button submits. For
  a reader with a session it posts, with their CSRF token. For a reader with
  none it is a GET to the confirmation page: such a page holds no secret and
  is the same for every one of them, so it is served as it was stored;
- `toggle:<id>` … `saved` … `end`: a session's toggle, both states rendered;
  the reader's saved sessions pick one (one query, and only on pages with toggles).

A page is split at its markers once, when it is stored; filling it is then a
join, with no template rendered but the navigation's small one. Pages that
are not cached have their markers filled by the middleware at the end.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages as flash
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html

from confguide import contributions

MARKER = re.compile(
    rb"<!--cg:(?:toggle:(\d+)-->(.*?)<!--cg:saved-->(.*?)<!--cg:end|(\w+))-->", re.DOTALL
)
# Sent by the service worker when it fetches a page to keep for offline use.
OFFLINE_COPY_HEADER = "X-Offline-Copy"
# Back to the same page after a toggle, unless its address is absurdly long.
MAX_NEXT_LENGTH = 1000


def marker(name: str) -> str:
    return f"<!--cg:{name}-->"


def saved_ids(request: HttpRequest) -> set[int]:
    """The reader's saved session ids, looked up once per request."""
    if not hasattr(request, "_saved_session_ids"):
        request._saved_session_ids = contributions.saved_session_ids(request)
    return request._saved_session_ids


def has_personal_messages(request: HttpRequest) -> bool:
    """Whether flash messages wait for this reader (reads them without using them up)."""
    return bool(len(flash.get_messages(request)))


def is_offline_copy(request: HttpRequest) -> bool:
    """A page the service worker fetches to keep for offline use (templates/offline/sw.js).

    It leaves the reader's flash messages alone: they belong to the page the
    reader opens next, not to a copy fetched in the background.
    """
    return OFFLINE_COPY_HEADER in request.headers


def return_path(request: HttpRequest) -> str:
    full_path = request.get_full_path()
    return full_path if len(full_path) <= MAX_NEXT_LENGTH else request.path


@dataclass(frozen=True)
class Parts:
    """A page split at its markers, ready to be filled in for a reader.

    `pieces` is the page in order, with an empty slot where each marker was;
    `holes` says what goes in each slot: a marker's name, or a toggle as
    (session id, the unsaved form, the saved form). Filling is a list copy and
    one assignment per hole.
    """

    pieces: list[bytes]
    holes: list[tuple[int, str] | tuple[int, int, bytes, bytes]]

    @property
    def has_toggles(self) -> bool:
        return any(len(hole) == 4 for hole in self.holes)


def split(html: bytes) -> Parts:
    pieces: list[bytes] = []
    holes: list = []
    position = 0
    for match in MARKER.finditer(html):
        pieces.append(html[position : match.start()])
        session_id, unsaved, saved, name = match.groups()
        slot = len(pieces)
        pieces.append(b"")
        if session_id is not None:
            holes.append((slot, int(session_id), unsaved, saved))
        else:
            holes.append((slot, name.decode()))
        position = match.end()
    pieces.append(html[position:])
    return Parts(pieces, holes)


def join(parts: Parts, fill: Callable[[str], bytes], saved: Callable[[], set[int]]) -> bytes:
    out = list(parts.pieces)
    filled: dict[str, bytes] = {}
    for hole in parts.holes:
        if len(hole) == 4:
            slot, session_id, unsaved_form, saved_form = hole
            out[slot] = saved_form if session_id in saved() else unsaved_form
        else:
            slot, name = hole
            if name not in filled:
                filled[name] = fill(name)
            out[slot] = filled[name]
    return b"".join(out)


def _csrf_input(request: HttpRequest) -> str:
    return format_html(
        '<input type="hidden" name="csrfmiddlewaretoken" value="{}">', get_token(request)
    )


def _toggle_form(*, method: str, action: str, back: str, csrf: str = "") -> str:
    return format_html(
        '<form id="schedule-toggle" method="{}" action="{}" hidden>{}'
        '<input type="hidden" name="next" value="{}"></form>',
        method,
        action,
        csrf,
        back,
    )


def for_reader(parts: Parts, request: HttpRequest, *, back: str | None = None) -> bytes:
    """The page as this reader sees it."""

    def fill(name: str) -> bytes:
        html = ""  # an unknown marker is dropped rather than shown
        if name == "csrf":
            html = _csrf_input(request)
        elif name == "toggle_form" and parts.has_toggles:
            back_here = back or return_path(request)
            html = _toggle_form(
                method="post", action=request.path, back=back_here, csrf=_csrf_input(request)
            )
        elif name == "account":
            html = render_to_string("includes/_account_nav.html", request=request)
        elif name == "messages" and has_personal_messages(request) and not is_offline_copy(request):
            html = render_to_string("includes/_messages.html", request=request)
        return html.encode()

    return join(parts, fill, lambda: saved_ids(request))


def for_anyone(parts: Parts, request: HttpRequest, *, back: str) -> bytes:
    """The page as every reader without a session sees it: no secret, nothing saved."""
    has_toggles = parts.has_toggles

    def fill(name: str) -> bytes:
        if name == "csrf":
            raise ImproperlyConfigured(
                "A cached page holds a CSRF form, but readers without a session get it "
                "without a token: put the form on a page of its own (see the time-zone chooser)."
            )
        if name == "toggle_form" and has_toggles:
            # No session, so no token: the buttons lead to a page that asks to confirm.
            action = reverse("myschedule:index")
            return _toggle_form(method="get", action=action, back=back).encode()
        if name == "account":
            context = {"user": AnonymousUser(), "request": request}
            return render_to_string("includes/_account_nav.html", context).encode()
        return b""

    return join(parts, fill, lambda: frozenset())


class PersonalPartsMiddleware:
    """Fill in the markers of pages that were not served from the page cache.

    Goes last in MIDDLEWARE, so it sees the finished page first on the way out.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.streaming
            or not response.get("Content-Type", "").startswith("text/html")
            or b"<!--cg:" not in response.content
        ):
            return response
        response.content = for_reader(split(response.content), request)
        return response
