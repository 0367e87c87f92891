import pytest

pytestmark = pytest.mark.integration


def test_home_page_lists_published_events_only(client, db):
    from tests.factories import EventFactory

    EventFactory(name="Published Conf", start_date="2099-01-01", end_date="2099-01-02")
    EventFactory(
        name="Draft Conf", start_date="2099-01-01", end_date="2099-01-02", is_published=False
    )

    response = client.get("/")

    assert response.status_code == 200
    assert "Published Conf" in response.text
    assert "Draft Conf" not in response.text


def test_health_check_reports_database_ok(client, db):
    response = client.get("/health/")

    assert response.json() == {"status": "ok", "database": "ok"}
