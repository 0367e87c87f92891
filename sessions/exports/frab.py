"""frab schedule XML and JSON for an event, as the mobile schedule apps read them.

Giggity, ConfClerk and EventFahrplan follow the strict schedule.xml XSD of
the c3voc schedule format; the JSON follows its schema.json. Sessions, rooms
and speakers keep their guid, so an app that re-fetches the file updates in
place, and an import of the file (into its own event or a copy) finds them
again. Speakers are written as "Name [Company]", the way pretalx does, so that
a re-import gives back the same affiliations. frab has no status field: a
cancelled session is left out, and apps drop it when they re-fetch (the
iCalendar feeds keep it as STATUS:CANCELLED instead).

Everything a session has that the formats can hold is written, so that a
guide can import its own export without loss (sessions.importers.frab reads
this dialect back; README "Which fields survive which format"):

- the organisers' page of the session as <origin_url> and a link, while <url>
  is the guide's own page;
- video and slides as links typed as the c3voc schema types them;
- every theme as a link to its page in the guide, typed "theme"; <track> holds
  one value only: the official track, or where there is none the first theme,
  whose link is then typed "track";
- language and the recording opt-out where the session has them;
- in the JSON only, conference.meta.confguide (the schema leaves meta open):
  the event's venue, virtual flag and official schedule link, and per session
  guid what frab has no field for (the organisers' id, the official track when
  <track> shows a theme, themes, level, editors' note and pick).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterable
from xml.etree import ElementTree as ET

from django.utils.text import slugify

from confguide.links import absolute_url
from sessions.days import conference_day, day_bounds
from sessions.exports.text import printable_document, printable_tree
from sessions.models import Event, Room, Session, Theme

GENERATOR = "confguide"
# Apps need a room for every session; ours without one stand in this one, which
# has no guid, and an import of the file gives them no room again.
UNASSIGNED_ROOM = "To be announced"
# Link types: the c3voc schema's words for the organisers' page, video and
# slides; our own for themes (the XSD takes any word, the JSON schema does not,
# so the JSON names themes in its meta instead).
OFFICIAL_LINK, VIDEO_LINK, SLIDES_LINK = "web", "media", "slides"
THEME_LINK, TRACK_THEME_LINK = "theme", "track"
THEME_LINKS = {THEME_LINK, TRACK_THEME_LINK}

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
    """The official track; apps group by track, so without one the first theme."""
    if session.track:
        return session.track
    themes = session.listed_themes
    return themes[0].name if themes else ""


def _slug(session: Session) -> str:
    """Unique and in the c3voc shape: acronym, then id and the session's own slug."""
    own = slugify(session.slug).strip("-_") or "session"
    return f"{acronym(session.event)}-{session.pk}-{own}"


def _days(event: Event, sessions: Iterable[Session]):
    """[(index, day, start, end, [(room or None, [sessions])])] over every day of the event."""
    tz = event.tz
    by_day: dict[dt.date, dict[int | None, list[Session]]] = {}
    rooms: dict[int | None, Room | None] = {}
    for session in sessions:
        rooms.setdefault(session.room_id, session.room)
        by_day.setdefault(conference_day(session.starts_at, tz), {}).setdefault(
            session.room_id, []
        ).append(session)
    days = sorted(set(event.days) | set(by_day))
    result = []
    for index, day in enumerate(days, start=1):
        start, end = day_bounds(day, tz)
        ordered = sorted(by_day.get(day, {}).items(), key=lambda item: _room_order(rooms[item[0]]))
        result.append(
            (index, day, start, end - dt.timedelta(minutes=1), [(rooms[k], v) for k, v in ordered])
        )
    return result


def _room_order(room: Room | None) -> tuple:
    return (room.order, room.name) if room else (10_000, UNASSIGNED_ROOM)


def _room_name(room: Room | None) -> str:
    return room.name if room else UNASSIGNED_ROOM


def _tracks(sessions: Iterable[Session]) -> list[str]:
    return sorted({track for track in (_track(s) for s in sessions) if track})


class _ThemeUrls(dict):
    """Each theme's page in the guide, worked out once per export."""

    def __missing__(self, theme: Theme) -> str:
        self[theme] = absolute_url(theme.get_absolute_url())
        return self[theme]


def frab_xml(event: Event, sessions: list[Session], *, url_of: UrlOf, feed_url: str) -> bytes:
    tz = event.tz
    theme_urls = _ThemeUrls()
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
        for room, room_sessions in rooms:
            room_element = ET.SubElement(day_element, "room", name=_room_name(room))
            if room:
                room_element.set("guid", str(room.guid))
            for session in room_sessions:
                _xml_event(room_element, session, tz, url_of, theme_urls)
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
        "room": _room_name(session.room),
        "slug": _slug(session),
        "url": url_of(session),
        "title": session.title,
        "subtitle": "",
        "track": _track(session),
        "type": session.get_format_display(),
        "language": session.language,  # "" when not known: left out, or null in JSON
        "abstract": session.abstract,
        "description": session.abstract,
    }


def _xml_event(parent, session: Session, tz, url_of: UrlOf, theme_urls: _ThemeUrls) -> None:
    element = ET.SubElement(parent, "event", guid=str(session.uid), id=str(session.pk))
    for tag, text in _frab_fields(session, tz, url_of).items():
        if tag != "language" or text:
            ET.SubElement(element, tag).text = text
    if session.do_not_record:
        recording = ET.SubElement(element, "recording")
        ET.SubElement(recording, "license").text = ""
        ET.SubElement(recording, "optout").text = "true"
    if session.schedule_url:
        ET.SubElement(element, "origin_url").text = session.schedule_url
    persons = ET.SubElement(element, "persons")
    for appearance in session.listed_appearances:
        ET.SubElement(
            persons, "person", id=str(appearance.speaker_id), guid=str(appearance.speaker.guid)
        ).text = _person_text(appearance)
    links = ET.SubElement(element, "links")
    for href, title, kind in _links(session) + _theme_links(session, theme_urls):
        ET.SubElement(links, "link", href=href, type=kind).text = title


def _links(session: Session) -> list[tuple[str, str, str]]:
    """(address, title, c3voc link type) of the session's official page, video and slides."""
    return [
        (url, title, kind)
        for url, title, kind in (
            (session.schedule_url, "Official schedule", OFFICIAL_LINK),
            (session.video_url, "Video", VIDEO_LINK),
            (session.slides_url, "Slides", SLIDES_LINK),
        )
        if url
    ]


def _theme_links(session: Session, theme_urls: _ThemeUrls) -> list[tuple[str, str, str]]:
    themes = session.listed_themes
    # Without an official track, <track> shows the first theme: its link says so.
    stand_in = None if session.track or not themes else themes[0]
    return [
        (theme_urls[theme], theme.name, TRACK_THEME_LINK if theme is stand_in else THEME_LINK)
        for theme in themes
    ]


def _version(event: Event) -> str:
    """The event's content version: it moves with every change an app can see (a
    cancellation, a renamed theme, a new speaker) and with nothing else, and so do
    the export's ETag and Last-Modified. pretalx-downstream releases a new version
    of the schedule whenever this changes."""
    return str(event.content_version)


def frab_json(event: Event, sessions: list[Session], *, url_of: UrlOf, feed_url: str) -> bytes:
    tz = event.tz
    rooms_seen: dict[int, Room] = {}
    days = []
    for index, day, start, end, rooms in _days(event, sessions):
        day_rooms = {}
        for room, room_sessions in rooms:
            if room:
                rooms_seen.setdefault(room.pk, room)
            day_rooms[_room_name(room)] = [_json_event(s, tz, url_of) for s in room_sessions]
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
        "rooms": [{"name": room.name, "guid": str(room.guid)} for room in rooms_seen.values()],
        "meta": {GENERATOR: _json_meta(event, sessions)},
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
    event = {
        "guid": str(session.uid),
        "id": session.pk,
        **fields,
        "end": session.ends_at.astimezone(tz).isoformat(),
        "track": fields["track"] or None,  # no track: null in JSON, an empty element in XML
        "language": fields["language"] or None,
        "persons": [
            {"id": a.speaker_id, "public_name": _person_text(a), "guid": str(a.speaker.guid)}
            for a in session.listed_appearances
        ],
        "links": [
            {"url": url, "title": title, "type": kind} for url, title, kind in _links(session)
        ],
    }
    if session.schedule_url:
        event["origin_url"] = session.schedule_url
    if session.do_not_record:
        event["do_not_record"] = True
    return event


def _json_meta(event: Event, sessions: list[Session]) -> dict:
    """What frab's JSON has no field for: the event's place, and per session guid its
    organisers' id, editors' work and (where <track> shows a theme) its official track."""
    by_session = {}
    for session in sessions:
        extra = {
            "source_id": session.source_id,
            "level": session.level,
            "themes": [theme.name for theme in session.listed_themes],
            "editors_note": session.editors_note,
            "is_editors_pick": session.is_editors_pick,
        }
        if _track(session) != session.track:
            extra["track"] = session.track
        extra = {key: value for key, value in extra.items() if value or key == "track"}
        if extra:
            by_session[str(session.uid)] = extra
    place = {
        "venue": event.venue,
        "is_virtual": event.is_virtual,
        "schedule_url": event.schedule_url,
    }
    return {**{key: value for key, value in place.items() if value}, "sessions": by_session}
