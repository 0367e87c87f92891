from crispy_forms.helper import FormHelper
from django import forms
from django.contrib.auth.base_user import AbstractBaseUser


class DeleteAccountForm(forms.Form):
    """The attendee proves it is them: their password, or for an account without
    one (passkeys, emailed codes), their email address typed out."""

    def __init__(self, *args, user: AbstractBaseUser, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if user.has_usable_password():
            self.fields["password"] = forms.CharField(
                label="Your password",
                strip=False,
                widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
            )
        elif user.email:
            self.fields["email"] = forms.CharField(
                label="Your email address",
                help_text="Type the address of this account to confirm.",
                widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
            )
        else:
            self.fields["username"] = forms.CharField(
                label="Your user name",
                help_text="Type the user name of this account to confirm.",
                widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
            )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the template has its own token

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("That is not your password.", code="wrong_password")
        return password

    def clean_email(self):
        email = self.cleaned_data["email"].strip()
        if email.casefold() != self.user.email.casefold():
            raise forms.ValidationError(
                "That is not the address of this account.", code="wrong_email"
            )
        return email

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        if username != self.user.get_username():
            raise forms.ValidationError(
                "That is not the user name of this account.", code="wrong_username"
            )
        return username
