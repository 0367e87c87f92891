"""Bring official schedules into the guide: parse, validate, then apply.

parse_schedule() turns bytes into a ParsedSchedule (nothing is written);
sessions.importers.apply.apply_schedule() writes it in one transaction.
Both keep to one ImportLimits (entries, and a time budget for the two together);
sessions.importers.services.read_and_apply() is the one way the command and the
worker do both.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from sessions.importers import frab, ics_generic, ics_pretalx, sched_ics
from sessions.importers.base import (
    FORMAT_LABELS,
    FORMATS,
    MAX_IMPORT_BYTES,
    ImportLimits,
    ParsedSchedule,
    Problem,
    Progress,
    ReadOptions,
    ScheduleImportError,
    check_not_empty,
    check_size,
    shorten,
)

__all__ = [
    "FORMATS",
    "FORMAT_LABELS",
    "MAX_IMPORT_BYTES",
    "Detection",
    "ImportLimits",
    "ParsedSchedule",
    "Problem",
    "ScheduleImportError",
    "detect",
    "detect_format",
    "parse_schedule",
]

logger = logging.getLogger(__name__)

PARSERS = {
    "sched-ics": sched_ics.parse,
    "pretalx-ics": ics_pretalx.parse,
    "ics": ics_generic.parse,
    "frab-xml": frab.parse_xml,
    "frab-json": frab.parse_json,
}
FORMAT_NAMES = {
    "sched-ics": "a Sched iCalendar file",
    "pretalx-ics": "a pretalx iCalendar file",
    "ics": "an iCalendar file",
    "frab-xml": "a frab/pretalx XML schedule",
    "frab-json": "a frab/pretalx JSON schedule",
}
CHOOSE_FORMAT = "the command's --format, or Format in the import form"

# Who made a calendar, by its PRODID: pretalx writes "-//pretalx//<host>//<event>",
# Sched "-//Sched.com <conference name>//EN", this guide "-//confguide//…".
PRETALX_PRODID = re.compile(r"-//pretalx//", re.IGNORECASE)
SCHED_PRODID = re.compile(r"-//Sched\.com\b", re.IGNORECASE)
OWN_PRODID = re.compile(r"-//confguide//", re.IGNORECASE)
# ...and by the shape of its events, when the PRODID is missing or another's.
PRETALX_UID = re.compile(r"^UID[;:](?:[^:\r\n]*:)?pretalx-[^@\s]+@", re.IGNORECASE | re.MULTILINE)
SCHED_URL = re.compile(
    r"^URL[;:](?:[^:\r\n]*:)?https?://[\w.-]+\.sched\.com/event/", re.IGNORECASE | re.MULTILINE
)
SUMMARY = re.compile(r"^SUMMARY[;:](?:[^:\r\n]*:)?(?P<text>.*)$", re.IGNORECASE | re.MULTILINE)
PRODID = re.compile(r"^PRODID[;:](?:[^:\r\n]*:)?(?P<text>.*)$", re.IGNORECASE | re.MULTILINE)
VEVENT = re.compile(r"^BEGIN:VEVENT", re.IGNORECASE | re.MULTILINE)
# The first element of an XML document, past its declaration and comments.
XML_ROOT = re.compile(r"^(?:\s|<\?.*?\?>|<!--.*?-->)*<(?P<name>[\w.:-]+)", re.DOTALL)
XCAL_ROOTS = {"icalendar", "vcalendar", "xcal:icalendar"}


@dataclass(frozen=True)
class Detection:
    """The format a file is read as, and why: the preview and the command say both."""

    format: str
    why: str

    @property
    def label(self) -> str:
        return FORMAT_LABELS[self.format]


def detect_format(data: bytes, name: str = "") -> str:
    """The format's name (see detect())."""
    return detect(data, name).format


def detect(data: bytes, name: str = "") -> Detection:
    """The format by content: an iCalendar's maker (PRODID, then its events' shape),
    XML, JSON; the file name only when the content does not tell.

    Refuses (ScheduleImportError) rather than guess where guessing wrong would
    garble every session: a calendar of unknown make whose titles read like
    Sched's or pretalx's "Title - Speaker".
    """
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    lowered = head.lower()
    if lowered.startswith(b"begin:vcalendar"):
        return _calendar_flavour(data)
    if lowered.startswith((b"<?xml", b"<schedule", b"<!--", b"<!doctype", b"<icalendar")):
        return _xml_kind(head)
    if lowered.startswith(b"{"):
        return Detection("frab-json", "it is JSON, as frab and pretalx write schedule.json")
    lowered_name = name.lower()
    if lowered_name.endswith(".ics"):
        return _calendar_flavour(data)
    for suffix, fmt in ((".xml", "frab-xml"), (".json", "frab-json")):
        if lowered_name.endswith(suffix):
            return Detection(fmt, f"its name ends in {suffix}")
    if lowered_name.endswith(".xcal"):
        _refuse_xcal()
    raise ScheduleImportError(
        "The format could not be recognised: expected an iCalendar (.ics) export from "
        "Sched, pretalx or another calendar, or a frab/pretalx schedule in XML or JSON."
    )


def _calendar_flavour(data: bytes) -> Detection:
    # Read leniently here: the parser refuses a file that is not UTF-8, with its line.
    text = re.sub(r"\r?\n[ \t]", "", data.decode("utf-8", "replace"))
    prodid_match = PRODID.search(text)
    prodid = prodid_match["text"].strip() if prodid_match else ""
    quoted = f"its PRODID “{shorten(prodid, 80)}”"
    if PRETALX_PRODID.match(prodid):
        return Detection("pretalx-ics", f"{quoted} names pretalx")
    if SCHED_PRODID.match(prodid):
        return Detection("sched-ics", f"{quoted} names Sched")
    if OWN_PRODID.match(prodid):
        return Detection("ics", f"{quoted} is this guide's own export")
    events = len(VEVENT.findall(text))
    if events and len(PRETALX_UID.findall(text)) * 2 >= events:
        return Detection("pretalx-ics", "its events' UIDs are pretalx's (pretalx-…@host)")
    if events and len(SCHED_URL.findall(text)) * 2 >= events:
        return Detection("sched-ics", "its events' URLs are Sched event pages")
    maker = quoted if prodid else "it has no PRODID"
    summaries = [m["text"] for m in SUMMARY.finditer(text)]
    dashed = sum(" - " in summary for summary in summaries)
    if summaries and dashed * 2 > len(summaries):
        raise ScheduleImportError(
            f"This calendar does not say it comes from Sched or pretalx ({maker}), and most "
            "of its titles read “… - …”: Sched puts speakers and companies after the dash "
            "(“Title - Name, Company”), pretalx speakers (“Title - Name [Company]”), and "
            "other calendars may simply have dashes in titles. Choose the format: "
            f"sched-ics, pretalx-ics, or ics to keep titles whole ({CHOOSE_FORMAT})."
        )
    return Detection(
        "ics",
        f"{maker}, which is neither Sched's nor pretalx's: titles are kept whole and "
        "speakers read from ATTENDEE",
    )


def _xml_kind(head: bytes) -> Detection:
    root = XML_ROOT.match(head.decode("utf-8", "replace"))
    if root and root["name"].lower() in XCAL_ROOTS:
        _refuse_xcal()
    if root and root["name"] == "schedule":
        return Detection("frab-xml", "it is XML with a <schedule> root, as frab and pretalx write")
    return Detection("frab-xml", "it is XML, the only XML schedule this import reads is frab's")


def _refuse_xcal() -> None:
    raise ScheduleImportError(
        "This is an xCal file (iCalendar written as XML), which this import does not read; "
        "import the same schedule's .ics, schedule.xml or schedule.json export instead."
    )


def parse_schedule(
    data: bytes,
    *,
    fmt: str = "auto",
    name: str = "",
    limits: ImportLimits | None = None,
    progress: Progress | None = None,
    time_zone: str = "",
    time_zone_source: str = "chosen when importing",
) -> ParsedSchedule:
    """The schedule in the file, or ScheduleImportError: never any other exception.

    `progress(done, total)` follows the entries as they are read. `time_zone`
    is the zone chosen when importing (or the zone of the event a re-import
    goes into): it reads local times where the file names no zone, and a new
    event gets it; `time_zone_source` says which, for the preview.
    """
    check_size(len(data))
    check_not_empty(data)
    if fmt == "auto":
        detection = detect(data, name)
    elif fmt in PARSERS:
        detection = Detection(fmt, "chosen when importing")
    else:
        raise ScheduleImportError(f"Unknown format “{fmt}”; use one of {', '.join(FORMATS)}.")
    limits = limits or ImportLimits.from_settings()
    try:
        options = ReadOptions(
            limits=limits,
            progress=progress,
            time_zone=time_zone,
            time_zone_source=time_zone_source if time_zone else "",
        )
        parsed = PARSERS[detection.format](data, options)
    except ScheduleImportError:
        raise
    except Exception:
        # A file no rule foresaw: the editor gets a message, the developers the traceback.
        logger.exception(
            "A schedule import failed reading %s (%d bytes)", detection.format, len(data)
        )
        raise ScheduleImportError(
            f"The file could not be read as {FORMAT_NAMES[detection.format]}: it is damaged or "
            "in a shape this import does not know. (The details were logged for the site's "
            "developers.)"
        ) from None
    parsed.detected_as = detection.label
    parsed.detected_why = detection.why
    return parsed
