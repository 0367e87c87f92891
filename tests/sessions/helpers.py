import re


def shows_span(html: str, start: str, end: str, zone: str) -> bool:
    """Whether the page shows the range "start to end ZONE" as the time tags render it."""
    pattern = rf">{start}</time>\u2013<time[^>]+>{end}</time> <abbr[^>]+>{zone}</abbr>"
    return re.search(pattern, html) is not None
