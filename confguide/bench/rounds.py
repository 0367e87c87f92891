"""Measuring in rounds: each page and its static limit back to back, several times over.

One run of a page followed by one run of its static twin is at the mercy of
whatever else the machine did in those seconds (PostgreSQL, a broker or wrk
itself waking up on a 2-core machine): the same bytes have measured twice as
fast in one run as in the next. So the benchmark loads every URL in several
short rounds, each page right next to its static limit, and reports medians:
of the throughputs over rounds, and of the per-round page/static ratios. The
ratio of a page and its twin measured seconds apart shares their slow spells,
so it moves much less than either number does.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from confguide.bench.wrk import WrkResult


@dataclass(frozen=True)
class Series:
    """One URL's wrk runs, one per round; None where wrk failed in that round."""

    results: tuple[WrkResult | None, ...]

    @property
    def measured(self) -> list[WrkResult]:
        return [result for result in self.results if result is not None]

    @property
    def failed_rounds(self) -> int:
        return len(self.results) - len(self.measured)

    @property
    def requests_per_second(self) -> float | None:
        """The median over the rounds wrk completed; None if it completed none."""
        rates = [result.requests_per_second for result in self.measured]
        return statistics.median(rates) if rates else None

    @property
    def typical(self) -> WrkResult | None:
        """The round with the median throughput (the lower middle one of an even count).

        Its latencies and bytes are the ones shown: percentiles of separate runs
        cannot be pooled from wrk's summaries, and this round is the one whose
        throughput the table reports (or the nearest below it).
        """
        ordered = sorted(self.measured, key=lambda result: result.requests_per_second)
        return ordered[(len(ordered) - 1) // 2] if ordered else None

    @property
    def errors(self) -> int:
        """Failed requests over all rounds."""
        return sum(result.errors for result in self.measured)


def ratios(pages: Series, limits: Series) -> list[float | None]:
    """Each round's page throughput as a fraction of the same round's static limit.

    None for a round where either run failed or the limit served nothing.
    """
    fractions: list[float | None] = []
    for page, limit in zip(pages.results, limits.results, strict=False):
        if page is None or limit is None or not limit.requests_per_second:
            fractions.append(None)
        else:
            fractions.append(page.requests_per_second / limit.requests_per_second)
    return fractions


def median_ratio(pages: Series, limits: Series) -> float | None:
    """The median of the per-round ratios (not the ratio of the two medians)."""
    known = [fraction for fraction in ratios(pages, limits) if fraction is not None]
    return statistics.median(known) if known else None


def pair[K](pages: Sequence[K], limit: K) -> list[K]:
    """A group run back to back: the static limit right after the first page and before
    any other page compared with it (the signed-in page), so each page is next to it."""
    return [pages[0], limit, *pages[1:]]


def round_order[K](groups: Sequence[Sequence[K]], index: int) -> list[K]:
    """What round `index` (from 0) loads, in order.

    The groups one after another, the whole order reversed every other round, so
    within a pair neither side always goes first and a drift over the run weighs
    on a page and its limit alike.
    """
    order = [key for group in groups for key in group]
    return order if index % 2 == 0 else order[::-1]
