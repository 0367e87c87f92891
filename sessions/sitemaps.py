"""sitemap.xml: every public page, with absolute URLs on SITE_URL."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.urls import reverse

from . import selectors


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


class StaticPagesSitemap(SiteUrlSitemap):
    def items(self):
        return [
            "home",
            "conference:event_list",
            "conference:speaker_list",
            "conference:company_list",
            "conference:theme_list",
        ]

    def location(self, item):
        return reverse(item)


class EventSitemap(SiteUrlSitemap):
    def items(self):
        return selectors.sitemap_events()

    def lastmod(self, event):
        return event.updated_at


class ScheduleSitemap(EventSitemap):
    def location(self, event):
        return reverse("conference:schedule", kwargs={"slug": event.slug})


class SessionSitemap(SiteUrlSitemap):
    def items(self):
        return selectors.sitemap_sessions()

    def lastmod(self, session):
        return session.updated_at


class SpeakerSitemap(SiteUrlSitemap):
    def items(self):
        return selectors.sitemap_speakers()

    def lastmod(self, speaker):
        return speaker.updated_at


class CompanySitemap(SiteUrlSitemap):
    def items(self):
        return selectors.sitemap_companies()

    def lastmod(self, company):
        return company.updated_at


class ThemeSitemap(SiteUrlSitemap):
    lastmod_field = "last_change"

    def get_latest_lastmod(self):
        return selectors.sitemap_themes().aggregate(latest=Max("sessions__updated_at"))["latest"]

    def items(self):
        return selectors.sitemap_themes()

    def lastmod(self, theme):
        # A theme page changes when one of its sessions does.
        return theme.last_change


SITEMAPS = {
    "pages": StaticPagesSitemap,
    "events": EventSitemap,
    "schedules": ScheduleSitemap,
    "sessions": SessionSitemap,
    "speakers": SpeakerSitemap,
    "companies": CompanySitemap,
    "themes": ThemeSitemap,
}
