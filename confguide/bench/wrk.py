"""Driving wrk and reading what it measured.

wrk's own summary counts only non-2xx/3xx answers as errors, so a redirect to
the sign-in page would pass for success. The Lua script below counts every
status code instead, and prints the numbers as `bench.<name> <value>` lines
that `parse_output` reads: anything but 2xx or 304 is an error here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

LUA_SCRIPT = """\
-- Written by `manage.py bench`: count responses by status code, then print
-- the run's numbers as `bench.<name> <value>` lines for the command to read.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  statuses = {}
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local counts = {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do
      counts[status] = (counts[status] or 0) + n
    end
  end
  for status, n in pairs(counts) do
    io.write(string.format("bench.status.%d %d\\n", status, n))
  end
  io.write(string.format("bench.requests %d\\n", summary.requests))
  io.write(string.format("bench.duration_us %d\\n", summary.duration))
  io.write(string.format("bench.bytes %d\\n", summary.bytes))
  local errors = summary.errors
  io.write(string.format("bench.socket_errors %d\\n",
    errors.connect + errors.read + errors.write + errors.timeout))
  io.write(string.format("bench.timeouts %d\\n", errors.timeout))
  for _, p in ipairs({50, 95, 99}) do
    io.write(string.format("bench.latency_p%d_us %d\\n", p, latency:percentile(p)))
  end
  io.write(string.format("bench.latency_max_us %d\\n", latency.max))
end
"""

# The answers that count as success: content, or "not modified" to a conditional GET.
OK_STATUSES = frozenset(range(200, 300)) | {304}

_LINE = re.compile(r"^bench\.([a-z0-9_.]+)\s+(-?\d+(?:\.\d+)?)\s*$", re.MULTILINE)


class WrkOutputError(ValueError):
    """wrk's output lacked the script's numbers (wrk failed, or the script did not run)."""


@dataclass(frozen=True)
class WrkResult:
    requests: int
    duration_s: float
    bytes: int
    socket_errors: int
    timeouts: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    statuses: dict[int, int] = field(default_factory=dict)

    @property
    def requests_per_second(self) -> float:
        return self.requests / self.duration_s if self.duration_s else 0.0

    @property
    def bad_statuses(self) -> int:
        return sum(n for status, n in self.statuses.items() if status not in OK_STATUSES)

    @property
    def errors(self) -> int:
        """Failed requests: refused, reset or timed out, or answered with an error status."""
        return self.socket_errors + self.bad_statuses

    @property
    def bytes_per_response(self) -> float:
        """Bytes on the wire per answer, status line and headers included."""
        return self.bytes / self.requests if self.requests else 0.0


def parse_output(text: str) -> WrkResult:
    """Read the numbers the Lua script printed at the end of a wrk run."""
    values: dict[str, float] = {name: float(value) for name, value in _LINE.findall(text)}
    required = ("requests", "duration_us", "bytes", "socket_errors", "latency_p99_us")
    missing = [name for name in required if name not in values]
    if missing:
        raise WrkOutputError(f"wrk printed no {', '.join(missing)}; its output was:\n{text}")
    statuses = {
        int(name.removeprefix("status.")): int(value)
        for name, value in values.items()
        if name.startswith("status.")
    }
    return WrkResult(
        requests=int(values["requests"]),
        duration_s=values["duration_us"] / 1e6,
        bytes=int(values["bytes"]),
        socket_errors=int(values["socket_errors"]),
        timeouts=int(values.get("timeouts", 0)),
        p50_ms=values.get("latency_p50_us", 0.0) / 1000,
        p95_ms=values.get("latency_p95_us", 0.0) / 1000,
        p99_ms=values["latency_p99_us"] / 1000,
        max_ms=values.get("latency_max_us", 0.0) / 1000,
        statuses=statuses,
    )


def command(
    url: str,
    *,
    script: str,
    threads: int,
    connections: int,
    duration_s: int,
    headers: dict[str, str],
    timeout_s: int = 10,
) -> list[str]:
    """The wrk command line for one run.

    The timeout is well above any latency worth reporting, so slow answers are
    measured as slow rather than dropped from the percentiles as timeouts.
    """
    args = [
        "wrk",
        f"--threads={min(threads, connections)}",
        f"--connections={connections}",
        f"--duration={duration_s}s",
        f"--timeout={timeout_s}s",
        "--latency",
        f"--script={script}",
    ]
    for name, value in headers.items():
        args.append(f"--header={name}: {value}")
    args.append(url)
    return args
