import datetime as dt
import html
import io
import json
import re

import icalendar
import pytest
from django.core.management import call_command

from sessions.models import Session
from tests.factories import (
    CompanyFactory,
    EventFactory,
    SessionFactory,
    SpeakerFactory,
    ThemeFactory,
)
from tests.sessions.helpers import shows_span

pytestmark = pytest.mark.integration

PMEM = "/events/kubecon-na-2020/sessions/persistent-memory-in-kubernetes/"


def json_ld(response) -> dict:
    (payload,) = re.findall(
        r'<script type="application/ld\+json">(.*?)</script>', response.text, re.S
    )
    return json.loads(payload)


# --- Event pages ---------------------------------------------------------


def test_event_list_separates_upcoming_from_past(client, kubecon):
    EventFactory(name="Future Conf", start_date=dt.date(2099, 5, 1), end_date=dt.date(2099, 5, 2))
    EventFactory(name="Draft Conf", is_published=False)

    response = client.get("/events/")

    upcoming, past = response.text.split('id="past-heading"')
    assert "Future Conf" in upcoming
    assert "KubeCon + CloudNativeCon North America 2020" in past
    assert "Draft Conf" not in response.text


def test_event_page_shows_dates_zone_themes_and_links(client, kubecon):
    response = client.get("/events/kubecon-na-2020/")

    assert "Tuesday 17 November 2020 \u2013 Friday 20 November 2020" in response.text
    assert "<strong>America/New York</strong>" in response.text
    assert 'href="/events/kubecon-na-2020/schedule/"' in response.text
    assert 'href="/speakers/?event=kubecon-na-2020">Speakers (2)' in response.text
    assert 'href="/companies/?event=kubecon-na-2020">Companies (2)' in response.text
    assert re.search(r"Storage &amp; CSI</a> <span class=\"small\">3 sessions", response.text)
    assert 'href="/events/kubecon-na-2020/schedule/?theme=storage-csi">Storage &amp; CSI' in (
        response.text
    )
    assert "Persistent Memory in Kubernetes" in response.text  # an editors' pick


def test_event_page_structured_data_is_a_virtual_event(client, kubecon):
    data = json_ld(client.get("/events/kubecon-na-2020/"))

    assert data["@type"] == "Event"
    assert data["startDate"] == "2020-11-17"
    assert data["eventAttendanceMode"] == "https://schema.org/OnlineEventAttendanceMode"
    assert data["location"]["@type"] == "VirtualLocation"
    assert data["eventStatus"] == "https://schema.org/EventScheduled"


def test_draft_event_is_a_404(client, db):
    EventFactory(slug="hidden", is_published=False)

    assert client.get("/events/hidden/").status_code == 404


# --- Session page --------------------------------------------------------


def test_session_page_shows_everything_with_both_time_zones(reader_in_los_angeles, kubecon):
    response = reader_in_los_angeles.get(PMEM)

    text = response.text
    assert '<h1 id="session-title">Persistent Memory in Kubernetes</h1>' in text
    assert shows_span(text, "15:45", "16:20", "EST")
    assert shows_span(text, "12:45", "13:20", "PST")
    assert "Thursday 19 November 2020" in text
    assert '<a href="/speakers/patrick-ohly/">Patrick Ohly</a>' in text
    assert '@ <a href="/companies/intel/">Intel</a>' in text
    assert (
        'href="https://kccncna20.sched.com/event/ekCa" rel="noopener">Session schedule link</a>'
        in text
    )
    assert "The clearest introduction to local persistent memory." in text
    assert 'href="/events/kubecon-na-2020/sessions/persistent-memory-in-kubernetes.ics"' in text


def test_session_page_names_the_official_track_when_imported(client, kubecon):
    kubecon.pmem.track = "Storage"
    kubecon.pmem.save()

    response = client.get(PMEM)

    assert '<dt class="col-sm-3">Official track</dt><dd class="col-sm-9">Storage</dd>' in (
        response.text
    )


def test_session_page_without_a_reader_zone_shows_the_event_zone_only(client, kubecon):
    response = client.get(PMEM)

    assert shows_span(response.text, "15:45", "16:20", "EST")
    assert "PST" not in response.text
    assert 'class="reader-time"' not in response.text


def test_session_page_lists_other_sessions_in_the_same_themes(client, kubecon):
    response = client.get(PMEM)

    related = response.text.split('id="related-heading"')[1]
    assert "After-hours Storage Birds of a Feather" in related
    assert "Cancelled CSI Deep Dive" in related
    assert "Secret Draft Session" not in related
    assert "Policy as Code" not in related


def test_cancelled_session_page_says_so(client, kubecon):
    response = client.get(kubecon.cancelled.get_absolute_url())

    assert response.status_code == 200
    assert "<strong>Cancelled.</strong>" in response.text
    assert json_ld(response)["eventStatus"] == "https://schema.org/EventCancelled"
    # Tabs, search results and shared-link previews show only the title and description.
    assert "<title>Cancelled: Cancelled CSI Deep Dive" in response.text
    assert re.search(r'<meta property="og:title" content="Cancelled: ', response.text)
    assert re.search(r'<meta name="description" content="Cancelled: ', response.text)


def test_draft_session_and_its_calendar_file_are_404(client, kubecon):
    page = client.get(kubecon.draft.get_absolute_url())
    ics = client.get(kubecon.draft.get_ics_url())

    assert page.status_code == 404
    assert ics.status_code == 404
    assert "Page not found" in page.text


def test_session_of_an_unpublished_event_is_404(client, kubecon):
    kubecon.event.is_published = False
    kubecon.event.save()

    assert client.get(PMEM).status_code == 404


def test_session_structured_data_names_event_speakers_and_affiliations(client, kubecon):
    data = json_ld(client.get(PMEM))

    assert data["name"] == "Persistent Memory in Kubernetes"
    assert data["startDate"] == "2020-11-19T15:45:00-05:00"
    assert data["superEvent"]["@id"].endswith("/events/kubecon-na-2020/")
    assert data["eventAttendanceMode"] == "https://schema.org/OnlineEventAttendanceMode"
    assert data["location"]["@type"] == "VirtualLocation"
    assert data["performer"] == [
        {
            "@type": "Person",
            "name": "Patrick Ohly",
            "url": data["performer"][0]["url"],
            "affiliation": {
                "@type": "Organization",
                "name": "Intel",
                "url": data["performer"][0]["affiliation"]["url"],
            },
        }
    ]


def test_structured_data_cannot_break_out_of_its_script(client, kubecon):
    kubecon.pmem.abstract = "</script><script>alert(1)</script> & more"
    kubecon.pmem.save()

    response = client.get(PMEM)

    assert "</script><script>alert(1)" not in response.text
    assert json_ld(response)["description"] == "</script><script>alert(1)</script> & more"


def test_in_person_session_structured_data_has_a_place(client, db):
    event = EventFactory(slug="in-person", is_virtual=False, venue="RAI, Amsterdam")
    session = SessionFactory(event=event, slug="talk")

    data = json_ld(client.get(session.get_absolute_url()))

    assert data["eventAttendanceMode"] == "https://schema.org/OfflineEventAttendanceMode"
    assert data["location"]["@type"] == "Place"
    assert data["location"]["address"] == "RAI, Amsterdam"


def test_session_ics_download_is_the_one_session_with_a_stable_uid(client, kubecon):
    response = client.get(kubecon.pmem.get_ics_url())

    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert 'filename="persistent-memory-in-kubernetes.ics"' in response["Content-Disposition"]
    calendar = icalendar.Calendar.from_ical(response.content)
    (vevent,) = calendar.walk("VEVENT")
    assert str(vevent["UID"]) == str(kubecon.pmem.uid)
    assert vevent.start == dt.datetime(2020, 11, 19, 20, 45, tzinfo=dt.UTC)
    assert vevent["DTSTART"].params["TZID"] == "America/New_York"
    assert vevent["URL"].endswith(PMEM)
    assert client.get(kubecon.pmem.get_ics_url()).content.count(b"UID:") == 1


def test_cancelled_session_ics_is_marked_cancelled(client, kubecon):
    response = client.get(kubecon.cancelled.get_ics_url())

    (vevent,) = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    assert vevent["STATUS"] == "CANCELLED"


# --- Speakers, companies, themes -----------------------------------------


def test_speaker_list_shows_public_speakers_only(client, kubecon):
    SpeakerFactory(name="Draft Only Speaker")
    only_draft = SpeakerFactory(name="Speaker Of A Draft")
    SessionFactory(event=kubecon.event, status=Session.Status.DRAFT, speakers=[only_draft])

    response = client.get("/speakers/")

    assert "Patrick Ohly" in response.text
    assert "Alice Example" in response.text
    assert "Draft Only Speaker" not in response.text
    assert "Speaker Of A Draft" not in response.text


def test_speaker_list_filtered_by_event(client, kubecon):
    other = SessionFactory(speakers=[SpeakerFactory(name="Elsewhere Speaker")])

    filtered = client.get("/speakers/", {"event": "kubecon-na-2020"})
    unfiltered = client.get("/speakers/")

    assert "Speakers at KubeCon + CloudNativeCon North America 2020" in filtered.text
    assert "Elsewhere Speaker" not in filtered.text
    assert "Elsewhere Speaker" in unfiltered.text
    assert other.event.name in client.get(other.get_absolute_url()).text


def test_speaker_list_with_unknown_event_or_bad_page_still_works(client, kubecon):
    response = client.get("/speakers/", {"event": "x" * 5000, "page": "abc"})

    assert response.status_code == 200
    assert "There is no published event with that name" in response.text
    assert "Patrick Ohly" in response.text


@pytest.mark.parametrize("path", ["/speakers/", "/companies/"])
@pytest.mark.parametrize("value", ["\x00", "kubecon-na-2020\x00", "kubecon na 2020"])
def test_list_filter_with_a_malformed_event_says_so_instead_of_failing(
    client, kubecon, path, value
):
    # PostgreSQL refuses a NUL in any text it is asked to compare: a 500 there.
    response = client.get(path, {"event": value})

    assert response.status_code == 200
    assert "There is no published event with that name" in response.text
    assert "Intel" in response.text


def test_speaker_page_shows_profile_and_public_sessions(client, kubecon):
    kubecon.patrick.bio = "Works on PMEM-CSI."
    kubecon.patrick.github_url = "https://github.com/pohly"
    kubecon.patrick.save()

    response = client.get("/speakers/patrick-ohly/")

    assert "<h1>Patrick Ohly</h1>" in response.text
    assert "Works on PMEM-CSI." in response.text
    assert 'href="https://github.com/pohly"' in response.text
    assert "Persistent Memory in Kubernetes" in response.text
    assert "Cancelled CSI Deep Dive" in response.text
    assert "Secret Draft Session" not in response.text


def test_speaker_page_structured_data_is_a_person_with_affiliation(client, kubecon):
    kubecon.patrick.github_url = "https://github.com/pohly"
    kubecon.patrick.save()

    data = json_ld(client.get("/speakers/patrick-ohly/"))

    assert data["@type"] == "Person"
    assert data["name"] == "Patrick Ohly"
    assert data["jobTitle"] == "Engineer"
    assert data["affiliation"]["name"] == "Intel"
    assert data["sameAs"] == ["https://github.com/pohly"]


def test_speaker_with_only_drafts_is_404(client, kubecon):
    hidden = SpeakerFactory(slug="hidden-speaker")
    SessionFactory(event=kubecon.event, status=Session.Status.DRAFT, speakers=[hidden])

    assert client.get("/speakers/hidden-speaker/").status_code == 404


def test_company_page_lists_its_speakers_and_their_sessions(client, kubecon):
    response = client.get("/companies/intel/")

    assert "<h1>Intel</h1>" in response.text
    speakers = response.text.split('id="speakers-heading"')[1].split('id="sessions-heading"')[0]
    assert "Patrick Ohly" in speakers
    assert "Alice Example" not in speakers
    sessions = response.text.split('id="sessions-heading"')[1]
    assert "Persistent Memory in Kubernetes" in sessions
    assert "Policy as Code" not in sessions


def test_company_keeps_sessions_given_for_it_after_the_speaker_moved(client, kubecon):
    kubecon.patrick.company = CompanyFactory(name="New Employer", slug="new-employer")
    kubecon.patrick.save()

    response = client.get("/companies/intel/")

    assert "Persistent Memory in Kubernetes" in response.text
    assert "(now @ New Employer)" in response.text


def test_company_list_and_unknown_company(client, kubecon):
    CompanyFactory(name="Silent Corp", slug="silent")

    listing = client.get("/companies/")

    assert "Intel" in listing.text
    assert "Red Hat" in listing.text
    assert "Silent Corp" not in listing.text
    assert client.get("/companies/silent/").status_code == 404
    assert client.get("/companies/nope/").status_code == 404


def test_theme_list_and_page_newest_event_first(client, kubecon):
    newer = EventFactory(
        name="CloudConf 2099", start_date=dt.date(2099, 1, 1), end_date=dt.date(2099, 1, 2)
    )
    SessionFactory(event=newer, title="Newest Storage Talk", themes=[kubecon.storage])
    ThemeFactory(name="Empty Theme", slug="empty")

    listing = client.get("/themes/")
    page = client.get("/themes/storage-csi/")

    assert "Storage &amp; CSI" in listing.text
    assert "Empty Theme" not in listing.text
    assert page.text.index("Newest Storage Talk") < page.text.index("Persistent Memory")
    # Cards on a list across days and events name the conference day.
    assert '<span class="session-day">Thursday 19 November</span>' in page.text
    assert 'href="/time-zone/?next=/themes/storage-csi/"' in page.text
    assert "Secret Draft Session" not in page.text
    assert "5 sessions, newest event first" not in page.text
    assert "4 sessions, newest event first" in page.text


def test_theme_stylesheet_colours_badges_with_contrast(client, kubecon):
    response = client.get("/themes.css")

    assert response["Content-Type"] == "text/css; charset=utf-8"
    assert ".theme-storage-csi{background-color:#1d5f8a;color:#ffffff}" in response.text
    assert ".theme-security{background-color:#f5d142;color:#000000}" in response.text


def test_a_new_theme_colour_reaches_browsers_on_their_next_page(client, kubecon):
    first = client.get("/themes.css")
    assert "max-age=0" in first["Cache-Control"]
    assert client.get("/themes.css", headers={"If-None-Match": first["ETag"]}).status_code == 304

    kubecon.storage.colour = "#123456"
    kubecon.storage.save()

    again = client.get("/themes.css", headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 200
    assert ".theme-storage-csi{background-color:#123456" in again.text


def test_unknown_theme_is_a_styled_404(client, db):
    response = client.get("/themes/nope/")

    assert response.status_code == 404
    assert "Page not found" in response.text


# --- Pagination: the nearest real page, under its own address -------------


def canonical(response) -> str:
    (url,) = re.findall(r'<link rel="canonical" href="([^"]+)">', response.text)
    return html.unescape(url)


@pytest.fixture
def two_pages_of_people(kubecon):
    """61 speakers and 61 companies at the event: the lists show 60 a page."""
    SessionFactory(
        event=kubecon.event, speakers=[SpeakerFactory(name=f"Zed {n:02}") for n in range(59)]
    )
    return kubecon


@pytest.mark.parametrize(("path", "last"), [("/speakers/", "Zed 58"), ("/companies/", "Red Hat")])
def test_list_page_two_is_canonical_under_its_own_address_with_the_event_kept(
    client, two_pages_of_people, path, last
):
    first = client.get(path, {"event": "kubecon-na-2020"})
    second = client.get(path, {"event": "kubecon-na-2020", "page": "2"})

    assert canonical(first) == f"http://127.0.0.1:8000{path}?event=kubecon-na-2020"
    assert canonical(second) == f"http://127.0.0.1:8000{path}?event=kubecon-na-2020&page=2"
    assert last not in first.text
    assert last in second.text


def test_speaker_list_shows_the_nearest_real_page_for_any_page_asked_for(
    client, two_pages_of_people
):
    # Past the end first, so its cached copy exists before the real page 2 is asked for.
    past_the_end = client.get("/speakers/", {"page": "999"})
    second = client.get("/speakers/", {"page": "2"})
    first = client.get("/speakers/")
    malformed = client.get("/speakers/", {"page": "abc"})
    zero = client.get("/speakers/", {"page": "0"})

    for response in (past_the_end, second):
        assert response.status_code == 200
        assert "Zed 58" in response.text
        assert "Page 2 of 2" in response.text
        assert canonical(response) == "http://127.0.0.1:8000/speakers/?page=2"
    for response in (first, malformed, zero):
        assert response.status_code == 200
        assert "Alice Example" in response.text
        assert "Page 1 of 2" in response.text
        assert canonical(response) == "http://127.0.0.1:8000/speakers/"


def test_theme_page_past_the_end_is_its_last_page_under_that_address(client, kubecon):
    for _ in range(48):  # 51 public sessions: the theme page shows 50 a page
        SessionFactory(event=kubecon.event, themes=[kubecon.storage])

    response = client.get("/themes/storage-csi/", {"page": "7"})

    assert response.status_code == 200
    assert "Page 2 of 2" in response.text
    assert canonical(response) == "http://127.0.0.1:8000/themes/storage-csi/?page=2"


# --- Query counts on two data sizes --------------------------------------


def _grow(kubecon, n):
    for _ in range(n):
        speaker = SpeakerFactory(company=kubecon.intel)
        SessionFactory(
            event=kubecon.event,
            themes=[kubecon.storage, kubecon.security],
            speakers=[speaker, SpeakerFactory()],
        )


@pytest.mark.parametrize("extra", [1, 25])
@pytest.mark.parametrize(
    ("url", "queries"),
    [
        ("/", 7),
        ("/events/", 2),
        ("/events/kubecon-na-2020/", 7),
        (PMEM, 7),
        ("/speakers/", 4),  # the list, its count, the A to Z letters, the version
        ("/speakers/patrick-ohly/", 5),
        ("/companies/", 4),
        ("/companies/intel/", 6),
        ("/themes/", 2),
        ("/themes/storage-csi/", 6),
        ("/sitemap.xml", 14),
        ("/sitemap-sessions.xml", 2),
        ("/sitemap-speakers.xml", 2),
        ("/sitemap-companies.xml", 2),
        ("/sitemap-themes.xml", 2),
        ("/themes.css", 1),
    ],
)
def test_pages_take_a_fixed_number_of_queries(
    client, kubecon, django_assert_num_queries, url, queries, extra
):
    _grow(kubecon, extra)

    with django_assert_num_queries(queries):
        response = client.get(url)

    assert response.status_code == 200


def test_demo_content_shows_patrick_ohlys_session_in_both_zones(reader_in_los_angeles, db):
    call_command("load_demo", stdout=io.StringIO())

    response = reader_in_los_angeles.get(
        "/events/kubecon-cloudnativecon-north-america-2020/sessions/persistent-memory-in-kubernetes/"
    )

    assert shows_span(response.text, "15:45", "16:20", "EST")
    assert shows_span(response.text, "12:45", "13:20", "PST")
    assert "Patrick Ohly" in response.text


def test_structured_data_is_a_data_block_the_same_for_every_reader(client, kubecon):
    response = client.get(PMEM)

    (data,) = re.findall(r'<script type="application/ld\+json">(.+?)</script>', response.text)
    assert json.loads(data)["@type"] == "Event"
    assert "<script>" not in response.text  # no inline script anywhere
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]


def test_public_pages_refuse_writes(client, kubecon):
    assert client.post(PMEM).status_code == 405
    assert client.post("/events/kubecon-na-2020/schedule/").status_code == 405
