from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """The site's user: editors (staff) and attendees alike.

    A custom model from the first migration, so attendee fields can be added
    later without swapping user models on a live database.
    """

    display_name = models.CharField(
        max_length=150, blank=True, help_text="Shown on posts and to other readers."
    )

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    @property
    def public_name(self) -> str:
        return str(self)
