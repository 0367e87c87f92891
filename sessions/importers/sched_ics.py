"""Sched.com iCalendar exports (KubeCon + CloudNativeCon and many others).

Sched packs the people into SUMMARY: "Title - Name, Job title, Company & Name2,
Company2". Speakers of one company are grouped ("A, B & C, Acme"); two groups
are joined by " & ", three or more by "; ". CATEGORIES is the track or
format, LOCATION the room followed by the city, URL the official page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sessions.importers import ics_calendar, zones
from sessions.importers.base import (
    ParsedConference,
    ParsedPerson,
    ParsedSchedule,
    ParsedSession,
    ReadOptions,
    finish,
)
from sessions.importers.people import clean, is_company, with_affiliation

# Words that mark a job title rather than a person's or company's name.
JOB_WORDS = re.compile(
    r"\b(ceo|cto|cio|coo|cfo|cpo|vp|svp|evp|founder|co-founder|director|engineer|manager|"
    r"maintainer|developer|advocate|architect|president|lead|head|officer|specialist|"
    r"consultant|evangelist|researcher|scientist|chair|fellow|principal|technologist|"
    r"analyst|professor|student|product|owner|partner|strategist|executive)\b",
    re.IGNORECASE,
)
# Legal suffixes that follow a comma inside a company name ("Recruit Co., Ltd.").
COMPANY_TAILS = re.compile(r"^(inc|ltd|llc|gmbh|corp|co|s\.?a|a\.?g|b\.?v|plc|limited)\.?$", re.I)


def parse(data: bytes, options: ReadOptions) -> ParsedSchedule:
    # Sched writes X-WR-TIMEZONE:UTC whatever the venue; LOCATION names the city.
    calendar = ics_calendar.read(data, options, utc_names_no_zone=True)
    summaries = [e.text("SUMMARY") for e in calendar.entries]
    known = Known(companies=_known_companies(summaries), names=_known_names(summaries))
    sessions, skipped = [], []
    for entry in calendar.entries:
        options.limits.check_time(entry.where)
        summary = entry.text("SUMMARY")
        if ics_calendar.is_logistics(summary, entry.category):
            skipped.append(summary)
        else:
            sessions.append(_session(entry, summary, known))
    conference = ParsedConference(
        name=_conference_name(calendar), acronym=_acronym(calendar.text("X-WR-CALNAME"))
    )
    warnings = list(calendar.warnings)
    zones.settle(conference, calendar.zone, warnings)
    return finish("sched-ics", conference, sessions, skipped, warnings)


def _session(entry: ics_calendar.Entry, summary: str, known: Known) -> ParsedSession:
    title, people = split_summary(summary, known.companies, known.names)
    return ics_calendar.session(entry, title, people or entry.attendees)


def _conference_name(calendar: ics_calendar.Calendar) -> str:
    match = re.match(r"-//Sched\.com (.+?)//", calendar.text("PRODID"))
    if match:
        return match.group(1).strip()
    return calendar.name


def _acronym(calendar_name: str) -> str:
    return re.sub(r"[^a-z0-9_-]", "", calendar_name.lower())


# --- SUMMARY ----------------------------------------------------------------


def split_summary(
    summary: str, known_companies: set[str] = frozenset(), known_names: set[str] = frozenset()
) -> tuple[str, list[ParsedPerson]]:
    """The title and the people of a Sched SUMMARY."""
    if " - " not in summary:
        return summary, []
    title, people_text = summary.rsplit(" - ", 1)
    # "ArgoCon - Full-Day Event | ALL ACCESS PASS REQUIRED" has no people.
    if "|" in people_text or not people_text[:1].isupper() or not title.strip():
        return summary, []
    return title.strip(), parse_people(people_text, known_companies, known_names)


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


@dataclass(frozen=True)
class Known:
    """What the whole file says about who is a person and what is a company."""

    companies: frozenset[str] = frozenset()
    names: frozenset[str] = frozenset()


def _known_companies(summaries) -> set[str]:
    """Companies in unambiguous places: the end of each group of speakers."""
    known = set()
    for summary in summaries:
        if " - " not in summary:
            continue
        for group in summary.rsplit(" - ", 1)[1].split(";"):
            fields = _fields(group.split(" & ")[-1])
            # "Lavish Pal, Independent" ends a group too, with no company.
            if len(fields) >= 2 and not JOB_WORDS.search(fields[-1]) and is_company(fields[-1]):
                known.add(fields[-1])
    return known


def _known_names(summaries) -> set[str]:
    """People in unambiguous places: the first name of each "Name, …" chunk."""
    known = set()
    for summary in summaries:
        if " - " not in summary:
            continue
        for group in summary.rsplit(" - ", 1)[1].split(";"):
            for chunk in group.split(" & "):
                fields = _fields(chunk)
                if len(fields) >= 2:
                    known.add(" ".join(fields[0].split()))  # Sched mixes in no-break spaces
    return known


def _waits_for_company(fields: list[str], grouped: bool, known: Known) -> bool:
    """Whether a chunk before " & " holds only names, whose company comes at the end.

    "Lin Sun, Peter Jausovec & Eitan Yarmush, Solo.io": Peter Jausovec speaks
    elsewhere ("Peter Jausovec, Maintainer"), so he is a name, not Lin Sun's
    company. A company known from elsewhere ends its chunk ("Radostin Stoyanov,
    University of Oxford & Andrey Velichkevich, Apple"). Between semicolons there
    is one company per group, and three fields or more are names.
    """
    if fields[-1] in known.companies:
        return False
    return grouped or len(fields) >= 3 or " ".join(fields[-1].split()) in known.names


def _names(text: str) -> list[str]:
    return [n.strip() for n in re.split(r"\s+and\s+", text) if n.strip()]


def parse_people(
    text: str, known_companies: set[str] = frozenset(), known_names: set[str] = frozenset()
) -> list[ParsedPerson]:
    """The people of a SUMMARY after its " - ", each with their job title and company.

    "Name, Contributor" and "Name, Independent" say the person has no company to
    name: the word becomes their job title (people.with_affiliation).
    """
    known = Known(companies=frozenset(known_companies), names=frozenset(known_names))
    return [_settled(p) for p in _people(text, known)]


def _settled(found: ParsedPerson) -> ParsedPerson:
    settled = ParsedPerson(name=clean(found.name), job_title=clean(found.job_title))
    return with_affiliation(settled, found.company)


def _people(text: str, known: Known) -> list[ParsedPerson]:
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
            if not last and not titled and _waits_for_company(fields, grouped, known):
                # "A, B & C, Acme": names waiting for their company.
                pending += fields
                continue
            if (
                len(fields) == 2
                and fields[-1] not in known.companies
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
