"""Delete contact messages older than CONTACT_RETENTION_DAYS, and keep doing it daily.

The task worker does this by itself once the first lead has been mailed to
the editors (confguide.contact.tasks); the command does it now, and queues the
worker's daily round (on a site whose messages predate it, for instance).
"""

import datetime as dt

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from confguide.contact.services import delete_old_messages
from confguide.contact.tasks import schedule_retention


class Command(BaseCommand):
    help = "Delete contact messages older than CONTACT_RETENTION_DAYS days; queue the daily run."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=settings.CONTACT_RETENTION_DAYS)

    def handle(self, *args, days: int, **options):
        if days < 1:
            raise CommandError("--days must be at least 1.")
        count = delete_old_messages(older_than=dt.timedelta(days=days))
        schedule_retention()
        self.stdout.write(
            f"Deleted {count} contact message{'s' if count != 1 else ''} older than {days} days."
        )
