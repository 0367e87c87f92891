"""Bring official schedules into the guide: parse, validate, then apply.

parse_schedule() turns bytes into a ParsedSchedule (nothing is written);
sessions.importers.apply.apply_schedule() writes it in one transaction.
Both keep to one ImportLimits (entries, and a time budget for the two together);
sessions.importers.services.read_and_apply() is the one way the command and the
worker do both.
"""

from __future__ import annotations

import logging

from sessions.importers import frab, sched_ics
from sessions.importers.base import (
    FORMATS,
    MAX_IMPORT_BYTES,
    ImportLimits,
    ParsedSchedule,
    Problem,
    Progress,
    ScheduleImportError,
    check_not_empty,
    check_size,
)

__all__ = [
    "FORMATS",
    "MAX_IMPORT_BYTES",
    "ImportLimits",
    "ParsedSchedule",
    "Problem",
    "ScheduleImportError",
    "detect_format",
    "parse_schedule",
]

logger = logging.getLogger(__name__)

PARSERS = {
    "sched-ics": sched_ics.parse,
    "frab-xml": frab.parse_xml,
    "frab-json": frab.parse_json,
}
FORMAT_NAMES = {
    "sched-ics": "an iCalendar (Sched) file",
    "frab-xml": "a frab/pretalx XML schedule",
    "frab-json": "a frab/pretalx JSON schedule",
}


def detect_format(data: bytes, name: str = "") -> str:
    """The format from the first bytes, or the file name as a tie-breaker."""
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"begin:vcalendar"):
        return "sched-ics"
    if head.startswith((b"<?xml", b"<schedule", b"<!--", b"<!doctype")):
        return "frab-xml"
    if head.startswith(b"{"):
        return "frab-json"
    for suffix, fmt in ((".ics", "sched-ics"), (".xml", "frab-xml"), (".json", "frab-json")):
        if name.lower().endswith(suffix):
            return fmt
    raise ScheduleImportError(
        "The format could not be recognised: expected an iCalendar (.ics) export from "
        "Sched, or a frab/pretalx schedule in XML or JSON."
    )


def parse_schedule(
    data: bytes,
    *,
    fmt: str = "auto",
    name: str = "",
    limits: ImportLimits | None = None,
    progress: Progress | None = None,
) -> ParsedSchedule:
    """The schedule in the file, or ScheduleImportError: never any other exception.

    `progress(done, total)` follows the entries as they are read.
    """
    check_size(len(data))
    check_not_empty(data)
    if fmt == "auto":
        fmt = detect_format(data, name)
    if fmt not in PARSERS:
        raise ScheduleImportError(f"Unknown format “{fmt}”; use one of {', '.join(FORMATS)}.")
    limits = limits or ImportLimits.from_settings()
    try:
        return PARSERS[fmt](data, limits=limits, progress=progress)
    except ScheduleImportError:
        raise
    except Exception:
        # A file no rule foresaw: the editor gets a message, the developers the traceback.
        logger.exception("A schedule import failed reading %s (%d bytes)", fmt, len(data))
        raise ScheduleImportError(
            f"The file could not be read as {FORMAT_NAMES[fmt]}: it is damaged or in a shape "
            "this import does not know. (The details were logged for the site's developers.)"
        ) from None
