"""Sign-in attempt limits, per account from one address, and per address.

A fixed window: after too many failed attempts the account (from that
address) or the address may not try again until the window that started with
the first failure ends. The account's count is kept per address, so nobody
can lock a stranger out of their account from somewhere else; guessing many
accounts from one address still meets the address limit.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.conf import settings

from confguide import ratelimit
from confguide.ratelimit import client_address

__all__ = ["blocked_for", "clear_account", "client_address", "record_failure"]


@dataclass(frozen=True)
class Limit:
    attempts: int
    window_seconds: int


def _limits() -> tuple[Limit, Limit]:
    window = settings.SIGN_IN_LOCKOUT_SECONDS
    return (
        Limit(settings.SIGN_IN_ATTEMPTS_PER_ACCOUNT, window),
        Limit(settings.SIGN_IN_ATTEMPTS_PER_ADDRESS, window),
    )


def _keys(*, username: str, address: str) -> tuple[str, str]:
    # Hash the username and address: cache keys must be short and plain.
    account = hashlib.sha256(f"{username.strip().casefold()}|{address}".encode()).hexdigest()
    return f"sign-in:account:{account}", f"sign-in:address:{address}"


def blocked_for(*, username: str, address: str) -> int | None:
    """Seconds left in the lockout if the account or the address is locked, else None."""
    waits = [
        ratelimit.seconds_left(key, window=limit.window_seconds)
        for key, limit in zip(_keys(username=username, address=address), _limits(), strict=True)
        if ratelimit.count(key) >= limit.attempts
    ]
    return max(waits, default=None)


def record_failure(*, username: str, address: str) -> None:
    for key, limit in zip(_keys(username=username, address=address), _limits(), strict=True):
        ratelimit.hit(key, window=limit.window_seconds)


def clear_account(*, username: str, address: str) -> None:
    """A successful sign-in forgets the account's failures there (not the address's)."""
    account_key, _ = _keys(username=username, address=address)
    ratelimit.reset(account_key)
