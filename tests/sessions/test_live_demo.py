"""The live demo event: today in the demo's zone, now and next visible, moved on every load."""

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import timezone

from sessions.days import conference_day, day_bounds
from sessions.demo import live
from sessions.models import Event, Session
from sessions.public import selectors

pytestmark = pytest.mark.integration

ZONE = ZoneInfo(live.TIME_ZONE)


@pytest.fixture(autouse=True)
def _hand_written_demo_only(without_kubecon_eu_2026):
    """The real KubeCon EU 2026 import is not needed here, and slow."""


def _local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=ZONE)


def _live_event() -> Event:
    return Event.objects.get(slug=live.LIVE_EVENT_SLUG)


def _programme() -> list[tuple[str, dt.datetime, dt.datetime]]:
    return list(
        Session.objects.filter(event__slug=live.LIVE_EVENT_SLUG)
        .order_by("slug")
        .values_list("slug", "starts_at", "ends_at")
    )


def test_load_demo_puts_a_published_live_event_on_today_in_the_demos_zone(db):
    call_command("load_demo", stdout=io.StringIO())

    event = _live_event()
    today = conference_day(timezone.now(), ZONE)
    assert (event.start_date, event.end_date) == (today, today)
    assert event.time_zone == "America/New_York" and event.is_published
    assert selectors.event_phase(event, now=timezone.now()) == "current"
    sessions = list(Session.objects.filter(event=event).for_listing())
    opens, closes = day_bounds(today, ZONE)
    assert all(opens <= s.starts_at < s.ends_at <= closes for s in sessions)
    for session in sessions:
        session.full_clean()
    # A venue day from morning to evening, in several rooms, themes and formats.
    local_starts = {s.starts_at.astimezone(ZONE).time() for s in sessions}
    assert dt.time(9, 0) in local_starts and dt.time(17, 15) in local_starts
    assert len({s.room.name for s in sessions}) >= 3
    assert len({t.slug for s in sessions for t in s.listed_themes}) >= 4
    assert {s.format for s in sessions} >= {"keynote", "talk", "workshop", "panel"}
    assert len({a.speaker_id for s in sessions for a in s.listed_appearances}) >= 8


def test_the_live_event_has_something_on_now_and_next_at_every_quarter_hour(db):
    day = dt.date(2026, 6, 10)
    live.load_live_event(now=_local(day, 12))
    event = _live_event()
    opens, _ = day_bounds(day, ZONE)

    for quarter in range(24 * 4):
        now = opens + dt.timedelta(minutes=15 * quarter)
        page = selectors.schedule_page(event=event, filters={}, now=now)
        assert page["on_now"], f"nothing on at {now.astimezone(ZONE):%H:%M}"
        if now.astimezone(ZONE).time() < dt.time(3, 0) or now.astimezone(ZONE).hour >= 4:
            assert page["up_next"], f"nothing next at {now.astimezone(ZONE):%H:%M}"


def test_now_and_next_at_late_morning_name_the_talk_on_and_the_one_after(db):
    day = dt.date(2026, 6, 10)
    live.load_live_event(now=_local(day, 11, 10))

    page = selectors.schedule_page(event=_live_event(), filters={}, now=_local(day, 11, 10))

    assert [s.title for s in page["on_now"]] == [
        "Hands-on: your first CSI driver",
        "API Priority and Fairness in practice",
    ]
    assert [s.title for s in page["up_next"]] == ["Hierarchical namespaces for team self-service"]


def test_a_rerun_on_another_day_moves_the_event_and_never_duplicates_it(db):
    first_day = dt.date(2026, 3, 2)
    live.load_live_event(now=_local(first_day, 10))
    event = _live_event()
    before = _programme()
    version = event.content_version

    summary = live.load_live_event(now=_local(first_day + dt.timedelta(days=3), 15))

    assert Event.objects.filter(name=event.name).count() == 1
    moved = _live_event()
    assert moved.pk == event.pk
    new_day = dt.date(2026, 3, 5)
    assert (moved.start_date, moved.end_date) == (new_day, new_day)
    after = _programme()
    assert [slug for slug, _, _ in after] == [slug for slug, _, _ in before]
    for (_, starts, ends), (_, old_starts, old_ends) in zip(after, before, strict=True):
        assert starts.astimezone(ZONE) - old_starts.astimezone(ZONE) == dt.timedelta(days=3)
        assert ends - starts == old_ends - old_starts
    # Calendars see every session move, and cached pages follow the new version.
    assert set(Session.objects.filter(event=moved).values_list("sequence", flat=True)) == {1}
    assert moved.content_version > version
    assert "Thursday 5 March 2026" in summary and "updated" in summary


def test_a_rerun_on_the_same_day_changes_nothing(db):
    now = _local(dt.date(2026, 3, 2), 10)
    live.load_live_event(now=now)
    version = _live_event().content_version
    before = _programme()

    summary = live.load_live_event(now=now + dt.timedelta(hours=5))

    assert summary.endswith("already up to date")
    assert _programme() == before
    assert _live_event().content_version == version


def test_after_midnight_the_event_stays_on_the_conference_day_that_is_still_running(db):
    # 01:30 belongs to the day before (sessions.days), and the night's replay is on.
    night = _local(dt.date(2026, 3, 3), 1, 30)
    live.load_live_event(now=night)

    event = _live_event()
    page = selectors.schedule_page(event=event, filters={}, now=night)

    assert event.start_date == dt.date(2026, 3, 2)
    assert [s.title for s in page["on_now"]] == [
        "Replay: Object storage buckets the Kubernetes way"
    ]


def test_the_live_events_schedule_page_shows_now_and_next(client, db):
    call_command("load_demo", stdout=io.StringIO())
    now = timezone.now()
    sessions = Session.objects.filter(event__slug=live.LIVE_EVENT_SLUG)
    on_now = sessions.filter(starts_at__lte=now, ends_at__gt=now)
    up_next = sessions.filter(starts_at__gt=now, starts_at__lte=now + dt.timedelta(hours=1))
    expected = [*on_now.values_list("title", flat=True), *up_next.values_list("title", flat=True)]

    response = client.get(f"/events/{live.LIVE_EVENT_SLUG}/schedule/")

    assert response.status_code == 200
    now_section = response.text.split('id="now-heading"', 1)[1]
    now_section = now_section.split("</section>", 1)[0]
    # Whenever the test runs, something is on or starts within the hour.
    assert expected
    for title in expected:
        assert title.replace("'", "&#x27;") in now_section


def test_the_home_page_says_the_live_event_is_happening_now(client, db):
    call_command("load_demo", stdout=io.StringIO())

    response = client.get("/")

    happening = response.text.split('<h2 id="current-heading">Happening now</h2>', 1)[1]
    assert live.EVENT["name"] in happening.split("</section>", 1)[0]
