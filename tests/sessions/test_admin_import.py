import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from sessions.models import Company, Event, Session, SessionSpeaker, Speaker
from tests.factories import CompanyFactory, SessionFactory, SpeakerFactory, UserFactory

pytestmark = pytest.mark.integration

IMPORT_URL = "admin:conference_event_import"
CONFIRM_URL = "admin:conference_event_import_confirm"


@pytest.fixture(autouse=True)
def _staging(settings, tmp_path):
    settings.IMPORT_STAGING_DIR = tmp_path / "staging"


def upload(client, data: bytes, name: str = "schedule.xml", **fields):
    payload = {"new_event_slug": "tiny", "format": "auto", **fields}
    payload["schedule_file"] = SimpleUploadedFile(name, data)
    return client.post(reverse(IMPORT_URL), payload)


def test_import_form_is_linked_from_the_event_list(editor_client):
    response = editor_client.get(reverse("admin:conference_event_changelist"))

    assert f'href="{reverse(IMPORT_URL)}"' in response.content.decode()
    form = editor_client.get(reverse(IMPORT_URL))
    assert b"Preview the import" in form.content


def test_preview_then_confirm_imports_the_schedule(editor_client, schedule_fixture, settings):
    preview = upload(editor_client, schedule_fixture("minimal-frab.xml"))

    assert preview.status_code == 200
    content = preview.content.decode()
    assert "Sessions to create (3)" in content
    assert "Operators in Anger" in content
    assert "kept as a draft" in content
    assert not Event.objects.exists()  # a preview writes nothing
    digest = preview.context["digest"]
    assert (settings.IMPORT_STAGING_DIR / digest).is_file()

    confirmed = editor_client.post(reverse(CONFIRM_URL), {"digest": digest})

    event = Event.objects.get(slug="tiny")
    assert confirmed.status_code == 302
    assert confirmed["Location"].endswith(f"?event__id__exact={event.pk}")
    assert event.sessions.count() == 3
    assert not event.is_published
    assert not (settings.IMPORT_STAGING_DIR / digest).exists()
    assert "3 sessions created" in " ".join(str(m) for m in get_messages(confirmed.wsgi_request))


def test_preview_of_a_reimport_lists_moves_and_cancellations(editor_client, schedule_fixture):
    data = schedule_fixture("minimal-frab.xml")
    upload(editor_client, data)
    editor_client.post(
        reverse(CONFIRM_URL), {"digest": editor_client.session["schedule_import"]["digest"]}
    )
    event = Event.objects.get(slug="tiny")
    changed = data.replace(b"2031-05-06T10:00:00+02:00", b"2031-05-06T12:00:00+02:00").replace(
        b'guid="talk-2"', b'guid="talk-5"'
    )

    preview = upload(editor_client, changed, new_event_slug="", event=event.pk)

    content = preview.content.decode()
    assert "Sessions to create (1)" in content
    assert "Sessions to update (1, of which 1 move)" in content
    assert "Sessions to cancel (1)" in content
    assert Session.objects.get(source_id="talk-1").sequence == 0


def test_confirm_needs_the_previewed_digest(editor_client, schedule_fixture):
    upload(editor_client, schedule_fixture("minimal-frab.xml"))

    response = editor_client.post(reverse(CONFIRM_URL), {"digest": "0" * 64})

    assert response.status_code == 302
    assert response["Location"] == reverse(IMPORT_URL)
    assert not Event.objects.exists()


def test_confirm_without_a_preview_imports_nothing(editor_client):
    response = editor_client.post(reverse(CONFIRM_URL), {"digest": "a" * 64})

    assert response.status_code == 302
    assert not Event.objects.exists()


def test_confirm_refuses_get(editor_client):
    assert editor_client.get(reverse(CONFIRM_URL)).status_code == 405


def test_broken_file_shows_where_and_imports_nothing(editor_client, schedule_fixture):
    response = upload(editor_client, schedule_fixture("broken-frab.xml"))

    assert response.status_code == 400
    assert "&lt;event&gt; #2 (day 1) (source id bad-2)" in response.content.decode()
    assert not Event.objects.exists()


def test_hostile_file_is_refused(editor_client, schedule_fixture):
    response = upload(editor_client, schedule_fixture("external-entity.xml"))

    assert response.status_code == 400
    assert b"refused unread for safety" in response.content


@pytest.mark.parametrize("data", [b"", b"  \n\t "], ids=["no bytes", "white space"])
def test_an_empty_upload_gets_one_message_whatever_kind_of_empty(editor_client, data):
    response = upload(editor_client, data)

    assert b"The file is empty." in response.content
    assert b"The submitted file is empty." not in response.content
    assert not Event.objects.exists()


def test_50_mb_upload_is_refused_before_it_is_read(editor_client):
    response = upload(editor_client, b"<schedule>" + b" " * (50 * 1024 * 1024) + b"</schedule>")

    assert response.status_code == 413
    assert b"That was too large to accept" in response.content


def test_upload_just_over_10_mb_is_refused_by_the_import_with_its_size(editor_client):
    response = upload(editor_client, b"<schedule>" + b" " * (10 * 1024 * 1024 + 100_000) + b"</")

    assert response.status_code == 413
    assert b"refused above 10 MB" in response.content


def test_form_needs_one_source_and_a_slug(editor_client, schedule_fixture):
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


def test_feed_url_from_a_local_server(editor_client, shared_data, file_server):
    base = file_server(shared_data / "good2025")

    response = editor_client.post(
        reverse(IMPORT_URL),
        {
            "format": "auto",
            "new_event_slug": "good-2025",
            "feed_url": f"{base}/good2025-schedule.xml",
        },
    )

    assert response.status_code == 200
    assert "Sessions to create (72)" in response.content.decode()


def test_import_is_for_editors_only(client, db):
    anonymous = client.get(reverse(IMPORT_URL))
    client.force_login(UserFactory(username="staff-without-rights", is_staff=True))
    staff = client.get(reverse(IMPORT_URL))

    assert anonymous.status_code == 302
    assert staff.status_code == 403


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
