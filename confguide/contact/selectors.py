"""Reads of contact messages by sender, for erasure on request and an attendee's data."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q, QuerySet

from confguide.models import ContactMessage


def messages_from(*, emails: Iterable[str]) -> QuerySet[ContactMessage]:
    """Messages sent from any of these addresses, compared without case; none for no address."""
    query = Q()
    for email in {email.strip() for email in emails if email and email.strip()}:
        query |= Q(email__iexact=email)
    if not query:
        return ContactMessage.objects.none()
    return ContactMessage.objects.filter(query).order_by("created_at", "pk")
