import collections
import gzip
import re

import pytest
from django.urls import reverse

from sessions.days import conference_day
from sessions.demo.generator import generate_event
from sessions.models import Session
from tests.factories import EventFactory, PostFactory

pytestmark = pytest.mark.integration

GZIP = {"accept-encoding": "gzip, deflate, br"}
# Values that differ on every response whatever the encoding: the masked CSRF token, CSP nonces.
PER_RESPONSE = re.compile(r'(name="csrfmiddlewaretoken" value|nonce)="[^"]*"')


def _vary(response) -> set[str]:
    return {part.strip().lower() for part in response.headers.get("Vary", "").split(",")}


def _stable(html: str) -> str:
    return PER_RESPONSE.sub(r'\1=""', html)


@pytest.mark.parametrize("page", ["home", "post"])
def test_page_is_gzipped_for_browsers_that_accept_it(client, db, page):
    EventFactory(name="Published Conf", start_date="2099-01-01", end_date="2099-01-02")
    post = PostFactory(title="Sessions we would not miss", body="Why *this* conference.")
    url = {"home": "/", "post": post.get_absolute_url()}[page]

    plain = client.get(url)
    compressed = client.get(url, headers=GZIP)

    assert compressed.headers["Content-Encoding"] == "gzip"
    assert "accept-encoding" in _vary(compressed)
    assert int(compressed.headers["Content-Length"]) == len(compressed.content)
    assert len(compressed.content) < len(plain.content)
    assert _stable(gzip.decompress(compressed.content).decode()) == _stable(plain.text)


def test_page_is_not_compressed_without_accept_encoding(client, db):
    EventFactory(name="Published Conf", start_date="2099-01-01", end_date="2099-01-02")

    response = client.get("/")

    assert "Content-Encoding" not in response.headers
    assert "accept-encoding" in _vary(response)  # so shared caches keep both versions apart
    assert "Published Conf" in response.text


def test_busiest_day_of_a_large_event_travels_in_under_100_kb(client, db):
    # The generator's default size: about 250 sessions a day over four days.
    event = generate_event(sessions=1000, speakers=1500, seed=1).event
    starts = Session.objects.filter(event=event).values_list("starts_at", flat=True)
    per_day = collections.Counter(conference_day(moment, event.tz) for moment in starts)
    busiest, count = per_day.most_common(1)[0]
    url = reverse("conference:schedule", kwargs={"slug": event.slug})

    response = client.get(url, {"day": busiest.isoformat()}, headers=GZIP)

    html = gzip.decompress(response.content).decode()
    assert count >= 250
    assert response.headers["Content-Encoding"] == "gzip"
    assert html.count('class="srow') >= count
    assert len(response.content) < 100_000
