"""Theme rules: what they match, and applying them (sessions.theming)."""

from __future__ import annotations

import pytest

from sessions.models import Event, SessionTheme, ThemeRule
from sessions.theming import apply_rules, plan_rules, rule_matches
from tests.factories import (
    CompanyFactory,
    EventFactory,
    SessionFactory,
    SpeakerFactory,
    ThemeFactory,
    UserFactory,
)

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def _rule(theme=None, **fields) -> ThemeRule:
    return ThemeRule.objects.create(theme=theme or ThemeFactory(), name="a rule", **fields)


def _links(session) -> dict[str, tuple[str, str | None]]:
    """Theme name -> (source, name of the rule that set it)."""
    return {
        link.theme.name: (link.source, link.rule.name if link.rule else None)
        for link in session.theme_links.select_related("theme", "rule")
    }


def _version(event: Event) -> int:
    return Event.objects.values_list("content_version", flat=True).get(pk=event.pk)


# --- Matching ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "matches"),
    [
        ("Storage for AI Workloads", True),
        ("STORAGE, Done Right", True),
        ("Where Did My StorageClass Go?", False),  # a word inside another is no match
        ("Block-storage Deep Dive", True),  # a hyphen ends a word
        ("Networking Basics", False),
    ],
)
def test_a_word_matches_whole_words_in_any_case(title, matches):
    rule = _rule(words="storage")
    session = SessionFactory(title=title, abstract="")

    assert rule_matches(rule, session) is matches


def test_a_phrase_matches_its_words_together_across_line_breaks_only():
    rule = _rule(words="object storage\nPersistent   Volumes")
    together = SessionFactory(title="Buckets", abstract="Object\n  storage on Kubernetes.")
    apart = SessionFactory(title="Object Lessons in Storage", abstract="")
    spaced = SessionFactory(title="Persistent volumes, explained", abstract="")

    assert rule_matches(rule, together)
    assert not rule_matches(rule, apart)
    assert rule_matches(rule, spaced)


def test_an_exclusion_keeps_a_matching_session_out_even_through_a_company():
    vendor = CompanyFactory(name="Bucketly")
    rule = _rule(words="storage", companies="Bucketly", exclusions="object storage marketing")
    talk = SessionFactory(title="Storage Internals", abstract="")
    pitch = SessionFactory(
        title="Storage for Everyone",
        abstract="Our OBJECT STORAGE MARKETING team shows the product.",
        speakers=[SpeakerFactory(company=vendor)],
    )

    assert rule_matches(rule, talk)
    assert not rule_matches(rule, pitch)


def test_a_company_matches_the_affiliation_shown_on_the_session_in_any_case():
    rule = _rule(companies="  acme   cloud \n")
    speaker = SpeakerFactory(company=CompanyFactory(name="Elsewhere"))
    then = SessionFactory(title="Quiet title", abstract="")
    then.appearances.create(speaker=speaker, company=CompanyFactory(name="ACME Cloud"))
    now = SessionFactory(title="Quiet title", abstract="", speakers=[speaker])
    # No affiliation on the session: the speaker's current company counts.
    unset = SessionFactory(title="Quiet title", abstract="")
    unset.appearances.create(speaker=SpeakerFactory(company=CompanyFactory(name="Acme Cloud ")))

    assert rule_matches(rule, then)
    assert not rule_matches(rule, now)
    assert rule_matches(rule, unset)


def test_the_official_track_and_the_fields_a_rule_looks_in():
    in_track = SessionFactory(title="Quiet title", abstract="", track="Data Processing + Storage")
    in_abstract = SessionFactory(title="Quiet title", abstract="All about storage.")

    assert rule_matches(_rule(words="storage"), in_track)
    assert not rule_matches(_rule(words="storage", in_track=False), in_track)
    assert not rule_matches(_rule(words="storage", in_abstract=False), in_abstract)
    assert rule_matches(_rule(words="storage", in_title=False), in_abstract)


def test_a_rule_stays_a_list_an_editor_can_read(db):
    from django.core.exceptions import ValidationError

    theme = ThemeFactory()
    many = "\n".join(f"word{n}" for n in range(ThemeRule.MAX_ENTRIES + 1))
    with pytest.raises(ValidationError, match="At most 300 lines") as refused:
        ThemeRule(theme=theme, name="everything", words=many).full_clean()
    assert list(refused.value.message_dict) == ["words"]
    with pytest.raises(ValidationError, match="at most 100 characters"):
        ThemeRule(theme=theme, name="long", words="storage", exclusions="x" * 101).full_clean()
    # The limits themselves are allowed.
    ThemeRule(theme=theme, name="full", words="\n".join(["w" * 100] * 300)).full_clean()


def test_a_rule_needs_something_to_match_and_somewhere_to_look():
    from django.core.exceptions import ValidationError

    theme = ThemeFactory()
    with pytest.raises(ValidationError, match="at least one word"):
        ThemeRule(theme=theme, name="empty", words=" \n ").full_clean()
    with pytest.raises(ValidationError, match="Tick at least one"):
        ThemeRule(
            theme=theme, name="blind", words="x", in_title=False, in_abstract=False, in_track=False
        ).full_clean()
    # Companies alone need no field to look in.
    ThemeRule(
        theme=theme,
        name="vendors",
        companies="Acme",
        in_title=False,
        in_abstract=False,
        in_track=False,
    ).full_clean()


# --- Applying -----------------------------------------------------------------------------


def test_applying_rules_adds_themes_recorded_as_set_by_their_rule():
    storage = ThemeFactory(name="Storage & CSI")
    rule = _rule(storage, words="CSI")
    event = EventFactory()
    csi = SessionFactory(event=event, title="Writing a CSI Driver")
    other = SessionFactory(event=event, title="Ingress in Depth")
    before = _version(event)

    applied = apply_rules(event_ids=[event.pk])

    assert _links(csi) == {"Storage & CSI": ("rule", rule.name)}
    assert _links(other) == {}
    assert [theme.describe(done=True) for theme in applied.changes] == [
        "Storage & CSI: 1 session was added, 0 removed"
    ]
    assert _version(event) == before + 1  # cached pages follow


def test_a_hand_set_theme_is_never_removed_nor_taken_over_by_a_rule():
    storage, security = ThemeFactory(name="Storage"), ThemeFactory(name="Security")
    _rule(storage, words="storage")
    _rule(security, words="policy")
    editor = UserFactory()
    session = SessionFactory(title="Storage Policies That Work")
    # Set by hand: Security (which a rule would also give) and Storage.
    for theme in (storage, security):
        SessionTheme.objects.create(session=session, theme=theme, set_by=editor)
    unmatched = SessionFactory(title="Lunch", themes=[storage])

    apply_rules()

    assert _links(session) == {"Storage": ("hand", None), "Security": ("hand", None)}
    assert _links(unmatched) == {"Storage": ("hand", None)}


def test_a_rule_set_theme_goes_once_no_rule_of_its_theme_matches():
    storage = ThemeFactory(name="Storage")
    words = _rule(storage, words="storage")
    vendors = _rule(storage, companies="Bucketly")
    vendor = SpeakerFactory(company=CompanyFactory(name="Bucketly"))
    session = SessionFactory(title="Storage at Scale", speakers=[vendor])
    apply_rules()
    assert _links(session) == {"Storage": ("rule", words.name)}

    # The words no longer match, the company still does: it stays, credited to that rule.
    session.title = "Scale"
    session.abstract = ""
    session.save()
    apply_rules()
    assert session.theme_links.get().rule == vendors

    # An inactive rule matches nothing: the theme goes.
    ThemeRule.objects.filter(pk=vendors.pk).update(is_active=False)
    gone = apply_rules()
    assert _links(session) == {}
    assert [theme.summary for theme in gone.changes] == [
        "Storage: 0 sessions would be added, 1 removed"
    ]


def test_applying_to_one_event_leaves_the_others_alone_and_a_second_run_changes_nothing():
    theme = ThemeFactory(name="Storage")
    _rule(theme, words="storage")
    first, second = EventFactory(), EventFactory()
    mine = SessionFactory(event=first, title="Storage")
    theirs = SessionFactory(event=second, title="Storage")
    apply_rules(event_ids=[first.pk])
    versions = (_version(first), _version(second))

    again = apply_rules(event_ids=[first.pk])

    assert _links(mine) == {"Storage": ("rule", "a rule")}
    assert _links(theirs) == {}
    assert again.is_empty
    assert (_version(first), _version(second)) == versions


def test_the_plan_writes_nothing():
    _rule(ThemeFactory(name="Storage"), words="storage")
    session = SessionFactory(title="Storage")

    plan = plan_rules()

    assert [theme.summary for theme in plan.changes] == [
        "Storage: 1 session would be added, 0 removed"
    ]
    assert _links(session) == {}


def _event_of(size: int) -> Event:
    event = EventFactory()
    companies = [CompanyFactory(name=f"Vendor {n}") for n in range(3)]
    themes = [ThemeFactory(name=f"Theme {n}") for n in range(3)]
    for n, theme in enumerate(themes):
        _rule(theme, words=f"topic{n}\nsubject {n}", companies=f"Vendor {n}", exclusions="sales")
    for n in range(size):
        session = SessionFactory(
            event=event,
            title=f"About topic{n % 3} and more",
            speakers=[SpeakerFactory(company=companies[(n + 1) % 3])],
        )
        if n % 4 == 0:  # some hand-set themes, some rule-set ones that no longer match
            SessionTheme.objects.create(session=session, theme=themes[0])
        if n % 5 == 0:
            SessionTheme.objects.create(
                session=session, theme=themes[1], source=SessionTheme.Source.RULE
            )
    return event


@pytest.mark.parametrize("size", [6, 60])
def test_applying_rules_takes_the_same_number_of_queries_whatever_the_event_size(
    size, django_assert_max_num_queries
):
    event = _event_of(size)

    # Rules, sessions, affiliations, themes set, theme names; delete, insert,
    # update; the version bump (themes are in no search document); the batch's
    # savepoint and its release.
    with django_assert_max_num_queries(11):
        applied = apply_rules(event_ids=[event.pk])

    assert applied.to_add and applied.to_remove
    assert plan_rules(event_ids=[event.pk]).is_empty
