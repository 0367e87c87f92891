"""Download an organisers' published schedule feed through the site's safe fetcher.

confguide.fetch does the work (https to public addresses only, one deadline,
checked redirects); this module words its refusals as the importer's, so a feed
over the size limit is refused in the same words as an upload of that size.
"""

from __future__ import annotations

from confguide import fetch as safe
from sessions.importers.base import MAX_IMPORT_BYTES, ScheduleImportError, check_size


def check_url(url: str) -> None:
    """Refuse, before any network traffic, a feed address that will never be fetched."""
    try:
        safe.check_url(url)
    except safe.FetchError as error:
        raise ScheduleImportError(str(error)) from None


def fetch(url: str, *, max_bytes: int = MAX_IMPORT_BYTES, timeout: float | None = None) -> bytes:
    """The feed's bytes; `timeout` is the deadline for the whole download
    (default: the FETCH_TIMEOUT setting). Raises ScheduleImportError."""
    try:
        return safe.fetch(url, max_bytes=max_bytes, timeout=timeout)
    except safe.ResponseTooLarge as error:
        too_large = error
    except safe.FetchError as error:
        raise ScheduleImportError(str(error)) from None
    # Outside the except block, so the importer's refusal is not chained to the fetcher's.
    check_size(too_large.size, limit=max_bytes, exact=too_large.exact)
    raise ScheduleImportError(str(too_large))  # unreachable: the size is over the limit
