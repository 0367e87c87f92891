"""The designed 404 under DEBUG too, so `make run` shows what readers will see.

With DEBUG on, Django answers a missing page with its technical 404 (the URL
patterns it tried) and never calls the 404 handler. Developers get the site's
own page instead, in the site's layout, unless they ask for Django's with
DEBUG_TECHNICAL_ERRORS=true. With DEBUG off this does nothing: Django renders
404.html itself. Server errors keep Django's traceback page under DEBUG, which
is what a developer needs from them.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.views import defaults


def _designed_404_wanted() -> bool:
    return settings.DEBUG and not settings.DEBUG_TECHNICAL_ERRORS


class DesignedNotFoundMiddleware:
    """Answers Http404 with 404.html while DEBUG is on (see the module docstring).

    A view's Http404 arrives in process_exception. An address no URL pattern
    matches fails before any view, so it arrives as Django's technical 404
    response, told apart by the request never having been resolved. Placed
    innermost, so the per-reader parts of the page are filled in after it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code == 404
            and getattr(request, "resolver_match", None) is None
            and _designed_404_wanted()
        ):
            return defaults.page_not_found(request, Http404())
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, Http404) and _designed_404_wanted():
            return defaults.page_not_found(request, exception)
        return None
