"""The shared cache on Redis, which answers as an empty cache while Redis is out.

Everything the site keeps in the cache can be done without it: a page renders
afresh, a rate limit lets the
request through. So an unreachable or hanging Redis must cost time, never a
page or a reader's action. Django's RedisCache raises on any connection error;
this one logs a warning, answers as if the key were absent, and stops asking
Redis for a few seconds, so that a hanging server costs one short timeout per
pause, not one per request.
"""

from __future__ import annotations

import functools
import logging
import threading
import time

import redis
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

# How long to leave Redis alone after it failed.
PAUSE_SECONDS = 5.0

# Until when each Redis server is left alone. Django makes a cache object per
# thread; the pause is the process's, so each thread does not pay its own timeout.
_paused_until: dict[str, float] = {}
_pause_lock = threading.Lock()


def _or_absent(absent):
    """Run the cache operation, or answer `absent(*args, **kwargs)` while Redis is out."""

    def decorate(method):
        @functools.wraps(method)
        def wrapper(self, *args, **kwargs):
            if time.monotonic() < _paused_until.get(self._location, 0.0):
                return absent(*args, **kwargs)
            try:
                return method(self, *args, **kwargs)
            except redis.RedisError as error:
                self._pause(error)
                return absent(*args, **kwargs)

        return wrapper

    return decorate


def _missing_count(key, delta=1, version=None):
    raise ValueError(f"Key {key!r} not found (the cache is unavailable).")


class FailSoftRedisCache(RedisCache):
    @property
    def _location(self) -> str:
        return ",".join(self._servers)

    def _pause(self, error: Exception) -> None:
        with _pause_lock:
            already = time.monotonic() < _paused_until.get(self._location, 0.0)
            _paused_until[self._location] = time.monotonic() + PAUSE_SECONDS
        if not already:
            logger.warning(
                "Redis is unavailable (%s); working without the shared cache for %.0f s.",
                error,
                PAUSE_SECONDS,
            )

    @_or_absent(lambda key, default=None, version=None: default)
    def get(self, key, default=None, version=None):
        return super().get(key, default, version)

    @_or_absent(lambda keys, version=None: {})
    def get_many(self, keys, version=None):
        return super().get_many(keys, version)

    @_or_absent(lambda key, version=None: False)
    def has_key(self, key, version=None):
        return super().has_key(key, version)

    # As if the key were absent: the add succeeds. allauth's rate limits take a lock
    # with add(); a refused one would turn every sign-in into a 429 while Redis is out.
    @_or_absent(lambda *args, **kwargs: True)
    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return super().add(key, value, timeout, version)

    @_or_absent(lambda *args, **kwargs: None)
    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return super().set(key, value, timeout, version)

    @_or_absent(lambda data, *args, **kwargs: list(data))
    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return super().set_many(data, timeout, version)

    @_or_absent(lambda *args, **kwargs: False)
    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return super().touch(key, timeout, version)

    @_or_absent(lambda *args, **kwargs: False)
    def delete(self, key, version=None):
        return super().delete(key, version)

    @_or_absent(lambda *args, **kwargs: None)
    def delete_many(self, keys, version=None):
        return super().delete_many(keys, version)

    @_or_absent(_missing_count)
    def incr(self, key, delta=1, version=None):
        return super().incr(key, delta, version)

    @_or_absent(lambda *args, **kwargs: False)
    def clear(self):
        return super().clear()
