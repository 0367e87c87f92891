"""Conference days: the calendar of an event as attendees live it."""

import datetime as dt
from zoneinfo import ZoneInfo

# A session that starts after midnight but before this hour belongs to the
# previous conference day (late-night parties, as pretalx counts them too).
DAY_BREAK = dt.timedelta(hours=4)


def conference_day(moment: dt.datetime, tz: ZoneInfo) -> dt.date:
    """The conference day a moment belongs to, in the event's time zone."""
    return (moment.astimezone(tz) - DAY_BREAK).date()


def day_bounds(day: dt.date, tz: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    """The aware [start, end) interval of a conference day."""
    start = dt.datetime.combine(day, dt.time(), tzinfo=tz) + DAY_BREAK
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=tz) + DAY_BREAK
    return start, end
