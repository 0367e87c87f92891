from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import transaction

from confguide.contributions import demo_steps


class Command(BaseCommand):
    help = (
        "Load the demo content (KubeCon + CloudNativeCon North America 2020 and more). "
        "Safe to run again: only what differs from the demo content is written."
    )

    def handle(self, *args, **options):
        # All or nothing: a failing step leaves the database as it was.
        with transaction.atomic():
            for step in demo_steps():
                summary = step.run()
                self.stdout.write(f"{step.label}: {summary}")
        self.stdout.write(self.style.SUCCESS("Demo content loaded."))
