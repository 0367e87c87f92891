"""Writes for the contact form: store the lead first, then tell the editors; forget it in time."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.contrib.admin.models import DELETION, LogEntry
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from confguide.contact.selectors import messages_from
from confguide.contact.sources import Source
from confguide.models import ContactMessage

logger = logging.getLogger(__name__)


@transaction.atomic
def record_message(
    *,
    name: str,
    email: str,
    company: str,
    topic: str,
    message: str,
    source: Source | None,
    is_spam: bool = False,
) -> ContactMessage:
    """Save a visitor's message; nothing that can fail (mail) happens before this."""
    contact_message = ContactMessage(
        name=name,
        email=email,
        company=company,
        topic=topic,
        message=message,
        consented_at=timezone.now(),
        source_path=source.path if source else "",
        source_label=source.label[:300] if source else "",
        status=ContactMessage.Status.SPAM if is_spam else ContactMessage.Status.NEW,
    )
    contact_message.full_clean()
    contact_message.save()
    return contact_message


def notify_editors(*, message: ContactMessage) -> bool:
    """Email the editors about one message; returns whether the mail went out.

    A failure is recorded on the row and logged, never raised: the message is
    already safe in the database and `send_contact_notifications` retries it.
    """
    with transaction.atomic():
        # The row lock keeps a retry run and a request from mailing twice
        # (PostgreSQL; SQLite serialises writers anyway).
        locked = (
            ContactMessage.objects.select_for_update()
            .awaiting_notification()
            .filter(pk=message.pk)
            .first()
        )
        if locked is None:
            return False
        try:
            _build_notification(locked).send()
        except Exception as error:  # any backend failure means "retry later"
            logger.exception("Could not email the editors about contact message %s", locked.pk)
            ContactMessage.objects.filter(pk=locked.pk).update(
                notify_attempts=locked.notify_attempts + 1,
                last_notify_error=f"{error.__class__.__name__}: {error}"[:300],
            )
            return False
        ContactMessage.objects.filter(pk=locked.pk).update(
            notified_at=timezone.now(),
            notify_attempts=locked.notify_attempts + 1,
            last_notify_error="",
        )
    # A lead is in: make sure the daily clean-up of old messages is queued.
    from confguide.contact.tasks import schedule_retention

    schedule_retention()
    return True


def retry_notifications(*, messages=None) -> tuple[int, int]:
    """Try again for every message still awaiting its notification: (sent, failed)."""
    pending = messages if messages is not None else ContactMessage.objects.all()
    sent = failed = 0
    for message in pending.awaiting_notification().order_by("created_at"):
        if notify_editors(message=message):
            sent += 1
        else:
            failed += 1
    return sent, failed


def set_status(*, messages, status: str) -> int:
    return messages.exclude(status=status).update(status=status, updated_at=timezone.now())


def delete_old_messages(*, older_than: dt.timedelta) -> int:
    """Delete messages received longer ago than `older_than`, whatever their status."""
    deleted, _ = ContactMessage.objects.filter(created_at__lt=timezone.now() - older_than).delete()
    return deleted


@transaction.atomic
def erase_messages_from(*, email: str, erased_by: AbstractBaseUser) -> int:
    """Delete every message sent from `email` (any case), on that person's request.

    The admin log records that it happened and how many went, but not the
    address or the names: the point is to forget them.
    """
    deleted, _ = messages_from(emails=[email]).delete()
    if deleted:
        LogEntry.objects.create(
            user=erased_by,
            content_type=ContentType.objects.get_for_model(ContactMessage),
            object_id=None,
            object_repr=f"{deleted} contact message{'s' if deleted != 1 else ''}",
            action_flag=DELETION,
            change_message=(
                f"Erased {deleted} contact message{'s' if deleted != 1 else ''} "
                "on the sender's request (address not recorded)."
            ),
        )
    return deleted


def _build_notification(message: ContactMessage) -> EmailMessage:
    admin_path = reverse("admin:confguide_contactmessage_change", args=[message.pk])
    body = render_to_string(
        "contact/notification.txt",
        {"message": message, "admin_url": f"{settings.SITE_URL}{admin_path}"},
    )
    return EmailMessage(
        subject=f"New contact message: {message.get_topic_display()}",
        body=body,
        to=settings.EDITORS_EMAIL,
        reply_to=[message.email],
    )
