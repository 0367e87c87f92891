"""Where a form may send the visitor back to: the one "safe next URL" check of the site."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next_url(request: HttpRequest, target: str | None, *, fallback: str) -> str:
    """`target` if it stays on this site (no open redirect, no https->http), else `fallback`."""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback
