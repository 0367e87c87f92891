"""Factories for every model, producing valid, published rows by default."""

import datetime as dt
from zoneinfo import ZoneInfo

import factory
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from blog.models import FeaturedSession, Post, PostSection
from confguide.models import ContactMessage
from confguide.permissions import EDITORS_GROUP
from sessions.models import (
    Company,
    Event,
    FeedSync,
    Room,
    SavedSession,
    Session,
    SessionSpeaker,
    Speaker,
    Theme,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    password = factory.django.Password("correct horse battery staple")

    @factory.post_generation
    def confirmed_email(user, create, extracted, **kwargs):
        """Signs in with its address, as every user with one does after the accounts
        migration (and every sign-up); `confirmed_email=False` leaves the row out."""
        if create and user.email and extracted is not False:
            EmailAddress.objects.get_or_create(
                user=user, email=user.email.lower(), defaults={"verified": True, "primary": True}
            )


class EditorFactory(UserFactory):
    """A staff user in the Editors group, as `make_editor` makes them."""

    is_staff = True

    @factory.post_generation
    def editors_group(user, create, extracted, **kwargs):
        if create:
            user.groups.add(Group.objects.get(name=EDITORS_GROUP))


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    name = factory.Sequence(lambda n: f"CloudConf {2030 + n}")
    slug = factory.Sequence(lambda n: f"cloudconf-{2030 + n}")
    description = "A conference about running software in the cloud."
    start_date = dt.date(2030, 11, 17)
    end_date = dt.date(2030, 11, 20)
    time_zone = "America/New_York"
    is_virtual = True
    is_published = True


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Theme

    name = factory.Sequence(lambda n: f"Theme {n}")
    slug = factory.Sequence(lambda n: f"theme-{n}")
    colour = "#1d5f8a"


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company

    name = factory.Sequence(lambda n: f"Company {n}")
    slug = factory.Sequence(lambda n: f"company-{n}")


class SpeakerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Speaker

    name = factory.Sequence(lambda n: f"Speaker {n}")
    slug = factory.Sequence(lambda n: f"speaker-{n}")
    company = factory.SubFactory(CompanyFactory)
    job_title = "Engineer"


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Room

    event = factory.SubFactory(EventFactory)
    name = factory.Sequence(lambda n: f"Room {n}")


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session
        skip_postgeneration_save = True

    event = factory.SubFactory(EventFactory)
    title = factory.Sequence(lambda n: f"Session {n}")
    slug = factory.Sequence(lambda n: f"session-{n}")
    abstract = "What the session is about."
    starts_at = factory.LazyAttribute(
        lambda s: dt.datetime.combine(
            s.event.start_date, dt.time(10, 0), tzinfo=ZoneInfo(s.event.time_zone)
        )
    )
    ends_at = factory.LazyAttribute(lambda s: s.starts_at + dt.timedelta(minutes=35))
    room = factory.LazyAttribute(lambda s: RoomFactory(event=s.event))
    status = Session.Status.PUBLISHED

    @factory.post_generation
    def themes(self, create, extracted, **kwargs):
        if create and extracted:
            self.themes.set(extracted)

    @factory.post_generation
    def speakers(self, create, extracted, **kwargs):
        """speakers=[speaker, ...] adds appearances in that order, at their current company."""
        if create and extracted:
            for order, speaker in enumerate(extracted):
                SessionSpeaker.objects.create(
                    session=self, speaker=speaker, company=speaker.company, order=order
                )


class SessionSpeakerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SessionSpeaker

    session = factory.SubFactory(SessionFactory)
    speaker = factory.SubFactory(SpeakerFactory)
    company = factory.LazyAttribute(lambda a: a.speaker.company)
    order = 0


class ContactMessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContactMessage

    name = factory.Sequence(lambda n: f"Visitor {n}")
    email = factory.LazyAttribute(lambda m: f"{m.name.lower().replace(' ', '.')}@example.com")
    company = "Example Ltd"
    topic = ContactMessage.Topic.KUBERNETES
    message = "We would like help moving our services to Kubernetes."
    consented_at = factory.LazyFunction(timezone.now)


class PostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Post
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Guide post {n}")
    slug = factory.Sequence(lambda n: f"guide-post-{n}")
    # One shared author (get_or_create on the username) rather than one per post.
    author = factory.SubFactory(
        UserFactory, username="guide-author", is_staff=True, display_name="Louise"
    )
    summary = "The sessions worth your time, by theme."
    body = "Why this conference matters this year."
    status = Post.Status.PUBLISHED
    published_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=1))

    @factory.post_generation
    def themes(self, create, extracted, **kwargs):
        if create and extracted:
            self.themes.set(extracted)


class PostSectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PostSection

    post = factory.SubFactory(PostFactory)
    theme = factory.SubFactory(ThemeFactory)
    order = factory.Sequence(lambda n: n)


class FeaturedSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FeaturedSession

    section = factory.SubFactory(PostSectionFactory)
    session = factory.SubFactory(SessionFactory)
    order = factory.Sequence(lambda n: n)


class SavedSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SavedSession

    user = factory.SubFactory(UserFactory)
    session = factory.SubFactory(SessionFactory)


class FeedSyncFactory(factory.django.DjangoModelFactory):
    """A sync of an event's feed that found a change, two seconds long."""

    class Meta:
        model = FeedSync

    event = factory.SubFactory(EventFactory, feed_url="https://schedule.example.org/feed.json")
    started_at = factory.LazyFunction(timezone.now)
    finished_at = factory.LazyAttribute(lambda sync: sync.started_at + dt.timedelta(seconds=2))
    feed_url = factory.LazyAttribute(lambda sync: sync.event.feed_url)
    outcome = FeedSync.Outcome.CHANGED
    http_status = 200
