"""Writes for attendee accounts made outside the sign-up pages (the benchmark's attendee)."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction


@transaction.atomic
def register_attendee(*, username: str, email: str, password: str) -> AbstractBaseUser:
    """An ordinary user (no staff access, no groups) who signs in with this address.

    The address counts as confirmed, as after a sign-up's emailed code.
    """
    user = get_user_model()(username=username, email=email)
    user.set_password(password)
    user.full_clean()
    user.save()
    EmailAddress.objects.create(user=user, email=email.lower(), verified=True, primary=True)
    return user
