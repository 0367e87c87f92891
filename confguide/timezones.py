"""The reader's time zone and the two-zone time display.

Every time is shown in the event's zone; beside it, when it reads differently,
in the reader's own zone. The reader's zone comes from a cookie that the
browser sets (static/js/time-zone.js detects it) or that the time-zone form
sets without JavaScript. `reader_time_zone()` is the one place that decides
it, so a signed-in attendee's saved zone can take precedence there later.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from functools import cache
from urllib.parse import quote, unquote
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse


@cache
def available_time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def validate_time_zone(value: str) -> None:
    if value not in available_time_zones():
        raise ValidationError(
            "“%(value)s” is not a known IANA time zone; use a name such as "
            "“America/New_York” or “Europe/Amsterdam”.",
            code="invalid_time_zone",
            params={"value": value},
        )


READER_TZ_COOKIE = "reader_tz"
READER_TZ_MAX_AGE = 365 * 24 * 60 * 60

# Area prefixes of current IANA names; the rest (US/Pacific, Etc/GMT+5, posix/...)
# are aliases or legacy names that would only clutter the chooser.
_CHOOSER_AREAS = (
    "Africa/",
    "America/",
    "Antarctica/",
    "Asia/",
    "Atlantic/",
    "Australia/",
    "Europe/",
    "Indian/",
    "Pacific/",
)


@cache
def time_zone_choices() -> tuple[str, ...]:
    """Names offered by the chooser: UTC first, then the current IANA zones."""
    zones = sorted(name for name in available_time_zones() if name.startswith(_CHOOSER_AREAS))
    return ("UTC", *zones)


def parse_time_zone(value: str | None) -> ZoneInfo | None:
    if not value or value not in available_time_zones():
        return None
    return ZoneInfo(value)


def reader_time_zone(request: HttpRequest) -> ZoneInfo | None:
    """The zone the reader chose or their browser reported; None when unknown.

    A signed-in attendee's zone, stored on their account, wins over the cookie,
    so their schedule reads the same on every device.
    """
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and (stored := parse_time_zone(user.time_zone)):
        return stored
    raw = request.COOKIES.get(READER_TZ_COOKIE, "")
    return parse_time_zone(unquote(raw).strip('"')[:64])


def remember_time_zone(response: HttpResponse, zone: ZoneInfo, *, secure: bool) -> None:
    # Readable by the page's script (it only checks whether a zone is known);
    # quoted the way the script quotes it, since "/" is not a cookie token character.
    response.set_cookie(
        READER_TZ_COOKIE,
        quote(zone.key, safe=""),
        max_age=READER_TZ_MAX_AGE,
        samesite="Lax",
        secure=secure,
        httponly=False,
    )


class ReaderTimeZoneMiddleware:
    """Sets `request.reader_tz` (a ZoneInfo, or None) for views and templates."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.reader_tz = reader_time_zone(request)
        return self.get_response(request)


def zone_label(moment: dt.datetime) -> str:
    """The abbreviation readers know (EST, CET, GMT), or the offset when a zone has none."""
    return moment.strftime("%Z")


@dataclass(frozen=True)
class ZonedSpan:
    """A time or a time range as read in one zone."""

    start: dt.datetime
    end: dt.datetime | None
    zone: ZoneInfo

    @property
    def label(self) -> str:
        return zone_label(self.start)

    def same_reading(self, other: ZonedSpan) -> bool:
        """True when both zones show the same clock time under the same name."""
        return (
            self.start.utcoffset() == other.start.utcoffset()
            and self.label == other.label
            and (self.end is None or self.end.utcoffset() == other.end.utcoffset())
        )


def zoned_spans(
    start: dt.datetime,
    end: dt.datetime | None,
    *,
    event_tz: ZoneInfo,
    reader_tz: ZoneInfo | None,
) -> tuple[ZonedSpan, ZonedSpan | None]:
    """The span in the event's zone, and in the reader's zone when that reads differently."""
    event_span = ZonedSpan(
        start.astimezone(event_tz), end.astimezone(event_tz) if end else None, event_tz
    )
    if reader_tz is None:
        return event_span, None
    reader_span = ZonedSpan(
        start.astimezone(reader_tz), end.astimezone(reader_tz) if end else None, reader_tz
    )
    if reader_span.same_reading(event_span):
        return event_span, None
    return event_span, reader_span
