"""Installable and usable offline: the web app manifest, the service worker, clearing it all.

The worker (templates/offline/sw.js) is served from the site's root so that
its scope is the whole site. It is a template only to name the static files
it keeps by their hashed names; it changes whenever one of them does, so the
browser installs the new worker and drops the old cache. What it keeps, and
how a page read from its copy says so, is described in the worker itself.

Personal pages kept in the browser (my schedule) must not outlive the
account that saw them: whenever the signed-in account changes in a request
(sign-in, sign-out, account deletion) the response tells the browser to clear
the site's caches and storage, service worker included (Clear-Site-Data).
"""

from __future__ import annotations

import hashlib
import json

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.cache import get_conditional_response
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

NAME = "confguide"
THEME_COLOUR = "#14375e"
BACKGROUND_COLOUR = "#ffffff"
# Every page's own static files: kept at install, so any kept page works offline.
PAGE_ASSETS = (
    "vendor/bootstrap/css/bootstrap.min.css",
    "css/site.css",
    "vendor/bootstrap/js/bootstrap.bundle.min.js",
    "js/time-zone.js",
    "js/myschedule.js",
    "js/offline.js",
    "img/favicon.svg",
)
ICONS = (
    ("img/icons/icon-192.png", "192x192", "image/png", "any"),
    ("img/icons/icon-512.png", "512x512", "image/png", "any"),
    ("img/icons/icon-maskable-512.png", "512x512", "image/png", "maskable"),
    ("img/favicon.svg", "any", "image/svg+xml", "any"),
)
CLEAR_SITE_DATA = '"cache", "storage"'


def manifest_data() -> dict:
    return {
        "name": f"{NAME}: conference guide",
        "short_name": NAME,
        "description": "Curated conference sessions and your own schedule, also offline.",
        "id": "/",
        "start_url": reverse("myschedule:index"),
        "scope": "/",
        "display": "standalone",
        "lang": "en-GB",
        "theme_color": THEME_COLOUR,
        "background_color": BACKGROUND_COLOUR,
        "icons": [
            {"src": static(path), "sizes": sizes, "type": kind, "purpose": purpose}
            for path, sizes, kind, purpose in ICONS
        ],
    }


@require_safe
@cache_control(max_age=60 * 60, public=True)
def manifest(request: HttpRequest) -> HttpResponse:
    return HttpResponse(
        json.dumps(manifest_data(), indent=1), content_type="application/manifest+json"
    )


def worker_source() -> str:
    # Each once: Cache.addAll() refuses a list that names a request twice.
    names = dict.fromkeys([*PAGE_ASSETS, *(path for path, *_ in ICONS)])
    precache = [static(name) for name in names] + [reverse("conference:theme_css")]
    body = render_to_string(
        "offline/sw.js",
        {
            "precache_json": json.dumps(precache),
            "my_schedule": reverse("myschedule:index"),
            "static_prefix": settings.STATIC_URL,
        },
    )
    # The version names the cache: a new static file or worker means a new cache.
    version = hashlib.blake2b(body.encode(), digest_size=6).hexdigest()
    return body.replace("__CACHE_VERSION__", version)


@require_safe
def service_worker(request: HttpRequest) -> HttpResponse:
    source = worker_source()
    # Browsers ask for it again on navigations: an unchanged worker is a 304.
    etag = f'"{hashlib.blake2b(source.encode(), digest_size=12).hexdigest()}"'
    response = get_conditional_response(request, etag=etag) or HttpResponse(
        source, content_type="text/javascript; charset=utf-8"
    )
    response["ETag"] = etag
    # Browsers check for a new worker at most daily anyway; never keep it longer.
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/"
    return response


class ClearSiteDataMiddleware:
    """Clears the browser's copies of the site when the signed-in account changes.

    Compares the account in the session before and after the view: signing
    out, deleting the account, and signing in (perhaps as someone else on a
    shared phone) all change it, and none of them may leave one person's
    offline schedule for the next.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        before = session.get(SESSION_KEY) if session is not None else None
        response = self.get_response(request)
        after = session.get(SESSION_KEY) if session is not None else None
        if before != after:
            response["Clear-Site-Data"] = CLEAR_SITE_DATA
        return response
