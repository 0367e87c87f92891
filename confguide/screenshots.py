"""`make screenshots`: the main pages at phone and desktop widths, for reviewers to look at.

Starts the site as production runs it (gunicorn, DEBUG off, collected static
files) on loopback, on a fresh SQLite database in a temporary folder filled by
`load_demo` (so the live demo event runs today), and saves a full-page PNG of
every page in PAGES at 390 and 1366 px wide with Playwright and Chromium, into
build/screenshots/ (git-ignored). Nothing in the checkout's database changes.
Then it lists what it wrote, with each page's status.

    python -m confguide.screenshots [--out DIR] [--only NAME ...]

To add a page, add a Shot to PAGES. Not part of `make test`: it takes a minute
and its output is for people. Runs without Django's settings in this process
(the servers have their own), like the benchmark's machinery it reuses.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from confguide.bench.servers import ROOT, Server, free_port

# Stable slugs of the demo content (sessions/demo/): confguide imports no app.
KUBECON_NA_2020 = "kubecon-cloudnativecon-north-america-2020"
LIVE_EVENT = "cloud-native-community-day-live-demo"

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
WIDTHS = {"390": {"width": 390, "height": 844}, "1366": {"width": 1366, "height": 900}}
# Times beside the event's own zone, as a reader abroad sees them.
READER_ZONE = "Europe/London"
SAVED_SESSIONS = 3
SAVE_STAR = re.compile(r"^Save “.+” to my schedule$")


@dataclass(frozen=True)
class Shot:
    """One page to capture: its file name, its path, and the status it should answer."""

    name: str
    path: str
    status: int = 200
    # Captured after a few sessions are saved in the browser (my schedule).
    with_saved_sessions: bool = False


PAGES = [
    Shot("home", "/"),
    Shot("events", "/events/"),
    Shot("event", f"/events/{KUBECON_NA_2020}/"),
    Shot("schedule-day", f"/events/{KUBECON_NA_2020}/schedule/?day=2020-11-20"),
    Shot("live-event-today", f"/events/{LIVE_EVENT}/schedule/"),
    Shot("session", f"/events/{KUBECON_NA_2020}/sessions/persistent-memory-in-kubernetes/"),
    Shot("speakers", "/speakers/"),
    Shot("companies", "/companies/"),
    Shot("themes", "/themes/"),
    Shot("my-schedule", "/my-schedule/", with_saved_sessions=True),
    Shot("my-schedule-live-event", f"/my-schedule/events/{LIVE_EVENT}/", with_saved_sessions=True),
    Shot("search", "/search/?q=kubernetes"),
    Shot("not-found", "/no-such-page/", status=404),
]


def chromium_path() -> str:
    for candidate in (os.environ.get("CHROMIUM_PATH"), *CHROMIUM_CANDIDATES):
        if candidate and shutil.which(candidate):
            return candidate
    raise SystemExit(
        "No Chromium found: install it (apt-get install chromium) or set CHROMIUM_PATH."
    )


def site_environment(work: Path, port: int) -> dict[str, str]:
    """Production's settings on loopback, with a database and static files of their own."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"REDIS_URL", "DJANGO_SETTINGS_MODULE", "PYTHONPATH"}
    }
    return environment | {
        "DJANGO_SETTINGS_MODULE": "confguide.settings",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": f"sqlite:///{work / 'db.sqlite3'}",
        "STATIC_ROOT": str(work / "static"),
        "STATICFILES_BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage",
        "SITE_URL": f"http://127.0.0.1:{port}",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_COOKIES": "false",
        "SECURE_SSL_REDIRECT": "false",
        "EMAIL_BACKEND": "console",
    }


def prepare_site(environment: dict[str, str], log: Path) -> None:
    """Migrate, load the demo content and collect the static files."""
    for command in (
        ("migrate", "--no-input"),
        ("load_demo",),
        ("collectstatic", "--no-input"),
    ):
        print(f"manage.py {' '.join(command)}", flush=True)
        with log.open("ab") as output:
            done = subprocess.run(
                [sys.executable, "manage.py", *command, "-v", "0"],
                cwd=ROOT,
                env=environment,
                stdout=output,
                stderr=subprocess.STDOUT,
                check=False,
            )
        if done.returncode:
            raise SystemExit(f"manage.py {command[0]} failed; see {log}")


def save_some_sessions(page) -> None:
    """Add a few of the live event's sessions to this browser's schedule, as a reader does."""
    for _ in range(SAVED_SESSIONS):
        page.goto(f"/events/{LIVE_EVENT}/schedule/")
        star = page.get_by_role("button", name=SAVE_STAR).first
        title = re.search("“(.+)”", star.get_attribute("aria-label") or "")
        star.click()
        # In place with the page's script; a confirmation page for a first visit without it.
        removed = page.get_by_role(
            "button", name=f"Saved “{title and title[1]}”: remove from my schedule"
        )
        confirm = page.get_by_role("button", name="Add to my schedule", exact=True)
        removed.or_(confirm).first.wait_for()
        if confirm.is_visible():
            confirm.click()
            page.wait_for_load_state()


def capture(base_url: str, out: Path, shots: Iterable[Shot]) -> list[tuple[Path, int, int]]:
    """Every shot at every width; returns (file, status, expected status)."""
    from playwright.sync_api import sync_playwright

    written = []
    shots = list(shots)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            for width, viewport in WIDTHS.items():
                context = browser.new_context(
                    base_url=base_url,
                    viewport=viewport,
                    is_mobile=width == "390",
                    timezone_id=READER_ZONE,
                )
                # The zone the page's script would store on a first visit, so no reload races.
                context.add_cookies(
                    [
                        {
                            "name": "reader_tz",
                            "value": READER_ZONE.replace("/", "%2F"),
                            "url": base_url,
                        }
                    ]
                )
                page = context.new_page()
                page.set_default_timeout(20_000)
                saved = False
                for shot in shots:
                    if shot.with_saved_sessions and not saved:
                        save_some_sessions(page)
                        saved = True
                    response = page.goto(shot.path, wait_until="load")
                    file = out / f"{shot.name}-{width}.png"
                    page.screenshot(path=str(file), full_page=True)
                    written.append((file, response.status if response else 0, shot.status))
                context.close()
        finally:
            browser.close()
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m confguide.screenshots", description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "screenshots")
    parser.add_argument(
        "--only",
        nargs="+",
        metavar="NAME",
        choices=[shot.name for shot in PAGES],
        help="capture only these pages",
    )
    options = parser.parse_args(argv)
    shots = [shot for shot in PAGES if not options.only or shot.name in options.only]
    chromium_path()  # fail before minutes of set-up, not after
    options.out.mkdir(parents=True, exist_ok=True)

    with tempfile.TemporaryDirectory(prefix="confguide-screenshots-") as folder:
        work = Path(folder)
        port = free_port()
        environment = site_environment(work, port)
        log = work / "site.log"
        prepare_site(environment, log)
        server = Server(
            name="gunicorn",
            app="confguide.wsgi",
            log=log,
            workers=2,
            env=environment,
            port=port,
        )
        server.start()
        try:
            server.wait_until_up("/health/")
            written = capture(server.base_url, options.out, shots)
        except BaseException:
            print(server.log_tail(), file=sys.stderr)
            raise
        finally:
            server.stop()

    unexpected = 0
    print(f"Wrote {len(written)} screenshots to {options.out}:")
    for file, status, expected in written:
        note = "" if status == expected else f" (expected {expected})"
        unexpected += status != expected
        print(f"  {file.relative_to(options.out)}  {status}{note}")
    if unexpected:
        print(f"{unexpected} pages answered another status than expected (see above).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
