"""Forms of the editors' admin actions."""

from __future__ import annotations

from django import forms


class MergeForm(forms.Form):
    """Which of the selected duplicates survives a merge."""

    keep = forms.ModelChoiceField(queryset=None, widget=forms.RadioSelect, empty_label=None)

    def __init__(self, *args, queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["keep"].queryset = queryset


class ApplyRulesForm(forms.Form):
    """Which sessions the theme rules are applied to: one event's, or every event's."""

    event = forms.ModelChoiceField(
        queryset=None,
        required=False,
        empty_label="Every event",
        help_text="Rules theme the sessions of this event only, or of every event.",
    )

    def __init__(self, *args, events, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["event"].queryset = events
        self.fields["event"].error_messages["invalid_choice"] = (
            "There is no such event; choose one from the list."
        )
