"""CSV export of contact messages, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from confguide.models import ContactMessage

COLUMNS = [
    ("Received (UTC)", lambda m: m.created_at.strftime("%Y-%m-%d %H:%M")),
    ("Name", lambda m: m.name),
    ("Email", lambda m: m.email),
    ("Company", lambda m: m.company),
    ("Topic", lambda m: m.get_topic_display()),
    ("Status", lambda m: m.get_status_display()),
    ("About", lambda m: m.source_label),
    ("Source page", lambda m: m.source_path),
    ("Message", lambda m: m.message),
    ("Triage note", lambda m: m.triage_note),
]

# A cell starting with one of these is a formula to Excel, LibreOffice and
# Google Sheets (CSV injection): "=HYPERLINK(...)" typed into the form must
# stay text when an editor opens the export.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def neutralise(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def messages_csv(messages: Iterable[ContactMessage]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([title for title, _ in COLUMNS])
    for message in messages:
        writer.writerow([neutralise(str(value(message))) for _, value in COLUMNS])
    return buffer.getvalue()
