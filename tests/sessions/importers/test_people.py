"""People as schedules write them: names, affiliations, pronouns, who is the same person.

The patterns come from the real files in shared/data and from the Congress,
FOSDEM and KubeCon schedules an outside review quoted.
"""

import unicodedata

import pytest

from sessions.importers.frab import person as frab_person
from sessions.importers.people import is_company, is_pronouns, person, person_key
from sessions.importers.sched_ics import parse_people

pytestmark = pytest.mark.unit


def triple(found):
    return (found.name, found.job_title, found.company)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # pretalx's convention: the affiliation in square brackets, which may nest.
        (
            "Jesse Butler [Amazon Elastic Kubernetes Service (EKS)]",
            ("Jesse Butler", "", "Amazon Elastic Kubernetes Service (EKS)"),
        ),
        ("Vec Sun [Xiaohongshu(RedNote)]", ("Vec Sun", "", "Xiaohongshu(RedNote)")),
        ("A Person [Lab [Berlin]]", ("A Person", "", "Lab [Berlin]")),
        # Parentheses are never a company: pronouns, nicknames and real names are the name.
        ("melzai (she/her)", ("melzai (she/her)", "", "")),
        ("Tobias Platen (they/them)", ("Tobias Platen (they/them)", "", "")),
        ("PhD (Philipp)", ("PhD (Philipp)", "", "")),
        ("Zhang Zhen (Jason)", ("Zhang Zhen (Jason)", "", "")),
        ("Ada Lovelace (Red Hat)", ("Ada Lovelace (Red Hat)", "", "")),
        # Pronouns in brackets (an older export of this guide wrote them so) are pronouns.
        ("liv [she/her]", ("liv (she/her)", "", "")),
        ("Sam [any/all]", ("Sam (any/all)", "", "")),
        # A role or status in the company's place is the job title; a placeholder nothing.
        ("Jane Roe [Contributor]", ("Jane Roe", "Contributor", "")),
        ("Jane Roe [Independent]", ("Jane Roe", "Independent", "")),
        ("Jane Roe [Self-employed]", ("Jane Roe", "Self-employed", "")),
        ("Jane Roe [N/A]", ("Jane Roe", "", "")),
        ("Jane Roe [None]", ("Jane Roe", "", "")),
    ],
)
def test_person_reads_square_brackets_only_as_affiliation(text, expected):
    assert triple(person(text)) == expected


def test_only_a_balanced_trailing_pair_of_brackets_is_an_affiliation():
    assert triple(person("  Ada \t Lovelace   [Red Hat, Inc.] ")) == (
        "Ada Lovelace",
        "",
        "Red Hat, Inc.",
    )
    assert triple(person("Vaclav (Oisin) Haken [Uniphar]")) == (
        "Vaclav (Oisin) Haken",
        "",
        "Uniphar",
    )
    assert [person(text).name for text in ("[Acme]", "Broken [Acme", "Broken Acme]")] == [
        "[Acme]",
        "Broken [Acme",
        "Broken Acme]",
    ]
    # Before, "[Lab (EU)]" and "(Jason)" ended at the first closing bracket.
    assert triple(person("Kim Lee (Kim) [Lab (EU)]")) == ("Kim Lee (Kim)", "", "Lab (EU)")


def test_frab_person_is_the_people_parser():
    assert triple(frab_person("Zhang Zhen (Jason)")) == ("Zhang Zhen (Jason)", "", "")
    assert triple(frab_person("Vec Sun [Xiaohongshu(RedNote)]")) == (
        "Vec Sun",
        "",
        "Xiaohongshu(RedNote)",
    )


def test_a_name_of_thousands_of_brackets_is_read_quickly():
    text = "x " + "[" * 5000 + "]" * 5000

    assert person(text).name == "x"
    assert person(text).company == "[" * 4999 + "]" * 4999


@pytest.mark.parametrize(
    "text",
    [
        "she/her",
        "They/Them",
        "he/him",
        "he/they",
        "any/all",
        "any pronouns",
        "xe/xem",
        "er/ihm",
        "sie/ihr",
        "she/her/hers",
    ],
)
def test_pronouns_are_recognised_and_are_never_a_company(text):
    assert is_pronouns(text)
    assert not is_company(text)


@pytest.mark.parametrize("text", ["Philipp", "Jason", "EKS", "RedNote", "Red Hat", "AI/ML", "all"])
def test_other_parentheses_are_not_pronouns(text):
    assert not is_pronouns(text)


@pytest.mark.parametrize(
    "text",
    [
        "Contributor",
        "Maintainer",
        "Independent",
        "Student",
        "Retired",
        "Self",
        "Self-employed",
        "Freelance",
        "Freelancer",
        "N/A",
        "n.a.",
        "None",
        "Unaffiliated",
        "independent contributor",
        "Reviewer",
        "Indpendent",  # KubeCon EU 2026 spells it so once
    ],
)
def test_roles_statuses_and_placeholders_are_not_companies(text):
    assert not is_company(text)


@pytest.mark.parametrize("text", ["Red Hat", "Google", "Independent Software AG", "Studio", "SUSE"])
def test_companies_are_companies(text):
    assert is_company(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Jonasz Łasut-Balcerzak, Contributor",
            [("Jonasz Łasut-Balcerzak", "Contributor", "")],
        ),
        ("Yusuke Sakurai, Reviewer", [("Yusuke Sakurai", "Reviewer", "")]),
        (
            "Kensei Nakada, Independent & Maciej Skoczeń, Google",
            [("Kensei Nakada", "Independent", ""), ("Maciej Skoczeń", "", "Google")],
        ),
        (
            "Arnaud Meukam, Indpendent; Janet Kuo & Justin Santa Barbara, Google; "
            "Ciprian Hacman, Microsoft",
            [
                ("Arnaud Meukam", "Indpendent", ""),
                ("Janet Kuo", "", "Google"),
                ("Justin Santa Barbara", "", "Google"),
                ("Ciprian Hacman", "", "Microsoft"),
            ],
        ),
        ("Sam Doe, she/her", [("Sam Doe (she/her)", "", "")]),
    ],
)
def test_sched_people_never_make_a_role_or_pronouns_a_company(text, expected):
    assert [triple(p) for p in parse_people(text)] == expected


def test_a_group_ending_in_a_status_does_not_make_it_a_known_company():
    # "Independent" ends a group in one title; in another it must not become a company.
    text = "Ian Coldwater, Independent; Tabitha Sable & Rory McCune, Datadog"

    assert [triple(p) for p in parse_people(text, known_companies={"Datadog"})] == [
        ("Ian Coldwater", "Independent", ""),
        ("Tabitha Sable", "", "Datadog"),
        ("Rory McCune", "", "Datadog"),
    ]


def test_identity_keeps_case_and_accents():
    assert person_key("Eli") != person_key("eli")
    assert person_key("José") != person_key("Jose")


def test_identity_merges_the_same_name_written_differently():
    composed = "Márk Sági-Kazár"
    decomposed = unicodedata.normalize("NFD", composed)

    assert decomposed != composed
    assert person_key(decomposed) == person_key(composed) == composed
    assert person_key("  Ada \u00a0 Lovelace ") == "Ada Lovelace"


def test_identity_sets_pronouns_and_handles_aside_but_not_nicknames():
    assert person_key("melzai (she/her)") == person_key("melzai") == "melzai"
    assert person_key("Tobias Platen (they/them)") == "Tobias Platen"
    assert person_key("liv (@liv@chaos.social)") == "liv"
    assert person_key("Zhang Zhen (Jason)") == "Zhang Zhen (Jason)"
    assert person_key("PhD (Philipp)") == "PhD (Philipp)"
