from io import StringIO

import pytest
from django.core.management import call_command

from sessions.demo import kubecon as kubecon_eu_2026
from sessions.models import Event, Session, SessionSpeaker, Speaker

pytestmark = pytest.mark.integration


def _load() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_load_demo_imports_kubecon_eu_2026_when_the_shared_data_is_there(shared_data, monkeypatch):
    monkeypatch.setattr(kubecon_eu_2026, "shared_data_dir", lambda: shared_data)

    output = _load()

    event = Event.objects.get(slug=kubecon_eu_2026.KUBECON_EU_2026_SLUG)
    assert event.name == "KubeCon + CloudNativeCon Europe 2026"
    assert event.is_published
    assert event.time_zone == "Europe/Amsterdam"
    assert event.sessions.count() == 564
    assert "KubeCon + CloudNativeCon Europe 2026: Imported" in output


@pytest.mark.django_db
def test_load_demo_with_the_real_event_twice_changes_nothing(shared_data, monkeypatch):
    monkeypatch.setattr(kubecon_eu_2026, "shared_data_dir", lambda: shared_data)
    _load()
    before = (
        sorted(Session.objects.values_list("pk", "updated_at", "sequence")),
        sorted(Speaker.objects.values_list("pk", "updated_at", "company_id", "job_title")),
        SessionSpeaker.objects.count(),
    )

    output = _load()

    after = (
        sorted(Session.objects.values_list("pk", "updated_at", "sequence")),
        sorted(Speaker.objects.values_list("pk", "updated_at", "company_id", "job_title")),
        SessionSpeaker.objects.count(),
    )
    assert after == before
    assert "564 unchanged" in output


@pytest.mark.django_db
def test_load_demo_without_shared_data_says_how_to_import(monkeypatch, tmp_path):
    monkeypatch.setattr(kubecon_eu_2026, "shared_data_dir", lambda: tmp_path)

    output = _load()

    assert "python manage.py import_schedule FILE_OR_URL --event SLUG" in output
    assert not Event.objects.filter(slug=kubecon_eu_2026.KUBECON_EU_2026_SLUG).exists()
