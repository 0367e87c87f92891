"""iCalendar (RFC 5545 with RFC 7986 extensions) for sessions.

One implementation serves every calendar the site publishes: a single
session's download, the attendee's personal feed and the event and theme
feeds. Calendar apps that re-fetch a feed recognise each session by its UID,
move it when SEQUENCE rises and show it cancelled when STATUS says so.

CATEGORIES holds the official track, then (in a second CATEGORIES marked
X-CONFGUIDE=THEMES) the guide's themes; SUMMARY says the session's language
when it is known. X-CONFGUIDE-ROOM names the room alone (LOCATION adds the
venue), so that an import of the calendar (sessions.importers.ics_guide) gives
back the room, or none.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping, Sequence

import icalendar
from django.utils import timezone

from confguide.links import absolute_url
from sessions.exports.text import printable
from sessions.models import Session

PRODID = "-//confguide//Conference guide//EN"
DEFAULT_REFRESH = dt.timedelta(hours=1)
# The parameter that tells the themes' CATEGORIES from the official track's, and
# the property with the room's name.
THEMES_PARAMETER, THEMES = "X-CONFGUIDE", "THEMES"
ROOM_PROPERTY = "X-CONFGUIDE-ROOM"
# A language tag (RFC 5646), as a LANGUAGE parameter may hold one.
LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*")


def session_url(session: Session) -> str:
    """The guide's own page of the session, as calendars and exports link to it."""
    return absolute_url(session.get_absolute_url())


def session_component(
    session: Session,
    *,
    stamp: dt.datetime,
    url_of: Callable[[Session], str] = session_url,
    backups: Sequence[Session] = (),
) -> icalendar.Event:
    """A VEVENT for a session fetched with SessionQuerySet.for_listing().

    `backups`: in a personal feed, the plan B sessions the attendee keeps for
    this one's slot; they are named in its description, not exported.
    """
    event = session.event
    tz = event.tz
    component = icalendar.Event()
    # The UID is a UUID of the session's own: no host name, no user.
    component.add("uid", str(session.uid))
    component.add("dtstamp", stamp)
    component.add("dtstart", session.starts_at.astimezone(tz))
    component.add("dtend", session.ends_at.astimezone(tz))
    language = session.language if LANGUAGE_TAG.fullmatch(session.language) else ""
    component.add(
        "summary", printable(session.title), parameters={"LANGUAGE": language} if language else None
    )
    component.add("sequence", session.sequence)
    component.add("created", session.created_at)
    component.add("last-modified", session.schedule_changed_at or session.created_at)
    component.add(
        "status", "CANCELLED" if session.status == Session.Status.CANCELLED else "CONFIRMED"
    )
    url = url_of(session)
    component.add("url", url)
    component.add("location", printable(_location(session)))
    if session.room:
        component.add(ROOM_PROPERTY, printable(session.room.name))
    component.add(
        "description", printable(_description(session, url, backups=backups, url_of=url_of))
    )
    if session.track:
        component.add("categories", [printable(session.track)])
    themes = [printable(theme.name) for theme in session.listed_themes]
    if themes:
        component.add("categories", themes, parameters={THEMES_PARAMETER: THEMES})
    return component


def _location(session: Session) -> str:
    event = session.event
    parts = [session.room.name] if session.room else []
    parts.append("Online" if event.is_virtual else (event.venue or event.name))
    return ", ".join(parts)


def _description(
    session: Session,
    url: str,
    *,
    backups: Sequence[Session] = (),
    url_of: Callable[[Session], str] = session_url,
) -> str:
    lines = []
    speakers = [
        f"{a.speaker.name} @ {a.company.name}" if a.company else a.speaker.name
        for a in session.listed_appearances
    ]
    if speakers:
        lines.append(", ".join(speakers))
    if session.editors_note:
        lines += ["", f"Why go: {session.editors_note}"]
    if session.abstract:
        lines += ["", session.abstract]
    lines += ["", url]
    if session.schedule_url:
        lines.append(f"Official schedule: {session.schedule_url}")
    for backup in backups:
        tz = backup.event.tz
        where = f", {backup.room.name}" if backup.room else ""
        lines += [
            "",
            f"Plan B: {backup.title} ({backup.starts_at.astimezone(tz):%H:%M}"
            f"\N{EN DASH}{backup.ends_at.astimezone(tz):%H:%M}{where})",
            url_of(backup),
        ]
    return "\n".join(lines)


def build_calendar(
    sessions: Iterable[Session],
    *,
    name: str,
    description: str = "",
    url: str = "",
    refresh: dt.timedelta = DEFAULT_REFRESH,
    url_of: Callable[[Session], str] = session_url,
    backups: Mapping[int, Sequence[Session]] | None = None,
) -> bytes:
    """A whole VCALENDAR, with a VTIMEZONE for every zone its events use.

    `backups` maps a session id to the plan B sessions named in its description.
    """
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    name, description = printable(name), printable(description)
    calendar.add("name", name)
    calendar.add("x-wr-calname", name)
    if description:
        calendar.add("description", description)
        calendar.add("x-wr-caldesc", description)
    if url:
        calendar.add("url", url)
    calendar.add("refresh-interval", refresh, parameters={"VALUE": "DURATION"})
    # An X- property has no type of its own: the duration goes as its text
    # (PT1H), which Outlook reads; added as a timedelta it was "1:00:00".
    calendar.add("x-published-ttl", icalendar.vDuration(refresh).to_ical().decode())
    stamp = timezone.now()
    for session in sessions:
        calendar.add_component(
            session_component(
                session, stamp=stamp, url_of=url_of, backups=(backups or {}).get(session.pk, ())
            )
        )
    calendar.add_missing_timezones()
    return calendar.to_ical()
