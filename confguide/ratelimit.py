"""Fixed-window counters in the cache: the one rate-limit mechanism of the site.

The contact form counts every post per client address; sign-in counts failed
attempts per account and per address. With REDIS_URL set the counts are shared
by every worker; the default local-memory cache counts per process.
"""

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


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


def hit(key: str, *, window: int) -> int:
    """Count one event under `key`; the window starts with the first one. Returns the count."""
    key = f"ratelimit:{key}"
    # add() starts the window only if no count exists yet.
    cache.add(key, 0, timeout=window)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, timeout=window)
        return 1


def count(key: str) -> int:
    """Events counted under `key` in its current window."""
    return cache.get(f"ratelimit:{key}", 0)


def reset(key: str) -> None:
    cache.delete(f"ratelimit:{key}")


def is_limited(*, scope: str, request: HttpRequest, limit: int, window: int) -> bool:
    """Count this request; True once its address made more than `limit` in the window."""
    return hit(f"{scope}:{client_address(request)}", window=window) > limit
