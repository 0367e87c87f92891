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


def test_liveness_check_answers_without_touching_the_database(client):
    # No `db` fixture: pytest-django fails any query, so this passes only if none runs,
    # as Kubernetes' liveness probe must not restart replicas for a database outage.
    response = client.get("/health/live/")

    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.parametrize(
    "url", ["/contact/", "/time-zone/", "/accounts/login/", "/my-schedule/sessions/1/add/"]
)
def test_a_body_larger_than_the_endpoint_takes_is_refused_before_it_is_read(client, db, url):
    # The body says 200 MB; nothing reads it to find out.
    response = client.generic(
        "POST", url, b"x", content_type="text/plain", CONTENT_LENGTH=str(200 * 1024 * 1024)
    )

    assert response.status_code == 413
    assert "That was too large to accept" in response.text
    assert "(1.0\xa0MB)" in response.text


def test_the_admin_takes_a_schedule_sized_upload(editor_client):
    response = editor_client.generic(
        "POST", "/admin/", b"x", content_type="text/plain", CONTENT_LENGTH=str(5 * 1024 * 1024)
    )
    assert response.status_code != 413
    too_big = editor_client.generic(
        "POST", "/admin/", b"x", content_type="text/plain", CONTENT_LENGTH=str(12 * 1024 * 1024)
    )
    assert too_big.status_code == 413
