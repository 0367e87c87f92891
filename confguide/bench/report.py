"""The benchmark's report: one Markdown table, the crowd run, the targets met or not."""

from __future__ import annotations

import datetime as dt
import statistics
import textwrap
from dataclasses import dataclass, field

from confguide.bench.rounds import Series, median_ratio, ratios
from confguide.bench.wrk import WrkResult

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
and served by WhiteNoise under the same gunicorn config, workers and threads
(only never recycling its workers: at thousands of requests a second they would
reach `max_requests` within the run).
Every request says `Accept-Encoding: gzip`, as browsers do; *bytes on the wire*
are per answer, headers included. Errors are refused, reset or timed-out
connections and any status other than 2xx or 304. *Queries* are counted on a
warm request in-process (Django's test client on the same database and cache
settings). wrk runs on the same machine and takes part of its CPU.

Run it with `make bench` (about 9 minutes; `BENCH_QUICK=1 make bench` for a
rough 2-minute try). It rewrites this file. Targets: the busiest day page,
anonymous and warm, serves at least {DAY_OF_STATIC:.0%} of its static limit;
signed in with 20 saved sessions, {SIGNED_IN_OF_STATIC:.0%}; a session page
{SESSION_OF_STATIC:.0%}; every export {EXPORT_OF_STATIC:.0%}; 64 readers for
30 seconds get no errors and a p99 under {CROWD_P99_MS / 1000:g} s while
`/health/` keeps answering within {HEALTH_MS / 1000:g} s; a warm cached page takes
at most {WARM_QUERIES} queries; a cold render of the busiest day (empty cache)
takes under {COLD_RENDER_MS} ms.
"""


def wrap(text: str) -> str:
    """Fill each paragraph to 80 columns, after the numbers are in, so the file reads evenly."""
    return "\n\n".join(
        textwrap.fill(" ".join(paragraph.split()), width=80, break_on_hyphens=False)
        for paragraph in text.split("\n\n")
    )


ABOUT = wrap(_ABOUT)


def method(*, rounds: int, duration_s: int, warmup_s: int, connections: int) -> str:
    """How the numbers in the table are made, for the options this run used."""
    return wrap(f"""\
How the numbers are made. Warm-up first: every URL is loaded on its server,
unmeasured, for {warmup_s} s with the same {connections} connections (and again,
up to 5 times, until every connection has had an answer), so that both workers
have rendered and cached each page (without Redis each has its own cache)
before anything is timed. Then every URL is measured in {rounds} rounds of
{duration_s} s. Within a round each page runs right next to its static limit
(the signed-in page right after the static limit of the anonymous page it is
compared with), and every other round runs in reverse order, so a busy spell on
the machine weighs on a page and its limit alike. *requests/s* is the median over the rounds; the
latencies and bytes on the wire are those of the round with the median
throughput (the lower middle one of an even count), not pooled; *errors* add up
over all rounds; *% of static limit* is the median of the per-round ratios of
the page to its limit measured next to it, not the ratio of the two medians.
Each round's numbers are under *Rounds*. The crowd is a single run after the
rounds.
""")


@dataclass(frozen=True)
class Target:
    description: str
    met: bool | None  # None: not measured (the page failed, or there was nothing to compare)

    def __str__(self) -> str:
        verdict = {True: "met", False: "**not met**", None: "not measured"}[self.met]
        return f"{self.description}: {verdict}"


@dataclass
class Row:
    """A line of the table: one wrk run, or the rounds of one URL (see `measured`)."""

    page: str
    result: WrkResult | None  # the run shown: latencies and bytes
    queries: int | None = None
    static_rps: float | None = None
    targets: list[Target] = field(default_factory=list)
    rounds: Series | None = None  # every round's run, when measured in rounds
    static_rounds: Series | None = None  # the static limit's runs, round by round

    @classmethod
    def measured(
        cls,
        page: str,
        rounds: Series,
        *,
        static_rounds: Series | None = None,
        queries: int | None = None,
    ) -> Row:
        """The row of a URL measured in rounds: the median round shown, medians reported."""
        return cls(
            page=page,
            result=rounds.typical,
            queries=queries,
            static_rps=static_rounds.requests_per_second if static_rounds else None,
            rounds=rounds,
            static_rounds=static_rounds,
        )

    @property
    def requests_per_second(self) -> float | None:
        """The median over rounds, or the single run's."""
        if self.rounds is not None:
            return self.rounds.requests_per_second
        return self.result.requests_per_second if self.result else None

    @property
    def errors(self) -> int | None:
        """Failed requests over all rounds, or in the single run; None if nothing ran."""
        if self.rounds is not None:
            return self.rounds.errors if self.rounds.measured else None
        return self.result.errors if self.result else None

    @property
    def share_of_static(self) -> float | None:
        """The median of the per-round ratios when both sides ran in rounds."""
        if self.rounds is not None and self.static_rounds is not None:
            return median_ratio(self.rounds, self.static_rounds)
        return share(self.result, self.static_rps)


def share(result: WrkResult | None, static_rps: float | None) -> float | None:
    """Requests per second as a fraction of the static limit's."""
    if result is None or not static_rps:
        return None
    return result.requests_per_second / static_rps


def at_least_share(row: Row, minimum: float) -> Target:
    fraction = row.share_of_static
    met = None if fraction is None or row.result is None else fraction >= minimum
    if met and row.errors:
        met = False  # fast errors are not throughput, in any round
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
            throughput = per_second(row.requests_per_second)
        if r is not None and row.rounds is not None and row.rounds.failed_rounds:
            count = len(row.rounds.results)
            throughput += f" ({count - row.rounds.failed_rounds} of {count} rounds)"
        fraction = row.share_of_static
        errors = row.errors
        cells = [
            row.page,
            throughput,
            milliseconds(timed.p50_ms if timed else None),
            milliseconds(timed.p95_ms if timed else None),
            milliseconds(timed.p99_ms if timed else None),
            NONE if errors is None else f"{errors:,}",
            size(timed.bytes_per_response if timed else None),
            NONE if row.queries is None else str(row.queries),
            NONE if fraction is None else f"{fraction:.0%}",
            "; ".join(str(target) for target in row.targets) or NONE,
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def rounds_section(rows: list[Row], *, load: list[float]) -> str:
    """Every round's requests/s, and each page's ratio to its limit in that round."""
    measured = [row for row in rows if row.rounds is not None]
    count = max((len(row.rounds.results) for row in measured), default=0)
    if not count:
        return "No URL was measured in rounds."
    lines = [
        "Requests/s in each round, in parentheses the page's share of its static limit "
        "measured next to it in that round. Load average (1 min) at the start of each "
        f"round: {', '.join(f'{value:.2f}' for value in load) or NONE}.",
        "",
        "| page | " + " | ".join(f"round {index + 1}" for index in range(count)) + " |",
        "| --- |" + " ---: |" * count,
    ]
    for row in measured:
        fractions = ratios(row.rounds, row.static_rounds) if row.static_rounds else []
        cells = []
        for index in range(count):
            result = row.rounds.results[index] if index < len(row.rounds.results) else None
            if result is None:
                cells.append("failed")
                continue
            cell = per_second(result.requests_per_second)
            fraction = fractions[index] if index < len(fractions) else None
            if fraction is not None:
                cell += f" ({fraction:.0%})"
            cells.append(cell)
        lines.append("| " + " | ".join([row.page, *cells]) + " |")
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
    method: str,
    rows: list[Row],
    round_load: list[float],
    crowd: Crowd,
    cold: ColdRender,
    notes: list[str],
) -> str:
    machine_lines = "\n".join(f"- {name}: {value}" for name, value in machine.items())
    note_lines = "\n".join(f"- {note}" for note in notes)
    return (
        f"# Benchmarks\n\n{ABOUT}\n\n{method}\n\n"
        f"## Latest run{title_note}\n\n"
        f"{when:%Y-%m-%d %H:%M} UTC.\n\n{machine_lines}\n\n"
        f"{table(rows)}\n\n"
        f"### Rounds\n\n{rounds_section(rows, load=round_load)}\n\n"
        f"### Crowd\n\n{crowd_section(crowd)}\n\n"
        f"### Cold render\n\n{cold_section(cold)}\n"
        + (f"\n### Notes\n\n{note_lines}\n" if notes else "")
    )
