"""How long and how hard the benchmark pushes, from BENCH_* environment variables."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

TRUE = {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Options:
    quick: bool
    rounds: int  # every URL is measured once per round; medians are reported
    duration_s: int  # each measured wrk run: one URL in one round
    warmup_s: int  # unmeasured wrk run on every URL before the first round
    connections: int
    threads: int  # wrk's threads
    crowd_connections: int
    crowd_duration_s: int
    cold_runs: int

    @classmethod
    def from_environment(cls, environ: Mapping[str, str]) -> Options:
        """BENCH_QUICK=1 shortens every run (for trying it out); the others override one value."""
        quick = environ.get("BENCH_QUICK", "").strip().lower() in TRUE

        def number(name: str, default: int) -> int:
            value = environ.get(name, "").strip()
            if not value:
                return default
            if not value.isdecimal() or int(value) < 1:
                raise ValueError(f"{name} must be a whole number above 0, not {value!r}.")
            return int(value)

        return cls(
            quick=quick,
            # Five short rounds rather than three longer ones in the same time: the
            # median then survives two disturbed rounds instead of one.
            rounds=number("BENCH_ROUNDS", 3 if quick else 5),
            duration_s=number("BENCH_DURATION", 1 if quick else 4),
            warmup_s=1 if quick else 2,
            connections=number("BENCH_CONNECTIONS", 16),
            threads=number("BENCH_THREADS", 2),
            crowd_connections=number("BENCH_CROWD_CONNECTIONS", 64),
            crowd_duration_s=number("BENCH_CROWD_DURATION", 5 if quick else 30),
            cold_runs=3 if quick else 7,
        )
