"""Company kinds and sponsored sessions: set by editors, filtered and labelled for readers."""

import datetime as dt
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from sessions import services
from sessions.demo import content as demo
from sessions.demo import kubecon as kubecon_eu_2026
from sessions.models import Company, Event, Session
from tests.factories import (
    CompanyFactory,
    RoomFactory,
    SessionFactory,
    SessionSpeakerFactory,
    SpeakerFactory,
    UserFactory,
)

pytestmark = pytest.mark.integration

SCHEDULE = "/events/kubecon-na-2020/schedule/"
DAY = "2020-11-19"
COMPANIES = reverse("admin:conference_company_changelist")


def titles(response) -> list[str]:
    heading = r'<h4 class="srow-title"[^>]*>\s*<a href="[^"]+">([^<]+)</a>'
    return re.findall(heading, response.text)


def day_tabs(response) -> str:
    return response.text.split('aria-label="Conference days"')[1].split("</nav>")[0]


@pytest.fixture
def kinds(kubecon):
    """The 19th: a sponsored talk (Intel, a vendor), a cancelled one (Intel) and a
    BoF where a Spotify engineer (an end user) joins Alice (Red Hat, a vendor)."""
    Company.objects.filter(pk__in=[kubecon.intel.pk, kubecon.red_hat.pk]).update(
        kind=Company.Kind.VENDOR
    )
    spotify = CompanyFactory(name="Spotify", slug="spotify", kind=Company.Kind.END_USER)
    dana = SpeakerFactory(name="Dana Example", slug="dana-example", company=spotify)
    SessionSpeakerFactory(session=kubecon.late, speaker=dana, order=1)
    kubecon.pmem.is_sponsored = True
    kubecon.pmem.save()
    kubecon.spotify = spotify
    return kubecon


# --- Readers' filters -------------------------------------------------------------------------


def test_end_user_stories_show_only_sessions_with_an_end_user_speaker(client, kinds):
    response = client.get(SCHEDULE, {"day": DAY, "kind": "end-user"})

    assert titles(response) == ["After-hours Storage Birds of a Feather"]
    assert (
        '<input type="checkbox" name="kind" value="end-user" checked> End-user stories'
        in response.text
    )
    assert "kind=end-user" in day_tabs(response)
    assert "Some filters could not be used" not in response.text


def test_kinds_combine_as_any_of_them(client, kinds):
    response = client.get(SCHEDULE, {"day": DAY, "kind": ["end-user", "vendor"]})

    assert titles(response) == [
        "Cancelled CSI Deep Dive",
        "Persistent Memory in Kubernetes",
        "After-hours Storage Birds of a Feather",
    ]


def test_hide_sponsored_leaves_sponsored_sessions_out_and_stays_in_the_tabs(client, kinds):
    response = client.get(SCHEDULE, {"day": DAY, "sponsored": "hide"})

    assert titles(response) == [
        "Cancelled CSI Deep Dive",
        "After-hours Storage Birds of a Feather",
    ]
    assert (
        '<input type="checkbox" name="sponsored" value="hide" checked> Hide sponsored sessions'
        in response.text
    )
    assert "sponsored=hide" in day_tabs(response)
    assert "1 filter," in response.text


def test_kind_and_sponsored_filters_are_offered_only_when_the_event_has_them(client, kubecon):
    bare = client.get(SCHEDULE, {"day": DAY}).text
    assert "Speakers' companies" not in bare
    assert "Hide sponsored sessions" not in bare

    Company.objects.filter(pk=kubecon.red_hat.pk).update(kind=Company.Kind.ACADEMIA)
    kubecon.late.is_sponsored = True
    kubecon.late.save()  # the save bumps the event's version: the page is built anew

    offered = client.get(SCHEDULE, {"day": DAY}).text
    group = offered.split("<legend>Speakers&#x27; companies</legend>")[1].split("</fieldset>")[0]
    assert "> Academia</label>" in group
    assert "End-user stories" not in group  # no end-user company speaks here
    assert "Vendors" not in group  # Intel's kind is not set
    assert "<legend>Sponsored sessions</legend>" in offered
    assert "> Hide sponsored sessions</label>" in offered


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"kind": "academia"},
            "No speaker at this event appears for a company of kind “academia”",
        ),
        (
            {"kind": "<b>vendor"},
            "No speaker at this event appears for a company of kind “&lt;b&gt;vendor”",
        ),
        (
            {"sponsored": "maybe"},
            "“maybe” is not a choice for sponsored sessions (use hide), so they are shown.",
        ),
    ],
)
def test_bad_kind_or_sponsored_values_are_named_and_dropped(client, kinds, params, message):
    response = client.get(SCHEDULE, {"day": DAY, **params})

    assert response.status_code == 200
    assert "Some filters could not be used" in response.text
    assert message in response.text
    assert len(titles(response)) == 3
    assert "kind=" not in day_tabs(response)
    assert "sponsored=" not in day_tabs(response)


def test_cached_schedule_pages_are_keyed_on_the_new_filters(client, kinds):
    end_users = client.get(SCHEDULE, {"day": DAY, "kind": "end-user"})
    no_sponsored = client.get(SCHEDULE, {"day": DAY, "sponsored": "hide"})
    everything = client.get(SCHEDULE, {"day": DAY})

    assert len(titles(end_users)) == 1
    assert len(titles(no_sponsored)) == 2
    assert len(titles(everything)) == 3


def test_a_bulk_kind_change_reaches_the_cached_schedule(client, editor_client, kinds):
    before = client.get(SCHEDULE, {"day": DAY, "kind": "end-user"})
    assert titles(before) == ["After-hours Storage Birds of a Feather"]

    editor_client.post(
        COMPANIES,
        {
            "action": "set_kind",
            "_selected_action": [kinds.intel.pk],
            "kind": "end-user",
            "apply": "Set kind",
        },
    )

    after = client.get(SCHEDULE, {"day": DAY, "kind": "end-user"})
    assert titles(after) == [
        "Cancelled CSI Deep Dive",
        "Persistent Memory in Kubernetes",
        "After-hours Storage Birds of a Feather",
    ]


# --- Labels -----------------------------------------------------------------------------------


def test_agenda_rows_label_sponsored_sessions_and_end_user_companies(client, kinds):
    page = client.get(SCHEDULE, {"day": DAY}).text

    rows = dict(re.findall(r'">([^<]+)</a></h4>(.*?)</li>', page, re.S))
    assert (
        '<span class="badge badge-sponsored">Sponsored</span>'
        in rows["Persistent Memory in Kubernetes"]
    )
    assert "Sponsored" not in rows["Cancelled CSI Deep Dive"]
    assert (
        'Dana Example</a> @ Spotify <small class="kind-label">(end user)</small>'
        in rows["After-hours Storage Birds of a Feather"]
    )
    # Vendors are the bulk of a KubeCon: no label for them.
    assert "(vendor)" not in page


def test_cards_label_sponsored_sessions_and_end_user_companies(client, kinds):
    page = client.get(kinds.storage.get_absolute_url()).text

    assert '<span class="badge badge-sponsored">Sponsored</span>' in page
    assert (
        '<a href="/companies/spotify/">Spotify</a> <small class="kind-label">(end user)</small>'
        in page
    )


def test_session_page_says_sponsored_and_each_companys_kind(client, kinds):
    sponsored = client.get(kinds.pmem.get_absolute_url()).text
    # The BoF's own part of its page, before the related sessions (the sponsored one among them).
    bof = client.get(kinds.late.get_absolute_url()).text.split('id="related-heading"')[0]

    assert '<span class="badge badge-sponsored">Sponsored</span>' in sponsored
    assert "A sponsor paid for this slot." in sponsored
    assert "Sponsored" not in bof
    assert 'Spotify</a> <small class="kind-label">(end user)</small>' in bof
    assert 'Red Hat</a> <small class="kind-label">(vendor)</small>' in bof

    services.set_companies_kind(
        companies=Company.objects.filter(pk=kinds.red_hat.pk), kind=Company.Kind.PROJECT
    )
    page = client.get(kinds.late.get_absolute_url()).text
    assert 'Red Hat</a> <small class="kind-label">(CNCF or open-source project)</small>' in page


def test_company_page_names_its_kind(client, kinds):
    page = client.get(kinds.spotify.get_absolute_url()).text

    assert '<p class="company-kind">Kind: <strong>End user</strong></p>' in page


def _busy_day(event, *, sessions: int):
    end_user = CompanyFactory(kind=Company.Kind.END_USER)
    vendor = CompanyFactory(kind=Company.Kind.VENDOR)
    rooms = [RoomFactory(event=event) for _ in range(3)]
    start = dt.datetime(2020, 11, 18, 15, 0, tzinfo=dt.UTC)
    for number in range(sessions):
        SessionFactory(
            event=event,
            starts_at=start + dt.timedelta(minutes=40 * (number // 3)),
            ends_at=start + dt.timedelta(minutes=40 * (number // 3) + 35),
            room=rooms[number % 3],
            speakers=[SpeakerFactory(company=end_user), SpeakerFactory(company=vendor)],
            is_sponsored=number % 2 == 0,
        )


@pytest.mark.parametrize("sessions", [4, 40])
def test_kind_filters_and_labels_add_no_query_per_session(
    client, kinds, django_assert_max_num_queries, sessions
):
    _busy_day(kinds.event, sessions=sessions)

    # The event's version, the event, and the page's eight reads: as without the new filters.
    with django_assert_max_num_queries(10):
        response = client.get(
            SCHEDULE, {"day": "2020-11-18", "kind": ["end-user", "vendor"], "sponsored": "hide"}
        )

    # Half are sponsored; the policy talk (a vendor's) is on that day too.
    assert len(titles(response)) == sessions // 2 + 1
    assert response.text.count("(end user)</small>") == sessions // 2


# --- Editors ----------------------------------------------------------------------------------


def test_bulk_set_kind_asks_for_the_kind_then_sets_it(editor_client, kinds):
    event_version = Event.objects.get(pk=kinds.event.pk).content_version
    chosen = [kinds.intel.pk, kinds.spotify.pk]

    asked = editor_client.post(COMPANIES, {"action": "set_kind", "_selected_action": chosen})

    assert asked.status_code == 200
    assert "Set the kind of companies" in asked.text
    assert "<li>Spotify (now: End user)</li>" in asked.text
    assert 'value="academia"' in asked.text
    assert 'name="csrfmiddlewaretoken"' in asked.text
    # Nothing chosen yet: pressing the button at once must not clear every kind.
    assert "checked" not in asked.text
    assert Company.objects.get(pk=kinds.intel.pk).kind == Company.Kind.VENDOR

    done = editor_client.post(
        COMPANIES,
        {"action": "set_kind", "_selected_action": chosen, "kind": "academia", "apply": "Set kind"},
        follow=True,
    )

    assert "2 companies are now of kind “Academia”." in done.text
    assert set(Company.objects.filter(pk__in=chosen).values_list("kind", flat=True)) == {
        Company.Kind.ACADEMIA
    }
    assert Event.objects.get(pk=kinds.event.pk).content_version > event_version


def test_bulk_set_kind_can_clear_it_and_refuses_a_missing_or_unknown_kind(editor_client, kinds):
    base = {"action": "set_kind", "_selected_action": [kinds.spotify.pk], "apply": "Set kind"}

    missing = editor_client.post(COMPANIES, base)
    empty = editor_client.post(COMPANIES, {**base, "kind": ""})
    unknown = editor_client.post(COMPANIES, {**base, "kind": "reseller"})

    assert "Choose the kind to give the selected companies." in missing.text
    assert "Choose the kind to give the selected companies." in empty.text
    assert "Select a valid choice. reseller is not one of the available choices." in unknown.text
    assert Company.objects.get(pk=kinds.spotify.pk).kind == Company.Kind.END_USER

    cleared = editor_client.post(COMPANIES, {**base, "kind": "not-set"}, follow=True)
    assert "1 company is now of kind “Not set”." in cleared.text
    assert Company.objects.get(pk=kinds.spotify.pk).kind == ""


def test_bulk_set_kind_is_refused_to_staff_outside_the_editors_group(client, kinds):
    client.force_login(UserFactory(username="intern", is_staff=True))

    response = client.post(
        COMPANIES,
        {
            "action": "set_kind",
            "_selected_action": [kinds.spotify.pk],
            "kind": "vendor",
            "apply": "Set kind",
        },
    )

    assert response.status_code == 403
    assert Company.objects.get(pk=kinds.spotify.pk).kind == Company.Kind.END_USER


def test_bulk_set_kind_needs_the_csrf_token(editor, kinds):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(editor)

    response = browser.post(
        COMPANIES,
        {
            "action": "set_kind",
            "_selected_action": [kinds.spotify.pk],
            "kind": "vendor",
            "apply": "Set kind",
        },
    )

    assert response.status_code == 403
    assert Company.objects.get(pk=kinds.spotify.pk).kind == Company.Kind.END_USER


def test_editors_filter_companies_by_kind_and_set_it_one_by_one(editor_client, kinds):
    listed = editor_client.get(COMPANIES, {"kind__exact": "end-user"}).text
    assert "Spotify" in listed
    assert "Intel" not in listed

    change = reverse("admin:conference_company_change", args=[kinds.intel.pk])
    editor_client.post(
        change,
        {"name": "Intel", "slug": "intel", "kind": "project", "website_url": "", "description": ""},
    )

    assert Company.objects.get(pk=kinds.intel.pk).kind == Company.Kind.PROJECT


def test_session_form_and_list_offer_the_sponsored_flag(editor_client, kinds):
    form = editor_client.get(reverse("admin:conference_session_change", args=[kinds.pmem.pk])).text
    listed = editor_client.get(
        reverse("admin:conference_session_changelist"), {"is_sponsored__exact": "1"}
    ).text

    assert re.search(r'<input type="checkbox" name="is_sponsored"[^>]* checked', form)
    assert "Persistent Memory in Kubernetes" in listed
    assert "After-hours Storage Birds of a Feather" not in listed


# --- Demo -------------------------------------------------------------------------------------


def _load() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_demo_companies_of_na_2020_have_kinds(without_kubecon_eu_2026):
    _load()

    kinds = dict(
        Company.objects.filter(slug__in=[c["slug"] for c in demo.COMPANIES]).values_list(
            "slug", "kind"
        )
    )
    assert kinds.pop("ant-group") == Company.Kind.END_USER
    assert len(kinds) == 6
    assert set(kinds.values()) == {Company.Kind.VENDOR}


@pytest.mark.django_db
def test_kubecon_eu_2026_import_arrives_with_kinds_and_sponsored_sessions(shared_data, monkeypatch):
    monkeypatch.setattr(kubecon_eu_2026, "shared_data_dir", lambda: shared_data)
    _load()
    event = Event.objects.get(slug=kubecon_eu_2026.KUBECON_EU_2026_SLUG)
    kinds = dict(Company.objects.values_list("name", "kind"))
    sponsored = Session.objects.filter(event=event, is_sponsored=True)

    assert kinds["Spotify"] == Company.Kind.END_USER
    assert kinds["Red Hat"] == Company.Kind.VENDOR
    assert kinds["CERN"] == Company.Kind.ACADEMIA
    assert kinds["CNCF"] == Company.Kind.PROJECT
    assert sponsored.filter(title__startswith="Sponsored Keynote:").count() == 6
    assert sponsored.count() == 57
    assert not Session.objects.filter(
        event=event, is_sponsored=False, title__startswith="Sponsored"
    ).exists()

    # An editor's own choice stands when the demo is loaded again.
    Company.objects.filter(name="Spotify").update(kind=Company.Kind.OTHER)
    _load()
    assert Company.objects.get(name="Spotify").kind == Company.Kind.OTHER
