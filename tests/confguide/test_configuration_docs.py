"""Every environment variable the settings (and gunicorn's config) read is documented
where newcomers look."""

import re

import pytest
from django.conf import settings

pytestmark = pytest.mark.unit

BASE = settings.BASE_DIR
# env.str("NAME", ...), env.bool(\n    "NAME", ...), env.db("NAME") and so on.
ENV_READ = re.compile(r"\benv(?:\.\w+)?\(\s*\"([A-Z][A-Z0-9_]*)\"")


# gunicorn reads its own config file, with the same `env.int("NAME", ...)` calls.
CONFIG_FILES = ("settings.py", "gunicorn.conf.py")


def _read_by_settings() -> set[str]:
    return {
        name
        for config in CONFIG_FILES
        for name in ENV_READ.findall((BASE / "confguide" / config).read_text())
    }


def test_settings_reads_variables_the_pattern_can_see():
    # Guards the test itself: a rewrite of settings must not make it vacuous.
    assert {"DEBUG", "SECRET_KEY", "DATABASE_URL", "STATICFILES_BACKEND"} <= _read_by_settings()
    assert {"WEB_CONCURRENCY", "GUNICORN_THREADS"} <= _read_by_settings()


def test_env_example_lists_every_variable_settings_read():
    example = (BASE / ".env.example").read_text()
    listed = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", example, flags=re.MULTILINE))

    assert _read_by_settings() - listed == set()


def test_readme_configuration_table_lists_every_variable_settings_read():
    readme = (BASE / "README.md").read_text()
    documented = set(re.findall(r"^\| `([A-Z][A-Z0-9_]*)` \|", readme, flags=re.MULTILINE))

    assert _read_by_settings() - documented == set()
