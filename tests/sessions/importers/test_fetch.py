"""Feeds are fetched through the site's safe fetcher, its refusals in the importer's words."""

import functools
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from sessions.importers import ScheduleImportError
from sessions.importers.fetch import fetch
from sessions.models import Event
from tests.conftest import FIXTURES, QuietHandler

pytestmark = pytest.mark.integration

SCHEDULES = FIXTURES / "schedules"


@pytest.fixture
def internal_feed(https_server, monkeypatch, tls_ca_file):
    """A schedule on an internal server whose certificate is trusted but which
    FETCH_ALLOWED_INTERNAL_HOSTS does not list: only the address rule stops a fetch."""
    monkeypatch.setenv("SSL_CERT_FILE", str(tls_ca_file))
    return https_server(functools.partial(QuietHandler, directory=str(SCHEDULES)))


@pytest.mark.django_db
def test_command_never_imports_from_an_internal_address(internal_feed):
    with pytest.raises(CommandError) as caught:
        call_command(
            "import_schedule",
            f"{internal_feed.url}/minimal-frab.json",
            "--event",
            "internal",
            stdout=StringIO(),
            stderr=StringIO(),
        )

    assert str(caught.value) == "Nothing was imported.\n  - file: The feed could not be fetched."
    assert internal_feed.connections == []
    assert not Event.objects.exists()


def test_fetch_a_listed_internal_host_is_fetched(internal_feed, settings):
    settings.FETCH_ALLOWED_INTERNAL_HOSTS = ["127.0.0.1"]

    data = fetch(f"{internal_feed.url}/minimal-frab.json")

    assert data == (SCHEDULES / "minimal-frab.json").read_bytes()


def test_fetch_a_missing_feed_names_the_status(internal_feed, settings):
    settings.FETCH_ALLOWED_INTERNAL_HOSTS = ["127.0.0.1"]

    with pytest.raises(ScheduleImportError) as caught:
        fetch(f"{internal_feed.url}/missing.json")

    assert [p.what for p in caught.value.problems] == ["The feed answered 404 Not Found."]
