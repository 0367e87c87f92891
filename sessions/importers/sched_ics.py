"""Sched.com iCalendar exports (KubeCon + CloudNativeCon and many others).

Sched packs the people into SUMMARY: "Title - Name, Job title, Company & Name2,
Company2". Speakers of one company are grouped ("A, B & C, Acme"); two groups
are joined by " & ", three or more by "; ". CATEGORIES is the track or
format, LOCATION the room followed by the city, URL the official page.
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import icalendar

from sessions.importers.base import (
    ParsedConference,
    ParsedPerson,
    ParsedSchedule,
    ParsedSession,
    Problem,
    ScheduleImportError,
    decode_text,
    guess_format,
    validate,
)

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


def parse(data: bytes) -> ParsedSchedule:
    text = decode_text(data)
    try:
        calendar = icalendar.Calendar.from_ical(text)
    except ValueError as error:
        raise ScheduleImportError(f"This is not a readable iCalendar file: {error}") from None
    if calendar.name != "VCALENDAR":
        raise ScheduleImportError("This is not an iCalendar file (no VCALENDAR).")
    lines = _vevent_lines(text)
    zone_name = str(calendar.get("X-WR-TIMEZONE", "") or "UTC")
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        zone, zone_name = ZoneInfo("UTC"), "UTC"

    entries = []
    problems: list[Problem] = []
    for index, component in enumerate(calendar.walk("VEVENT")):
        where = f"line {lines[index]}" if index < len(lines) else f"VEVENT #{index + 1}"
        uid = str(component.get("UID", "")).strip()
        try:
            starts_at = _moment(component.decoded("DTSTART"), zone)
            ends_at = _moment(component.decoded("DTEND"), zone)
        except (KeyError, ValueError, TypeError) as error:
            problems.append(Problem(where, f"unreadable DTSTART or DTEND ({error})", uid))
            continue
        entries.append((where, uid, component, starts_at, ends_at))
    if problems:
        raise ScheduleImportError(problems)

    known_companies = _known_companies(str(c.get("SUMMARY", "")) for _, _, c, _, _ in entries)
    sessions, skipped = [], []
    for where, uid, component, starts_at, ends_at in entries:
        summary = str(component.get("SUMMARY", "")).strip()
        category = _first_category(component)
        if category.casefold() in LOGISTICS_CATEGORIES or LOGISTICS_TITLE.match(summary):
            skipped.append(summary)
            continue
        title, people = split_summary(summary, known_companies)
        sessions.append(
            ParsedSession(
                source_id=uid,
                title=title,
                starts_at=starts_at,
                ends_at=ends_at,
                where=where,
                room=_room(str(component.get("LOCATION", ""))),
                track=_clean_category(category),
                format=guess_format(
                    title.split(":")[0] if ":" in title else "", category, default="talk"
                ),
                abstract=_plain(str(component.get("DESCRIPTION", ""))),
                schedule_url=str(component.get("URL", "")).strip(),
                people=people,
            )
        )
    conference = ParsedConference(
        name=_conference_name(calendar), time_zone=zone_name, acronym=_acronym(calendar)
    )
    if sessions:
        tz = ZoneInfo(zone_name)
        conference.start_date = min(s.starts_at for s in sessions).astimezone(tz).date()
        conference.end_date = max(s.starts_at for s in sessions).astimezone(tz).date()
    return validate(
        ParsedSchedule(
            format="sched-ics", conference=conference, sessions=sessions, skipped=skipped
        )
    )


def _vevent_lines(text: str) -> list[int]:
    return [
        number
        for number, line in enumerate(text.splitlines(), start=1)
        if line.strip().upper() == "BEGIN:VEVENT"
    ]


def _moment(value: dt.date | dt.datetime, zone: ZoneInfo) -> dt.datetime:
    if not isinstance(value, dt.datetime):
        raise ValueError("all-day entries have no time")
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
