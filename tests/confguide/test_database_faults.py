"""The site when its PostgreSQL stops or hangs: 503s, a /health/ that answers, recovery.

These run the real thing: a throwaway PostgreSQL cluster of their own on a free
loopback port (never the shared one), the site under gunicorn against it, and
faults made by stopping and freezing that cluster.
"""

import http.cookiejar
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.integration

ROOT = Path(settings.BASE_DIR)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _as_postgres(command: list[str]) -> list[str]:
    # initdb and the server refuse to run as root.
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


class Cluster:
    def __init__(self, folder: Path, port: int):
        self.folder, self.port = folder, port

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/confguide"

    def pg_ctl(self, *args: str) -> None:
        subprocess.run(
            _as_postgres(["pg_ctl", "-D", str(self.folder / "data"), "-w", *args]),
            check=True,
            capture_output=True,
        )

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self.pg_ctl("-o", options, "-l", str(self.folder / "server.log"), "start")

    @property
    def postmaster_pid(self) -> int:
        return int((self.folder / "data" / "postmaster.pid").read_text().split()[0])

    def signal_all(self, number: int) -> None:
        """The server and every backend it forked (open connections included)."""
        children = subprocess.run(
            ["pgrep", "-P", str(self.postmaster_pid)], capture_output=True, text=True
        ).stdout.split()
        for pid in [self.postmaster_pid, *map(int, children)]:
            os.kill(pid, number)


@pytest.fixture(scope="module")
def cluster():
    if shutil.which("initdb") is None or shutil.which("pg_ctl") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("PostgreSQL's initdb and pg_ctl are needed for the database-fault tests.")
        pytest.skip("No initdb/pg_ctl on this machine.")
    folder = Path(tempfile.mkdtemp(prefix="confguide-faults-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    cluster = Cluster(folder, _free_port())
    subprocess.run(
        _as_postgres(["initdb", "-D", str(folder / "data"), "-A", "trust", "-U", "postgres"]),
        check=True,
        capture_output=True,
    )
    cluster.start()
    try:
        subprocess.run(
            _as_postgres(
                [
                    *("psql", "-h", "127.0.0.1", "-p", str(cluster.port), "-U", "postgres"),
                    *("-q", "-c", "CREATE DATABASE confguide"),
                ]
            ),
            check=True,
            capture_output=True,
        )
        yield cluster
    finally:
        cluster.signal_all(signal.SIGCONT)
        cluster.pg_ctl("-m", "immediate", "stop")
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def site(cluster):
    environment = {
        **os.environ,
        "DATABASE_URL": cluster.url,
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_COOKIES": "false",
        "STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
        "DATABASE_CONNECT_TIMEOUT": "2",
        "REDIS_URL": "",
    }
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v0"],
        cwd=ROOT,
        env=environment,
        check=True,
        capture_output=True,
    )
    port = _free_port()
    server = subprocess.Popen(
        [
            *(sys.executable, "-m", "gunicorn", "-c", "confguide/gunicorn.conf.py"),
            *("--bind", f"127.0.0.1:{port}", "--workers", "1", "--access-logfile", "/dev/null"),
        ],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while _get(f"{base}/health/")[0] != 200:
            assert time.monotonic() < deadline, "gunicorn did not come up"
            time.sleep(0.2)
        yield base
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def _get(url: str, *, timeout: float = 10) -> tuple[int, dict[str, str], str]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()
    except (urllib.error.URLError, ConnectionError):
        return 0, {}, ""


def test_pages_answer_503_while_the_database_is_stopped_and_recover_after(cluster, site):
    assert _get(f"{site}/")[0] == 200

    cluster.pg_ctl("-m", "fast", "stop")
    try:
        status, headers, body = _get(f"{site}/")
        assert status == 503
        assert headers["Retry-After"] == "30"
        assert "The guide is back in a moment" in body
        assert _get(f"{site}/events/")[0] == 503
        assert _get(f"{site}/health/")[0] == 503
    finally:
        cluster.start()

    # Nothing restarted but the database: the next requests are served again.
    assert _get(f"{site}/")[0] == 200
    assert _get(f"{site}/health/")[0] == 200


def test_health_answers_503_in_time_while_the_database_hangs(cluster, site):
    assert _get(f"{site}/health/")[0] == 200
    cluster.signal_all(signal.SIGSTOP)  # frozen: open connections and new ones alike
    try:
        # A load balancer gives up after a few seconds; /health/ must answer first.
        status, _, body = _get(f"{site}/health/", timeout=3)
    finally:
        cluster.signal_all(signal.SIGCONT)

    assert status == 503
    assert '"status": "error"' in body
    assert _get(f"{site}/health/")[0] == 200


@pytest.mark.parametrize(
    ("imports", "statement_timeout"),
    [("import gunicorn", "-c statement_timeout=5000"), ("", None)],
)
def test_only_the_web_server_cancels_long_statements(imports, statement_timeout):
    script = (
        f"{imports}\nimport django\ndjango.setup()\nfrom django.conf import settings\n"
        "options = settings.DATABASES['default']['OPTIONS']\n"
        "print(options['connect_timeout'], options.get('options'))"
    )
    environment = {
        **os.environ,
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres",
        "DJANGO_SETTINGS_MODULE": "confguide.settings",
    }
    for name in ("DATABASE_CONNECT_TIMEOUT", "DATABASE_STATEMENT_TIMEOUT"):
        environment.pop(name, None)
    printed = (
        subprocess.run(
            [sys.executable, "-c", script],
            cwd=ROOT,
            env=environment,
            capture_output=True,
            text=True,
        )
        .stdout.strip()
        .split(maxsplit=1)
    )

    assert printed == ["3", str(statement_timeout)]


def test_a_contact_message_sent_while_the_database_is_out_comes_back_to_send_again(cluster, site):
    jar = http.cookiejar.CookieJar()
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with browser.open(f"{site}/contact/", timeout=10) as response:
        form_page = response.read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form_page).group(1)
    typed = {
        "csrfmiddlewaretoken": token,
        "name": "Ada Lovelace",
        "email": "ada@example.com",
        "company": "Analytical Engines",
        "topic": "storage",
        "message": "Our stateful workloads need persistent memory & more <help>.",
        "consent": "on",
        "homepage": "",
        "source": "",
    }

    cluster.pg_ctl("-m", "fast", "stop")
    try:
        with pytest.raises(urllib.error.HTTPError) as refused:
            browser.open(f"{site}/contact/", urllib.parse.urlencode(typed).encode(), timeout=10)
    finally:
        cluster.start()

    answer = refused.value
    with answer:
        page = answer.read().decode()
    assert answer.code == 503
    assert "Your message is not sent yet" in page
    assert "persistent memory &amp; more &lt;help&gt;." in page
    assert 'value="Ada Lovelace"' in page
    resend = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page))
    typed["csrfmiddlewaretoken"] = resend["csrfmiddlewaretoken"]

    with browser.open(
        f"{site}/contact/", urllib.parse.urlencode(typed).encode(), timeout=10
    ) as sent:
        assert sent.status == 200 and "/contact/thanks/" in sent.url
