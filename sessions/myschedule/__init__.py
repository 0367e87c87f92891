"""My schedule: the picks as an agenda, plan A and B for overlaps, calendar feed, share links."""
