"""The editors' schedule import form."""

from __future__ import annotations

from django import forms

from confguide.timezones import time_zone_choices
from sessions.importers.base import EMPTY_FILE_MESSAGE
from sessions.models import Event


class ImportScheduleForm(forms.Form):
    """The editors' schedule import: a file or a feed URL, into an event."""

    FORMAT_CHOICES = [
        ("auto", "Recognise it"),
        ("sched-ics", "Sched iCalendar (.ics): speakers after the dash in titles"),
        ("pretalx-ics", "pretalx iCalendar (.ics)"),
        ("ics", "Other iCalendar (.ics): titles kept whole, speakers from ATTENDEE"),
        ("frab-xml", "frab / pretalx XML"),
        ("frab-json", "frab / pretalx JSON"),
    ]

    event = forms.ModelChoiceField(
        queryset=Event.objects.order_by("-start_date", "name"),
        required=False,
        empty_label="A new event, from the file's own conference data",
        help_text="Re-importing into the same event updates it in place.",
    )
    new_event_slug = forms.SlugField(
        label="Slug of the new event",
        required=False,
        max_length=200,
        help_text="Only for a new event, such as kubecon-eu-2026.",
    )
    time_zone = forms.ChoiceField(
        label="Time zone of a new event",
        required=False,
        choices=lambda: [("", "As the file says"), *((z, z) for z in time_zone_choices())],
        help_text=(
            "Where the file names no zone (Sched's say only UTC), it is inferred from the "
            "city and UTC offsets the file gives when only one zone fits them; otherwise "
            "the import asks for it here."
        ),
    )
    schedule_file = forms.FileField(
        label="Schedule file",
        required=False,
        # Django's own check for a 0-byte upload says it in the importer's words.
        error_messages={"empty": EMPTY_FILE_MESSAGE},
    )
    feed_url = forms.URLField(
        label="…or the organisers' feed URL",
        required=False,
        assume_scheme="https",
        max_length=500,
        help_text="https only.",
    )
    format = forms.ChoiceField(
        choices=FORMAT_CHOICES,
        initial="auto",
        help_text="The preview says what the file was read as; choose here when it cannot tell.",
    )
    publish = forms.BooleanField(
        label="Publish the event",
        required=False,
        help_text="A new event otherwise stays a draft for editors to curate.",
    )

    def clean(self):
        data = super().clean()
        if bool(data.get("schedule_file")) == bool(data.get("feed_url")):
            self.add_error(None, "Choose a file or paste a feed URL (one of the two).")
        if data.get("event") and data.get("new_event_slug"):
            self.add_error("new_event_slug", "Leave this empty when importing into an event.")
        elif not data.get("event"):
            slug = data.get("new_event_slug")
            if not slug:
                self.add_error("new_event_slug", "Give the new event a slug.")
            elif Event.objects.filter(slug=slug).exists():
                self.add_error(
                    "new_event_slug", "An event already has this slug; choose it above instead."
                )
        return data

    @property
    def event_slug(self) -> str:
        event = self.cleaned_data.get("event")
        return event.slug if event else self.cleaned_data["new_event_slug"]
