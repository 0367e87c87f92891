"""What readers send: the schedule's filters and the time-zone choice."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django import forms

from confguide.pagecache import MAX_PARAMETER_VALUES
from confguide.timezones import time_zone_choices

SEARCH_MAX_LENGTH = 200
CHOICE_MAX_LENGTH = 200

RECORDED_CHOICES = [("yes", "Recorded"), ("no", "Not recorded")]
SPONSORED_CHOICES = [("hide", "Hide sponsored sessions")]


@dataclass(frozen=True)
class FilterSpec:
    """One multi-value filter: its query key, its label and the message for a value it lacks."""

    name: str
    label: str
    refusal: str


MULTI_FILTERS = (
    FilterSpec("theme", "Theme", "There is no theme “{value}” in this event's schedule"),
    FilterSpec("room", "Room", "There is no room “{value}” in this event"),
    FilterSpec("format", "Format", "“{value}” is not a session format in this event"),
    FilterSpec("level", "Level", "“{value}” is not a level in this event"),
    FilterSpec(
        "kind",
        "Speakers' companies",
        "No speaker at this event appears for a company of kind “{value}”",
    ),
    FilterSpec("company", "Company", "No company “{value}” has sessions at this event"),
)


_CONTROL_CHARACTERS = dict.fromkeys([*range(32), 127])


def _printable(value: str) -> str:
    """A value without control characters: a link may carry %00, which has no place
    in a message on the page (nor in a PostgreSQL query)."""
    return value.translate(_CONTROL_CHARACTERS)


class ScheduleFilterForm(forms.Form):
    """The schedule's filters, read from the query string (GET, shareable).

    Each of theme, room, format, level, company and kind takes several values
    (`?theme=a&theme=b`): a session matches one of a filter's values, and every
    filter that has values. Only values the event's public sessions use are
    offered or accepted (see selectors.schedule_choices), so validating costs no
    query. A value that does not validate is dropped, and the page says so,
    instead of failing the whole request. `kind` is the kind of company a
    speaker appears for ("end-user" gives the end-user stories); `sponsored=hide`
    leaves sponsored sessions out.
    """

    q = forms.CharField(
        label="Search",
        required=False,
        max_length=SEARCH_MAX_LENGTH,
        strip=True,
        help_text="Titles, abstracts, speakers and companies.",
    )
    recorded = forms.ChoiceField(label="Recording", required=False)
    sponsored = forms.ChoiceField(
        label="Sponsored sessions", required=False, choices=SPONSORED_CHOICES
    )
    day = forms.DateField(required=False, input_formats=["%Y-%m-%d"], widget=forms.HiddenInput)

    def __init__(self, data, *, days: list[dt.date], choices: dict[str, list]):
        # Values longer than any slug cannot match; shortening them keeps the
        # "no such theme" message readable when a link was mangled.
        self.raw = {
            spec.name: list(
                dict.fromkeys(
                    _printable(value)[:CHOICE_MAX_LENGTH]
                    for value in data.getlist(spec.name)
                    if _printable(value)
                )
            )
            for spec in MULTI_FILTERS
        }
        single = {
            name: _printable(data.get(name, ""))[: CHOICE_MAX_LENGTH if name != "q" else None]
            for name in ("q", "recorded", "sponsored", "day")
            if name in data
        }
        super().__init__(single)
        self.days = days
        # value -> (object or value, label), in the order the page lists them.
        self.options: dict[str, dict[str, tuple]] = {
            name: dict(options)
            for name, options in choices.items()
            if name not in ("recorded", "sponsored")
        }
        self.recorded_differs = bool(choices.get("recorded"))
        self.sponsored_present = bool(choices.get("sponsored"))
        self.fields["recorded"].choices = [("", "Recorded or not"), *RECORDED_CHOICES]
        self.fields["recorded"].widget.attrs["class"] = "form-select form-select-sm"
        self.fields["recorded"].error_messages["invalid_choice"] = (
            "“%(value)s” is not a recording choice (use yes or no), so sessions are shown "
            "whether recorded or not."
        )
        self.fields["sponsored"].error_messages["invalid_choice"] = (
            "“%(value)s” is not a choice for sponsored sessions (use hide), so they are shown."
        )
        self.fields["q"].error_messages["max_length"] = (
            "Searches are limited to %(limit_value)d characters; yours had %(show_value)d, "
            "so it was ignored."
        )
        self.fields["day"].error_messages["invalid"] = (
            "That day is not a date (use YYYY-MM-DD), so the first day is shown."
        )
        self._dropped: list[str] = []
        self._chosen: dict[str, list[str]] = {}
        for spec in MULTI_FILTERS:
            known = self.options.get(spec.name, {})
            values = self.raw[spec.name]
            if len(values) > MAX_PARAMETER_VALUES:
                self._dropped.append(
                    f"A filter takes at most {MAX_PARAMETER_VALUES} values; "
                    f"the {spec.label.lower()} filter had more, so it was left out."
                )
                values = []
            self._chosen[spec.name] = [value for value in values if value in known]
            self._dropped += [
                spec.refusal.format(value=value) + ", so it was left out."
                for value in values
                if value not in known
            ]

    def clean_day(self) -> dt.date | None:
        day = self.cleaned_data["day"]
        if day is not None and day not in self.days:
            raise forms.ValidationError(
                f"{day:%-d %B %Y} is not a day of this event, so another day is shown."
            )
        return day

    def filters(self) -> dict:
        """The valid filters: lists of objects or values, with invalid ones left out."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        recorded = data.get("recorded", "")
        return {
            "q": data.get("q", ""),
            **{
                name: [self.options[name][value][0] for value in values]
                for name, values in self._chosen.items()
            },
            "recorded": None if not recorded else recorded == "yes",
            "hide_sponsored": data.get("sponsored") == "hide",
            "day": data.get("day"),
        }

    def query(self) -> list[tuple[str, str]]:
        """The filters that worked, as query pairs for links (the day left out)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        pairs = [("q", data["q"])] if data.get("q") else []
        for spec in MULTI_FILTERS:
            pairs += [(spec.name, value) for value in self._chosen[spec.name]]
        if data.get("recorded"):
            pairs.append(("recorded", data["recorded"]))
        if data.get("sponsored"):
            pairs.append(("sponsored", data["sponsored"]))
        return pairs

    def active_count(self) -> int:
        """How many filters narrow the schedule (the search counts as one)."""
        return len({name for name, _ in self.query()})

    def fieldsets(self) -> list[dict]:
        """What the filter form offers: one group per filter with something to choose.

        A filter appears only when the event's sessions differ in it: no Level
        filter for an event whose sessions name no level.
        """
        groups = []
        for spec in MULTI_FILTERS:
            options = self.options.get(spec.name, {})
            if not options:
                continue
            chosen = set(self._chosen[spec.name])
            invalid = any(value not in options for value in self.raw[spec.name])
            groups.append(
                {
                    "name": spec.name,
                    "label": spec.label,
                    "options": [
                        (value, label, value in chosen) for value, (_, label) in options.items()
                    ],
                    "invalid": invalid,
                }
            )
        return groups

    def offers_recorded(self) -> bool:
        return self.recorded_differs

    def offers_sponsored(self) -> bool:
        """Whether "Hide sponsored" is offered: only where a session is sponsored."""
        return self.sponsored_present

    def problems(self) -> list[str]:
        messages = [message for errors in self.errors.values() for message in errors]
        return self._dropped + messages


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
