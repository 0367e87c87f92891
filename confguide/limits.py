"""Request bodies larger than their endpoint accepts are refused before they are read.

Django reads a body into memory or onto disk before any view can look at its
size; a 200 MB post to a small form would be received in full and only then
refused. This middleware answers 413 from the Content-Length alone. (A
buffering proxy in front should refuse them even earlier: see docker/nginx.conf.)
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.defaultfilters import filesizeformat
from django.template.loader import render_to_string


def body_limit(request: HttpRequest) -> int:
    """What this endpoint accepts: the editors' admin takes schedule uploads."""
    if request.path.startswith(settings.ADMIN_PATH_PREFIX):
        return settings.ADMIN_MAX_BODY_BYTES
    return settings.MAX_BODY_BYTES


def too_large(limit: int) -> HttpResponse:
    body = render_to_string("413.html", {"limit": filesizeformat(limit)})
    return HttpResponse(body, status=413)


class RequestBodyLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = body_limit(request)
        if length > limit:
            return too_large(limit)
        return self.get_response(request)
