import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache

from confguide.permissions import EDITORS_GROUP
from tests.factories import UserFactory


@pytest.fixture
def editor(db):
    """A staff user in the Editors group, as `make_editor` makes them."""
    user = UserFactory(username="editor", is_staff=True)
    user.groups.add(Group.objects.get(name=EDITORS_GROUP))
    return user


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture(autouse=True)
def _empty_cache():
    """Rate-limit counters and cached fragments must not leak from one test to the next."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def mail_outage(settings):
    """The mail server is unreachable for the duration of the test."""
    settings.MAILERS = {"default": {"BACKEND": "tests.mail_backends.UnreachableEmailBackend"}}
