"""The benchmark's report: one Markdown table, the crowd run, the targets met or not."""

from __future__ import annotations

import datetime as dt
import statistics
import textwrap
from dataclasses import dataclass, field

from .wrk import WrkResult

# From the issue "Hold a conference crowd". Throughput is a share of the static
# limit: the same bytes served as a static file by the same gunicorn setup.
DAY_OF_STATIC = 0.50
SIGNED_IN_OF_STATIC = 0.30
SESSION_OF_STATIC = 0.50
EXPORT_OF_STATIC = 0.30
WARM_QUERIES = 3
COLD_RENDER_MS = 150
CROWD_P99_MS = 1000
HEALTH_MS = 1000

_ABOUT = f"""\
`make bench` measures the production stack on the machine it runs on: gunicorn
with `confguide/gunicorn.conf.py` (2 workers, `DEBUG` off, WhiteNoise's manifest
storage) against PostgreSQL, loaded with [wrk](https://github.com/wg/wrk) over
loopback. It builds its own database (`BENCH_DATABASE_URL`, default
`confguide_bench`, dropped and recreated on each run) holding the generated
event (`generate_event --sessions 1000 --speakers 1500 --seed 1`) and an
attendee with 20 saved sessions on its busiest day. Each page's throughput is
compared with its *static limit*: the very bytes of that page, saved to a file
and served by WhiteNoise under the same gunicorn config, workers and threads.
Every request says `Accept-Encoding: gzip`, as browsers do; *bytes on the wire*
are per answer, headers included. Errors are refused, reset or timed-out
connections and any status other than 2xx or 304. *Queries* are counted on a
warm request in-process (Django's test client on the same database and cache
settings). wrk runs on the same machine and takes part of its CPU.

Run it with `make bench` (about 8 minutes; `BENCH_QUICK=1 make bench` for a
3-second-per-page try). It rewrites this file. Targets: the busiest day page,
anonymous and warm, serves at least {DAY_OF_STATIC:.0%} of its static limit;
signed in with 20 saved sessions, {SIGNED_IN_OF_STATIC:.0%}; a session page
{SESSION_OF_STATIC:.0%}; every export {EXPORT_OF_STATIC:.0%}; 64 readers for
30 seconds get no errors and a p99 under {CROWD_P99_MS / 1000:g} s while
`/health/` keeps answering within {HEALTH_MS / 1000:g} s; a warm cached page takes
at most {WARM_QUERIES} queries; a cold render of the busiest day (empty cache)
takes under {COLD_RENDER_MS} ms.
"""
# Wrapped after the numbers are filled in, so the file reads evenly.
ABOUT = "\n\n".join(
    textwrap.fill(" ".join(paragraph.split()), width=80, break_on_hyphens=False)
    for paragraph in _ABOUT.split("\n\n")
)


@dataclass(frozen=True)
class Target:
    description: str
    met: bool | None  # None: not measured (the page failed, or there was nothing to compare)

    def __str__(self) -> str:
        verdict = {True: "met", False: "**not met**", None: "not measured"}[self.met]
        return f"{self.description}: {verdict}"


@dataclass
class Row:
    page: str
    result: WrkResult | None
    queries: int | None = None
    static_rps: float | None = None
    targets: list[Target] = field(default_factory=list)

    @property
    def share_of_static(self) -> float | None:
        return share(self.result, self.static_rps)


def share(result: WrkResult | None, static_rps: float | None) -> float | None:
    """Requests per second as a fraction of the static limit's."""
    if result is None or not static_rps:
        return None
    return result.requests_per_second / static_rps


def at_least_share(row: Row, minimum: float) -> Target:
    fraction = row.share_of_static
    met = None if fraction is None or row.result is None else fraction >= minimum
    if met and row.result.errors:
        met = False  # fast errors are not throughput
    return Target(f"≥ {minimum:.0%} of static", met)


def at_most_queries(queries: int | None, maximum: int) -> Target:
    return Target(f"≤ {maximum} queries", None if queries is None else queries <= maximum)


@dataclass
class Crowd:
    connections: int
    duration_s: int
    result: WrkResult | None
    health_ms: list[float]  # one per poll of /health/, failures as their time to fail
    health_failures: int

    @property
    def worst_health_ms(self) -> float | None:
        return max(self.health_ms) if self.health_ms else None

    @property
    def median_health_ms(self) -> float | None:
        return statistics.median(self.health_ms) if self.health_ms else None

    def targets(self) -> list[Target]:
        result = self.result
        worst = self.worst_health_ms
        # A run in which nothing finished has no errors and no latency, and meets nothing.
        finished = result is not None and result.requests > 0
        return [
            Target("0 errors", None if result is None else finished and result.errors == 0),
            Target(
                f"p99 < {CROWD_P99_MS / 1000:g} s",
                None if result is None else finished and result.p99_ms < CROWD_P99_MS,
            ),
            Target(
                f"/health/ within {HEALTH_MS / 1000:g} s",
                None if worst is None else worst <= HEALTH_MS and not self.health_failures,
            ),
        ]


@dataclass
class ColdRender:
    times_ms: list[float]
    queries: int | None

    @property
    def median_ms(self) -> float | None:
        return statistics.median(self.times_ms) if self.times_ms else None

    def target(self) -> Target:
        median = self.median_ms
        return Target(f"< {COLD_RENDER_MS} ms", None if median is None else median < COLD_RENDER_MS)


# Shown where there is no number (nothing measured, or nothing to compare).
NONE = "-"


def milliseconds(value: float | None) -> str:
    if value is None:
        return NONE
    if value >= 1000:
        return f"{value / 1000:.2f} s"
    return f"{value:.1f} ms" if value < 10 else f"{value:.0f} ms"


def size(value: float | None) -> str:
    if value is None:
        return NONE
    if value >= 1000:
        return f"{value / 1000:.1f} kB"
    return f"{value:.0f} B"


def per_second(value: float | None) -> str:
    if value is None:
        return NONE
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def table(rows: list[Row]) -> str:
    lines = [
        "| page | requests/s | median | p95 | p99 | errors | bytes on the wire "
        "| queries | % of static limit | targets |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for row in rows:
        r = row.result
        # Latencies exist only for answers that finished within the run.
        timed = r if r is not None and r.requests else None
        if r is None:
            throughput = "failed"
        elif not r.requests:
            throughput = "0, none finished"
        else:
            throughput = per_second(r.requests_per_second)
        fraction = row.share_of_static
        cells = [
            row.page,
            throughput,
            milliseconds(timed.p50_ms if timed else None),
            milliseconds(timed.p95_ms if timed else None),
            milliseconds(timed.p99_ms if timed else None),
            f"{r.errors:,}" if r else NONE,
            size(timed.bytes_per_response if timed else None),
            NONE if row.queries is None else str(row.queries),
            NONE if fraction is None else f"{fraction:.0%}",
            "; ".join(str(target) for target in row.targets) or NONE,
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def crowd_section(crowd: Crowd) -> str:
    r = crowd.result if crowd.result is not None and crowd.result.requests else None
    polls = len(crowd.health_ms)
    lines = [
        f"{crowd.connections} connections for {crowd.duration_s} s on the busiest day page, "
        f"anonymous, while `/health/` was fetched once a second ({polls} times, during the "
        "run and just after it, 5 s timeout):",
        "",
        "| requests/s | median | p95 | p99 | max | errors | /health/ median | worst /health/ | "
        "/health/ failures | targets |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
        "| "
        + " | ".join(
            [
                per_second(r.requests_per_second) if r else "failed, or none finished",
                milliseconds(r.p50_ms if r else None),
                milliseconds(r.p95_ms if r else None),
                milliseconds(r.p99_ms if r else None),
                milliseconds(r.max_ms if r else None),
                f"{crowd.result.errors:,}" if crowd.result else NONE,
                milliseconds(crowd.median_health_ms),
                milliseconds(crowd.worst_health_ms),
                str(crowd.health_failures),
                "; ".join(str(target) for target in crowd.targets()),
            ]
        )
        + " |",
    ]
    return "\n".join(lines)


def cold_section(cold: ColdRender) -> str:
    runs = ", ".join(milliseconds(t) for t in cold.times_ms) or "none"
    queries = "" if cold.queries is None else f", {cold.queries} queries"
    return (
        f"Cold render of the busiest day (cache cleared before each request, in-process "
        f"test client, median of {len(cold.times_ms)}): **{milliseconds(cold.median_ms)}**"
        f"{queries} (runs: {runs}). Target {cold.target()}."
    )


def document(
    *,
    title_note: str,
    machine: dict[str, str],
    when: dt.datetime,
    rows: list[Row],
    crowd: Crowd,
    cold: ColdRender,
    notes: list[str],
) -> str:
    machine_lines = "\n".join(f"- {name}: {value}" for name, value in machine.items())
    note_lines = "\n".join(f"- {note}" for note in notes)
    return (
        f"# Benchmarks\n\n{ABOUT}\n\n"
        f"## Latest run{title_note}\n\n"
        f"{when:%Y-%m-%d %H:%M} UTC.\n\n{machine_lines}\n\n"
        f"{table(rows)}\n\n"
        f"### Crowd\n\n{crowd_section(crowd)}\n\n"
        f"### Cold render\n\n{cold_section(cold)}\n"
        + (f"\n### Notes\n\n{note_lines}\n" if notes else "")
    )
