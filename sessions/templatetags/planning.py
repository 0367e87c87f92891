"""Tags for planning with the schedule: `{% load planning %}`.

The star's count of attendees who saved a session, and the schedule's
multi-value filters.
"""

from __future__ import annotations

from django import template
from django.conf import settings
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

# Up to this many values a filter is a row of checkboxes; a longer list (a big
# event's companies) is one <select multiple>, a few hundred elements fewer.
CHECKBOX_LIMIT = 12


@register.simple_tag(takes_context=True)
def saved_count(context: template.Context, session) -> int | None:
    """How many saved the session, when at least SAVED_COUNT_THRESHOLD did; else None.

    Listings annotate the count (SessionQuerySet.for_listing). The star sent
    back after a change (it carries `toggle_message`) counts afresh, so the
    reader sees the number as it is now; a list fetched otherwise shows none
    rather than cost a query per session.
    """
    count = getattr(session, "saved_count", None)
    if count is None and context.get("toggle_message"):
        from sessions.public.selectors import saved_count as count_saves

        count = count_saves(session=session)
    if count is None or count < settings.SAVED_COUNT_THRESHOLD:
        return None
    return count


@register.simple_tag
def filter_choices(group: dict) -> SafeString:
    """One multi-value filter of the schedule form, as checkboxes or a <select multiple>.

    `group` is one of ScheduleFilterForm.fieldsets(). Built here rather than
    with widget templates: a big event lists some 200 companies.
    """
    name = group["name"]
    invalid = mark_safe(' aria-invalid="true"') if group["invalid"] else ""
    if len(group["options"]) <= CHECKBOX_LIMIT:
        boxes = format_html_join(
            "",
            '<label class="filter-check"><input type="checkbox" name="{}" value="{}"{}> {}</label>',
            (
                (name, value, mark_safe(" checked") if chosen else "", label)
                for value, label, chosen in group["options"]
            ),
        )
        return format_html(
            '<fieldset class="filter-group"{}><legend>{}</legend>{}</fieldset>',
            invalid,
            group["label"],
            boxes,
        )
    options = format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        (
            (value, mark_safe(" selected") if chosen else "", label)
            for value, label, chosen in group["options"]
        ),
    )
    return format_html(
        '<div class="filter-group"><label for="id_{}">{}</label>'
        '<select class="form-select form-select-sm" multiple size="6" name="{}" id="id_{}"'
        ' aria-describedby="filter-multiple-help"{}>{}</select></div>',
        name,
        group["label"],
        name,
        name,
        invalid,
        options,
    )
