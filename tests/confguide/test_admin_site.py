"""Every page of the admin renders, for whoever may see it, whatever apps register."""

from io import StringIO

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.integration

REGISTERED = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)


def _urls(model, model_admin, user):
    """The changelist, the add page if the admin offers one, and a change page."""
    opts = model._meta
    name = f"admin:{opts.app_label}_{opts.model_name}"
    request = RequestFactory().get("/admin/")
    request.user = user
    urls = {"changelist": reverse(f"{name}_changelist")}
    if model_admin.has_add_permission(request):
        urls["add"] = reverse(f"{name}_add")
    row = model_admin.get_queryset(request).first()
    if row is not None:
        urls["change"] = reverse(f"{name}_change", args=[row.pk])
    return urls


@pytest.fixture(scope="module")
def demo(module_db, django_db_blocker):
    """The demo content, KubeCon EU 2026 included, loaded once: these tests only read it."""
    with django_db_blocker.unblock():
        call_command("load_demo", stdout=StringIO())


@pytest.mark.parametrize(
    ("model", "model_admin"), REGISTERED, ids=[model._meta.label for model, _ in REGISTERED]
)
def test_every_admin_page_renders_for_a_superuser(client, db, demo, model, model_admin):
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(root)

    for page, url in _urls(model, model_admin, root).items():
        response = client.get(url)
        assert response.status_code == 200, f"{page} {url} answered {response.status_code}"


@pytest.mark.parametrize(
    ("model", "model_admin"), REGISTERED, ids=[model._meta.label for model, _ in REGISTERED]
)
def test_editors_see_exactly_the_admin_pages_their_group_allows(
    editor_client, editor, demo, model, model_admin
):
    opts = model._meta
    may_view = editor.has_perm(f"{opts.app_label}.view_{opts.model_name}") or editor.has_perm(
        f"{opts.app_label}.change_{opts.model_name}"
    )

    response = editor_client.get(_urls(model, model_admin, editor)["changelist"])

    assert response.status_code == (200 if may_view else 403)
