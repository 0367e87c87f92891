"""The local cluster (confguide/cluster), started once for the cluster check.

`make cluster-check` (pytest -m cluster) and the PostgreSQL run of `make test`
start it through the same command as `make cluster`, on free ports, with a
Redis of its own (so a test may restart it; the shared one on 6379 is never
touched) and its own database on the suite's PostgreSQL server (a throwaway
server of its own where none answers). Everything it started is stopped, and
its database dropped, when the session ends.
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import http.client
import http.cookiejar
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from psycopg import sql

from confguide.cluster import processes
from confguide.cluster.nginx import UPSTREAM_HEADER
from confguide.cluster.plan import SHARED_POSTGRES, Plan, database_name, listening

ROOT = Path(settings.BASE_DIR)
CLUSTER_COMMAND = [sys.executable, "-m", "confguide.cluster"]
# A noisy two-core machine may take its time; these are waits, never assertions.
START_TIMEOUT_S = 600
REQUEST_TIMEOUT_S = 60
PASSWORD = secrets.token_urlsafe(16)
# Accounts the checks sign in with (all confirmed attendees), and one superuser.
ATTENDEES = (
    "reader",
    "guesser-target",
    "after-redis-target",
    *(f"kill-writer-{n}" for n in (1, 2, 3)),
    *(f"redis-writer-{n}" for n in (1, 2, 3)),
)
EDITOR = "cluster-editor"
# Sessions for the load's writers: a generated event, published (seed fixed).
GENERATED_SESSIONS = 240


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/cluster/" in str(item.path).replace(os.sep, "/"):
            item.add_marker(pytest.mark.cluster)


def _nginx_installed() -> bool:
    return shutil.which("nginx") is not None or Path("/usr/sbin/nginx").exists()


def _database_for_the_check() -> str:
    """Beside the suite's own test database on its PostgreSQL server; the shared server
    on 5432 otherwise; a throwaway server of the cluster's own when neither answers."""
    name = f"confguide_cluster_check_{os.getpid()}"
    configured = settings.DATABASES["default"]
    if configured["ENGINE"] == "django.db.backends.postgresql":
        user = configured["USER"] or "postgres"
        password = f":{configured['PASSWORD']}" if configured["PASSWORD"] else ""
        host, port = configured["HOST"] or "127.0.0.1", configured["PORT"] or 5432
        return f"postgres://{user}{password}@{host}:{port}/{name}"
    if listening(SHARED_POSTGRES):
        host, port = SHARED_POSTGRES
        return f"postgres://postgres@{host}:{port}/{name}"
    return "own"


def _drop_database(url: str) -> None:
    parts = urllib.parse.urlsplit(url)
    with psycopg.connect(
        dbname="postgres",
        host=parts.hostname,
        port=parts.port,
        user=parts.username,
        password=parts.password,
        autocommit=True,
        connect_timeout=10,
    ) as server:
        server.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(database_name(url))
            )
        )


@dataclass
class Cluster:
    run_dir: Path
    plan: Plan | None = None  # once started

    def command(self, *arguments: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [*CLUSTER_COMMAND, "--dir", str(self.run_dir), *arguments],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=START_TIMEOUT_S,
        )

    def manage(self, *arguments: str) -> str:
        """manage.py with the cluster's settings, as an operator runs a command (a Job)."""
        done = self.command("manage", *arguments)
        assert done.returncode == 0, f"manage.py {' '.join(arguments)} failed:\n{done.stderr}"
        return done.stdout

    def restart(self, name: str) -> None:
        done = self.command("restart", name)
        assert done.returncode == 0, f"Restarting {name} failed:\n{done.stdout}{done.stderr}"

    def kill(self, name: str) -> None:
        """SIGKILL to the process and everything it forked, as a crash or an OOM kill."""
        pid = processes.pid_of(self.run_dir, name)
        assert pid is not None, f"{name} has no pid file"
        processes.signal_group(pid, signal.SIGKILL)

    def query(self, statement: str, parameters: tuple = ()) -> list[tuple]:
        with psycopg.connect(self.plan.database_url, connect_timeout=10) as connection:
            return connection.execute(statement, parameters).fetchall()

    def mails(self) -> list[email.message.EmailMessage]:
        return [
            email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            for path in sorted(self.plan.mail_dir.glob("*.eml"))
        ]


@pytest.fixture(scope="session")
def cluster(tmp_path_factory) -> Cluster:
    if not _nginx_installed():
        if os.environ.get("CI") == "true":
            pytest.fail("nginx is required under CI for the cluster check: apt-get install nginx")
        pytest.skip("nginx is not installed (make cluster-check installs it).")
    run_dir = tmp_path_factory.mktemp("cluster")
    database = _database_for_the_check()
    started = Cluster(run_dir)
    try:
        done = started.command(
            "start",
            *("--port", "0", "--fresh", "--database", database, "--redis", "own"),
            # Five failed sign-ins per account and client address, as production's default.
            *("--env", "SIGN_IN_ATTEMPTS_PER_ACCOUNT=5"),
        )
        assert done.returncode == 0, f"The cluster did not start:\n{done.stdout}{done.stderr}"
        started.plan = Plan.load(run_dir)
        yield started
    finally:
        started.command("stop")
        # Whatever a failed stop left: nothing of the cluster may outlive the session.
        for pid_file in (run_dir / "pids").glob("*.pid"):
            with contextlib.suppress(ValueError):
                processes.signal_group(int(pid_file.read_text()), signal.SIGKILL)
        if database != "own":
            _drop_database(database)


@dataclass(frozen=True)
class Accounts:
    ids: dict[str, int]
    password: str

    def email(self, name: str) -> str:
        return f"{name}@example.com"


@pytest.fixture(scope="session")
def _site_data(cluster) -> dict[str, int]:
    """Confirmed attendees and an editor (superuser), and a generated event whose
    sessions the load's writers save; made in one manage.py run. Attendees are made
    as confguide.accounts.services.register_attendee makes them, with one password
    hash for all: production's hasher takes most of a second per hash."""
    script = f"""
import json
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
User = get_user_model()
hashed = make_password({PASSWORD!r})
ids = {{}}
for name in {ATTENDEES!r}:
    user = User.objects.create(username=name, email=f"{{name}}@example.com", password=hashed)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    ids[name] = user.pk
ids[{EDITOR!r}] = User.objects.create(
    username={EDITOR!r}, email="{EDITOR}@example.com", password=hashed,
    is_staff=True, is_superuser=True,
).pk
call_command("generate_event", sessions={GENERATED_SESSIONS}, speakers=80, seed=11, verbosity=0)
print(json.dumps(ids))
"""
    printed = cluster.manage("shell", "--verbosity", "0", "--command", script)
    return json.loads(printed.strip().splitlines()[-1])


@pytest.fixture(scope="session")
def accounts(_site_data) -> Accounts:
    return Accounts(ids=_site_data, password=PASSWORD)


@pytest.fixture(scope="session")
def session_ids(cluster, _site_data) -> Callable[[int], list[int]]:
    """Hands out published sessions, each to one caller only, so rows can be counted."""
    pool = [
        row[0]
        for row in cluster.query(
            "SELECT s.id FROM conference_session s JOIN conference_event e ON e.id = s.event_id"
            " WHERE s.status = 'published' AND e.is_published ORDER BY s.id"
        )
    ]

    def take(count: int) -> list[int]:
        assert len(pool) >= count, "Not enough published sessions left for the check."
        taken = pool[:count]
        del pool[:count]
        return taken

    return take


# --- A browser's requests, each through nginx or straight to one replica -----------


@dataclass(frozen=True)
class Answer:
    status: int  # 0: no answer at all (the connection failed)
    headers: dict[str, str]
    text: str
    replica: str | None  # which replica answered
    truncated: bool = False  # the body stopped short of its Content-Length

    @property
    def location(self) -> str:
        return self.headers.get("location", "")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Browser:
    """Cookies kept across every replica, as one browser's are: they name the host,
    not the port. Posts say where they come from (Origin), as browsers do."""

    def __init__(self, cluster: Cluster) -> None:
        self.plan = cluster.plan
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({}),  # loopback: never through a proxy
            urllib.request.HTTPCookieProcessor(self.jar),
            _NoRedirect,
        )

    def base(self, via: str | None) -> str:
        return f"http://127.0.0.1:{self.plan.replica_port(via)}" if via else self.plan.url

    def _open(self, request: urllib.request.Request, via: str | None) -> Answer:
        try:
            response = self.opener.open(request, timeout=REQUEST_TIMEOUT_S)
        except urllib.error.HTTPError as error:
            response = error
        except (urllib.error.URLError, OSError, http.client.HTTPException):
            return Answer(0, {}, "", via)
        with response:
            headers = {name.lower(): value for name, value in response.headers.items()}
            truncated = False
            try:
                body = response.read()
            except http.client.IncompleteRead as partial:
                body, truncated = partial.partial, True
            except (OSError, http.client.HTTPException):
                body, truncated = b"", True
        upstreams = headers.get(UPSTREAM_HEADER.lower(), "")
        # After a retry nginx lists every replica it tried; the last one answered.
        replica = via or self.plan.replica_of(upstreams.split(",")[-1].strip())
        status = getattr(response, "status", None) or response.code
        return Answer(status, headers, body.decode(errors="replace"), replica, truncated)

    def get(self, path: str, *, via: str | None = None, headers: dict | None = None) -> Answer:
        request = urllib.request.Request(self.base(via) + path, headers=headers or {})
        return self._open(request, via)

    def post(self, path: str, data: dict, *, via: str | None = None) -> Answer:
        base = self.base(via)
        request = urllib.request.Request(
            base + path,
            data=urllib.parse.urlencode(data, doseq=True).encode(),
            headers={"Origin": base},
        )
        return self._open(request, via)

    def sign_in(self, email_address: str, password: str, *, form_via=None, post_via=None) -> Answer:
        form = self.get("/accounts/login/", via=form_via)
        return self.post(
            "/accounts/login/",
            {"login": email_address, "password": password, "csrfmiddlewaretoken": token(form)},
            via=post_via,
        )


def token(answer: Answer) -> str:
    found = _TOKEN.search(answer.text)
    assert found, f"No CSRF token in the answer ({answer.status} from {answer.replica})."
    return found.group(1)


class _FormFields(HTMLParser):
    """What a browser submits from the form whose id is given: inputs, checked boxes,
    text areas and the selected options."""

    def __init__(self, form_id: str) -> None:
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside = form_id, False
        self.fields: list[tuple[str, str]] = []
        self._textarea: str | None = None
        self._text = ""
        self._select: tuple[str, list[str], list[str]] | None = None  # name, selected, all

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form":
            self.inside = attributes.get("id") == self.form_id
        if not self.inside or attributes.get("disabled") is not None:
            return
        name = attributes.get("name")
        if tag == "input" and name:
            kind = attributes.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in attributes:
                    self.fields.append((name, attributes.get("value", "on")))
            elif kind not in ("submit", "button", "image", "reset", "file"):
                self.fields.append((name, attributes.get("value", "")))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, ""
        elif tag == "select" and name:
            self._select = (name, [], [])
        elif tag == "option" and self._select is not None:
            value = attributes.get("value", "")
            self._select[2].append(value)
            if "selected" in attributes:
                self._select[1].append(value)

    def handle_data(self, data):
        if self._textarea is not None:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea" and self._textarea is not None:
            self.fields.append((self._textarea, self._text.removeprefix("\n")))
            self._textarea = None
        elif tag == "select" and self._select is not None:
            name, selected, options = self._select
            self.fields += [(name, value) for value in (selected or options[:1])]
            self._select = None


def form_fields(answer: Answer, form_id: str) -> dict[str, str]:
    parser = _FormFields(form_id)
    parser.feed(answer.text)
    assert parser.fields, f"No form #{form_id} in the answer ({answer.status})."
    return dict(parser.fields)


def wait_for(condition: Callable[[], bool], *, what: str, timeout_s: float = 180) -> None:
    """A readiness wait on a busy machine: generous, and never what a test asserts."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, f"Gave up waiting for {what}."
        time.sleep(0.25)
