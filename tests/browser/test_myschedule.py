"""The attendee's path through the personal schedule, in headless Chromium."""

import datetime as dt
import re
from pathlib import Path

import icalendar
import pytest
from django.core import mail
from django.urls import reverse

from sessions.models import SavedSession
from tests.factories import EventFactory, SessionFactory, ThemeFactory, UserFactory

pytestmark = pytest.mark.browser

PASSWORD = "a long and unusual passphrase"
CODE = re.compile(r"^\s*([A-Z0-9]+(?:-[A-Z0-9]+)+)\s*$", re.MULTILINE)


def _programme():
    event = EventFactory(name="CloudConf Browser", time_zone="America/New_York")
    theme = ThemeFactory(name="Storage")
    sessions = []
    for n, title in enumerate(["Volumes at scale", "Backups that restore", "Unpicked talk"]):
        start = dt.datetime.combine(event.start_date, dt.time(10 + n), tzinfo=event.tz)
        sessions.append(
            SessionFactory(
                event=event,
                title=title,
                starts_at=start,
                ends_at=start + dt.timedelta(minutes=45),
                themes=[theme],
            )
        )
    return event, sessions


@pytest.mark.django_db(transaction=True)
def test_visitor_builds_a_schedule_signs_up_removes_one_and_downloads_the_calendar(
    page, assert_accessible, tmp_path, run_tasks
):
    event, (first, second, _) = _programme()

    # Two sessions added anonymously, in place (no reload: the marker survives).
    page.goto(reverse("conference:schedule", args=[event.slug]))
    page.evaluate("window.__sameDocument = true")
    for session in (first, second):
        page.get_by_role("button", name=f"Save “{session.title}” to my schedule").click()
        saved = f"Saved “{session.title}”: remove from my schedule"
        page.get_by_role("button", name=saved).wait_for()
    assert page.evaluate("window.__sameDocument") is True

    # Sign up: the picks come along once the address is confirmed.
    page.get_by_role("link", name="Sign up").click()
    page.get_by_label("Email").fill("newcomer@example.com")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.get_by_role("heading", name="Confirm your email address").wait_for()
    run_tasks()
    page.get_by_label("Code").fill(CODE.search(mail.outbox[-1].body).group(1))
    page.get_by_role("button", name="Confirm").click()
    page.get_by_text("The 2 sessions you picked are now in your schedule.").wait_for()
    assert_accessible(page)

    page.get_by_role("link", name="CloudConf Browser").click()
    assert page.get_by_role("heading", level=1).inner_text() == "My schedule: CloudConf Browser"
    assert page.get_by_role("link", name="Volumes at scale").is_visible()
    assert page.get_by_role("link", name="Backups that restore").is_visible()
    assert not page.get_by_text("Unpicked talk").is_visible()
    assert_accessible(page)

    # Remove one without a page reload.
    page.evaluate("window.__sameDocument = true")
    page.get_by_role("button", name="Saved “Backups that restore”: remove from my schedule").click()
    page.get_by_role("button", name="Save “Backups that restore” to my schedule").wait_for()
    assert page.evaluate("window.__sameDocument") is True
    assert list(
        SavedSession.objects.filter(user__email="newcomer@example.com").values_list(
            "session__title", flat=True
        )
    ) == ["Volumes at scale"]

    # The calendar file.
    page.get_by_role("link", name="All my events, calendar and sharing").click()
    page.get_by_role("button", name="Get my calendar address").click()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the calendar file (.ics)").click()
    path = Path(tmp_path / "my-schedule.ics")
    download_info.value.save_as(path)
    calendar = icalendar.Calendar.from_ical(path.read_bytes())
    assert [str(vevent["SUMMARY"]) for vevent in calendar.walk("VEVENT")] == ["Volumes at scale"]
    assert [str(vevent["UID"]) for vevent in calendar.walk("VEVENT")] == [str(first.uid)]


@pytest.mark.django_db(transaction=True)
def test_another_user_cannot_open_the_first_users_feed(page, browser, live_server):
    from sessions.myschedule import services

    owner = UserFactory(username="owner")
    event, (first, *_) = _programme()
    services.add_session(user=owner, session=first)
    token = services.regenerate_calendar_token(user=owner)
    UserFactory(username="snoop", password=PASSWORD)

    page.goto(reverse("account_login"))
    page.get_by_label("Email").fill("snoop@example.com")
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url("**/")
    response = page.goto(reverse("myschedule:feed", args=[token[::-1]]))
    own_page = page.goto(reverse("myschedule:event", args=[event.slug]))

    assert response.status == 404
    assert own_page.status == 200
    assert "Volumes at scale" not in page.content()


@pytest.mark.django_db(transaction=True)
def test_account_pages_are_accessible(page, assert_accessible):
    for name in ("account_login", "account_signup", "account_reset_password", "myschedule:index"):
        page.goto(reverse(name))
        assert_accessible(page)


@pytest.mark.django_db(transaction=True)
def test_my_schedule_at_phone_width_is_accessible(phone_page, assert_accessible):
    event, (first, *_) = _programme()
    phone_page.goto(first.get_absolute_url())
    phone_page.get_by_role("button", name=f"Save “{first.title}” to my schedule").click()
    saved = f"Saved “{first.title}”: remove from my schedule"
    phone_page.get_by_role("button", name=saved).wait_for()

    phone_page.goto(reverse("myschedule:event", args=[event.slug]))

    assert phone_page.get_by_role("link", name=first.title).is_visible()
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375
    assert_accessible(phone_page)


@pytest.mark.django_db(transaction=True)
def test_a_shared_schedule_is_read_only_and_accessible(page, assert_accessible):
    from sessions.myschedule import services

    owner = UserFactory(username="sharer")
    event, (first, *_) = _programme()
    services.add_session(user=owner, session=first)
    services.set_sharing(user=owner, enabled=True)

    page.goto(reverse("myschedule:shared", args=[owner.share_token, event.slug]))

    assert page.get_by_role("heading", level=1).inner_text() == (
        "A shared schedule: CloudConf Browser"
    )
    assert page.get_by_role("link", name="Volumes at scale").is_visible()
    saved = "Saved “Volumes at scale”: remove from my schedule"
    assert page.get_by_role("button", name=saved).count() == 0
    assert_accessible(page)


@pytest.mark.django_db(transaction=True)
def test_adding_a_session_unpublished_meanwhile_explains_in_place(page):
    from sessions.models import Session

    event, (first, *_) = _programme()
    page.goto(reverse("conference:schedule", args=[event.slug]))
    Session.objects.filter(pk=first.pk).update(status=Session.Status.DRAFT)
    page.evaluate("window.__sameDocument = true")

    page.get_by_role("button", name=f"Save “{first.title}” to my schedule").click()

    alert = page.get_by_role("alert")
    alert.wait_for()
    assert "not in the published programme" in alert.inner_text()
    assert page.evaluate("window.__sameDocument") is True
    assert page.get_by_role("button", name=f"Save “{first.title}” to my schedule").is_visible()
