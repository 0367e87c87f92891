from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Layout
from django import forms

from confguide.contact.sources import MAX_SOURCE_LENGTH, resolve_source
from confguide.models import ContactMessage

MESSAGE_MIN_LENGTH = 10


class ContactForm(forms.Form):
    name = forms.CharField(max_length=100, label="Your name", strip=True)
    email = forms.EmailField(max_length=254, label="Email address")
    company = forms.CharField(max_length=200, required=False, label="Company (optional)")
    topic = forms.ChoiceField(
        choices=[("", "Choose a topic"), *ContactMessage.Topic.choices],
        label="What can we help with?",
    )
    message = forms.CharField(
        min_length=MESSAGE_MIN_LENGTH,
        max_length=ContactMessage._meta.get_field("message").max_length,
        widget=forms.Textarea(attrs={"rows": 6}),
        label="Your message",
    )
    consent = forms.BooleanField(
        label=(
            "I agree that the consultancy may store this message and contact me about it. "
            "It is not used for marketing."
        ),
        error_messages={"required": "Please agree to be contacted, or we cannot reply."},
    )
    # The honeypot: hidden from people (and screen readers) by the d-none class,
    # so only a form-filling robot puts anything in it.
    homepage = forms.CharField(
        required=False,
        max_length=200,
        label="Leave this field empty",
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    source = forms.CharField(required=False, max_length=MAX_SOURCE_LENGTH, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["company"].widget.attrs["autocomplete"] = "organization"
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the template has its own token
        self.helper.layout = Layout(
            "name",
            "email",
            "company",
            "topic",
            "message",
            "consent",
            Div("homepage", css_class="d-none", aria_hidden="true"),
            "source",
        )

    def clean_name(self):
        # A name is one line; newlines only ever come from scripts.
        return " ".join(self.cleaned_data["name"].split())

    def clean_source(self):
        """A source that is not a page of this site is dropped, not reported."""
        return resolve_source(self.cleaned_data.get("source"))

    @property
    def is_robot(self) -> bool:
        return bool(self.cleaned_data.get("homepage"))


class EraseSenderForm(forms.Form):
    """An administrator's "forget this person": every message from one address."""

    email = forms.EmailField(
        max_length=254,
        label="Sender's email address",
        help_text="Every message sent from this address is deleted, whatever its case.",
    )
