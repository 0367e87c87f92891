from django.core.management.base import BaseCommand, CommandError

from confguide.contact.services import retry_notifications


class Command(BaseCommand):
    help = (
        "Email the editors about contact messages whose notification has not gone out "
        "(for instance during a mail outage). Safe to run from cron every few minutes."
    )

    def handle(self, *args, **options):
        sent, failed = retry_notifications()
        self.stdout.write(f"{sent} notification(s) sent, {failed} still failing.")
        if failed:
            # A non-zero exit lets cron or a monitor notice a lasting outage.
            raise CommandError(f"{failed} notification(s) could not be sent; will retry.")
