"""How allauth fits the site: mail through the worker, the site's client address, lockouts.

- Mail: allauth renders and sends inside the request. Here the request only
  enqueues `confguide.tasks.send_account_mail` with what the mail needs (the
  user by id, links moved onto SITE_URL), and the worker renders and sends, so
  no visitor waits on the mail server and the answer takes as long whether or
  not a mail goes out.
- Client address: the one the contact form's limits use (TRUSTED_PROXY_COUNT).
- Failed sign-ins: allauth counts them per address typed, from anywhere, so a
  stranger's five guesses would lock the owner out everywhere. Here the count
  is per address typed *and* client address; the per-client-address limit
  still stops one machine guessing many accounts. Past either, the answer is
  the site's 429 page (confguide.accounts.limits), not a form error.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.core.internal.ratelimit import get_ip
from allauth.core.ratelimit import respond_429
from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from confguide.ratelimit import client_address
from confguide.redirects import safe_next_url
from confguide.tasks import send_account_mail

# Rebuilt by the worker (the user from its id, the site from SITE_URL), never sent along.
_REBUILT_IN_THE_WORKER = frozenset({"request", "current_site", "user"})


def login_attempts_key(request: HttpRequest, login: str) -> str:
    """What allauth's per-key `login_failed` limit counts under: the address typed,
    from this client address (IPv6 addresses by their /64, as allauth's per-ip limit)."""
    return f"{login.strip().lower()}|{get_ip(request)}"


def on_site_url(value: str, request: HttpRequest | None) -> str:
    """A link allauth built on the request's host, moved onto SITE_URL (other text as is)."""
    if request is None or "://" not in value:
        return value
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or parts.netloc != request.get_host():
        return value
    return settings.SITE_URL + urlunsplit(("", "", parts.path, parts.query, parts.fragment))


def portable_context(context: dict[str, Any], request: HttpRequest | None) -> dict[str, Any]:
    """The mail's context as JSON a task can carry."""
    portable: dict[str, Any] = {}
    for name, value in context.items():
        if name in _REBUILT_IN_THE_WORKER:
            continue
        if isinstance(value, str):
            value = on_site_url(value, request)
        elif isinstance(value, dt.datetime):
            moment = value.astimezone(dt.UTC)
            value = f"{moment.day} {moment:%B %Y, %H:%M} UTC"
        elif not isinstance(value, int | float | bool | type(None)):
            value = str(value)
        portable[name] = value
    return portable


class AccountAdapter(DefaultAccountAdapter):
    def is_safe_url(self, url: str) -> bool:
        """The site's one rule for where a `next` may lead (confguide.redirects):
        a path on this site. allauth's own check also takes relative paths such as
        "0", which lead nowhere the visitor meant."""
        request = allauth_context.request
        return bool(url) and request is not None and safe_next_url(request, url, fallback="") == url

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        user = context.get("user")
        send_account_mail.enqueue(
            template_prefix=template_prefix,
            email=email,
            context=portable_context(context, allauth_context.request),
            user_id=user.pk if user is not None else None,
        )

    def get_client_ip(self, request: HttpRequest) -> str:
        address = client_address(request)
        if not address:
            raise PermissionDenied("No client address to count requests by.")
        return address

    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials: Any) -> str:
        login = credentials.get("email", credentials.get("username", ""))
        return login_attempts_key(request, login)

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        try:
            super().pre_authenticate(request, **credentials)
        except forms.ValidationError:  # too many failed attempts: refused before any check
            raise ImmediateHttpResponse(respond_429(request)) from None
