import datetime as dt
from zoneinfo import ZoneInfo

import icalendar
import pytest

from sessions import services
from sessions.exports.calendar import build_calendar
from sessions.models import Session
from tests.factories import EventFactory, SessionFactory, SpeakerFactory, ThemeFactory

pytestmark = pytest.mark.integration


def _url_of(session):
    return f"https://guide.test/{session.slug}/"


def _calendar(sessions):
    listed = Session.objects.filter(pk__in=[s.pk for s in sessions]).for_listing()
    return icalendar.Calendar.from_ical(build_calendar(listed, name="Test", url_of=_url_of))


def test_calendar_event_carries_local_time_with_its_time_zone(db):
    event = EventFactory(time_zone="America/New_York")
    speaker = SpeakerFactory(name="Patrick Ohly", company__name="Intel")
    session = SessionFactory(
        event=event,
        title="Persistent Memory in Kubernetes",
        starts_at=dt.datetime(2030, 11, 19, 20, 45, tzinfo=dt.UTC),
        ends_at=dt.datetime(2030, 11, 19, 21, 20, tzinfo=dt.UTC),
        speakers=[speaker],
        themes=[ThemeFactory(name="Storage & CSI")],
    )

    calendar = _calendar([session])

    (vevent,) = calendar.walk("VEVENT")
    assert str(vevent["UID"]) == str(session.uid)
    assert vevent["DTSTART"].params["TZID"] == "America/New_York"
    assert vevent.start == dt.datetime(2030, 11, 19, 15, 45, tzinfo=ZoneInfo("America/New_York"))
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["America/New_York"]
    assert "Patrick Ohly @ Intel" in vevent["DESCRIPTION"]
    assert vevent["URL"] == "https://guide.test/" + session.slug + "/"
    assert vevent["STATUS"] == "CONFIRMED"


def test_calendar_keeps_uid_and_raises_sequence_when_a_session_moves(db):
    session = SessionFactory()
    before = _calendar([session]).walk("VEVENT")[0]

    session.starts_at += dt.timedelta(hours=1)
    session.ends_at += dt.timedelta(hours=1)
    session.save()
    services.note_schedule_change(session=session, changed_fields=["starts_at", "ends_at"])
    after = _calendar([session]).walk("VEVENT")[0]

    assert after["UID"] == before["UID"]
    assert after["SEQUENCE"] == before["SEQUENCE"] + 1
    assert after["LAST-MODIFIED"].dt >= before["LAST-MODIFIED"].dt


def test_cancelled_session_stays_in_the_calendar_marked_cancelled(db):
    session = SessionFactory(status=Session.Status.CANCELLED)

    (vevent,) = _calendar([session]).walk("VEVENT")

    assert vevent["STATUS"] == "CANCELLED"
