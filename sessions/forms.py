"""Forms of the editors' admin actions."""

from __future__ import annotations

from django import forms


class MergeForm(forms.Form):
    """Which of the selected duplicates survives a merge."""

    keep = forms.ModelChoiceField(queryset=None, widget=forms.RadioSelect, empty_label=None)

    def __init__(self, *args, queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["keep"].queryset = queryset
