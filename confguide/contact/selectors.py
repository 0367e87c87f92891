"""Reads of contact messages: by sender (erasure on request, an attendee's data) and by status."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, Q, QuerySet

from confguide.models import ContactMessage


def messages_from(*, emails: Iterable[str]) -> QuerySet[ContactMessage]:
    """Messages sent from any of these addresses, compared without case; none for no address."""
    query = Q()
    for email in {email.strip() for email in emails if email and email.strip()}:
        query |= Q(email__iexact=email)
    if not query:
        return ContactMessage.objects.none()
    return ContactMessage.objects.filter(query).order_by("created_at", "pk")


# Messages someone still has to answer, in the order triage takes them.
WAITING = (ContactMessage.Status.NEW, ContactMessage.Status.IN_PROGRESS)


def waiting_counts() -> dict[str, int]:
    """How many messages wait, per status in WAITING (zero included), in one query.

    For the editors' dashboard in the conference app, which may read contact
    messages only through confguide's own functions.
    """
    found = dict(
        ContactMessage.objects.filter(status__in=WAITING)
        .values_list("status")
        .annotate(count=Count("pk"))
        .order_by()
        .values_list("status", "count")
    )
    return {status: found.get(status, 0) for status in WAITING}
