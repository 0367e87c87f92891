from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from confguide.permissions import EDITORS_GROUP


class Command(BaseCommand):
    help = (
        "Make an existing user an editor: staff access to the admin and the Editors group. "
        "Name them by username, or by the email address they signed up with."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="a username, or an email address")
        parser.add_argument(
            "--remove", action="store_true", help="Take editor rights away instead."
        )

    def handle(self, *args, username, remove, **options):
        User = get_user_model()
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist:
            # Attendees sign up with an address; their username is made up for them.
            user = _by_email(username)
        if user is None:
            raise CommandError(
                f"No user called {username!r}. Create one first: manage.py createsuperuser "
                "or sign up on the site."
            )
        try:
            group = Group.objects.get(name=EDITORS_GROUP)
        except Group.DoesNotExist:
            raise CommandError("The Editors group is missing: run manage.py migrate.") from None
        if remove:
            user.groups.remove(group)
            user.is_staff = user.is_superuser
            user.save(update_fields=["is_staff"])
            self.stdout.write(self.style.SUCCESS(f"{username} is no longer an editor."))
            return
        user.groups.add(group)
        user.is_staff = True
        user.save(update_fields=["is_staff"])
        self.stdout.write(self.style.SUCCESS(f"{username} is now an editor."))


def _by_email(address: str):
    """The one account that signs in with this confirmed address (an unconfirmed one
    may have been typed by anybody)."""
    if "@" not in address:
        return None
    rows = EmailAddress.objects.filter(email=address.lower(), verified=True).select_related("user")
    users = {row.user for row in rows}
    if len(users) > 1:
        raise CommandError(f"Several accounts use {address!r}: name one by its username.")
    return next(iter(users), None)
