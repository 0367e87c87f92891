"""pretalx iCalendar exports (schedule.ics).

pretalx writes SUMMARY as "Title - Speaker, Speaker" (its speakers' display
names joined by ", ", and nothing after the dash when a session has no
speakers: "Governance Working Group - User Guide - "). Titles may hold " - "
themselves, and so may a name's affiliation in brackets ("Simon Westersund
[CSC - IT Center for Science]"), so the split is the last " - " outside
brackets. Times carry the event's TZID; the file has no conference name
(its PRODID names the pretalx host), and no tracks or session types.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from sessions.importers import ics_calendar, zones
from sessions.importers.base import (
    ParsedConference,
    ParsedPerson,
    ParsedSchedule,
    ParsedSession,
    Problem,
    ReadOptions,
    finish,
    guess_format,
)
from sessions.importers.people import person

SEPARATOR = " - "
# "https://cfp.example.org/2025/talk/ABC123/": the event's pages are under /2025/.
TALK_URL = re.compile(r"^(?P<base>https?://[^/]+/(?P<slug>[^/]+)/)talk/")


def parse(data: bytes, options: ReadOptions) -> ParsedSchedule:
    calendar = ics_calendar.read(data, options)
    sessions = []
    for entry in calendar.entries:
        options.limits.check_time(entry.where)
        sessions.append(_session(entry))
    warnings = list(calendar.warnings)
    conference = _conference(calendar, sessions, warnings)
    zones.settle(conference, calendar.zone, warnings)
    return finish("pretalx-ics", conference, sessions, warnings=warnings)


def _session(entry: ics_calendar.Entry) -> ParsedSession:
    title, people = split_summary(str(entry.component.get("SUMMARY", "")))
    return ParsedSession(
        source_id=entry.uid,
        # Spaced as pretalx's XML and JSON exports of the same talk are read.
        title=" ".join(title.split()),
        starts_at=entry.starts_at,
        ends_at=entry.ends_at,
        where=entry.where,
        room=entry.text("LOCATION"),
        format=guess_format(title.split(":")[0] if ":" in title else "", default="talk"),
        abstract=ics_calendar.plain(entry.text("DESCRIPTION")),
        schedule_url=entry.text("URL"),
        people=people or entry.attendees,
    )


def split_summary(summary: str) -> tuple[str, list[ParsedPerson]]:
    """'Title - A [X], B' → ('Title', [A at X, B]); 'Title - ' → ('Title', [])."""
    summary = summary.strip()
    if summary.endswith(" -"):
        # Nothing after the dash: no speakers, and the title may hold dashes of its own.
        return summary[:-2].strip(), []
    cut = _last_outside_brackets(summary, SEPARATOR)
    if cut < 0:
        return summary, []
    title, names = summary[:cut].strip(), summary[cut + len(SEPARATOR) :]
    if not title:
        return summary, []
    return title, [person(name) for name in _split_outside_brackets(names, ",") if name]


def _depths(text: str) -> list[int]:
    """How many brackets are open before each character."""
    depths, depth = [], 0
    for char in text:
        if char == "]":
            depth = max(depth - 1, 0)
        depths.append(depth)
        if char == "[":
            depth += 1
    return depths


def _last_outside_brackets(text: str, separator: str) -> int:
    depths = _depths(text)
    index = text.rfind(separator)
    while index >= 0 and depths[index]:
        index = text.rfind(separator, 0, index)
    return index


def _split_outside_brackets(text: str, separator: str) -> list[str]:
    depths = _depths(text)
    parts, start = [], 0
    for index, char in enumerate(text):
        if char == separator and not depths[index]:
            parts.append(text[start:index].strip())
            start = index + 1
    parts.append(text[start:].strip())
    return parts


def _conference(
    calendar: ics_calendar.Calendar, sessions: list[ParsedSession], warnings: list[Problem]
) -> ParsedConference:
    """The calendar's name if it has one; else the pretalx event's address, said in a warning."""
    event_url = next(
        (m for s in sessions if (m := TALK_URL.match(s.schedule_url))),
        None,
    )
    conference = ParsedConference(
        name=calendar.name,
        acronym=event_url["slug"] if event_url else "",
        website_url=event_url["base"] if event_url else "",
    )
    if not conference.name and event_url:
        address = urlsplit(event_url["base"])
        conference.name = f"{address.netloc}{address.path.rstrip('/')}"
        warnings.append(
            Problem(
                "conference",
                f"a pretalx calendar does not name its conference; a new event is called "
                f"“{conference.name}” after its pretalx address: rename it, or import the "
                "schedule.xml or schedule.json export, which name it",
            )
        )
    return conference
