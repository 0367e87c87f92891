"""frab schedule XML and JSON for an event, as the mobile schedule apps read them.

Giggity, ConfClerk and EventFahrplan follow the strict schedule.xml XSD of
the c3voc schedule format; the JSON follows its schema.json. Sessions keep
their UUID as guid, so an app that re-fetches the file updates in place.
Speakers are written as "Name [Company]", the way pretalx does, so that a
re-import gives back the same affiliations. frab has no status field: a
cancelled session is left out, and apps drop it when they re-fetch (the
iCalendar feeds keep it as STATUS:CANCELLED instead).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from collections.abc import Callable, Iterable
from xml.etree import ElementTree as ET

from django.utils.text import slugify

from sessions.days import conference_day, day_bounds
from sessions.exports.text import printable_document, printable_tree
from sessions.models import Event, Session

# Names rooms and speakers in guids without naming the host (RFC 4122 uuid5).
GUID_NAMESPACE = uuid.UUID("6f1cbb86-5a8e-4d4e-9d2f-0e9a8d6c6a41")
UNASSIGNED_ROOM = "To be announced"
GENERATOR = "confguide"

UrlOf = Callable[[Session], str]


def acronym(event: Event) -> str:
    """Both schemas want lowercase letters, digits and underscores, four or more."""
    text = re.sub(r"[^a-z0-9_]", "_", event.slug.lower())
    return text.ljust(4, "_")


def _hhmm(delta: dt.timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _person_text(appearance) -> str:
    name = appearance.speaker.name
    return f"{name} [{appearance.company.name}]" if appearance.company else name


def _track(session: Session) -> str:
    if session.track:
        return session.track
    themes = list(session.listed_themes)
    return themes[0].name if themes else ""


def _slug(session: Session) -> str:
    """Unique and in the c3voc shape: acronym, then id and the session's own slug."""
    own = slugify(session.slug).strip("-_") or "session"
    return f"{acronym(session.event)}-{session.pk}-{own}"


def _days(event: Event, sessions: Iterable[Session]):
    """[(index, day, start, end, [(room name, [sessions])])] over every day of the event."""
    tz = event.tz
    by_day: dict[dt.date, dict[str, list[Session]]] = {}
    room_order: dict[str, tuple] = {}
    for session in sessions:
        name = session.room.name if session.room else UNASSIGNED_ROOM
        room_order.setdefault(name, (session.room.order if session.room else 10_000, name))
        by_day.setdefault(conference_day(session.starts_at, tz), {}).setdefault(name, []).append(
            session
        )
    days = sorted(set(event.days) | set(by_day))
    result = []
    for index, day in enumerate(days, start=1):
        start, end = day_bounds(day, tz)
        rooms = by_day.get(day, {})
        ordered = sorted(rooms.items(), key=lambda item: room_order[item[0]])
        result.append((index, day, start, end - dt.timedelta(minutes=1), ordered))
    return result


def _tracks(sessions: Iterable[Session]) -> list[str]:
    return sorted({track for track in (_track(s) for s in sessions) if track})


def frab_xml(event: Event, sessions: list[Session], *, url_of: UrlOf, feed_url: str) -> bytes:
    tz = event.tz
    root = ET.Element("schedule")
    ET.SubElement(root, "generator", name=GENERATOR)
    ET.SubElement(root, "url").text = feed_url
    ET.SubElement(root, "version").text = _version(event)
    conference = ET.SubElement(root, "conference")
    ET.SubElement(conference, "title").text = event.name
    ET.SubElement(conference, "acronym").text = acronym(event)
    ET.SubElement(conference, "start").text = event.start_date.isoformat()
    ET.SubElement(conference, "end").text = event.end_date.isoformat()
    ET.SubElement(conference, "days").text = str(len(event.days))
    ET.SubElement(conference, "timeslot_duration").text = "00:05"
    if event.website_url.startswith(("http://", "https://")):
        ET.SubElement(conference, "url").text = event.website_url
    ET.SubElement(conference, "time_zone_name").text = event.time_zone
    for track in _tracks(sessions):
        ET.SubElement(conference, "track", name=track)

    for index, day, start, end, rooms in _days(event, sessions):
        day_element = ET.SubElement(
            root,
            "day",
            index=str(index),
            date=day.isoformat(),
            start=start.isoformat(),
            end=end.isoformat(),
        )
        for room_name, room_sessions in rooms:
            room_element = ET.SubElement(
                day_element, "room", name=room_name, guid=_room_guid(event, room_name)
            )
            for session in room_sessions:
                _xml_event(room_element, session, tz, url_of)
    printable_tree(root)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _frab_fields(session: Session, tz, url_of: UrlOf) -> dict[str, str]:
    """A session's frab fields shared by XML and JSON, in the order the XSD requires."""
    starts = session.starts_at.astimezone(tz)
    return {
        "date": starts.isoformat(),
        "start": starts.strftime("%H:%M"),
        "duration": _hhmm(session.duration),
        "room": session.room.name if session.room else UNASSIGNED_ROOM,
        "slug": _slug(session),
        "url": url_of(session),
        "title": session.title,
        "subtitle": "",
        "track": _track(session),
        "type": session.get_format_display(),
        "language": "en",
        "abstract": session.abstract,
        "description": session.abstract,
    }


def _xml_event(parent, session: Session, tz, url_of: UrlOf) -> None:
    element = ET.SubElement(parent, "event", guid=str(session.uid), id=str(session.pk))
    for tag, text in _frab_fields(session, tz, url_of).items():
        ET.SubElement(element, tag).text = text
    persons = ET.SubElement(element, "persons")
    for appearance in session.listed_appearances:
        ET.SubElement(
            persons, "person", id=str(appearance.speaker_id), guid=_speaker_guid(appearance)
        ).text = _person_text(appearance)
    links = ET.SubElement(element, "links")
    for href, title in _links(session):
        ET.SubElement(links, "link", href=href).text = title


def _links(session: Session) -> list[tuple[str, str]]:
    return [
        (url, title)
        for url, title in (
            (session.schedule_url, "Official schedule"),
            (session.video_url, "Video"),
            (session.slides_url, "Slides"),
        )
        if url
    ]


def _room_guid(event: Event, name: str) -> str:
    return str(uuid.uuid5(GUID_NAMESPACE, f"room:{event.pk}:{name}"))


def _speaker_guid(appearance) -> str:
    return str(uuid.uuid5(GUID_NAMESPACE, f"speaker:{appearance.speaker_id}"))


def _version(event: Event) -> str:
    """The event's content version: it moves with every change an app can see (a
    cancellation, a renamed theme, a new speaker) and with nothing else, and so do
    the export's ETag and Last-Modified. pretalx-downstream releases a new version
    of the schedule whenever this changes."""
    return str(event.content_version)


def frab_json(event: Event, sessions: list[Session], *, url_of: UrlOf, feed_url: str) -> bytes:
    tz = event.tz
    rooms_seen: dict[str, None] = {}
    days = []
    for index, day, start, end, rooms in _days(event, sessions):
        day_rooms = {}
        for room_name, room_sessions in rooms:
            rooms_seen.setdefault(room_name)
            day_rooms[room_name] = [_json_event(s, tz, url_of) for s in room_sessions]
        days.append(
            {
                "index": index,
                "date": day.isoformat(),
                "day_start": start.isoformat(),
                "day_end": end.isoformat(),
                "rooms": day_rooms,
            }
        )
    conference = {
        "acronym": acronym(event),
        "title": event.name,
        "start": event.start_date.isoformat(),
        "end": event.end_date.isoformat(),
        "daysCount": len(event.days),
        "timeslot_duration": "00:05",
        "time_zone_name": event.time_zone,
        "tracks": [{"name": track} for track in _tracks(sessions)],
        "rooms": [{"name": name, "guid": _room_guid(event, name)} for name in rooms_seen],
        "days": days,
    }
    if event.description:
        conference["description"] = event.description
    if event.website_url:
        conference["url"] = event.website_url
    document = {
        "$schema": "https://c3voc.de/schedule/schema.json",
        "generator": {"name": GENERATOR},
        "schedule": {
            "version": _version(event),
            "url": feed_url,
            "conference": conference,
        },
    }
    return json.dumps(printable_document(document), ensure_ascii=False, indent=1).encode()


def _json_event(session: Session, tz, url_of: UrlOf) -> dict:
    fields = _frab_fields(session, tz, url_of)
    return {
        "guid": str(session.uid),
        "id": session.pk,
        **fields,
        "end": session.ends_at.astimezone(tz).isoformat(),
        "track": fields["track"] or None,  # no track: null in JSON, an empty element in XML
        "persons": [
            {"id": a.speaker_id, "public_name": _person_text(a)} for a in session.listed_appearances
        ],
        "links": [{"url": url, "title": title, "type": "web"} for url, title in _links(session)],
    }
