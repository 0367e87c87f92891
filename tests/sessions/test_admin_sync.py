"""Editors' side of the feed sync in the admin: settings, actions and the read-only history."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.tasks import TaskResultStatus
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from sessions.models import Event, FeedSync
from sessions.tasks import sync_official_feeds
from tests.factories import EventFactory, FeedSyncFactory
from tests.sessions.admin_forms import event_data

pytestmark = pytest.mark.django_db

FEED = "https://schedule.example.org/tiny/schedule.json"
HISTORY = reverse("admin:conference_feedsync_changelist")
EVENTS = reverse("admin:conference_event_changelist")


def record(event: Event, minutes_ago: int, outcome=FeedSync.Outcome.CHANGED, **fields) -> FeedSync:
    return FeedSyncFactory(
        event=event,
        started_at=timezone.now() - dt.timedelta(minutes=minutes_ago),
        outcome=outcome,
        http_status=304 if outcome == FeedSync.Outcome.NOT_MODIFIED else 200,
        **fields,
    )


def queued_syncs() -> list:
    return list(
        DBTaskResult.objects.filter(
            task_path=sync_official_feeds.module_path, status=TaskResultStatus.READY
        ).values_list("run_after", flat=True)
    )


def test_history_page_lists_syncs_with_constant_queries(
    editor_client, django_assert_max_num_queries
):
    for n in range(3):
        event = EventFactory(feed_url=FEED)
        for minutes in range(15):
            record(event, minutes * 15 + n, moved=minutes % 3)
    record(event, 1, FeedSync.Outcome.FAILED, error="The feed answered 503 Service Unavailable.")

    with django_assert_max_num_queries(12):
        response = editor_client.get(HISTORY)

    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('class="field-outcome"') == 46
    assert "The feed answered 503 Service Unavailable." in page


def test_history_page_filters_by_event_and_outcome(editor_client):
    tiny, other = EventFactory(name="Tiny Conf", feed_url=FEED), EventFactory(name="Other Conf")
    record(tiny, 30)
    record(tiny, 15, FeedSync.Outcome.NOT_MODIFIED)
    record(other, 10)

    response = editor_client.get(HISTORY, {"event__id__exact": tiny.pk, "outcome": "changed"})

    assert [sync.event.name for sync in response.context["cl"].result_list] == ["Tiny Conf"]
    assert len(response.context["cl"].result_list) == 1


def test_history_is_read_only_for_editors(editor_client):
    sync = record(EventFactory(feed_url=FEED), 5, summary="Imported into “Tiny Conf”: 1 created")
    sync.changes = {
        "sessions": {
            "created": [
                {
                    "title": "Scheduling at Scale",
                    "place": "Tue 6 May 16:00\u201316:30, Room A",
                    "changes": [],
                }
            ]
        }
    }
    sync.save()
    url = reverse("admin:conference_feedsync_change", args=[sync.pk])

    page = editor_client.get(url).content.decode()
    refused = editor_client.post(url, {"outcome": "failed"})

    assert "Scheduling at Scale (Tue 6 May 16:00\u201316:30, Room A)" in page
    assert 'name="_save"' not in page
    assert refused.status_code == 403
    assert FeedSync.objects.get().outcome == FeedSync.Outcome.CHANGED
    assert editor_client.get(reverse("admin:conference_feedsync_add")).status_code == 403


def test_event_page_links_to_its_history_and_says_what_the_last_sync_did(editor_client):
    event = EventFactory(feed_url=FEED, next_sync_at=timezone.now() + dt.timedelta(minutes=20))
    record(event, 40, FeedSync.Outcome.FAILED, error="The feed could not be fetched.")
    record(event, 5, FeedSync.Outcome.NOT_MODIFIED)

    page = editor_client.get(reverse("admin:conference_event_change", args=[event.pk]))

    text = page.content.decode()
    assert f"{HISTORY}?event__id__exact={event.pk}" in text
    assert "not modified (304)" in text
    assert "could not be fetched" not in text


def test_saving_a_feed_address_queues_its_first_sync(editor_client):
    event = EventFactory(name="Tiny Conf", slug="tiny-conf")
    url = reverse("admin:conference_event_change", args=[event.pk])

    response = editor_client.post(
        url, event_data(name="Tiny Conf", slug="tiny-conf", feed_url=FEED, sync_every="15")
    )

    assert response.status_code == 302
    event.refresh_from_db()
    assert (event.feed_url, event.sync_every) == (FEED, 15)
    assert event.next_sync_at <= timezone.now()
    assert len(queued_syncs()) == 1


def test_a_feed_address_that_would_never_be_fetched_is_refused_in_the_form(editor_client):
    event = EventFactory(name="Tiny Conf", slug="tiny-conf")
    url = reverse("admin:conference_event_change", args=[event.pk])

    response = editor_client.post(
        url, event_data(name="Tiny Conf", slug="tiny-conf", feed_url="http://schedule.example.org/")
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["feed_url"]
    assert errors == [
        "Only https:// feed addresses are accepted (got “http://schedule.example.org/”)."
    ]
    event.refresh_from_db()
    assert event.feed_url == ""
    assert queued_syncs() == []


def test_editors_pause_and_resume_syncing_from_the_event_list(editor_client):
    later = timezone.now() + dt.timedelta(hours=5)
    synced = EventFactory(feed_url=FEED, next_sync_at=later)
    without_feed = EventFactory()
    chosen = [synced.pk, without_feed.pk]

    paused = editor_client.post(
        EVENTS, {"action": "pause_sync", ACTION_CHECKBOX_NAME: chosen}, follow=True
    )
    synced.refresh_from_db()
    assert synced.sync_paused is True
    assert "1 feed paused." in paused.content.decode()

    editor_client.post(EVENTS, {"action": "resume_sync", ACTION_CHECKBOX_NAME: chosen})

    synced.refresh_from_db()
    assert synced.sync_paused is False
    assert synced.next_sync_at <= timezone.now()
    assert len(queued_syncs()) == 1


def test_sync_now_makes_the_feed_due_and_queues_the_worker(editor_client):
    event = EventFactory(feed_url=FEED, next_sync_at=timezone.now() + dt.timedelta(hours=5))

    response = editor_client.post(
        EVENTS, {"action": "sync_now", ACTION_CHECKBOX_NAME: [event.pk]}, follow=True
    )

    event.refresh_from_db()
    assert event.next_sync_at <= timezone.now()
    assert queued_syncs() != []
    assert "1 feed will be synced by the worker in a moment." in response.content.decode()


def test_a_shorter_interval_brings_the_next_sync_forward(editor_client):
    event = EventFactory(
        name="Tiny Conf",
        slug="tiny-conf",
        feed_url=FEED,
        sync_every=Event.SyncEvery.DAY,
        next_sync_at=timezone.now() + dt.timedelta(hours=20),
    )
    url = reverse("admin:conference_event_change", args=[event.pk])

    editor_client.post(
        url, event_data(name="Tiny Conf", slug="tiny-conf", feed_url=FEED, sync_every="15")
    )

    event.refresh_from_db()
    assert event.next_sync_at <= timezone.now() + dt.timedelta(minutes=15)
    assert queued_syncs() == [event.next_sync_at]
