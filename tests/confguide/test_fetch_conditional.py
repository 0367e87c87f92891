"""Conditional fetches: a feed fetched again sends back its validators, and a 304 has no body."""

import pytest

from confguide.fetch import FetchError, fetch, fetch_if_changed
from tests.conftest import LocalHandler

pytestmark = pytest.mark.unit

LIMIT = 64 * 1024
FEED = b'{"schedule": "version 7"}'
ETAG = '"v7"'
MODIFIED = "Tue, 05 May 2026 09:00:00 GMT"


class ConditionalFeed(LocalHandler):
    """Answers 304 when asked with the current ETag, else the feed and its validators;
    /moved redirects to the feed, /always-304 answers 304 whatever it is asked."""

    seen: list

    def do_GET(self):
        type(self).seen.append(dict(self.headers.items()))
        if self.path == "/moved":
            self.send_response(301)
            self.send_header("Location", "/schedule.json")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if self.path == "/always-304" or self.headers.get("If-None-Match") == ETAG:
            self.send_response(304)
            self.send_header("ETag", ETAG)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("ETag", ETAG)
        self.send_header("Last-Modified", MODIFIED)
        self.send_header("Content-Length", str(len(FEED)))
        self.end_headers()
        self.wfile.write(FEED)


@pytest.fixture
def feed(https_server, trust_local_servers, tls_client_context):
    ConditionalFeed.seen = []
    return https_server(ConditionalFeed)


def test_fetch_if_changed_without_validators_gets_the_feed_and_its_validators(feed):
    fetched = fetch_if_changed(f"{feed.url}/schedule.json", max_bytes=LIMIT)

    assert (fetched.status, fetched.body) == (200, FEED)
    assert (fetched.etag, fetched.last_modified) == (ETAG, MODIFIED)
    assert "If-None-Match" not in ConditionalFeed.seen[0]
    assert "If-Modified-Since" not in ConditionalFeed.seen[0]


def test_fetch_if_changed_sends_the_validators_and_a_304_has_no_body(feed):
    fetched = fetch_if_changed(
        f"{feed.url}/schedule.json", max_bytes=LIMIT, etag=ETAG, last_modified=MODIFIED
    )

    assert fetched.not_modified
    assert (fetched.status, fetched.body, fetched.etag) == (304, None, ETAG)
    assert ConditionalFeed.seen[0]["If-None-Match"] == ETAG
    assert ConditionalFeed.seen[0]["If-Modified-Since"] == MODIFIED


def test_fetch_if_changed_an_old_etag_gets_the_new_feed(feed):
    fetched = fetch_if_changed(f"{feed.url}/schedule.json", max_bytes=LIMIT, etag='"v6"')

    assert (fetched.status, fetched.body) == (200, FEED)


def test_fetch_if_changed_asks_again_after_a_redirect(feed):
    fetched = fetch_if_changed(f"{feed.url}/moved", max_bytes=LIMIT, etag=ETAG)

    assert fetched.not_modified
    assert [request.get("If-None-Match") for request in ConditionalFeed.seen] == [ETAG, ETAG]


def test_fetch_refuses_a_304_it_did_not_ask_for(feed):
    with pytest.raises(FetchError) as caught:
        fetch(f"{feed.url}/always-304", max_bytes=LIMIT)

    assert str(caught.value) == "The feed answered 304 Not Modified."
