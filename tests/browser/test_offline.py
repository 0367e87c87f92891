"""Offline and fast on venue Wi-Fi, in Chromium: the offline copy, and times without a reload."""

import datetime as dt
import time

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from tests.factories import EventFactory, SavedSessionFactory, SessionFactory, UserFactory

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
KEPT_PAGES = """async () => {
  const cache = await caches.open("confguide-pages");
  const urls = (await cache.keys()).map((request) => new URL(request.url));
  return urls.map((url) => url.pathname + url.search);
}"""


@pytest.fixture
def phone(browser, live_server):
    # A service worker needs a secure context: http://localhost is one.
    assert live_server.url.startswith("http://localhost:")
    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE, is_mobile=True, timezone_id="Europe/Berlin"
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def sign_in(page, live_server, user) -> None:
    """A session made by the test client, handed to the browser."""
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


def two_day_event():
    event = EventFactory(
        name="Offline Conf",
        slug="offline-conf",
        time_zone="America/New_York",
        start_date=dt.date(2030, 3, 4),
        end_date=dt.date(2030, 3, 5),
    )
    first = SessionFactory(event=event, title="Volumes at scale")
    second_day = dt.datetime.combine(event.end_date, dt.time(11), tzinfo=event.tz)
    SessionFactory(event=event, title="Backups that restore", starts_at=second_day)
    return event, first


def keep_my_schedule(page, event) -> None:
    """Visit my schedule until the worker controls the page and has kept its days."""
    page.goto("/my-schedule/")
    # The worker installs, then takes this page over (clients.claim).
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    page.reload()  # now through the worker, which keeps the page and what it marks
    expected = {
        "/my-schedule/",
        f"/my-schedule/events/{event.slug}/",
        f"/events/{event.slug}/schedule/?day=2030-03-04",
        f"/events/{event.slug}/schedule/?day=2030-03-05",
        f"/events/{event.slug}/schedule/",
    }
    deadline = time.monotonic() + 10
    while not expected <= set(page.evaluate(KEPT_PAGES)):
        assert time.monotonic() < deadline, f"kept only {page.evaluate(KEPT_PAGES)}"
        page.wait_for_timeout(100)


@pytest.mark.django_db(transaction=True)
def test_my_schedule_and_its_days_read_offline_then_refresh_online(
    phone, live_server, assert_accessible
):
    event, saved = two_day_event()
    ada = UserFactory(username="ada")
    SavedSessionFactory(user=ada, session=saved)
    sign_in(phone, live_server, ada)
    keep_my_schedule(phone, event)

    phone.goto(f"/my-schedule/events/{event.slug}/")
    phone.context.set_offline(True)
    offline_copy = phone.reload()

    notice = phone.locator("[data-offline-copy]")
    expect(notice).to_contain_text("Offline copy from")
    expect(phone.get_by_role("link", name="Volumes at scale")).to_be_visible()
    # The copy keeps the page's own strict policy.
    assert "script-src 'self'" in offline_copy.headers["content-security-policy"]
    assert_accessible(phone)

    day = f"/events/{event.slug}/schedule/?day=2030-03-05"
    phone.get_by_role("link", name="Tue 5 Mar").click()
    expect(notice).to_contain_text("Offline copy from")
    expect(phone.get_by_role("link", name="Backups that restore")).to_be_visible()

    # The schedule as the events list links it, and the saved session's own page.
    phone.goto(f"/events/{event.slug}/schedule/")
    expect(notice).to_contain_text("Offline copy from")
    phone.goto(saved.get_absolute_url())
    expect(notice).to_contain_text("Offline copy from")
    expect(phone.get_by_role("heading", level=1)).to_have_text(saved.title)

    # A page that was never kept says so, rather than the browser's error.
    assert phone.goto("/speakers/").status == 503
    expect(phone.get_by_role("heading", level=1)).to_have_text("You are offline")

    phone.goto(day)
    expect(notice).to_be_visible()
    phone.context.set_offline(False)
    expect(notice).to_have_count(0)  # reloaded from the network
    expect(phone.get_by_role("link", name="Backups that restore")).to_be_visible()


@pytest.mark.django_db(transaction=True)
def test_signing_out_empties_the_offline_copy_for_the_next_person(phone, live_server):
    event, saved = two_day_event()
    ada = UserFactory(username="ada")
    SavedSessionFactory(user=ada, session=saved)
    sign_in(phone, live_server, ada)
    keep_my_schedule(phone, event)

    phone.get_by_role("button", name="Toggle navigation").click()
    phone.get_by_role("button", name="Sign out").click()
    expect(phone.get_by_role("status")).to_have_text("You have signed out.")

    # Ada's pages went with her; a worker for the next reader starts empty.
    assert "confguide-pages" not in phone.evaluate("caches.keys()")
    phone.wait_for_function("() => navigator.serviceWorker.controller !== null")
    phone.context.set_offline(True)
    phone.goto("/my-schedule/")
    expect(phone.get_by_role("heading", level=1)).to_have_text("You are offline")


@pytest.mark.django_db(transaction=True)
def test_a_first_visit_shows_the_readers_zone_without_a_reload(browser, live_server):
    event = EventFactory(slug="zone-conf", time_zone="America/New_York")
    start = dt.datetime.combine(event.start_date, dt.time(15, 45), tzinfo=event.tz)
    session = SessionFactory(event=event, starts_at=start, ends_at=start + dt.timedelta(minutes=35))
    context = browser.new_context(base_url=live_server.url, timezone_id="America/Los_Angeles")
    page = context.new_page()
    navigations = []
    page.on("framenavigated", lambda frame: frame == page.main_frame and navigations.append(1))

    page.goto(session.get_absolute_url(), wait_until="networkidle")

    expect(page.locator("dd .times")).to_have_text("15:45\u201316:20 EST · 12:45\u201313:20 PST")
    page.wait_for_timeout(500)  # a reload, were there one, would have started by now
    assert len(navigations) == 1
    cookies = {cookie["name"]: cookie["value"] for cookie in context.cookies()}
    assert cookies["reader_tz"] == "America%2FLos_Angeles"
    # The next page comes from the server in the reader's zone.
    page.reload()
    expect(page.locator("dd .times .reader-time")).to_have_text("12:45\u201313:20 PST")
    context.close()


@pytest.mark.django_db(transaction=True)
def test_the_times_filled_in_on_a_first_visit_read_as_the_server_writes_them(browser, live_server):
    event = EventFactory(slug="dates-conf", time_zone="Europe/Amsterdam")
    day = dt.datetime.combine(event.start_date, dt.time(0), tzinfo=event.tz)
    for hour, minutes in ((8, 45), (9, 30), (13, 60), (23, 90)):  # the last runs past midnight
        SessionFactory(
            event=event,
            starts_at=day + dt.timedelta(hours=hour),
            ends_at=day + dt.timedelta(hours=hour, minutes=minutes),
        )
    for zone in ("America/Los_Angeles", "Asia/Kolkata", "Europe/Amsterdam"):
        context = browser.new_context(base_url=live_server.url, timezone_id=zone)
        page = context.new_page()
        page.goto(f"/events/{event.slug}/schedule/?day={event.start_date:%Y-%m-%d}")
        times = page.locator(".times")
        page.wait_for_load_state("networkidle")
        first_visit = times.all_text_contents()
        assert len(first_visit) >= 4
        if zone == "America/Los_Angeles":  # the reader's clock is a day behind
            assert any("PST (" in text or "PDT (" in text for text in first_visit), first_visit

        page.reload()  # the cookie is set: now the server writes the reader's times
        assert times.all_text_contents() == first_visit, zone
        context.close()
