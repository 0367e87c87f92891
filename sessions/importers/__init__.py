"""Bring official schedules into the guide: parse, validate, then apply.

parse_schedule() turns bytes into a ParsedSchedule (nothing is written);
sessions.importers.apply.apply_schedule() writes it in one transaction.
"""

from __future__ import annotations

from sessions.importers import frab, sched_ics
from sessions.importers.base import (
    FORMATS,
    MAX_IMPORT_BYTES,
    ParsedSchedule,
    Problem,
    ScheduleImportError,
    check_not_empty,
    check_size,
)

__all__ = [
    "FORMATS",
    "MAX_IMPORT_BYTES",
    "ParsedSchedule",
    "Problem",
    "ScheduleImportError",
    "detect_format",
    "parse_schedule",
]

PARSERS = {
    "sched-ics": sched_ics.parse,
    "frab-xml": frab.parse_xml,
    "frab-json": frab.parse_json,
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


def parse_schedule(data: bytes, *, fmt: str = "auto", name: str = "") -> ParsedSchedule:
    check_size(len(data))
    check_not_empty(data)
    if fmt == "auto":
        fmt = detect_format(data, name)
    if fmt not in PARSERS:
        raise ScheduleImportError(f"Unknown format “{fmt}”; use one of {', '.join(FORMATS)}.")
    return PARSERS[fmt](data)
