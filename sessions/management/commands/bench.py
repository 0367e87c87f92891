"""`make bench`: load-test the production stack on this machine (see confguide/bench/)."""

from __future__ import annotations

import atexit
import datetime as dt
import json
import os
import platform
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import django
import gunicorn
import psycopg
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from confguide.bench import report, rounds, servers, wrk
from confguide.bench.options import Options
from confguide.bench.static import CONTENT_TYPES
from sessions.demo import bench as fixture

BENCH_SETTINGS = "confguide.bench.settings"
SESSIONS, SPEAKERS, SEED = 1000, 1500, 1
WORKERS = 2
USERNAME = "bench-attendee"


@dataclass(frozen=True)
class Target:
    """A URL the benchmark loads, and what it is held to."""

    key: str
    label: str
    path: str
    static_name: str | None = None  # its bytes are saved under this name for the static limit
    static_of: str | None = None  # or compared with another page's static limit
    signed_in: bool = False
    share: float | None = None  # target: at least this share of the static limit
    queries: int | None = None  # target: at most this many queries, warm


@dataclass
class Load:
    """One URL the rounds measure: a page, a static limit or a conditional GET."""

    label: str
    server: servers.Server
    path: str
    headers: dict[str, str] = field(default_factory=dict)


def static_key(key: str) -> str:
    """The key under which a target's static limit is loaded."""
    return f"{key}:static"


def conditional_key(key: str) -> str:
    return f"{key}:304"


@dataclass
class Run:
    options: Options
    say: Callable[[str], None]
    started: list[servers.Server] = field(default_factory=list)  # to stop at the end
    work: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="confguide-bench-")))
    notes: list[str] = field(default_factory=list)
    script: str = ""  # wrk's Lua script, written into the work folder
    round_load: list[float] = field(default_factory=list)  # 1-minute load as each round began

    def stop(self) -> None:
        """Stop every server this run started and remove its files; safe to call twice."""
        for server in self.started:
            server.stop()
        shutil.rmtree(self.work, ignore_errors=True)
        shutil.rmtree(settings.STATIC_ROOT, ignore_errors=True)

    # --- Steps ----------------------------------------------------------------

    def execute(self) -> str:
        started = dt.datetime.now(dt.UTC)
        load_before = os.getloadavg()
        self.say(f"Building the database {settings.DATABASES['default']['NAME']}...")
        fixture.recreate_database(settings.DATABASES["default"])
        fixture.build_database(sessions=SESSIONS, speakers=SPEAKERS, seed=SEED)
        clear_cache()
        self.say("Collecting static files (manifest storage, compressed)...")
        call_command("collectstatic", interactive=False, clear=True, verbosity=0)
        password = secrets.token_urlsafe(16)
        event = fixture.prepare(seed=SEED, username=USERNAME, password=password)
        self.say(
            f"{event.event.name}: busiest day {event.day:%a %-d %b %Y} "
            f"({event.day_sessions} sessions); session page {event.session.get_absolute_url()}"
        )

        script = self.work / "statuses.lua"
        script.write_text(wrk.LUA_SCRIPT)
        self.script = str(script)
        env = {**os.environ, "WEB_CONCURRENCY": str(WORKERS), "PYTHONUNBUFFERED": "1"}
        site = self.start_server("site", "confguide.wsgi", env=env, ready="/health/")
        # prepare() gave the attendee this address, confirmed.
        cookie = servers.sign_in(site.base_url, email=f"{USERNAME}@localhost", password=password)
        mine = servers.fetch_page(
            site.base_url + reverse("myschedule:index"), headers={"Cookie": cookie}
        )
        if mine.status != 200:
            raise RuntimeError(f"Signed in, yet /my-schedule/ answered {mine.status}.")

        targets = self.targets(event)
        pages = self.capture(site, targets, cookie=cookie)
        static = self.start_server(
            "static limit",
            "confguide.bench.static",
            env={**env, "BENCH_PAGES_DIR": str(self.work / "pages")},
            ready=f"/{CONTENT_TYPES}",
            # At thousands of requests a second its workers would reach max_requests
            # within the run; a restart there is noise in the yardstick, not a finding.
            options=("--max-requests=0",),
        )

        self.say("Counting queries and timing cold renders in-process...")
        user = get_user_model().objects.get(username=USERNAME)
        query_counts = {
            t.key: warm_queries(t.path, user=user if t.signed_in else None) for t in targets
        }
        cold = cold_render(targets[0].path, runs=self.options.cold_runs)

        loads, groups = self.plan(targets, pages, site=site, static=static, cookie=cookie)
        self.warm_up(loads, groups)
        # Probed once both workers hold every page, as a returning reader would find them.
        conditionals = {}
        for target in targets:
            if not target.signed_in:
                header = self.conditional_header(site, target, pages[target.key])
                if header is not None:
                    key = conditional_key(target.key)
                    conditional = Load(f"{target.label}, conditional", site, target.path, header)
                    self.warm_up({key: conditional}, [[key]])
                    loads[key] = conditional
                    conditionals[target.key] = header
                    groups.append([key])

        results = self.measure_in_rounds(loads, groups)

        rows: list[report.Row] = []
        for target in targets:
            limit_key = static_key(target.static_of or target.key)
            row = report.Row.measured(
                target.label,
                results[target.key],
                static_rounds=results.get(limit_key),
                queries=query_counts[target.key],
            )
            if target.share is not None:
                row.targets.append(report.at_least_share(row, target.share))
            if target.queries is not None:
                row.targets.append(report.at_most_queries(row.queries, target.queries))
            rows.append(row)
            if static_key(target.key) in results:
                rows.append(
                    report.Row.measured(
                        "↳ static limit, same bytes", results[static_key(target.key)]
                    )
                )
        for target in targets:
            if target.key in conditionals:
                rows.append(
                    report.Row.measured(
                        f"{target.label}, conditional GET (304)",
                        results[conditional_key(target.key)],
                        queries=warm_queries(target.path, headers=conditionals[target.key]),
                    )
                )

        crowd = self.crowd(site, targets[0].path)
        clear_cache()  # leave no entries behind in a shared Redis
        self.notes += [
            f"Load average (1, 5, 15 min) before the run: {format_load(load_before)}; "
            f"after: {format_load(os.getloadavg())}. Anything else running on the machine "
            "takes CPU from both the site and its static limit.",
            "Pages: "
            + "; ".join(f"{t.label}: `{t.path}`" for t in targets if not t.signed_in)
            + ". Signed in: the busiest day with the attendee's session cookie, from a real "
            "sign-in through the form.",
            "The signed-in page is compared with the static limit of the anonymous page's bytes.",
        ]
        o = self.options
        return report.document(
            title_note=" (quick mode: short runs, rough numbers)" if o.quick else "",
            machine=machine(),
            when=started,
            method=report.method(
                rounds=o.rounds,
                duration_s=o.duration_s,
                warmup_s=o.warmup_s,
                connections=o.connections,
            ),
            rows=rows,
            round_load=self.round_load,
            crowd=crowd,
            cold=cold,
            notes=self.notes,
        )

    def start_server(
        self, name: str, app: str, *, env: dict, ready: str, options: tuple[str, ...] = ()
    ) -> servers.Server:
        server = servers.Server(
            name=name,
            app=app,
            log=self.work / f"{name.replace(' ', '-')}.log",
            workers=WORKERS,
            env=env,
            options=options,
        )
        self.started.append(server)
        server.start()
        server.wait_until_up(ready)
        self.say(f"Started {name} (gunicorn, {WORKERS} workers) at {server.base_url}.")
        return server

    def targets(self, event: fixture.Fixture) -> list[Target]:
        slug = event.event.slug
        day = f"{reverse('conference:schedule', kwargs={'slug': slug})}?day={event.day:%Y-%m-%d}"
        day_label = f"Busiest day ({event.day:%a %-d %b}, {event.day_sessions} sessions)"
        return [
            Target(
                "day",
                f"{day_label}, anonymous",
                day,
                static_name="day.html",
                share=report.DAY_OF_STATIC,
                queries=report.WARM_QUERIES,
            ),
            Target(
                "day-signed-in",
                f"{day_label}, signed in, {fixture.SAVED_SESSIONS} saved",
                day,
                static_of="day",
                signed_in=True,
                share=report.SIGNED_IN_OF_STATIC,
            ),
            Target(
                "session",
                "Session page",
                event.session.get_absolute_url(),
                static_name="session.html",
                share=report.SESSION_OF_STATIC,
                queries=report.WARM_QUERIES,
            ),
            Target("home", "Home", reverse("home"), static_name="home.html"),
            Target(
                "speakers",
                "Speakers",
                reverse("conference:speaker_list"),
                static_name="speakers.html",
            ),
            Target(
                "frab-xml",
                "frab XML",
                reverse("exports:frab_xml", kwargs={"slug": slug}),
                static_name="schedule.xml",
                share=report.EXPORT_OF_STATIC,
            ),
            Target(
                "frab-json",
                "frab JSON",
                reverse("exports:frab_json", kwargs={"slug": slug}),
                static_name="schedule.json",
                share=report.EXPORT_OF_STATIC,
            ),
            Target(
                "ics",
                "Event iCalendar",
                reverse("exports:event_ics", kwargs={"slug": slug}),
                static_name="schedule.ics",
                share=report.EXPORT_OF_STATIC,
            ),
        ]

    def capture(
        self, site: servers.Server, targets: list[Target], *, cookie: str
    ) -> dict[str, servers.Page]:
        """Fetch each page once; save the static ones' bytes exactly as the site sent them."""
        folder = self.work / "pages"
        folder.mkdir()
        content_types = {}
        pages = {}
        for target in targets:
            headers = {"Cookie": cookie} if target.signed_in else {}
            page = pages[target.key] = servers.fetch_page(
                site.base_url + target.path, headers=headers
            )
            if page.status != 200:
                self.notes.append(f"{target.label} answered {page.status} when first fetched.")
                self.say(f"Warning: {target.label} answered HTTP {page.status}.")
                continue
            if not target.static_name:
                continue
            (folder / target.static_name).write_bytes(page.content)
            if page.headers.get("content-encoding") == "gzip":
                (folder / f"{target.static_name}.gz").write_bytes(page.body)
            content_types[target.static_name] = page.headers.get("content-type", "")
        (folder / CONTENT_TYPES).write_text(json.dumps(content_types))
        return pages

    def plan(
        self,
        targets: list[Target],
        pages: dict[str, servers.Page],
        *,
        site: servers.Server,
        static: servers.Server,
        cookie: str,
    ) -> tuple[dict[str, Load], list[list[str]]]:
        """What the rounds load, by key, and in which groups: each page with its static
        limit, and a page compared with another's limit (signed in) right after that limit."""
        loads = {
            target.key: Load(
                target.label, site, target.path, {"Cookie": cookie} if target.signed_in else {}
            )
            for target in targets
        }
        groups: list[list[str]] = []
        grouped: set[str] = set()
        for target in targets:
            if target.static_name and pages[target.key].status == 200:
                loads[static_key(target.key)] = Load(
                    f"static limit for {target.label}", static, f"/{target.static_name}"
                )
                members = [target.key, *(t.key for t in targets if t.static_of == target.key)]
                groups.append(rounds.pair(members, static_key(target.key)))
                grouped.update(members)
        # A page without a limit to stand next to (its bytes were not saved) runs alone.
        groups += [[target.key] for target in targets if target.key not in grouped]
        return loads, groups

    def warm_up(self, loads: dict[str, Load], groups: list[list[str]]) -> None:
        """Warm these URLs up, in the order of the first round, before any is measured."""
        if len(loads) > 1:
            self.say(f"Warming up {len(loads)} URLs, {self.options.warmup_s} s each...")
        for key in rounds.round_order(groups, 0):
            if key in loads:
                self.warm(loads[key])

    def measure_in_rounds(
        self, loads: dict[str, Load], groups: list[list[str]]
    ) -> dict[str, rounds.Series]:
        """Load each URL once per round; every run's result by key.

        The order puts each page next to its static limit and reverses every other
        round (see confguide/bench/rounds.py).
        """
        o = self.options
        results: dict[str, list[wrk.WrkResult | None]] = {key: [] for key in loads}
        for index in range(o.rounds):
            self.round_load.append(os.getloadavg()[0])
            self.say(f"Round {index + 1} of {o.rounds}, {o.duration_s} s per URL:")
            for key in rounds.round_order(groups, index):
                results[key].append(self.measure(loads[key]))
        return {key: rounds.Series(tuple(runs)) for key, runs in results.items()}

    def warm(self, load: Load) -> None:
        """Load the URL unmeasured until every connection has had an answer.

        Filling a cold cache (in each worker, with a local-memory cache) can take
        longer than one warm-up run, and that is not what is measured.
        """
        o = self.options
        url = load.server.base_url + load.path
        for _ in range(5):
            warm = self.drive(url, load.headers, connections=o.connections, duration_s=o.warmup_s)
            if warm is None or warm.requests >= o.connections:
                break

    def measure(self, load: Load) -> wrk.WrkResult | None:
        o = self.options
        url = load.server.base_url + load.path
        result = self.drive(url, load.headers, connections=o.connections, duration_s=o.duration_s)
        if result is not None:
            self.say(
                f"  {load.label}: {result.requests_per_second:,.1f} requests/s, "
                f"p99 {report.milliseconds(result.p99_ms)}, {result.errors} errors"
            )
        return result

    def drive(
        self, url: str, headers: dict[str, str], *, connections: int, duration_s: int
    ) -> wrk.WrkResult | None:
        """One wrk run, every request with browser headers; None if wrk failed."""
        command = wrk.command(
            url,
            script=self.script,
            threads=self.options.threads,
            connections=connections,
            duration_s=duration_s,
            headers={**servers.BROWSER_HEADERS, **headers},
        )
        completed = subprocess.run(
            command, capture_output=True, text=True, timeout=duration_s + 60, check=False
        )
        try:
            return wrk.parse_output(completed.stdout)
        except wrk.WrkOutputError:
            self.say(f"Warning: wrk failed on {url}: {completed.stderr.strip()}")
            return None

    def conditional_header(
        self, site: servers.Server, target: Target, page: servers.Page
    ) -> dict[str, str] | None:
        """The header of a conditional GET, as apps re-fetching a feed send; None if the
        page cannot be fetched that way (noted)."""
        if "etag" in page.headers:
            header = {"If-None-Match": page.headers["etag"]}
        elif "last-modified" in page.headers:
            header = {"If-Modified-Since": page.headers["last-modified"]}
        else:
            self.notes.append(
                f"{target.label} sends neither ETag nor Last-Modified: no conditional GET."
            )
            return None
        probe = servers.fetch_page(site.base_url + target.path, headers=header)
        if probe.status != 304:
            self.notes.append(
                f"{target.label} answered {probe.status}, not 304, to a conditional GET "
                f"({', '.join(header)}): not measured."
            )
            return None
        return header

    def crowd(self, site: servers.Server, path: str) -> report.Crowd:
        o = self.options
        self.say(f"Crowd: {o.crowd_connections} connections for {o.crowd_duration_s} s...")
        url = site.base_url + path
        poller = servers.HealthPoller(site.base_url + reverse("health"))
        poller.start()
        try:
            result = self.drive(
                url, {}, connections=o.crowd_connections, duration_s=o.crowd_duration_s
            )
            time.sleep(3)  # and right after the crowd leaves
        finally:
            poller.stop()
        return report.Crowd(
            connections=o.crowd_connections,
            duration_s=o.crowd_duration_s,
            result=result,
            health_ms=poller.times_ms,
            health_failures=poller.failures,
        )


def _client(user=None, headers: dict[str, str] | None = None) -> Client:
    # A failing view answers 500 here, as in production, instead of raising.
    client = Client(
        raise_request_exception=False,
        headers={"Host": "127.0.0.1", **servers.BROWSER_HEADERS, **(headers or {})},
    )
    if user is not None:
        client.force_login(user)
    return client


def warm_queries(path: str, *, user=None, headers: dict[str, str] | None = None) -> int | None:
    """Queries of the second of two identical requests, in-process."""
    client = _client(user, headers)
    client.get(path)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    return len(queries) if response.status_code in (200, 304) else None


def cold_render(path: str, *, runs: int) -> report.ColdRender:
    """Time the page with the cache emptied before each request, in-process.

    The first request compiles templates and imports views: a cold cache is
    measured, not a cold process.
    """
    client = _client()
    client.get(path)
    times = []
    for _ in range(runs):
        clear_cache()
        started = time.perf_counter()
        response = client.get(path)
        elapsed = time.perf_counter() - started
        if response.status_code == 200:
            times.append(elapsed * 1000)
    clear_cache()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    return report.ColdRender(
        times_ms=times, queries=len(queries) if response.status_code == 200 else None
    )


def clear_cache() -> None:
    """Empty every cache; in Redis only the benchmark's own keys (the prefix its settings set)."""
    for alias in settings.CACHES:
        cache = caches[alias]
        if isinstance(cache, RedisCache):
            client = cache._cache.get_client(None, write=True)
            keys = list(client.scan_iter(match=f"{cache.key_prefix}:*", count=1000))
            for start in range(0, len(keys), 1000):
                client.delete(*keys[start : start + 1000])
        else:
            cache.clear()


def format_load(load: tuple[float, float, float]) -> str:
    return ", ".join(f"{value:.2f}" for value in load)


def machine() -> dict[str, str]:
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").is_file() else ""
    model = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.MULTILINE)
    meminfo = Path("/proc/meminfo").read_text() if Path("/proc/meminfo").is_file() else ""
    memory = re.search(r"^MemTotal:\s*(\d+) kB", meminfo, re.MULTILINE)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    wrk_version = subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False)
    threads = os.environ.get("GUNICORN_THREADS") or "4"
    return {
        "CPU": f"{len(os.sched_getaffinity(0))} cores (nproc), "
        + (model.group(1).strip() if model else "model unknown"),
        "Memory": f"{int(memory.group(1)) / 1024**2:.1f} GiB" if memory else "unknown",
        "Software": f"Python {platform.python_version()}, Django {django.get_version()}, "
        f"PostgreSQL {postgres}, gunicorn {gunicorn.__version__}, "
        + (wrk_version.stdout.splitlines() or ["wrk"])[0].split(" Copyright")[0].strip(),
        "Server": f"gunicorn, {WORKERS} workers, {threads} threads each (gthread), "
        "`confguide/gunicorn.conf.py`",
        "Cache": "Redis (`REDIS_URL`)"
        if os.environ.get("REDIS_URL")
        else "local memory, one per worker process (no `REDIS_URL`)",
        "Sessions": f"`{settings.SESSION_ENGINE}`",
        "Code": code_version(),
    }


def code_version() -> str:
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    return f"commit {commit}" + (" with uncommitted changes" if dirty else "")


class Command(BaseCommand):
    help = (
        "Load-test the production stack on this machine with wrk and write the results "
        "to docs/benchmarks.md. Run it with `make bench` (BENCH_QUICK=1 for a short try)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            default=str(Path(settings.BASE_DIR) / "docs" / "benchmarks.md"),
            help="Where to write the report. Default: docs/benchmarks.md.",
        )

    def handle(self, *args, output, **options):
        if settings.SETTINGS_MODULE != BENCH_SETTINGS:
            raise CommandError(
                f"Run `make bench`, or DJANGO_SETTINGS_MODULE={BENCH_SETTINGS} python manage.py "
                "bench: the benchmark drops and recreates its own database, never yours."
            )
        if shutil.which("wrk") is None:
            raise CommandError("wrk is not installed: apt-get install wrk (make bench does).")
        try:
            bench_options = Options.from_environment(os.environ)
        except ValueError as error:
            raise CommandError(str(error)) from None

        run = Run(options=bench_options, say=self.stdout.write)
        atexit.register(run.stop)
        # make, CI or a terminal may end the run with SIGTERM: still stop the servers.
        previous = signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
        try:
            document = run.execute()
        except (RuntimeError, ValueError, OSError, psycopg.Error) as error:
            raise CommandError(str(error)) from error
        finally:
            run.stop()
            signal.signal(signal.SIGTERM, previous)

        path = Path(output)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(document)
        self.stdout.write(document)
        self.stdout.write(self.style.SUCCESS(f"Wrote {path}."))
