"""Planning with the schedule: multi-value filters that keep the day, only the
values an event uses, the agenda and cards views, and the star's saved count."""

import datetime as dt
import re
from types import SimpleNamespace
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sessions.models import Session
from tests.factories import (
    EventFactory,
    RoomFactory,
    SavedSessionFactory,
    SessionFactory,
    SpeakerFactory,
    ThemeFactory,
    UserFactory,
)

pytestmark = pytest.mark.integration

FETCH = {"HTTP_X_REQUESTED_WITH": "fetch"}


def at(event, day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(
        event.start_date + dt.timedelta(days=day), dt.time(hour, minute), tzinfo=event.tz
    )


@pytest.fixture
def summit(db):
    """Two days; three themes, two rooms, talks and a workshop, one session not recorded."""
    event = EventFactory(
        name="Planning Summit",
        slug="planning-summit",
        time_zone="Europe/Berlin",
        start_date=dt.date(2030, 6, 3),
        end_date=dt.date(2030, 6, 4),
    )
    storage = ThemeFactory(name="Storage", slug="storage")
    security = ThemeFactory(name="Security", slug="security")
    mesh = ThemeFactory(name="Mesh", slug="mesh")
    hall, annex = RoomFactory(event=event, name="Hall"), RoomFactory(event=event, name="Annex")

    def session(title, day, hour, room, themes, **fields):
        return SessionFactory(
            event=event,
            title=title,
            starts_at=at(event, day, hour),
            ends_at=at(event, day, hour, 45),
            room=room,
            themes=themes,
            **fields,
        )

    return SimpleNamespace(
        event=event,
        url=reverse("conference:schedule", args=[event.slug]),
        storage=storage,
        security=security,
        mesh=mesh,
        hall=hall,
        annex=annex,
        volumes=session("Volumes", 0, 10, hall, [storage]),
        secrets=session("Secrets", 0, 11, annex, [security], do_not_record=True),
        sidecars=session("Sidecars", 0, 12, hall, [mesh]),
        backups=session("Backups", 1, 10, annex, [storage], format=Session.Format.WORKSHOP),
        policies=session("Policies", 1, 11, hall, [security]),
    )


def titles(response) -> list[str]:
    return re.findall(r'<h4 class="srow-title"[^>]*><a href="[^"]+">([^<]+)</a>', response.text)


def tab_queries(response) -> list[list[tuple[str, str]]]:
    """The query of each day tab's link, as ordered pairs."""
    bar = response.text.split('aria-label="Conference days"')[1].split("</nav>")[0]
    return [
        parse_qsl(urlsplit(href.replace("&amp;", "&")).query)
        for href in re.findall(r'class="day-tab[^"]*" href="([^"]+)"', bar)
    ]


# --- Several values per filter, OR within one and AND across them -----------


def test_two_themes_show_sessions_of_either(client, summit):
    response = client.get(summit.url, {"day": "2030-06-03", "theme": ["storage", "security"]})

    assert titles(response) == ["Volumes", "Secrets"]
    assert '<input type="checkbox" name="theme" value="storage" checked>' in response.text
    assert '<input type="checkbox" name="theme" value="security" checked>' in response.text
    assert '<input type="checkbox" name="theme" value="mesh">' in response.text


def test_filters_narrow_together(client, summit):
    response = client.get(
        summit.url,
        {"day": "2030-06-03", "theme": ["storage", "security"], "room": [str(summit.annex.pk)]},
    )

    assert titles(response) == ["Secrets"]
    assert "— 2 filters," in response.text


def test_recorded_filter_is_offered_when_sessions_differ_and_filters(client, summit):
    not_recorded = client.get(summit.url, {"day": "2030-06-03", "recorded": "no"})
    recorded = client.get(summit.url, {"day": "2030-06-03", "recorded": "yes"})

    assert '<select name="recorded"' in recorded.text
    assert titles(not_recorded) == ["Secrets"]
    assert titles(recorded) == ["Volumes", "Sidecars"]
    assert "Not recorded" in not_recorded.text


def test_recorded_filter_goes_once_every_session_is_recorded(client, summit):
    before = client.get(summit.url)
    summit.secrets.do_not_record = False
    summit.secrets.save()

    after = client.get(summit.url)

    assert '<select name="recorded"' in before.text
    assert 'name="recorded"' not in after.text


# --- Filters keep the day, and the day keeps the filters ---------------------


def test_filter_form_carries_the_day_shown(client, summit):
    response = client.get(summit.url, {"day": "2030-06-04"})

    form = response.text.split('class="schedule-filters"')[1].split("</form>")[0]
    assert '<input type="hidden" name="day" value="2030-06-04">' in form


def test_day_tabs_carry_every_value_of_every_filter_that_worked(client, summit):
    response = client.get(
        summit.url,
        {"day": "2030-06-03", "theme": ["storage", "security", "nope"], "format": "talk"},
    )

    assert tab_queries(response) == [
        [("theme", "storage"), ("theme", "security"), ("format", "talk"), ("day", day)]
        for day in ("2030-06-03", "2030-06-04")
    ]


def test_a_view_chosen_by_link_travels_with_the_tabs_and_the_form(client, summit):
    response = client.get(summit.url, {"day": "2030-06-03", "view": "cards"})

    assert all(("view", "cards") in pairs for pairs in tab_queries(response))
    assert '<input type="hidden" name="view" value="cards">' in response.text


# --- Only values the event uses ----------------------------------------------


def test_filters_offer_only_values_the_events_sessions_use(client, summit):
    other = EventFactory(slug="elsewhere")
    SessionFactory(event=other, themes=[ThemeFactory(name="Unused", slug="unused")])
    SessionFactory(event=summit.event, title="Draft", status=Session.Status.DRAFT, level="advanced")
    RoomFactory(event=summit.event, name="Empty room")

    response = client.get(summit.url)

    assert re.findall(r'name="theme" value="([^"]+)"', response.text) == [
        "mesh",
        "security",
        "storage",
    ]
    assert re.findall(r'name="format" value="([^"]+)"', response.text) == ["talk", "workshop"]
    # Every public session's level is blank (the advanced one is a draft): no Level filter.
    assert "<legend>Level</legend>" not in response.text
    assert "Empty room" not in response.text.split('class="schedule-filters"')[1]


def test_no_theme_filter_for_an_event_without_themes(client, db):
    event = EventFactory(slug="plain")
    SessionFactory(event=event)

    response = client.get(reverse("conference:schedule", args=[event.slug]))

    assert "<legend>Theme</legend>" not in response.text
    assert 'name="theme"' not in response.text


def test_a_value_the_event_does_not_use_is_dropped_and_named(client, summit):
    response = client.get(
        summit.url, {"day": "2030-06-03", "theme": ["storage", "unused"], "level": "beginner"}
    )

    assert response.status_code == 200
    assert titles(response) == ["Volumes"]
    assert "There is no theme “unused” in this event&#x27;s schedule, so it was left out." in (
        response.text
    )
    assert "“beginner” is not a level in this event, so it was left out." in response.text


def test_control_characters_in_a_filter_never_reach_the_page(client, summit):
    response = client.get(summit.url + "?day=2030-06-03&company=%00acme%01&theme=%00")

    assert response.status_code == 200
    assert "\x00" not in response.text and "\x01" not in response.text
    assert "No company “acme” has sessions at this event" in response.text


def test_too_many_values_drop_the_filter_with_a_message(client, summit):
    response = client.get(
        summit.url, {"day": "2030-06-03", "theme": [f"theme-{n}" for n in range(60)]}
    )

    assert response.status_code == 200
    assert "A filter takes at most 50 values; the theme filter had more" in response.text
    assert titles(response) == ["Volumes", "Secrets", "Sidecars"]


def test_a_view_that_does_not_exist_is_named_and_ignored(client, summit):
    response = client.get(summit.url, {"view": "<grid>"})

    assert response.status_code == 200
    assert "“&lt;grid&gt;” is not a way to show the schedule" in response.text
    assert 'class="schedule-view-auto"' in response.text


# --- The page cache: one entry per filter set and per view -------------------


def _queries(client, url, params=None, **extra) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params or {}, **extra)
    return len(captured), response.text


def test_the_same_filters_in_another_order_are_one_cached_page(client, summit):
    cache.clear()
    first, _ = _queries(client, summit.url, {"theme": ["storage", "security"]})
    again, text = _queries(client, summit.url, {"theme": ["security", "storage"]})
    other, other_text = _queries(client, summit.url, {"theme": ["storage"]})

    assert first > 1
    assert again == 1  # the event's version only: served from the cache
    assert titles(SimpleNamespace(text=text)) == ["Volumes", "Secrets"]
    assert other > 1
    assert titles(SimpleNamespace(text=other_text)) == ["Volumes"]


def test_a_day_given_twice_is_read_as_the_page_reads_it_not_mixed_up_in_the_cache(client, summit):
    cache.clear()
    # The last value counts for a single-valued parameter, whatever is cached.
    tuesday = client.get(f"{summit.url}?day=2030-06-03&day=2030-06-04")
    monday = client.get(f"{summit.url}?day=2030-06-04&day=2030-06-03")

    assert "Tuesday 4 June 2030" in tuesday.text
    assert "Monday 3 June 2030" in monday.text


def test_each_view_is_its_own_cached_page_and_the_cookie_chooses_one(client, summit):
    cache.clear()
    _, auto = _queries(client, summit.url)
    client.cookies["schedule_view"] = "cards"
    count, cards = _queries(client, summit.url)
    _, agenda = _queries(client, summit.url, {"view": "agenda"})
    client.cookies["schedule_view"] = "tiles"
    _, unknown = _queries(client, summit.url)

    assert 'class="schedule-view-auto"' in auto
    assert count > 1  # not the auto page from the cache
    assert 'class="schedule-view-cards"' in cards
    assert 'class="schedule-view-agenda"' in agenda
    assert 'class="schedule-view-auto"' in unknown


@pytest.mark.parametrize("per_day", [3, 30])
def test_queries_stay_constant_with_filters_and_counts(
    client, db, django_assert_max_num_queries, per_day
):
    event = EventFactory(slug="sized", start_date=dt.date(2030, 6, 3), end_date=dt.date(2030, 6, 4))
    themes = [ThemeFactory() for _ in range(3)]
    rooms = [RoomFactory(event=event) for _ in range(3)]
    for number in range(per_day):
        session = SessionFactory(
            event=event,
            starts_at=at(event, 0, 9 + number // 3),
            ends_at=at(event, 0, 9 + number // 3, 40),
            room=rooms[number % 3],
            themes=themes[: 1 + number % 3],
            speakers=[SpeakerFactory(), SpeakerFactory()],
            do_not_record=number % 2 == 0,
        )
        SavedSessionFactory(session=session)
    params = {"theme": [t.slug for t in themes[:2]], "room": [str(r.pk) for r in rooms[:2]]}

    # The event's version, the event, the filters' choices (four), the matches,
    # the day's sessions with their counts, and their themes and speakers.
    with django_assert_max_num_queries(10):
        response = client.get(reverse("conference:schedule", args=[event.slug]), params)

    assert len(titles(response)) == per_day - per_day // 3


# --- The star and its count -----------------------------------------------------


def test_the_star_shows_the_count_from_the_threshold_on(client, summit, settings):
    settings.SAVED_COUNT_THRESHOLD = 3
    for _ in range(3):
        SavedSessionFactory(session=summit.volumes)
    for _ in range(2):
        SavedSessionFactory(session=summit.secrets)

    schedule = client.get(summit.url, {"day": "2030-06-03"}).text
    session_page = client.get(summit.volumes.get_absolute_url()).text
    theme_page = client.get(summit.storage.get_absolute_url()).text

    volumes_row = schedule.split(">Volumes</a>")[1].split("</li>")[0]
    secrets_row = schedule.split(">Secrets</a>")[1].split("</li>")[0]
    assert '<span class="star-count">3 saved</span>' in volumes_row
    assert "star-count" not in secrets_row
    assert '<span class="star-count">3 saved</span>' in session_page
    assert '<span class="star-count">3 saved</span>' in theme_page


def test_the_star_is_the_first_action_on_the_session_page(client, summit):
    page = client.get(summit.volumes.get_absolute_url()).text

    star = page.index('aria-label="Save “Volumes” to my schedule"')
    assert page.index('id="session-title"') < star < page.index("Add to calendar (.ics)")


def test_the_star_sent_back_after_a_save_has_the_count_as_it_is_now(client, summit, settings):
    settings.SAVED_COUNT_THRESHOLD = 3
    for _ in range(2):
        SavedSessionFactory(session=summit.volumes)
    client.force_login(UserFactory())

    response = client.post(
        reverse("myschedule:add", args=[summit.volumes.pk]), {"next": summit.url}, **FETCH
    )

    assert ">Saved</button>" in response.text
    assert '<span class="star-count">3 saved</span>' in response.text
