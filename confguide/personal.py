"""The per-reader holes in pages that are rendered once and served to many.

A cached page (confguide.pagecache) is the same for every reader who asks for
it with the same key. What differs per reader is left in it as a marker, an
HTML comment no escaped or sanitised text can contain, and this middleware
fills the markers in on the way out, for every HTML response:

- `csrf`: the CSRF form field; `nonce`: the CSP nonce;
- `account`: the signed-in or signed-out part of the navigation;
- `messages`: the flash messages, if any;
- `toggle_form`: the one form every "Add to my schedule" button submits;
- `toggle:<id>` … `saved` … `end`: a session's toggle, both states rendered;
  the reader's saved sessions pick one (one query, and only on pages with toggles).

Filling them is a single pass over the page: no template is rendered for a
reader who gets a cached page, bar the two small ones above.
"""

from __future__ import annotations

import re

from django.contrib import messages as flash
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.html import format_html

MARKER = re.compile(
    rb"<!--cg:(?:toggle:(\d+)-->(.*?)<!--cg:saved-->(.*?)<!--cg:end|(\w+))-->", re.DOTALL
)
# Back to the same page after a toggle, unless its address is absurdly long.
MAX_NEXT_LENGTH = 1000


def marker(name: str) -> str:
    return f"<!--cg:{name}-->"


def saved_ids(request: HttpRequest) -> set[int]:
    """The reader's saved session ids, looked up once per request."""
    if not hasattr(request, "_saved_session_ids"):
        from sessions.myschedule.selectors import saved_session_ids

        request._saved_session_ids = saved_session_ids(request)
    return request._saved_session_ids


def has_personal_messages(request: HttpRequest) -> bool:
    """Whether flash messages wait for this reader (reads them without using them up)."""
    return bool(len(flash.get_messages(request)))


def return_path(request: HttpRequest) -> str:
    full_path = request.get_full_path()
    return full_path if len(full_path) <= MAX_NEXT_LENGTH else request.path


class _Holes:
    def __init__(self, request: HttpRequest, *, has_toggles: bool):
        self.request = request
        self.has_toggles = has_toggles
        self.filled: dict[bytes, bytes] = {}

    def __call__(self, match: re.Match) -> bytes:
        session_id, unsaved, saved, name = match.groups()
        if session_id is not None:
            return saved if int(session_id) in saved_ids(self.request) else unsaved
        if name not in self.filled:
            self.filled[name] = self._fill(name.decode()).encode()
        return self.filled[name]

    def _fill(self, name: str) -> str:
        request = self.request
        if name == "csrf":
            return format_html(
                '<input type="hidden" name="csrfmiddlewaretoken" value="{}">', get_token(request)
            )
        if name == "nonce":
            return str(getattr(request, "_csp_nonce", ""))
        if name == "toggle_form":
            if not self.has_toggles:
                return ""
            return format_html(
                '<form id="schedule-toggle" method="post" action="{}" hidden>'
                '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
                '<input type="hidden" name="next" value="{}"></form>',
                request.path,
                get_token(request),
                return_path(request),
            )
        if name == "account":
            return render_to_string("includes/_account_nav.html", request=request)
        if name == "messages":
            if not has_personal_messages(request):
                return ""
            return render_to_string("includes/_messages.html", request=request)
        return ""  # an unknown marker is dropped rather than shown


class PersonalPartsMiddleware:
    """Fill in each page's per-reader markers. Goes last in MIDDLEWARE."""

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
        holes = _Holes(request, has_toggles=b"<!--cg:toggle:" in response.content)
        response.content = MARKER.sub(holes, response.content)
        return response
