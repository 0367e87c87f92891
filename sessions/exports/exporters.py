"""The formats an event's programme is published in, behind one interface.

Each exporter (pretalx organises its exports the same way) says what it is,
which sessions it lists and how it renders them; its freshness key says which
edits change its output. The view (exports/views.py) does the rest the same
way for every format: ETag and cache key from the freshness key, a
conditional GET answered from one query, the body built once per version.
"""

from __future__ import annotations

from django.urls import reverse

from confguide.links import absolute_url
from sessions.exports import calendar, frab
from sessions.models import Event, Session, Theme
from sessions.public.selectors import EventVersion


class Exporter:
    identifier: str
    content_type: str
    url_name: str

    def freshness_key(self, version: EventVersion, theme: Theme | None) -> str:
        """Changes whenever the output would: the event's content version moves with
        every edit its pages and exports show (sessions.content)."""
        return f"{self.identifier}|{version.pk}|{version.content_version}"

    def url_args(self, event_slug: str, theme: Theme | None) -> list[str]:
        return [event_slug]

    def feed_url(self, event_slug: str, theme: Theme | None) -> str:
        return absolute_url(reverse(self.url_name, args=self.url_args(event_slug, theme)))

    def listed(self, sessions: list[Session]) -> list[Session]:
        """The sessions the format lists, from the event's exportable ones."""
        return sessions

    def render(self, event: Event, sessions: list[Session], theme: Theme | None) -> bytes:
        raise NotImplementedError


class FrabXml(Exporter):
    """The frab schedule XML that Giggity, ConfClerk, EventFahrplan and pretalx read."""

    identifier = "frab-xml"
    content_type = "application/xml; charset=utf-8"
    url_name = "exports:frab_xml"

    def listed(self, sessions):
        # frab has no "cancelled": apps drop a talk that leaves the feed.
        return [session for session in sessions if not session.is_cancelled]

    write = staticmethod(frab.frab_xml)

    def render(self, event, sessions, theme):
        return self.write(
            event, sessions, url_of=calendar.session_url, feed_url=self.feed_url(event.slug, theme)
        )


class FrabJson(FrabXml):
    """The same schedule in frab's JSON shape."""

    identifier = "frab-json"
    content_type = "application/json"
    url_name = "exports:frab_json"
    write = staticmethod(frab.frab_json)


class EventCalendar(Exporter):
    """Every session, cancelled ones marked so, for calendar apps that subscribe."""

    identifier = "ics"
    content_type = "text/calendar; charset=utf-8"
    url_name = "exports:event_ics"

    def render(self, event, sessions, theme):
        return calendar.build_calendar(
            sessions,
            name=event.name,
            description=f"Every session of {event.name} in the guide.",
            url=self.feed_url(event.slug, theme),
        )


class ThemeCalendar(EventCalendar):
    """The event's sessions in one theme."""

    identifier = "ics-theme"
    url_name = "exports:theme_ics"

    def freshness_key(self, version, theme):
        # A theme's own name shows in its calendar even where the event has none
        # of its sessions, so a rename must change it.
        return f"{super().freshness_key(version, theme)}|{theme.pk}|{theme.name}"

    def url_args(self, event_slug, theme):
        return [event_slug, theme.slug]

    def render(self, event, sessions, theme):
        return calendar.build_calendar(
            sessions,
            name=f"{event.name}: {theme.name}",
            description=f"Sessions of {event.name} on {theme.name}, picked by the guide.",
            url=self.feed_url(event.slug, theme),
        )


FRAB_XML, FRAB_JSON = FrabXml(), FrabJson()
EVENT_CALENDAR, THEME_CALENDAR = EventCalendar(), ThemeCalendar()
