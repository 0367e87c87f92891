"""sitemap.xml and robots.txt for the whole site.

Each app contributes its own sections (subclasses of SiteUrlSitemap); the URL
configuration, which knows every app, puts them together.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import SitemapIndexItem
from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_safe

from confguide.links import absolute_url


class SiteUrlSitemap(Sitemap):
    """Uses SITE_URL rather than the sites framework or the request's Host header."""

    limit = 5000
    # The index asks each section for its latest change: one aggregate query
    # instead of Django's default of loading every item.
    lastmod_field = "updated_at"

    def get_latest_lastmod(self):
        if not hasattr(self, "lastmod"):
            return None
        return self.items().aggregate(latest=Max(self.lastmod_field))["latest"]

    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme or "https"

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc


@require_safe
def sitemap_index(request: HttpRequest, sitemaps: dict) -> HttpResponse:
    """The sitemap index: one sitemap per kind of page, at SITE_URL."""
    entries = []
    for section, sitemap_class in sitemaps.items():
        sitemap = sitemap_class()
        location = absolute_url(reverse("sitemap_section", kwargs={"section": section}))
        lastmod = sitemap.get_latest_lastmod()
        entries.append(SitemapIndexItem(location, lastmod))
        entries += [
            SitemapIndexItem(f"{location}?p={page}", lastmod)
            for page in range(2, sitemap.paginator.num_pages + 1)
        ]
    return TemplateResponse(
        request, "sitemap_index.xml", {"sitemaps": entries}, content_type="application/xml"
    )


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /time-zone/",
        "",
        f"Sitemap: {settings.SITE_URL}{reverse('sitemap')}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
