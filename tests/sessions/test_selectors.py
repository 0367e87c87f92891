import datetime as dt

import pytest

from sessions.public import selectors
from tests.factories import EventFactory, SessionFactory, SpeakerFactory, ThemeFactory

pytestmark = pytest.mark.integration


def test_an_event_is_current_by_its_own_time_zone(db):
    # 10:00 on 1 March in Auckland is still 28 February in UTC.
    auckland = EventFactory(
        name="Auckland Conf",
        time_zone="Pacific/Auckland",
        start_date=dt.date(2030, 3, 1),
        end_date=dt.date(2030, 3, 2),
    )
    honolulu = EventFactory(
        name="Honolulu Conf",
        time_zone="Pacific/Honolulu",
        start_date=dt.date(2030, 3, 1),
        end_date=dt.date(2030, 3, 2),
    )
    now = dt.datetime(2030, 2, 28, 21, 0, tzinfo=dt.UTC)

    home = selectors.home_page(now=now)
    listing = selectors.event_list(now=now)

    assert home["current_events"] == [auckland]
    assert home["upcoming_events"] == [honolulu]
    assert listing["upcoming_events"] == [auckland, honolulu]
    assert listing["past_events"] == []


def test_an_event_stays_current_until_its_last_night_ends(db):
    event = EventFactory(
        time_zone="America/New_York", start_date=dt.date(2030, 3, 1), end_date=dt.date(2030, 3, 2)
    )
    # 02:00 on 3 March in New York still belongs to the 2 March conference day.
    late = dt.datetime(2030, 3, 3, 7, 0, tzinfo=dt.UTC)
    after = dt.datetime(2030, 3, 3, 10, 0, tzinfo=dt.UTC)

    assert selectors.event_is_running(event, now=late)
    assert not selectors.event_is_running(event, now=after)
    assert selectors.event_list(now=after)["past_events"] == [event]
    assert selectors.home_page(now=after)["recent_events"] == [event]


def test_published_event_version_reads_what_the_model_holds(db):
    event = EventFactory(time_zone="Asia/Kolkata")
    version = selectors.published_event_version(event.slug)
    event.refresh_from_db()

    assert (version.pk, version.content_version, version.updated_at) == (
        event.pk,
        event.content_version,
        event.updated_at,
    )
    assert version.updated_at.tzinfo is not None
    assert (version.start_date, version.end_date, version.tz) == (
        event.start_date,
        event.end_date,
        event.tz,
    )
    draft = EventFactory(is_published=False)
    for slug in (draft.slug, "no-such-event"):
        assert selectors.published_event_version(slug) is None


# --- Lookups find nothing rather than answer HTTP: the view makes that a 404 ---


def test_lookups_of_an_unpublished_event_and_its_people_find_nothing(db):
    hidden = SessionFactory(event=EventFactory(is_published=False), speakers=[SpeakerFactory()])
    speaker = hidden.appearances.get().speaker

    assert selectors.published_event(hidden.event.slug) is None
    assert selectors.public_session(event_slug=hidden.event.slug, slug=hidden.slug) is None
    assert selectors.public_speaker(speaker.slug) is None
    assert selectors.public_company(speaker.company.slug) is None


def test_lookups_of_a_published_event_and_its_people_find_them(db):
    shown = SessionFactory(speakers=[SpeakerFactory()])
    speaker = shown.appearances.get().speaker

    assert selectors.published_event(shown.event.slug) == shown.event
    assert selectors.public_session(event_slug=shown.event.slug, slug=shown.slug) == shown
    assert selectors.public_speaker(speaker.slug) == speaker
    assert selectors.public_company(speaker.company.slug) == speaker.company


def test_an_unknown_theme_is_none_and_a_known_one_is_found(db):
    theme = ThemeFactory()

    assert selectors.public_theme("no-such-theme") is None
    assert selectors.public_theme(theme.slug) == theme
