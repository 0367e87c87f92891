"""The search page, the stored search documents and the speaker and company lists' search.

Every test runs on SQLite (substring matches) and on PostgreSQL (full-text
search on the stored document), with the same expectations.
"""

import datetime as dt
import re

import pytest
from django.urls import reverse

from sessions import services
from sessions.demo.generator import generate_event
from sessions.importers import parse_schedule
from sessions.importers.apply import apply_schedule
from sessions.models import Company, Event, Session, Speaker
from sessions.search.selectors import OVERVIEW_SIZE, matching_sessions
from tests.factories import CompanyFactory, EventFactory, SessionFactory, SpeakerFactory
from tests.sessions.admin_forms import local, session_data

pytestmark = pytest.mark.integration

SEARCH = "/search/"


def found_titles(text: str) -> list[str]:
    return list(matching_sessions(text).values_list("title", flat=True))


def section(response, kind: str) -> str:
    """The HTML of one group of results on the overview."""
    match = re.search(
        rf'<section[^>]*aria-labelledby="{kind}-heading">(.*?)</section>', response.text, re.S
    )
    assert match, f"no {kind} section"
    return match.group(1)


@pytest.fixture
def two_events(db):
    """Two published events, a draft session, an unpublished event: what search may see."""
    kubecon = EventFactory(
        name="KubeCon Europe 2031",
        slug="kubecon-eu-2031",
        start_date=dt.date(2031, 3, 18),
        end_date=dt.date(2031, 3, 21),
        time_zone="Europe/Amsterdam",
    )
    summit = EventFactory(name="Storage Summit 2030", slug="storage-summit-2030")
    hidden = EventFactory(name="Secret Conf", slug="secret-conf", is_published=False)
    intel = CompanyFactory(name="Intel", slug="intel")
    patrick = SpeakerFactory(name="Patrick Ohly", slug="patrick-ohly", company=intel)
    tasha = SpeakerFactory(name="Tasha Drew", slug="tasha-drew", company__name="VMware")
    return {
        "kubecon": kubecon,
        "summit": summit,
        "pmem": SessionFactory(
            event=kubecon,
            title="Persistent Memory in Kubernetes",
            abstract="How PMEM-CSI exposes memory to pods.",
            speakers=[patrick],
        ),
        "volumes": SessionFactory(
            event=summit,
            title="Volume Snapshots Explained",
            abstract="Snapshots for every Kubernetes cluster, step by step.",
            editors_note="The best introduction to snapshots.",
            speakers=[tasha],
        ),
        "draft": SessionFactory(
            event=kubecon, title="Kubernetes Draft Talk", status=Session.Status.DRAFT
        ),
        "unpublished": SessionFactory(event=hidden, title="Kubernetes in Secret"),
        "patrick": patrick,
        "tasha": tasha,
        "intel": intel,
    }


# --- What is found, and in which order ------------------------------------------------


def test_a_prefix_finds_sessions_of_every_published_event_and_nothing_hidden(two_events):
    assert sorted(found_titles("kube")) == [
        "Persistent Memory in Kubernetes",
        "Volume Snapshots Explained",
    ]


def test_a_title_match_ranks_above_an_abstract_match(two_events):
    SessionFactory(
        event=two_events["kubecon"], title="Operators at Scale", abstract="Snapshots of etcd."
    )
    # "Volume Snapshots Explained" is in the older event, so only its rank puts it first.
    assert found_titles("snapshots") == ["Volume Snapshots Explained", "Operators at Scale"]


def test_every_word_must_match_and_names_count(two_events):
    assert found_titles("memory patrick") == ["Persistent Memory in Kubernetes"]
    assert found_titles("intel") == ["Persistent Memory in Kubernetes"]
    assert found_titles("memory tasha") == []


def test_the_search_page_groups_sessions_speakers_and_companies_with_counts(client, two_events):
    response = client.get(SEARCH, {"q": "kube"})

    sessions = section(response, "sessions")
    assert re.search(r'Sessions <span class="badge[^"]*">2</span>', response.text)
    assert "Persistent Memory in Kubernetes" in sessions
    assert "Volume Snapshots Explained" in sessions
    # Each session names its event and its day.
    assert "KubeCon Europe 2031" in sessions and "Storage Summit 2030" in sessions
    assert "Tuesday 18 March" in sessions
    assert "Draft Talk" not in response.text and "in Secret" not in response.text
    assert "No speakers match." in section(response, "speakers")


def test_the_search_page_finds_speakers_and_companies_by_name(client, two_events):
    by_person = client.get(SEARCH, {"q": "tasha"})
    by_company = client.get(SEARCH, {"q": "INTEL"})

    assert 'href="/speakers/tasha-drew/">Tasha Drew</a>' in section(by_person, "speakers")
    assert "Volume Snapshots Explained" in section(by_person, "sessions")
    assert 'href="/companies/intel/">Intel</a>' in section(by_company, "companies")
    assert "Persistent Memory in Kubernetes" in section(by_company, "sessions")


def test_speakers_of_only_draft_sessions_or_hidden_events_are_not_found(client, two_events):
    SessionFactory(
        event=two_events["kubecon"],
        status=Session.Status.DRAFT,
        speakers=[SpeakerFactory(name="Dora Draft", company__name="Draftworks")],
    )

    response = client.get(SEARCH, {"q": "draft"})

    assert "No speakers match." in section(response, "speakers")
    assert "No companies match." in section(response, "companies")


def test_a_group_is_capped_with_a_link_to_all_of_its_results_paged(client, two_events):
    for number in range(OVERVIEW_SIZE + 4):
        SessionFactory(event=two_events["summit"], title=f"Gateway API part {number}")

    overview = client.get(SEARCH, {"q": "gateway"})
    everything = client.get(SEARCH, {"q": "gateway", "type": "sessions"})

    assert section(overview, "sessions").count('class="card session-card') == OVERVIEW_SIZE
    assert 'href="/search/?q=gateway&amp;type=sessions">All 10 sessions for “gateway”' in (
        overview.text
    )
    assert everything.text.count('class="card session-card') == 10
    assert "speakers-heading" not in everything.text


def test_the_search_page_is_not_cached_and_not_indexed(client, two_events):
    first = client.get(SEARCH, {"q": "memory"})
    two_events["pmem"].title = "Persistent Memory, revisited"
    two_events["pmem"].save()
    second = client.get(SEARCH, {"q": "memory"})

    assert first["X-Robots-Tag"] == "noindex"
    assert '<meta name="robots" content="noindex">' in first.text
    assert "Persistent Memory, revisited" in second.text


# --- Bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"q": ""}, "Type a word or a name above"),
        ({"q": "   "}, "Type a word or a name above"),
        ({"q": "x" * 201}, "Searches are limited to 200 characters; yours had 201"),
        ({"q": "kube", "type": "talks"}, "“talks” is not a kind of result"),
        ({"q": "zz\x00qx"}, "No sessions match."),
        ({"q": "!!! & | :* ( )"}, "No sessions match."),
        ({"q": "kube", "page": "banana", "type": "sessions"}, "Persistent Memory in Kubernetes"),
    ],
)
def test_bad_search_input_gets_a_message_not_an_error(client, two_events, query, message):
    response = client.get(SEARCH, query)

    assert response.status_code == 200
    assert message in response.text


def test_the_search_page_answers_only_reads(client, db):
    assert client.post(SEARCH, {"q": "kube"}).status_code == 405


# --- The stored document follows every write path ------------------------------------------


def test_an_admin_edit_of_the_title_and_speakers_is_found_at_once(editor_client, two_events):
    session = two_events["pmem"]
    event = session.event
    data = session_data(
        event,
        title="Quantum Widgets for Everyone",
        slug=session.slug,
        starts=local(session.starts_at, event),
        ends=local(session.ends_at, event),
        appearances=[
            {"order": 0, "speaker": two_events["tasha"].pk, "company": ""},
        ],
    )

    response = editor_client.post(
        reverse("admin:conference_session_change", args=[session.pk]), data
    )

    assert response.status_code == 302
    assert found_titles("quantum widgets") == ["Quantum Widgets for Everyone"]
    assert found_titles("persistent") == []
    assert "Quantum Widgets for Everyone" in found_titles("tasha")


def test_an_import_and_a_reimport_keep_the_documents_right(schedule_fixture, db):
    data = schedule_fixture("minimal-frab.xml")
    apply_schedule(parsed=parse_schedule(data), event_slug="tiny", publish=True)

    assert found_titles("operators anger") == ["Operators in Anger"]
    assert "Operators in Anger" in found_titles("lovelace")

    renamed = data.replace(b"Operators in Anger", b"Controllers at Peace")
    apply_schedule(parsed=parse_schedule(renamed), event_slug="tiny", publish=True)

    assert found_titles("controllers peace") == ["Controllers at Peace"]
    assert found_titles("anger") == []


def test_renaming_or_deleting_a_company_and_renaming_a_speaker_follow(two_events):
    intel = two_events["intel"]
    intel.name = "Intel Corporation"
    intel.save()
    assert found_titles("corporation") == ["Persistent Memory in Kubernetes"]

    patrick = two_events["patrick"]
    patrick.name = "Patricia Ohlsson"
    patrick.save()
    assert found_titles("ohlsson") == ["Persistent Memory in Kubernetes"]

    Company.objects.get(pk=intel.pk).delete()
    assert found_titles("corporation") == []


def test_merging_speakers_and_changing_status_in_bulk_follow(two_events):
    services.merge_speakers(keep=two_events["tasha"], duplicates=[two_events["patrick"]])
    assert sorted(found_titles("tasha")) == [
        "Persistent Memory in Kubernetes",
        "Volume Snapshots Explained",
    ]

    services.set_sessions_status(
        sessions=Session.objects.filter(pk=two_events["draft"].pk),
        status=Session.Status.PUBLISHED,
    )
    assert "Kubernetes Draft Talk" in found_titles("draft")


def test_a_generated_event_is_searchable(db):
    generated = generate_event(sessions=20, speakers=20, seed=5).event
    session = generated.sessions.order_by("pk").first()
    speaker = Speaker.objects.filter(appearances__session=session).first()
    word = max(re.findall(r"\w+", session.title), key=len)

    assert session.title in found_titles(word)
    assert session.title in found_titles(speaker.name)


# --- The speaker and company lists ---------------------------------------------------------


@pytest.fixture
def many_speakers(db):
    event = EventFactory(slug="big-conf")
    other = EventFactory(slug="other-conf")
    names = ["Ada Lovelace", "Alan Turing", "Barbara Liskov", "Grace Hopper", "Zed Shaw"]
    speakers = [SpeakerFactory(name=name) for name in names]
    for speaker in speakers:
        SessionFactory(event=event, speakers=[speaker])
    SessionFactory(event=other, speakers=[SpeakerFactory(name="Anna Elsewhere")])
    return event


def listed(response) -> list[str]:
    return re.findall(r'<li class="col-md-6 col-lg-4"><a href="[^"]+">([^<]+)</a>', response.text)


def test_the_speaker_list_searches_names_and_keeps_the_event(client, many_speakers):
    response = client.get("/speakers/", {"q": "  grace  ", "event": "big-conf"})

    assert listed(response) == ["Grace Hopper"]
    assert 'name="event" value="big-conf"' in response.text
    assert "whose name has “grace”" in response.text
    assert response["X-Robots-Tag"] == "noindex"


def test_the_a_to_z_jump_filters_across_pages_and_keeps_the_event(client, many_speakers):
    # The whole list is cached first: the letter's page must not be served that copy.
    assert len(listed(client.get("/speakers/", {"event": "big-conf"}))) == 5
    response = client.get("/speakers/", {"letter": "a", "event": "big-conf"})

    assert listed(response) == ["Ada Lovelace", "Alan Turing"]
    assert 'href="/speakers/?event=big-conf&amp;letter=B"' in response.text
    assert 'aria-current="page" aria-label="Speakers: A">A</a>' in response.text
    # No one's name starts with C: the letter is shown, not linked.
    assert '<span aria-label="No speakers: C">C</span>' in response.text


def test_letter_pages_are_paged_on_their_own(client, db):
    event = EventFactory()
    for number in range(65):
        SessionFactory(event=event, speakers=[SpeakerFactory(name=f"Kim {number:02d}")])
    SessionFactory(event=event, speakers=[SpeakerFactory(name="Lee Last")])

    second = client.get("/speakers/", {"letter": "K", "page": "2"})

    assert listed(second) == [f"Kim {number}" for number in range(60, 65)]
    assert 'href="?letter=K&amp;page=1"' in second.text


def test_the_company_list_searches_and_jumps_too(client, two_events):
    assert listed(client.get("/companies/", {"q": "vmw"})) == ["VMware"]
    assert listed(client.get("/companies/", {"letter": "I"})) == ["Intel"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"letter": "Ä"}, "“Ä” is not a letter from A to Z, so every name is shown."),
        ({"letter": "AB"}, "“AB” is not a letter from A to Z"),
        ({"q": "y" * 300}, "Searches are limited to 200 characters; yours had 300"),
        ({"event": "no-such-event"}, "There is no published event with that name"),
    ],
)
def test_bad_list_input_gets_a_message_and_every_name(client, many_speakers, query, message):
    response = client.get("/speakers/", query)

    assert response.status_code == 200
    assert message in response.text
    assert "Ada Lovelace" in listed(response)


def test_a_search_on_the_list_is_not_served_from_a_cached_copy(client, many_speakers):
    client.get("/speakers/", {"q": "grace"})
    Speaker.objects.filter(name="Grace Hopper").update(name="Grace Brewster Hopper")
    # Changing a name through update() moves no content version: only an uncached render sees it.
    assert listed(client.get("/speakers/", {"q": "grace"})) == ["Grace Brewster Hopper"]


# --- Queries do not grow with the data -----------------------------------------------------


@pytest.fixture(scope="class")
def small_and_large(class_db, django_db_blocker):
    with django_db_blocker.unblock():
        small = generate_event(sessions=10, speakers=15, seed=21).event
        large = generate_event(sessions=400, speakers=600, seed=22).event
        Event.objects.filter(pk__in=[small.pk, large.pk]).update(is_published=True)
    return small, large


class TestQueries:
    @pytest.mark.django_db
    @pytest.mark.parametrize(
        "query",
        [
            {"q": "kubernetes"},
            {"q": "kubernetes", "type": "sessions"},
            {"q": "a", "type": "speakers", "page": "2"},
        ],
    )
    def test_search_queries_do_not_grow(
        self, client, small_and_large, query, django_assert_max_num_queries
    ):
        for event in small_and_large:
            Event.objects.exclude(pk=event.pk).update(is_published=False)
            with django_assert_max_num_queries(10):
                response = client.get(SEARCH, query)
            assert response.status_code == 200

    @pytest.mark.django_db
    @pytest.mark.parametrize("path", ["/speakers/", "/companies/"])
    @pytest.mark.parametrize("query", [{}, {"letter": "M"}, {"q": "e", "page": "2"}])
    def test_list_queries_do_not_grow(
        self, client, small_and_large, path, query, django_assert_max_num_queries
    ):
        for event in small_and_large:
            with django_assert_max_num_queries(6):
                response = client.get(path, {"event": event.slug, **query})
            assert response.status_code == 200
