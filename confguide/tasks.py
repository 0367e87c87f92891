"""Work that must not happen inside a request: the mail the site sends.

Requests enqueue these (django.tasks, stored in the database by django-tasks-db)
and the worker (`manage.py db_worker`) runs them, so a slow or unreachable SMTP
server never holds up a visitor, and a failed send is tried again with a
growing pause. `send_contact_notifications` still retries by hand.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.tasks import task
from django.utils import timezone

from confguide.contact import services as contact
from confguide.models import ContactMessage

logger = logging.getLogger(__name__)

# Pauses before the next try of a failed notification: 1 min, 5 min, 30 min,
# 2 h, then every 6 h, until MAX_NOTIFY_ATTEMPTS (the row shows the last error).
RETRY_PAUSES = (
    dt.timedelta(minutes=1),
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=30),
    dt.timedelta(hours=2),
    dt.timedelta(hours=6),
)
MAX_NOTIFY_ATTEMPTS = 10


@task
def notify_editors(message_id: int) -> bool:
    """Email the editors about a contact message; on failure, try again later."""
    message = ContactMessage.objects.filter(pk=message_id).first()
    if message is None:
        return False
    if contact.notify_editors(message=message):
        return True
    attempts = ContactMessage.objects.values_list("notify_attempts", flat=True).get(pk=message_id)
    if attempts < MAX_NOTIFY_ATTEMPTS:
        pause = RETRY_PAUSES[min(attempts, len(RETRY_PAUSES)) - 1]
        notify_editors.using(run_after=timezone.now() + pause).enqueue(message_id)
    else:
        logger.error("Gave up emailing the editors about contact message %s.", message_id)
    return False


@task
def send_password_reset(email: str) -> None:
    """Mail a reset link to the accounts with this address, if there are any.

    The request only enqueues this, whether or not the address has an account,
    so the answer takes the same time either way and tells nobody which it was.
    """
    form = PasswordResetForm({"email": email})
    if not form.is_valid():
        return
    scheme, _, host = settings.SITE_URL.partition("://")
    form.save(
        domain_override=host,
        use_https=scheme == "https",
        subject_template_name="registration/password_reset_subject.txt",
        email_template_name="registration/password_reset_email.txt",
    )
