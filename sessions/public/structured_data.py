"""schema.org JSON-LD for events and sessions, so search engines and link
previews understand dates, places, status and speakers."""

from __future__ import annotations

from typing import Any

from confguide.links import absolute_url
from confguide.seo import SCHEMA
from sessions.models import Event, Session, Speaker


def _attendance_mode(event: Event) -> str:
    mode = "OnlineEventAttendanceMode" if event.is_virtual else "OfflineEventAttendanceMode"
    return f"{SCHEMA}/{mode}"


def _location(event: Event, *, room: str = "") -> dict[str, Any]:
    if event.is_virtual:
        return {
            "@type": "VirtualLocation",
            "url": event.website_url or absolute_url(event.get_absolute_url()),
        }
    place = event.venue or event.name
    return {
        "@type": "Place",
        "name": f"{room}, {place}" if room else place,
        "address": event.venue or event.name,
    }


def _event_reference(event: Event) -> dict[str, Any]:
    """What names an event: its own page's data starts with it, a session's superEvent is it."""
    return {
        "@type": "Event",
        "@id": absolute_url(event.get_absolute_url()),
        "name": event.name,
        "url": absolute_url(event.get_absolute_url()),
        "startDate": event.start_date.isoformat(),
        "endDate": event.end_date.isoformat(),
    }


def event_data(event: Event) -> dict[str, Any]:
    data: dict[str, Any] = {
        "@context": SCHEMA,
        **_event_reference(event),
        "eventStatus": f"{SCHEMA}/EventScheduled",
        "eventAttendanceMode": _attendance_mode(event),
        "location": _location(event),
    }
    if event.description:
        data["description"] = event.description
    if event.website_url:
        data["sameAs"] = event.website_url
    return data


def session_data(session: Session) -> dict[str, Any]:
    """A session fetched with SessionQuerySet.for_listing()."""
    event = session.event
    status = "EventCancelled" if session.is_cancelled else "EventScheduled"
    performers = []
    for appearance in session.listed_appearances:
        person: dict[str, Any] = {
            "@type": "Person",
            "name": appearance.speaker.name,
            "url": absolute_url(appearance.speaker.get_absolute_url()),
        }
        if appearance.company:
            person["affiliation"] = {
                "@type": "Organization",
                "name": appearance.company.name,
                "url": absolute_url(appearance.company.get_absolute_url()),
            }
        performers.append(person)
    data: dict[str, Any] = {
        "@context": SCHEMA,
        "@type": "Event",
        "@id": absolute_url(session.get_absolute_url()),
        "name": session.title,
        "url": absolute_url(session.get_absolute_url()),
        "startDate": session.starts_at.astimezone(event.tz).isoformat(),
        "endDate": session.ends_at.astimezone(event.tz).isoformat(),
        "eventStatus": f"{SCHEMA}/{status}",
        "eventAttendanceMode": _attendance_mode(event),
        "location": _location(event, room=session.room.name if session.room else ""),
        "superEvent": _event_reference(event),
    }
    if session.abstract:
        data["description"] = session.abstract
    if performers:
        data["performer"] = performers
    return data


def speaker_data(speaker: Speaker) -> dict[str, Any]:
    """A speaker as a schema.org Person, with the current employer as affiliation."""
    data: dict[str, Any] = {
        "@context": SCHEMA,
        "@type": "Person",
        "@id": absolute_url(speaker.get_absolute_url()),
        "name": speaker.name,
        "url": absolute_url(speaker.get_absolute_url()),
    }
    if speaker.job_title:
        data["jobTitle"] = speaker.job_title
    if speaker.company:
        data["affiliation"] = {
            "@type": "Organization",
            "name": speaker.company.name,
            "url": absolute_url(speaker.company.get_absolute_url()),
        }
    if speaker.bio:
        data["description"] = speaker.bio
    links = [url for _, url in speaker.profile_links]
    if links:
        data["sameAs"] = links
    return data
