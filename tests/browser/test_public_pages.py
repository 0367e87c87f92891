"""A reader's path through the public pages in headless Chromium, on the demo content."""

import datetime as dt
import io
import re

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from tests.factories import EventFactory, SessionFactory

pytestmark = pytest.mark.browser

DEMO_EVENT = "KubeCon + CloudNativeCon North America 2020"


@pytest.fixture
def demo(transactional_db, without_kubecon_eu_2026):
    call_command("load_demo", stdout=io.StringIO())


def remember_zone(page, live_server, zone: str) -> None:
    """Set the zone as the page's script would, so a test starts from a known zone."""
    page.context.add_cookies(
        [{"name": "reader_tz", "value": zone.replace("/", "%2F"), "url": live_server.url}]
    )


def watch_console(page) -> list[str]:
    """Collect console errors: a CSP violation shows up here."""
    errors: list[str] = []
    page.on(
        "console",
        lambda message: (
            message.type == "error"
            and errors.append(f"{message.text} {message.location.get('url')}")
        ),
    )
    return errors


@pytest.mark.django_db(transaction=True)
def test_reader_goes_from_home_to_a_storage_session_and_its_speaker(
    page, live_server, demo, assert_accessible
):
    remember_zone(page, live_server, "Europe/London")
    errors = watch_console(page)

    page.goto("/")
    assert_accessible(page)
    page.get_by_role("link", name=DEMO_EVENT).first.click()

    expect(page.get_by_role("heading", level=1)).to_have_text(DEMO_EVENT)
    assert_accessible(page)
    page.get_by_role("link", name=re.compile(r"^Schedule \(")).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(f"{DEMO_EVENT} schedule")
    assert_accessible(page)
    page.get_by_text("Filter · Time zone").click()
    page.get_by_role("checkbox", name="Storage & CSI").check()
    page.get_by_role("button", name="Apply filters").click()

    expect(page).to_have_url(re.compile(r"theme=storage-csi"))
    # The options fold away again, saying what is active; the choice stays ticked.
    expect(page.locator("summary")).to_contain_text("1 filter,")
    expect(page.locator('input[name="theme"][value="storage-csi"]')).to_be_checked()
    assert_accessible(page)
    page.get_by_role("navigation", name="Conference days").get_by_role(
        "link", name=re.compile("^Thu 19 Nov")
    ).click()
    expect(page).to_have_url(re.compile(r"theme=storage-csi&day=2020-11-19"))
    page.get_by_role("link", name="Persistent Memory in Kubernetes").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Persistent Memory in Kubernetes")
    expect(page.locator("dd .times")).to_have_text("15:45\u201316:20 EST · 20:45\u201321:20 GMT")
    expect(page.get_by_role("link", name="Add to calendar (.ics)")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("main").get_by_role("link", name="Patrick Ohly").first.click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Patrick Ohly")
    expect(page.get_by_role("link", name="Persistent Memory in Kubernetes")).to_be_visible()
    assert_accessible(page)
    assert errors == []


@pytest.mark.django_db(transaction=True)
def test_browser_zone_is_detected_and_the_reader_can_switch_to_utc(browser, live_server, demo):
    context = browser.new_context(base_url=live_server.url, timezone_id="America/Los_Angeles")
    page = context.new_page()
    page.set_default_timeout(10_000)
    session_url = (
        "/events/kubecon-cloudnativecon-north-america-2020"
        "/sessions/persistent-memory-in-kubernetes/"
    )

    page.goto(session_url)
    # The script stores the browser's zone and writes the times in it, with no reload.
    page.wait_for_selector(".reader-time")

    expect(page.locator("dd .times")).to_have_text("15:45\u201316:20 EST · 12:45\u201313:20 PST")
    page.get_by_role("link", name="Change your time zone").click()
    expect(page.get_by_label("Show times also in")).to_have_value("America/Los_Angeles")

    page.get_by_label("Show times also in").select_option("UTC")
    page.get_by_role("button", name="Show times").click()

    expect(page.get_by_text("Times are now also shown in UTC.")).to_be_visible()
    expect(page.locator("dd .times")).to_have_text("15:45\u201316:20 EST · 20:45\u201321:20 UTC")
    page.goto(session_url)
    expect(page.locator("dd .times")).to_have_text("15:45\u201316:20 EST · 20:45\u201321:20 UTC")
    context.close()


@pytest.mark.django_db(transaction=True)
def test_every_public_page_passes_axe(page, live_server, demo, assert_accessible):
    remember_zone(page, live_server, "Asia/Tokyo")
    event = "/events/kubecon-cloudnativecon-north-america-2020/"
    now = timezone.now()
    live = EventFactory(
        slug="live-conf",
        start_date=(now - dt.timedelta(days=1)).date(),
        end_date=(now + dt.timedelta(days=1)).date(),
    )
    SessionFactory(
        event=live, starts_at=now - dt.timedelta(minutes=5), ends_at=now + dt.timedelta(minutes=30)
    )
    SessionFactory(
        event=live, starts_at=now + dt.timedelta(minutes=20), ends_at=now + dt.timedelta(minutes=50)
    )
    urls = [
        "/events/live-conf/schedule/",
        "/events/",
        f"{event}schedule/?day=2020-11-19&q=zzz-no-match",
        f"{event}schedule/?theme=nope&day=bad",
        "/speakers/",
        "/companies/",
        "/companies/intel/",
        "/themes/",
        "/themes/storage-csi/",
        "/time-zone/?next=/themes/",
        "/privacy/",
        "/no-such-page/",
    ]
    for url in urls:
        page.goto(url)
        assert_accessible(page)
        if url == "/events/live-conf/schedule/":
            expect(page.get_by_role("heading", name="Now and next")).to_be_visible()


@pytest.mark.django_db(transaction=True)
def test_schedule_and_session_fit_a_phone(phone_page, live_server, demo, assert_accessible):
    remember_zone(phone_page, live_server, "America/Los_Angeles")
    event = "/events/kubecon-cloudnativecon-north-america-2020/"

    for url in (
        f"{event}schedule/?day=2020-11-19",
        f"{event}sessions/persistent-memory-in-kubernetes/",
    ):
        phone_page.goto(url)
        overflow = phone_page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, url
        assert_accessible(phone_page)
    # The collapsed navigation still reaches every public list.
    phone_page.get_by_role("button", name="Toggle navigation").click()
    phone_page.get_by_role("link", name="Speakers").click()
    expect(phone_page.get_by_role("heading", level=1)).to_have_text("Speakers")
