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
    ReadOptions,
    finish,
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
                sessions.append(ics_calendar.session(entry, title, entry.attendees))
                ics_guide.read(entry, sessions[-1])
        elif ics_calendar.is_logistics(title, entry.category):
            skipped.append(title)
        else:
            sessions.append(ics_calendar.session(entry, title, entry.attendees))
    conference = ParsedConference(name=calendar.name, website_url=calendar.text("URL"))
    warnings = list(calendar.warnings)
    zones.settle(conference, calendar.zone, warnings)
    return finish("ics", conference, sessions, skipped, warnings)
