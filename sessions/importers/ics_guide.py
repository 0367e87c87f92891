"""What a guide's own calendar (sessions.exports.calendar) says beyond any calendar.

Its PRODID names the guide. Such a calendar lists cancelled sessions as
STATUS:CANCELLED, which an import leaves out, as frab files leave them out;
its UID is the session's guid; X-CONFGUIDE-ROOM is the room (none without
it); the CATEGORIES marked X-CONFGUIDE=THEMES are the themes, the other
CATEGORIES the official track; SUMMARY's LANGUAGE the language.

A calendar does not hold a session's speakers, abstract, format or official
link exactly (DESCRIPTION is written for people), so it gives only the fields
of GIVEN: importing it into the event it came from changes nothing, and into
another event gives sessions with what a calendar can carry.
"""

from __future__ import annotations

from sessions.exports.calendar import PRODID, ROOM_PROPERTY, THEMES, THEMES_PARAMETER
from sessions.importers import ics_calendar
from sessions.importers.base import ParsedSession

GIVEN = frozenset({"title", "starts_at", "ends_at", "room_id", "track", "language", "status"})


def is_guide_calendar(calendar: ics_calendar.Calendar) -> bool:
    return calendar.text("PRODID") == PRODID


def is_cancelled(entry: ics_calendar.Entry) -> bool:
    return entry.text("STATUS").upper() == "CANCELLED"


def read(entry: ics_calendar.Entry, session: ParsedSession) -> None:
    """Set what the guide's calendar says of the session exactly; the rest stays unread."""
    component = entry.component
    session.title = str(component.get("SUMMARY", ""))  # as the guide has it, spaces and all
    session.guid = entry.uid
    session.room = entry.text(ROOM_PROPERTY)
    track, themes = "", []
    found = component.get("CATEGORIES") or []
    for categories in found if isinstance(found, list) else [found]:
        values = [str(value).strip() for value in getattr(categories, "cats", [])]
        if categories.params.get(THEMES_PARAMETER, "").upper() == THEMES:
            themes += values
        elif values and not track:
            track = values[0]
    session.track, session.themes = track, [theme for theme in themes if theme]
    summary = component.get("SUMMARY")
    session.language = str(getattr(summary, "params", {}).get("LANGUAGE", ""))
    session.fields_given = GIVEN
