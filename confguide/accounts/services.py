"""Writes for attendee accounts."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction


@transaction.atomic
def register_attendee(*, username: str, email: str, password: str) -> AbstractBaseUser:
    """An ordinary user: no staff access, no groups."""
    user = get_user_model()(username=username, email=email)
    user.set_password(password)
    user.full_clean()
    user.save()
    return user
