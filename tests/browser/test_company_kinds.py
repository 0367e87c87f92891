"""End-user stories and sponsored sessions on a phone (390 px) in headless Chromium:
the filters narrow the rows, the labels read as words, and axe finds nothing
serious under WCAG 2.2."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from sessions.models import Company
from tests.factories import (
    CompanyFactory,
    EventFactory,
    RoomFactory,
    SessionFactory,
    SpeakerFactory,
)

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, is_mobile=True)
    # The reader's zone is known from the start, as on a second visit.
    context.add_cookies([{"name": "reader_tz", "value": "Europe%2FBerlin", "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def stories(transactional_db):
    """One day: four end-user talks, six vendor talks, two of these sponsored."""
    event = EventFactory(
        name="Stories Fest",
        slug="stories-fest",
        time_zone="Europe/Berlin",
        start_date=dt.date(2030, 6, 3),
        end_date=dt.date(2030, 6, 3),
    )
    bank = CompanyFactory(name="Example Bank", kind=Company.Kind.END_USER)
    vendor = CompanyFactory(name="Example Cloud", kind=Company.Kind.VENDOR)
    rooms = [RoomFactory(event=event, name=f"Room {n}") for n in (1, 2)]
    for number in range(10):
        start = dt.datetime.combine(event.start_date, dt.time(9 + number // 2), tzinfo=event.tz)
        end_user = number < 4
        SessionFactory(
            event=event,
            title=f"{'Bank story' if end_user else 'Cloud pitch'} {number + 1}",
            starts_at=start,
            ends_at=start + dt.timedelta(minutes=45),
            room=rooms[number % 2],
            speakers=[SpeakerFactory(company=bank if end_user else vendor)],
            is_sponsored=number in (3, 9),
        )
    return event


@pytest.mark.django_db(transaction=True)
def test_end_user_stories_and_hide_sponsored_on_a_phone(phone, stories, assert_accessible):
    phone.goto(reverse("conference:schedule", args=[stories.slug]))
    expect(phone.locator(".srow-title")).to_have_count(10)
    sponsored = phone.locator(".srow", has_text="Bank story 4")
    expect(sponsored.locator(".badge-sponsored")).to_have_text("Sponsored")
    expect(phone.locator(".srow", has_text="Bank story 1")).to_contain_text(
        "Example Bank (end user)"
    )
    assert_accessible(phone)

    phone.get_by_text("Filter · Time zone").click()
    phone.get_by_role("checkbox", name="End-user stories").check()
    phone.get_by_role("button", name="Apply filters").click()

    phone.wait_for_url(re.compile(r"kind=end-user"))
    titles = phone.locator(".srow-title").all_inner_texts()
    assert titles == ["Bank story 1", "Bank story 2", "Bank story 3", "Bank story 4"]
    assert phone.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )
    assert_accessible(phone)

    phone.get_by_text("Filter · Time zone").click()
    phone.get_by_role("checkbox", name="Hide sponsored sessions").check()
    phone.get_by_role("button", name="Apply filters").click()

    phone.wait_for_url(re.compile(r"sponsored=hide"))
    assert "kind=end-user" in phone.url
    titles = phone.locator(".srow-title").all_inner_texts()
    assert titles == ["Bank story 1", "Bank story 2", "Bank story 3"]
    expect(phone.locator("summary")).to_contain_text("2 filters,")
    assert_accessible(phone)
