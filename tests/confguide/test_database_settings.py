"""Database settings that depend on what sits between the site and PostgreSQL."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

pytestmark = pytest.mark.unit


def _settings_in_a_fresh_process(**variables: str) -> str:
    # Settings are read once per process: ask a new one.
    environment = {
        **os.environ,
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres",
        "DJANGO_SETTINGS_MODULE": "confguide.settings",
    }
    environment.pop("DATABASE_DISABLE_SERVER_SIDE_CURSORS", None)
    environment.update(variables)
    script = (
        "import django\ndjango.setup()\nfrom django.conf import settings\n"
        "print(settings.DATABASES['default']['DISABLE_SERVER_SIDE_CURSORS'])"
    )
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def test_server_side_cursors_stay_on_by_default():
    assert _settings_in_a_fresh_process() == "False"


def test_server_side_cursors_turn_off_for_a_transaction_pooler():
    printed = _settings_in_a_fresh_process(DATABASE_DISABLE_SERVER_SIDE_CURSORS="true")

    assert printed == "True"
