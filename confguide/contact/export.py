"""CSV export of contact messages, safe to open in a spreadsheet."""

from __future__ import annotations

import io
from collections.abc import Iterable

# defusedcsv's writer prefixes a cell that a spreadsheet would take for a
# formula (=, +, -, @, |, %: CSV injection) with "'", so "=HYPERLINK(...)"
# typed into the contact form stays text when an editor opens the export.
from defusedcsv import csv

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


def messages_csv(messages: Iterable[ContactMessage]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([title for title, _ in COLUMNS])
    for message in messages:
        writer.writerow([str(value(message)) for _, value in COLUMNS])
    return buffer.getvalue()
