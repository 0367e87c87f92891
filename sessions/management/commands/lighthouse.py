"""`make lighthouse`: Lighthouse's phone profile on four pages, served as in production.

Runs with confguide.bench.settings (DEBUG off, WhiteNoise's manifest storage,
gzip) on a database of its own, dropped and recreated each time and loaded
with the demo content; gunicorn serves it on loopback with the project's
config. An attendee signs in through the real form and saves a few sessions,
so "my schedule" is measured as they see it. Writes the four category scores
of each page to docs/lighthouse.md. Not part of `make test`: the numbers
depend on the machine, and a run takes minutes.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import secrets
import shutil
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count
from django.urls import reverse

from confguide.bench import servers
from sessions.demo import bench as fixture
from sessions.models import Event, Session

CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
CATEGORY_NAMES = {
    "performance": "Performance",
    "accessibility": "Accessibility",
    "best-practices": "Best practices",
    "seo": "SEO",
}
TARGET = 95
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu --disable-background-networking"
DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/confguide_lighthouse_bench"
USERNAME = "lighthouse-attendee"
SAVED = 6
OUTPUT = Path(settings.BASE_DIR) / "docs" / "lighthouse.md"


def lighthouse_binary() -> str:
    path = os.environ.get("LIGHTHOUSE") or str(
        Path(settings.BASE_DIR) / "node_modules" / ".bin" / "lighthouse"
    )
    if not Path(path).exists():
        raise CommandError(f"No Lighthouse at {path}: run `npm ci` (make lighthouse does).")
    return path


def audit(url: str, *, report: Path, cookie: str | None = None) -> dict:
    """One Lighthouse run (its default: a mid-range phone on a slow 4G link)."""
    command = [
        lighthouse_binary(),
        url,
        "--quiet",
        "--output=json",
        f"--output-path={report}",
        f"--only-categories={','.join(CATEGORIES)}",
        f"--chrome-flags={CHROME_FLAGS}",
    ]
    if cookie:
        command.append(f"--extra-headers={json.dumps({'Cookie': cookie})}")
    env = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")}
    finished = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    if finished.returncode != 0:
        raise CommandError(f"Lighthouse failed on {url}:\n{finished.stderr[-2000:]}")
    return json.loads(report.read_text())


def below_target(result: dict) -> list[str]:
    """What costs points: each failing audit of a category under the target, by weight."""
    notes = []
    for key in CATEGORIES:
        category = result["categories"][key]
        if round(category["score"] * 100) >= TARGET:
            continue
        failing = [
            ref
            for ref in category["auditRefs"]
            if ref["weight"] > 0
            and (score := result["audits"][ref["id"]].get("score")) is not None
            and score < 0.9
        ]
        failing.sort(key=lambda ref: -ref["weight"])
        titles = [
            f"{result['audits'][ref['id']]['title']}"
            + (
                f" ({result['audits'][ref['id']]['displayValue']})"
                if result["audits"][ref["id"]].get("displayValue")
                else ""
            )
            for ref in failing[:4]
        ]
        notes.append(f"{CATEGORY_NAMES[key]}: " + "; ".join(titles))
    return notes


def document(rows: list[tuple[str, str, dict]], *, when: dt.datetime, version: str) -> str:
    lines = [
        "# Lighthouse",
        "",
        "`make lighthouse` runs Lighthouse's default phone profile (a mid-range phone",
        "on a throttled 4G link) on four pages of the demo content, served as in",
        "production: gunicorn with `confguide/gunicorn.conf.py`, `DEBUG` off, WhiteNoise's",
        "manifest storage, on a PostgreSQL database of its own (`LIGHTHOUSE_DATABASE_URL`,",
        "default `confguide_lighthouse_bench`, dropped and recreated on each run). My",
        "schedule is measured signed in, with a few saved sessions. Chromium is",
        "`CHROME_PATH` (default `/usr/bin/chromium`). The target is at least "
        f"{TARGET} in each category.",
        "",
        "Not part of `make test`: the scores, performance above all, depend on the",
        "machine and on what else runs on it.",
        "",
        "Lighthouse is an npm development dependency (package.json). Its `overrides`",
        "pin two packages that Lighthouse's trace engine asks for at `latest`:",
        "without them `npm ci` refuses the lock file, which holds the versions",
        "Lighthouse itself asks for.",
        "",
        f"Run {when:%Y-%m-%d %H:%M} UTC, Lighthouse {version}.",
        "",
        "| Page | Address | " + " | ".join(CATEGORY_NAMES[key] for key in CATEGORIES) + " |",
        "|---|---|" + "---:|" * len(CATEGORIES),
    ]
    notes = []
    for label, path, result in rows:
        scores = [round(result["categories"][key]["score"] * 100) for key in CATEGORIES]
        cells = [str(score) if score >= TARGET else f"**{score}**" for score in scores]
        lines.append(f"| {label} | `{path}` | " + " | ".join(cells) + " |")
        notes += [f"- {label}: {note}" for note in below_target(result)]
    lines += ["", "Scores in bold are under the target."]
    if notes:
        lines += ["", "## What costs points", "", *notes]
    return "\n".join(lines) + "\n"


class Command(BaseCommand):
    help = "Run Lighthouse's phone profile on the home, a day, a session and my schedule."

    def handle(self, *args, **options):
        if os.environ.get("DJANGO_SETTINGS_MODULE") != "confguide.bench.settings":
            raise CommandError("Run with DJANGO_SETTINGS_MODULE=confguide.bench.settings.")
        work = Path(tempfile.mkdtemp(prefix="confguide-lighthouse-"))
        server = None
        try:
            self.stdout.write(f"Building {settings.DATABASES['default']['NAME']} (demo)...")
            fixture.recreate_database(settings.DATABASES["default"])
            call_command("migrate", interactive=False, verbosity=0)
            call_command("load_demo", verbosity=0, stdout=io.StringIO())
            call_command("collectstatic", interactive=False, clear=True, verbosity=0)
            password = secrets.token_urlsafe(16)
            pages = self.pages(password)
            server = servers.Server(
                name="site",
                app="confguide.wsgi",
                log=work / "site.log",
                workers=2,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
            )
            server.start()
            server.wait_until_up("/health/")
            # localhost, not 127.0.0.1: the name browsers treat as a secure context.
            base = server.base_url.replace("127.0.0.1", "localhost")
            cookie = servers.sign_in(
                server.base_url, email=f"{USERNAME}@localhost", password=password
            )
            rows = []
            for label, path, signed_in in pages:
                self.stdout.write(f"Lighthouse: {label} ({path})...")
                result = audit(
                    base + path,
                    report=work / "report.json",
                    cookie=cookie if signed_in else None,
                )
                rows.append((label, path, result))
            text = document(
                rows, when=dt.datetime.now(dt.UTC), version=rows[0][2]["lighthouseVersion"]
            )
            OUTPUT.write_text(text)
            self.stdout.write(text)
        finally:
            if server is not None:
                server.stop()
            shutil.rmtree(work, ignore_errors=True)
            shutil.rmtree(settings.STATIC_ROOT, ignore_errors=True)

    def pages(self, password: str) -> list[tuple[str, str, bool]]:
        """The four pages, and an attendee who saved sessions of the busiest demo day."""
        from confguide.accounts.services import register_attendee
        from sessions.myschedule.services import add_sessions

        event = (
            Event.objects.published()
            .annotate(count=Count("sessions"))
            .order_by("-count", "slug")
            .first()
        )
        if event is None:
            raise CommandError("load_demo made no published event.")
        public = Session.objects.public().filter(event=event)
        day = fixture.busiest_day(public.values_list("starts_at", flat=True), event.tz)
        on_day = [
            session
            for session in public.select_related("event").order_by("starts_at", "pk")
            if session.starts_at.astimezone(event.tz).date() == day
        ]
        user = register_attendee(
            username=USERNAME, email=f"{USERNAME}@localhost", password=password
        )
        add_sessions(user=user, sessions=fixture.spread(on_day, SAVED))
        schedule = reverse("conference:schedule", kwargs={"slug": event.slug})
        return [
            ("Home", reverse("home"), False),
            (f"Schedule day ({len(on_day)} sessions)", f"{schedule}?day={day:%Y-%m-%d}", False),
            ("Session", on_day[0].get_absolute_url(), False),
            ("My schedule (signed in)", reverse("myschedule:index"), True),
        ]
