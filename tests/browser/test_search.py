"""Searching the guide in headless Chromium, on a phone (390 px) and a desktop (1366 px)."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from tests.factories import CompanyFactory, EventFactory, SessionFactory, SpeakerFactory

pytestmark = pytest.mark.browser


@pytest.fixture(params=[390, 1366], ids=["phone", "desktop"])
def screen(request, browser, live_server):
    width = request.param
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": width, "height": 844 if width == 390 else 900},
        is_mobile=width == 390,
        has_touch=width == 390,
    )
    # The reader's zone is known from the start, as on a second visit.
    context.add_cookies([{"name": "reader_tz", "value": "Europe%2FLondon", "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def guide(transactional_db):
    lisbon = EventFactory(
        name="Cloud Native Summit Lisbon 2031",
        slug="summit-lisbon-2031",
        start_date=dt.date(2031, 5, 6),
        end_date=dt.date(2031, 5, 8),
        time_zone="Europe/Lisbon",
    )
    tokyo = EventFactory(name="KubeDays Tokyo 2030", slug="kubedays-tokyo-2030")
    cloudsmith = CompanyFactory(name="Cloudsmith", slug="cloudsmith")
    claudia = SpeakerFactory(name="Claudia Cloudsworth", slug="claudia", company=cloudsmith)
    SessionFactory(event=lisbon, title="Cloud Storage Deep Dive", speakers=[claudia])
    SessionFactory(
        event=tokyo,
        title="Securing Cloud Workloads",
        speakers=[SpeakerFactory(name="Carl Castle", slug="carl")],
    )
    for number, name in enumerate(["Ada Ames", "Bea Brook", "Dan Dale"]):
        SessionFactory(
            event=tokyo,
            title=f"Platform talk {number}",
            speakers=[SpeakerFactory(name=name, slug=f"speaker-{number}")],
        )


@pytest.mark.django_db(transaction=True)
def test_the_nav_box_finds_sessions_of_two_events_a_speaker_and_a_company(
    screen, guide, assert_accessible
):
    screen.goto("/")
    # On a phone too the box is there without opening the menu.
    box = screen.get_by_role("searchbox", name="Search sessions, speakers and companies")
    expect(box).to_be_visible()
    box.fill("cloud")
    box.press("Enter")

    expect(screen.get_by_role("heading", level=1)).to_have_text("Results for “cloud”")
    sessions = screen.get_by_role("region", name=re.compile(r"^Sessions"))
    expect(sessions.get_by_role("link", name="Cloud Storage Deep Dive")).to_be_visible()
    expect(sessions.get_by_role("link", name="Securing Cloud Workloads")).to_be_visible()
    expect(sessions.get_by_role("link", name="Cloud Native Summit Lisbon 2031")).to_be_visible()
    expect(sessions.get_by_role("link", name="KubeDays Tokyo 2030")).to_be_visible()
    speakers = screen.get_by_role("region", name=re.compile(r"^Speakers"))
    expect(speakers.get_by_role("link", name="Claudia Cloudsworth")).to_be_visible()
    companies = screen.get_by_role("region", name=re.compile(r"^Companies"))
    companies.get_by_role("link", name="Cloudsmith").click()

    expect(screen.get_by_role("heading", level=1)).to_have_text("Cloudsmith")
    screen.go_back()
    expect(
        screen.get_by_role("searchbox", name=re.compile("^Sessions of every event"))
    ).to_have_value("cloud")
    assert_accessible(screen)


@pytest.mark.django_db(transaction=True)
def test_the_speaker_list_jumps_by_letter_and_searches_names(screen, guide, assert_accessible):
    screen.goto("/speakers/")
    assert_accessible(screen)

    letters = screen.get_by_role("navigation", name="Speakers by first letter")
    expect(letters.get_by_text("E", exact=True)).not_to_have_attribute("href", re.compile("."))
    letters.get_by_role("link", name="Speakers: C").click()

    expect(screen).to_have_url(re.compile(r"/speakers/\?letter=C$"))
    names = screen.locator(".people-list li > a")
    expect(names).to_have_text(["Carl Castle", "Claudia Cloudsworth"])
    expect(letters.get_by_role("link", name="Speakers: C")).to_have_attribute(
        "aria-current", "page"
    )

    box = screen.get_by_role("searchbox", name="Find speakers by name")
    box.fill("brook")
    screen.get_by_role("button", name="Find").click()

    expect(screen).to_have_url(re.compile(r"/speakers/\?q=brook$"))
    expect(names).to_have_text(["Bea Brook"])
    assert_accessible(screen)
