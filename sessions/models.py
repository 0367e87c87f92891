from __future__ import annotations

import datetime as dt
import secrets
import uuid
from functools import cached_property
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from confguide.links import link
from confguide.timezones import available_time_zones, validate_time_zone
from sessions.days import conference_day, day_bounds
from sessions.querysets import EventQuerySet, SessionQuerySet
from sessions.search.documents import SearchVectorIndex
from sessions.validators import validate_hex_colour


def one_kind_of_line_break(text: str | None) -> str | None:
    """Text with every line break as "\n": browsers send "\r\n" from a textarea,
    feeds send either, and the two must compare equal."""
    if not text:
        return text
    return text.replace("\r\n", "\n").replace("\r", "\n")


class TimeStamped(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Event(TimeStamped):
    class SyncEvery(models.IntegerChoices):
        """How often the worker fetches the official feed, in minutes."""

        MINUTES_15 = 15, "every 15 minutes"
        MINUTES_30 = 30, "every 30 minutes"
        HOUR = 60, "every hour"
        HOURS_2 = 120, "every 2 hours"
        HOURS_6 = 360, "every 6 hours"
        HOURS_12 = 720, "every 12 hours"
        DAY = 1440, "once a day"

    # What the sync worker alone writes (sessions.importers.sync): an editor's
    # form loaded before a sync must not write the old values back.
    SYNC_STATE_FIELDS = (
        "next_sync_at",
        "feed_etag",
        "feed_last_modified",
        "feed_digest",
        "sync_failures",
    )

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    start_date = models.DateField()
    end_date = models.DateField()
    time_zone = models.CharField(
        max_length=64,
        validators=[validate_time_zone],
        help_text="IANA name, such as America/New_York. Times are shown in this zone.",
    )
    is_virtual = models.BooleanField("virtual event", default=False)
    venue = models.CharField(max_length=200, blank=True, help_text="Venue and city, if any.")
    website_url = models.URLField("official website", max_length=500, blank=True)
    schedule_url = models.URLField("official schedule", max_length=500, blank=True)
    is_published = models.BooleanField("published", default=False)
    # The official schedule kept in sync: the worker imports the feed again on an interval.
    feed_url = models.URLField(
        "official feed",
        max_length=500,
        blank=True,
        help_text=(
            "An https address of the organisers' schedule (Sched or pretalx .ics, "
            "frab/pretalx schedule.xml or schedule.json), imported again on the interval below. "
            "Leave blank to import by hand only."
        ),
    )
    sync_every = models.PositiveIntegerField(
        "sync interval", choices=SyncEvery.choices, default=SyncEvery.HOUR
    )
    sync_paused = models.BooleanField(
        "sync paused", default=False, help_text="Stops the worker importing the feed until cleared."
    )
    next_sync_at = models.DateTimeField("next sync", null=True, blank=True, editable=False)
    # The validators of the last feed response that was imported, sent back so an
    # unchanged feed answers 304; and its SHA-256, for servers that send none.
    feed_etag = models.CharField(max_length=200, blank=True, editable=False)
    feed_last_modified = models.CharField(max_length=200, blank=True, editable=False)
    feed_digest = models.CharField(max_length=64, blank=True, editable=False)
    # Failed syncs in a row: the pause before the next try doubles with each.
    sync_failures = models.PositiveSmallIntegerField(default=0, editable=False)
    # Moves whenever anything a page or export of this event shows changes;
    # only sessions.content moves it. Caches and ETags key on it.
    content_version = models.PositiveBigIntegerField(default=1, editable=False)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")),
                name="event_ends_on_or_after_start",
                violation_error_message="The event cannot end before it starts.",
            ),
        ]
        indexes = [
            models.Index(fields=["is_published", "-start_date"]),
            # The sync worker's question: which feeds are due.
            models.Index(fields=["next_sync_at"], name="event_next_sync_at"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        # An instance loaded before a bump must never write the old version
        # back (pages cached under it would come back stale): an update
        # writes every field but content_version, and but the sync worker's state.
        if not self._state.adding and self.pk is not None:
            fields = kwargs.get("update_fields")
            if fields is None:
                fields = [f.name for f in self._meta.concrete_fields if not f.primary_key]
            kept = {"content_version", *self.SYNC_STATE_FIELDS}
            kwargs["update_fields"] = [name for name in fields if name not in kept]
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return link("conference:event_detail", slug=self.slug)

    @cached_property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @property
    def days(self) -> list[dt.date]:
        count = (self.end_date - self.start_date).days + 1
        return [self.start_date + dt.timedelta(days=n) for n in range(count)]

    def clean(self) -> None:
        super().clean()
        # New dates or a new zone must not strand sessions outside the event.
        if self.pk is None or self.time_zone not in available_time_zones():
            return
        if not (self.start_date and self.end_date) or self.end_date < self.start_date:
            return  # the end-after-start constraint reports it
        zone = ZoneInfo(self.time_zone)
        opens, _ = day_bounds(self.start_date, zone)
        _, closes = day_bounds(self.end_date, zone)
        stranded = self.sessions.filter(
            Q(starts_at__lt=opens) | Q(starts_at__gte=closes) | Q(ends_at__gt=closes)
        ).count()
        if stranded:
            raise ValidationError(
                f"{stranded} of this event's sessions would fall outside "
                f"{self.start_date:%d %b %Y} to {self.end_date:%d %b %Y} ({self.time_zone}); "
                "move them first, or keep the dates and time zone."
            )


class Theme(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    colour = models.CharField(
        max_length=7,
        default="#1d5f8a",
        validators=[validate_hex_colour],
        help_text="Badge colour, such as #1d5f8a. The text colour is picked for contrast.",
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return link("conference:theme_detail", slug=self.slug)

    @property
    def css_class(self) -> str:
        """The badge class the generated theme stylesheet colours (no inline style: strict CSP)."""
        return f"theme-{self.slug}"

    @property
    def text_colour(self) -> str:
        """Black or white, whichever reads better on the badge colour (WCAG luminance)."""
        channels = [int(self.colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
        # Contrast against white is 1.05/(L+0.05), against black (L+0.05)/0.05.
        return "#000000" if (luminance + 0.05) / 0.05 >= 1.05 / (luminance + 0.05) else "#ffffff"


class Company(TimeStamped):
    class Kind(models.TextChoices):
        # Blank until an editor decides: an import knows companies by name only.
        NOT_SET = "", "Not set"
        END_USER = "end-user", "End user"
        VENDOR = "vendor", "Vendor"
        PROJECT = "project", "CNCF or open-source project"
        SPONSOR = "sponsor", "Sponsor"
        COMMUNITY = "community", "Community"
        ACADEMIA = "academia", "Academia"
        OTHER = "other", "Other"

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True)
    kind = models.CharField(
        max_length=20,
        choices=Kind,
        default=Kind.NOT_SET,
        blank=True,
        help_text="What the company is to the community; readers can pick end-user stories "
        "by it on the schedule.",
    )
    website_url = models.URLField("website", max_length=500, blank=True)
    logo = models.ImageField(upload_to="companies/", blank=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "companies"
        # The schedule's kind filter and the admin's list filter select by it.
        indexes = [models.Index(fields=["kind"], name="company_kind")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return link("conference:company_detail", slug=self.slug)

    @property
    def kind_phrase(self) -> str:
        """The kind as it reads beside the name mid-sentence ("end user"); blank if not set."""
        return _KIND_PHRASES.get(self.kind, "")

    @property
    def listing_label(self) -> str:
        """The short kind shown beside the company on cards and agenda rows.

        Blank for vendors and "other", the bulk of a KubeCon's speakers: a
        label on each of them would add weight and tell readers little, while
        "end user" is what they scan for.
        """
        return _LISTING_LABELS.get(self.kind, "")


_KIND_PHRASES = {
    Company.Kind.END_USER: "end user",
    Company.Kind.VENDOR: "vendor",
    Company.Kind.PROJECT: "CNCF or open-source project",
    Company.Kind.SPONSOR: "sponsor",
    Company.Kind.COMMUNITY: "community",
    Company.Kind.ACADEMIA: "academia",
    Company.Kind.OTHER: "other",
}
_LISTING_LABELS = {
    Company.Kind.END_USER: "end user",
    Company.Kind.PROJECT: "project",
    Company.Kind.SPONSOR: "sponsor",
    Company.Kind.COMMUNITY: "community",
    Company.Kind.ACADEMIA: "academia",
}


class Speaker(TimeStamped):
    # Published as the person's guid in frab exports; an import of such a file
    # finds the speaker by it before it compares names. Speakers are shared by
    # every event, so it is unique across the guide.
    guid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    company = models.ForeignKey(
        Company,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="speakers",
        help_text="Current employer. Each session keeps the affiliation it had at the time.",
    )
    job_title = models.CharField(max_length=200, blank=True)
    bio = models.TextField(blank=True)
    photo = models.ImageField(upload_to="speakers/", blank=True)
    website_url = models.URLField("website", max_length=500, blank=True)
    github_url = models.URLField("GitHub", max_length=500, blank=True)
    linkedin_url = models.URLField("LinkedIn", max_length=500, blank=True)
    social_url = models.URLField(
        "social profile", max_length=500, blank=True, help_text="Mastodon, Bluesky or X."
    )

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["name"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return link("conference:speaker_detail", slug=self.slug)

    @property
    def profile_links(self) -> list[tuple[str, str]]:
        fields = ("website_url", "github_url", "linkedin_url", "social_url")
        return [
            (self._meta.get_field(name).verbose_name, getattr(self, name))
            for name in fields
            if getattr(self, name)
        ]


class Room(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="rooms")
    # Published as the room's guid in frab exports; it survives a rename, and
    # a copy of the event imported from them keeps it.
    guid = models.UUIDField(default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200)
    order = models.PositiveSmallIntegerField(default=0)
    # Seats, for the editors' dashboard: a session saved more often than this
    # needs a bigger room. Empty when nobody knows.
    capacity = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Seats. Leave empty if unknown; the dashboard flags sessions saved more often.",
    )
    # Exports' ETag and Last-Modified follow a renamed room.
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["event", "order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "name"],
                name="room_name_unique_per_event",
                violation_error_message="This event already has a room of that name.",
            ),
            models.UniqueConstraint(fields=["event", "guid"], name="room_guid_unique_per_event"),
        ]

    def __str__(self) -> str:
        return self.name


class Session(TimeStamped):
    class Format(models.TextChoices):
        KEYNOTE = "keynote", "Keynote"
        TALK = "talk", "Talk"
        PANEL = "panel", "Panel"
        LIGHTNING = "lightning", "Lightning talk"
        TUTORIAL = "tutorial", "Tutorial"
        WORKSHOP = "workshop", "Workshop"
        BOF = "bof", "Birds of a feather"
        OTHER = "other", "Other"

    class Level(models.TextChoices):
        ANY = "", "Any level"
        BEGINNER = "beginner", "Beginner"
        INTERMEDIATE = "intermediate", "Intermediate"
        ADVANCED = "advanced", "Advanced"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        CANCELLED = "cancelled", "Cancelled"

    # Changing any of these moves the session in attendees' calendars.
    SCHEDULE_FIELDS = ("starts_at", "ends_at", "room", "status")

    # Stable identity for calendars (iCalendar UID) and frab exports (guid);
    # it names no host and no user, and survives edits and re-imports. Unique
    # per event: a copy of an event imported from our own export keeps its
    # sessions' UIDs, so calendars that subscribe to the copy see the same entries.
    uid = models.UUIDField(default=uuid.uuid4, editable=False)
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="sessions")
    title = models.CharField(max_length=300)
    slug = models.SlugField(max_length=300)
    abstract = models.TextField(blank=True)
    editors_note = models.TextField(
        "editors' note", blank=True, help_text="The guide's own take: why this session is worth it."
    )
    is_editors_pick = models.BooleanField("editors' pick", default=False)
    is_sponsored = models.BooleanField(
        "sponsored",
        default=False,
        help_text="A sponsor paid for the slot (a sponsored keynote, say): readers see it "
        "labelled and can hide it.",
    )
    format = models.CharField(max_length=20, choices=Format, default=Format.TALK)
    level = models.CharField(max_length=20, choices=Level, default=Level.ANY, blank=True)
    language = models.CharField(
        max_length=35,
        blank=True,
        help_text="The language it is held in, as a tag such as en or pt-BR; blank if not known.",
    )
    do_not_record = models.BooleanField(
        "not to be recorded",
        default=False,
        help_text="The speakers opted out of recording and streaming, as the official "
        "schedule says.",
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    room = models.ForeignKey(
        Room, on_delete=models.SET_NULL, null=True, blank=True, related_name="sessions"
    )
    # Through SessionTheme, which records who set each theme: an editor, or a rule.
    themes = models.ManyToManyField(
        Theme, through="SessionTheme", blank=True, related_name="sessions"
    )
    speakers = models.ManyToManyField(Speaker, through="SessionSpeaker", related_name="sessions")
    schedule_url = models.URLField("official schedule link", max_length=500, blank=True)
    video_url = models.URLField("video", max_length=500, blank=True)
    slides_url = models.URLField("slides", max_length=500, blank=True)
    status = models.CharField(max_length=20, choices=Status, default=Status.DRAFT)
    source_id = models.CharField(
        max_length=200, blank=True, help_text="Identifier in the imported official schedule."
    )
    track = models.CharField(
        max_length=100, blank=True, help_text="The organisers' track or category, as imported."
    )
    # iCalendar SEQUENCE and LAST-MODIFIED: raised when SCHEDULE_FIELDS change,
    # so calendar apps that re-fetch a feed move or cancel the event.
    sequence = models.PositiveIntegerField(default=0, editable=False)
    schedule_changed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The full-text document the site's search finds it by (PostgreSQL; empty
    # elsewhere). Only sessions.search.documents writes it, via sessions.content.
    search_vector = SearchVectorField(null=True, blank=True, editable=False)

    objects = SessionQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "room__order", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "slug"],
                name="session_slug_unique_per_event",
                violation_error_message="This event already has a session with this slug.",
            ),
            models.UniqueConstraint(
                fields=["event", "source_id"],
                condition=~Q(source_id=""),
                name="session_source_id_unique_per_event",
            ),
            models.UniqueConstraint(fields=["event", "uid"], name="session_uid_unique_per_event"),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="session_ends_after_start",
                violation_error_message="A session must end after it starts.",
            ),
        ]
        indexes = [
            models.Index(fields=["event", "status", "starts_at"]),
            models.Index(fields=["status", "starts_at"]),
            SearchVectorIndex(fields=["search_vector"], name="session_search_vector"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        # The document is refreshed after every save (sessions.content); an
        # instance loaded before that must not write its old copy back.
        if not self._state.adding and self.pk is not None:
            fields = kwargs.get("update_fields")
            if fields is None:
                fields = [f.name for f in self._meta.concrete_fields if not f.primary_key]
            kwargs["update_fields"] = [name for name in fields if name != "search_vector"]
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return link("conference:session_detail", event_slug=self.event.slug, slug=self.slug)

    def get_ics_url(self) -> str:
        return reverse(
            "conference:session_ics", kwargs={"event_slug": self.event.slug, "slug": self.slug}
        )

    @property
    def listed_themes(self) -> list[Theme]:
        """The session's themes, as fetched by SessionQuerySet.for_listing()."""
        if "_listed_themes" not in self.__dict__:
            self._listed_themes = list(self.themes.all())
        return self._listed_themes

    @property
    def listed_appearances(self) -> list[SessionSpeaker]:
        """Its speakers' appearances in order, as fetched by SessionQuerySet.for_listing()."""
        if "_listed_appearances" not in self.__dict__:
            self._listed_appearances = list(self.appearances.select_related("speaker", "company"))
        return self._listed_appearances

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    @property
    def duration(self) -> dt.timedelta:
        return self.ends_at - self.starts_at

    @property
    def conference_day(self) -> dt.date:
        return conference_day(self.starts_at, self.event.tz)

    def clean(self) -> None:
        super().clean()
        # A textarea sends "\r\n"; feeds are compared with what is stored.
        self.abstract = one_kind_of_line_break(self.abstract)
        self.editors_note = one_kind_of_line_break(self.editors_note)
        if self.room_id and self.event_id and self.room.event_id != self.event_id:
            raise ValidationError({"room": f"Choose a room of {self.event}."})
        if not (self.starts_at and self.ends_at and self.event_id):
            return
        event = self.event
        if event.time_zone not in available_time_zones():
            return  # the event's own form reports the bad zone
        _, latest_end = day_bounds(event.end_date, event.tz)
        if not (
            event.start_date <= conference_day(self.starts_at, event.tz) <= event.end_date
            and self.ends_at <= latest_end
        ):
            raise ValidationError(
                {
                    "starts_at": (
                        f"The session must take place during the event, "
                        f"{event.start_date:%d %b %Y} to {event.end_date:%d %b %Y} "
                        f"({event.time_zone})."
                    )
                }
            )


class SessionSpeaker(models.Model):
    """A speaker's appearance in a session, with the affiliation they had then."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="appearances")
    speaker = models.ForeignKey(Speaker, on_delete=models.CASCADE, related_name="appearances")
    company = models.ForeignKey(
        Company,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="appearances",
        help_text="Affiliation at the time of the session; defaults to the speaker's company.",
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = "speaker"
        constraints = [
            models.UniqueConstraint(
                fields=["session", "speaker"],
                name="speaker_once_per_session",
                violation_error_message="This speaker is already listed on the session.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.speaker} @ {self.company}" if self.company_id else str(self.speaker)


class ThemeRule(TimeStamped):
    """Words, phrases and companies that put sessions under a theme (sessions.theming)."""

    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="rules")
    name = models.CharField(
        max_length=200, help_text="For editors only: what this rule is meant to catch."
    )
    words = models.TextField(
        "words and phrases",
        blank=True,
        help_text="One word or phrase a line. A session matches when its title, abstract or "
        "official track (as ticked below) contains one of them as whole words, in any case: "
        "“storage” matches “Storage for AI” but not “storageclass”; “object storage” needs "
        "both words, next to each other. List plurals and spellings you want too.",
    )
    in_title = models.BooleanField("look in the title", default=True)
    in_abstract = models.BooleanField("look in the abstract", default=True)
    in_track = models.BooleanField("look in the official track", default=True)
    companies = models.TextField(
        blank=True,
        help_text="One company name a line. A session matches when one of its speakers speaks "
        "for that company (the affiliation shown on the session), whatever the case.",
    )
    exclusions = models.TextField(
        "except",
        blank=True,
        help_text="One word or phrase a line, matched like the words above. A session whose "
        "title, abstract or track (as ticked) contains one is never matched by this rule, "
        "even through a company: “object storage marketing” keeps sales pitches out of a "
        "“storage” rule.",
    )
    is_active = models.BooleanField(
        "active", default=True, help_text="Inactive rules match nothing: their themes go."
    )

    class Meta:
        ordering = ["theme", "name"]
        verbose_name = "theme rule"

    def __str__(self) -> str:
        return f"{self.theme}: {self.name}"

    # A rule is a short list an editor can read: a few hundred entries at most.
    MAX_ENTRIES = 300
    MAX_ENTRY_LENGTH = 100

    def clean(self) -> None:
        super().clean()
        if not (self.words.strip() or self.companies.strip()):
            raise ValidationError("Give at least one word, phrase or company to match.")
        too_long = {}
        for name in ("words", "companies", "exclusions"):
            entries = [line for line in getattr(self, name).splitlines() if line.strip()]
            if len(entries) > self.MAX_ENTRIES:
                too_long[name] = (
                    f"At most {self.MAX_ENTRIES} lines, one word or phrase each; "
                    f"this has {len(entries)}."
                )
            elif any(len(line.strip()) > self.MAX_ENTRY_LENGTH for line in entries):
                too_long[name] = (
                    f"Each line is one word or phrase of at most {self.MAX_ENTRY_LENGTH} "
                    "characters."
                )
        if too_long:
            raise ValidationError(too_long)
        if self.words.strip() and not (self.in_title or self.in_abstract or self.in_track):
            raise ValidationError(
                "Tick at least one of title, abstract and track for the words to be looked for."
            )


class SessionTheme(models.Model):
    """A session's theme and who set it: an editor by hand, or a theme rule.

    Rules add and remove only the themes they set; a hand-set theme stays
    whatever the rules say.
    """

    class Source(models.TextChoices):
        HAND = "hand", "by hand"
        RULE = "rule", "by a rule"

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="theme_links")
    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="session_links")
    # Rows from before rules existed were editors' choices: "hand" by default.
    source = models.CharField(max_length=10, choices=Source, default=Source.HAND)
    rule = models.ForeignKey(
        ThemeRule, on_delete=models.SET_NULL, null=True, blank=True, related_name="links"
    )
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The editor who set it by hand, where known.",
    )
    set_at = models.DateTimeField(default=timezone.now)

    class Meta:
        # The table and unique pair of the plain many-to-many this replaced.
        db_table = "conference_session_themes"
        unique_together = [("session", "theme")]
        verbose_name = "theme"

    def __str__(self) -> str:
        return f"{self.theme} ({self.describe_source()})"

    def describe_source(self) -> str:
        if self.source == self.Source.RULE:
            return f"rule “{self.rule.name}”" if self.rule_id else "a rule since removed"
        return f"by hand, {self.set_by}" if self.set_by_id else "by hand"


def _visitor_token() -> str:
    return secrets.token_urlsafe(32)


class Visitor(models.Model):
    """A browser without an account that saved sessions: its schedule's owner.

    Its token lives in the browser session; the picks are SavedSession rows,
    so concurrent adds and removes each land (a list in the session, read and
    written back by every request, lost some). Merged into the account on
    sign-in or sign-up; unused ones expire (expire_anonymous_schedules).
    """

    token = models.CharField(max_length=64, unique=True, default=_visitor_token, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "anonymous visitor"

    def __str__(self) -> str:
        return f"Anonymous visitor {self.pk}"


class SavedSession(models.Model):
    """A session in a personal schedule ("my schedule"): an attendee's or a visitor's."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="saved_sessions",
        null=True,
        blank=True,
    )
    visitor = models.ForeignKey(
        Visitor, on_delete=models.CASCADE, related_name="saved_sessions", null=True, blank=True
    )
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="saved_by")
    created_at = models.DateTimeField(auto_now_add=True)
    # When the attendee last acknowledged this session's schedule; a later
    # Session.schedule_changed_at marks it "changed" on their schedule.
    seen_at = models.DateTimeField(default=timezone.now)

    class Plan(models.TextChoices):
        A = "A", "Plan A"
        B = "B", "Plan B"

    # Where two saved sessions overlap, the attendee picks the one they mean to
    # attend (plan A); the others stay saved as backups (plan B). A backup that
    # no longer overlaps a plan A session counts as plain saved again.
    plan = models.CharField(max_length=1, choices=Plan.choices, default=Plan.A)

    class Meta:
        ordering = ["session__starts_at"]
        verbose_name = "saved session"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "session"],
                name="session_saved_once_per_user",
                violation_error_message="This session is already in the schedule.",
            ),
            models.UniqueConstraint(
                fields=["visitor", "session"],
                name="session_saved_once_per_visitor",
                violation_error_message="This session is already in the schedule.",
            ),
            models.CheckConstraint(
                condition=Q(user__isnull=False, visitor__isnull=True)
                | Q(user__isnull=True, visitor__isnull=False),
                name="saved_by_a_user_or_a_visitor",
                violation_error_message="A saved session belongs to an account or a visitor.",
            ),
        ]
        # Indexes: the unique constraint's (user, session) serves every lookup
        # by attendee; the foreign key's own index on session serves the
        # admin's "saved by" count.

    def __str__(self) -> str:
        return f"{self.session} for {self.user or self.visitor}"

    @property
    def is_changed(self) -> bool:
        changed_at = self.session.schedule_changed_at
        return changed_at is not None and changed_at > self.seen_at


class ScheduleChange(models.Model):
    """A change attendees are told about: a session moved, changed room, or was cancelled.

    Written by sessions.services.record_schedule_changes wherever the schedule
    fields are written (the admin, its bulk actions, imports), in the same
    transaction. Rooms are kept by name, so the line still reads right after a
    room is renamed or deleted.
    """

    class What(models.TextChoices):
        TIME = "time", "time"
        ROOM = "room", "room"
        STATUS = "status", "status"

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="schedule_changes")
    what = models.CharField(max_length=10, choices=What.choices)
    old_starts_at = models.DateTimeField(null=True, blank=True)
    old_ends_at = models.DateTimeField(null=True, blank=True)
    new_starts_at = models.DateTimeField(null=True, blank=True)
    new_ends_at = models.DateTimeField(null=True, blank=True)
    # A room's name ("" for none), or a status value.
    old_value = models.CharField(max_length=200, blank=True)
    new_value = models.CharField(max_length=200, blank=True)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["changed_at", "pk"]
        verbose_name = "schedule change"
        indexes = [models.Index(fields=["session", "changed_at"])]

    def __str__(self) -> str:
        return f"{self.session_id}: {self.what} changed at {self.changed_at:%Y-%m-%d %H:%M}"


class ScheduleAlerts(models.Model):
    """An attendee's choice to be emailed when sessions in their schedule change.

    Off unless they turn it on. `last_sent_at` keeps them to one email an hour;
    a sending run claims the row (`claim`) before it mails, so two workers
    never both write to the same attendee.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="schedule_alerts",
    )
    enabled = models.BooleanField("email me when my sessions change", default=False)
    changed_at = models.DateTimeField(default=timezone.now)
    last_sent_at = models.DateTimeField(null=True, blank=True)
    claim = models.UUIDField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "schedule change emails"
        verbose_name_plural = "schedule change emails"
        # The sending run's question: who is on and may have an email now.
        indexes = [models.Index(fields=["enabled", "last_sent_at"])]

    def __str__(self) -> str:
        return f"Change emails for {self.user} ({'on' if self.enabled else 'off'})"


class ChangeNotice(models.Model):
    """One schedule change owed to one attendee who asked for change emails.

    Made with the change for every opted-in attendee who has the session
    saved (plan A or B); `sent_at` is set when the email that lists it goes
    out, so no change is mailed twice. The attendee's own log of what they
    were told: part of their data download, deleted with their account.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="change_notices"
    )
    change = models.ForeignKey(ScheduleChange, on_delete=models.CASCADE, related_name="notices")
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["change__changed_at", "pk"]
        verbose_name = "change notice"
        constraints = [
            models.UniqueConstraint(fields=["user", "change"], name="change_noticed_once_per_user")
        ]
        # The sending run reads attendees' unsent notices.
        indexes = [
            models.Index(
                fields=["user"], condition=Q(sent_at__isnull=True), name="change_notice_unsent"
            )
        ]

    def __str__(self) -> str:
        return f"{self.change} for {self.user}"


class ScheduleImport(TimeStamped):
    """An editor's schedule import from the admin, worked on by the task worker.

    The uploaded file, or the feed once the worker has fetched it, is kept here
    between its preview and the editor's confirmation, so every web replica and
    the worker see the same bytes; their SHA-256 is fixed when they are
    previewed. Unconfirmed imports expire (sessions.tasks.expire_schedule_imports).
    The workflow is in sessions.importers.services.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "waiting for the worker"
        PREVIEWING = "previewing", "preparing the preview"
        READY = "ready", "ready to confirm"
        APPLYING = "applying", "importing"
        DONE = "done", "imported"
        FAILED = "failed", "failed"

    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="schedule_imports"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    # What the editor gave: a file (its name) or a feed address.
    file_name = models.CharField(max_length=200, blank=True)
    feed_url = models.URLField("feed URL", max_length=500, blank=True)
    # The file's bytes until it is imported, fails or expires.
    data = models.BinaryField(null=True, editable=False)
    digest = models.CharField("SHA-256", max_length=64, blank=True)
    # The editor's options.
    format = models.CharField(max_length=20, default="auto")
    event_slug = models.SlugField(max_length=200)
    publish = models.BooleanField(default=False)
    time_zone = models.CharField(max_length=64, blank=True)
    # How far the worker has got.
    stage = models.CharField(max_length=20, blank=True)
    entries_done = models.PositiveIntegerField(default=0)
    entries_total = models.PositiveIntegerField(default=0)
    # ImportReport.as_json() of the dry run, then of the import; or what went wrong.
    preview = models.JSONField(null=True, blank=True)
    result = models.JSONField(null=True, blank=True)
    problems = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "schedule import"
        # The expiry task's question: unfinished imports not touched for a day.
        indexes = [models.Index(fields=["status", "updated_at"])]

    def __str__(self) -> str:
        return f"{self.source} into {self.event_slug}"

    @property
    def source(self) -> str:
        return self.file_name or self.feed_url


class FeedSync(models.Model):
    """One run of the worker over an event's official feed: what came back and what changed.

    Written only by sessions.importers.sync, which keeps the last KEEP_SYNCS per event.
    """

    class Outcome(models.TextChoices):
        CHANGED = "changed", "changed"
        UNCHANGED = "unchanged", "fetched, nothing changed"
        NOT_MODIFIED = "not_modified", "not modified (304)"
        FAILED = "failed", "failed"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="feed_syncs")
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    feed_url = models.URLField("feed", max_length=500)
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    http_status = models.PositiveSmallIntegerField("HTTP status", null=True, blank=True)
    # Why it failed, in the editors' words; or the import's one-line summary.
    error = models.TextField(blank=True)
    summary = models.TextField(blank=True)
    created = models.PositiveIntegerField(default=0)
    moved = models.PositiveIntegerField("moved in time", default=0)
    re_roomed = models.PositiveIntegerField("re-roomed", default=0)
    cancelled = models.PositiveIntegerField(default=0)
    speakers_changed = models.PositiveIntegerField("speakers changed", default=0)
    updated = models.PositiveIntegerField("updated in all", default=0)
    # The import report's entries: each session created, updated or cancelled.
    changes = models.JSONField(default=dict, blank=True)
    # When the editors' email about this sync went out.
    mailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = "feed sync"
        indexes = [
            models.Index(fields=["event", "-started_at"], name="feedsync_event_started"),
            models.Index(fields=["-started_at"], name="feedsync_started"),
        ]

    def __str__(self) -> str:
        return f"{self.event} at {self.started_at:%Y-%m-%d %H:%M}: {self.get_outcome_display()}"
