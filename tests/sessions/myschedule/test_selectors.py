import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from sessions import services as programme
from sessions.models import Session
from sessions.myschedule import selectors, services
from tests.factories import (
    EventFactory,
    SavedSessionFactory,
    SessionFactory,
    ThemeFactory,
    UserFactory,
)

pytestmark = pytest.mark.integration

NEW_YORK = ZoneInfo("America/New_York")


def at(day, hour, minute=0):
    return dt.datetime(2030, 11, day, hour, minute, tzinfo=NEW_YORK)


def _session(event, start, minutes=30, **kwargs):
    return SessionFactory(
        event=event, starts_at=start, ends_at=start + dt.timedelta(minutes=minutes), **kwargs
    )


@pytest.fixture
def event(db):
    return EventFactory(time_zone="America/New_York")


def test_schedule_groups_by_conference_day_with_gaps_between(event):
    user = SavedSessionFactory(session=_session(event, at(17, 9))).user
    for start in (at(17, 9, 45), at(17, 10, 20), at(18, 1)):  # 01:00 belongs to the 17th
        SavedSessionFactory(user=user, session=_session(event, start))
    SavedSessionFactory(user=user, session=_session(event, at(18, 9)))

    schedule = selectors.my_schedule(event=event, picks=selectors.saved_picks(user=user))

    assert [day.date for day in schedule.days] == [dt.date(2030, 11, 17), dt.date(2030, 11, 18)]
    kinds = [type(item).__name__ for item in schedule.days[0].timeline]
    # 09:30-09:45 is a 15-minute gap; 10:15-10:20 is too short to count.
    assert kinds == ["Entry", "Gap", "Entry", "Entry", "Gap", "Entry"]
    gap = schedule.days[0].timeline[1]
    assert (gap.starts_at, gap.ends_at, gap.minutes) == (at(17, 9, 30), at(17, 9, 45), 15)


def test_overlaps_form_a_clash_with_plan_b_candidates_of_the_slot_sharing_a_theme(event):
    storage, security = ThemeFactory(name="Storage"), ThemeFactory(name="Security")
    first = _session(event, at(17, 10), 60, themes=[storage], title="CSI deep dive")
    clash = _session(event, at(17, 10, 30), 60, themes=[security], title="Policy")
    later = _session(event, at(17, 14), 30, title="Afternoon")
    user = SavedSessionFactory(session=first).user
    SavedSessionFactory(user=user, session=clash)
    SavedSessionFactory(user=user, session=later)
    same_slot = _session(event, at(17, 10, 15), 30, themes=[storage], title="Volumes in the slot")
    other_theme = _session(event, at(17, 11), 30, themes=[security], title="Secrets in the slot")
    _session(event, at(17, 12), 30, themes=[storage], title="Free time, not the slot")
    _session(event, at(17, 10), 30, themes=[ThemeFactory()], title="Unrelated theme")
    _session(event, at(17, 10), 30, themes=[storage], status=Session.Status.DRAFT)
    _session(event, at(17, 10), 30, themes=[storage], status=Session.Status.CANCELLED)
    _session(EventFactory(), at(17, 10), 30, themes=[storage], title="Another event")

    schedule = selectors.my_schedule(event=event, picks=selectors.saved_picks(user=user))

    entries = {entry.session.title: entry for entry in schedule.entries}
    assert entries["CSI deep dive"].conflicts == [clash]
    assert entries["Policy"].conflicts == [first]
    assert entries["Afternoon"].conflicts == []
    [day] = schedule.days
    assert [type(item).__name__ for item in day.timeline] == ["Clash", "Gap", "Entry"]
    [found] = schedule.clashes
    assert [entry.session for entry in found.entries] == [first, clash]
    assert found.alternatives == [same_slot, other_theme]
    assert not found.is_decided
    assert schedule.conflict_count == 2
    assert schedule.undecided_count == 1


def test_a_clash_is_decided_once_one_side_is_plan_b(event):
    first, second = _session(event, at(17, 10), 60), _session(event, at(17, 10, 30), 60)
    user = SavedSessionFactory(session=first).user
    SavedSessionFactory(user=user, session=second, plan="B")

    schedule = selectors.my_schedule(event=event, picks=selectors.saved_picks(user=user))

    [found] = schedule.clashes
    assert found.is_decided
    assert [entry.is_backup for entry in found.entries] == [False, True]
    assert schedule.undecided_count == 0


def test_cancelled_sessions_never_conflict_and_leave_their_time_free(event):
    kept = _session(event, at(17, 10), 60)
    cancelled = _session(event, at(17, 10), 60, status=Session.Status.CANCELLED)
    user = SavedSessionFactory(session=kept).user
    SavedSessionFactory(user=user, session=cancelled)

    schedule = selectors.my_schedule(event=event, picks=selectors.saved_picks(user=user))

    assert [entry.conflicts for entry in schedule.entries] == [[], []]
    assert {entry.session.is_cancelled for entry in schedule.entries} == {False, True}


def test_sessions_moved_since_last_seen_are_marked_changed_until_seen(event):
    moved, steady = _session(event, at(17, 10)), _session(event, at(17, 15))
    user = SavedSessionFactory(session=moved).user
    SavedSessionFactory(user=user, session=steady)
    moved.starts_at, moved.ends_at = at(17, 11), at(17, 11, 30)
    moved.save()
    programme.note_schedule_change(session=moved, changed_fields=["starts_at", "ends_at"])

    before = selectors.my_schedule(event=event, picks=selectors.saved_picks(user=user))
    services.mark_changes_seen(user=user, event=event)
    after = selectors.my_schedule(event=event, picks=selectors.saved_picks(user=user))

    assert {e.session.title: e.changed for e in before.entries} == {
        moved.title: True,
        steady.title: False,
    }
    assert before.changed_count == 1
    assert after.changed_count == 0


def test_a_session_saved_after_it_changed_is_not_marked(event):
    session = _session(event, at(17, 10))
    programme.note_schedule_change(session=session, changed_fields=["room"])

    saved = SavedSessionFactory(session=session)
    schedule = selectors.my_schedule(event=event, picks=selectors.saved_picks(user=saved.user))

    assert schedule.changed_count == 0


def test_a_schedule_shows_the_given_public_sessions_of_its_event_only(event):
    public = _session(event, at(17, 10))
    draft = _session(event, at(17, 11), status=Session.Status.DRAFT)
    elsewhere = SessionFactory()

    picks = dict.fromkeys([public.pk, draft.pk, elsewhere.pk], selectors.Pick())
    schedule = selectors.my_schedule(event=event, picks=picks)

    assert [entry.session for entry in schedule.entries] == [public]


def test_agenda_holds_every_event_in_date_order_with_its_public_sessions(db):
    later = EventFactory(name="Later", start_date=dt.date(2031, 5, 1), end_date=dt.date(2031, 5, 2))
    sooner = EventFactory(
        name="Sooner", start_date=dt.date(2030, 5, 1), end_date=dt.date(2030, 5, 2)
    )
    user = SavedSessionFactory(session=SessionFactory(event=later)).user
    SavedSessionFactory(user=user, session=SessionFactory(event=sooner))
    SavedSessionFactory(user=user, session=SessionFactory(event=sooner))
    SavedSessionFactory(user=user, session=SessionFactory(status=Session.Status.DRAFT))
    SavedSessionFactory(session=SessionFactory(event=later))  # someone else's

    agenda = selectors.my_agenda(picks=selectors.saved_picks(user=user))

    assert [(s.event.name, len(s.entries)) for s in agenda] == [("Sooner", 2), ("Later", 1)]


def test_token_lookups_find_the_owner_only_while_the_link_works(db):
    owner = UserFactory(calendar_token="c" * 43, share_token="s" * 43, share_enabled=True)

    assert selectors.calendar_owner(token="c" * 43) == owner
    assert selectors.shared_schedule_owner(token="s" * 43) == owner
    assert selectors.calendar_owner(token="C" * 43) is None
    assert selectors.shared_schedule_owner(token="c" * 43) is None
    owner.share_enabled = False
    owner.save()
    assert selectors.shared_schedule_owner(token="s" * 43) is None


def test_a_session_can_be_found_for_removal_whatever_its_status(event):
    draft = SessionFactory(event=event, status=Session.Status.DRAFT)

    assert selectors.removable_session(session_id=draft.pk) == draft
    assert selectors.removable_session(session_id=draft.pk + 1) is None
