from io import StringIO

import pytest
from django.core.management import call_command

from sessions.demo import kubecon as kubecon_eu_2026
from sessions.demo import rules as demo_rules
from sessions.models import Event, Session, SessionSpeaker, SessionTheme, Speaker, Theme

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


@pytest.mark.django_db
def test_the_real_event_arrives_with_every_demo_theme_populated_by_rules(
    shared_data, monkeypatch, client
):
    monkeypatch.setattr(kubecon_eu_2026, "shared_data_dir", lambda: shared_data)

    _load()

    event = Event.objects.get(slug=kubecon_eu_2026.KUBECON_EU_2026_SLUG)
    counts = {
        theme.name: SessionTheme.objects.filter(
            session__event=event, theme=theme, source=SessionTheme.Source.RULE
        ).count()
        for theme in Theme.objects.filter(slug__in=demo_rules.THEMES)
    }
    assert set(counts) == {
        "Storage & CSI",
        "Multi-tenancy",
        "Security",
        "Observability",
        "Networking & Service Mesh",
    }
    assert all(count >= 20 for count in counts.values()), counts
    # Nothing but rules themed it: every link names the rule that set it.
    assert not SessionTheme.objects.filter(session__event=event, rule=None).exists()
    # A session page now has other sessions in the same themes.
    session = Session.objects.get(event=event, title__contains="Dissecting a Custom CSI Plugin")
    assert "Storage & CSI" in [theme.name for theme in session.themes.all()]
    page = client.get(session.get_absolute_url())
    assert "No other sessions share its themes yet." not in page.text
    assert len(page.context["related"]) > 0
    # A second run keeps every theme as it was: the rules and the sessions are the same.
    before = list(SessionTheme.objects.order_by("pk").values_list("pk", "rule_id", "set_at"))
    _load()
    assert list(SessionTheme.objects.order_by("pk").values_list("pk", "rule_id", "set_at")) == (
        before
    )
