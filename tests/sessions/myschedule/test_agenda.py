"""/my-schedule/ as an agenda of my sessions, across events, and after an event."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils.html import strip_tags

from sessions.models import Session
from sessions.myschedule import services
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

NEW_YORK = ZoneInfo("America/New_York")
INDEX = reverse("myschedule:index")


def at(day, hour, minute=0, *, tz=NEW_YORK, month=11):
    return dt.datetime(2030, month, day, hour, minute, tzinfo=tz)


def _session(event, start, minutes=30, **kwargs):
    return SessionFactory(
        event=event, starts_at=start, ends_at=start + dt.timedelta(minutes=minutes), **kwargs
    )


def _text(response) -> str:
    return re.sub(r"\s+", " ", strip_tags(response.text))


@pytest.fixture
def attendee(db):
    return UserFactory(username="attendee", time_zone="Europe/Berlin")


@pytest.fixture
def attendee_client(client, attendee):
    client.force_login(attendee)
    return client


def test_index_is_an_agenda_by_event_day_and_time_in_both_zones(attendee_client, attendee):
    berlin = ZoneInfo("Europe/Berlin")
    later_event = EventFactory(
        name="Later Conf",
        time_zone="Europe/Berlin",
        start_date=dt.date(2030, 12, 2),
        end_date=dt.date(2030, 12, 3),
    )
    sooner_event = EventFactory(name="Sooner Conf", time_zone="America/New_York")
    room = RoomFactory(event=sooner_event, name="Hall B")
    speaker = SpeakerFactory(name="Grace Example")
    afternoon = _session(sooner_event, at(18, 14), title="Afternoon talk", room=room)
    morning = _session(sooner_event, at(18, 9), title="Morning talk", room=room, speakers=[speaker])
    first_day = _session(sooner_event, at(17, 16), title="First day talk")
    elsewhere = _session(later_event, at(2, 10, tz=berlin, month=12), title="Berlin talk")
    for session in (elsewhere, afternoon, morning, first_day):
        SavedSessionFactory(user=attendee, session=session)
    SavedSessionFactory(session=_session(sooner_event, at(18, 11), title="Someone else's"))

    response = attendee_client.get(INDEX)

    text = _text(response)
    order = ["Sooner Conf", "First day talk", "Morning talk", "Afternoon talk", "Later Conf"]
    assert [text.index(name) for name in order] == sorted(text.index(name) for name in order)
    assert text.index("Later Conf") < text.index("Berlin talk")
    assert "Sunday 17 November" in text and "Monday 18 November" in text
    # The event's zone, then the reader's, on the row; room and speakers beside the title.
    assert "09:00\N{EN DASH}09:30 EST · 15:00\N{EN DASH}15:30 CET" in text
    assert "Morning talk Hall B · Grace Example" in text
    assert "Someone else's" not in text
    # An event in the reader's own zone has no second time.
    assert "10:00\N{EN DASH}10:30 CET ·" not in text


def test_index_agenda_works_for_an_anonymous_visitor(client, db):
    session = _session(EventFactory(name="Visitor Conf"), at(17, 9), title="Picked anonymously")
    client.post(reverse("myschedule:add", args=[session.pk]))

    response = client.get(INDEX)

    assert response.status_code == 200
    assert "Visitor Conf" in response.text
    assert "Picked anonymously" in response.text
    assert "Create an account" in response.text


def test_index_marks_overlaps_inline_with_plan_b_candidates_and_plan_a_buttons(
    attendee_client, attendee
):
    event = EventFactory()
    storage = ThemeFactory(name="Storage")
    volumes = _session(event, at(17, 10), 60, title="Volumes", themes=[storage])
    backups = _session(event, at(17, 10, 30), 60, title="Backups")
    candidate = _session(event, at(17, 10, 45), 30, title="Snapshots", themes=[storage])
    _session(event, at(17, 15), 30, title="Later storage talk", themes=[storage])
    for session in (volumes, backups):
        SavedSessionFactory(user=attendee, session=session)

    response = attendee_client.get(INDEX)

    text = _text(response)
    assert "2 sessions overlap. Pick your plan A" in text
    assert "Plan B candidates in the same slot" in text
    assert "Snapshots" in text
    assert "Later storage talk" not in text  # the same theme, but not the same slot
    for session in (volumes, backups):
        assert reverse("myschedule:plan_a", args=[session.pk]) in response.text
    assert reverse("myschedule:plan_b", args=[candidate.pk]) in response.text
    # The candidates and the buttons sit inside the overlap's block, by the sessions.
    assert response.text.count('<li class="agenda-clash') == 1
    block = response.text.split('<li class="agenda-clash')[1].split("</section>")[0]
    assert "Snapshots" in block
    assert reverse("myschedule:plan_a", args=[volumes.pk]) in block
    assert reverse("myschedule:plan_b", args=[candidate.pk]) in block


def test_a_decided_overlap_shows_plan_a_and_b_and_offers_to_swap(attendee_client, attendee):
    event = EventFactory()
    volumes = _session(event, at(17, 10), 60, title="Volumes")
    backups = _session(event, at(17, 10, 30), 60, title="Backups")
    SavedSessionFactory(user=attendee, session=volumes)
    SavedSessionFactory(user=attendee, session=backups, plan="B")

    response = attendee_client.get(INDEX)

    text = _text(response)
    assert "Your plan A is chosen" in text
    assert "Pick your plan A" not in text
    assert re.search(r"Volumes.*Plan A.*Backups.*Plan B", text)
    # Only the backup offers to become plan A.
    assert reverse("myschedule:plan_a", args=[backups.pk]) in response.text
    assert reverse("myschedule:plan_a", args=[volumes.pk]) not in response.text


def test_past_event_shows_what_you_saved_and_missed_with_video_and_slides(
    attendee_client, attendee
):
    past = EventFactory(
        name="Last Year Conf", start_date=dt.date(2020, 11, 17), end_date=dt.date(2020, 11, 19)
    )
    start = dt.datetime(2020, 11, 18, 10, tzinfo=NEW_YORK)
    recorded = _session(
        past,
        start,
        title="Recorded talk",
        video_url="https://videos.example/recorded",
        slides_url="https://slides.example/recorded.pdf",
    )
    unrecorded = _session(past, start + dt.timedelta(hours=2), title="Unrecorded talk")
    clash = _session(past, start, title="Clashing old talk")
    for session in (recorded, unrecorded, clash):
        SavedSessionFactory(user=attendee, session=session)
    upcoming = SavedSessionFactory(user=attendee, session__title="Upcoming talk").session

    response = attendee_client.get(INDEX)

    text = _text(response)
    assert "What you saved and missed" in text
    assert text.index("Upcoming talk") < text.index("What you saved and missed")
    missed = text[text.index("What you saved and missed") :]
    assert "Last Year Conf" in missed and "3 sessions saved, 1 with video or slides" in missed
    assert 'href="https://videos.example/recorded"' in response.text
    assert 'href="https://slides.example/recorded.pdf"' in response.text
    assert "Unrecorded talk" in missed and "No video or slides yet." in missed
    # Nothing to decide about an event that is over.
    assert reverse("myschedule:plan_a", args=[clash.pk]) not in response.text
    assert upcoming.title not in missed


def test_index_offers_copy_buttons_and_qr_codes_for_the_feed_and_share_links(
    attendee_client, attendee, settings
):
    settings.SITE_URL = "https://guide.example"
    saved = SavedSessionFactory(user=attendee, session__event__slug="kubecon-x")
    services.regenerate_calendar_token(user=attendee)
    services.set_sharing(user=attendee, enabled=True)
    attendee.refresh_from_db()

    response = attendee_client.get(INDEX)

    feed = f"https://guide.example/my-schedule/calendar/{attendee.calendar_token}.ics"
    share = f"https://guide.example/my-schedule/shared/{attendee.share_token}/kubecon-x/"
    html = response.text
    for field, url in (("feed-url", feed), ("share-kubecon-x", share)):
        assert f'<input id="{field}" class="form-control font-monospace"' in html
        assert f'type="text" readonly value="{url}">' in html
        assert f'data-copy="{field}" hidden>' in html  # shown by the script
    assert html.count('<svg role="img"') == 2
    assert "<title>QR code of the calendar subscription address</title>" in html
    assert (
        f"<title>QR code of the share link for {saved.session.event.name.lower()}</title>" in html
    )
    assert "js/copy.js" in html
    # The strict CSP: the drawings carry no style attribute.
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert "style=" not in svg


def test_the_qr_code_encodes_the_address(attendee_client, attendee, settings):
    import segno

    settings.SITE_URL = "https://guide.example"
    services.regenerate_calendar_token(user=attendee)
    attendee.refresh_from_db()
    feed = f"https://guide.example/my-schedule/calendar/{attendee.calendar_token}.ics"
    expected = segno.make(feed, error="m", micro=False).svg_inline(scale=4, border=2)

    html = attendee_client.get(INDEX).text

    path = re.search(r'class="qrline" stroke="#000" d="([^"]+)"', html).group(1)
    assert f'd="{path}"' in expected


def test_no_qr_codes_or_addresses_for_a_visitor_or_without_sharing(client, attendee):
    SavedSessionFactory(user=attendee)

    client.force_login(attendee)
    assert "<svg" not in client.get(INDEX).text
    client.logout()
    assert "<svg" not in client.get(INDEX).text


def _fill(user, *, events, per_event):
    theme = ThemeFactory()
    for n in range(events):
        event = EventFactory(
            start_date=dt.date(2030, 11, 17 + n), end_date=dt.date(2030, 11, 18 + n)
        )
        for m in range(per_event):
            start = at(17 + n, 9) + dt.timedelta(minutes=20 * m)
            room = RoomFactory(event=event)
            session = _session(
                event, start, 45, themes=[theme], room=room, speakers=[SpeakerFactory()]
            )
            SavedSessionFactory(user=user, session=session, plan="B" if m % 3 == 2 else "A")
            # An unsaved session of the slot: a plan B candidate for each overlap.
            _session(event, start, 30, themes=[theme])
    past = EventFactory(start_date=dt.date(2020, 1, 1), end_date=dt.date(2020, 1, 2))
    for m in range(per_event):
        SavedSessionFactory(
            user=user,
            session=_session(
                past,
                dt.datetime(2020, 1, 1, 9, tzinfo=dt.UTC) + dt.timedelta(hours=m),
                video_url="https://videos.example/v",
            ),
        )


@pytest.mark.parametrize(("events", "per_event"), [(1, 2), (4, 9)])
def test_index_queries_do_not_grow_with_sessions_or_events(
    attendee_client, attendee, django_assert_num_queries, events, per_event
):
    _fill(attendee, events=events, per_event=per_event)
    services.regenerate_calendar_token(user=attendee)
    services.set_sharing(user=attendee, enabled=True)

    # The browser session and the account, the picks, the sessions with their
    # themes and speakers, the plan B candidates with their themes, and the
    # saved ids that set the rows' toggles, and whether change emails are on.
    with django_assert_num_queries(10):
        response = attendee_client.get(INDEX)

    assert response.text.count('class="agenda-row') == (events + 1) * per_event
    assert response.text.count('<svg role="img"') == 1 + events + 1


@pytest.mark.parametrize("count", [2, 12])
def test_visitor_index_queries_do_not_grow_with_sessions(
    client, db, django_assert_max_num_queries, count
):
    event = EventFactory()
    for n in range(count):
        session = _session(event, at(17, 9 + n % 8), 45, themes=[ThemeFactory()])
        client.post(reverse("myschedule:add", args=[session.pk]))

    with django_assert_max_num_queries(8):
        response = client.get(INDEX)

    assert response.text.count('class="agenda-row') == count


def test_event_page_keeps_its_agenda_and_offers_its_share_link_to_copy_and_scan(
    attendee_client, attendee
):
    event = EventFactory(slug="one-event")
    volumes = _session(event, at(17, 10), 60, title="Volumes")
    _session(event, at(17, 10, 30), 60, title="Backups")
    for session in Session.objects.filter(event=event):
        SavedSessionFactory(user=attendee, session=session)
    services.set_sharing(user=attendee, enabled=True)
    attendee.refresh_from_db()

    response = attendee_client.get(reverse("myschedule:event", args=[event.slug]))

    text = _text(response)
    assert "2 sessions overlap another. Pick your plan A" in text
    assert reverse("myschedule:plan_a", args=[volumes.pk]) in response.text
    share = reverse("myschedule:shared", args=[attendee.share_token, event.slug])
    assert 'id="share-one-event"' in response.text and share in response.text
    assert '<svg role="img"' in response.text and "js/copy.js" in response.text
    # The sessions come before the share link.
    assert text.index("Volumes") < text.index("Share this schedule")
