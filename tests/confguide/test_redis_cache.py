"""The page cache and sessions on Redis, as production runs them (REDIS_URL).

Each test works under its own key prefix on the machine's shared Redis and
deletes only its own keys afterwards.
"""

import datetime as dt
import os
import socket
import subprocess
import sys
import uuid

import pytest
import redis
from django.test import Client
from django.test.signals import template_rendered
from django.urls import reverse

from confguide.models import ContactMessage
from tests.confguide.test_contact import valid_data
from tests.factories import EventFactory, SavedSessionFactory, SessionFactory, UserFactory

pytestmark = pytest.mark.integration

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
def redis_cache(settings):
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.ConnectionError:
        if os.environ.get("CI") == "true":
            pytest.fail(f"No Redis at {REDIS_URL}; .ci/start-redis starts one.")
        pytest.skip(f"No Redis at {REDIS_URL}.")
    prefix = f"confguide-test-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix,
        }
    }
    yield client
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)
    client.close()


@pytest.fixture
def day(db):
    event = EventFactory(slug="redisconf")
    start = dt.datetime.combine(event.start_date, dt.time(9), tzinfo=event.tz)
    talks = [
        SessionFactory(
            event=event,
            title=f"Shared talk {n}",
            starts_at=start + dt.timedelta(hours=n),
            ends_at=start + dt.timedelta(hours=n, minutes=30),
        )
        for n in range(3)
    ]
    url = reverse("conference:schedule", args=[event.slug]) + f"?day={event.start_date}"
    return {"event": event, "talks": talks, "url": url}


def test_pages_are_stored_in_redis_and_an_edit_shows_on_the_next_request(redis_cache, day):
    Client().get(day["url"])
    assert any(b":page:" in key for key in redis_cache.scan_iter("confguide-test-*"))

    rendered = []

    def note(sender, template, **kwargs):
        rendered.append(template.name)

    template_rendered.connect(note)
    try:
        again = Client().get(day["url"])  # another reader, served what Redis holds
    finally:
        template_rendered.disconnect(note)
    assert rendered == []
    assert "Shared talk 1" in again.text

    talk = day["talks"][1]
    talk.title = "Renamed for everyone"
    talk.save()
    assert "Renamed for everyone" in Client().get(day["url"]).text


def test_signed_in_reader_gets_their_own_marks_on_the_page_redis_holds(redis_cache, day):
    attendee = UserFactory()
    SavedSessionFactory(user=attendee, session=day["talks"][0])
    client = Client()
    client.force_login(attendee)
    client.get(day["url"])

    page = client.get(day["url"])

    assert "“Shared talk 0”: remove from my schedule" in page.text
    assert "“Shared talk 1”: remove from my schedule" not in page.text


# --- Redis out: the site works without it ------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _fail_soft_cache(settings, location: str) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "confguide.cache.FailSoftRedisCache",
            "LOCATION": location,
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }


@pytest.fixture
def redis_gone(settings):
    """REDIS_URL names a port where nothing listens (Redis stopped)."""
    _fail_soft_cache(settings, f"redis://127.0.0.1:{_free_port()}/0")


@pytest.fixture
def redis_hanging(settings, silent_server):
    """Redis frozen: it takes connections and never answers."""
    _fail_soft_cache(settings, f"redis://127.0.0.1:{silent_server.port}/0")
    return silent_server.accepted


def test_with_redis_stopped_pages_sign_in_and_contact_still_work(redis_gone, day, caplog):
    assert "Shared talk 0" in Client().get(day["url"]).text

    UserFactory(username="ada", password="a long enough passphrase")
    reader = Client()
    signed_in = reader.post(
        reverse("account_login"),
        {"login": "ada@example.com", "password": "a long enough passphrase"},
    )
    assert signed_in.status_code == 302
    assert "Sign out" in reader.get(day["url"]).text

    sent = Client().post(reverse("contact:form"), valid_data())
    assert sent.status_code == 302
    assert ContactMessage.objects.count() == 1
    assert "Redis is unavailable" in caplog.text


def test_a_hanging_redis_is_left_alone_for_a_while_after_one_timeout(redis_hanging, day):
    first = Client().get(day["url"])
    tried = len(redis_hanging)
    later = [Client().get(day["url"]) for _ in range(5)]

    assert first.status_code == 200 and all(page.status_code == 200 for page in later)
    assert tried >= 1
    assert len(redis_hanging) == tried  # no new connection while paused


def test_rate_limit_counts_are_shared_by_every_process(redis_cache, settings):
    from django.core.cache import cache

    from confguide import ratelimit

    # Configured as production configures it from REDIS_URL, in both processes.
    settings.CACHES = {
        "default": {"BACKEND": "confguide.cache.FailSoftRedisCache", "LOCATION": REDIS_URL}
    }
    key = f"test-shared-count-{uuid.uuid4().hex}"
    other_process = (
        "import django; django.setup()\n"
        "from confguide import ratelimit\n"
        f"print(ratelimit.hit({key!r}, window=60))\n"
    )
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "confguide.settings",
        "REDIS_URL": REDIS_URL,
    }
    try:
        assert ratelimit.hit(key, window=60) == 1
        printed = subprocess.run(
            [sys.executable, "-c", other_process],
            cwd=settings.BASE_DIR,
            env=environment,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert printed.strip() == "2"
        assert ratelimit.hit(key, window=60) == 3
    finally:
        cache.delete(f"ratelimit:{key}")
