"""A fixed-window counter per client address, kept in the cache.

With REDIS_URL set the cache (and so the limit) is shared by every worker;
with the default local-memory cache each worker counts on its own.
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


def is_limited(*, scope: str, request: HttpRequest, limit: int, window: int) -> bool:
    """Count this request; True once the address made more than `limit` in the window."""
    key = f"ratelimit:{scope}:{client_address(request)}"
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, timeout=window)
        count = 1
    return count > limit
