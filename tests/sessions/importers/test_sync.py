"""An event's official feed kept in sync by the worker, against a local https feed server."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from sessions.importers import sync
from sessions.importers.services import read_and_apply
from sessions.models import Event, FeedSync, Session
from sessions.tasks import mail_feed_sync, sync_official_feeds
from tests.conftest import LocalHandler
from tests.factories import EventFactory, ThemeFactory

pytestmark = pytest.mark.integration

SESSION_A = {"id": 1, "title": "Scheduling at Scale", "room": "Room A", "start": "09:30"}
SESSION_B = {"id": 2, "title": "Storage for Stateful Sets", "room": "Room A", "start": "11:00"}
SESSION_C = {"id": 3, "title": "Operators in Anger", "room": "Room B", "start": "14:00"}


GUID = "00000000-0000-4000-8000-00000000000"


def frab_feed(*sessions: dict) -> bytes:
    """A frab JSON schedule of one day (6 May 2031, US Eastern) with these sessions."""
    rooms: dict[str, list] = {}
    for session in sessions:
        rooms.setdefault(session["room"], []).append(
            {
                "guid": f"{GUID}{session['id']}",
                "id": session["id"],
                "date": f"2031-05-06T{session['start']}:00-04:00",
                "start": session["start"],
                "duration": "00:30",
                "room": session["room"],
                "title": session["title"],
                "type": "Talk",
                "track": None,
                "abstract": None,
                "persons": [{"id": session["id"], "public_name": f"Speaker {session['id']}"}],
            }
        )
    schedule = {
        "schedule": {
            "version": "1.0",
            "conference": {
                "acronym": "tiny-2031",
                "title": "Tiny Conf",
                "start": "2031-05-06",
                "end": "2031-05-06",
                "daysCount": 1,
                "time_zone_name": "US/Eastern",
                "days": [{"index": 1, "date": "2031-05-06", "rooms": rooms}],
            },
        }
    }
    return json.dumps(schedule).encode()


FIRST = frab_feed(SESSION_A, SESSION_B, SESSION_C)
# A moves to the afternoon, B changes room, C is no longer listed.
SECOND = frab_feed({**SESSION_A, "start": "16:00"}, {**SESSION_B, "room": "Room B"})


class Feed:
    """What the local feed server answers, and the headers of every request it got."""

    def __init__(self) -> None:
        self.body = FIRST
        self.status = 200
        self.delay = 0.0
        self.requests: list[dict[str, str]] = []

    @property
    def etag(self) -> str:
        return etag_of(self.body)


def etag_of(body: bytes) -> str:
    return f'"{hashlib.sha256(body).hexdigest()[:16]}"'


@pytest.fixture
def feed(https_server, trust_local_servers):
    state = Feed()

    class Handler(LocalHandler):
        def do_GET(self):
            state.requests.append(dict(self.headers.items()))
            if state.delay:
                self.server.stopping.wait(state.delay)
            if state.status != 200:
                self.send_response(state.status)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if self.headers.get("If-None-Match") == state.etag:
                self.send_response(304)
                self.send_header("ETag", state.etag)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("ETag", state.etag)
            self.send_header("Content-Length", str(len(state.body)))
            self.end_headers()
            self.wfile.write(state.body)

    state.url = f"{https_server(Handler).url}/schedule.json"
    return state


def due_event(feed: Feed, **fields) -> Event:
    return EventFactory(
        slug="tiny-2031",
        start_date=dt.date(2031, 5, 6),
        end_date=dt.date(2031, 5, 6),
        time_zone="America/New_York",
        feed_url=feed.url,
        next_sync_at=timezone.now() - dt.timedelta(minutes=1),
        **fields,
    )


def make_due(event: Event) -> None:
    Event.objects.filter(pk=event.pk).update(next_sync_at=timezone.now() - dt.timedelta(seconds=1))


def test_sync_follows_the_feed_and_keeps_what_editors_set(feed, run_tasks):
    event = due_event(feed)
    sync_official_feeds.enqueue()
    run_tasks()
    a = Session.objects.get(event=event, title=SESSION_A["title"])
    a.editors_note = "Go early: the room fills up."
    a.is_editors_pick = True
    a.save()
    b = Session.objects.get(event=event, title=SESSION_B["title"])
    b.themes.add(ThemeFactory(name="Storage & CSI", slug="storage-csi"))
    feed.body = SECOND
    make_due(event)

    sync_official_feeds.enqueue()
    run_tasks()

    a.refresh_from_db()
    b.refresh_from_db()
    c = Session.objects.get(event=event, title=SESSION_C["title"])
    assert (a.starts_at.astimezone(event.tz).time(), a.room.name) == (dt.time(16, 0), "Room A")
    assert (a.editors_note, a.is_editors_pick) == ("Go early: the room fills up.", True)
    assert b.room.name == "Room B"
    assert [theme.slug for theme in b.themes.all()] == ["storage-csi"]
    assert c.status == Session.Status.CANCELLED
    assert feed.requests[1]["If-None-Match"] == etag_of(FIRST)
    latest = FeedSync.objects.filter(event=event).first()
    assert (latest.outcome, latest.http_status) == (FeedSync.Outcome.CHANGED, 200)
    assert (latest.created, latest.moved, latest.re_roomed, latest.cancelled) == (0, 1, 1, 1)
    changed = {entry["title"]: entry["changes"] for entry in latest.changes["sessions"]["updated"]}
    assert [change["field"] for change in changed["Scheduling at Scale"]] == ["time"]
    assert [change["text"] for change in changed["Storage for Stateful Sets"]] == [
        "room: Room A → Room B"
    ]


def test_a_feed_that_would_cancel_most_of_the_event_is_held_for_an_editor(feed, run_tasks):
    many = [
        {
            "id": 100 + n,
            "start": f"{9 + n // 2:02d}:{30 * (n % 2):02d}",
            "room": "Room A",
            "title": f"Talk {n}",
        }
        for n in range(12)
    ]
    feed.body = frab_feed(*many)
    event = due_event(feed)
    sync.sync_due_events()
    # The next version of the file lists one talk: an export cut short, say.
    feed.body = frab_feed(many[0])
    make_due(event)

    held = sync.sync_event(Event.objects.get(pk=event.pk))

    assert held.outcome == FeedSync.Outcome.FAILED
    assert "would cancel 11 of the event's 12 sessions" in held.error
    assert not Session.objects.filter(event=event, status=Session.Status.CANCELLED).exists()


def test_saving_a_session_in_the_admin_is_no_change_for_the_next_sync(feed, db):
    schedule = json.loads(FIRST)
    day = schedule["schedule"]["conference"]["days"][0]
    day["rooms"]["Room A"][0]["abstract"] = "Two lines:\nthe second one."
    feed.body = json.dumps(schedule).encode()
    event = due_event(feed)
    sync.sync_due_events()
    session = Session.objects.get(event=event, title=SESSION_A["title"])
    # What the admin's form sends back: the textarea's line breaks as CR LF.
    session.abstract = "Two lines:\r\nthe second one."
    session.full_clean()
    session.save()

    again = read_and_apply(data=feed.body, event_slug=event.slug, dry_run=True)

    assert again.updated == []


def test_an_unchanged_feed_answers_304_and_nothing_is_imported(feed, run_tasks):
    event = due_event(feed)
    sync_official_feeds.enqueue()
    run_tasks()
    before = list(Session.objects.order_by("pk").values_list("pk", "updated_at", "sequence"))
    version = Event.objects.get(pk=event.pk).content_version
    make_due(event)

    sync_official_feeds.enqueue()
    run_tasks()

    assert feed.requests[-1]["If-None-Match"] == feed.etag
    assert list(Session.objects.order_by("pk").values_list("pk", "updated_at", "sequence")) == (
        before
    )
    assert Event.objects.get(pk=event.pk).content_version == version
    outcomes = list(FeedSync.objects.filter(event=event).values_list("outcome", "http_status"))
    assert outcomes == [(FeedSync.Outcome.NOT_MODIFIED, 304), (FeedSync.Outcome.CHANGED, 200)]


def test_editors_get_one_email_per_changing_sync_and_none_for_a_304(feed, run_tasks, settings):
    settings.EDITORS_EMAIL = ["editors@guide.example"]
    event = due_event(feed, name="Tiny Conf 2031")
    sync_official_feeds.enqueue()
    run_tasks()
    feed.body = SECOND
    make_due(event)
    sync_official_feeds.enqueue()
    run_tasks()
    make_due(event)
    sync_official_feeds.enqueue()
    run_tasks()
    run_tasks()  # nothing left to send twice

    assert [message.subject for message in mail.outbox] == [
        "Tiny Conf 2031: the official schedule changed (3 new)",
        "Tiny Conf 2031: the official schedule changed (1 moved, 1 re-roomed, 1 cancelled)",
    ]
    assert mail.outbox[1].to == ["editors@guide.example"]
    body = mail.outbox[1].body
    assert (
        "Sessions changed (2):\n"
        f"  - Storage for Stateful Sets (Tue 6 May 11:00\u201311:30, Room B; id {GUID}2)\n"
        "      room: Room A → Room B\n"
        f"  - Scheduling at Scale (Tue 6 May 16:00\u201316:30, Room A; id {GUID}1)\n"
        "      time: Tue 6 May 09:30\u201310:00 → Tue 6 May 16:00\u201316:30\n"
        "\n"
        "Sessions cancelled (1):\n"
        f"  - Operators in Anger (Tue 6 May 14:00\u201314:30, Room B; id {GUID}3)\n"
    ) in body
    synced = FeedSync.objects.filter(event=event).first().finished_at.astimezone(event.tz)
    assert f"Synced:  {synced:%a %-d %b %Y, %H:%M} (America/New_York)" in body
    assert FeedSync.objects.filter(mailed_at__isnull=False).count() == 2


@pytest.mark.django_db
def test_a_failed_sync_is_recorded_and_backs_off(feed):
    event = due_event(feed, sync_every=Event.SyncEvery.MINUTES_15)
    feed.status = 503

    assert sync.sync_due_events() == 1

    failed = FeedSync.objects.get(event=event)
    assert (failed.outcome, failed.http_status) == (FeedSync.Outcome.FAILED, 503)
    assert failed.error == "The feed answered 503 Service Unavailable."
    event.refresh_from_db()
    assert event.sync_failures == 1
    wait = event.next_sync_at - failed.finished_at
    assert wait == dt.timedelta(minutes=30)
    assert not Session.objects.exists()


@pytest.mark.django_db
def test_a_feed_that_cannot_be_read_is_recorded_and_read_again_next_time(feed):
    event = due_event(feed)
    feed.body = b"<html>Maintenance</html>"

    sync.sync_due_events()
    make_due(event)
    sync.sync_due_events()

    failures = list(FeedSync.objects.filter(event=event).values_list("outcome", "error"))
    malformed = "line 1, column 1: the JSON is malformed (Expecting value)"
    assert failures == [(FeedSync.Outcome.FAILED, malformed)] * 2
    assert "If-None-Match" not in feed.requests[1]
    assert Event.objects.get(pk=event.pk).sync_failures == 2


@pytest.mark.django_db
def test_a_paused_feed_is_not_synced(feed):
    due_event(feed, sync_paused=True)

    assert sync.sync_due_events() == 0

    assert feed.requests == []
    assert not FeedSync.objects.exists()


@pytest.mark.django_db
def test_two_workers_that_saw_the_same_due_event_claim_it_once(feed):
    event = due_event(feed)
    now = timezone.now()
    seen_by_both = [list(sync.due(now=now).values_list("pk", "next_sync_at")) for _ in range(2)]

    claims = [sync.claim(*seen[0], now=now) for seen in seen_by_both]

    assert [claimed is not None for claimed in claims] == [True, False]
    event.refresh_from_db()
    assert event.next_sync_at == now + dt.timedelta(minutes=event.sync_every)


def test_two_queued_sync_tasks_fetch_a_due_feed_once(feed, run_tasks):
    event = due_event(feed)
    sync_official_feeds.enqueue()
    sync_official_feeds.enqueue()

    run_tasks()

    assert len(feed.requests) == 1
    assert FeedSync.objects.filter(event=event).count() == 1


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite serialises writers (a busy run times one out); the race needs PostgreSQL",
)
def test_two_workers_at_once_sync_a_due_feed_once(feed, transactional_db):
    event = due_event(feed)
    feed.delay = 0.3  # both workers are busy at the same time
    errors = []

    def worker():
        try:
            sync.sync_due_events()
        except Exception as error:  # a failure in a thread must fail the test
            errors.append(error)
        finally:
            connection.close()  # each thread has its own; the test database is dropped after

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(feed.requests) == 1
    assert FeedSync.objects.filter(event=event).count() == 1


@pytest.mark.django_db
def test_the_history_keeps_the_last_syncs_of_each_event(feed):
    event = due_event(feed)
    long_ago = timezone.now() - dt.timedelta(days=30)
    FeedSync.objects.bulk_create(
        FeedSync(
            event=event,
            started_at=long_ago + dt.timedelta(minutes=n),
            finished_at=long_ago + dt.timedelta(minutes=n),
            feed_url=feed.url,
            outcome=FeedSync.Outcome.NOT_MODIFIED,
        )
        for n in range(sync.KEEP_SYNCS)
    )

    sync.sync_due_events()

    kept = FeedSync.objects.filter(event=event)
    assert kept.count() == sync.KEEP_SYNCS
    assert kept.first().outcome == FeedSync.Outcome.CHANGED
    assert not kept.filter(started_at=long_ago).exists()
    assert kept.filter(started_at=long_ago + dt.timedelta(minutes=1)).exists()


@pytest.mark.django_db
def test_an_unreachable_feed_is_recorded_as_failed(feed, silent_server, settings):
    settings.FETCH_TIMEOUT = 0.5
    event = due_event(feed)
    Event.objects.filter(pk=event.pk).update(
        feed_url=f"https://127.0.0.1:{silent_server.port}/schedule.json"
    )

    sync.sync_due_events()

    failed = FeedSync.objects.get(event=event)
    assert (failed.outcome, failed.http_status) == (FeedSync.Outcome.FAILED, None)
    assert failed.error == "The feed could not be fetched."


@pytest.mark.django_db
def test_an_oversized_feed_is_recorded_as_failed(feed, monkeypatch):
    monkeypatch.setattr(sync, "MAX_IMPORT_BYTES", 1024 * 1024)
    feed.body = b" " * (1024 * 1024 + 1)
    event = due_event(feed)

    sync.sync_due_events()

    failed = FeedSync.objects.get(event=event)
    assert failed.outcome == FeedSync.Outcome.FAILED
    assert failed.error == (
        "The file (1.0 MB) is larger than the import accepts: schedules are refused above 1 MB."
    )
    assert not Session.objects.exists()


@pytest.mark.django_db
def test_the_command_syncs_what_is_due_and_queues_the_worker_again(feed):
    event = due_event(feed)
    out = StringIO()

    call_command("sync_feeds", stdout=out)

    assert FeedSync.objects.get(event=event).outcome == FeedSync.Outcome.CHANGED
    next_at = Event.objects.get(pk=event.pk).next_sync_at.astimezone(dt.UTC)
    assert out.getvalue() == (
        f"Synced 1 due feed.\nThe worker syncs the next one at {next_at:%Y-%m-%d %H:%M} UTC.\n"
    )
    queued = DBTaskResult.objects.filter(
        task_path=sync_official_feeds.module_path, status=TaskResultStatus.READY
    )
    assert list(queued.values_list("run_after", flat=True)) == [
        Event.objects.get(pk=event.pk).next_sync_at
    ]


def test_the_editors_email_is_tried_again_when_the_mail_server_fails(feed, run_tasks, mail_outage):
    event = due_event(feed)
    sync_official_feeds.enqueue()

    run_tasks()

    changed = FeedSync.objects.get(event=event)
    assert changed.mailed_at is None
    retry = DBTaskResult.objects.get(
        task_path=mail_feed_sync.module_path, status=TaskResultStatus.READY
    )
    assert retry.args_kwargs["args"] == [changed.pk, 2]
    wait = retry.run_after - changed.finished_at
    assert dt.timedelta(minutes=4) < wait < dt.timedelta(minutes=6)
