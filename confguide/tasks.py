"""Work that must not happen inside a request: the mail the site sends.

Requests enqueue these (django.tasks, stored in the database by django-tasks-db)
and the worker (`manage.py db_worker`) runs them, so a slow or unreachable SMTP
server never holds up a visitor, and a failed send is tried again with a
growing pause. `send_contact_notifications` still retries by hand.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
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


@dataclass(frozen=True)
class SiteForMail:
    """What allauth's mail templates call `current_site`: the guide on SITE_URL."""

    name: str
    domain: str


@task
def send_account_mail(
    template_prefix: str, email: str, context: dict[str, Any], user_id: int | None = None
) -> None:
    """Render and send one of the accounts' mails (sign-up code, reset link, sign-in code...).

    The request only enqueued it (confguide.accounts.adapter), with links already
    on SITE_URL; the account, if the mail is about one, is read again here.
    """
    from allauth.account.adapter import get_adapter

    mail_context = {
        **context,
        "email": email,
        "current_site": SiteForMail(name="confguide", domain=urlsplit(settings.SITE_URL).netloc),
    }
    if user_id is not None:
        user = get_user_model().objects.filter(pk=user_id).first()
        if user is None:  # the account was deleted since: nobody to write to about it
            return
        mail_context["user"] = user
    get_adapter().render_mail(template_prefix, email, mail_context).send()
