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
    "SECURE_HSTS_SECONDS": "31536000",
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
