"""frab / pretalx schedules, as XML (Pentabarf's format and its variants) or JSON.

Real files stray from the published schema: ids that are not UUIDs, extra
elements, and elements inside an event (<attachment><title>, <link><type>)
that reuse the event's own field names. Both parsers read fields by position
(direct children only), accept what they do not know, and refuse only what
makes a session meaningless: no id, no title, no start or no length.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET

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

# Old alias names that pretalx still writes; the guide stores canonical ones.
ZONE_ALIASES = {
    "US/Eastern": "America/New_York",
    "US/Central": "America/Chicago",
    "US/Mountain": "America/Denver",
    "US/Pacific": "America/Los_Angeles",
    "US/Arizona": "America/Phoenix",
    "US/Hawaii": "Pacific/Honolulu",
    "US/Alaska": "America/Anchorage",
    "GMT": "UTC",
    "Etc/UTC": "UTC",
}

# "Jane Doe [Ohio Supercomputer Center]": pretalx puts the affiliation in brackets.
AFFILIATION = re.compile(r"^(?P<name>.+?)\s*[\[(](?P<company>[^\])]+)[\])]\s*$")


def canonical_zone(name: str) -> str:
    name = ZONE_ALIASES.get(name.strip(), name.strip())
    if not name:
        return ""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ""
    return name


def person(text: str) -> ParsedPerson:
    text = " ".join(text.split())
    match = AFFILIATION.match(text)
    if match:
        return ParsedPerson(name=match["name"], company=match["company"].strip())
    return ParsedPerson(name=text)


def parse_duration(text: str) -> dt.timedelta:
    """'00:30', '1:30:00' or '1:02:30:00' (days first)."""
    parts = [int(p) for p in text.strip().split(":")]
    if not 2 <= len(parts) <= 4 or any(p < 0 for p in parts):
        raise ValueError(f"“{text}” is not a duration such as 00:30")
    if len(parts) == 4:
        days, hours, minutes, seconds = parts
    elif len(parts) == 3:
        days, (hours, minutes, seconds) = 0, parts
    else:
        days, (hours, minutes), seconds = 0, parts, 0
    return dt.timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)


def parse_start(date_text: str, day_date: str, start_text: str, zone: ZoneInfo) -> dt.datetime:
    """The full <date> if it has one; else the day's date with <start> in the event zone."""
    if date_text and "T" in date_text:
        moment = dt.datetime.fromisoformat(date_text.strip())
        return moment if moment.tzinfo else moment.replace(tzinfo=zone)
    day = dt.date.fromisoformat((date_text or day_date).strip()[:10])
    hour, minute = (int(p) for p in start_text.strip().split(":")[:2])
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=zone)


def _build_session(
    *,
    where: str,
    source_id: str,
    title: str,
    starts_at: dt.datetime,
    duration: dt.timedelta,
    room: str,
    track: str,
    kind: str,
    abstract: str,
    description: str,
    url: str,
    people: list[ParsedPerson],
) -> ParsedSession:
    text = abstract.strip()
    if description.strip() and description.strip() != text:
        text = f"{text}\n\n{description.strip()}" if text else description.strip()
    return ParsedSession(
        source_id=source_id,
        title=" ".join(title.split()),
        starts_at=starts_at,
        ends_at=starts_at + duration,
        where=where,
        room=room.strip(),
        track=track.strip(),
        format=guess_format(kind, title.split(":")[0] if ":" in title else ""),
        abstract=text,
        schedule_url=url.strip(),
        people=people,
    )


def _finish(fmt: str, conference: ParsedConference, sessions: list[ParsedSession]):
    if sessions and not (conference.start_date and conference.end_date):
        tz = ZoneInfo(conference.time_zone or "UTC")
        conference.start_date = min(s.starts_at for s in sessions).astimezone(tz).date()
        conference.end_date = max(s.starts_at for s in sessions).astimezone(tz).date()
    return validate(ParsedSchedule(format=fmt, conference=conference, sessions=sessions))


def _date(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(text).strip()[:10]) if text else None
    except ValueError:
        return None


# --- XML --------------------------------------------------------------------


def _text(element, tag: str) -> str:
    """A direct child's text: never a same-named element deeper down."""
    child = element.find(tag)
    return "".join(child.itertext()) if child is not None else ""


def parse_xml(data: bytes) -> ParsedSchedule:
    if not data.strip():
        raise ScheduleImportError("The file is empty.")
    try:
        root = SafeET.fromstring(data, forbid_dtd=True)
    except DefusedXmlException as error:
        raise ScheduleImportError(
            "The file declares a DTD or entities, which schedule files never need; "
            f"it was refused unread for safety ({type(error).__name__})."
        ) from None
    except SafeET.ParseError as error:
        line, column = getattr(error, "position", (0, 0))
        raise ScheduleImportError(
            [Problem(f"line {line}, column {column}", f"the XML is malformed ({error.msg})")]
            if hasattr(error, "msg")
            else f"The XML is malformed: {error}"
        ) from None
    if root.tag != "schedule":
        raise ScheduleImportError(
            [Problem(f"<{root.tag}>", "this is not a frab schedule (no <schedule> root)")]
        )

    conference_element = root.find("conference")
    conference = ParsedConference()
    if conference_element is not None:
        conference = ParsedConference(
            name=_text(conference_element, "title").strip(),
            acronym=_text(conference_element, "acronym").strip(),
            time_zone=canonical_zone(_text(conference_element, "time_zone_name")),
            start_date=_date(_text(conference_element, "start")),
            end_date=_date(_text(conference_element, "end")),
            website_url=_text(conference_element, "url").strip(),
        )
    zone = ZoneInfo(conference.time_zone or "UTC")

    sessions: list[ParsedSession] = []
    problems: list[Problem] = []
    count = 0
    for day_number, day in enumerate(root.findall("day"), start=1):
        for room in day.findall("room"):
            for event in room.findall("event"):
                count += 1
                source_id = (event.get("guid") or event.get("id") or _text(event, "guid")).strip()
                where = f"<event> #{count} (day {day.get('index') or day_number})"
                try:
                    starts_at = parse_start(
                        _text(event, "date"), day.get("date", ""), _text(event, "start"), zone
                    )
                    duration = parse_duration(_text(event, "duration"))
                except (ValueError, TypeError) as error:
                    problems.append(
                        Problem(where, f"unreadable date, start or duration ({error})", source_id)
                    )
                    continue
                persons = event.find("persons")
                people = (
                    [person("".join(p.itertext())) for p in persons.findall("person")]
                    if persons is not None
                    else []
                )
                sessions.append(
                    _build_session(
                        where=where,
                        source_id=source_id,
                        title=_text(event, "title"),
                        starts_at=starts_at,
                        duration=duration,
                        room=_text(event, "room") or room.get("name", ""),
                        track=_text(event, "track"),
                        kind=_text(event, "type"),
                        abstract=_text(event, "abstract"),
                        description=_text(event, "description"),
                        url=_text(event, "url"),
                        people=[p for p in people if p.name],
                    )
                )
    if problems:
        raise ScheduleImportError(problems)
    return _finish("frab-xml", conference, sessions)


# --- JSON -------------------------------------------------------------------


def _str(value) -> str:
    return "" if value is None else str(value)


def parse_json(data: bytes) -> ParsedSchedule:
    text = decode_text(data)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise ScheduleImportError(
            [
                Problem(
                    f"line {error.lineno}, column {error.colno}",
                    f"the JSON is malformed ({error.msg})",
                )
            ]
        ) from None
    schedule = document.get("schedule") if isinstance(document, dict) else None
    source = schedule.get("conference") if isinstance(schedule, dict) else None
    if not isinstance(source, dict):
        raise ScheduleImportError(
            [Problem("schedule.conference", "this is not a frab schedule JSON (it is missing)")]
        )
    conference = ParsedConference(
        name=_str(source.get("title")).strip(),
        acronym=_str(source.get("acronym")).strip(),
        time_zone=canonical_zone(_str(source.get("time_zone_name"))),
        start_date=_date(source.get("start")),
        end_date=_date(source.get("end")),
        website_url=_str(source.get("url")).strip(),
    )
    zone = ZoneInfo(conference.time_zone or "UTC")
    sessions: list[ParsedSession] = []
    problems: list[Problem] = []
    days = source.get("days") or []
    if not isinstance(days, list):
        raise ScheduleImportError([Problem("schedule.conference.days", "it is not a list")])
    for day_index, day in enumerate(days):
        rooms = day.get("rooms") if isinstance(day, dict) else None
        if not isinstance(rooms, dict):
            problems.append(Problem(f"days[{day_index}]", "it has no rooms object"))
            continue
        for room_name, events in rooms.items():
            for event_index, event in enumerate(events if isinstance(events, list) else []):
                where = f"days[{day_index}].rooms[{room_name!r}][{event_index}]"
                if not isinstance(event, dict):
                    problems.append(Problem(where, "the event is not an object"))
                    continue
                source_id = _str(event.get("guid") or event.get("id") or event.get("code")).strip()
                try:
                    starts_at = parse_start(
                        _str(event.get("date")),
                        _str(day.get("date")),
                        _str(event.get("start")),
                        zone,
                    )
                    if event.get("end") and not event.get("duration"):
                        duration = dt.datetime.fromisoformat(_str(event["end"])) - starts_at
                    else:
                        duration = parse_duration(_str(event.get("duration")))
                except (ValueError, TypeError) as error:
                    problems.append(
                        Problem(where, f"unreadable date, start or duration ({error})", source_id)
                    )
                    continue
                people = []
                for entry in event.get("persons") or []:
                    if isinstance(entry, dict):
                        people.append(person(_str(entry.get("name") or entry.get("public_name"))))
                    elif isinstance(entry, str):
                        people.append(person(entry))
                sessions.append(
                    _build_session(
                        where=where,
                        source_id=source_id,
                        title=_str(event.get("title")),
                        starts_at=starts_at,
                        duration=duration,
                        room=_str(event.get("room") or room_name),
                        track=_str(event.get("track")),
                        kind=_str(event.get("type")),
                        abstract=_str(event.get("abstract")),
                        description=_str(event.get("description")),
                        url=_str(event.get("url")),
                        people=[p for p in people if p.name],
                    )
                )
    if problems:
        raise ScheduleImportError(problems)
    return _finish("frab-json", conference, sessions)
