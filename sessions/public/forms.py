"""What readers send: the schedule's filters and the time-zone choice."""

from __future__ import annotations

import datetime as dt

from django import forms

from confguide.timezones import time_zone_choices
from sessions.models import Company, Room, Session, Theme

SEARCH_MAX_LENGTH = 200
CHOICE_MAX_LENGTH = 200


class ScheduleFilterForm(forms.Form):
    """The schedule's filters, read from the query string (GET, shareable).

    Choices come from lists the view already fetched, so validating a value
    costs no query. A value that does not validate is dropped, and the page
    says so, instead of failing the whole request.
    """

    q = forms.CharField(
        label="Search",
        required=False,
        max_length=SEARCH_MAX_LENGTH,
        strip=True,
        help_text="Titles, abstracts, speakers and companies.",
    )
    theme = forms.ChoiceField(label="Theme", required=False)
    format = forms.ChoiceField(label="Format", required=False)
    level = forms.ChoiceField(label="Level", required=False)
    room = forms.ChoiceField(label="Room", required=False)
    company = forms.ChoiceField(label="Company", required=False)
    day = forms.DateField(required=False, input_formats=["%Y-%m-%d"], widget=forms.HiddenInput)

    def __init__(
        self,
        data,
        *,
        days: list[dt.date],
        themes: list[Theme],
        rooms: list[Room],
        companies: list[Company],
    ):
        # Choice values longer than any slug cannot match; shortening them keeps
        # the "no such theme" message readable when a link was mangled.
        data = data.copy()
        for name in ("theme", "format", "level", "room", "company", "day"):
            if name in data:
                data[name] = data[name][:CHOICE_MAX_LENGTH]
        super().__init__(data)
        self.days = days
        self.themes = {theme.slug: theme for theme in themes}
        self.rooms = {str(room.pk): room for room in rooms}
        self.companies = {company.slug: company for company in companies}
        self.fields["theme"].choices = [("", "All themes")] + [(t.slug, t.name) for t in themes]
        self.fields["format"].choices = [("", "All formats"), *Session.Format.choices]
        self.fields["level"].choices = [("", "All levels")] + [
            choice for choice in Session.Level.choices if choice[0]
        ]
        self.fields["room"].choices = [("", "All rooms")] + [(str(r.pk), r.name) for r in rooms]
        self.fields["company"].choices = [("", "All companies")] + [
            (c.slug, c.name) for c in companies
        ]
        for name in ("theme", "format", "level", "room", "company"):
            self.fields[name].widget.attrs["class"] = "form-select form-select-sm"
        self.fields["theme"].error_messages["invalid_choice"] = (
            "There is no theme “%(value)s” in this event's schedule, so all themes are shown."
        )
        self.fields["room"].error_messages["invalid_choice"] = (
            "There is no room “%(value)s” in this event, so all rooms are shown."
        )
        self.fields["company"].error_messages["invalid_choice"] = (
            "No company “%(value)s” has sessions at this event, so all companies are shown."
        )
        self.fields["format"].error_messages["invalid_choice"] = (
            "“%(value)s” is not a session format, so all formats are shown."
        )
        self.fields["level"].error_messages["invalid_choice"] = (
            "“%(value)s” is not a level, so all levels are shown."
        )
        self.fields["q"].error_messages["max_length"] = (
            "Searches are limited to %(limit_value)d characters; yours had %(show_value)d, "
            "so it was ignored."
        )
        self.fields["day"].error_messages["invalid"] = (
            "That day is not a date (use YYYY-MM-DD), so the first day is shown."
        )

    def clean_day(self) -> dt.date | None:
        day = self.cleaned_data["day"]
        if day is not None and day not in self.days:
            raise forms.ValidationError(
                f"{day:%-d %B %Y} is not a day of this event, so another day is shown."
            )
        return day

    def filters(self) -> dict:
        """The valid filters as objects and values; invalid ones are left out."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "q": data.get("q", ""),
            "theme": self.themes.get(data.get("theme", "")),
            "format": data.get("format", ""),
            "level": data.get("level", ""),
            "room": self.rooms.get(data.get("room", "")),
            "company": self.companies.get(data.get("company", "")),
            "day": data.get("day"),
        }

    def problems(self) -> list[str]:
        return [message for errors in self.errors.values() for message in errors]


class TimeZoneForm(forms.Form):
    time_zone = forms.ChoiceField(label="Show times also in", choices=())
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, current: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        names = time_zone_choices()
        choices = [(name, name.replace("_", " ")) for name in names]
        if current and current not in names:
            # A browser may report an alias (Asia/Calcutta): keep it selectable.
            choices.insert(1, (current, current.replace("_", " ")))
        self.fields["time_zone"].choices = choices
        self.fields["time_zone"].error_messages["invalid_choice"] = (
            "“%(value)s” is not a time zone we know; choose one from the list."
        )
