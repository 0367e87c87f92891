"""Reads for the privacy pages: everything the site keeps about one account, and who may leave.

confguide knows its own data (the account, its sign-in methods, contact
messages); each app registers what it keeps (confguide.contributions), so
this module never imports an app.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.utils import timezone

from confguide import contributions
from confguide.contact.selectors import messages_from
from confguide.permissions import EDITORS_GROUP

# Never in a download: a password hash helps nobody but someone cracking it.
# The tokens are in the download as the addresses they make (my schedule's part).
_ACCOUNT_FIELDS_LEFT_OUT = {"password", "calendar_token", "share_token"}

STAFF_REFUSAL = (
    "Editors' and administrators' accounts cannot be deleted here, so the site never "
    "loses the people who run it by accident: ask an administrator to delete yours."
)


@dataclass(frozen=True)
class Section:
    """One part of the download, as the "Your data" page describes it."""

    name: str
    label: str
    description: str


OWN_SECTIONS = [
    Section(
        "account",
        "Your account",
        "User name, email address, name and display name, when you joined and last signed "
        "in, your time zone and whether sharing is on. Not your password, which is only "
        "kept as a one-way hash.",
    ),
    Section(
        "email_addresses",
        "Email addresses",
        "The addresses on your account, and whether each is verified and primary.",
    ),
    Section(
        "sign_in_methods",
        "Passkeys and other sign-in methods",
        "Each passkey's name, when you added it and when it was last used. Never the "
        "keys or codes themselves.",
    ),
    Section(
        "contact_messages",
        "Contact messages",
        "Messages sent through the contact form from an address you have verified on your "
        "account, with what the editors noted.",
    ),
]


def sections() -> list[Section]:
    """What a download holds, in its order."""
    registered = [
        Section(part.name, part.label, part.description) for part in contributions.personal_data()
    ]
    return OWN_SECTIONS + registered


def personal_data(*, user: AbstractBaseUser) -> dict:
    """Everything the site keeps about this account, JSON-ready (dates as datetimes)."""
    data = {
        "exported_at": timezone.now(),
        "site": settings.SITE_URL,
        "account": _account(user),
        "email_addresses": _email_addresses(user),
        "sign_in_methods": _sign_in_methods(user),
        "contact_messages": _contact_messages(user),
    }
    for part in contributions.personal_data():
        data[part.name] = part.collect(user)
    return data


def deletion_refusal(*, user: AbstractBaseUser) -> str | None:
    """Why this account cannot delete itself, or None when it can."""
    if user.is_staff or user.is_superuser or user.groups.filter(name=EDITORS_GROUP).exists():
        return STAFF_REFUSAL
    return None


def verified_addresses(*, user: AbstractBaseUser) -> list[str]:
    """Addresses the account has proved it owns (allauth's verified email addresses).

    The account's own `email` alone proves nothing: anyone can sign up with
    someone else's address, and must not read that person's messages.
    """
    if not apps.is_installed("allauth.account"):
        return []
    from allauth.account.models import EmailAddress

    return list(
        EmailAddress.objects.filter(user=user, verified=True)
        .order_by("pk")
        .values_list("email", flat=True)
    )


def _account(user: AbstractBaseUser) -> dict:
    fields = [
        field for field in user._meta.concrete_fields if field.name not in _ACCOUNT_FIELDS_LEFT_OUT
    ]
    account = {field.name: field.value_from_object(user) for field in fields}
    account["groups"] = sorted(user.groups.values_list("name", flat=True))
    return account


def _email_addresses(user: AbstractBaseUser) -> list[dict]:
    if not apps.is_installed("allauth.account"):
        return []
    from allauth.account.models import EmailAddress

    return list(
        EmailAddress.objects.filter(user=user).order_by("pk").values("email", "verified", "primary")
    )


def _sign_in_methods(user: AbstractBaseUser) -> list[dict]:
    if not apps.is_installed("allauth.mfa"):
        return []
    from allauth.mfa.models import Authenticator

    methods = []
    for authenticator in Authenticator.objects.filter(user=user).order_by("created_at", "pk"):
        method = {
            "type": authenticator.get_type_display(),
            "added_at": authenticator.created_at,
            "last_used_at": authenticator.last_used_at,
        }
        if authenticator.type == Authenticator.Type.WEBAUTHN:
            # The name the attendee gave it; the credential itself stays out.
            method["name"] = authenticator.data.get("name", "")
        methods.append(method)
    return methods


def _contact_messages(user: AbstractBaseUser) -> list[dict]:
    return [
        {
            "received_at": message.created_at,
            "name": message.name,
            "email": message.email,
            "company": message.company,
            "topic": message.get_topic_display(),
            "message": message.message,
            "consented_at": message.consented_at,
            "written_from": message.source_path,
            "about": message.source_label,
            "status": message.get_status_display(),
            "editors_note": message.triage_note,
        }
        for message in messages_from(emails=verified_addresses(user=user))
    ]
