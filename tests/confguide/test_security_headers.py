"""Behind the TLS proxy every response carries Strict-Transport-Security."""

import io

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.integration

PAGES = [
    "/",
    "/events/",
    "/events/kubecon-cloudnativecon-north-america-2020/",
    "/events/kubecon-cloudnativecon-north-america-2020/schedule/",
    "/events/kubecon-cloudnativecon-north-america-2020/sessions/persistent-memory-in-kubernetes/",
    "/events/kubecon-cloudnativecon-north-america-2020/schedule.xml",
    "/events/kubecon-cloudnativecon-north-america-2020/schedule.ics",
    "/speakers/",
    "/speakers/patrick-ohly/",
    "/companies/",
    "/themes/",
    "/blog/",
    "/blog/feed/atom/",
    "/contact/",
    "/time-zone/",
    "/my-schedule/",
    "/sitemap.xml",
    "/robots.txt",
    "/health/",
    "/no-such-page/",
    "/admin/",
]


@pytest.fixture
def behind_tls_proxy(settings):
    # What BEHIND_TLS_PROXY=true and the production default (tests/confguide/test_checks.py) set.
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_HSTS_SECONDS = 31_536_000


@pytest.mark.parametrize("path", PAGES)
def test_every_page_over_https_sends_hsts_cold_and_cached(
    client, db, without_kubecon_eu_2026, behind_tls_proxy, path
):
    call_command("load_demo", stdout=io.StringIO())

    for attempt in ("cold", "cached"):
        response = client.get(path, HTTP_X_FORWARDED_PROTO="https")
        assert response["Strict-Transport-Security"] == "max-age=31536000", (attempt, path)


def test_plain_http_in_development_gets_no_hsts(client, db, behind_tls_proxy):
    response = client.get("/")

    assert "Strict-Transport-Security" not in response
