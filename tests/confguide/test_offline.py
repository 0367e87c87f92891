"""Installable and offline: the manifest, the service worker, and clearing offline copies."""

import json
import re

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.test import Client

from tests.factories import UserFactory

pytestmark = pytest.mark.integration

PASSWORD = "correct horse battery staple"  # UserFactory's
CLEARED = '"cache", "storage"'


def test_the_manifest_makes_my_schedule_installable(client, db):
    response = client.get("/manifest.webmanifest")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["start_url"] == "/my-schedule/"
    assert manifest["scope"] == "/"
    assert manifest["display"] == "standalone"
    assert manifest["name"] and manifest["short_name"] == "confguide"
    assert manifest["theme_color"] and manifest["background_color"]
    icons = {(icon["sizes"], icon["type"], icon["purpose"]) for icon in manifest["icons"]}
    assert {
        ("192x192", "image/png", "any"),
        ("512x512", "image/png", "any"),
        ("512x512", "image/png", "maskable"),
        ("any", "image/svg+xml", "any"),
    } <= icons
    for icon in manifest["icons"]:  # each one is a file the site serves
        assert finders.find(icon["src"].removeprefix(settings.STATIC_URL))


def test_every_page_links_the_manifest_the_touch_icon_and_the_worker_script(client, db):
    html = client.get("/").text

    assert '<link rel="manifest" href="/manifest.webmanifest">' in html
    touch_icon = static("img/icons/apple-touch-icon.png")
    assert f'<link rel="apple-touch-icon" href="{touch_icon}">' in html
    assert '<meta name="theme-color"' in html
    script = re.search(r"<script [^>]*js/offline[^>]*>", html).group(0)
    assert 'data-worker="/sw.js"' in script and " defer" in script


def test_the_worker_is_javascript_at_the_root_never_kept_stale_and_under_the_csp(client, db):
    response = client.get("/sw.js")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert response["Cache-Control"] == "no-cache"
    policy = response["Content-Security-Policy"]
    assert "worker-src 'self'" in policy and "manifest-src 'self'" in policy
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
    assert client.post("/sw.js").status_code == 405
    assert client.get("/sw.js", headers={"If-None-Match": response["ETag"]}).status_code == 304


def test_the_worker_names_the_hashed_static_files_every_page_needs(client, db, settings, tmp_path):
    # Production's storage, with hashed names, over the files collected here.
    from django.core.management import call_command

    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    worker = client.get("/sw.js").text

    precache = json.loads(re.search(r"const PRECACHE = (\[.*?\]);", worker).group(1))
    for name in ("css/site.css", "js/time-zone.js", "js/offline.js", "img/icons/icon-192.png"):
        assert static(name) in precache
    assert any(re.search(r"/site\.[0-9a-f]{12}\.css$", url) for url in precache)
    assert "/themes.css" in precache
    assert "__CACHE_VERSION__" not in worker


def test_the_worker_never_keeps_posts_the_admin_accounts_feeds_or_searches(client, db):
    worker = client.get("/sw.js").text

    assert 'request.method !== "GET"' in worker
    for pattern in (r"/^\/admin\//", r"/^\/accounts\//", r"/\.ics$/", 'searchParams.has("q")'):
        assert pattern in worker


def test_sign_out_clears_the_offline_copies(client, db):
    user = UserFactory()
    client.force_login(user)
    assert "Clear-Site-Data" not in client.get("/my-schedule/").headers

    response = client.post("/accounts/logout/")

    assert response.status_code == 302
    assert response["Clear-Site-Data"] == CLEARED
    assert "Clear-Site-Data" not in client.get("/").headers  # only when it changes


def test_signing_in_clears_what_the_last_person_on_this_device_kept(client, db):
    user = UserFactory(email="grace@example.com")

    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})

    assert response.status_code == 302
    assert response["Clear-Site-Data"] == CLEARED


def test_a_failed_sign_in_clears_nothing(client, db):
    user = UserFactory(email="grace@example.com")

    response = client.post("/accounts/login/", {"login": user.email, "password": "wrong"})

    assert response.status_code == 200
    assert "Clear-Site-Data" not in response.headers


def test_deleting_the_account_clears_the_offline_copies(db):
    user = UserFactory()
    client = Client()
    client.force_login(user)

    response = client.post("/privacy/delete-account/", {"password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/privacy/delete-account/done/"
    assert response["Clear-Site-Data"] == CLEARED


def test_my_schedule_marks_its_events_their_days_and_sessions_for_the_offline_copy(client, db):
    from tests.factories import SavedSessionFactory

    user = UserFactory()
    saved = SavedSessionFactory(user=user)
    event = saved.session.event
    client.force_login(user)

    index = client.get("/my-schedule/").text
    assert f'<a data-offline href="/my-schedule/events/{event.slug}/">' in index
    page = client.get(f"/my-schedule/events/{event.slug}/").text
    for day in event.days:
        assert f'data-offline href="/events/{event.slug}/schedule/?day={day:%Y-%m-%d}"' in page
    # The schedule as the events list links it, and each saved session's own page.
    assert f'data-offline href="/events/{event.slug}/schedule/">' in page
    assert f'data-offline href="{saved.session.get_absolute_url()}"' in index


def test_the_worker_names_each_file_once_as_the_cache_api_requires(client, db):
    worker = client.get("/sw.js").text

    precache = json.loads(re.search(r"const PRECACHE = (\[.*?\]);", worker).group(1))
    assert len(precache) == len(set(precache))


def test_a_page_kept_in_the_background_leaves_the_readers_message_for_their_next_page(client, db):
    # The worker may still be keeping my schedule's days when the reader signs
    # out: its copies must not use up "You have signed out", meant for the page
    # the reader sees next.
    user = UserFactory()
    client.force_login(user)
    client.post("/accounts/logout/")

    kept = client.get("/my-schedule/", headers={"X-Offline-Copy": "1"})
    seen = client.get("/")

    assert "You have signed out" not in kept.text
    assert "You have signed out" in seen.text


def test_the_worker_marks_the_pages_it_keeps_in_the_background(client, db):
    worker = client.get("/sw.js").text

    assert '"X-Offline-Copy": "1"' in worker
