"""allauth's 429 page: why the request was refused, and when to try again.

allauth counts requests in the cache (ACCOUNT_RATE_LIMITS) and, when one is
over a limit, renders the URLconf's `handler429`. That handler only gets the
request, so the time left is read back from allauth's own counters for the
limits the page counts against: Retry-After is the seconds until the oldest
counted request leaves the window, not the whole window.
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


def _email(request: HttpRequest, field: str) -> str:
    return str(request.POST.get(field, "")).strip().lower()


def limits_of(request: HttpRequest) -> tuple[str, list[Limit]]:
    """Why this page refuses, and the limits it counts against."""
    name = request.resolver_match.url_name if request.resolver_match else None
    if name == "account_login":
        return (
            "Too many failed sign-in attempts from your network: for your account's safety, "
            "signing in is paused here.",
            [
                Limit(ACCOUNT, "login"),
                Limit(
                    ACCOUNT, "login_failed", login_attempts_key(request, _email(request, "login"))
                ),
            ],
        )
    if name in ("account_signup", "account_signup_by_passkey"):
        return "Too many new accounts from your network in a short time.", [
            Limit(ACCOUNT, "signup")
        ]
    if name == "account_reset_password":
        return (
            "Too many password reset requests in a short time.",
            [Limit(ACCOUNT, "reset_password", _email(request, "email"))],
        )
    if name == "account_reset_password_from_key":
        return "Too many tries of reset links from your network.", [
            Limit(ACCOUNT, "reset_password_from_key")
        ]
    if name in ("account_change_password", "account_set_password"):
        return "Too many password changes in a short time.", [Limit(ACCOUNT, "change_password")]
    if name == "account_email":
        return "Too many changes to your email addresses in a short time.", [
            Limit(ACCOUNT, "manage_email")
        ]
    if name == "account_reauthenticate":
        return "Too many tries to confirm it is you.", [Limit(ACCOUNT, "reauthenticate")]
    if name == "mfa_login_webauthn":
        return "Too many passkey sign-ins from your network.", [Limit(MFA, "webauthn_login")]
    return "Too many requests in a short time.", []


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
