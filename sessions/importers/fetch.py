"""Download an organisers' published schedule feed, safely.

Only https (plain http is allowed for loopback addresses when the
IMPORT_ALLOW_HTTP_LOOPBACK setting is on, which the test suite uses to serve
shared files locally), a size limit checked while reading, a timeout, and
redirects held to the same rules.
"""

from __future__ import annotations

import ipaddress
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from django.conf import settings

from sessions.importers.base import MAX_IMPORT_BYTES, ScheduleImportError, check_size

TIMEOUT_SECONDS = 15


def check_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return
    if parts.scheme == "http" and parts.hostname and _loopback_allowed(parts.hostname):
        return
    raise ScheduleImportError(f"Only https:// feed addresses are accepted (got “{url[:200]}”).")


def _loopback_allowed(host: str) -> bool:
    if not getattr(settings, "IMPORT_ALLOW_HTTP_LOOPBACK", False):
        return False
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class _CheckedRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        check_url(newurl)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def fetch(
    url: str, *, max_bytes: int = MAX_IMPORT_BYTES, timeout: float = TIMEOUT_SECONDS
) -> bytes:
    check_url(url)
    opener = urllib.request.build_opener(_CheckedRedirects)
    request = urllib.request.Request(url, headers={"User-Agent": "confguide schedule import"})
    try:
        with opener.open(request, timeout=timeout) as response:
            declared = response.headers.get("Content-Length")
            if declared and declared.isdigit():
                check_size(int(declared), limit=max_bytes)
            data = response.read(max_bytes + 1)
    except ScheduleImportError:
        raise
    except urllib.error.HTTPError as error:
        raise ScheduleImportError(f"The feed answered {error.code} {error.reason}.") from None
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise ScheduleImportError(f"The feed could not be fetched: {reason}.") from None
    # Reading stopped one byte past the limit, so a longer feed's size is unknown.
    check_size(len(data), limit=max_bytes, exact=False)
    return data
