"""The conference's sections of sitemap.xml: events, schedules, sessions, people, themes."""

from __future__ import annotations

from django.db.models import Max
from django.urls import reverse

from confguide.sitemaps import SiteUrlSitemap
from sessions.public import selectors


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
