"""The benchmark's own logic: reading wrk, picking the busiest day, judging targets.

`make bench` itself is never run by the suite: it takes minutes and its numbers
depend on the machine. These tests cover the parts that are plain logic.
"""

import datetime as dt
import gzip
import json
from wsgiref.util import setup_testing_defaults
from zoneinfo import ZoneInfo

import pytest

from confguide.bench import report, rounds, wrk
from confguide.bench.options import Options
from confguide.bench.static import CONTENT_TYPES, build_app
from sessions.demo.bench import busiest_day, spread

pytestmark = pytest.mark.unit

# What wrk printed for a real run: its own summary, then the Lua script's lines.
WRK_OUTPUT = """\
Running 3s test @ http://127.0.0.1:40123/events/x/schedule/?day=2029-03-20
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   283.12ms  297.01ms   1.92s    89.53%
    Req/Sec    28.11     12.02    60.00     66.67%
  Latency Distribution
     50%  258.04ms
     75%  352.11ms
     90%  498.50ms
     99%    1.92s
  160 requests in 3.02s, 6.78MB read
  Non-2xx or 3xx responses: 2
Requests/sec:     53.00
Transfer/sec:      2.25MB
bench.status.200 150
bench.status.304 8
bench.status.500 2
bench.requests 160
bench.duration_us 3018868
bench.bytes 6944000
bench.socket_errors 1
bench.timeouts 1
bench.latency_p50_us 258040
bench.latency_p95_us 543210
bench.latency_p99_us 1920000
bench.latency_max_us 1920500
"""


def test_parse_output_reads_the_scripts_numbers():
    result = wrk.parse_output(WRK_OUTPUT)

    assert (result.requests, result.bytes, result.socket_errors, result.timeouts) == (
        160,
        6_944_000,
        1,
        1,
    )
    assert (result.p50_ms, result.p95_ms, result.p99_ms, result.max_ms) == (
        258.04,
        543.21,
        1920.0,
        1920.5,
    )
    assert result.statuses == {200: 150, 304: 8, 500: 2}
    assert round(result.requests_per_second, 2) == 53.0
    assert result.bytes_per_response == 43_400


def test_parse_output_counts_error_statuses_and_socket_errors_but_not_304():
    result = wrk.parse_output(WRK_OUTPUT)

    assert (result.bad_statuses, result.errors) == (2, 3)


def test_parse_output_counts_redirects_as_errors():
    # wrk's own summary lets 3xx pass; a redirect to the sign-in page is no page.
    output = WRK_OUTPUT.replace("bench.status.500 2", "bench.status.302 2")

    assert wrk.parse_output(output).bad_statuses == 2


def test_parse_output_without_the_scripts_lines_raises():
    plain = WRK_OUTPUT.split("bench.")[0]

    with pytest.raises(wrk.WrkOutputError, match="requests"):
        wrk.parse_output(plain)


def test_command_sends_headers_and_caps_threads_at_connections():
    command = wrk.command(
        "http://127.0.0.1:8000/",
        script="/tmp/s.lua",
        threads=4,
        connections=2,
        duration_s=3,
        headers={"Accept-Encoding": "gzip", "Cookie": "sessionid=abc"},
    )

    assert command == [
        "wrk",
        "--threads=2",
        "--connections=2",
        "--duration=3s",
        "--timeout=10s",
        "--latency",
        "--script=/tmp/s.lua",
        "--header=Accept-Encoding: gzip",
        "--header=Cookie: sessionid=abc",
        "http://127.0.0.1:8000/",
    ]


def test_busiest_day_counts_sessions_before_the_day_break_to_the_previous_day():
    lisbon = ZoneInfo("Europe/Lisbon")
    starts = [
        dt.datetime(2029, 3, 20, 10, tzinfo=lisbon),
        dt.datetime(2029, 3, 21, 10, tzinfo=lisbon),
        dt.datetime(2029, 3, 21, 11, tzinfo=lisbon),
        # 02:00 on the 21st belongs to the conference day of the 20th; 05:00 does not.
        dt.datetime(2029, 3, 21, 2, tzinfo=lisbon),
        dt.datetime(2029, 3, 21, 1, 30, tzinfo=lisbon),
    ]

    assert busiest_day(starts, lisbon) == dt.date(2029, 3, 20)


def test_busiest_day_uses_the_events_zone_and_takes_the_earliest_on_a_tie():
    tokyo = ZoneInfo("Asia/Tokyo")
    utc = dt.UTC
    # 23:00 UTC on the 19th is 08:00 on the 20th in Tokyo.
    starts = [
        dt.datetime(2029, 3, 19, 23, tzinfo=utc),
        dt.datetime(2029, 3, 21, 1, tzinfo=utc),
    ]

    assert busiest_day(starts, tokyo) == dt.date(2029, 3, 20)


def test_busiest_day_of_no_sessions_raises():
    with pytest.raises(ValueError, match="No sessions"):
        busiest_day([], ZoneInfo("UTC"))


def test_spread_takes_items_evenly_across_the_list():
    assert spread(list(range(10)), 3) == [0, 3, 6]
    assert spread([1, 2], 20) == [1, 2]


def test_options_quick_mode_shortens_every_run():
    quick = Options.from_environment({"BENCH_QUICK": "1"})
    full = Options.from_environment({})

    assert (quick.rounds, quick.duration_s, quick.crowd_duration_s) == (3, 1, 5)
    assert (full.rounds, full.duration_s, full.crowd_duration_s, full.crowd_connections) == (
        5,
        4,
        30,
        64,
    )


def test_options_take_explicit_values_and_refuse_nonsense():
    options = Options.from_environment(
        {"BENCH_QUICK": "1", "BENCH_DURATION": "7", "BENCH_ROUNDS": "4"}
    )

    assert (options.duration_s, options.rounds) == (7, 4)
    with pytest.raises(ValueError, match="BENCH_CONNECTIONS"):
        Options.from_environment({"BENCH_CONNECTIONS": "-4"})
    with pytest.raises(ValueError, match="BENCH_ROUNDS"):
        Options.from_environment({"BENCH_ROUNDS": "0"})


def _result(*, requests: int, statuses: dict[int, int], p99_ms: float = 50) -> wrk.WrkResult:
    return wrk.WrkResult(
        requests=requests,
        duration_s=1.0,
        bytes=requests * 1000,
        socket_errors=0,
        timeouts=0,
        p50_ms=10,
        p95_ms=20,
        p99_ms=p99_ms,
        max_ms=p99_ms,
        statuses=statuses,
    )


def _rate(rps: float, *, errors: int = 0, p99_ms: float = 50) -> wrk.WrkResult:
    """A one-second run at rps requests a second, errors of them answered 500."""
    return _result(requests=int(rps), statuses={200: int(rps) - errors, 500: errors}, p99_ms=p99_ms)


def test_series_reports_the_median_and_shows_the_median_round():
    series = rounds.Series((_rate(400, p99_ms=90), _rate(1000, p99_ms=30), _rate(700, p99_ms=60)))

    assert series.requests_per_second == 700
    assert series.typical.p99_ms == 60


def test_series_of_an_even_count_shows_the_lower_middle_round():
    series = rounds.Series((_rate(400), _rate(1000), _rate(700, p99_ms=60), _rate(800)))

    assert series.requests_per_second == 750
    assert series.typical.p99_ms == 60


def test_series_adds_errors_over_all_rounds_and_skips_failed_runs():
    series = rounds.Series((_rate(500, errors=2), None, _rate(300, errors=5)))

    assert (series.errors, series.failed_rounds, series.requests_per_second) == (7, 1, 400)
    assert rounds.Series((None, None)).requests_per_second is None
    assert rounds.Series((None, None)).typical is None


def test_share_is_the_median_of_per_round_ratios_not_the_ratio_of_medians():
    # The page and its limit both slowed down in round 2: the ratio held.
    pages = rounds.Series((_rate(1000), _rate(500), _rate(900)))
    limits = rounds.Series((_rate(2000), _rate(1000), _rate(4500)))

    assert rounds.ratios(pages, limits) == [0.5, 0.5, 0.2]
    assert rounds.median_ratio(pages, limits) == 0.5
    # The ratio of the medians (900 / 2000) would say 45%.
    assert pages.requests_per_second / limits.requests_per_second == 0.45


def test_median_ratio_leaves_out_rounds_where_either_side_failed():
    pages = rounds.Series((_rate(1000), None, _rate(300), _rate(600)))
    limits = rounds.Series((_rate(2000), _rate(2000), None, _rate(2000)))

    assert rounds.ratios(pages, limits) == [0.5, None, None, 0.3]
    assert rounds.median_ratio(pages, limits) == pytest.approx(0.4)
    assert rounds.median_ratio(rounds.Series((None,)), limits) is None


def test_pair_puts_the_static_limit_right_after_the_first_page():
    assert rounds.pair(["day"], "day:static") == ["day", "day:static"]
    assert rounds.pair(["day", "day-signed-in"], "day:static") == [
        "day",
        "day:static",
        "day-signed-in",
    ]


def test_round_order_reverses_every_other_round():
    groups = [["day", "day:static", "day-signed-in"], ["ics", "ics:static"], ["day:304"]]
    forward = ["day", "day:static", "day-signed-in", "ics", "ics:static", "day:304"]

    assert rounds.round_order(groups, 0) == forward
    assert rounds.round_order(groups, 1) == forward[::-1]
    assert rounds.round_order(groups, 2) == forward


def test_row_measured_in_rounds_reports_medians_and_all_errors():
    pages = rounds.Series((_rate(1000), _rate(500, errors=1), _rate(900)))
    limits = rounds.Series((_rate(2000), _rate(1000), _rate(4500)))
    row = report.Row.measured("Busiest day", pages, static_rounds=limits, queries=1)
    row.targets = [report.at_least_share(row, 0.5)]

    assert (row.requests_per_second, row.static_rps, row.errors) == (900, 2000, 1)
    assert row.share_of_static == 0.5
    # An error in any round, not only the one shown, fails the share target.
    assert row.result.errors == 0
    assert row.targets[0].met is False
    assert report.table([row]).splitlines()[-1] == (
        "| Busiest day | 900 | 10 ms | 20 ms | 50 ms | 1 | 1.0 kB | 1 | 50% "
        "| ≥ 50% of static: **not met** |"
    )


def test_table_says_when_some_rounds_failed():
    row = report.Row.measured("frab XML", rounds.Series((_rate(100), None, _rate(300))))

    assert (
        report.table([row])
        .splitlines()[-1]
        .startswith("| frab XML | 200 (2 of 3 rounds) | 10 ms |")
    )


def test_rounds_section_lists_each_round_with_its_ratio():
    pages = rounds.Series((_rate(1000), None, _rate(900)))
    limits = rounds.Series((_rate(2000), _rate(1000), _rate(4500)))
    rows = [
        report.Row.measured("Busiest day", pages, static_rounds=limits),
        report.Row.measured("↳ static limit, same bytes", limits),
        report.Row("Single run", _rate(50)),
    ]

    lines = report.rounds_section(rows, load=[1.5, 2.25, 0.5]).splitlines()

    assert lines[0].endswith("round: 1.50, 2.25, 0.50.")
    assert lines[2:] == [
        "| page | round 1 | round 2 | round 3 |",
        "| --- | ---: | ---: | ---: |",
        "| Busiest day | 1,000 (50%) | failed | 900 (20%) |",
        "| ↳ static limit, same bytes | 2,000 | 1,000 | 4,500 |",
    ]


def test_method_paragraph_says_how_the_numbers_are_made():
    text = " ".join(report.method(rounds=5, duration_s=4, warmup_s=2, connections=16).split())

    assert "measured in 5 rounds of 4 s" in text
    assert "for 2 s with the same 16 connections" in text
    assert "median of the per-round ratios" in text


def test_share_target_is_met_at_the_share_and_not_by_fast_errors():
    half = report.Row("day", _result(requests=500, statuses={200: 500}), static_rps=1000)
    failing = report.Row("day", _result(requests=900, statuses={500: 900}), static_rps=1000)

    assert report.at_least_share(half, 0.5).met is True
    assert report.at_least_share(failing, 0.5).met is False
    assert report.at_least_share(report.Row("day", None), 0.5).met is None


def test_table_says_which_targets_are_not_met():
    row = report.Row("Session page", _result(requests=100, statuses={200: 100}), queries=6)
    row.static_rps = 1000
    row.targets = [report.at_least_share(row, 0.5), report.at_most_queries(6, 3)]

    line = report.table([row]).splitlines()[-1]

    assert line == (
        "| Session page | 100 | 10 ms | 20 ms | 50 ms | 0 | 1.0 kB | 6 | 10% "
        "| ≥ 50% of static: **not met**; ≤ 3 queries: **not met** |"
    )


def test_table_shows_a_run_where_nothing_finished_as_such():
    row = report.Row("Event iCalendar", _result(requests=0, statuses={}), static_rps=1000)
    row.targets = [report.at_least_share(row, 0.3)]

    line = report.table([row]).splitlines()[-1]

    assert line == (
        "| Event iCalendar | 0, none finished | - | - | - | 0 | - | - | 0% "
        "| ≥ 30% of static: **not met** |"
    )


def test_crowd_targets_need_no_errors_a_fast_p99_and_a_quick_health_check():
    crowd = report.Crowd(
        connections=64,
        duration_s=30,
        result=_result(requests=100, statuses={200: 100}, p99_ms=900),
        health_ms=[12.0, 1200.0, 30.0],
        health_failures=0,
    )

    assert [target.met for target in crowd.targets()] == [True, True, False]
    assert (crowd.median_health_ms, crowd.worst_health_ms) == (30.0, 1200.0)


def test_crowd_run_in_which_nothing_finished_meets_no_target():
    crowd = report.Crowd(
        connections=64,
        duration_s=30,
        result=_result(requests=0, statuses={}, p99_ms=0),
        health_ms=[12.0],
        health_failures=0,
    )

    assert [target.met for target in crowd.targets()] == [False, False, True]


def test_cold_render_takes_the_median():
    cold = report.ColdRender(times_ms=[300.0, 100.0, 140.0], queries=8)

    assert (cold.median_ms, cold.target().met) == (140.0, True)


def _get(app, path: str, **headers: str) -> tuple[str, dict[str, str], bytes]:
    environ = {"PATH_INFO": path, **{f"HTTP_{k.upper()}": v for k, v in headers.items()}}
    setup_testing_defaults(environ)
    answer = {}

    def start_response(status, response_headers, exc_info=None):
        answer.update(status=status, headers=dict(response_headers))

    response = app(environ, start_response)
    try:
        body = b"".join(response)
    finally:
        if hasattr(response, "close"):  # as a WSGI server must: it closes the file
            response.close()
    return answer["status"], answer["headers"], body


def test_static_limit_serves_the_saved_bytes_with_the_sites_content_type(tmp_path):
    page = b"<!doctype html><title>Day</title>" * 50
    (tmp_path / "day.html").write_bytes(page)
    (tmp_path / "day.html.gz").write_bytes(gzip.compress(page))
    (tmp_path / "schedule.ics").write_bytes(b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
    (tmp_path / CONTENT_TYPES).write_text(
        json.dumps({"schedule.ics": "text/calendar; charset=utf-8"})
    )
    app = build_app(tmp_path)

    status, headers, body = _get(app, "/day.html", accept_encoding="gzip")
    ics_status, ics_headers, _ = _get(app, "/schedule.ics", accept_encoding="gzip")
    missing, _, _ = _get(app, "/nowhere.html")

    assert (status, headers.get("Content-Encoding"), gzip.decompress(body)) == (
        "200 OK",
        "gzip",
        page,
    )
    assert (ics_status, ics_headers["Content-Type"], ics_headers.get("Content-Encoding")) == (
        "200 OK",
        "text/calendar; charset=utf-8",
        None,
    )
    assert missing == "404 Not Found"
