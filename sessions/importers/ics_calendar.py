"""What every iCalendar schedule shares: reading the file, its events' times, its zone.

The flavours (Sched, pretalx, any other calendar) differ only in where they
put the people and the conference's name; sched_ics, ics_pretalx and
ics_generic read those. An event here is a VEVENT with readable times,
before its flavour decides whether it is a session.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import warnings
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import icalendar
from icalendar.error import GloballyUniqueTZIDGuessed

from confguide.timezones import available_time_zones
from sessions.importers import zones
from sessions.importers.base import (
    ParsedPerson,
    ParsedSession,
    Problem,
    ReadOptions,
    ScheduleImportError,
    check_year,
    decode_text,
    gather,
    guess_format,
    shorten,
    zone_warning,
)
from sessions.importers.people import person

logger = logging.getLogger(__name__)

# Categories and titles of entries that are venue logistics, not sessions.
LOGISTICS_CATEGORIES = {"registration", "breaks", "break", "meals", "logistics"}
# A programme block's own breaks carry its name first ("Project Lightning Talk:
# Mini Break"); the title after the colon decides.
LOGISTICS_TITLE = re.compile(
    r"^\W*([^:]{1,60}:\s*)?(badge (pick-?up|collection)|cloakroom|coat check|"
    r"registration( desk)?|(coffee |mini )?break|lunch|breakfast|snacks?|"
    r"(networking )?reception)\b",
    re.IGNORECASE,
)
ACRONYMS = {"AI", "ML", "CNCF", "BOF", "SIG", "WG", "IOT", "API"}
# "BEGIN:VEVENT", in any case, with or without parameters: every way a reader
# of iCalendar starts an event, so the count before parsing misses none.
VEVENT_START = re.compile(r"begin(;[^:]*)?:vevent", re.IGNORECASE)
VEVENTS = "events (VEVENT)"
# A TZID parameter, quoted or not, among a property's parameters.
TZID = re.compile(r';tzid=(?P<name>"[^"]*"|[^;]*)', re.IGNORECASE)
# Attendees that are not people: a room or a projector booked for the session.
NOT_PEOPLE = {"ROOM", "RESOURCE", "GROUP"}


@dataclass(frozen=True)
class Entry:
    """A VEVENT with readable times."""

    where: str
    uid: str
    component: icalendar.Event
    starts_at: dt.datetime
    ends_at: dt.datetime

    def text(self, name: str) -> str:
        return str(self.component.get(name, "")).strip()

    @property
    def category(self) -> str:
        categories = self.component.get("CATEGORIES")
        if categories is None:
            return ""
        if isinstance(categories, list):
            categories = categories[0]
        values = getattr(categories, "cats", None) or [str(categories)]
        return str(values[0]).strip() if values else ""

    @property
    def attendees(self) -> list[ParsedPerson]:
        """The people ATTENDEE names (CN="Name [Company]"); never their addresses."""
        found = self.component.get("ATTENDEE") or []
        people = []
        for attendee in found if isinstance(found, list) else [found]:
            params = getattr(attendee, "params", {})
            if str(params.get("CUTYPE", "")).upper() in NOT_PEOPLE:
                continue
            name = str(params.get("CN", "")).strip()
            if name:
                people.append(person(name))
        return people


@dataclass(frozen=True)
class _Times:
    """A VEVENT's times as the file gives them, before a zone is settled."""

    where: str
    uid: str
    component: icalendar.Event
    starts_at: dt.datetime
    ends_at: dt.datetime


@dataclass
class Calendar:
    """A read calendar: its own properties, its events and the zone they happen in."""

    calendar: icalendar.Calendar
    entries: list[Entry]
    zone: zones.EventZone
    warnings: list[Problem]

    def text(self, name: str) -> str:
        return str(self.calendar.get(name, "") or "").strip()

    @property
    def name(self) -> str:
        """The calendar's own name (RFC 7986 NAME, or the widespread X-WR-CALNAME)."""
        return self.text("NAME") or self.text("X-WR-CALNAME")


def read(data: bytes, options: ReadOptions, *, utc_names_no_zone: bool = False) -> Calendar:
    """The file's events, with their times in the zone they happen in.

    `options.time_zone` is the editor's choice (or a re-import's event's zone),
    used where the file names none. `utc_names_no_zone`: the tool writes
    X-WR-TIMEZONE:UTC whatever the venue (Sched), so it tells nothing.
    """
    text = decode_text(data)
    # Counted on the text: building a calendar of 100,000 events takes longer
    # and more memory than refusing it.
    lines = _vevent_lines(text)
    options.limits.check_entries(len(lines), VEVENTS)
    calendar = _calendar(text)
    vevents = calendar.walk("VEVENT")
    options.limits.check_entries(len(vevents), VEVENTS)
    times = list(_times(vevents, lines))
    named, named_source, warnings = _named_zone(calendar, times, utc_names_no_zone)
    readable = [t for t in times if isinstance(t, _Times)]
    zone = zones.decide(
        named=named,
        named_source=named_source,
        given=options.time_zone,
        given_source=options.time_zone_source,
        moments=[m for t in readable for m in (t.starts_at, t.ends_at) if m.tzinfo],
        places=[place for t in readable for place in _places(t.component)],
        hints=zones.place_words(str(calendar.get("NAME") or calendar.get("X-WR-CALNAME") or "")),
    )
    if not zone.reading and any(not t.starts_at.tzinfo for t in readable):
        raise ScheduleImportError(
            f"The file gives local times without a time zone and names none; {zones.HOW_TO_CHOOSE}."
        )
    reading = ZoneInfo(zone.reading or "UTC")
    entries = gather((_entry(t, reading) for t in times), options, total=len(vevents))
    return Calendar(calendar=calendar, entries=entries, zone=zone, warnings=warnings)


def _calendar(text: str) -> icalendar.Calendar:
    try:
        with warnings.catch_warnings():
            # A vendor's TZID (/example.org/Europe/Berlin) is read as the zone it ends in.
            warnings.simplefilter("ignore", GloballyUniqueTZIDGuessed)
            calendar = icalendar.Calendar.from_ical(text)
    except ValueError as error:
        raise ScheduleImportError(
            f"This is not a readable iCalendar file: {shorten(str(error), 200)}"
        ) from None
    except OSError:
        # Looking a TZID up reads it from the disk: "Europe" is a folder there.
        raise ScheduleImportError([_unknown_tzid(text)]) from None
    except Exception:
        # The iCalendar reader trips over some malformed lines in ways of its own
        # (an AttributeError on "DTEND;TZID=,:..."); for the editor the file is unreadable.
        logger.warning("The iCalendar reader failed on a schedule", exc_info=True)
        raise ScheduleImportError(
            "This is not a readable iCalendar file: the iCalendar reader could not make "
            "sense of it."
        ) from None
    if calendar.name != "VCALENDAR":
        raise ScheduleImportError("This is not an iCalendar file (no VCALENDAR).")
    return calendar


def _unknown_tzid(text: str) -> Problem:
    """The first TZID that names no known time zone, and its line."""
    for number, line in enumerate(text.splitlines(), start=1):
        for match in TZID.finditer(line.split(":", 1)[0]):
            name = match["name"].strip('"')
            if name not in available_time_zones():
                return Problem(f"line {number}", f"TZID “{shorten(name, 64)}” is not a time zone")
    return Problem("file", "a TZID in the file is not a time zone")


def _vevent_lines(text: str) -> list[int]:
    """The line number of each event's start."""
    return [
        number
        for number, line in enumerate(text.splitlines(), start=1)
        if VEVENT_START.fullmatch(line.strip())
    ]


def _times(vevents: list[icalendar.Event], lines: list[int]) -> Iterator[_Times | Problem]:
    for index, component in enumerate(vevents):
        where = f"line {lines[index]}" if index < len(lines) else f"VEVENT #{index + 1}"
        uid = str(component.get("UID", "")).strip()
        try:
            starts_at = _moment(component.decoded("DTSTART"))
            ends_at = _moment(component.decoded("DTEND"))
        except (KeyError, ValueError, TypeError, OverflowError, OSError) as error:
            reason = shorten(str(error) or type(error).__name__, 200)
            yield Problem(where, f"unreadable DTSTART or DTEND ({reason})", uid)
            continue
        yield _Times(where, uid, component, starts_at, ends_at)


def _moment(value: dt.date | dt.datetime) -> dt.datetime:
    if not isinstance(value, dt.datetime):
        raise ValueError("all-day entries have no time")
    return check_year(value)


def _entry(times: _Times | Problem, zone: ZoneInfo) -> Entry | Problem:
    if isinstance(times, Problem):
        return times
    starts_at, ends_at = (
        moment if moment.tzinfo else moment.replace(tzinfo=zone)
        for moment in (times.starts_at, times.ends_at)
    )
    return Entry(times.where, times.uid, times.component, starts_at, ends_at)


def _named_zone(
    calendar: icalendar.Calendar, times: list[_Times | Problem], utc_names_no_zone: bool
) -> tuple[str, str, list[Problem]]:
    """The zone the file names: X-WR-TIMEZONE, else the TZID most of its times carry.

    A zone that does not exist is a warning, and UTC, as before zones were inferred.
    """
    given = str(calendar.get("X-WR-TIMEZONE", "") or "").strip()
    if given and not (utc_names_no_zone and zones.canonical_zone(given) == "UTC"):
        zone = zones.canonical_zone(given)
        if zone:
            return zone, f"the file's X-WR-TIMEZONE “{given}”", []
        source = f"UTC, as the file's X-WR-TIMEZONE “{shorten(given, 64)}” is no time zone"
        return "UTC", source, [zone_warning("X-WR-TIMEZONE", given)]
    tzids = Counter(
        key
        for t in times
        if isinstance(t, _Times)
        and (key := getattr(t.starts_at.tzinfo, "key", None))
        and key != "UTC"
    )
    if tzids:
        (tzid, _), *_ = tzids.most_common(1)
        zone = zones.canonical_zone(tzid)
        if zone:
            return zone, f"the TZID “{tzid}” of its times", []
    return "", "", []


def _places(component: icalendar.Event) -> list[str]:
    """Where the entry says it is, after the room: 'Hall 7, Amsterdam, Netherlands'."""
    return [part.strip() for part in str(component.get("LOCATION", "")).split(",")[1:]]


# --- Fields every flavour reads alike ---------------------------------------------


def is_logistics(title: str, category: str) -> bool:
    return category.casefold() in LOGISTICS_CATEGORIES or bool(LOGISTICS_TITLE.match(title))


def clean_category(category: str) -> str:
    """'📚 TUTORIALS' → 'Tutorials', 'AI + ML' stays readable."""
    words = re.sub(r"^[^\w]+", "", category).strip()
    if not words.isupper():
        return words
    return re.sub(
        r"[A-Z][A-Z0-9]*", lambda m: m[0] if m[0] in ACRONYMS else m[0].capitalize(), words
    )


def room(location: str) -> str:
    """'Hall 7 | Room A, Amsterdam, Netherlands' → 'Hall 7 | Room A'."""
    return location.split(",")[0].strip()


def plain(description: str) -> str:
    text = description.replace("&nbsp;", " ").replace("&amp;", "&")
    return re.sub(r"<[^>]+>", "", text).strip()


def session(entry: Entry, title: str, people: list[ParsedPerson]) -> ParsedSession:
    """A calendar entry as a session: its title and people as the calendar's maker writes them."""
    category = entry.category
    return ParsedSession(
        source_id=entry.uid,
        title=title,
        starts_at=entry.starts_at,
        ends_at=entry.ends_at,
        where=entry.where,
        room=room(entry.text("LOCATION")),
        track=clean_category(category),
        format=guess_format(title.split(":")[0] if ":" in title else "", category, default="talk"),
        abstract=plain(entry.text("DESCRIPTION")),
        schedule_url=entry.text("URL"),
        people=people,
    )
