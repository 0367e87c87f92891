import pytest
from django.urls import clear_script_prefix, reverse, set_script_prefix

from confguide.links import link

pytestmark = pytest.mark.unit

CASES = [
    ("conference:session_detail", {"event_slug": "kubecon-eu-2026", "slug": "keynote-1"}),
    ("conference:speaker_detail", {"slug": "ada-lovelace"}),
    ("conference:theme_detail", {"slug": "storage-csi"}),
    ("myschedule:add", {"session_id": 12}),
    ("myschedule:remove", {"session_id": 7_000_000_000_001}),
]


@pytest.mark.parametrize(("name", "values"), CASES)
def test_link_is_what_reverse_gives(name, values):
    assert link(name, **values) == reverse(name, kwargs=values)


def test_link_follows_the_script_prefix_of_a_sub_path_deployment():
    set_script_prefix("/guide/")
    try:
        assert link("conference:speaker_detail", slug="ada") == "/guide/speakers/ada/"
    finally:
        clear_script_prefix()
    assert link("conference:speaker_detail", slug="ada") == "/speakers/ada/"


def test_a_value_that_looks_like_a_stand_in_does_not_confuse_it():
    values = {"event_slug": "zqjx1xjqz", "slug": "zqjx0xjqz"}
    assert link("conference:session_detail", **values) == reverse(
        "conference:session_detail", kwargs=values
    )
