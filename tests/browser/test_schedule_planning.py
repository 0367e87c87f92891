"""Planning a conference day in headless Chromium, at 390 px (a phone) and 1366 px:
the agenda and cards views, sticky day tabs, filters that keep the day and take
several values, the star wherever a session is listed, and axe with WCAG 2.2."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from tests.factories import (
    EventFactory,
    RoomFactory,
    SavedSessionFactory,
    SessionFactory,
    SpeakerFactory,
    ThemeFactory,
)

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


@pytest.fixture
def open_page(browser, live_server):
    """A fresh browser context at a given size, closed after the test."""
    contexts = []

    def open_at(size: dict, *, is_mobile: bool = False):
        context = browser.new_context(base_url=live_server.url, viewport=size, is_mobile=is_mobile)
        # The reader's zone is known from the start, as on a second visit.
        context.add_cookies(
            [{"name": "reader_tz", "value": "Europe%2FBerlin", "url": live_server.url}]
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    yield open_at
    for context in contexts:
        context.close()


@pytest.fixture
def festival(transactional_db):
    """Two busy days: a phone must scroll, and each day has sessions of three themes."""
    event = EventFactory(
        name="Planning Fest",
        slug="planning-fest",
        time_zone="Europe/Berlin",
        start_date=dt.date(2030, 6, 3),
        end_date=dt.date(2030, 6, 4),
    )
    themes = [
        ThemeFactory(name=name, slug=name.lower(), colour=colour)
        for name, colour in (("Storage", "#1d5f8a"), ("Security", "#7a1f3d"), ("Mesh", "#2d6a2d"))
    ]
    rooms = [RoomFactory(event=event, name=f"Room {n}") for n in range(1, 4)]
    sessions = {}
    for day in range(2):
        for number in range(18):
            start = dt.datetime.combine(
                event.start_date + dt.timedelta(days=day),
                dt.time(9 + number // 3, 0),
                tzinfo=event.tz,
            )
            title = f"{themes[number % 3].name} talk {day + 1}.{number + 1}"
            sessions[title] = SessionFactory(
                event=event,
                title=title,
                starts_at=start,
                ends_at=start + dt.timedelta(minutes=45),
                room=rooms[number % 3],
                themes=[themes[number % 3]],
                speakers=[SpeakerFactory()],
            )
    return event, themes, sessions


def schedule_url(event, **query) -> str:
    url = reverse("conference:schedule", args=[event.slug])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def first_row_layout(page) -> str:
    """ "agenda" when the first session is laid out as a row, "cards" as a card."""
    display = page.locator(".srow").first.evaluate("row => getComputedStyle(row).display")
    return "agenda" if display == "grid" else "cards"


@pytest.mark.django_db(transaction=True)
def test_phone_gets_the_agenda_first_screen_and_sticky_tabs(open_page, festival, assert_accessible):
    event, _, _ = festival
    page = open_page(PHONE, is_mobile=True)

    page.goto(schedule_url(event))

    assert first_row_layout(page) == "agenda"
    first = page.locator(".srow").first.bounding_box()
    assert first["y"] + first["height"] <= PHONE["height"], "first session below the fold"
    assert page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )
    assert_accessible(page)

    page.evaluate("() => window.scrollTo(0, 2500)")
    assert page.evaluate("() => window.scrollY") > 2000
    tabs = page.get_by_role("navigation", name="Conference days").bounding_box()
    assert 0 <= tabs["y"] < 10, tabs
    expect(page.get_by_role("link", name=re.compile(r"^Tue 4 Jun"))).to_be_in_viewport()


@pytest.mark.django_db(transaction=True)
def test_desktop_shows_cards_and_remembers_a_switch(open_page, festival, assert_accessible):
    event, _, _ = festival
    page = open_page(DESKTOP)

    page.goto(schedule_url(event))
    assert first_row_layout(page) == "cards"
    assert_accessible(page)

    page.get_by_role("link", name="agenda", exact=True).click()
    page.wait_for_url(re.compile(r"view=agenda"))
    assert first_row_layout(page) == "agenda"
    assert_accessible(page)
    page.goto(schedule_url(event))
    assert first_row_layout(page) == "agenda", "the choice was not remembered"

    page.get_by_role("link", name="cards", exact=True).click()
    page.wait_for_url(re.compile(r"view=cards"))
    # Remembered on the next visit, even at a phone's width where agenda is the default.
    page.set_viewport_size(PHONE)
    page.goto(schedule_url(event))
    assert first_row_layout(page) == "cards"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_filters_keep_the_day_and_take_several_values(open_page, festival, size):
    event, _, _ = festival
    page = open_page(size, is_mobile=size is PHONE)
    page.goto(schedule_url(event, day="2030-06-04"))

    page.get_by_text("Filter · Time zone").click()
    page.get_by_role("checkbox", name="Storage").check()
    page.get_by_role("checkbox", name="Mesh").check()
    page.get_by_role("button", name="Apply filters").click()

    page.wait_for_url(re.compile(r"theme=storage"))
    assert "theme=mesh" in page.url and "day=2030-06-04" in page.url
    expect(page.get_by_role("heading", level=2, name="Tuesday 4 June 2030")).to_be_visible()
    titles = page.locator(".srow-title").all_inner_texts()
    assert len(titles) == 12
    assert all(re.fullmatch(r"(Storage|Mesh) talk 2\.\d+", title) for title in titles)
    expect(page.locator("summary")).to_contain_text("1 filter,")

    page.get_by_role("link", name=re.compile(r"^Mon 3 Jun")).click()
    page.wait_for_url(re.compile(r"day=2030-06-03"))
    assert "theme=storage" in page.url and "theme=mesh" in page.url
    assert len(page.locator(".srow-title").all_inner_texts()) == 12


def _save_in_place(page, title: str) -> None:
    page.evaluate("window.__samePage = true")
    page.get_by_role("button", name=f"Save “{title}” to my schedule").first.click()
    expect(
        page.get_by_role("button", name=f"Saved “{title}”: remove from my schedule").first
    ).to_be_visible()
    assert page.evaluate("window.__samePage") is True, "the page reloaded"


@pytest.mark.django_db(transaction=True)
def test_star_saves_in_place_on_rows_cards_session_and_theme_pages(
    open_page, festival, settings, assert_accessible
):
    settings.SAVED_COUNT_THRESHOLD = 10
    event, themes, sessions = festival
    popular = sessions["Storage talk 1.1"]
    for _ in range(10):
        SavedSessionFactory(session=popular)

    phone = open_page(PHONE, is_mobile=True)
    phone.goto(schedule_url(event, day="2030-06-03"))
    row = phone.locator(".srow", has_text="Storage talk 1.1")
    expect(row.locator(".star-count")).to_have_text("10 saved")
    star = row.get_by_role("button", name="Save “Storage talk 1.1” to my schedule")
    box = star.bounding_box()
    assert box["width"] >= 44 and box["height"] >= 44, box
    _save_in_place(phone, "Storage talk 1.1")
    expect(row.locator(".star-count")).to_have_text("11 saved")

    desktop = open_page(DESKTOP)
    desktop.goto(schedule_url(event, day="2030-06-03"))
    assert first_row_layout(desktop) == "cards"
    _save_in_place(desktop, "Mesh talk 1.3")

    desktop.goto(sessions["Security talk 1.2"].get_absolute_url())
    _save_in_place(desktop, "Security talk 1.2")
    assert_accessible(desktop)

    desktop.goto(themes[0].get_absolute_url())
    _save_in_place(desktop, "Storage talk 2.4")
    assert_accessible(desktop)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_export_links_and_the_open_options_pass_wcag22(
    open_page, festival, size, assert_accessible
):
    event, _, _ = festival
    page = open_page(size, is_mobile=size is PHONE)
    page.goto(schedule_url(event, day="2030-06-03", theme="storage"))

    for link in page.locator(".exports-list a").all():
        assert link.bounding_box()["height"] >= 24
    page.get_by_text("Filter · Time zone").click()
    expect(page.get_by_role("link", name="Change your time zone")).to_be_visible()
    assert_accessible(page)


@pytest.mark.django_db(transaction=True)
def test_a_session_listed_twice_turns_both_stars(open_page, transactional_db):
    now = timezone.now()
    event = EventFactory(
        slug="running-fest",
        time_zone="UTC",
        start_date=(now - dt.timedelta(days=1)).date(),
        end_date=(now + dt.timedelta(days=1)).date(),
    )
    SessionFactory(
        event=event,
        title="On right now",
        starts_at=now - dt.timedelta(minutes=10),
        ends_at=now + dt.timedelta(minutes=30),
    )
    page = open_page(PHONE, is_mobile=True)
    page.goto(schedule_url(event))
    expect(page.get_by_role("button", name="Save “On right now” to my schedule")).to_have_count(2)

    _save_in_place(page, "On right now")

    saved = page.get_by_role("button", name="Saved “On right now”: remove from my schedule")
    expect(saved).to_have_count(2)


@pytest.mark.django_db(transaction=True)
def test_on_a_phone_the_day_shown_is_in_view_in_the_day_strip(open_page, live_server):
    event = EventFactory(
        slug="long-fest",
        time_zone="Europe/Berlin",
        start_date=dt.date(2030, 6, 3),
        end_date=dt.date(2030, 6, 9),
    )
    last = dt.datetime.combine(event.end_date, dt.time(10), tzinfo=event.tz)
    SessionFactory(event=event, starts_at=last, ends_at=last + dt.timedelta(minutes=30))
    page = open_page(PHONE, is_mobile=True)

    page.goto("/events/long-fest/schedule/?day=2030-06-09")

    # Seven days do not fit 390 px; the last one, the day shown, is scrolled to.
    strip = page.locator(".day-tabs")
    assert strip.evaluate("strip => strip.scrollWidth > strip.clientWidth")
    tab = page.get_by_role("link", name="Sun 9 Jun")
    box, bar = tab.bounding_box(), strip.bounding_box()
    # (Within a pixel: the strip scrolls in whole pixels, tabs have fractions.)
    assert bar["x"] - 1 <= box["x"] and box["x"] + box["width"] <= bar["x"] + bar["width"] + 1
