from django.contrib.auth.models import AbstractUser
from django.db import models

from confguide.querysets import ContactMessageQuerySet
from confguide.timezones import validate_time_zone


class User(AbstractUser):
    """The site's user: editors (staff) and attendees alike.

    A custom model from the first migration, so attendee fields can be added
    later without swapping user models on a live database.
    """

    display_name = models.CharField(
        max_length=150, blank=True, help_text="Shown on posts and to other readers."
    )
    # Attendee settings for the personal schedule ("my schedule").
    time_zone = models.CharField(
        max_length=64,
        blank=True,
        validators=[validate_time_zone],
        help_text="IANA name; times are shown in it beside the event's own zone.",
    )
    # Secrets in URLs: random (secrets.token_urlsafe), unique and so indexed.
    # Null until first needed, so that many users without one never clash.
    calendar_token = models.CharField(max_length=64, unique=True, null=True, blank=True)
    share_token = models.CharField(max_length=64, unique=True, null=True, blank=True)
    share_enabled = models.BooleanField("schedule shared", default=False)

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    @property
    def public_name(self) -> str:
        return str(self)


class ContactMessage(models.Model):
    """A message sent through the contact form: a lead the consultancy must not lose.

    The row is written before anyone is emailed; `notified_at` stays empty until
    the editors' notification has gone out, so a mail outage only delays it.
    """

    class Topic(models.TextChoices):
        KUBERNETES = "kubernetes", "Kubernetes adoption or migration"
        PLATFORM = "platform", "Platform engineering and developer experience"
        SECURITY = "security", "Cloud-native security and policy"
        OBSERVABILITY = "observability", "Observability and reliability"
        STORAGE = "storage", "Storage and data on Kubernetes"
        TRAINING = "training", "Training and workshops"
        GUIDE = "guide", "This conference guide"
        OTHER = "other", "Something else"

    class Status(models.TextChoices):
        NEW = "new", "New"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        SPAM = "spam", "Spam"

    name = models.CharField(max_length=100)
    email = models.EmailField(max_length=254)
    company = models.CharField(max_length=200, blank=True)
    topic = models.CharField(max_length=20, choices=Topic)
    message = models.TextField(max_length=5000)
    consented_at = models.DateTimeField(
        help_text="When the visitor agreed to be contacted about this message."
    )
    # Where the visitor opened the form: a same-site path, checked on the way in,
    # and what it showed then (a page's title can change later).
    source_path = models.CharField("source page", max_length=300, blank=True)
    source_label = models.CharField("about", max_length=300, blank=True)
    status = models.CharField(max_length=20, choices=Status, default=Status.NEW)
    triage_note = models.TextField(
        blank=True, help_text="Editors only: who follows up, what was agreed."
    )
    notified_at = models.DateTimeField("editors notified", null=True, blank=True, editable=False)
    notify_attempts = models.PositiveSmallIntegerField(default=0, editable=False)
    last_notify_error = models.CharField(max_length=300, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ContactMessageQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "-created_at"]),
            models.Index(
                fields=["created_at"],
                condition=models.Q(notified_at__isnull=True),
                name="contact_awaiting_notification",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>: {self.get_topic_display()}"
