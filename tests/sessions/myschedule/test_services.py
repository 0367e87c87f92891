import datetime as dt
import io
import threading

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from sessions.models import SavedSession, Session, Visitor
from sessions.myschedule import selectors, services
from tests.factories import EventFactory, SavedSessionFactory, SessionFactory, UserFactory

pytestmark = pytest.mark.integration


def test_add_session_saves_it_once(db):
    user, session = UserFactory(), SessionFactory()

    first = services.add_session(user=user, session=session)
    second = services.add_session(user=user, session=session)

    assert (first, second) == (True, False)
    assert SavedSession.objects.filter(user=user, session=session).count() == 1


def test_add_session_treats_a_clash_with_a_concurrent_insert_as_success(db):
    # What the loser of a race sees: the row exists by the time it inserts.
    user, session = UserFactory(), SessionFactory()
    SavedSession.objects.create(user=user, session=session)

    assert services.add_session(user=user, session=session) is False
    assert SavedSession.objects.filter(user=user).count() == 1


@pytest.mark.parametrize(
    ("status", "event_published", "code"),
    [
        (Session.Status.DRAFT, True, "unknown"),
        (Session.Status.PUBLISHED, False, "unknown"),
        (Session.Status.CANCELLED, True, "cancelled"),
    ],
)
def test_addable_session_refuses_what_cannot_be_saved(db, status, event_published, code):
    session = SessionFactory(status=status, event=EventFactory(is_published=event_published))

    with pytest.raises(ValidationError) as refusal:
        services.addable_session(session_id=session.pk)

    assert refusal.value.code == code


def test_addable_session_refuses_an_unknown_id(db):
    with pytest.raises(ValidationError, match="not in the published programme"):
        services.addable_session(session_id=987654)


def test_add_session_refuses_a_draft_even_when_called_directly(db):
    draft = SessionFactory(status=Session.Status.DRAFT)

    with pytest.raises(ValidationError):
        services.add_session(user=UserFactory(), session=draft)

    assert not SavedSession.objects.exists()


def test_remove_session_removes_only_that_users_row(db):
    mine, theirs = SavedSessionFactory(), SavedSessionFactory()
    SavedSessionFactory(user=theirs.user, session=mine.session)

    assert services.remove_session(user=mine.user, session_id=mine.session_id) is True
    assert services.remove_session(user=mine.user, session_id=mine.session_id) is False
    assert SavedSession.objects.filter(session=mine.session).get().user == theirs.user


def test_add_sessions_saves_published_ones_and_counts_only_new(db):
    user = UserFactory()
    event = EventFactory()
    already, new = SessionFactory(event=event), SessionFactory(event=event)
    draft = SessionFactory(event=event, status=Session.Status.DRAFT)
    cancelled = SessionFactory(event=event, status=Session.Status.CANCELLED)
    SavedSessionFactory(user=user, session=already)

    added = services.add_sessions(user=user, sessions=[already, new, draft, cancelled, new])

    assert added == 1
    saved = SavedSession.objects.filter(user=user).values_list("session_id", flat=True)
    assert sorted(saved) == sorted([already.pk, new.pk])


def _store():
    store = SessionStore()
    store.create()
    return store


def test_anonymous_schedule_is_rows_owned_by_the_browsers_visitor(db):
    store = _store()
    first, second = SessionFactory(), SessionFactory()

    assert services.add_session_anonymously(store=store, session=first) is True
    services.add_session_anonymously(store=store, session=second)
    assert services.add_session_anonymously(store=store, session=first) is False
    services.remove_session_anonymously(store=store, session_id=second.pk)

    assert selectors.anonymous_session_ids(store) == [first.pk]
    visitor = Visitor.objects.get()
    assert store[services.ANONYMOUS_KEY] == visitor.token
    assert list(SavedSession.objects.values_list("visitor", "user", "session")) == [
        (visitor.pk, None, first.pk)
    ]


def test_a_schedule_kept_as_a_list_in_an_older_session_moves_into_rows(db):
    store = _store()
    kept, added = SessionFactory(), SessionFactory()
    store[services.ANONYMOUS_KEY] = ["1; DROP TABLE", kept.pk, None]

    assert selectors.anonymous_session_ids(store) == [kept.pk]  # read, nothing written
    assert not Visitor.objects.exists()
    services.add_session_anonymously(store=store, session=added)

    assert selectors.anonymous_session_ids(store) == [kept.pk, added.pk]
    assert isinstance(store[services.ANONYMOUS_KEY], str)


def test_a_token_that_names_no_visitor_is_an_empty_schedule(db):
    store = _store()
    store[services.ANONYMOUS_KEY] = "forged-or-expired"

    assert selectors.anonymous_session_ids(store) == []
    assert services.remove_session_anonymously(store=store, session_id=1) is False


def test_unused_anonymous_schedules_expire_and_used_ones_stay(db):
    old_store, fresh_store = _store(), _store()
    services.add_session_anonymously(store=old_store, session=SessionFactory())
    services.add_session_anonymously(store=fresh_store, session=SessionFactory())
    Visitor.objects.filter(token=old_store[services.ANONYMOUS_KEY]).update(
        last_used_at=timezone.now() - dt.timedelta(days=91)
    )
    out = io.StringIO()

    call_command("expire_anonymous_schedules", stdout=out)

    assert "Deleted 1 anonymous schedule unused for 90 days." in out.getvalue()
    assert selectors.anonymous_session_ids(old_store) == []
    assert len(selectors.anonymous_session_ids(fresh_store)) == 1


def test_merge_keeps_everything_public_once_and_empties_the_browser_schedule(db):
    user = UserFactory()
    saved_before, new = SessionFactory(), SessionFactory()
    cancelled_since = SessionFactory()
    unpublished_since = SessionFactory()
    SavedSessionFactory(user=user, session=saved_before)
    store = _store()
    for session in (saved_before, new, cancelled_since, unpublished_since):
        services.add_session_anonymously(store=store, session=session)
    Session.objects.filter(pk=cancelled_since.pk).update(status=Session.Status.CANCELLED)
    Session.objects.filter(pk=unpublished_since.pk).update(status=Session.Status.DRAFT)

    added = services.merge_anonymous_schedule(user=user, store=store)

    assert added == 2
    saved = SavedSession.objects.filter(user=user).values_list("session_id", flat=True)
    assert sorted(saved) == sorted([saved_before.pk, new.pk, cancelled_since.pk])
    assert services.ANONYMOUS_KEY not in store


def test_add_sessions_for_visitor_uses_the_account_or_the_browser_session(db, rf):
    session = SessionFactory()
    request = rf.post("/")
    request.session = _store()
    request.user = UserFactory()

    assert services.add_sessions_for_visitor(request=request, sessions=[session]) == 1
    assert SavedSession.objects.filter(user=request.user, session=session).exists()

    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    assert services.add_sessions_for_visitor(request=request, sessions=[session]) == 1
    assert selectors.anonymous_session_ids(request.session) == [session.pk]


def test_regenerating_the_calendar_token_replaces_it(db):
    user = UserFactory()

    first = services.regenerate_calendar_token(user=user)
    second = services.regenerate_calendar_token(user=user)

    assert first != second
    assert len(second) >= 43
    user.refresh_from_db()
    assert user.calendar_token == second


def test_sharing_again_after_turning_it_off_gives_a_new_link(db):
    user = UserFactory()

    services.set_sharing(user=user, enabled=True)
    first = user.share_token
    services.set_sharing(user=user, enabled=False)
    services.set_sharing(user=user, enabled=True)

    user.refresh_from_db()
    assert user.share_enabled is True
    assert user.share_token != first


def test_set_time_zone_validates_the_name(db):
    user = UserFactory()

    services.set_time_zone(user=user, time_zone="Asia/Tokyo")
    with pytest.raises(ValidationError):
        services.set_time_zone(user=user, time_zone="Mars/Olympus")

    user.refresh_from_db()
    assert user.time_zone == "Asia/Tokyo"


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite serialises writers; the race needs PostgreSQL"
)
def test_nine_quick_taps_by_one_anonymous_visitor_all_land():
    store = _store()
    first, *others = [SessionFactory() for _ in range(10)]
    services.add_session_anonymously(store=store, session=first)
    store.save()
    start = threading.Barrier(len(others))
    errors = []

    def tap(session):
        # Each request reads the same browser session, as the real ones do.
        own = SessionStore(session_key=store.session_key)
        try:
            start.wait()
            services.add_session_anonymously(store=own, session=session)
            own.save()
        except Exception as error:  # any error fails the test below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=tap, args=[session]) for session in others]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    again = SessionStore(session_key=store.session_key)
    assert sorted(selectors.anonymous_session_ids(again)) == sorted(s.pk for s in [first, *others])


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite serialises writers; the race needs PostgreSQL"
)
def test_two_concurrent_adds_of_one_session_leave_one_row_and_no_error():
    user, session = UserFactory(), SessionFactory()
    start = threading.Barrier(2)
    results, errors = [], []

    def add():
        try:
            start.wait()
            results.append(services.add_session(user=user, session=session))
        except Exception as error:  # any error fails the test below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=add) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(results) == [False, True]
    assert SavedSession.objects.filter(user=user, session=session).count() == 1


def test_the_worker_clears_unused_schedules_daily_while_any_remain(run_tasks):
    from django_tasks_db.models import DBTaskResult

    from sessions.tasks import expire_anonymous_schedules

    stale, fresh = _store(), _store()
    services.add_session_anonymously(store=stale, session=SessionFactory())
    services.add_session_anonymously(store=fresh, session=SessionFactory())
    queued = DBTaskResult.objects.filter(task_path=expire_anonymous_schedules.module_path)
    assert queued.count() == 1  # one daily clean-up, however many visitors
    assert queued.get().run_after > timezone.now() + dt.timedelta(hours=23)

    Visitor.objects.filter(token=stale[services.ANONYMOUS_KEY]).update(
        last_used_at=timezone.now() - dt.timedelta(days=91)
    )
    queued.update(run_after=timezone.now())  # tomorrow has come
    run_tasks()

    assert list(Visitor.objects.values_list("token", flat=True)) == [fresh[services.ANONYMOUS_KEY]]
    # The visitor left keeps the next day's clean-up queued.
    next_one = queued.filter(status="READY").get()
    assert next_one.run_after > timezone.now() + dt.timedelta(hours=23)
