"""Pages rendered once and served to many: warm pages are cheap, repeat visits get
304, and one reader's parts never reach another reader."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.signals import template_rendered
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.http import parse_http_date

from confguide.timezones import READER_TZ_COOKIE
from sessions.models import Event
from tests.factories import (
    EditorFactory,
    EventFactory,
    SavedSessionFactory,
    SessionFactory,
    UserFactory,
)

pytestmark = pytest.mark.integration

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def day(db):
    event = EventFactory(slug="crowdconf", time_zone="Europe/Paris")
    sessions = []
    for n in range(6):
        start = dt.datetime.combine(event.start_date, dt.time(9), tzinfo=event.tz)
        start += dt.timedelta(minutes=40 * n)
        sessions.append(
            SessionFactory(
                event=event,
                title=f"Talk number {n}",
                starts_at=start,
                ends_at=start + dt.timedelta(minutes=30),
            )
        )
    url = reverse("conference:schedule", args=[event.slug]) + f"?day={event.start_date}"
    return {"event": event, "sessions": sessions, "url": url}


def signed_in(user) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def test_warm_page_costs_one_query_anonymous_or_four_signed_in(day):
    attendee = UserFactory()
    for session in day["sessions"][:3]:
        SavedSessionFactory(user=attendee, session=session)
    for client in (Client(), signed_in(attendee)):
        client.get(day["url"])  # warm
        with CaptureQueriesContext(connection) as queries:
            response = client.get(day["url"])
        assert response.status_code == 200
        # Anonymous: the event. Signed in: plus the session row, the user and
        # the saved sessions (sessions live in the database in tests).
        assert len(queries) == (1 if client.cookies.get("sessionid") is None else 4), [
            q["sql"] for q in queries.captured_queries
        ]


def test_signed_in_warm_page_costs_four_queries_whatever_they_saved(day):
    attendee = UserFactory()
    for session in day["sessions"]:
        SavedSessionFactory(user=attendee, session=session)
    client = signed_in(attendee)
    client.get(day["url"])
    with CaptureQueriesContext(connection) as queries:
        page = client.get(day["url"])
    # The session, the user, the event's version and the saved sessions.
    assert len(queries) == 4, [q["sql"] for q in queries.captured_queries]
    assert page.text.count(': remove from my schedule"') == len(day["sessions"])


def test_cached_page_renders_no_template_for_the_next_reader(day):
    Client().get(day["url"])
    attendee = signed_in(UserFactory())
    rendered = []

    def note(sender, template, **kwargs):
        rendered.append(template.name)

    template_rendered.connect(note)
    try:
        Client().get(day["url"])
        assert rendered == []  # the stored bytes, as they are
        attendee.get(day["url"])
    finally:
        template_rendered.disconnect(note)
    # A signed-in reader costs only the navigation's own small template.
    assert rendered == ["includes/_account_nav.html"]


def test_repeat_visit_gets_304_until_the_programme_changes(day):
    client = Client()
    first = client.get(day["url"])
    assert first["ETag"].startswith('W/"')

    with CaptureQueriesContext(connection) as queries:
        again = client.get(day["url"], headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304
    assert again.content == b""
    assert len(queries) == 1  # the event row, for its version

    session = day["sessions"][0]
    session.title = "Retitled"
    session.save()
    after = client.get(day["url"], headers={"If-None-Match": first["ETag"]})
    assert after.status_code == 200
    assert "Retitled" in after.text


def test_anonymous_pages_may_be_shared_briefly_personal_ones_never(day):
    anonymous = Client().get(day["url"])
    assert "public" in anonymous["Cache-Control"]
    assert "s-maxage=" in anonymous["Cache-Control"]
    assert "Cookie" in anonymous["Vary"]

    attendee = signed_in(UserFactory())
    personal = attendee.get(day["url"])
    assert "private" in personal["Cache-Control"]
    assert "public" not in personal["Cache-Control"]
    assert personal["ETag"] != anonymous["ETag"]


def test_two_readers_of_one_cached_page_see_only_their_own_parts(day):
    first, second = day["sessions"][0], day["sessions"][1]
    editor = EditorFactory(username="ed")
    SavedSessionFactory(user=editor, session=first)
    attendee = UserFactory(username="attendee")
    SavedSessionFactory(user=attendee, session=second)

    editor_page = signed_in(editor).get(day["url"]).text
    attendee_client = signed_in(attendee)
    attendee_page = attendee_client.get(day["url"]).text
    anonymous_page = Client().get(day["url"]).text

    assert f'aria-label="Saved “{first.title}”' in editor_page
    assert "Editors&#x27; admin" in editor_page or "Editors' admin" in editor_page
    assert f"“{first.title}”: remove from my schedule" not in attendee_page
    assert f"“{second.title}”: remove from my schedule" in attendee_page
    assert "Editors' admin" not in attendee_page and "Editors&#x27; admin" not in attendee_page
    assert "Sign out" in attendee_page
    assert "from my schedule" not in anonymous_page
    assert "Sign out" not in anonymous_page and "Sign in" in anonymous_page

    # The attendee's own CSRF token is on their copy: their toggle goes through.
    token = CSRF_INPUT.search(attendee_page).group(1)
    response = attendee_client.post(
        reverse("myschedule:add", args=[first.pk]),
        {"csrfmiddlewaretoken": token, "next": day["url"]},
    )
    assert response.status_code == 302
    assert f"“{first.title}”: remove from my schedule" in attendee_client.get(day["url"]).text


def test_anonymous_schedule_kept_in_the_session_shows_on_the_cached_page(day):
    client = Client()
    client.get(day["url"])
    client.post(reverse("myschedule:add", args=[day["sessions"][2].pk]))

    page = client.get(day["url"])
    saved = f"“{day['sessions'][2].title}”: remove from my schedule"
    assert saved in page.text
    assert "private" in page["Cache-Control"]
    assert saved not in Client().get(day["url"]).text


def test_flash_message_shows_once_and_is_never_answered_304(day):
    client = Client()
    etag = client.get(day["url"])["ETag"]
    client.post(reverse("myschedule:add", args=[day["sessions"][0].pk]), {"next": day["url"]})

    with_message = client.get(day["url"], headers={"If-None-Match": etag})
    assert with_message.status_code == 200
    assert "Added “Talk number 0” to your schedule." in with_message.text
    assert "Added “Talk number 0”" not in client.get(day["url"]).text


def test_each_time_zone_gets_its_own_copy(day):
    paris = Client()
    paris.cookies[READER_TZ_COOKIE] = "Europe%2FParis"
    tokyo = Client()
    tokyo.cookies[READER_TZ_COOKIE] = "Asia%2FTokyo"

    assert "reader-time" not in paris.get(day["url"]).text  # same zone as the event
    assert "JST" in tokyo.get(day["url"]).text
    assert "JST" not in paris.get(day["url"]).text


def test_parameters_that_change_nothing_share_the_cached_copy_but_not_each_others_links(day):
    Client().get(day["url"] + "&utm_source=mail&q=")
    with CaptureQueriesContext(connection) as queries:
        page = Client().get(day["url"] + "&utm_source=other")
    assert len(queries) == 1  # from the cache
    assert "utm_source=mail" not in page.text


@pytest.mark.parametrize(
    ("zone", "boundary_utc"),
    [
        ("Asia/Kolkata", dt.datetime(2030, 11, 16, 22, 30, tzinfo=dt.UTC)),  # 04:00 IST
        ("Asia/Kathmandu", dt.datetime(2030, 11, 16, 22, 15, tzinfo=dt.UTC)),  # 04:00 NPT
    ],
)
def test_a_new_conference_day_falls_on_a_quarter_hour_key(zone, boundary_utc):
    from confguide.pagecache import quarter_hour
    from sessions.days import conference_day

    before = boundary_utc - dt.timedelta(seconds=1)
    assert conference_day(before, ZoneInfo(zone)) != conference_day(boundary_utc, ZoneInfo(zone))
    assert quarter_hour(before) != quarter_hour(boundary_utc)
    assert quarter_hour(boundary_utc) == quarter_hour(boundary_utc + dt.timedelta(minutes=14))


def test_home_answers_304_to_a_repeat_visit(db, monkeypatch):
    # Both requests in one quarter hour, whenever the test runs.
    moment = timezone.now().replace(minute=1)
    monkeypatch.setattr(timezone, "now", lambda: moment)
    client = Client()
    first = client.get("/")
    assert client.get("/", headers={"If-None-Match": first["ETag"]}).status_code == 304


def test_a_page_carrying_a_flash_message_is_never_shared(day):
    client = Client()
    client.post(reverse("conference:set_time_zone"), {"time_zone": "UTC", "next": day["url"]})
    page = client.get(day["url"])
    assert "Times are now also shown in UTC." in page.text
    assert "private" in page["Cache-Control"]
    assert "public" in client.get(day["url"])["Cache-Control"]


def test_a_running_events_schedule_is_last_modified_this_minute(db):
    now = timezone.now()
    event = EventFactory(
        start_date=(now - dt.timedelta(days=1)).date(),
        end_date=(now + dt.timedelta(days=1)).date(),
    )
    SessionFactory(event=event, starts_at=now, ends_at=now + dt.timedelta(minutes=30))
    Event.objects.filter(pk=event.pk).update(updated_at=now - dt.timedelta(days=3))

    page = Client().get(reverse("conference:schedule", args=[event.slug]))

    # "Now and next" changes with the minute: an older date would let a client
    # that revalidates by date alone keep a stale copy.
    assert parse_http_date(page["Last-Modified"]) >= int(now.timestamp()) - 60


def test_a_crowd_missing_the_same_page_renders_it_once(rf):
    import threading
    import time

    from django.contrib.auth.models import AnonymousUser

    from confguide import pagecache

    renders = []

    def build():
        renders.append(1)
        time.sleep(0.05)  # long enough for every thread to arrive while it renders
        return {}

    request = rf.get("/")
    request.user = AnonymousUser()
    results = []

    def reader():
        results.append(
            pagecache._stored(request, "page:crowd0001", ":gz", "includes/_footer.html", build, "/")
        )

    threads = [threading.Thread(target=reader) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(renders) == 1
    assert len(results) == 8 and len(set(results)) == 1


def test_a_signed_in_readers_copy_is_gzipped_for_them_with_random_padding(day):
    import gzip

    client = signed_in(UserFactory())
    plain = client.get(day["url"])
    packed = [client.get(day["url"], headers={"Accept-Encoding": "gzip"}) for _ in range(4)]

    for response in packed:
        assert response["Content-Encoding"] == "gzip"
        assert "Accept-Encoding" in response["Vary"]
        text = gzip.decompress(response.content).decode()
        assert CSRF_INPUT.sub("", text) == CSRF_INPUT.sub("", plain.text)
        assert response.content[3] & gzip.FNAME  # a file name pads the header
    # Against BREACH the compressed length varies from response to response.
    assert len({len(response.content) for response in packed}) > 1


def test_a_cached_page_may_not_carry_a_csrf_form_for_readers_without_a_session(rf):
    from django.core.exceptions import ImproperlyConfigured

    from confguide import personal

    parts = personal.split(b"<form><!--cg:csrf--></form>")
    with pytest.raises(ImproperlyConfigured, match="CSRF form"):
        personal.for_anyone(parts, rf.get("/"), back="/")


def test_the_first_readers_stray_parameters_never_reach_the_next_readers_links(db):
    from tests.factories import SpeakerFactory

    talk = SessionFactory()
    speaker = SpeakerFactory(slug="ada")
    talk.speakers.add(speaker)
    Client().get("/speakers/ada/?utm_campaign=from-a-stranger")

    page = Client().get("/speakers/ada/").text

    assert "from-a-stranger" not in page
    assert 'href="/time-zone/?next=/speakers/ada/"' in page


def test_after_signing_in_again_a_kept_copy_is_not_revalidated(day):
    UserFactory(username="returning", password="a long enough passphrase")
    client = Client()
    credentials = {"login": "returning@example.com", "password": "a long enough passphrase"}
    client.get(reverse("account_login"))
    client.post(reverse("account_login"), credentials)
    before = client.get(day["url"])

    client.post(reverse("account_logout"))
    client.post(reverse("account_login"), credentials)  # a new sign-in rotates the CSRF secret
    again = client.get(day["url"], headers={"If-None-Match": before["ETag"]})

    assert again.status_code == 200
    assert CSRF_INPUT.search(again.text).group(1) != CSRF_INPUT.search(before.text).group(1)


def test_searches_are_rendered_as_asked_not_kept(day):
    Client().get(day["url"] + "&q=talk")
    rendered = []

    def note(sender, template, **kwargs):
        rendered.append(template.name)

    template_rendered.connect(note)
    try:
        page = Client().get(day["url"] + "&q=talk")
    finally:
        template_rendered.disconnect(note)

    assert "sessions/schedule.html" in rendered
    assert "Talk number 3" in page.text
