"""POST data for the admin's add and change forms, as a browser would send it."""

from __future__ import annotations

import datetime as dt

from sessions.models import Event, Session

MANAGEMENT = ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS")


def inline(prefix: str, rows: list[dict], *, initial: int = 0) -> dict:
    data = {
        f"{prefix}-{key}": value
        for key, value in zip(MANAGEMENT, (len(rows), initial, 0, 1000), strict=True)
    }
    for index, row in enumerate(rows):
        data.update({f"{prefix}-{index}-{name}": value for name, value in row.items()})
    return data


def event_data(*, rooms: list[dict] | None = None, **overrides) -> dict:
    data = {
        "name": "CloudConf 2030",
        "slug": "cloudconf-2030",
        "description": "",
        "start_date": "2030-11-17",
        "end_date": "2030-11-20",
        "time_zone": "America/New_York",
        "is_virtual": "on",
        "venue": "",
        "website_url": "",
        "schedule_url": "",
        "feed_url": "",
        "sync_every": "60",
    }
    data.update(overrides)
    return {**data, **inline("rooms", rooms or [])}


def session_data(
    event: Event,
    *,
    starts: str = "2030-11-17 10:00",
    ends: str = "2030-11-17 10:35",
    appearances: list[dict] | None = None,
    initial_appearances: int = 0,
    theme_links: list[dict] | None = None,
    initial_theme_links: int = 0,
    **overrides,
) -> dict:
    """Times are typed as the form shows them (the event's zone or UTC, see the admin)."""
    start_date, start_time = starts.split()
    end_date, end_time = ends.split()
    data = {
        "event": event.pk,
        "title": "A talk about clusters",
        "slug": "a-talk-about-clusters",
        "status": Session.Status.PUBLISHED,
        "starts_at_0": start_date,
        "starts_at_1": start_time,
        "ends_at_0": end_date,
        "ends_at_1": end_time,
        "room": "",
        "format": Session.Format.TALK,
        "level": "",
        "track": "",
        "abstract": "",
        "editors_note": "",
        "schedule_url": "",
        "video_url": "",
        "slides_url": "",
    }
    data.update(overrides)
    data.update(inline("appearances", appearances or [], initial=initial_appearances))
    # The themes inline (SessionTheme): each row a theme, with its id when it exists.
    data.update(inline("theme_links", theme_links or [], initial=initial_theme_links))
    return data


def local(moment: dt.datetime, event: Event) -> str:
    """A moment as the session form shows it for the event."""
    return f"{moment.astimezone(event.tz):%Y-%m-%d %H:%M}"
