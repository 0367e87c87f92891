"""My schedule as an agenda in Chromium at phone and desktop widths: plan A from
an overlap, the QR codes, the copy buttons, and axe with the WCAG 2.2 rules."""

import datetime as dt

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from sessions.models import SavedSession
from sessions.myschedule import services
from tests.factories import (
    EventFactory,
    RoomFactory,
    SavedSessionFactory,
    SessionFactory,
    ThemeFactory,
    UserFactory,
)

pytestmark = pytest.mark.browser

WIDTHS = {"phone": (390, 844), "desktop": (1366, 900)}


def _programme(user):
    event = EventFactory(name="Agenda Conf", time_zone="America/New_York")
    storage = ThemeFactory(name="Storage")
    room = RoomFactory(event=event, name="Hall A")

    def session(title, hour, minute=0, **kwargs):
        start = dt.datetime.combine(event.start_date, dt.time(hour, minute), tzinfo=event.tz)
        return SessionFactory(
            event=event,
            title=title,
            starts_at=start,
            ends_at=start + dt.timedelta(minutes=45),
            room=room,
            **kwargs,
        )

    volumes = session("Volumes at scale", 10, themes=[storage])
    backups = session("Backups that restore", 10, 15)
    session("Snapshots in the same slot", 10, 30, themes=[storage])
    keynote = session("Closing keynote", 16)
    for one in (volumes, backups, keynote):
        SavedSessionFactory(user=user, session=one)
    past = EventFactory(
        name="Old Conf", start_date=dt.date(2020, 11, 17), end_date=dt.date(2020, 11, 18)
    )
    SavedSessionFactory(
        user=user,
        session=SessionFactory(
            event=past,
            title="Recorded last year",
            starts_at=dt.datetime(2020, 11, 17, 15, tzinfo=dt.UTC),
            ends_at=dt.datetime(2020, 11, 17, 16, tzinfo=dt.UTC),
            video_url="https://videos.example/recorded",
        ),
    )
    return volumes, backups


def _signed_in_context(browser, live_server, user, size, **options):
    width, height = size
    context = browser.new_context(
        **options,
        base_url=live_server.url,
        viewport={"width": width, "height": height},
        is_mobile=width < 500,
        has_touch=width < 500,
        # Without transitions axe sees a button's settled colours, not a
        # hover fading in behind the pointer that just clicked it.
        reduced_motion="reduce",
    )
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )
    return context


@pytest.mark.parametrize("size", WIDTHS.values(), ids=WIDTHS.keys())
@pytest.mark.django_db(transaction=True)
def test_agenda_plan_a_qr_code_and_copy(browser, live_server, size, assert_accessible):
    user = UserFactory(username="planner", time_zone="Europe/Berlin")
    volumes, backups = _programme(user)
    services.regenerate_calendar_token(user=user)
    services.set_sharing(user=user, enabled=True)
    user.refresh_from_db()
    context = _signed_in_context(browser, live_server, user, size)
    page = context.new_page()
    page.set_default_timeout(10_000)

    page.goto(reverse("myschedule:index"))

    # The agenda comes first: the event, its day, the overlap and its plan B candidate.
    assert page.get_by_role("heading", level=2, name="Agenda Conf").is_visible()
    assert page.get_by_role("link", name="Volumes at scale").is_visible()
    overlap = page.locator(".agenda-clash")
    assert "Pick your plan A" in overlap.inner_text()
    assert overlap.get_by_role("link", name="Snapshots in the same slot").is_visible()
    assert page.get_by_role("heading", name="What you saved and missed").is_visible()
    assert page.get_by_role("link", name="Video of “Recorded last year”").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= size[0]
    assert_accessible(page)

    # Pick plan A: a plain form post, back to the agenda with the choice shown.
    page.get_by_role("button", name="Make “Volumes at scale” plan A").click()
    page.get_by_text("“Volumes at scale” is your plan A; “Backups that restore” stays").wait_for()
    assert SavedSession.objects.get(user=user, session=volumes).plan == "A"
    assert SavedSession.objects.get(user=user, session=backups).plan == "B"
    overlap = page.locator(".agenda-clash")
    assert "Your plan A is chosen" in overlap.inner_text()
    assert overlap.get_by_text("Plan B", exact=True).is_visible()
    assert overlap.get_by_role("button", name="Make “Backups that restore” plan A").is_visible()

    # The QR codes are drawn, large enough to scan, and named.
    feed_qr = page.get_by_role("img", name="QR code of the calendar subscription address")
    feed_qr.scroll_into_view_if_needed()
    box = feed_qr.bounding_box()
    assert feed_qr.is_visible() and box["width"] >= 150 and box["height"] >= 150
    assert page.get_by_role("img", name="QR code of the share link for agenda conf").is_visible()

    # The copy button puts the address on the clipboard and says so.
    feed_url = page.get_by_label("Calendar subscription address").input_value()
    assert feed_url.endswith(f"/my-schedule/calendar/{user.calendar_token}.ics")
    page.get_by_role("button", name="Copy the calendar subscription address").click()
    page.locator('[data-copy-status="feed-url"]').get_by_text("Copied.").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == feed_url
    page.get_by_role("button", name="Copy the share link for agenda conf").click()
    share = page.get_by_label("Share link for Agenda Conf").input_value()
    page.locator('[data-copy-status^="share-"]').get_by_text("Copied.").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == share
    assert page.evaluate("document.documentElement.scrollWidth") <= size[0]
    assert_accessible(page)
    context.close()


@pytest.mark.django_db(transaction=True)
def test_without_javascript_the_addresses_stay_selectable_and_plan_a_still_works(
    browser, live_server
):
    user = UserFactory(username="noscript")
    volumes, _ = _programme(user)
    services.regenerate_calendar_token(user=user)
    user.refresh_from_db()
    context = _signed_in_context(
        browser, live_server, user, WIDTHS["phone"], java_script_enabled=False
    )
    page = context.new_page()

    page.goto(reverse("myschedule:index"))

    # The copy button is there, hidden: without a script it could do nothing.
    assert page.locator('[data-copy="feed-url"]').count() == 1
    assert not page.locator('[data-copy="feed-url"]').is_visible()
    field = page.get_by_label("Calendar subscription address")
    assert field.is_visible() and field.get_attribute("readonly") is not None
    page.get_by_role("button", name="Make “Backups that restore” plan A").click()
    page.get_by_text("“Backups that restore” is your plan A").wait_for()
    assert SavedSession.objects.get(user=user, session=volumes).plan == "B"
    context.close()
