"""Theme rules on import and re-import: the last step of sessions.importers.apply."""

from __future__ import annotations

import pytest

from sessions.importers import parse_schedule
from sessions.importers.apply import apply_schedule
from sessions.models import Event, Session, SessionTheme, ThemeRule
from tests.factories import EditorFactory, ThemeFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def _sched(*entries: tuple[str, str, str, str]) -> bytes:
    """A Sched export of (uid, summary with speakers, track, description) entries."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Sched.com Rules Conf 2031//EN"]
    for hour, (uid, summary, track, description) in enumerate(entries, start=9):
        lines += [
            "BEGIN:VEVENT",
            f"DTSTART:20310506T{hour:02}0000Z",
            f"DTEND:20310506T{hour:02}3000Z",
            f"SUMMARY:{summary}",
            f"CATEGORIES:{track}",
            f"DESCRIPTION:{description}",
            "LOCATION:Hall 1\\, Berlin\\, Germany",
            f"UID:{uid}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(lines).encode()


def _import(data: bytes, *, dry_run: bool = False):
    return apply_schedule(
        parsed=parse_schedule(data, fmt="sched-ics"),
        event_slug="rules-2031",
        time_zone="Europe/Berlin",
        dry_run=dry_run,
    )


def _themes(uid: str) -> dict[str, str]:
    """Theme name -> how it was set, of the imported session with this source id."""
    return {
        link.theme.name: link.source
        for link in SessionTheme.objects.filter(session__source_id=uid).select_related("theme")
    }


FIRST = _sched(
    ("csi", "Writing a CSI Driver - Ada Lovelace\\, Acme", "STORAGE", "Volumes."),
    ("mesh", "Meshes Compared - Grace Hopper\\, Bucketly", "CONNECTIVITY", "Sidecars."),
    ("lunch", "Community Lunch", "EXPERIENCES", "Food."),
)


@pytest.fixture
def rules():
    storage, mesh = ThemeFactory(name="Storage & CSI"), ThemeFactory(name="Service Mesh")
    ThemeRule.objects.create(theme=storage, name="CSI", words="CSI\nvolumes")
    ThemeRule.objects.create(theme=storage, name="vendors", companies="Bucketly")
    ThemeRule.objects.create(
        theme=mesh, name="mesh", words="service mesh\nmeshes", exclusions="lunch"
    )
    return storage, mesh


def test_an_import_arrives_themed_by_the_rules(rules):
    _import(FIRST)

    assert _themes("csi") == {"Storage & CSI": "rule"}
    # Words in the title, a company among the speakers.
    assert _themes("mesh") == {"Service Mesh": "rule", "Storage & CSI": "rule"}
    assert _themes("lunch") == {}
    assert Event.objects.get(slug="rules-2031").content_version > 1


def test_a_dry_run_themes_nothing(rules):
    _import(FIRST, dry_run=True)

    assert not SessionTheme.objects.exists()


def test_a_reimport_removes_what_no_longer_matches_and_keeps_what_editors_set(rules):
    storage, mesh = rules
    _import(FIRST)
    csi = Session.objects.get(source_id="csi")
    # An editor sets Service Mesh on the CSI talk by hand, and pins its storage theme.
    SessionTheme.objects.create(session=csi, theme=mesh, set_by=EditorFactory())
    SessionTheme.objects.filter(session=csi, theme=storage).update(source="hand")
    version = Event.objects.get(slug="rules-2031").content_version

    _import(
        _sched(
            ("csi", "Writing a Driver - Ada Lovelace\\, Acme", "OPERATIONS", "Plugins."),
            ("mesh", "Meshes Compared - Grace Hopper\\, Elsewhere", "CONNECTIVITY", "Sidecars."),
            ("lunch", "Community Lunch: Service Mesh Users", "EXPERIENCES", "Food."),
        )
    )

    # Nothing matches the CSI talk any more; both its themes were set by hand.
    assert _themes("csi") == {"Storage & CSI": "hand", "Service Mesh": "hand"}
    # Its speaker's company changed: the storage vendors' rule no longer matches.
    assert _themes("mesh") == {"Service Mesh": "rule"}
    # "Lunch" is an exclusion of the mesh rule.
    assert _themes("lunch") == {}
    assert Event.objects.get(slug="rules-2031").content_version > version


def test_a_reimport_that_changes_nothing_leaves_themes_and_version_alone(rules):
    _import(FIRST)
    before = list(SessionTheme.objects.order_by("pk").values_list("pk", "source", "rule_id"))
    version = Event.objects.get(slug="rules-2031").content_version

    report = _import(FIRST)

    assert report.unchanged == 3
    assert list(SessionTheme.objects.order_by("pk").values_list("pk", "source", "rule_id")) == (
        before
    )
    assert Event.objects.get(slug="rules-2031").content_version == version
