import datetime as dt
import hashlib
import re
from html import unescape

import pytest
from django.apps import apps
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from confguide.permissions import grant_to_editors
from sessions.models import Company, Event, ScheduleImport, Session, SessionSpeaker, Speaker
from sessions.tasks import apply_schedule_import, preview_schedule_import
from tests.conftest import FIXTURES
from tests.factories import (
    CompanyFactory,
    EditorFactory,
    SessionFactory,
    SpeakerFactory,
    UserFactory,
)

pytestmark = pytest.mark.integration

IMPORT_URL = "admin:conference_event_import"
SCHEDULES = FIXTURES / "schedules"


def status_url(schedule_import: ScheduleImport) -> str:
    return reverse("admin:conference_event_import_status", args=[schedule_import.pk])


def confirm_url(schedule_import: ScheduleImport) -> str:
    return reverse("admin:conference_event_import_confirm", args=[schedule_import.pk])


def upload(client, data: bytes, name: str = "schedule.xml", **fields):
    payload = {"new_event_slug": "tiny", "format": "auto", **fields}
    payload["schedule_file"] = SimpleUploadedFile(name, data)
    return client.post(reverse(IMPORT_URL), payload)


def work() -> None:
    """Run the import tasks that are due, here in the test's transaction, as the worker would."""
    import_tasks = {preview_schedule_import.module_path, apply_schedule_import.module_path}
    for queued in DBTaskResult.objects.ready().filter(task_path__in=import_tasks):
        queued.claim("test")
        queued.task.call(*queued.args_kwargs["args"], **queued.args_kwargs["kwargs"])
        queued.set_successful(None)


def previewed(client, data: bytes, **fields) -> ScheduleImport:
    """Upload the file and let the worker prepare its preview."""
    response = upload(client, data, **fields)
    assert response.status_code == 302
    work()
    return ScheduleImport.objects.get(pk=response["Location"].rstrip("/").rsplit("/", 1)[1])


def signed_in(user) -> Client:
    """A browser of its own for another user (the client fixture is the editor's)."""
    client = Client()
    client.force_login(user)
    return client


def page(client, schedule_import: ScheduleImport) -> str:
    response = client.get(status_url(schedule_import))
    assert response.status_code == 200
    return response.content.decode()


def test_import_form_is_linked_from_the_event_list(editor_client):
    response = editor_client.get(reverse("admin:conference_event_changelist"))

    assert f'href="{reverse(IMPORT_URL)}"' in response.content.decode()
    form = editor_client.get(reverse(IMPORT_URL))
    assert b"Preview the import" in form.content


def test_the_request_only_stores_the_upload_and_queues_its_preview(editor_client, editor):
    data = (SCHEDULES / "minimal-frab.xml").read_bytes()

    response = upload(editor_client, data)

    schedule_import = ScheduleImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == status_url(schedule_import)
    assert (schedule_import.status, schedule_import.started_by) == ("queued", editor)
    assert bytes(schedule_import.data) == data
    assert schedule_import.digest == hashlib.sha256(data).hexdigest()
    assert not Event.objects.exists()  # nothing was read in the request
    queued = DBTaskResult.objects.get(task_path=preview_schedule_import.module_path)
    assert queued.args_kwargs["args"] == [schedule_import.pk]
    content = page(editor_client, schedule_import)
    assert "Waiting for the task worker" in content
    assert '<meta http-equiv="refresh" content="2">' in content


@pytest.fixture
def editors_group(transactional_db):
    """The Editors group as the data migrations make it: a flushed database has lost it."""
    grant_to_editors(
        apps,
        "conference",
        ["event", "theme", "company", "speaker", "room", "session", "sessionspeaker"],
    )


def test_preview_then_confirm_imports_the_schedule_in_the_worker(client, editors_group, run_tasks):
    client.force_login(EditorFactory(username="editor"))
    data = (SCHEDULES / "minimal-frab.xml").read_bytes()
    upload(client, data)
    schedule_import = ScheduleImport.objects.get()

    run_tasks()

    content = page(client, schedule_import)
    assert "Sessions to create (3)" in content
    assert "Operators in Anger" in content
    assert "kept as a draft" in content
    assert "http-equiv" not in content  # the preview waits for the editor: no reloading
    assert f'name="digest" value="{schedule_import.digest}"' in content
    assert not Event.objects.exists()  # a preview writes nothing

    confirmed = client.post(confirm_url(schedule_import), {"digest": schedule_import.digest})
    assert confirmed["Location"] == status_url(schedule_import)
    assert "Importing the schedule you confirmed" in page(client, schedule_import)
    run_tasks()

    event = Event.objects.get(slug="tiny")
    assert event.sessions.count() == 3
    assert not event.is_published
    content = page(client, schedule_import)
    assert "3 sessions created" in content
    assert f"?event__id__exact={event.pk}" in content
    schedule_import.refresh_from_db()
    assert (schedule_import.status, schedule_import.data) == ("done", None)
    assert schedule_import.entries_total == 3  # the worker reported its progress


def test_preview_of_a_reimport_lists_moves_and_cancellations(editor_client):
    data = (SCHEDULES / "minimal-frab.xml").read_bytes()
    first = previewed(editor_client, data)
    editor_client.post(confirm_url(first), {"digest": first.digest})
    work()
    event = Event.objects.get(slug="tiny")
    changed = data.replace(b"2031-05-06T10:00:00+02:00", b"2031-05-06T12:00:00+02:00").replace(
        b'guid="talk-2"', b'guid="talk-5"'
    )

    content = page(
        editor_client, previewed(editor_client, changed, new_event_slug="", event=event.pk)
    )

    assert "Sessions to create (1)" in content
    assert "Sessions to update (1, of which 1 move)" in content
    assert "Sessions to cancel (1)" in content
    assert Session.objects.get(source_id="talk-1").sequence == 0


def text_of(html: str) -> str:
    """The page's words, without tags and with single spaces, as a reader sees them."""
    return " ".join(unescape(re.sub(r"<[^>]*>", " ", html)).split())


def imported_then_previewed_again(client) -> tuple[ScheduleImport, ScheduleImport]:
    """Import minimal-frab.xml, then preview a re-import that moves one session,
    retitles another, drops the third (cancelled) and adds one of the same title."""
    data = (SCHEDULES / "minimal-frab.xml").read_bytes()
    first = previewed(client, data)
    client.post(confirm_url(first), {"digest": first.digest})
    work()
    changed = (
        data.replace(b"2031-05-06T10:00:00+02:00", b"2031-05-06T12:00:00+02:00")
        .replace(b"The Next Ten Years", b"The Next Twenty Years")
        .replace(b'guid="talk-2"', b'guid="talk-5"')
    )
    event = Event.objects.get(slug="tiny")
    return first, previewed(client, changed, new_event_slug="", event=event.pk)


def test_preview_names_each_session_and_its_field_changes(editor_client):
    _, second = imported_then_previewed_again(editor_client)

    content = text_of(page(editor_client, second))

    assert "Read as: frab/pretalx XML (" in content
    assert (
        "Sessions to create (1) Hands-on eBPF (Tue 6 May 14:00\u201315:30, Workshop Room; "
        "id talk-5) "
        "Sessions to update (2, of which 1 move) "
        "Operators in Anger (Tue 6 May 12:00\u201312:45, Main Hall; id talk-1) moves "
        "time: Tue 6 May 10:00\u201310:45 → Tue 6 May 12:00\u201312:45 "
        "Keynote: The Next Twenty Years (Wed 7 May 09:00\u201309:30, Main Hall; id talk-3) "
        "title: “Keynote: The Next Ten Years” → “Keynote: The Next Twenty Years” "
        "Sessions to cancel (1) Hands-on eBPF (Tue 6 May 14:00\u201315:30, Workshop Room; "
        "id talk-2) "
        "Sessions left alone: 0"
    ) in content
    assert Session.objects.get(source_id="talk-3").title == "Keynote: The Next Ten Years"
    assert not Session.objects.filter(source_id="talk-5").exists()


def test_result_page_lists_what_was_done(editor_client):
    _, second = imported_then_previewed_again(editor_client)

    editor_client.post(confirm_url(second), {"digest": second.digest})
    work()

    content = text_of(page(editor_client, second))
    assert "Sessions updated (2, of which 1 move)" in content
    assert "Sessions cancelled (1) Hands-on eBPF (Tue 6 May 14:00\u201315:30" in content
    assert Session.objects.get(source_id="talk-3").title == "Keynote: The Next Twenty Years"
    # A result stored before reports named each session still shows its titles.
    second.refresh_from_db()
    ScheduleImport.objects.filter(pk=second.pk).update(
        result={k: v for k, v in second.result.items() if k != "sessions"}
    )
    assert "Sessions cancelled (1) Hands-on eBPF Sessions left alone" in text_of(
        page(editor_client, second)
    )


def test_a_long_preview_folds_the_rest_into_details(editor_client):
    events = "".join(
        f'<event guid="t{n}"><date>2031-05-06T09:{n:02}:00+02:00</date>'
        f"<duration>00:01</duration><room>Hall {n}</room><title>Talk {n}</title></event>"
        for n in range(53)
    )
    data = (
        "<schedule><conference><title>Big</title><time_zone_name>Europe/Berlin"
        f'</time_zone_name></conference><day index="1" date="2031-05-06"><room name="Hall">'
        f"{events}</room></day></schedule>"
    ).encode()

    content = page(editor_client, previewed(editor_client, data))

    assert "<h2>Sessions to create (53)</h2>" in content
    assert content.count("<details>") == 2  # the sessions, and the new rooms
    assert "<summary>and 3 more</summary>" in content
    details = content[content.index("<details>") : content.index("</details>")]
    assert "<strong>Talk 50</strong> (Tue 6 May 09:50" in details
    assert "<strong>Talk 49</strong>" not in details
    report = content[content.index('id="content-main"') : content.index("</form>")]
    assert " style=" not in report and "<script" not in report  # the CSP stays strict


def test_confirm_needs_the_previewed_digest(editor_client):
    schedule_import = previewed(editor_client, (SCHEDULES / "minimal-frab.xml").read_bytes())

    response = editor_client.post(confirm_url(schedule_import), {"digest": "0" * 64})

    [message] = get_messages(response.wsgi_request)
    assert response["Location"] == status_url(schedule_import)
    assert "no longer current" in str(message)
    assert not DBTaskResult.objects.filter(task_path=apply_schedule_import.module_path).exists()
    work()
    assert not Event.objects.exists()


def test_confirm_rechecks_the_stored_bytes(editor_client):
    schedule_import = previewed(editor_client, (SCHEDULES / "minimal-frab.xml").read_bytes())
    # The stored file changes after its preview (by whatever means).
    ScheduleImport.objects.filter(pk=schedule_import.pk).update(
        data=(SCHEDULES / "minimal-frab.json").read_bytes()
    )

    editor_client.post(confirm_url(schedule_import), {"digest": schedule_import.digest})
    work()

    assert not Event.objects.exists()
    assert "not the one that was previewed, so nothing was imported" in page(
        editor_client, schedule_import
    )


def test_two_quick_confirmations_import_once(editor_client):
    schedule_import = previewed(editor_client, (SCHEDULES / "minimal-frab.xml").read_bytes())

    for _ in range(2):
        editor_client.post(confirm_url(schedule_import), {"digest": schedule_import.digest})

    assert DBTaskResult.objects.filter(task_path=apply_schedule_import.module_path).count() == 1


def test_only_the_editor_who_started_an_import_sees_and_confirms_it(editor_client):
    schedule_import = previewed(editor_client, (SCHEDULES / "minimal-frab.xml").read_bytes())
    client = signed_in(EditorFactory(username="other-editor"))

    seen = client.get(status_url(schedule_import))
    confirmed = client.post(confirm_url(schedule_import), {"digest": schedule_import.digest})

    assert seen.status_code == 404
    assert confirmed["Location"] == reverse(IMPORT_URL)
    work()
    assert not Event.objects.exists()
    superuser = signed_in(UserFactory(username="root", is_staff=True, is_superuser=True))
    assert "Sessions to create (3)" in page(superuser, schedule_import)


def test_confirm_refuses_get(editor_client):
    schedule_import = previewed(editor_client, (SCHEDULES / "minimal-frab.xml").read_bytes())

    assert editor_client.get(confirm_url(schedule_import)).status_code == 405


def test_discarding_deletes_the_import_and_its_file(editor_client):
    schedule_import = previewed(editor_client, (SCHEDULES / "minimal-frab.xml").read_bytes())
    discard = reverse("admin:conference_event_import_discard", args=[schedule_import.pk])

    response = editor_client.post(discard)

    assert response["Location"] == reverse(IMPORT_URL)
    assert not ScheduleImport.objects.exists()


def test_broken_file_shows_where_and_imports_nothing(editor_client):
    schedule_import = previewed(editor_client, (SCHEDULES / "broken-frab.xml").read_bytes())

    content = page(editor_client, schedule_import)
    assert "Nothing can be imported from this schedule" in content
    assert "&lt;event&gt; #2 (day 1) (source id bad-2)" in content
    assert not Event.objects.exists()
    schedule_import.refresh_from_db()
    assert (schedule_import.status, schedule_import.data) == ("failed", None)


def test_hostile_file_is_refused(editor_client):
    schedule_import = previewed(editor_client, (SCHEDULES / "external-entity.xml").read_bytes())

    assert "refused unread for safety" in page(editor_client, schedule_import)


def test_the_worker_keeps_to_the_entry_cap_and_says_so(editor_client, settings):
    settings.IMPORT_MAX_ENTRIES = 2

    schedule_import = previewed(editor_client, (SCHEDULES / "minimal-frab.xml").read_bytes())

    assert (
        "The file has more than 2 &lt;event&gt; elements; an import takes at most 2 "
        "(the IMPORT_MAX_ENTRIES setting)." in page(editor_client, schedule_import)
    )


def test_the_worker_keeps_to_the_time_budget_and_imports_nothing(editor_client, settings):
    schedule_import = previewed(editor_client, (SCHEDULES / "minimal-frab.xml").read_bytes())
    settings.IMPORT_TIME_BUDGET_SECONDS = 0

    editor_client.post(confirm_url(schedule_import), {"digest": schedule_import.digest})
    work()

    assert "took longer than its time budget of 0 seconds" in page(editor_client, schedule_import)
    assert not Event.objects.exists()


def test_while_the_worker_reads_the_page_shows_how_far_it_got(editor_client):
    schedule_import = previewed(editor_client, (SCHEDULES / "minimal-frab.xml").read_bytes())
    ScheduleImport.objects.filter(pk=schedule_import.pk).update(
        status="previewing", stage="reading", entries_done=1500, entries_total=20000
    )

    content = page(editor_client, schedule_import)

    assert "Reading the file: 1500 of 20000 entries" in content
    assert '<progress id="import-progress" max="20000" value="1500">' in content
    assert '<meta http-equiv="refresh" content="2">' in content


def test_a_worker_silent_past_the_time_budget_is_reported_and_the_page_stops_reloading(
    editor_client,
):
    schedule_import = previewed(editor_client, (SCHEDULES / "minimal-frab.xml").read_bytes())
    ScheduleImport.objects.filter(pk=schedule_import.pk).update(
        status="applying", updated_at=timezone.now() - dt.timedelta(minutes=10)
    )

    content = page(editor_client, schedule_import)

    assert "it may have stopped" in content
    assert "http-equiv" not in content


@pytest.mark.parametrize("data", [b"", b"  \n\t "], ids=["no bytes", "white space"])
def test_an_empty_upload_gets_one_message_whatever_kind_of_empty(editor_client, data):
    response = upload(editor_client, data)

    assert b"The file is empty." in response.content
    assert b"The submitted file is empty." not in response.content
    assert not ScheduleImport.objects.exists()


def test_50_mb_upload_is_refused_before_it_is_read(editor_client):
    response = upload(editor_client, b"<schedule>" + b" " * (50 * 1024 * 1024) + b"</schedule>")

    assert response.status_code == 413
    assert b"That was too large to accept" in response.content
    assert not ScheduleImport.objects.exists()


def test_upload_just_over_10_mb_is_refused_by_the_import_with_its_size(editor_client):
    response = upload(editor_client, b"<schedule>" + b" " * (10 * 1024 * 1024 + 100_000) + b"</")

    assert response.status_code == 413
    assert b"refused above 10 MB" in response.content
    assert not ScheduleImport.objects.exists()


def test_form_needs_one_source_and_a_slug(editor_client):
    response = editor_client.post(reverse(IMPORT_URL), {"format": "auto"})

    assert response.status_code == 400
    content = response.content.decode()
    assert "Choose a file or paste a feed URL" in content
    assert "Give the new event a slug." in content


def test_feed_url_must_be_https(editor_client):
    response = editor_client.post(
        reverse(IMPORT_URL),
        {"format": "auto", "new_event_slug": "x", "feed_url": "http://example.org/s.xml"},
    )

    assert response.status_code == 400
    assert b"Only https:// feed addresses" in response.content
    assert not ScheduleImport.objects.exists()


def test_the_worker_fetches_the_feed_and_keeps_what_it_previewed(
    editor_client, shared_data, file_server
):
    base = file_server(shared_data / "good2025")
    feed = shared_data / "good2025" / "good2025-schedule.xml"

    response = editor_client.post(
        reverse(IMPORT_URL),
        {"format": "auto", "new_event_slug": "good-2025", "feed_url": f"{base}/{feed.name}"},
    )
    schedule_import = ScheduleImport.objects.get()
    assert schedule_import.data is None  # the request fetched nothing
    work()

    assert "Sessions to create (72)" in page(editor_client, schedule_import)
    schedule_import.refresh_from_db()
    assert response.status_code == 302
    assert bytes(schedule_import.data) == feed.read_bytes()
    assert schedule_import.digest == hashlib.sha256(feed.read_bytes()).hexdigest()


def test_import_is_for_editors_only(client, db):
    anonymous = client.get(reverse(IMPORT_URL))
    client.force_login(UserFactory(username="staff-without-rights", is_staff=True))
    staff = client.get(reverse(IMPORT_URL))
    status = client.get(reverse("admin:conference_event_import_status", args=[1]))

    assert anonymous.status_code == 302
    assert staff.status_code == 403
    assert status.status_code == 403


def test_the_form_lists_the_editors_recent_imports(editor_client):
    mine = previewed(editor_client, (SCHEDULES / "minimal-frab.xml").read_bytes())
    upload(
        signed_in(EditorFactory(username="other-editor")),
        (SCHEDULES / "minimal-frab.json").read_bytes(),
        name="theirs.json",
    )

    content = editor_client.get(reverse(IMPORT_URL)).content.decode()

    assert f'href="{status_url(mine)}"' in content
    assert "schedule.xml into tiny" in content
    assert "ready to confirm" in content
    assert "theirs.json" not in content


def test_superusers_see_everyones_imports_in_the_admin_list(editor_client):
    mine = previewed(editor_client, (SCHEDULES / "minimal-frab.xml").read_bytes())
    upload(signed_in(EditorFactory(username="other-editor")), b"{}", name="theirs.json")
    superuser = signed_in(UserFactory(username="root", is_staff=True, is_superuser=True))
    changelist = reverse("admin:conference_scheduleimport_changelist")

    content = superuser.get(changelist).content.decode()

    assert f'href="{status_url(mine)}"' in content
    assert "theirs.json" in content
    assert editor_client.get(changelist).status_code == 403  # editors: the import page's list


def test_merge_speakers_keeps_the_chosen_one(editor_client):
    keep = SpeakerFactory(name="Ada Lovelace", bio="")
    twin = SpeakerFactory(name="Ada  Lovelace", bio="Wrote the first program.")
    shared = SessionFactory(speakers=[keep, twin])
    SessionFactory(speakers=[twin])
    url = reverse("admin:conference_speaker_changelist")
    chosen = {"action": "merge", ACTION_CHECKBOX_NAME: [keep.pk, twin.pk]}

    confirm_page = editor_client.post(url, chosen)
    merged = editor_client.post(url, chosen | {"apply": "1", "keep": keep.pk})

    assert b"Choose the one to keep" in confirm_page.content
    assert merged.status_code == 302
    assert list(Speaker.objects.filter(name__startswith="Ada")) == [keep]
    keep.refresh_from_db()
    assert keep.bio == "Wrote the first program."
    assert keep.sessions.count() == 2
    assert SessionSpeaker.objects.filter(session=shared).count() == 1


def test_merge_companies_moves_speakers_and_affiliations(editor_client):
    red_hat = CompanyFactory(name="Red Hat")
    inc = CompanyFactory(name="Red Hat, Inc.", website_url="https://www.redhat.com")
    speaker = SpeakerFactory(company=inc)
    session = SessionFactory(speakers=[speaker])
    url = reverse("admin:conference_company_changelist")

    editor_client.post(
        url,
        {
            "action": "merge",
            ACTION_CHECKBOX_NAME: [red_hat.pk, inc.pk],
            "apply": "1",
            "keep": red_hat.pk,
        },
    )

    assert list(Company.objects.filter(name__startswith="Red Hat")) == [red_hat]
    speaker.refresh_from_db()
    assert speaker.company == red_hat
    assert session.appearances.get().company == red_hat
    red_hat.refresh_from_db()
    assert red_hat.website_url == "https://www.redhat.com"


def test_merge_needs_two(editor_client):
    speaker = SpeakerFactory()

    response = editor_client.post(
        reverse("admin:conference_speaker_changelist"),
        {"action": "merge", ACTION_CHECKBOX_NAME: [speaker.pk]},
        follow=True,
    )

    assert b"Select two or more speakers to merge." in response.content
    assert Speaker.objects.filter(pk=speaker.pk).exists()
