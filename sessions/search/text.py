"""What readers type into a search box or pick from an A to Z list, cleaned or refused."""

from __future__ import annotations

import string

SEARCH_MAX_LENGTH = 200
LETTERS = tuple(string.ascii_uppercase)


def clean_search_text(raw: str) -> tuple[str, str]:
    """The text to search for, spaces tidied, and a problem to show ("" if none).

    NUL characters go: PostgreSQL refuses them in any query.
    """
    text = " ".join(raw.replace("\x00", " ").split())
    if len(text) > SEARCH_MAX_LENGTH:
        return "", (
            f"Searches are limited to {SEARCH_MAX_LENGTH} characters; yours had {len(text)}, "
            "so it was ignored."
        )
    return text, ""


def clean_letter(raw: str) -> tuple[str, str]:
    """The A to Z letter asked for (upper case), or "" and a problem to show."""
    letter = raw.strip().upper()
    if not letter:
        return "", ""
    if letter not in LETTERS:
        shown = raw.strip()[:20]
        return "", f"“{shown}” is not a letter from A to Z, so every name is shown."
    return letter, ""
