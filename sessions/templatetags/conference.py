"""Presentation helpers for the conference pages: `{% load conference %}`."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from zoneinfo import ZoneInfo

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from confguide.links import link
from confguide.personal import MAX_NEXT_LENGTH
from confguide.timezones import ZonedSpan, zone_label, zoned_spans

register = template.Library()

# The characters that could end a <script> element or open a comment inside it,
# escaped as JSON allows (the same set Django's json_script escapes).
EN_DASH = "\u2013"
_JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def _reader_tz(context: template.Context) -> ZoneInfo | None:
    request = context.get("request")
    return getattr(request, "reader_tz", None)


# These build plain strings and mark the whole safe once, in two_zone_html: a
# busy day shows some 600 times, and format_html's escaping of each piece was
# a good part of rendering it. What goes in is escaped here: dates and times
# are digits and letters, zone names and abbreviations are escaped.


def _time(moment: dt.datetime) -> str:
    return f'<time datetime="{moment.isoformat()}">{moment:%H:%M}</time>'


def _zone_abbr(moment: dt.datetime, zone: ZoneInfo) -> str:
    return f'<abbr title="{escape(zone.key)}">{escape(zone_label(moment))}</abbr>'


def _span_html(span: ZonedSpan, *, with_date: bool) -> str:
    day = f" ({span.start:%a %-d %b})" if with_date else ""
    # A range that runs past midnight says which day it ends on; ending at
    # 00:00 exactly still belongs to the day it started.
    if (
        span.end is not None
        and (span.end - dt.timedelta(microseconds=1)).date() > span.start.date()
    ):
        day = f"{day} (ends {span.end:%a %-d %b})"
    if span.end is not None and zone_label(span.end) != span.label:
        # The clocks change during the session (01:30 CET to 03:30 CEST is one
        # hour): one shared label would make the range read an hour off.
        return (
            f"{_time(span.start)} {_zone_abbr(span.start, span.zone)}{EN_DASH}"
            f"{_time(span.end)} {_zone_abbr(span.end, span.zone)}{day}"
        )
    text = _time(span.start)
    if span.end is not None:
        text = f"{text}{EN_DASH}{_time(span.end)}"
    return f"{text} {_zone_abbr(span.start, span.zone)}{day}"


def two_zone_html(
    start: dt.datetime, end: dt.datetime | None, *, event_tz: ZoneInfo, reader_tz: ZoneInfo | None
) -> SafeString:
    event_span, reader_span = zoned_spans(start, end, event_tz=event_tz, reader_tz=reader_tz)
    html = f'<span class="event-time">{_span_html(event_span, with_date=False)}</span>'
    if reader_span is not None:
        # The reader's clock may already be on another date: say so.
        other_date = reader_span.start.date() != event_span.start.date()
        html = (
            f'{html} · <span class="reader-time">'
            f"{_span_html(reader_span, with_date=other_date)}</span>"
        )
    return mark_safe(f'<span class="times">{html}</span>')  # every piece escaped above


@register.simple_tag(takes_context=True)
def session_times(context: template.Context, session) -> SafeString:
    """The session's times in the event's zone, then in the reader's.

    For example "15:45-16:20 EST · 12:45-13:20 PST" (with en dashes).
    """
    return two_zone_html(
        session.starts_at,
        session.ends_at,
        event_tz=session.event.tz,
        reader_tz=_reader_tz(context),
    )


@register.simple_tag(takes_context=True)
def two_zone_time(
    context: template.Context, start: dt.datetime, tz: ZoneInfo, end: dt.datetime | None = None
) -> SafeString:
    """Any moment (or range) in a given zone and beside it in the reader's."""
    return two_zone_html(start, end, event_tz=tz, reader_tz=_reader_tz(context))


@register.simple_tag
def json_ld(data: dict[str, Any]) -> SafeString:
    """schema.org data as <script type="application/ld+json">, escaped like json_script.

    A data block is never run, so the CSP has nothing to say about it and it
    needs no nonce: the page stays the same for every reader, and cacheable.
    """
    payload = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    payload = payload.translate(_JSON_SCRIPT_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(payload))


def _way_back(context: template.Context) -> str:
    # Back to the same page afterwards, unless its address is absurdly long. A
    # cached page names its own address, without parameters that change nothing.
    request = context["request"]
    back = context.get("return_path") or request.get_full_path()
    return back if len(back) <= MAX_NEXT_LENGTH else request.path


def _current_zone(context: template.Context) -> str:
    zone = _reader_tz(context)
    return zone.key if zone else ""


@register.inclusion_tag("includes/_time_zone_form.html", takes_context=True)
def time_zone_chooser(context: template.Context) -> dict[str, Any]:
    """The no-JavaScript way to pick the zone times are also shown in."""
    from sessions.public.forms import TimeZoneForm

    current = _current_zone(context)
    back = context.get("back") or _way_back(context)
    form = TimeZoneForm(initial={"time_zone": current or "UTC", "next": back}, current=current)
    return {"form": form, "current": current}


@register.inclusion_tag("includes/_time_zone_note.html", takes_context=True)
def time_zone_note(context: template.Context, spacing: str = "mt-5") -> dict[str, Any]:
    """The page's "Your time zone" box: which zones its times are in, and a link
    to the page that changes it. `spacing` is its Bootstrap margin class.

    The chooser itself (some 490 zones, 29 KB) lives on that page, not on every page.
    """
    return {"current": _current_zone(context), "back": _way_back(context), "spacing": spacing}


@register.simple_tag
def filter_select(field) -> SafeString:
    """A schedule filter's <select>, built here rather than by the widget's templates.

    Django renders each <option> through a template of its own; a big event's
    200 companies made that 10 ms of every schedule render.
    """
    current = "" if field.value() is None else str(field.value())
    options = format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        (
            (value, mark_safe(" selected") if str(value) == current else "", label)
            for value, label in field.field.choices
        ),
    )
    return format_html(
        '<select name="{}" class="{}"{} id="{}">{}</select>',
        field.html_name,
        field.field.widget.attrs.get("class", ""),
        mark_safe(' aria-invalid="true"') if field.errors else "",
        field.id_for_label,
        options,
    )


@register.simple_tag(name="link")
def link_tag(name: str, **values) -> str:
    """`{% url %}` for slug and id values, without a resolver walk each time.

    See confguide.links.
    """
    return link(name, **values)


@register.simple_tag
def theme_badge(theme, href: str | None = None) -> SafeString:
    """A theme's coloured badge linking to `href` (default: the theme's page).

    The colours come from /themes.css by class: the strict CSP forbids style=.
    """
    return format_html(
        '<a class="badge theme-badge {}" href="{}">{}</a>',
        theme.css_class,
        theme.get_absolute_url() if href is None else href,
        theme.name,
    )


@register.filter
def zone_name(zone) -> str:
    """An IANA zone as readers write it: "America/Los Angeles"."""
    return str(getattr(zone, "key", zone) or "").replace("_", " ")
