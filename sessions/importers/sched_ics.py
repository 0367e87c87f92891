"""Sched.com iCalendar exports (KubeCon + CloudNativeCon and many others).

Sched packs the people into SUMMARY: "Title - Name, Job title, Company & Name2,
Company2". Speakers of one company are grouped ("A, B & C, Acme"); two groups
are joined by " & ", three or more by "; ". CATEGORIES is the track or
format, LOCATION the room followed by the city, URL the official page.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import icalendar
from icalendar.error import GloballyUniqueTZIDGuessed

from confguide.timezones import available_time_zones
from sessions.importers.base import (
    ImportLimits,
    ParsedConference,
    ParsedPerson,
    ParsedSchedule,
    ParsedSession,
    Problem,
    Progress,
    ScheduleImportError,
    check_year,
    decode_text,
    finish,
    gather,
    guess_format,
    shorten,
    zone_warning,
)

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

# Words that mark a job title rather than a person's or company's name.
JOB_WORDS = re.compile(
    r"\b(ceo|cto|cio|coo|cfo|cpo|vp|svp|evp|founder|co-founder|director|engineer|manager|"
    r"maintainer|developer|advocate|architect|president|lead|head|officer|specialist|"
    r"consultant|evangelist|researcher|scientist|chair|fellow|principal|technologist|"
    r"analyst|professor|student|product|owner|partner|strategist|executive)\b",
    re.IGNORECASE,
)
ACRONYMS = {"AI", "ML", "CNCF", "BOF", "SIG", "WG", "IOT", "API"}
# Legal suffixes that follow a comma inside a company name ("Recruit Co., Ltd.").
COMPANY_TAILS = re.compile(r"^(inc|ltd|llc|gmbh|corp|co|s\.?a|a\.?g|b\.?v|plc|limited)\.?$", re.I)


@dataclass(frozen=True)
class _Entry:
    """A VEVENT with readable times, before it is known to be a session."""

    where: str
    uid: str
    component: icalendar.Event
    starts_at: dt.datetime
    ends_at: dt.datetime


# "BEGIN:VEVENT", in any case, with or without parameters: every way a reader
# of iCalendar starts an event, so the count before parsing misses none.
VEVENT_START = re.compile(r"begin(;[^:]*)?:vevent", re.IGNORECASE)
VEVENTS = "events (VEVENT)"
# A TZID parameter, quoted or not, among a property's parameters.
TZID = re.compile(r';tzid=(?P<name>"[^"]*"|[^;]*)', re.IGNORECASE)


def parse(data: bytes, *, limits: ImportLimits, progress: Progress | None = None) -> ParsedSchedule:
    text = decode_text(data)
    # Counted on the text: building a calendar of 100,000 events takes longer
    # and more memory than refusing it.
    lines = _vevent_lines(text)
    limits.check_entries(len(lines), VEVENTS)
    calendar = _calendar(text)
    vevents = calendar.walk("VEVENT")
    limits.check_entries(len(vevents), VEVENTS)
    zone_name, zone, warnings = _zone(calendar)
    entries = gather(
        _entries(vevents, lines, zone), limits=limits, total=len(vevents), progress=progress
    )
    known_companies = _known_companies(str(e.component.get("SUMMARY", "")) for e in entries)
    sessions, skipped = _sessions(entries, known_companies, limits)
    conference = ParsedConference(
        name=_conference_name(calendar), time_zone=zone_name, acronym=_acronym(calendar)
    )
    return finish("sched-ics", conference, sessions, skipped, warnings)


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


def _zone(calendar: icalendar.Calendar) -> tuple[str, ZoneInfo, list[Problem]]:
    """X-WR-TIMEZONE, for times without a zone of their own; UTC if absent or unknown.

    The name is looked up among the known zones before it is used: ZoneInfo
    would read "Europe" (a folder) or "../x" from the disk.
    """
    given = str(calendar.get("X-WR-TIMEZONE", "") or "").strip()
    if not given or given == "UTC":
        return "UTC", ZoneInfo("UTC"), []
    if given in available_time_zones():
        return given, ZoneInfo(given), []
    return "UTC", ZoneInfo("UTC"), [zone_warning("X-WR-TIMEZONE", given)]


def _entries(
    vevents: list[icalendar.Event], lines: list[int], zone: ZoneInfo
) -> Iterator[_Entry | Problem]:
    for index, component in enumerate(vevents):
        where = f"line {lines[index]}" if index < len(lines) else f"VEVENT #{index + 1}"
        uid = str(component.get("UID", "")).strip()
        try:
            starts_at = _moment(component.decoded("DTSTART"), zone)
            ends_at = _moment(component.decoded("DTEND"), zone)
        except (KeyError, ValueError, TypeError, OverflowError, OSError) as error:
            reason = shorten(str(error) or type(error).__name__, 200)
            yield Problem(where, f"unreadable DTSTART or DTEND ({reason})", uid)
            continue
        yield _Entry(where, uid, component, starts_at, ends_at)


def _sessions(
    entries: list[_Entry], known_companies: set[str], limits: ImportLimits
) -> tuple[list[ParsedSession], list[str]]:
    """The sessions, and the titles of the logistics entries left out."""
    sessions, skipped = [], []
    for entry in entries:
        limits.check_time(entry.where)
        summary = str(entry.component.get("SUMMARY", "")).strip()
        category = _first_category(entry.component)
        if category.casefold() in LOGISTICS_CATEGORIES or LOGISTICS_TITLE.match(summary):
            skipped.append(summary)
        else:
            sessions.append(_session(entry, summary, category, known_companies))
    return sessions, skipped


def _session(
    entry: _Entry, summary: str, category: str, known_companies: set[str]
) -> ParsedSession:
    title, people = split_summary(summary, known_companies)
    return ParsedSession(
        source_id=entry.uid,
        title=title,
        starts_at=entry.starts_at,
        ends_at=entry.ends_at,
        where=entry.where,
        room=_room(str(entry.component.get("LOCATION", ""))),
        track=_clean_category(category),
        format=guess_format(title.split(":")[0] if ":" in title else "", category, default="talk"),
        abstract=_plain(str(entry.component.get("DESCRIPTION", ""))),
        schedule_url=str(entry.component.get("URL", "")).strip(),
        people=people,
    )


def _vevent_lines(text: str) -> list[int]:
    """The line number of each event's start."""
    return [
        number
        for number, line in enumerate(text.splitlines(), start=1)
        if VEVENT_START.fullmatch(line.strip())
    ]


def _moment(value: dt.date | dt.datetime, zone: ZoneInfo) -> dt.datetime:
    if not isinstance(value, dt.datetime):
        raise ValueError("all-day entries have no time")
    check_year(value)
    return value if value.tzinfo else value.replace(tzinfo=zone)


def _first_category(component) -> str:
    categories = component.get("CATEGORIES")
    if categories is None:
        return ""
    if isinstance(categories, list):
        categories = categories[0]
    values = getattr(categories, "cats", None) or [str(categories)]
    return str(values[0]).strip() if values else ""


def _clean_category(category: str) -> str:
    """'📚 TUTORIALS' → 'Tutorials', 'AI + ML' stays readable."""
    words = re.sub(r"^[^\w]+", "", category).strip()
    if not words.isupper():
        return words
    return re.sub(
        r"[A-Z][A-Z0-9]*", lambda m: m[0] if m[0] in ACRONYMS else m[0].capitalize(), words
    )


def _room(location: str) -> str:
    """'Hall 7 | Room A, Amsterdam, Netherlands' → 'Hall 7 | Room A'."""
    return location.split(",")[0].strip()


def _plain(description: str) -> str:
    text = description.replace("&nbsp;", " ").replace("&amp;", "&")
    return re.sub(r"<[^>]+>", "", text).strip()


def _conference_name(calendar) -> str:
    prodid = str(calendar.get("PRODID", ""))
    match = re.match(r"-//Sched\.com (.+?)//", prodid)
    if match:
        return match.group(1).strip()
    return str(calendar.get("X-WR-CALNAME", "")).strip()


def _acronym(calendar) -> str:
    return re.sub(r"[^a-z0-9_-]", "", str(calendar.get("X-WR-CALNAME", "")).lower())


# --- SUMMARY ----------------------------------------------------------------


def split_summary(
    summary: str, known_companies: set[str] = frozenset()
) -> tuple[str, list[ParsedPerson]]:
    """The title and the people of a Sched SUMMARY."""
    if " - " not in summary:
        return summary, []
    title, people_text = summary.rsplit(" - ", 1)
    # "ArgoCon - Full-Day Event | ALL ACCESS PASS REQUIRED" has no people.
    if "|" in people_text or not people_text[:1].isupper() or not title.strip():
        return summary, []
    return title.strip(), parse_people(people_text, known_companies)


def _fields(chunk: str) -> list[str]:
    fields: list[str] = []
    for part in (p.strip() for p in chunk.split(",")):
        if not part:
            continue
        if fields and COMPANY_TAILS.match(part):
            fields[-1] = f"{fields[-1]}, {part}"
        else:
            fields.append(part)
    return fields


def _known_companies(summaries) -> set[str]:
    """Companies in unambiguous places: the end of each group of speakers."""
    known = set()
    for summary in summaries:
        if " - " not in summary:
            continue
        for group in summary.rsplit(" - ", 1)[1].split(";"):
            fields = _fields(group.split(" & ")[-1])
            if len(fields) >= 2 and not JOB_WORDS.search(fields[-1]):
                known.add(fields[-1])
    return known


def _names(text: str) -> list[str]:
    return [n.strip() for n in re.split(r"\s+and\s+", text) if n.strip()]


def parse_people(text: str, known_companies: set[str] = frozenset()) -> list[ParsedPerson]:
    people: list[ParsedPerson] = []
    grouped = ";" in text
    for group in text.split(";"):
        chunks = [c for c in (c.strip() for c in group.split(" & ")) if c]
        pending: list[str] = []
        for position, chunk in enumerate(chunks):
            fields = _fields(chunk)
            last = position == len(chunks) - 1
            if people and not pending and JOB_WORDS.search(fields[0]):
                # "Founder & CEO, Solo.io": the ampersand was inside a job title.
                previous = people[-1]
                earlier = ", ".join(x for x in (previous.job_title, previous.company) if x)
                job = f"{earlier} & {fields[0]}" if earlier else fields[0]
                previous.job_title = ", ".join([job, *fields[1:-1]])
                previous.company = fields[-1] if len(fields) > 1 else ""
                continue
            if len(fields) == 1:
                pending += _names(fields[0])
                continue
            middle = fields[1:-1]
            titled = any(JOB_WORDS.search(f) for f in middle)
            if (
                not last
                and not titled
                and (grouped or (len(fields) >= 3 and fields[-1] not in known_companies))
            ):
                # "A, B & C, Acme": names waiting for their company. Between
                # semicolons there is one company per group, so this is sure.
                pending += fields
                continue
            if (
                len(fields) == 2
                and fields[-1] not in known_companies
                and JOB_WORDS.search(fields[-1])
            ):
                # "Andy Anderson, Maintainer": a job title and no company.
                people += [ParsedPerson(name=name) for name in pending]
                pending = []
                people.append(ParsedPerson(name=fields[0], job_title=fields[-1]))
                continue
            company = fields[-1]
            for name in pending:
                people.append(ParsedPerson(name=name, company=company))
            pending = []
            names = _names(fields[0])
            for name in names[:-1]:
                people.append(ParsedPerson(name=name, company=company))
            people.append(
                ParsedPerson(name=names[-1], company=company, job_title=", ".join(middle))
            )
        people += [ParsedPerson(name=name) for name in pending]
    return people
