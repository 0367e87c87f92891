"""Change emails: attendees who opted in are told, at most hourly, when their sessions change."""

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core import mail, signing
from django.db import connection
from django.tasks import TaskResultStatus
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from sessions import services
from sessions.importers import parse_schedule
from sessions.importers.apply import apply_schedule
from sessions.models import ChangeNotice, SavedSession, ScheduleAlerts, Session
from sessions.myschedule import alerts
from sessions.tasks import send_schedule_change_emails
from tests.factories import EventFactory, RoomFactory, SessionFactory, UserFactory
from tests.sessions.admin_forms import session_data

pytestmark = pytest.mark.integration

NEW_YORK = ZoneInfo("America/New_York")


def _edit(session: Session, **fields) -> None:
    """What an editor's save in the admin does (SessionAdmin.save_model)."""
    before = services.schedule_slot(session_id=session.pk)
    for name, value in fields.items():
        setattr(session, name, value)
    session.save()
    services.note_schedule_change(session=session, changed_fields=fields, before=before)


def _cancel(session: Session) -> None:
    services.set_sessions_status(
        sessions=Session.objects.filter(pk=session.pk), status=Session.Status.CANCELLED
    )


def _attendee(*sessions: Session, emails: bool = True, time_zone: str = "Europe/Berlin"):
    user = UserFactory(time_zone=time_zone)
    for session in sessions:
        SavedSession.objects.create(
            user=user, session=session, seen_at=timezone.now() - dt.timedelta(minutes=1)
        )
    if emails:
        alerts.set_change_emails(user=user, enabled=True)
    return user


def _send(run_tasks) -> None:
    send_schedule_change_emails.enqueue()
    run_tasks()


def _an_hour_passes(user) -> None:
    ScheduleAlerts.objects.filter(user=user).update(
        last_sent_at=timezone.now() - alerts.BATCH_EVERY - dt.timedelta(minutes=1)
    )


def _three_sessions():
    event = EventFactory(name="CloudConf <2030>")
    hall_a = RoomFactory(event=event, name="Hall A")
    at_ten = dt.datetime(2030, 11, 17, 10, 0, tzinfo=NEW_YORK)
    moving = SessionFactory(event=event, title="Moving <b>talk</b>", starts_at=at_ten, room=hall_a)
    re_roomed = SessionFactory(
        event=event, title="Re-roomed talk", starts_at=at_ten + dt.timedelta(hours=2), room=hall_a
    )
    cancelled = SessionFactory(
        event=event, title="Cancelled talk", starts_at=at_ten + dt.timedelta(hours=4)
    )
    return event, moving, re_roomed, cancelled


def test_one_email_lists_a_move_a_new_room_and_a_cancellation_in_both_zones(run_tasks):
    event, moving, re_roomed, cancelled = _three_sessions()
    user = _attendee(moving, re_roomed, cancelled)
    wednesday = dt.datetime(2030, 11, 18, 11, 0, tzinfo=NEW_YORK)

    _edit(moving, starts_at=wednesday, ends_at=wednesday + dt.timedelta(minutes=35))
    _edit(re_roomed, room=RoomFactory(event=event, name="Room 12"))
    _cancel(cancelled)
    _send(run_tasks)

    [email] = mail.outbox
    assert email.to == [user.email]
    assert email.subject == "3 sessions in your schedule changed"
    text = email.body
    assert "Moving <b>talk</b>" in text
    assert (
        "Moved from Sun 17 Nov 10:00\u201310:35 to Mon 18 Nov 11:00\u201311:35 (America/New_York)"
        in text
    )
    assert (
        "In your time zone: Moved from Sun 17 Nov 16:00\u201316:35 "
        "to Mon 18 Nov 17:00\u201317:35 (Europe/Berlin)"
    ) in text
    assert "Room: Hall A \u2192 Room 12" in text
    assert "- Cancelled\n" in text
    # Links to each session and to My schedule, on the site's address.
    for session in (moving, re_roomed, cancelled):
        assert f"{settings.SITE_URL}/events/{event.slug}/sessions/{session.slug}/" in text
    assert f"{settings.SITE_URL}{reverse('myschedule:index')}" in text
    # The HTML part says the same, escaped.
    [(html, kind)] = email.alternatives
    assert kind == "text/html"
    assert "Moving &lt;b&gt;talk&lt;/b&gt;" in html and "<b>talk</b>" not in html
    assert "CloudConf &lt;2030&gt;" in html
    assert "Room: Hall A \u2192 Room 12" in html
    assert "(Europe/Berlin)" in html
    # Told once: a second run has nothing to send.
    _an_hour_passes(user)
    _send(run_tasks)
    assert len(mail.outbox) == 1
    assert set(ChangeNotice.objects.filter(user=user).values_list("sent_at", flat=True)) != {None}


def test_a_change_within_the_hour_waits_for_the_next_batch(run_tasks):
    event, moving, re_roomed, _ = _three_sessions()
    user = _attendee(moving, re_roomed)
    _edit(moving, room=RoomFactory(event=event, name="Room 3"))
    _send(run_tasks)

    _edit(re_roomed, room=RoomFactory(event=event, name="Room 4"))
    _send(run_tasks)
    assert len(mail.outbox) == 1

    _an_hour_passes(user)
    _send(run_tasks)
    assert len(mail.outbox) == 2
    assert "Room: Hall A \u2192 Room 4" in mail.outbox[1].body
    assert "Room 3" not in mail.outbox[1].body
    assert mail.outbox[1].subject == "A session in your schedule changed: Re-roomed talk"


def test_a_session_moved_and_moved_back_before_the_email_is_not_mentioned(run_tasks):
    event, moving, re_roomed, _ = _three_sessions()
    _attendee(moving, re_roomed)
    hall_a, room_9 = moving.room, RoomFactory(event=event, name="Room 9")

    _edit(moving, room=room_9)
    _edit(moving, room=hall_a)
    _edit(re_roomed, room=room_9)
    _send(run_tasks)

    [email] = mail.outbox
    assert "Moving <b>talk</b>" not in email.body
    assert "Room: Hall A \u2192 Room 9" in email.body


def test_no_email_without_opting_in(run_tasks):
    event, moving, _, cancelled = _three_sessions()
    _attendee(moving, cancelled, emails=False)

    _edit(moving, room=RoomFactory(event=event, name="Room 5"))
    _cancel(cancelled)
    _send(run_tasks)

    assert mail.outbox == []
    assert not ChangeNotice.objects.exists()


def test_no_email_about_a_session_not_in_their_schedule(run_tasks):
    event, moving, re_roomed, cancelled = _three_sessions()
    _attendee(re_roomed)

    _edit(moving, room=RoomFactory(event=event, name="Room 5"))
    _cancel(cancelled)
    _send(run_tasks)

    assert mail.outbox == []


def test_no_email_about_a_change_already_seen_on_my_schedule(run_tasks):
    event, moving, _, _ = _three_sessions()
    user = _attendee(moving)
    _edit(moving, room=RoomFactory(event=event, name="Room 5"))

    SavedSession.objects.filter(user=user).update(seen_at=timezone.now())
    _send(run_tasks)

    assert mail.outbox == []


def test_a_plan_b_session_counts_and_other_attendees_get_their_own_email(run_tasks):
    event, moving, _, _ = _three_sessions()
    first, second = _attendee(moving), _attendee(moving, time_zone="")
    SavedSession.objects.filter(user=first).update(plan=SavedSession.Plan.B)

    _edit(moving, room=RoomFactory(event=event, name="Room 5"))
    _send(run_tasks)

    assert sorted(email.to[0] for email in mail.outbox) == sorted([first.email, second.email])
    [no_zone] = [email for email in mail.outbox if email.to == [second.email]]
    assert "In your time zone" not in no_zone.body


def test_each_email_carries_one_click_unsubscribe_headers(run_tasks):
    event, moving, _, _ = _three_sessions()
    user = _attendee(moving)
    _edit(moving, room=RoomFactory(event=event, name="Room 5"))
    _send(run_tasks)

    [email] = mail.outbox
    token = alerts.unsubscribe_token(user)
    one_click = reverse("myschedule:unsubscribe_one_click", args=[token])
    assert email.extra_headers["List-Unsubscribe"] == f"<{settings.SITE_URL}{one_click}>"
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    stop_page = f"{settings.SITE_URL}{reverse('myschedule:unsubscribe', args=[token])}"
    assert stop_page in email.body


def test_the_stop_link_asks_then_stops_the_emails_by_post(run_tasks, client):
    event, moving, _, _ = _three_sessions()
    user = _attendee(moving)
    url = reverse("myschedule:unsubscribe", args=[alerts.unsubscribe_token(user)])

    page = client.get(url)
    assert page.status_code == 200
    assert "Stop the change emails?" in page.text
    assert 'name="csrfmiddlewaretoken"' in page.text
    assert alerts.change_emails_enabled(user=user)

    done = client.post(url)
    assert "Change emails are off" in done.text
    assert not alerts.change_emails_enabled(user=user)
    _edit(moving, room=RoomFactory(event=event, name="Room 5"))
    _send(run_tasks)
    assert mail.outbox == []


def test_the_stop_page_post_needs_its_csrf_token(db):
    user = _attendee(SessionFactory())
    client = Client(enforce_csrf_checks=True)

    response = client.post(reverse("myschedule:unsubscribe", args=[alerts.unsubscribe_token(user)]))

    assert response.status_code == 403
    assert alerts.change_emails_enabled(user=user)


def test_one_click_post_from_a_mail_client_stops_the_emails_and_nothing_else(run_tasks):
    event, moving, _, _ = _three_sessions()
    user = _attendee(moving)
    user.share_enabled = True
    user.save(update_fields=["share_enabled"])
    mail_client = Client(enforce_csrf_checks=True)  # a mail client has no CSRF cookie
    url = reverse("myschedule:unsubscribe_one_click", args=[alerts.unsubscribe_token(user)])

    response = mail_client.post(url, {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200
    assert not alerts.change_emails_enabled(user=user)
    user.refresh_from_db()
    assert user.share_enabled
    assert SavedSession.objects.filter(user=user).count() == 1
    _edit(moving, room=RoomFactory(event=event, name="Room 5"))
    _send(run_tasks)
    assert mail.outbox == []


def test_one_click_needs_the_rfc_8058_body_and_a_post(db, client):
    user = _attendee(SessionFactory())
    url = reverse("myschedule:unsubscribe_one_click", args=[alerts.unsubscribe_token(user)])

    assert client.get(url).status_code == 405
    assert client.post(url, {"something": "else"}).status_code == 400
    assert alerts.change_emails_enabled(user=user)


@pytest.mark.parametrize("name", ["myschedule:unsubscribe", "myschedule:unsubscribe_one_click"])
def test_a_tampered_stop_link_is_refused(db, client, name):
    user, other = _attendee(SessionFactory()), _attendee(SessionFactory())
    token = alerts.unsubscribe_token(user)
    forged = signing.dumps(other.pk, salt="something else")
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")

    for bad in (tampered, forged, "not-a-token"):
        response = client.post(reverse(name, args=[bad]), {"List-Unsubscribe": "One-Click"})
        assert response.status_code == 400
        assert "not one the guide sent" in response.text
    assert alerts.change_emails_enabled(user=user)
    assert alerts.change_emails_enabled(user=other)


def test_a_stop_link_of_a_deleted_account_is_not_found(db, client):
    user = _attendee(SessionFactory())
    token = alerts.unsubscribe_token(user)
    user.delete()

    response = client.get(reverse("myschedule:unsubscribe", args=[token]))

    assert response.status_code == 404
    assert "account was deleted" in response.text


def test_my_schedule_turns_the_emails_on_and_off(db, client):
    user = _attendee(SessionFactory(), emails=False)
    client.force_login(user)

    page = client.get(reverse("myschedule:index"))
    assert "Email me when my sessions change" in page.text

    client.post(reverse("myschedule:change_emails"), {"emails": "on"})
    assert alerts.change_emails_enabled(user=user)
    assert "Stop change emails" in client.get(reverse("myschedule:index")).text

    client.post(reverse("myschedule:change_emails"), {"emails": "off"})
    assert not alerts.change_emails_enabled(user=user)


def test_turning_the_emails_on_needs_a_signed_in_post(db, client):
    assert client.get(reverse("myschedule:change_emails")).status_code == 405
    response = client.post(reverse("myschedule:change_emails"), {"emails": "on"})
    assert response.status_code == 302
    assert not ScheduleAlerts.objects.exists()


def test_two_workers_sending_at_once_send_each_email_once(run_tasks):
    # Worker A has claimed the attendees when worker B runs; then A finishes.
    event, moving, _, _ = _three_sessions()
    users = [_attendee(moving) for _ in range(3)]
    _edit(moving, room=RoomFactory(event=event, name="Room 5"))
    now = timezone.now()

    claim = alerts.claim_due(now=now)
    assert alerts.send_due_emails(now=now) == 0  # worker B: nobody left to claim
    assert alerts.send_claimed(claim=claim, now=now) == len(users)  # worker A

    assert sorted(email.to[0] for email in mail.outbox) == sorted(user.email for user in users)
    _an_hour_passes(users[0])
    assert alerts.send_due_emails() == 0


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite serialises writers; the race needs PostgreSQL"
)
def test_two_workers_racing_send_each_attendee_one_email():
    event, moving, _, _ = _three_sessions()
    users = [_attendee(moving) for _ in range(20)]
    _edit(moving, room=RoomFactory(event=event, name="Room 5"))
    start = threading.Barrier(2)
    sent, errors = [], []

    def worker():
        try:
            start.wait()
            sent.append(alerts.send_due_emails())
        except Exception as error:  # any error fails the test below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sum(sent) == len(users)
    assert sorted(email.to[0] for email in mail.outbox) == sorted(user.email for user in users)


@pytest.mark.parametrize("attendees", [1, 12])
def test_a_batch_takes_the_same_queries_however_many_attendees(
    db, django_assert_max_num_queries, attendees
):
    event, moving, re_roomed, cancelled = _three_sessions()
    for _ in range(attendees):
        _attendee(moving, re_roomed, cancelled)
    _edit(moving, room=RoomFactory(event=event, name="Room 5"))
    _edit(
        re_roomed,
        starts_at=re_roomed.starts_at + dt.timedelta(hours=1),
        ends_at=re_roomed.ends_at + dt.timedelta(hours=1),
    )
    _cancel(cancelled)

    with django_assert_max_num_queries(6):
        sent = alerts.send_due_emails()

    assert sent == attendees == len(mail.outbox)


def test_recording_a_change_takes_the_same_queries_however_many_attendees(db):
    _, alone, crowded, _ = _three_sessions()
    _attendee(alone)
    for _ in range(12):
        _attendee(crowded)

    counts = []
    for session in (alone, crowded):
        with CaptureQueriesContext(connection) as queries:
            _cancel(session)
        counts.append(len(queries))

    assert counts[0] == counts[1]
    assert ChangeNotice.objects.filter(change__session=alone).count() == 1
    assert ChangeNotice.objects.filter(change__session=crowded).count() == 12


def test_changes_of_an_unpublished_event_or_to_drafts_tell_nobody(run_tasks):
    event, moving, re_roomed, _ = _three_sessions()
    _attendee(moving, re_roomed)
    services.set_sessions_status(
        sessions=Session.objects.filter(pk=re_roomed.pk), status=Session.Status.DRAFT
    )
    _edit(re_roomed, room=RoomFactory(event=event, name="Room 6"))
    _edit(moving, room=RoomFactory(event=event, name="Room 7"))
    event.is_published = False
    event.save()

    _send(run_tasks)

    assert mail.outbox == []


def test_a_reimport_that_moves_re_rooms_and_drops_sessions_is_one_email(
    run_tasks, schedule_fixture
):
    data = schedule_fixture("minimal-frab.xml")
    apply_schedule(parsed=parse_schedule(data), event_slug="tiny", publish=True)
    saved = Session.objects.filter(source_id__in=["talk-1", "talk-2", "talk-3"])
    user = _attendee(*saved, time_zone="America/New_York")
    changed = (
        data.replace(b"2031-05-06T10:00:00+02:00", b"2031-05-06T11:00:00+02:00")
        .replace(b"<start>10:00</start>", b"<start>11:00</start>")
        .replace(b'guid="talk-2"', b'guid="talk-9"')
        .replace(
            b"<room>Main Hall</room>\n        <title>Keynote",
            b"<room>Workshop Room</room>\n        <title>Keynote",
        )
    )

    apply_schedule(parsed=parse_schedule(changed), event_slug="tiny")
    _send(run_tasks)

    [email] = mail.outbox
    assert email.to == [user.email]
    assert email.subject == "3 sessions in your schedule changed"
    body = email.body
    assert (
        "Moved from Tue 6 May 10:00\u201310:45 to Tue 6 May 11:00\u201311:45 (Europe/Berlin)"
        in body
    )
    assert (
        "Moved from Tue 6 May 04:00\u201304:45 to Tue 6 May 05:00\u201305:45 (America/New_York)"
        in body
    )
    assert "Room: Main Hall \u2192 Workshop Room" in body
    assert body.index("Hands-on eBPF\n") < body.index("- Cancelled\n")


def test_a_dry_run_import_tells_nobody(run_tasks, schedule_fixture):
    data = schedule_fixture("minimal-frab.xml")
    apply_schedule(parsed=parse_schedule(data), event_slug="tiny", publish=True)
    _attendee(*Session.objects.all())

    changed = data.replace(b'guid="talk-2"', b'guid="talk-9"')
    apply_schedule(parsed=parse_schedule(changed), event_slug="tiny", dry_run=True)
    _send(run_tasks)

    assert mail.outbox == []
    assert not ChangeNotice.objects.exists()


def test_an_editors_move_in_the_admin_is_emailed(run_tasks, client):
    # The worker's transactional test flushes the Editors group: a superuser edits.
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    event, moving, _, _ = _three_sessions()
    user = _attendee(moving)
    data = session_data(
        event,
        title=moving.title,
        slug=moving.slug,
        starts="2030-11-17 11:00",
        ends="2030-11-17 11:35",
        room=RoomFactory(event=event, name="Room 8").pk,
    )

    response = client.post(reverse("admin:conference_session_change", args=[moving.pk]), data)
    _send(run_tasks)

    assert response.status_code == 302
    [email] = mail.outbox
    assert email.to == [user.email]
    assert "Moved from Sun 17 Nov 10:00\u201310:35 to Sun 17 Nov 11:00\u201311:35" in email.body
    assert "Room: Hall A \u2192 Room 8" in email.body


def test_the_data_download_holds_the_choice_and_what_was_told(run_tasks, client):
    event, moving, _, _ = _three_sessions()
    user = _attendee(moving)
    _edit(moving, room=RoomFactory(event=event, name="Room 5"))
    _send(run_tasks)
    client.force_login(user)

    data = client.get(reverse("privacy:download")).json()["change_emails"]

    assert data["enabled"] is True
    assert data["last_email_at"] is not None
    [told] = data["changes"]
    assert (told["session"], told["what"], told["old"], told["new"]) == (
        "Moving <b>talk</b>",
        "room",
        "Hall A",
        "Room 5",
    )
    assert told["emailed_at"] is not None


def test_deleting_the_account_takes_the_choice_and_the_notices(db, client):
    event, moving, _, _ = _three_sessions()
    user, other = _attendee(moving), _attendee(moving)
    _edit(moving, room=RoomFactory(event=event, name="Room 5"))
    client.force_login(user)

    client.post(reverse("privacy:delete_account"), {"password": "correct horse battery staple"})

    assert list(ScheduleAlerts.objects.values_list("user_id", flat=True)) == [other.pk]
    assert list(ChangeNotice.objects.values_list("user_id", flat=True)) == [other.pk]


def test_turning_the_emails_on_keeps_one_sending_run_queued(run_tasks):
    def queued():
        return list(
            DBTaskResult.objects.filter(
                task_path=send_schedule_change_emails.module_path,
                status=TaskResultStatus.READY,
            ).values_list("run_after", flat=True)
        )

    attendees = [_attendee(SessionFactory()) for _ in range(2)]
    [run_after] = queued()
    assert run_after > timezone.now() + dt.timedelta(minutes=9)

    _send(run_tasks)  # a run that finds someone still on queues the next
    assert len(queued()) == 1

    for user in attendees:
        alerts.set_change_emails(user=user, enabled=False)
    DBTaskResult.objects.all().delete()
    _send(run_tasks)  # nobody on any more: it stops
    assert queued() == []


def test_an_email_that_could_not_be_sent_goes_on_the_next_run(run_tasks, settings):
    event, moving, _, _ = _three_sessions()
    user = _attendee(moving)
    _edit(moving, room=RoomFactory(event=event, name="Room 5"))
    working = settings.MAILERS
    settings.MAILERS = {"default": {"BACKEND": "tests.mail_backends.UnreachableEmailBackend"}}

    assert alerts.send_due_emails() == 0
    assert ChangeNotice.objects.get(user=user).sent_at is None

    settings.MAILERS = working
    _send(run_tasks)  # ten minutes later, not an hour
    [email] = mail.outbox
    assert "Room: Hall A \u2192 Room 5" in email.body
