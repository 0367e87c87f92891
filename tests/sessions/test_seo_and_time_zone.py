import re

import pytest

from tests.sessions.helpers import shows_span

pytestmark = pytest.mark.integration

PMEM = "/events/kubecon-na-2020/sessions/persistent-memory-in-kubernetes/"
SECTIONS = ("pages", "events", "schedules", "sessions", "speakers", "companies", "themes")
PUBLIC_PAGES = [
    "/",
    "/events/",
    "/events/kubecon-na-2020/",
    "/events/kubecon-na-2020/schedule/",
    PMEM,
    "/speakers/",
    "/speakers/patrick-ohly/",
    "/companies/",
    "/companies/intel/",
    "/themes/",
    "/themes/storage-csi/",
]


def head_value(response, pattern: str) -> str:
    match = re.search(pattern, response.text)
    assert match, pattern
    return match.group(1)


def test_every_public_page_has_its_own_title_description_and_canonical(client, kubecon):
    titles, descriptions = set(), set()
    for url in PUBLIC_PAGES:
        response = client.get(url)
        title = head_value(response, r"<title>(.*?)</title>")
        description = head_value(response, r'<meta name="description" content="([^"]*)">')
        canonical = head_value(response, r'<link rel="canonical" href="([^"]+)">')
        assert canonical.startswith("http://127.0.0.1:8000/"), url
        assert canonical.split("?")[0] == f"http://127.0.0.1:8000{url}", url
        assert f'<meta property="og:title" content="{title.removesuffix(" · confguide")}">' in (
            response.text
        ), url
        assert '<meta name="twitter:card" content="summary">' in response.text
        assert 0 < len(description) <= 160
        titles.add(title)
        descriptions.add(description)

    assert len(titles) == len(PUBLIC_PAGES)
    assert len(descriptions) == len(PUBLIC_PAGES)


def test_schedule_canonical_names_the_day_but_not_the_filters(client, kubecon):
    response = client.get(
        "/events/kubecon-na-2020/schedule/", {"day": "2020-11-19", "theme": "storage-csi"}
    )

    assert (
        '<link rel="canonical" href="http://127.0.0.1:8000/events/kubecon-na-2020/schedule/'
        '?day=2020-11-19">' in response.text
    )


def test_sitemap_index_names_one_sitemap_per_kind_of_page(client, kubecon):
    response = client.get("/sitemap.xml")

    assert response["Content-Type"].startswith("application/xml")
    sections = re.findall(r"<loc>http://127\.0\.0\.1:8000/sitemap-(\w+)\.xml</loc>", response.text)
    assert sections == [*SECTIONS, "posts"]
    # Every section but the fixed pages and the (here empty) blog has a lastmod.
    assert response.text.count("<lastmod>") == len(SECTIONS) - 1


def test_sitemaps_list_public_pages_with_lastmod(client, kubecon):
    text = (
        "".join(
            client.get(f"/sitemap-{section}.xml").text
            for section in ("pages", "events", "schedules", "sessions", "speakers", "companies")
        )
        + client.get("/sitemap-themes.xml").text
    )

    assert "<loc>http://127.0.0.1:8000/</loc>" in text
    assert "<loc>http://127.0.0.1:8000/events/kubecon-na-2020/</loc>" in text
    assert "<loc>http://127.0.0.1:8000/events/kubecon-na-2020/schedule/</loc>" in text
    assert f"<loc>http://127.0.0.1:8000{PMEM}</loc>" in text
    assert "<loc>http://127.0.0.1:8000/speakers/patrick-ohly/</loc>" in text
    assert "<loc>http://127.0.0.1:8000/companies/intel/</loc>" in text
    assert "<loc>http://127.0.0.1:8000/themes/storage-csi/</loc>" in text
    assert "secret-draft" not in text
    assert re.search(rf"{PMEM}</loc><lastmod>\d{{4}}-\d\d-\d\d</lastmod>", text)


def test_unknown_sitemap_section_is_404(client, db):
    assert client.get("/sitemap-nope.xml").status_code == 404


def test_robots_txt_points_at_the_sitemap(client, db):
    response = client.get("/robots.txt")

    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "Disallow: /admin/" in response.text
    assert "Sitemap: http://127.0.0.1:8000/sitemap.xml" in response.text


def test_choosing_a_time_zone_without_javascript_sets_the_cookie(client, kubecon):
    response = client.post("/time-zone/", {"time_zone": "America/Los_Angeles", "next": PMEM})

    assert response.status_code == 302
    assert response["Location"] == PMEM
    assert response.cookies["reader_tz"].value == "America%2FLos_Angeles"
    page = client.get(PMEM)
    assert shows_span(page.text, "12:45", "13:20", "PST")
    assert "Times are now also shown in America/Los Angeles." in page.text
    assert "Times appear in the event's zone and in yours, America/Los Angeles." in page.text
    chooser = client.get("/time-zone/", {"next": PMEM})
    assert '<option value="America/Los_Angeles" selected>' in chooser.text


def test_choosing_utc_is_possible(client, kubecon):
    client.post("/time-zone/", {"time_zone": "UTC", "next": PMEM})

    page = client.get(PMEM)

    assert shows_span(page.text, "20:45", "21:20", "UTC")


def test_unknown_time_zone_is_refused_with_a_message(client, kubecon):
    response = client.post("/time-zone/", {"time_zone": "Mars/Olympus", "next": PMEM}, follow=True)

    assert "We do not know that time zone" in response.text
    assert "reader_tz" not in client.cookies


def test_time_zone_form_never_redirects_off_site(client, db):
    response = client.post("/time-zone/", {"time_zone": "UTC", "next": "https://evil.example/"})

    assert response["Location"] == "/"


def test_pages_link_to_the_chooser_which_leads_back(client, kubecon):
    page = client.get(PMEM)
    assert f'href="/time-zone/?next={PMEM}"' in page.text
    assert 'name="time_zone"' not in page.text  # the 490 zones stay on their own page

    chooser = client.get("/time-zone/", {"next": PMEM})
    assert chooser.status_code == 200
    assert f'name="next" value="{PMEM}"' in chooser.text
    assert '<option value="UTC" selected>' in chooser.text
    assert chooser["X-Robots-Tag"] == "noindex"


def test_time_zone_chooser_never_leads_off_site(client, db):
    chooser = client.get("/time-zone/", {"next": "https://evil.example/"})
    assert "evil.example" not in chooser.text


def test_time_zone_endpoint_refuses_other_methods(client, db):
    assert client.put("/time-zone/").status_code == 405


def test_home_page_shows_events_themes_and_latest_picks(client, kubecon):
    response = client.get("/")

    assert 'href="/events/kubecon-na-2020/"' in response.text
    assert 'href="/themes/storage-csi/">Storage &amp; CSI</a>' in response.text
    picks = response.text.split('id="picks-heading"')[1]
    assert "Persistent Memory in Kubernetes" in picks
    assert "Policy as Code" not in picks
