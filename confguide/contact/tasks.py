"""The daily clean-up of old contact messages, run by the task worker (`db_worker`).

Leads are kept CONTACT_RETENTION_DAYS (two years by default), then deleted.
The worker has no timetable of its own, so the task queues tomorrow's run
itself while any message remains, and the first lead the editors are told
about queues it (contact.services.notify_editors); `manage.py
delete_old_contact_messages` runs it by hand and starts the daily round.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.tasks import TaskResultStatus, task
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from confguide.contact import services
from confguide.models import ContactMessage

RETENTION_EVERY = dt.timedelta(days=1)


@task
def delete_old_contact_messages() -> int:
    """Delete messages older than CONTACT_RETENTION_DAYS; again tomorrow while any remain."""
    deleted = services.delete_old_messages(
        older_than=dt.timedelta(days=settings.CONTACT_RETENTION_DAYS)
    )
    if ContactMessage.objects.exists():
        schedule_retention()
    return deleted


def schedule_retention() -> None:
    """Queue tomorrow's clean-up, unless one is queued already."""
    queued = DBTaskResult.objects.filter(
        task_path=delete_old_contact_messages.module_path, status=TaskResultStatus.READY
    )
    if not queued.exists():
        delete_old_contact_messages.using(run_after=timezone.now() + RETENTION_EVERY).enqueue()
