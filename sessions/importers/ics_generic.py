"""Any other iCalendar file: a conference's calendar from a tool we do not know.

Titles are taken as they are (no guessing speakers from a dash in SUMMARY);
speakers are the people ATTENDEE names (CN, "Name [Company]" as pretalx
writes affiliations); CATEGORIES is the track, LOCATION the room. Venue
logistics (badge pick-up, coffee breaks, lunch) are left out, as for Sched.
"""

from __future__ import annotations

from sessions.importers import ics_calendar, ics_guide, zones
from sessions.importers.base import (
    ParsedConference,
    ParsedSchedule,
    ParsedSession,
    ReadOptions,
    finish,
    guess_format,
)


def parse(data: bytes, options: ReadOptions) -> ParsedSchedule:
    calendar = ics_calendar.read(data, options)
    sessions, skipped = [], []
    guide = ics_guide.is_guide_calendar(calendar)
    for entry in calendar.entries:
        options.limits.check_time(entry.where)
        title = " ".join(entry.text("SUMMARY").split())
        if guide:  # its entries are sessions; a cancelled one is left out, as frab leaves it
            if not ics_guide.is_cancelled(entry):
                sessions.append(_session(entry, title))
                ics_guide.read(entry, sessions[-1])
        elif ics_calendar.is_logistics(title, entry.category):
            skipped.append(title)
        else:
            sessions.append(_session(entry, title))
    conference = ParsedConference(name=calendar.name, website_url=calendar.text("URL"))
    warnings = list(calendar.warnings)
    zones.settle(conference, calendar.zone, warnings)
    return finish("ics", conference, sessions, skipped, warnings)


def _session(entry: ics_calendar.Entry, title: str) -> ParsedSession:
    category = entry.category
    return ParsedSession(
        source_id=entry.uid,
        title=title,
        starts_at=entry.starts_at,
        ends_at=entry.ends_at,
        where=entry.where,
        room=ics_calendar.room(entry.text("LOCATION")),
        track=ics_calendar.clean_category(category),
        format=guess_format(title.split(":")[0] if ":" in title else "", category, default="talk"),
        abstract=ics_calendar.plain(entry.text("DESCRIPTION")),
        schedule_url=entry.text("URL"),
        people=entry.attendees,
    )
