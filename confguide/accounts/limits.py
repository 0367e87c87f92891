"""allauth's 429 page: why the request was refused, and when to try again.

allauth counts requests in the cache (ACCOUNT_RATE_LIMITS) and, when one is
over a limit, renders the URLconf's `handler429`. That handler only gets the
request, so the time left is read back from allauth's own counters for the
limits the page counts against: Retry-After is the seconds until the oldest
counted request leaves the window, not the whole window.

Reading them uses allauth's internal ratelimit module (its rates, cache keys
and lists of stamps); tests/confguide/test_accounts.py pins the exact
Retry-After, so an allauth upgrade that changes them fails there first.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from allauth.core.internal import ratelimit as allauth_ratelimit
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from confguide.accounts.adapter import login_attempts_key
from confguide.ratelimit import Refusal

ACCOUNT = "allauth.account"
MFA = "allauth.mfa"
# When the counters say nothing (evicted, or a page not listed below): a minute.
DEFAULT_WAIT = 60


def _clock() -> float:
    """allauth stamps requests with time.time(); tests stop both clocks."""
    return time.time()


@dataclass(frozen=True)
class Limit:
    """One of allauth's limits a page counts against; `key` for its per-key rates."""

    app: str
    action: str
    key: str | None = None


# Each account page allauth limits: why it refuses, and the (app, action) it counts.
PAGES: dict[str, tuple[str, tuple[tuple[str, str], ...]]] = {
    "account_login": (
        "Too many failed sign-in attempts from your network: for your account's safety, "
        "signing in is paused here.",
        ((ACCOUNT, "login"), (ACCOUNT, "login_failed")),
    ),
    "account_signup": (
        "Too many new accounts from your network in a short time.",
        ((ACCOUNT, "signup"),),
    ),
    "account_signup_by_passkey": (
        "Too many new accounts from your network in a short time.",
        ((ACCOUNT, "signup"),),
    ),
    "account_reset_password": (
        "Too many password reset requests in a short time.",
        ((ACCOUNT, "reset_password"),),
    ),
    "account_reset_password_from_key": (
        "Too many tries of reset links from your network.",
        ((ACCOUNT, "reset_password_from_key"),),
    ),
    "account_change_password": (
        "Too many password changes in a short time.",
        ((ACCOUNT, "change_password"),),
    ),
    "account_set_password": (
        "Too many password changes in a short time.",
        ((ACCOUNT, "change_password"),),
    ),
    "account_email": (
        "Too many changes to your email addresses in a short time.",
        ((ACCOUNT, "manage_email"),),
    ),
    "account_reauthenticate": (
        "Too many tries to confirm it is you.",
        ((ACCOUNT, "reauthenticate"),),
    ),
    "mfa_login_webauthn": (
        "Too many passkey sign-ins from your network.",
        ((MFA, "webauthn_login"),),
    ),
}


def _typed_email(request: HttpRequest, field: str) -> str:
    return str(request.POST.get(field, "")).strip().lower()


def _key(request: HttpRequest, action: str) -> str | None:
    """What a per-key rate of `action` counts under, as allauth (and the adapter) key it."""
    if action == "login_failed":
        return login_attempts_key(request, _typed_email(request, "login"))
    if action == "reset_password":
        return _typed_email(request, "email")
    return None


def limits_of(request: HttpRequest) -> tuple[str, list[Limit]]:
    """Why this page refuses, and the limits it counts against."""
    name = request.resolver_match.url_name if request.resolver_match else None
    reason, actions = PAGES.get(name, ("Too many requests in a short time.", ()))
    return reason, [Limit(app, action, _key(request, action)) for app, action in actions]


def _seconds_left(request: HttpRequest, limit: Limit, now: float) -> list[float]:
    """For each of the limit's rates that is used up, the seconds until a request counts again."""
    waits = []
    for rate in allauth_ratelimit.get_rates(app=limit.app, action=limit.action):
        if rate.per == "key" and limit.key is None:
            continue
        if rate.per == "user" and not request.user.is_authenticated:
            continue
        cache_key = allauth_ratelimit.get_cache_key(
            request, app=limit.app, action=limit.action, rate=rate, key=limit.key
        )
        counted = sorted(
            (stamp for stamp in cache.get(cache_key, []) if stamp > now - rate.duration),
            reverse=True,
        )
        if rate.amount == 0:  # closed for now
            waits.append(rate.duration)
        elif len(counted) >= rate.amount:
            # A request counts again once the amount-th newest leaves the window.
            waits.append(counted[rate.amount - 1] + rate.duration - now)
    return waits


def retry_after(request: HttpRequest, limits: list[Limit]) -> int:
    now = _clock()
    waits = [wait for limit in limits for wait in _seconds_left(request, limit, now)]
    if not waits:
        rates = [
            rate.duration
            for limit in limits
            for rate in allauth_ratelimit.get_rates(app=limit.app, action=limit.action)
        ]
        return math.ceil(max(rates, default=DEFAULT_WAIT))
    return max(1, math.ceil(max(waits)))


def too_many_requests(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """The site's 429 page for allauth's limits, with Retry-After."""
    reason, limits = limits_of(request)
    refusal = Refusal(reason, retry_after=retry_after(request, limits))
    response = render(request, "429.html", {"refusal": refusal}, status=429)
    response["Retry-After"] = str(refusal.retry_after)
    return response
