"""Forms of the editors' admin actions."""

from __future__ import annotations

from django import forms

from sessions.models import Company


class MergeForm(forms.Form):
    """Which of the selected duplicates survives a merge."""

    keep = forms.ModelChoiceField(queryset=None, widget=forms.RadioSelect, empty_label=None)

    def __init__(self, *args, queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["keep"].queryset = queryset


class CompanyKindForm(forms.Form):
    """The kind the selected companies get from the bulk action ("Not set" included)."""

    kind = forms.ChoiceField(widget=forms.RadioSelect, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = Company.Kind.choices

    def clean_kind(self) -> str:
        # "Not set" is the empty value, so a form with no choice at all is
        # told apart from it by the absent key.
        if "kind" not in self.data:
            raise forms.ValidationError("Choose the kind to give the selected companies.")
        return self.cleaned_data["kind"]
