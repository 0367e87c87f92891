"""The import's size limit is one rule: every way in refuses the same file in the same words."""

import contextlib
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from sessions.importers import ScheduleImportError, parse_schedule
from sessions.importers.fetch import fetch
from sessions.models import Event
from tests.conftest import LocalHandler

pytestmark = pytest.mark.integration

JUST_OVER = b"{" + b" " * (10 * 1024 * 1024 + 100_000) + b"}"
REFUSED = "The file (10.1 MB) is larger than the import accepts: schedules are refused above 10 MB."


@pytest.fixture
def big_file(tmp_path):
    path = tmp_path / "big.json"
    path.write_bytes(JUST_OVER)
    return path


def test_the_parser_refuses_the_file_with_its_size():
    with pytest.raises(ScheduleImportError) as caught:
        parse_schedule(JUST_OVER)

    assert [p.what for p in caught.value.problems] == [REFUSED]


def test_the_admin_upload_refuses_it_in_the_same_words(editor_client):
    response = editor_client.post(
        reverse("admin:conference_event_import"),
        {
            "new_event_slug": "big",
            "format": "auto",
            "schedule_file": SimpleUploadedFile("big.json", JUST_OVER),
        },
    )

    assert response.status_code == 413
    assert REFUSED in response.content.decode()
    assert not Event.objects.exists()


@pytest.mark.django_db
def test_the_command_refuses_it_in_the_same_words(big_file):
    with pytest.raises(CommandError) as caught:
        call_command("import_schedule", str(big_file), "--event", "big", stderr=StringIO())

    assert f"file: {REFUSED}" in str(caught.value)
    assert not Event.objects.exists()


def test_the_feed_refuses_it_in_the_same_words(big_file, file_server):
    base = file_server(big_file.parent)

    with pytest.raises(ScheduleImportError) as caught:
        fetch(f"{base}/big.json")

    assert [p.what for p in caught.value.problems] == [REFUSED]


class _NoLengthHandler(LocalHandler):
    """Answers with the body and no Content-Length, as a streamed feed does."""

    protocol_version = "HTTP/1.0"

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        # The fetcher stops reading at the limit and hangs up.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(JUST_OVER)


def test_a_feed_that_does_not_say_its_length_is_refused_at_the_limit(
    https_server, trust_local_servers
):
    server = https_server(_NoLengthHandler)

    with pytest.raises(ScheduleImportError) as caught:
        fetch(f"{server.url}/feed.json")

    # Reading stopped at the limit, so the size is not known; the limit is.
    assert [p.what for p in caught.value.problems] == [
        "The file is larger than the import accepts: schedules are refused above 10 MB."
    ]
