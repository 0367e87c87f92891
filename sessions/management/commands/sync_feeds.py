"""Sync the official feeds that are due now, and make sure the worker keeps syncing them.

The task worker does this by itself on each event's interval (sessions.tasks);
the command is for doing it by hand, and for queueing the worker's task again if
it was lost (a database restored from a backup, a worker killed mid-task).
"""

from django.core.management.base import BaseCommand

from sessions.importers import sync
from sessions.tasks import schedule_feed_syncs


class Command(BaseCommand):
    help = "Sync the events' official feeds that are due, and queue the worker's next sync."

    def handle(self, *args, **options):
        synced = sync.sync_due_events()
        schedule_feed_syncs()
        self.stdout.write(f"Synced {synced} due feed{'s' if synced != 1 else ''}.")
        next_due = sync.next_due()
        if next_due is not None:
            self.stdout.write(f"The worker syncs the next one at {next_due:%Y-%m-%d %H:%M} UTC.")
