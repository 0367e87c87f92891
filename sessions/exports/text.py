"""Text as every export may carry it: no control characters.

Titles and abstracts come from editors and from imported files, and either
may hold a stray control character (a form feed pasted from a PDF, an escape
sequence). XML 1.0 forbids most of them, so one makes schedule.xml ill-formed;
iCalendar forbids them in text; JSON would carry them, but no app wants them.
Tab and newline stay: each format has a way to write them.
"""

from __future__ import annotations

import re
from typing import Any

# C0 controls but tab and newline, DEL, C1 controls, lone surrogates and the two
# noncharacters XML 1.0 excludes. A carriage return becomes a newline first.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def printable(text: str) -> str:
    """The text without control characters other than tab and newline."""
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def printable_document(value: Any) -> Any:
    """A JSON document (dicts, lists, strings and scalars) with every string made printable."""
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, dict):
        return {printable(key): printable_document(item) for key, item in value.items()}
    if isinstance(value, list):
        return [printable_document(item) for item in value]
    return value


def printable_tree(root) -> None:
    """Make every text, tail and attribute value of an ElementTree printable, in place."""
    for element in root.iter():
        if element.text:
            element.text = printable(element.text)
        if element.tail:
            element.tail = printable(element.tail)
        for name, value in list(element.attrib.items()):
            element.attrib[name] = printable(value)
