import pytest
from django.contrib.auth.models import Group

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
