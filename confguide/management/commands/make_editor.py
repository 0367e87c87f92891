from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from confguide.permissions import EDITORS_GROUP


class Command(BaseCommand):
    help = "Make an existing user an editor: staff access to the admin and the Editors group."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--remove", action="store_true", help="Take editor rights away instead."
        )

    def handle(self, *args, username, remove, **options):
        User = get_user_model()
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist:
            raise CommandError(
                f"No user called {username!r}. Create one first: manage.py createsuperuser "
                "or sign up on the site."
            ) from None
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
