"""frab / pretalx schedules, as XML (Pentabarf's format and its variants) or JSON.

Real files stray from the published schema: ids that are not UUIDs, extra
elements, and elements inside an event (<attachment><title>, <link><type>)
that reuse the event's own field names. Both parsers read fields by position
(direct children only), accept what they do not know, and refuse only what
makes a session meaningless: no id, no title, no start or no length.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import sys
from collections.abc import Callable, Iterator
from zoneinfo import ZoneInfo

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET

from sessions.exports import frab as ours
from sessions.importers import zones
from sessions.importers.base import (
    ImportLimits,
    ParsedConference,
    ParsedPerson,
    ParsedSchedule,
    ParsedSession,
    Problem,
    ReadOptions,
    ScheduleImportError,
    check_not_empty,
    check_year,
    decode_text,
    finish,
    gather,
    guess_format,
    shorten,
    zone_warning,
)
from sessions.importers.people import person
from sessions.importers.zones import ZONE_ALIASES, canonical_zone
from sessions.models import Session

__all__ = ["ZONE_ALIASES", "canonical_zone", "parse_json", "parse_xml", "person"]

# The session formats by the names the guide's exports (and often pretalx) give them in <type>.
FORMATS_BY_LABEL = {str(label).casefold(): value for value, label in Session.Format.choices}
# "00:30", "1:30:00", "1:02:30:00"; five digits a part at most, so no sum overflows.
DURATION = re.compile(r"\d{1,5}(:\d{1,5}){1,3}")
# "09:30", "9:30" or "09:30:00".
START_TIME = re.compile(r"(?P<hour>\d{1,2}):(?P<minute>\d{1,2})(:\d{1,2})?")


def parse_duration(text: str) -> dt.timedelta:
    """'00:30', '1:30:00' or '1:02:30:00' (days first)."""
    if not DURATION.fullmatch(text.strip()):
        raise ValueError(f"“{shorten(text.strip(), 40)}” is not a duration such as 00:30")
    parts = [int(p) for p in text.strip().split(":")]
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
        moment = check_year(dt.datetime.fromisoformat(date_text.strip()))
        return moment if moment.tzinfo else moment.replace(tzinfo=zone)
    day = check_year(dt.date.fromisoformat((date_text or day_date).strip()[:10]))
    start = START_TIME.fullmatch(start_text.strip())
    if not start:
        raise ValueError(f"“{shorten(start_text.strip(), 40)}” is not a start time such as 09:30")
    return dt.datetime.combine(day, dt.time(int(start["hour"]), int(start["minute"])), tzinfo=zone)


def parse_end(starts_at: dt.datetime, duration: dt.timedelta) -> dt.datetime:
    """When an entry ends, refused (ValueError) outside the years any conference has."""
    try:
        return check_year(starts_at + duration)
    except OverflowError:
        raise ValueError(f"a duration of {duration.days:,} days is not a session's") from None


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
        format=FORMATS_BY_LABEL.get(kind.strip().casefold())
        or guess_format(kind, title.split(":")[0] if ":" in title else ""),
        abstract=text,
        schedule_url=url.strip(),
        people=[p for p in people if p.name],
    )


def _unreadable_time(where: str, source_id: str, error: Exception) -> Problem:
    reason = shorten(str(error), 200)
    return Problem(where, f"unreadable date, start or duration ({reason})", source_id)


def _conference(
    field: Callable[[str], str], zone_where: str
) -> tuple[ParsedConference, list[Problem]]:
    """The <conference> element or "conference" object: both name their fields alike.

    With a warning when the time zone it names does not exist.
    """
    given = field("time_zone_name").strip()
    conference = ParsedConference(
        name=field("title").strip(),
        acronym=field("acronym").strip(),
        time_zone=canonical_zone(given),
        start_date=_date(field("start")),
        end_date=_date(field("end")),
        website_url=field("url").strip(),
    )
    warnings = [zone_warning(zone_where, given)] if given and not conference.time_zone else []
    return conference, warnings


def _zone(
    conference: ParsedConference,
    warnings: list[Problem],
    field: Callable[[str], str],
    times: tuple[list[dt.datetime], bool],
    options: ReadOptions,
) -> ZoneInfo:
    """The zone the file's local times are read in; the conference gets the event's zone.

    The file's time_zone_name first; else the editor's choice; else one
    inferred from the offsets of its <date>s and the places it names (see
    zones). Local times (a day and a <start>, no offset) in a file whose zone
    is not known cannot be read: the editor is asked for the zone.
    """
    given = field("time_zone_name").strip()
    moments, floating = times
    named_but_unknown = bool(given) and not conference.time_zone
    zone = zones.decide(
        named=conference.time_zone,
        named_source=f"the file's time_zone_name “{given}”",
        given=options.time_zone,
        given_source=options.time_zone_source,
        moments=moments,
        places=[field(name).strip() for name in ("city", "location", "venue")],
        hints=zones.place_words(conference.name),
    )
    if floating and not zone.reading and not named_but_unknown:
        raise ScheduleImportError(
            "The file gives times without a UTC offset and names no time zone; "
            f"{zones.HOW_TO_CHOOSE}."
        )
    zones.settle(conference, zone, warnings)
    # A zone that does not exist was a warning: its local times are read as UTC, as it says.
    return ZoneInfo(zone.reading or "UTC")


def _moments(day_times: list[str], event_dates: list[str]) -> tuple[list[dt.datetime], bool]:
    """The aware times of days and events, and whether any event's time is local only.

    An event with no <date>, or one with no offset, happens at a local time.
    """
    moments: list[dt.datetime] = []
    floating = False
    for text, is_event in [(t, False) for t in day_times] + [(t, True) for t in event_dates]:
        text = text.strip()
        if "T" not in text:
            floating = floating or is_event
            continue
        try:
            moment = check_year(dt.datetime.fromisoformat(text))
        except ValueError:
            continue  # the event's own reading reports it
        if moment.tzinfo:
            moments.append(moment)
        else:
            floating = floating or is_event
    return moments, floating


def _date(text: str | None) -> dt.date | None:
    """A conference's first or last day; None if unreadable (its sessions' days are used)."""
    try:
        return check_year(dt.date.fromisoformat(str(text).strip()[:10])) if text else None
    except ValueError:
        return None


# --- XML --------------------------------------------------------------------


def _text(element, tag: str) -> str:
    """A direct child's text: never a same-named element deeper down."""
    child = element.find(tag)
    return "".join(child.itertext()) if child is not None else ""


def parse_xml(data: bytes, options: ReadOptions) -> ParsedSchedule:
    root, total = _xml_root(data, options.limits)
    header = root.find("conference")

    def field(tag: str) -> str:
        return _text(header, tag) if header is not None else ""

    conference, warnings = _conference(field, "<time_zone_name>")
    zone = _zone(
        conference,
        warnings,
        field,
        _xml_times(root),
        options,
    )
    guide = _xml_generator(root) == ours.GENERATOR
    sessions = gather(_xml_events(root, zone, guide=guide), options, total=total)
    return finish("frab-xml", conference, sessions, warnings=warnings)


def _xml_generator(root) -> str:
    generator = root.find("generator")
    return (generator.get("name") or "").strip() if generator is not None else ""


def _xml_times(root) -> tuple[list[dt.datetime], bool]:
    """What _zone needs of the days' start (pretalx writes it) and the events' <date>."""
    day_times: list[str] = []
    event_dates: list[str] = []
    for day in root.findall("day"):
        day_times.append(day.get("start", ""))
        for room in day.findall("room"):
            event_dates += [_text(event, "date") for event in room.findall("event")]
    return _moments(day_times, event_dates)


def _xml_root(data: bytes, limits: ImportLimits):
    """The <schedule> element, parsed with DTDs and entities refused, and its <event> count.

    Events are counted as they are parsed: reading stops at the first one past
    the limit, before a huge file is built in memory.
    """
    check_not_empty(data)
    root = None
    events = 0
    try:
        for _, element in SafeET.iterparse(io.BytesIO(data), events=("start",), forbid_dtd=True):
            if root is None:
                root = element
            elif element.tag == "event":
                events += 1
                if events > limits.max_entries:
                    limits.check_entries(events, "<event> elements", exact=False)
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
    except LookupError as error:
        raise ScheduleImportError(
            f"The XML declares an encoding this import does not know ({shorten(str(error), 80)}); "
            "export it again as UTF-8."
        ) from None
    if root.tag != "schedule":
        raise ScheduleImportError(
            [Problem(f"<{root.tag}>", "this is not a frab schedule (no <schedule> root)")]
        )
    return root, events


def _xml_events(root, zone: ZoneInfo, *, guide: bool) -> Iterator[ParsedSession | Problem]:
    """Every <event> of every <room> of every <day>, in the file's order."""
    count = 0
    for day_number, day in enumerate(root.findall("day"), start=1):
        for room in day.findall("room"):
            for event in room.findall("event"):
                count += 1
                where = f"<event> #{count} (day {day.get('index') or day_number})"
                yield _xml_event(
                    event,
                    where,
                    day.get("date", ""),
                    (room.get("name", ""), room.get("guid", "")),
                    zone,
                    guide=guide,
                )


def _xml_event(
    event,
    where: str,
    day_date: str,
    room_element: tuple[str, str],
    zone: ZoneInfo,
    *,
    guide: bool = False,
) -> ParsedSession | Problem:
    """One <event>; `room_element` is the name and guid of the <room> it is in.

    `guide`: the file is a guide's own export (see _guide_dialect).
    """
    source_id = (event.get("guid") or event.get("id") or _text(event, "guid")).strip()
    try:
        starts_at = parse_start(_text(event, "date"), day_date, _text(event, "start"), zone)
        duration = parse_duration(_text(event, "duration"))
        parse_end(starts_at, duration)
    except (ValueError, TypeError) as error:
        return _unreadable_time(where, source_id, error)
    persons = event.find("persons")
    people = []
    for element in persons.findall("person") if persons is not None else []:
        people.append(person("".join(element.itertext())))
        people[-1].guid = element.get("guid", "")
    room_name, room_guid = room_element
    room = _text(event, "room") or room_name
    links = [
        (link.get("href", ""), link.get("type", ""), "".join(link.itertext()))
        for link in event.findall("links/link")
    ]
    recording = event.find("recording")
    optout = _text(recording, "optout").strip().lower() if recording is not None else ""
    session = _build_session(
        where=where,
        source_id=source_id,
        title=_text(event, "title"),
        starts_at=starts_at,
        duration=duration,
        room=room,
        track=_text(event, "track"),
        kind=_text(event, "type"),
        abstract=_text(event, "abstract"),
        description=_text(event, "description"),
        url=_official_link(_text(event, "url"), _text(event, "origin_url"), guide=guide),
        people=people,
    )
    session.guid = event.get("guid", "")
    session.room_guid = room_guid if room.strip() == room_name.strip() else ""
    session.language = _text(event, "language")
    session.do_not_record = optout in {"true", "1"}
    _media_links(session, [(href, kind) for href, kind, _ in links])
    if guide:
        session.slug = _own_slug(_text(event, "slug"))
        themes = [(text, kind) for _, kind, text in links if kind in ours.THEME_LINKS]
        session.themes = [" ".join(text.split()) for text, _ in themes]
        if any(kind == ours.TRACK_THEME_LINK for _, kind in themes):
            session.track = ""  # <track> shows a theme: the session has no official track
        _guide_dialect(session)
    return session


# --- What every frab file and a guide's own export may add --------------------


def _official_link(url: str, origin_url: str, *, guide: bool) -> str:
    """The session's page at the organisers': origin_url where a file names one (a
    schedule that copies another's, as ours do), else its url, which in a guide's
    own export is the guide's page and not the organisers'."""
    if origin_url.strip():
        return origin_url
    return "" if guide else url


def _media_links(session: ParsedSession, links: list[tuple[str, str]]) -> None:
    """Video and slides from links typed as the c3voc schema types them."""
    for href, kind in links:
        if kind == ours.VIDEO_LINK and not session.video_url:
            session.video_url = href
        elif kind == ours.SLIDES_LINK and not session.slides_url:
            session.slides_url = href


def _own_slug(text: str) -> str:
    """The session's own slug in a guide's "<acronym>-<id>-<slug>"."""
    parts = text.strip().split("-", 2)
    return parts[2] if len(parts) == 3 and parts[1].isdecimal() else ""


def _guide_dialect(session: ParsedSession) -> None:
    """A guide's export puts sessions without a room in a stand-in room with no guid."""
    if session.room == ours.UNASSIGNED_ROOM and not session.room_guid:
        session.room = ""


# --- JSON -------------------------------------------------------------------


def _str(value) -> str:
    """A string or number as text; "" for anything else (a list where a title belongs
    is no title, and its text could be huge)."""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return ""


def parse_json(data: bytes, options: ReadOptions) -> ParsedSchedule:
    source, generator = _json_conference_object(data)

    def field(key: str) -> str:
        return _str(source.get(key))

    conference, warnings = _conference(field, "schedule.conference.time_zone_name")
    conference.description = field("description").strip()
    guide = _json_guide_meta(source) if generator == ours.GENERATOR else None
    if guide is not None:
        conference.venue = _str(guide.get("venue")).strip()
        conference.is_virtual = guide.get("is_virtual") is True
        conference.schedule_url = _str(guide.get("schedule_url"))
    days = _json_days(source)
    total = _json_event_count(days)
    options.limits.check_entries(total, "events")
    zone = _zone(
        conference,
        warnings,
        field,
        _json_times(days),
        options,
    )
    sessions = gather(
        _json_events(days, zone, _json_room_guids(source), guide), options, total=total
    )
    return finish("frab-json", conference, sessions, warnings=warnings)


def _json_guide_meta(source: dict) -> dict:
    """What a guide's own export keeps in conference.meta (the schema leaves it open)."""
    meta = source.get("meta")
    guide = meta.get(ours.GENERATOR) if isinstance(meta, dict) else None
    return guide if isinstance(guide, dict) else {}


def _json_room_guids(source: dict) -> dict[str, str]:
    """The guid of each room conference.rooms lists, by name."""
    rooms = source.get("rooms")
    return {
        _str(room.get("name")): _str(room.get("guid"))
        for room in (rooms if isinstance(rooms, list) else [])
        if isinstance(room, dict)
    }


def _json_times(days: list) -> tuple[list[dt.datetime], bool]:
    """What _zone needs of the days' day_start and the events' "date"."""
    day_times: list[str] = []
    event_dates: list[str] = []
    for day in days:
        if not isinstance(day, dict):
            continue
        day_times.append(_str(day.get("day_start")))
        rooms = day.get("rooms")
        for events in rooms.values() if isinstance(rooms, dict) else []:
            for event in events if isinstance(events, list) else []:
                if isinstance(event, dict):
                    event_dates.append(_str(event.get("date")))
    return _moments(day_times, event_dates)


def _json_conference_object(data: bytes) -> tuple[dict, str]:
    """The document's schedule.conference object, which holds everything else, and
    the name of the generator that wrote it."""
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
    except RecursionError:
        # json refuses, rather than crashes on, nesting deeper than Python's stack.
        raise ScheduleImportError(
            "The JSON is nested far more deeply than any schedule; it was not read."
        ) from None
    except ValueError as error:
        if "integer string conversion" not in str(error):
            raise
        # json.loads refuses an integer longer than Python converts.
        raise ScheduleImportError(
            f"The JSON holds a number of more than {sys.get_int_max_str_digits():,} digits, "
            "which no schedule needs; it was not read."
        ) from None
    schedule = document.get("schedule") if isinstance(document, dict) else None
    source = schedule.get("conference") if isinstance(schedule, dict) else None
    if not isinstance(source, dict):
        raise ScheduleImportError(
            [Problem("schedule.conference", "this is not a frab schedule JSON (it is missing)")]
        )
    generator = document.get("generator")
    return source, _str(generator.get("name")).strip() if isinstance(generator, dict) else ""


def _json_days(source: dict) -> list:
    days = source.get("days") or []
    if not isinstance(days, list):
        raise ScheduleImportError([Problem("schedule.conference.days", "it is not a list")])
    return days


def _json_event_count(days: list) -> int:
    """The events _json_events will read, counted before any is."""
    count = 0
    for day in days:
        rooms = day.get("rooms") if isinstance(day, dict) else None
        if isinstance(rooms, dict):
            count += sum(len(events) for events in rooms.values() if isinstance(events, list))
    return count


def _json_events(
    days: list, zone: ZoneInfo, room_guids: dict[str, str], guide: dict | None
) -> Iterator[ParsedSession | Problem]:
    """Every event of every room of every day, in the file's order.

    `guide`: the conference meta of a guide's own export; None for other files.
    """
    for day_index, day in enumerate(days):
        rooms = day.get("rooms") if isinstance(day, dict) else None
        if not isinstance(rooms, dict):
            yield Problem(f"days[{day_index}]", "it has no rooms object")
            continue
        for room_name, events in rooms.items():
            for event_index, event in enumerate(events if isinstance(events, list) else []):
                where = f"days[{day_index}].rooms[{room_name!r}][{event_index}]"
                if not isinstance(event, dict):
                    yield Problem(where, "the event is not an object")
                    continue
                session = _json_event(event, where, _str(day.get("date")), room_name, zone)
                if isinstance(session, ParsedSession):
                    _json_extras(session, event, room_guids, guide)
                yield session


def _json_event(
    event: dict, where: str, day_date: str, room_name: str, zone: ZoneInfo
) -> ParsedSession | Problem:
    source_id = _str(event.get("guid") or event.get("id") or event.get("code")).strip()
    try:
        starts_at = parse_start(_str(event.get("date")), day_date, _str(event.get("start")), zone)
        if event.get("end") and not event.get("duration"):
            duration = check_year(dt.datetime.fromisoformat(_str(event["end"]))) - starts_at
        else:
            duration = parse_duration(_str(event.get("duration")))
        parse_end(starts_at, duration)
    except (ValueError, TypeError) as error:
        return _unreadable_time(where, source_id, error)
    return _build_session(
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
        people=_json_people(event.get("persons") or []),
    )


def _json_extras(
    session: ParsedSession, event: dict, room_guids: dict[str, str], guide: dict | None
) -> None:
    """What the c3voc schema adds to frab's fields, and what a guide's export adds to that."""
    session.guid = _str(event.get("guid"))
    session.room_guid = room_guids.get(session.room, "")
    session.language = _str(event.get("language"))
    session.do_not_record = event.get("do_not_record") is True
    session.schedule_url = _official_link(
        _str(event.get("url")), _str(event.get("origin_url")), guide=guide is not None
    ).strip()
    links = event.get("links")
    _media_links(
        session,
        [
            (_str(link.get("url")), _str(link.get("type")))
            for link in (links if isinstance(links, list) else [])
            if isinstance(link, dict)
        ],
    )
    if guide is None:
        return
    session.slug = _own_slug(_str(event.get("slug")))
    sessions = guide.get("sessions")
    extra = sessions.get(session.guid) if isinstance(sessions, dict) else None
    if isinstance(extra, dict):
        session.source_id = _str(extra.get("source_id")).strip() or session.source_id
        session.track = _str(extra.get("track", session.track)).strip()
        themes = extra.get("themes")
        session.themes = [_str(t) for t in themes if _str(t)] if isinstance(themes, list) else []
        session.level = _str(extra.get("level"))
        session.editors_note = _str(extra.get("editors_note"))
        session.is_editors_pick = extra.get("is_editors_pick") is True
    _guide_dialect(session)


def _json_people(entries) -> list[ParsedPerson]:
    """Persons as objects (name or public_name) or plain strings; anything else is ignored."""
    people = []
    for entry in entries if isinstance(entries, list) else []:
        if isinstance(entry, dict):
            people.append(person(_str(entry.get("name") or entry.get("public_name"))))
            people[-1].guid = _str(entry.get("guid"))
        elif isinstance(entry, str):
            people.append(person(entry))
    return people
