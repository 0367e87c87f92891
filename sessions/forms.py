"""Forms of the editors' admin actions."""

from __future__ import annotations

from django import forms

from sessions.models import Company, SessionTheme


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


class SessionThemeForm(forms.ModelForm):
    """A session's theme in the admin, and whether the editor keeps it by hand."""

    by_hand = forms.BooleanField(
        label="kept by hand",
        required=False,
        initial=True,
        help_text="Ticked, rules never remove it; unticked, it stays only while a rule of "
        "its theme matches the session.",
    )

    class Meta:
        model = SessionTheme
        fields = ("theme",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A table row's fields sit under column headings: name each one for
        # screen readers.
        theme = self.instance.theme if self.instance.theme_id else None
        select = self.fields["theme"].widget
        # The admin wraps it (add and change links); the wrapper renders the inner one.
        getattr(select, "widget", select).attrs["aria-label"] = "Theme"
        self.fields["by_hand"].widget.attrs["aria-label"] = (
            f"Keep {theme} by hand" if theme else "Keep this theme by hand"
        )
        if self.instance.pk is not None:
            self.fields["by_hand"].initial = self.instance.source == SessionTheme.Source.HAND


class SessionThemeFormSet(forms.BaseInlineFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields and form.instance.theme_id:
            form.fields["DELETE"].widget.attrs["aria-label"] = f"Remove {form.instance.theme}"


class CompanyKindForm(forms.Form):
    """The kind the selected companies get from the bulk action ("Not set" included).

    Nothing is chosen to begin with: "Not set" has a value of its own here, so
    a form sent without a choice is refused rather than read as "Not set".
    """

    NOT_SET = "not-set"

    kind = forms.ChoiceField(
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the kind to give the selected companies."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [
            (value or self.NOT_SET, label) for value, label in Company.Kind.choices
        ]

    def clean_kind(self) -> str:
        kind = self.cleaned_data["kind"]
        return "" if kind == self.NOT_SET else kind
