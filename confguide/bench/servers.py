"""The processes and HTTP the benchmark uses, all on loopback."""

from __future__ import annotations

import gzip
import http.client
import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

# The project directory, found without Django's settings: `make cluster` starts
# servers from a process that has none (confguide/cluster).
ROOT = Path(__file__).resolve().parent.parent.parent
GUNICORN_CONFIG = ROOT / "confguide" / "gunicorn.conf.py"
# Every request says so, as browsers do: the site may answer gzipped.
BROWSER_HEADERS = {"Accept-Encoding": "gzip"}
_CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Server:
    """A gunicorn started with the project's config, in its own process group."""

    name: str
    app: str
    log: Path
    workers: int
    env: dict[str, str]
    options: tuple[str, ...] = ()  # command-line flags, which override the config file
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    f"--config={GUNICORN_CONFIG}",
                    f"--bind=127.0.0.1:{self.port}",
                    f"--workers={self.workers}",
                    *self.options,
                    self.app,
                ],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                # Its own process group, so stopping it stops its workers too.
                start_new_session=True,
            )

    def wait_until_up(self, path: str, *, timeout_s: float = 60) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process is None or self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited during start-up.\n{self.log_tail()}")
            try:
                status, _, _ = fetch(self.base_url + path, timeout_s=2)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} did not answer {path} in {timeout_s:.0f} s.")

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)  # gunicorn's graceful_timeout is 20 s
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        except ProcessLookupError:
            pass

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


@dataclass(frozen=True)
class Page:
    """One answer, as the site sent it to a browser that accepts gzip."""

    status: int
    headers: dict[str, str]
    body: bytes  # as sent: gzipped when Content-Encoding says so

    @property
    def content(self) -> bytes:
        if self.headers.get("content-encoding") == "gzip":
            return gzip.decompress(self.body)
        return self.body


def fetch(
    url: str, *, headers: dict[str, str] | None = None, timeout_s: float = 10
) -> tuple[int, dict[str, str], bytes]:
    """GET url over plain http.client, so the body arrives exactly as sent (not gunzipped)."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout_s)
    try:
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        connection.request("GET", target, headers=headers or {})
        response = connection.getresponse()
        body = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, body
    finally:
        connection.close()


def fetch_page(url: str, *, headers: dict[str, str] | None = None) -> Page:
    status, response_headers, body = fetch(url, headers={**BROWSER_HEADERS, **(headers or {})})
    return Page(status=status, headers=response_headers, body=body)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def sign_in(base_url: str, *, email: str, password: str) -> str:
    """Sign in through the real form; returns the Cookie header a signed-in browser sends."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect)
    login_url = f"{base_url}/accounts/login/"
    with opener.open(login_url, timeout=10) as response:
        match = _CSRF_INPUT.search(response.read().decode())
    if match is None:
        raise RuntimeError(f"No CSRF token in the sign-in form at {login_url}.")
    form = urllib.parse.urlencode(
        {"login": email, "password": password, "csrfmiddlewaretoken": match.group(1)}
    ).encode()
    try:
        opener.open(urllib.request.Request(login_url, data=form), timeout=10)
    except urllib.error.HTTPError as answer:
        if answer.code != 302:
            raise RuntimeError(f"Signing in answered {answer.code}, not a redirect.") from None
    else:
        raise RuntimeError("Signing in did not redirect: the credentials were refused.")
    cookies = {cookie.name: cookie.value for cookie in jar}
    if "sessionid" not in cookies:
        raise RuntimeError("Signing in set no session cookie.")
    return "; ".join(f"{name}={value}" for name, value in sorted(cookies.items()))


class HealthPoller(threading.Thread):
    """Fetch /health/ once a second, recording how long each answer took."""

    def __init__(self, url: str, *, timeout_s: float = 5) -> None:
        super().__init__(name="health-poller", daemon=True)
        self.url = url
        self.timeout_s = timeout_s
        self.times_ms: list[float] = []
        self.failures = 0
        self._stop_polling = threading.Event()

    def run(self) -> None:
        while not self._stop_polling.is_set():
            started = time.monotonic()
            try:
                with urllib.request.urlopen(self.url, timeout=self.timeout_s) as response:
                    response.read()
                    ok = response.status == 200
            except OSError:  # refused, timed out, or an error status
                ok = False
            elapsed = time.monotonic() - started
            self.times_ms.append(elapsed * 1000)
            self.failures += not ok
            self._stop_polling.wait(max(0.0, 1.0 - elapsed))

    def stop(self) -> None:
        self._stop_polling.set()
        self.join(timeout=self.timeout_s + 2)
