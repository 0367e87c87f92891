"""Where the site may send a visitor back to: the one redirect-target check.

Every `next` a visitor can type passes through `safe_next_url()`: it must be a
path on this site (starting with one "/"), pass Django's
`url_has_allowed_host_and_scheme`, hold no control character (a header
cannot carry one) and be of sane length. Anything else is replaced by the
view's fallback. Views answer with `redirect_to()` (an HttpResponseRedirect
to a checked path); nothing a visitor typed ever reaches `redirect()`, which
would try it as a URL pattern name first.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme

# A page's own address is far shorter; longer targets are refused, not cut.
MAX_NEXT_LENGTH = 1000


def safe_next_url(request: HttpRequest, target: str | None, *, fallback: str) -> str:
    """`target` if it is a path on this site, else `fallback`."""
    if not target or len(target) > MAX_NEXT_LENGTH:
        return fallback
    if not target.startswith("/") or target.startswith(("//", "/\\")):
        return fallback
    if any(ord(character) < 32 or ord(character) == 127 for character in target):
        return fallback
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return fallback
    return target


def redirect_to(path: str) -> HttpResponseRedirect:
    """A redirect to a path the site built or checked (see safe_next_url)."""
    return HttpResponseRedirect(path)


def redirect_back(
    request: HttpRequest, target: str | None, *, fallback: str
) -> HttpResponseRedirect:
    """Back to `target` when it is safe, else to `fallback`."""
    return redirect_to(safe_next_url(request, target, fallback=fallback))
