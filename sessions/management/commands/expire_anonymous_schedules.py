"""Delete the schedules of anonymous visitors who have not used them for a while.

The task worker does this daily by itself (sessions.tasks); the command is for
doing it by hand. The age is ANONYMOUS_SCHEDULE_DAYS (90) unless --days says otherwise.
"""

import datetime as dt

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from sessions.myschedule.services import expire_anonymous_schedules


class Command(BaseCommand):
    help = "Delete anonymous visitors' schedules unused for ANONYMOUS_SCHEDULE_DAYS days."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=settings.ANONYMOUS_SCHEDULE_DAYS)

    def handle(self, *args, days: int, **options):
        if days < 1:
            raise CommandError("--days must be at least 1.")
        count = expire_anonymous_schedules(unused_for=dt.timedelta(days=days))
        self.stdout.write(
            f"Deleted {count} anonymous schedule{'s' if count != 1 else ''} unused for {days} days."
        )
