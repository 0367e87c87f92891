import datetime as dt
import re

import pytest
from django.utils import timezone

from sessions.models import Session
from tests.factories import EventFactory, RoomFactory, SessionFactory, SpeakerFactory, ThemeFactory
from tests.sessions.helpers import shows_span

pytestmark = pytest.mark.integration

SCHEDULE = "/events/kubecon-na-2020/schedule/"


def titles(response) -> list[str]:
    """Session titles in page order, as the schedule's rows show them."""
    heading = r'<h4 class="srow-title"[^>]*>\s*<a href="[^"]+">([^<]+)</a>'
    return re.findall(heading, response.text)


def test_schedule_groups_one_day_by_start_time(client, kubecon):
    response = client.get(SCHEDULE, {"day": "2020-11-19"})

    assert response.status_code == 200
    assert titles(response) == [
        "Cancelled CSI Deep Dive",
        "Persistent Memory in Kubernetes",
        "After-hours Storage Birds of a Feather",
    ]
    assert "Thursday 19 November 2020" in response.text
    assert "Policy as Code for Admission Control" not in response.text


def test_session_at_half_past_one_is_listed_on_the_previous_day(client, kubecon):
    day_20 = client.get(SCHEDULE, {"day": "2020-11-20"})
    day_19 = client.get(SCHEDULE, {"day": "2020-11-19"})

    assert "After-hours Storage Birds of a Feather" not in day_20.text
    assert "After-hours Storage Birds of a Feather" in day_19.text
    assert ">01:30</time>" in day_19.text


def test_schedule_shows_cancelled_sessions_marked_and_never_drafts(client, kubecon):
    response = client.get(SCHEDULE, {"day": "2020-11-19"})

    row = response.text.split("Cancelled CSI Deep Dive")[0].rsplit("<li", 1)[1]
    assert "is-cancelled" in row
    assert '<strong class="srow-flag">Cancelled</strong>' in response.text
    assert "Secret Draft Session" not in response.text


def test_day_tabs_link_every_day_and_count_matches(client, kubecon):
    response = client.get(SCHEDULE, {"day": "2020-11-19", "theme": "storage-csi"})

    assert 'href="?theme=storage-csi&amp;day=2020-11-18"' in response.text
    assert re.search(r'aria-current="page">Thu 19 Nov <span class="small">\(3', response.text)
    assert re.search(r">Wed 18 Nov <span class=\"small\">\(0", response.text)


def test_first_day_with_sessions_is_shown_when_no_day_is_asked(client, kubecon):
    response = client.get(SCHEDULE)

    assert "Wednesday 18 November 2020" in response.text
    assert titles(response) == ["Policy as Code for Admission Control"]


def test_schedule_shows_times_in_both_zones_for_a_reader_elsewhere(reader_in_los_angeles, kubecon):
    response = reader_in_los_angeles.get(SCHEDULE, {"day": "2020-11-19"})

    assert shows_span(response.text, "15:45", "16:20", "EST")
    assert shows_span(response.text, "12:45", "13:20", "PST")


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (
            {"theme": "storage-csi"},
            [
                "Cancelled CSI Deep Dive",
                "Persistent Memory in Kubernetes",
                "After-hours Storage Birds of a Feather",
            ],
        ),
        ({"theme": "security"}, []),
        ({"format": "bof"}, ["After-hours Storage Birds of a Feather"]),
        ({"company": "intel"}, ["Cancelled CSI Deep Dive", "Persistent Memory in Kubernetes"]),
        ({"company": "red-hat", "format": "talk"}, []),
        ({"q": "persistent memory"}, ["Persistent Memory in Kubernetes"]),
        ({"q": "pmem-csi"}, ["Persistent Memory in Kubernetes"]),
        ({"q": "Ohly"}, ["Cancelled CSI Deep Dive", "Persistent Memory in Kubernetes"]),
        ({"q": "intel"}, ["Cancelled CSI Deep Dive", "Persistent Memory in Kubernetes"]),
        ({"q": "Secret Draft"}, []),
    ],
)
def test_filters_combine_and_stay_in_the_tabs(client, kubecon, params, expected):
    response = client.get(SCHEDULE, {"day": "2020-11-19", **params})

    assert titles(response) == expected
    for key in params:
        assert f'name="{key}"' in response.text
        assert f"{key}=" in response.text.split('aria-label="Conference days"')[1]
    assert "Some filters could not be used" not in response.text


def test_level_and_room_filters(client, kubecon):
    by_level = client.get(SCHEDULE, {"day": "2020-11-19", "level": "advanced"})
    by_room = client.get(SCHEDULE, {"day": "2020-11-18", "room": kubecon.room.pk})

    # Only the policy session (on the 18th) names a level: none on the 19th has it.
    assert titles(by_level) == []
    assert "No session on this day matches your filters" in by_level.text
    assert titles(by_room) == ["Policy as Code for Admission Control"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"theme": "no-such-theme"}, "There is no theme “no-such-theme” in this event"),
        ({"format": "<script>"}, "“&lt;script&gt;” is not a session format"),
        ({"level": "guru"}, "“guru” is not a level"),
        ({"room": "999999"}, "There is no room “999999” in this event"),
        ({"room": "abc"}, "There is no room “abc” in this event"),
        ({"company": "nobody"}, "No company “nobody” has sessions at this event"),
        ({"recorded": "maybe"}, "“maybe” is not a recording choice (use yes or no)"),
        ({"view": "tiles"}, "“tiles” is not a way to show the schedule (agenda or cards)"),
        ({"day": "2020-13-45"}, "That day is not a date (use YYYY-MM-DD)"),
        ({"day": "yesterday"}, "That day is not a date (use YYYY-MM-DD)"),
        ({"day": "2021-01-01"}, "1 January 2021 is not a day of this event"),
        ({"q": "x" * 10_000}, "Searches are limited to 200 characters; yours had 10000"),
        ({"theme": "x" * 10_000}, "There is no theme “xxxxxxxx"),
        ({"day": "9" * 10_000}, "That day is not a date (use YYYY-MM-DD)"),
    ],
)
def test_bad_filters_are_ignored_with_a_clear_message(client, kubecon, params, message):
    response = client.get(SCHEDULE, params)

    assert response.status_code == 200
    assert "Some filters could not be used" in response.text
    assert message in response.text
    # The rest of the page works as if the bad filter were absent.
    assert "Wednesday 18 November 2020" in response.text
    assert titles(response) == ["Policy as Code for Admission Control"]
    assert "x" * 300 not in response.text


def test_search_with_only_punctuation_does_not_fail(client, kubecon):
    response = client.get(SCHEDULE, {"day": "2020-11-19", "q": "&|!:*()'"})

    assert response.status_code == 200
    assert titles(response) == []


def test_schedule_of_a_draft_or_unknown_event_is_a_styled_404(client, kubecon):
    EventFactory(slug="hidden-conf", is_published=False)

    hidden = client.get("/events/hidden-conf/schedule/")
    unknown = client.get("/events/nope/schedule/")

    assert hidden.status_code == 404
    assert unknown.status_code == 404
    assert "Page not found" in hidden.text
    assert 'class="navbar' in hidden.text


def test_now_and_next_while_the_event_runs(client, db):
    now = timezone.now()
    event = EventFactory(
        slug="live-conf",
        time_zone="UTC",
        start_date=(now - dt.timedelta(days=1)).date(),
        end_date=(now + dt.timedelta(days=1)).date(),
    )
    room = RoomFactory(event=event)
    SessionFactory(
        event=event,
        title="Running Right Now",
        room=room,
        starts_at=now - dt.timedelta(minutes=10),
        ends_at=now + dt.timedelta(minutes=20),
    )
    SessionFactory(
        event=event,
        title="Coming Up Soon",
        room=room,
        starts_at=now + dt.timedelta(minutes=30),
        ends_at=now + dt.timedelta(minutes=60),
    )
    SessionFactory(
        event=event,
        title="Much Later",
        room=room,
        starts_at=now + dt.timedelta(hours=5),
        ends_at=now + dt.timedelta(hours=6),
    )

    response = client.get("/events/live-conf/schedule/")

    now_next = response.text.split('id="now-heading"')[1].split('id="day-heading"')[0]
    on_now, up_next = now_next.split("Starting within the hour")
    assert "Running Right Now" in on_now
    assert "Coming Up Soon" in up_next
    assert "Much Later" not in now_next
    # The running session is also in the day's list: its two cards keep distinct ids.
    ids = re.findall(r' id="([^"]+)"', response.text)
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("sessions", [2, 20])
def test_now_and_next_query_count_does_not_grow(client, db, django_assert_num_queries, sessions):
    now = timezone.now()
    event = EventFactory(
        slug="busy-conf",
        time_zone="UTC",
        start_date=(now - dt.timedelta(days=1)).date(),
        end_date=(now + dt.timedelta(days=1)).date(),
    )
    for number in range(sessions):
        SessionFactory(
            event=event,
            starts_at=now + dt.timedelta(minutes=number * 3 - 20),
            ends_at=now + dt.timedelta(minutes=number * 3 + 10),
            speakers=[SpeakerFactory()],
            themes=[ThemeFactory()],
        )

    with django_assert_num_queries(10):
        response = client.get("/events/busy-conf/schedule/")

    assert "Now and next" in response.text
    assert response.text.count('class="srow') >= sessions


def test_no_now_and_next_outside_the_event(client, kubecon):
    response = client.get(SCHEDULE)

    assert "Now and next" not in response.text


def _kubecon_sized(event, *, sessions: int, offset: int):
    themes = [ThemeFactory() for _ in range(3)]
    rooms = [RoomFactory(event=event) for _ in range(3)]
    start = dt.datetime(2020, 11, 18, 15, 0, tzinfo=dt.UTC)
    for number in range(sessions):
        SessionFactory(
            event=event,
            starts_at=start + dt.timedelta(minutes=40 * (number // 3)),
            ends_at=start + dt.timedelta(minutes=40 * (number // 3) + 35),
            room=rooms[number % 3],
            themes=themes[: 1 + number % 3],
            speakers=[SpeakerFactory(), SpeakerFactory()],
            format=Session.Format.TALK,
        )


@pytest.mark.parametrize("sessions", [3, 30])
def test_schedule_query_count_does_not_grow_with_sessions(
    client, kubecon, django_assert_num_queries, sessions
):
    _kubecon_sized(kubecon.event, sessions=sessions, offset=0)

    # A first render: the event's version (every request), then the event and
    # the eight reads of the page (only when the page is not cached yet).
    with django_assert_num_queries(10):
        response = client.get(SCHEDULE, {"day": "2020-11-18", "q": "session", "theme": ""})

    assert len(titles(response)) == sessions


def test_filter_lists_show_the_chosen_value_and_flag_a_refused_one(client, kubecon):
    page = client.get(
        SCHEDULE, {"day": "2020-11-18", "level": "advanced", "room": kubecon.room.pk}
    ).text
    assert '<input type="checkbox" name="level" value="advanced" checked> Advanced' in page
    assert f'<input type="checkbox" name="room" value="{kubecon.room.pk}" checked>' in page
    assert "<legend>Theme</legend>" in page

    refused = client.get(SCHEDULE, {"day": "2020-11-18", "format": "<script>"}).text
    assert '<fieldset class="filter-group" aria-invalid="true"><legend>Format</legend>' in refused
    assert "<script>" not in refused.split("<legend>Format</legend>")[1].split("</fieldset>")[0]
