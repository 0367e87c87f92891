import contextlib
import dataclasses
import functools
import http.server
import io
import os
import re
import socket
import ssl
import threading
from pathlib import Path

import pytest
import trustme
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction

from tests.factories import EditorFactory


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """Each run gets its own test database, so two runs on one server cannot collide.

    SQLite test databases live in memory already; the name matters on PostgreSQL.
    """
    for database in settings.DATABASES.values():
        if database["ENGINE"] == "django.db.backends.sqlite3":
            continue
        test = database.setdefault("TEST", {})
        test["NAME"] = f"{test.get('NAME') or 'test_' + database['NAME']}_run{os.getpid()}"


@contextlib.contextmanager
def _one_transaction_rolled_back_at_the_end(django_db_blocker):
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic._from_testcase = True  # like TestCase's: durable blocks may nest inside
        atomic.__enter__()
    try:
        yield
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture(scope="module")
def module_db(django_db_setup, django_db_blocker):
    """One transaction around a whole test module, rolled back when the module ends.

    For data that is costly to build and that the module's tests only read: a
    module-scoped fixture asks for this one and makes its rows inside
    `django_db_blocker.unblock()`. Each test's own `db` transaction nests in
    this one as a savepoint and rolls back as usual, so what a test writes is
    gone before the next test, and the module's rows are gone after its last.
    Python objects such a fixture returns are shared too: a test that changes
    them must build its own. Not for modules with `transactional_db` or
    `live_server` tests, which commit and flush.
    """
    with _one_transaction_rolled_back_at_the_end(django_db_blocker):
        yield


@pytest.fixture(scope="class")
def class_db(django_db_setup, django_db_blocker):
    """As `module_db`, for the tests of one class: the rows are gone when the class ends."""
    with _one_transaction_rolled_back_at_the_end(django_db_blocker):
        yield


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
def run_tasks(transactional_db):
    """Run the task worker over everything queued and due, as `db_worker` does, then stop.

    Transactional: the worker closes a connection it finds inside a transaction,
    as a test's rolled-back transaction would be.
    """

    def run() -> str:
        out = io.StringIO()
        call_command("db_worker", "--batch", "--no-startup-delay", stdout=out, stderr=out)
        return out.getvalue()

    return run


@dataclasses.dataclass
class SilentServer:
    port: int
    accepted: list


@pytest.fixture
def silent_server():
    """A loopback server that takes connections and never says a word (a frozen peer)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    silent = SilentServer(server.getsockname()[1], [])
    stop = threading.Event()

    def accept():
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                silent.accepted.append(server.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield silent
    stop.set()
    thread.join()
    for connection in silent.accepted:
        connection.close()
    server.close()


@pytest.fixture
def mail_outage(settings):
    """The mail server is unreachable for the duration of the test."""
    settings.MAILERS = {"default": {"BACKEND": "tests.mail_backends.UnreachableEmailBackend"}}


# Real schedules live beside the project in ../shared/data and are never
# committed. A newcomer's clone skips the tests that need them; CI must have them.
SHARED_DATA = Path(settings.BASE_DIR).parent / "shared" / "data"
FIXTURES = Path(__file__).parent / "fixtures"
SEED_POST = SHARED_DATA.parent / "seed" / "000_db31671334e189d8.txt"


def _needed_beside_the_repository(message: str) -> None:
    """A newcomer's clone skips the test; CI, which has ../shared, fails it."""
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        _needed_beside_the_repository(
            f"{SHARED_DATA} is absent: the real schedules from shared/data are needed "
            "for this test (see shared/data/README.md)."
        )
    return SHARED_DATA


def _word_runs(text: str, length: int = 7) -> set[tuple[str, ...]]:
    words = re.findall(r"[a-z0-9']+", text.lower().replace("\u2019", "'"))
    return {tuple(words[i : i + length]) for i in range(len(words) - length + 1)}


@pytest.fixture
def runs_copied_from_seed_post():
    """The 7-word runs that demo prose shares with the seed post (demo text must be new)."""
    if not SEED_POST.is_file():
        _needed_beside_the_repository(f"The seed post is not beside the repository ({SEED_POST}).")
    seed_runs = _word_runs(SEED_POST.read_text())

    def shared(prose: list[str]) -> set[tuple[str, ...]]:
        return _word_runs(" ".join(prose)) & seed_runs

    return shared


@pytest.fixture
def schedule_fixture():
    """Bytes of one of the project's own small schedule files in tests/fixtures/schedules."""

    def read(name: str) -> bytes:
        return (FIXTURES / "schedules" / name).read_bytes()

    return read


# Local https servers stand in for organisers' feeds: a test CA (trustme) signs
# their certificate, for every name and address the tests reach them by.
LOCAL_TLS_NAMES = ("127.0.0.1", "127.0.0.2", "::1", "localhost", "schedule.example.org")


@pytest.fixture(scope="session")
def tls_ca():
    return trustme.CA()


@pytest.fixture(scope="session")
def tls_ca_file(tls_ca, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("tls") / "test-ca.pem"
    tls_ca.cert_pem.write_to_path(str(path))
    return path


@pytest.fixture
def tls_client_context(tls_ca) -> ssl.SSLContext:
    """A client context that trusts the test CA (and nothing else)."""
    return ssl.create_default_context(cadata=tls_ca.cert_pem.bytes().decode())


@dataclasses.dataclass
class LocalServer:
    url: str  # "https://127.0.0.1:<port>", no trailing slash
    port: int
    connections: list  # the client address of every connection accepted
    requests: list  # the path of every request answered


class _TLSServer(http.server.ThreadingHTTPServer):
    # Handler threads are joined when the server closes, so none outlives its test.
    daemon_threads = False

    def __init__(self, address, handler, context, family):
        self.address_family = family
        self.tls_context = context
        self.connections: list = []
        self.requests: list = []
        # Set when the test ends: a handler that takes its time stops then.
        self.stopping = threading.Event()
        super().__init__(address, handler)

    def get_request(self):
        connection, client = super().get_request()
        self.connections.append(client)
        return connection, client

    def finish_request(self, request, client_address):
        # The handshake happens in the connection's own thread, so a client that
        # never finishes it holds up nobody else.
        request.settimeout(10)
        with self.tls_context.wrap_socket(request, server_side=True) as tls:
            self.RequestHandlerClass(tls, client_address, self)

    def handle_error(self, request, client_address):
        pass  # Refused handshakes and clients that hang up are what some tests want.


@pytest.fixture
def https_server(tls_ca):
    """Start https servers on loopback for one test (never the internet).

    `https_server(handler)` serves a BaseHTTPRequestHandler class on 127.0.0.1
    (host="::1" or another loopback address on request) and returns a LocalServer.
    Nothing trusts or allows it yet: see `trust_local_servers`.
    """
    certificate = tls_ca.issue_cert(*LOCAL_TLS_NAMES)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    certificate.configure_cert(context)
    servers = []

    def serve(handler, *, host: str = "127.0.0.1") -> LocalServer:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        try:
            server = _TLSServer((host, 0), handler, context, family)
        except OSError as error:
            pytest.skip(f"This machine cannot listen on {host}: {error}")
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
        servers.append(server)
        port = server.server_address[1]
        url_host = f"[{host}]" if ":" in host else host
        return LocalServer(f"https://{url_host}:{port}", port, server.connections, server.requests)

    yield serve
    for server in servers:
        server.stopping.set()
        server.shutdown()
        server.server_close()


@pytest.fixture
def trust_local_servers(settings, monkeypatch, tls_ca_file):
    """Let the site's fetcher reach the local https servers, as an organisation
    lists its internal schedule host: loopback allowed, the test CA trusted.

    The CA comes in the way OpenSSL lets an operator add one (SSL_CERT_FILE), so
    the fetcher's own default context is the one tested.
    """
    settings.FETCH_ALLOWED_INTERNAL_HOSTS = ["127.0.0.1", "::1", "localhost"]
    monkeypatch.setenv("SSL_CERT_FILE", str(tls_ca_file))


@pytest.fixture
def file_server(https_server, trust_local_servers):
    """Serve a folder over https on 127.0.0.1 for one test; returns its base URL."""

    def serve(folder) -> str:
        return https_server(functools.partial(QuietHandler, directory=str(folder))).url

    return serve


class LocalHandler(http.server.BaseHTTPRequestHandler):
    """A local server's handler: each request is noted on the server, nothing is logged."""

    def parse_request(self):
        understood = super().parse_request()
        if understood:
            self.server.requests.append(self.path)
        return understood

    def log_message(self, format, *args):
        pass


class QuietHandler(LocalHandler, http.server.SimpleHTTPRequestHandler):
    pass


@pytest.fixture
def without_kubecon_eu_2026(monkeypatch, tmp_path):
    """`load_demo` loads only the hand-written demo: its step that imports KubeCon EU
    2026 (564 sessions) from ../shared/data finds nothing. For tests about the
    hand-written content; the real import has tests of its own."""
    from sessions.demo import kubecon

    monkeypatch.setattr(kubecon, "shared_data_dir", lambda: tmp_path)
