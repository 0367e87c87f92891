from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from sessions.models import Event, Room, Session, SessionSpeaker, Speaker, Theme
from tests.factories import SessionFactory, SpeakerFactory

pytestmark = pytest.mark.integration


def _generate(*args: str) -> str:
    out = StringIO()
    call_command("generate_event", *args, stdout=out)
    return out.getvalue()


def _programme(event: Event) -> list[tuple]:
    """Everything a reader would see of the event's sessions, in a comparable form."""
    return [
        (
            session.uid,
            session.title,
            session.slug,
            session.starts_at,
            session.ends_at,
            session.room.name,
            session.format,
            session.level,
            session.status,
            session.is_editors_pick,
            tuple(theme.name for theme in session.themes.all()),
            tuple(str(appearance) for appearance in session.appearances.all()),
        )
        for session in Session.objects.filter(event=event).for_listing().order_by("uid")
    ]


def test_generate_event_makes_a_published_four_day_event_of_the_asked_size(db):
    output = _generate("--sessions", "200", "--speakers", "250", "--seed", "7")

    event = Event.objects.get()
    sessions = Session.objects.filter(event=event)
    assert event.is_published and not event.is_virtual
    assert len(event.days) == 4
    assert sessions.count() == 200
    assert Speaker.objects.count() == 250
    assert f"{event.name} ({event.slug})" in output
    # Every speaker speaks; some sessions have several speakers.
    assert Speaker.objects.filter(appearances__isnull=True).count() == 0
    assert SessionSpeaker.objects.count() > 250
    assert sessions.filter(appearances__order=2).exists()
    assert sessions.filter(status=Session.Status.CANCELLED).exists()
    assert sessions.filter(is_editors_pick=True).exists()
    assert sessions.values("format").distinct().count() >= 5
    assert sessions.values("level").distinct().count() == 4
    assert Room.objects.filter(event=event).count() > 1
    assert Theme.objects.filter(sessions__event=event).distinct().count() >= 5


def test_generated_sessions_fall_inside_the_event_days_and_pass_validation(db):
    _generate("--sessions", "60", "--speakers", "80", "--seed", "2")

    event = Event.objects.get()
    days_used = set()
    for session in Session.objects.filter(event=event).select_related("event", "room"):
        session.full_clean()
        assert session.room.event_id == event.pk
        days_used.add(session.conference_day)
    assert days_used == set(event.days)


def test_generate_event_is_reproducible_for_a_seed(db):
    _generate("--sessions", "40", "--speakers", "50", "--seed", "11")
    event = Event.objects.get()
    first = _programme(event)

    _generate("--sessions", "40", "--speakers", "50", "--seed", "11", "--replace")

    again = Event.objects.get()
    assert again.slug == event.slug
    assert _programme(again) == first
    assert Speaker.objects.count() == 50


def test_generate_event_with_another_seed_makes_another_event(db):
    _generate("--sessions", "20", "--speakers", "20", "--seed", "1")
    _generate("--sessions", "20", "--speakers", "20", "--seed", "2")

    first, second = Event.objects.order_by("pk")
    assert first.slug != second.slug
    assert [row[1] for row in _programme(first)] != [row[1] for row in _programme(second)]
    assert Speaker.objects.count() == 40


def test_generate_event_refuses_to_overwrite_without_replace(db):
    _generate("--sessions", "10", "--speakers", "10", "--seed", "3")

    with pytest.raises(CommandError, match="--replace"):
        _generate("--sessions", "10", "--speakers", "10", "--seed", "3")
    assert Session.objects.count() == 10


def test_generate_event_replace_keeps_speakers_who_also_spoke_elsewhere(db):
    _generate("--sessions", "10", "--speakers", "12", "--seed", "4")
    generated = Event.objects.get()
    regular = SpeakerFactory(name="Regular Speaker")
    SessionFactory(speakers=[regular])
    shared = Speaker.objects.filter(appearances__session__event=generated).first()
    SessionFactory(speakers=[shared])

    _generate("--sessions", "10", "--speakers", "12", "--seed", "4", "--replace")

    assert Speaker.objects.filter(pk__in=[regular.pk, shared.pk]).count() == 2
    # Twelve new ones, the two above; the other eleven old generated speakers are gone.
    assert Speaker.objects.count() == 14


def test_generate_event_rejects_more_speakers_than_sessions_can_seat(db):
    with pytest.raises(CommandError, match="at most 12 speakers"):
        _generate("--sessions", "2", "--speakers", "13")
    assert not Event.objects.exists()


def test_generate_event_default_size_builds_a_thousand_sessions(db):
    _generate("--seed", "1")

    assert Session.objects.count() == 1000
    assert Speaker.objects.count() == 1500
