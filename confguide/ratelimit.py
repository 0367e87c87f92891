"""Fixed-window counters in the cache, and the one way the site says "too many".

The contact form counts every post per client address. (Accounts use
allauth's own limits, in the same cache and by the same `client_address()`;
their 429 page is confguide.accounts.limits.) With REDIS_URL set the counts
are shared by every worker and replica; the default local-memory cache counts
per process.

A refused request gets `refuse()`: the same page with what was typed, status
429, the reason in templates/includes/refusal.html, and a Retry-After of the
time left in the window (not the whole window).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def _clock() -> float:
    return time.time()


def client_address(request: HttpRequest) -> str:
    """The visitor's address; behind N trusted proxies, the Nth entry from the right."""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [
            part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        ]
        if len(forwarded) >= proxies and forwarded[-proxies]:
            return forwarded[-proxies][:64]
    return request.META.get("REMOTE_ADDR", "")[:64]


def _keys(key: str) -> tuple[str, str]:
    return f"ratelimit:{key}", f"ratelimit:{key}:ends"


def hit(key: str, *, window: int) -> int:
    """Count one event under `key`; the window starts with the first one. Returns the count."""
    count_key, ends_key = _keys(key)
    # add() starts the window only if no count exists yet; its end is kept beside it.
    if cache.add(count_key, 0, timeout=window):
        cache.set(ends_key, _clock() + window, timeout=window)
    try:
        return cache.incr(count_key)
    except ValueError:  # expired between add() and incr()
        cache.set(count_key, 1, timeout=window)
        cache.set(ends_key, _clock() + window, timeout=window)
        return 1


def count(key: str) -> int:
    """Events counted under `key` in its current window."""
    return cache.get(_keys(key)[0], 0)


def seconds_left(key: str, *, window: int) -> int:
    """Whole seconds until the window of `key` ends (at least 1, at most `window`)."""
    ends = cache.get(_keys(key)[1])
    if ends is None:  # the end was evicted or not written yet: assume a whole window
        return window
    return min(window, max(1, math.ceil(ends - _clock())))


def reset(key: str) -> None:
    cache.delete_many(_keys(key))


def limited_for(*, scope: str, request: HttpRequest, limit: int, window: int) -> int | None:
    """Count this request; once its address made more than `limit` in the window,
    the seconds until it may try again, else None."""
    key = f"{scope}:{client_address(request)}"
    if hit(key, window=window) <= limit:
        return None
    return seconds_left(key, window=window)


@dataclass(frozen=True)
class Refusal:
    """Why a request was refused, and when the visitor may try again."""

    reason: str
    retry_after: int
    advice: str = ""

    @property
    def wait(self) -> str:
        """The time left in words a visitor reads at a glance: "40 seconds", "3 minutes"."""
        if self.retry_after < 60:
            return f"{self.retry_after} second{'s' if self.retry_after != 1 else ''}"
        minutes = math.ceil(self.retry_after / 60)
        if minutes < 120:
            return f"{minutes} minute{'s' if minutes != 1 else ''}"
        return f"{math.ceil(minutes / 60)} hours"


def refuse(
    request: HttpRequest, template_name: str, context: dict, refusal: Refusal
) -> HttpResponse:
    """The page again, with what was typed (in `context`), the refusal and a 429."""
    response = render(request, template_name, {**context, "refusal": refusal}, status=429)
    response["Retry-After"] = str(refusal.retry_after)
    return response
