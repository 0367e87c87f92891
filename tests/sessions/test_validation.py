"""Every validation rule as an editor meets it in the admin, and the constraints behind them."""

import datetime as dt
import html

import pytest
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse

from sessions.models import Company, Event, Room, Session, SessionSpeaker, Speaker, Theme
from tests.factories import (
    CompanyFactory,
    EventFactory,
    RoomFactory,
    SessionFactory,
    SpeakerFactory,
    ThemeFactory,
)
from tests.sessions.admin_forms import event_data, session_data

pytestmark = pytest.mark.integration

EVENT_ADD = reverse("admin:conference_event_add")
SESSION_ADD = reverse("admin:conference_session_add")


def _errors(response) -> str:
    """The error text the admin shows, or a failure if the form was accepted."""
    assert response.status_code == 200, f"expected the form back, got {response.status_code}"
    return html.unescape(" ".join(str(e) for e in response.context["errors"]))


# --- Events ---------------------------------------------------------------------------------


def test_event_form_rejects_an_unknown_time_zone(editor_client):
    response = editor_client.post(EVENT_ADD, event_data(time_zone="Mars/Olympus_Mons"))

    assert "is not a known IANA time zone" in _errors(response)
    assert not Event.objects.exists()


def test_event_form_rejects_an_end_before_the_start(editor_client):
    response = editor_client.post(EVENT_ADD, event_data(end_date="2030-11-16"))

    assert "The event cannot end before it starts." in _errors(response)
    assert not Event.objects.exists()


def test_event_form_rejects_a_slug_already_taken(editor_client):
    EventFactory(slug="cloudconf-2030")

    response = editor_client.post(EVENT_ADD, event_data(slug="cloudconf-2030"))

    assert "Event with this Slug already exists." in _errors(response)
    assert Event.objects.count() == 1


def test_event_form_rejects_two_rooms_of_one_name(editor_client):
    rooms = [{"name": "Hall A", "order": 0}, {"name": "Hall A", "order": 1}]

    response = editor_client.post(EVENT_ADD, event_data(rooms=rooms))

    assert "Please correct the duplicate data for name" in response.text
    assert not Room.objects.exists()


def test_event_form_saves_a_valid_event_with_rooms(editor_client):
    rooms = [{"name": "Hall A", "order": 0}, {"name": "Hall B", "order": 1}]

    response = editor_client.post(EVENT_ADD, event_data(rooms=rooms))

    assert response.status_code == 302
    event = Event.objects.get()
    assert list(event.rooms.values_list("name", flat=True)) == ["Hall A", "Hall B"]


# --- Themes, companies, speakers -----------------------------------------------------------


def test_theme_form_rejects_a_colour_that_is_not_hex(editor_client):
    response = editor_client.post(
        reverse("admin:conference_theme_add"),
        {"name": "Storage", "slug": "storage", "colour": "blue", "order": 0},
    )

    assert "Enter a colour as # followed by six hexadecimal digits" in _errors(response)
    assert not Theme.objects.exists()


def test_theme_form_rejects_a_slug_already_taken(editor_client):
    ThemeFactory(slug="storage")

    response = editor_client.post(
        reverse("admin:conference_theme_add"),
        {"name": "Storage again", "slug": "storage", "colour": "#123456", "order": 0},
    )

    assert "Theme with this Slug already exists." in _errors(response)


def test_company_form_rejects_a_slug_already_taken(editor_client):
    CompanyFactory(name="Intel", slug="intel")

    response = editor_client.post(
        reverse("admin:conference_company_add"), {"name": "Intel Labs", "slug": "intel"}
    )

    assert "Company with this Slug already exists." in _errors(response)


def test_speaker_form_rejects_a_slug_already_taken(editor_client):
    SpeakerFactory(slug="patrick-ohly")

    response = editor_client.post(
        reverse("admin:conference_speaker_add"), {"name": "Patrick Ohly", "slug": "patrick-ohly"}
    )

    assert "Speaker with this Slug already exists." in _errors(response)
    assert Speaker.objects.count() == 1


# --- Sessions ---------------------------------------------------------------------------------


@pytest.fixture
def event(db):
    # Eastern Time; 17-20 November 2030.
    return EventFactory(start_date=dt.date(2030, 11, 17), end_date=dt.date(2030, 11, 20))


def _add_in_event_zone(client, event, **data):
    return client.post(f"{SESSION_ADD}?event={event.pk}", session_data(event, **data))


def test_session_form_rejects_an_end_before_the_start(editor_client, event):
    response = _add_in_event_zone(
        editor_client, event, starts="2030-11-17 10:00", ends="2030-11-17 09:30"
    )

    assert "A session must end after it starts." in _errors(response)
    assert not Session.objects.exists()


def test_session_form_rejects_an_end_equal_to_the_start(editor_client, event):
    response = _add_in_event_zone(
        editor_client, event, starts="2030-11-17 10:00", ends="2030-11-17 10:00"
    )

    assert "A session must end after it starts." in _errors(response)


@pytest.mark.parametrize(
    ("starts", "ends"),
    [
        ("2030-11-16 10:00", "2030-11-16 10:30"),  # the day before
        ("2030-11-17 03:30", "2030-11-17 03:50"),  # before 04:00: still the 16th's night
        ("2030-11-21 04:30", "2030-11-21 05:00"),  # after the last night's break
        ("2030-11-21 03:00", "2030-11-21 04:30"),  # starts in time but runs past the break
    ],
)
def test_session_form_rejects_times_outside_the_event_days(editor_client, event, starts, ends):
    response = _add_in_event_zone(editor_client, event, starts=starts, ends=ends)

    errors = _errors(response)
    assert "The session must take place during the event" in errors
    assert "17 Nov 2030 to 20 Nov 2030 (America/New_York)" in errors


def test_session_form_accepts_a_late_night_session_before_the_day_break(editor_client, event):
    response = _add_in_event_zone(
        editor_client, event, starts="2030-11-21 01:30", ends="2030-11-21 03:30"
    )

    assert response.status_code == 302
    session = Session.objects.get()
    assert session.starts_at == dt.datetime(2030, 11, 21, 6, 30, tzinfo=dt.UTC)
    assert session.conference_day == dt.date(2030, 11, 20)


def test_session_form_without_an_event_zone_reads_utc_and_checks_the_events_days(
    editor_client, event
):
    # 06:00 UTC on the 21st is 01:00 on the 21st in New York: the 20th's night.
    accepted = editor_client.post(
        SESSION_ADD, session_data(event, starts="2030-11-21 06:00", ends="2030-11-21 07:00")
    )
    # 10:00 UTC on the 21st is 05:00 in New York: past the last day break.
    refused = editor_client.post(
        SESSION_ADD,
        session_data(event, slug="later", starts="2030-11-21 10:00", ends="2030-11-21 10:30"),
    )

    assert accepted.status_code == 302
    assert Session.objects.get().starts_at == dt.datetime(2030, 11, 21, 6, 0, tzinfo=dt.UTC)
    assert "The session must take place during the event" in _errors(refused)


def test_session_form_rejects_a_slug_already_used_in_the_event(editor_client, event):
    SessionFactory(event=event, slug="a-talk-about-clusters")

    response = _add_in_event_zone(editor_client, event)

    assert "This event already has a session with this slug." in _errors(response)
    assert Session.objects.count() == 1


def test_session_form_accepts_a_slug_used_by_another_event(editor_client, event):
    SessionFactory(slug="a-talk-about-clusters")

    response = _add_in_event_zone(editor_client, event)

    assert response.status_code == 302
    assert Session.objects.filter(slug="a-talk-about-clusters").count() == 2


def test_session_form_rejects_a_room_of_another_event(editor_client, event):
    elsewhere = RoomFactory(name="Hall Z")

    response = _add_in_event_zone(editor_client, event, room=elsewhere.pk)

    assert f"Choose a room of {event.name}." in _errors(response)


def test_session_form_rejects_the_same_speaker_twice(editor_client, event):
    speaker = SpeakerFactory()
    rows = [
        {"order": 0, "speaker": speaker.pk, "company": ""},
        {"order": 1, "speaker": speaker.pk, "company": ""},
    ]

    response = _add_in_event_zone(editor_client, event, appearances=rows)

    assert "Please correct the duplicate data for speaker" in response.text
    assert not Session.objects.exists()


def test_session_form_for_an_event_with_a_broken_zone_still_answers(editor_client, event):
    # A bad zone can only arrive by bypassing validation (raw SQL, an old import).
    Event.objects.filter(pk=event.pk).update(time_zone="Nowhere/Land")

    response = editor_client.post(SESSION_ADD, session_data(event))

    assert response.status_code == 302
    assert Session.objects.count() == 1


# --- Constraints: bad rows cannot get in by any path ----------------------------------------


def _rejected(create):
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


def test_database_rejects_an_event_ending_before_it_starts(db):
    _rejected(
        lambda: Event.objects.create(
            name="Backwards",
            slug="backwards",
            start_date=dt.date(2030, 1, 2),
            end_date=dt.date(2030, 1, 1),
            time_zone="UTC",
        )
    )


def test_database_rejects_a_session_ending_at_or_before_its_start(db):
    session = SessionFactory()

    _rejected(lambda: Session.objects.filter(pk=session.pk).update(ends_at=F("starts_at")))
    _rejected(
        lambda: Session.objects.bulk_create(
            [
                Session(
                    event=session.event,
                    title="Backwards",
                    slug="backwards",
                    starts_at=session.starts_at,
                    ends_at=session.starts_at - dt.timedelta(minutes=1),
                )
            ]
        )
    )


def test_database_rejects_duplicate_slugs_where_they_must_be_unique(db):
    session = SessionFactory()
    theme, company, speaker = ThemeFactory(), CompanyFactory(), SpeakerFactory()

    _rejected(lambda: SessionFactory(event=session.event, slug=session.slug, room=session.room))
    _rejected(lambda: Theme.objects.create(name="Other", slug=theme.slug))
    _rejected(lambda: Company.objects.create(name="Other", slug=company.slug))
    _rejected(lambda: Speaker.objects.create(name="Other", slug=speaker.slug))
    _rejected(
        lambda: EventFactory(slug=session.event.slug),
    )


def test_database_rejects_duplicate_rooms_speakers_and_source_ids(db):
    session = SessionFactory(source_id="abc")
    speaker = SpeakerFactory()
    SessionSpeaker.objects.create(session=session, speaker=speaker)

    _rejected(lambda: Room.objects.create(event=session.event, name=session.room.name))
    _rejected(lambda: SessionSpeaker.objects.create(session=session, speaker=speaker, order=1))
    _rejected(lambda: SessionFactory(event=session.event, source_id="abc"))


def test_database_allows_many_sessions_without_a_source_id(db):
    event = EventFactory()

    SessionFactory(event=event, source_id="")
    SessionFactory(event=event, source_id="")

    assert Session.objects.filter(event=event, source_id="").count() == 2


def test_event_form_refuses_dates_that_would_strand_its_sessions(editor_client, event):
    SessionFactory(
        event=event,
        room=None,
        starts_at=dt.datetime(2030, 11, 19, 15, 0, tzinfo=dt.UTC),
        ends_at=dt.datetime(2030, 11, 19, 15, 30, tzinfo=dt.UTC),
    )
    url = reverse("admin:conference_event_change", args=[event.pk])

    response = editor_client.post(
        url, event_data(name=event.name, slug=event.slug, end_date="2030-11-18")
    )

    assert "1 of this event's sessions would fall outside 17 Nov 2030 to 18 Nov 2030" in (
        _errors(response)
    )
    event.refresh_from_db()
    assert event.end_date == dt.date(2030, 11, 20)


def test_event_form_refuses_a_time_zone_that_would_strand_its_sessions(editor_client, event):
    # 13:00 UTC on the first day: 08:00 in New York, but 02:00 in Pago Pago,
    # which is still the night before the event there.
    SessionFactory(
        event=event,
        room=None,
        starts_at=dt.datetime(2030, 11, 17, 13, 0, tzinfo=dt.UTC),
        ends_at=dt.datetime(2030, 11, 17, 13, 30, tzinfo=dt.UTC),
    )
    url = reverse("admin:conference_event_change", args=[event.pk])

    refused = editor_client.post(
        url, event_data(name=event.name, slug=event.slug, time_zone="Pacific/Pago_Pago")
    )
    accepted = editor_client.post(
        url, event_data(name=event.name, slug=event.slug, time_zone="America/Chicago")
    )

    assert "would fall outside" in _errors(refused)
    assert accepted.status_code == 302
    event.refresh_from_db()
    assert event.time_zone == "America/Chicago"
