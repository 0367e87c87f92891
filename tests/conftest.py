import functools
import http.server
import os
import threading
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache

from tests.factories import EditorFactory


@pytest.fixture
def editor(db):
    return EditorFactory(username="editor")


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """PBKDF2 costs most of a second per user on the CI machine; tests need no real hashing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _empty_cache():
    """Rate-limit counters and cached fragments must not leak from one test to the next."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def mail_outage(settings):
    """The mail server is unreachable for the duration of the test."""
    settings.MAILERS = {"default": {"BACKEND": "tests.mail_backends.UnreachableEmailBackend"}}


# Real schedules live beside the project in ../shared/data and are never
# committed. A newcomer's clone skips the tests that need them; CI must have them.
SHARED_DATA = Path(settings.BASE_DIR).parent / "shared" / "data"
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        message = (
            f"{SHARED_DATA} is absent: the real schedules from shared/data are needed "
            "for this test (see shared/data/README.md)."
        )
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return SHARED_DATA


@pytest.fixture
def schedule_fixture():
    """Bytes of one of the project's own small schedule files in tests/fixtures/schedules."""

    def read(name: str) -> bytes:
        return (FIXTURES / "schedules" / name).read_bytes()

    return read


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Factories hash a password per user; PBKDF2 would make that most of the test time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def file_server(settings):
    """Serve a folder over http on 127.0.0.1 for one test (never the internet)."""
    settings.IMPORT_ALLOW_HTTP_LOOPBACK = True
    servers = []

    def serve(folder):
        handler = functools.partial(QuietHandler, directory=str(folder))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield serve
    for server in servers:
        server.shutdown()
        server.server_close()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass
