"""`manage.py check --deploy` with the documented production variables."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

pytestmark = pytest.mark.unit

PRODUCTION = {
    "SECRET_KEY": "a-long-random-production-secret-key-0123456789-abcdefghijklmnop",
    "DEBUG": "false",
    "ALLOWED_HOSTS": "guide.example.org",
    "SITE_URL": "https://guide.example.org",
    "SECURE_SSL_REDIRECT": "true",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "true",
    "SECURE_HSTS_PRELOAD": "true",
    "SECURE_COOKIES": "true",
    "BEHIND_TLS_PROXY": "true",
    "EMAIL_BACKEND": "smtp",
    "WEB_CONCURRENCY": "2",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
}


def _check(**overrides: str) -> subprocess.CompletedProcess:
    environment = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    for key in ("DATABASE_URL", "REDIS_URL", "EMAIL_BACKEND", "WEB_CONCURRENCY"):
        environment.pop(key, None)
    environment |= PRODUCTION | overrides
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env={key: value for key, value in environment.items() if value != ""},
        capture_output=True,
        text=True,
    )


def test_check_deploy_passes_with_the_documented_production_variables():
    result = _check()
    assert result.returncode == 0, result.stderr + result.stdout


def test_several_workers_without_a_shared_cache_are_flagged():
    result = _check(REDIS_URL="")
    assert result.returncode != 0
    assert "confguide.W001" in result.stderr + result.stdout


@pytest.mark.parametrize(
    "overrides",
    [
        {"SECRET_KEY": "changeme"},
        {"SECRET_KEY": "x" * 60},
        {"SECRET_KEY": "django-insecure-" + "k3y-with-plenty-of-different-characters-0123456789"},
        {"SECRET_KEY_FALLBACKS": "old-and-short"},
    ],
    ids=["short", "one character", "django-insecure", "weak fallback"],
)
def test_production_refuses_to_start_with_a_weak_secret_key(overrides):
    result = _check(**overrides)

    assert result.returncode != 0
    assert "too weak for production" in result.stderr


def test_a_weak_key_is_fine_for_development():
    result = _check(SECRET_KEY="changeme", DEBUG="true")

    assert "too weak" not in result.stderr + result.stdout


def test_hsts_is_on_for_a_year_by_default_in_production():
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    environment |= PRODUCTION
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "--no-imports",
            "-c",
            "from django.conf import settings; print(settings.SECURE_HSTS_SECONDS)",
        ],
        cwd=settings.BASE_DIR,
        env={key: value for key, value in environment.items() if value != ""},
        capture_output=True,
        text=True,
    )

    assert result.stdout.strip() == "31536000", result.stderr
