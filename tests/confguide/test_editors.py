"""The Editors group and the make_editor command."""

from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.urls import reverse

from confguide.permissions import ACTIONS, EDITORS_GROUP
from tests.factories import UserFactory

pytestmark = pytest.mark.integration

CONFERENCE_MODELS = [
    "event",
    "theme",
    "themerule",
    "company",
    "speaker",
    "room",
    "session",
    "sessionspeaker",
    "sessiontheme",
]
# What editors read but only the task worker writes.
CONFERENCE_READ_ONLY = ["feedsync"]
# Apps whose models are accounts, permissions or plumbing: editors get none of them.
NEVER_FOR_EDITORS = {"auth", "contenttypes", "sessions", "admin"}


def _editor_permissions() -> set[tuple[str, str]]:
    group = Group.objects.get(name=EDITORS_GROUP)
    return set(group.permissions.values_list("content_type__app_label", "codename"))


def test_editors_group_can_do_everything_to_the_conference_programme(db):
    granted = _editor_permissions()

    conference = {codename for app, codename in granted if app == "conference"}
    assert conference == {
        f"{action}_{model}" for model in CONFERENCE_MODELS for action in ACTIONS
    } | {f"view_{model}" for model in CONFERENCE_READ_ONLY}


def test_editors_group_has_no_permission_on_users_groups_or_plumbing(db):
    granted = _editor_permissions()

    assert not [(app, codename) for app, codename in granted if app in NEVER_FOR_EDITORS]
    assert not [codename for app, codename in granted if codename.endswith("_user")]


def _make_editor(*args: str) -> str:
    out = StringIO()
    call_command("make_editor", *args, stdout=out)
    return out.getvalue()


def test_make_editor_gives_admin_access_to_the_programme(client, db):
    user = UserFactory(username="louise")

    output = _make_editor("louise")

    user.refresh_from_db()
    assert "louise is now an editor." in output
    assert user.is_staff and not user.is_superuser
    assert user.groups.filter(name=EDITORS_GROUP).exists()
    client.force_login(user)
    assert client.get(reverse("admin:conference_session_changelist")).status_code == 200
    assert client.get(reverse("admin:confguide_user_changelist")).status_code == 403


def test_make_editor_twice_changes_nothing_more(db):
    user = UserFactory(username="louise")

    _make_editor("louise")
    _make_editor("louise")

    assert user.groups.count() == 1


def test_make_editor_remove_takes_access_away(client, db):
    user = UserFactory(username="louise")
    _make_editor("louise")

    output = _make_editor("louise", "--remove")

    user.refresh_from_db()
    assert "louise is no longer an editor." in output
    assert not user.is_staff
    assert not user.groups.exists()
    client.force_login(user)
    assert client.get(reverse("admin:conference_session_changelist")).status_code == 302


def test_make_editor_remove_leaves_a_superuser_staff(db):
    admin = UserFactory(username="root", is_superuser=True, is_staff=True)
    _make_editor("root")

    _make_editor("root", "--remove")

    admin.refresh_from_db()
    assert admin.is_staff
    assert not admin.groups.exists()


def test_make_editor_names_the_fix_for_an_unknown_user(db):
    with pytest.raises(CommandError, match=r"No user called 'nobody'\. Create one first"):
        _make_editor("nobody")
