import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils.html import strip_tags

from sessions import services as programme
from sessions.models import SavedSession, Session
from sessions.myschedule.services import ANONYMOUS_KEY
from tests.factories import (
    EventFactory,
    SavedSessionFactory,
    SessionFactory,
    ThemeFactory,
    UserFactory,
)

pytestmark = pytest.mark.integration

FETCH = {"HTTP_X_REQUESTED_WITH": "fetch"}
NEW_YORK = ZoneInfo("America/New_York")


def at(day, hour, minute=0):
    return dt.datetime(2030, 11, day, hour, minute, tzinfo=NEW_YORK)


@pytest.fixture
def attendee(db):
    return UserFactory(username="attendee")


@pytest.fixture
def attendee_client(client, attendee):
    client.force_login(attendee)
    return client


# --- The toggle ---------------------------------------------------------------


def test_add_without_javascript_returns_to_the_page_it_came_from(attendee_client, attendee):
    session = SessionFactory(title="Storage for all")

    response = attendee_client.post(
        reverse("myschedule:add", args=[session.pk]), {"next": "/themes/storage/?page=2"}
    )

    assert response.status_code == 302
    assert response.url == "/themes/storage/?page=2"
    assert SavedSession.objects.filter(user=attendee, session=session).exists()
    page = attendee_client.get(reverse("myschedule:index"))
    assert "Added “Storage for all” to your schedule." in page.text


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/path", "javascript:alert(1)"]
)
def test_add_ignores_a_next_that_leaves_the_site(attendee_client, next_url):
    session = SessionFactory()

    response = attendee_client.post(
        reverse("myschedule:add", args=[session.pk]), {"next": next_url}
    )

    assert response.url == reverse("myschedule:index")


def test_add_with_fetch_returns_the_remove_button(attendee_client, attendee):
    session = SessionFactory(title="Mesh without tears")

    response = attendee_client.post(
        reverse("myschedule:add", args=[session.pk]), {"next": "/somewhere/"}, **FETCH
    )

    assert response.status_code == 200
    assert ">Saved</button>" in response.text
    assert reverse("myschedule:remove", args=[session.pk]) in response.text
    assert reverse("myschedule:add", args=[session.pk]) not in response.text
    # The button posts the page's shared form, which carries the way back.
    assert 'form="schedule-toggle"' in response.text
    assert "Added “Mesh without tears” to your schedule." in response.text


def test_remove_with_fetch_returns_the_add_button(attendee_client, attendee):
    saved = SavedSessionFactory(user=attendee)

    response = attendee_client.post(reverse("myschedule:remove", args=[saved.session_id]), **FETCH)

    assert reverse("myschedule:add", args=[saved.session_id]) in response.text
    assert ">Save</button>" in response.text
    assert not SavedSession.objects.filter(pk=saved.pk).exists()


def test_add_and_remove_by_get_only_ask_to_confirm(attendee_client, attendee):
    session = SessionFactory(title="Mesh without tears")
    back = session.get_absolute_url()

    for name, question in (
        ("myschedule:add", "Add to your schedule?"),
        ("myschedule:remove", "Remove from your schedule?"),
    ):
        url = reverse(name, args=[session.pk])
        page = attendee_client.get(url, {"next": back})
        assert page.status_code == 200
        assert question in page.text
        assert (
            "<title>" + question.split()[0] + " “Mesh without tears” · confguide</title>"
            in page.text
        )
        assert f'<form method="post" action="{url}"' in page.text
        assert f'name="next" value="{back}"' in page.text
        assert "private" in page["Cache-Control"] or "no-cache" in page["Cache-Control"]
        assert attendee_client.put(url).status_code == 405
    assert not SavedSession.objects.exists()


def test_confirmation_never_leads_off_site_and_refuses_drafts(client, db):
    session = SessionFactory()
    page = client.get(
        reverse("myschedule:add", args=[session.pk]), {"next": "https://evil.example/"}
    )
    assert "evil.example" not in page.text
    draft = SessionFactory(status=Session.Status.DRAFT)
    assert client.get(reverse("myschedule:add", args=[draft.pk])).status_code == 404


def test_reader_without_a_session_adds_through_the_confirmation(db):
    from django.test import Client

    session = SessionFactory(title="Mesh without tears")
    schedule = reverse("conference:schedule", args=[session.event.slug])
    reader = Client(enforce_csrf_checks=True)
    page = reader.get(schedule).text
    # The cached page has no token: its one form leads to the confirmation by GET.
    assert "csrfmiddlewaretoken" not in page
    assert '<form id="schedule-toggle" method="get"' in page

    confirm = reader.get(reverse("myschedule:add", args=[session.pk]), {"next": schedule})
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', confirm.text).group(1)
    done = reader.post(
        reverse("myschedule:add", args=[session.pk]),
        {"csrfmiddlewaretoken": token, "next": schedule},
    )
    assert done.status_code == 302
    assert done["Location"] == schedule
    assert "“Mesh without tears”: remove from my schedule" in reader.get(schedule).text


def test_adding_a_draft_or_unknown_session_is_refused_with_a_message(attendee_client):
    draft = SessionFactory(status=Session.Status.DRAFT, title="Secret draft")

    for session_id in (draft.pk, 99999):
        response = attendee_client.post(reverse("myschedule:add", args=[session_id]))
        assert response.status_code == 404
        assert "not in the published programme" in response.text
        assert "Secret draft" not in response.text
    assert not SavedSession.objects.exists()


def test_adding_a_cancelled_session_is_a_bad_request(attendee_client):
    cancelled = SessionFactory(status=Session.Status.CANCELLED)

    response = attendee_client.post(reverse("myschedule:add", args=[cancelled.pk]), **FETCH)

    assert response.status_code == 400
    assert "has been cancelled" in response.text


def test_anonymous_visitor_adds_to_a_schedule_of_their_own(client, db):
    session = SessionFactory()

    client.post(reverse("myschedule:add", args=[session.pk]))

    saved = SavedSession.objects.get()
    assert (saved.user, saved.session) == (None, session)
    assert client.session[ANONYMOUS_KEY] == saved.visitor.token
    page = client.get(reverse("myschedule:event", args=[session.event.slug]))
    assert session.title in page.text
    assert "Create an account" in client.get(reverse("myschedule:index")).text


# --- My schedule pages --------------------------------------------------------


def test_my_schedule_shows_saved_sessions_with_both_zones_gaps_and_conflicts(
    attendee_client, attendee
):
    attendee.time_zone = "Europe/Berlin"
    attendee.save()
    event = EventFactory(time_zone="America/New_York")
    theme = ThemeFactory(name="Storage")
    first = SessionFactory(
        event=event, title="Volumes", starts_at=at(17, 10), ends_at=at(17, 11), themes=[theme]
    )
    clash = SessionFactory(
        event=event, title="Backups", starts_at=at(17, 10, 30), ends_at=at(17, 11, 30)
    )
    later = SessionFactory(
        event=event, title="Snapshots", starts_at=at(17, 14), ends_at=at(17, 14, 30)
    )
    SessionFactory(
        event=event,
        title="Same-slot CSI",
        starts_at=at(17, 10, 15),
        ends_at=at(17, 10, 45),
        themes=[theme],
    )
    for session in (first, clash, later):
        SavedSessionFactory(user=attendee, session=session)

    response = attendee_client.get(reverse("myschedule:event", args=[event.slug]))

    text = response.text
    assert text.index("Volumes") < text.index("Backups") < text.index("Snapshots")
    assert "10:00\N{EN DASH}11:00 EST · 16:00\N{EN DASH}17:00 CET" in strip_tags(text)
    # Zone names read as on the public pages, without IANA's underscores.
    assert "times in America/New York, and beside them in Europe/Berlin" in text
    assert "Overlaps with “Backups”" in text
    assert "Plan B candidates" in text and "Same-slot CSI" in text
    assert "Free: " in text and "150 min" in text  # 11:30 to 14:00
    assert "2 sessions overlap another" in text


def test_my_schedule_marks_changes_until_the_attendee_marks_them_seen(attendee_client, attendee):
    saved = SavedSessionFactory(user=attendee)
    programme.note_schedule_change(session=saved.session, changed_fields=["room"])
    url = reverse("myschedule:event", args=[saved.session.event.slug])

    assert "Changed since you last looked" in attendee_client.get(url).text
    assert "Changed since you last looked" in attendee_client.get(url).text  # GET changes nothing

    response = attendee_client.post(
        reverse("myschedule:mark_seen", args=[saved.session.event.slug])
    )

    assert response.url == url
    assert "Changed since you last looked" not in attendee_client.get(url).text


def test_my_schedule_page_of_an_unknown_or_draft_event_is_404(attendee_client):
    draft = EventFactory(is_published=False)

    assert attendee_client.get(reverse("myschedule:event", args=["nope"])).status_code == 404
    assert attendee_client.get(reverse("myschedule:event", args=[draft.slug])).status_code == 404


def test_my_schedule_page_uses_the_print_stylesheet(attendee_client, attendee):
    saved = SavedSessionFactory(user=attendee)

    response = attendee_client.get(reverse("myschedule:event", args=[saved.session.event.slug]))

    assert "css/myschedule.css" in response.text


def _fill(user, event, count):
    themes = [ThemeFactory(), ThemeFactory()]
    for n in range(count):
        start = at(17 + n % 3, 9) + dt.timedelta(minutes=20 * n)
        session = SessionFactory(
            event=event, starts_at=start, ends_at=start + dt.timedelta(minutes=45), themes=themes
        )
        SavedSessionFactory(user=user, session=session)
        # Unsaved sessions of the same themes, so suggestions have candidates.
        SessionFactory(
            event=event,
            starts_at=start + dt.timedelta(hours=6),
            ends_at=start + dt.timedelta(hours=6, minutes=30),
            themes=themes,
        )


@pytest.mark.parametrize("count", [2, 12])
def test_my_schedule_page_queries_do_not_grow_with_the_schedule(
    attendee_client, attendee, django_assert_num_queries, count
):
    event = EventFactory()
    _fill(attendee, event, count)

    with django_assert_num_queries(8):
        response = attendee_client.get(reverse("myschedule:event", args=[event.slug]))

    assert response.text.count('class="agenda-row') == count


def test_index_starts_with_my_sessions_and_offers_calendar_and_sharing(attendee_client, attendee):
    saved = SavedSessionFactory(user=attendee, session__event__name="KubeCon Test")

    response = attendee_client.get(reverse("myschedule:index"))

    assert "KubeCon Test" in response.text
    assert "1 session" in response.text
    assert "Get my calendar address" in response.text
    assert "Make a read-only share link" in response.text
    # The sessions themselves, before the calendar and sharing settings.
    assert response.text.index(saved.session.title) < response.text.index("In your calendar")


def test_choosing_a_time_zone_stores_it_on_the_account(attendee_client, attendee):
    response = attendee_client.post(
        reverse("conference:set_time_zone"), {"time_zone": "Asia/Tokyo", "next": "/my-schedule/"}
    )

    assert response.url == "/my-schedule/"
    attendee.refresh_from_db()
    assert attendee.time_zone == "Asia/Tokyo"


def test_the_stored_zone_wins_over_the_browsers_cookie(attendee_client, attendee):
    attendee.time_zone = "Asia/Tokyo"
    attendee.save()
    attendee_client.cookies["reader_tz"] = "Europe%2FLondon"

    response = attendee_client.get(reverse("myschedule:index"))

    assert response.wsgi_request.reader_tz.key == "Asia/Tokyo"


def test_an_unknown_time_zone_leaves_the_stored_one_alone(attendee_client, attendee):
    attendee.time_zone = "Asia/Tokyo"
    attendee.save()

    attendee_client.post(reverse("conference:set_time_zone"), {"time_zone": "Mars/Base"})

    attendee.refresh_from_db()
    assert attendee.time_zone == "Asia/Tokyo"


@pytest.mark.parametrize("name", ["myschedule:regenerate_calendar", "myschedule:sharing"])
def test_account_settings_need_a_signed_in_post(client, db, name):
    assert client.post(reverse(name)).status_code == 302  # to sign in
    client.force_login(UserFactory())
    assert client.get(reverse(name)).status_code == 405
