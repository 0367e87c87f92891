"""Development that just works: `make serve` builds links on its own port, and the
README's `manage.py` commands run as written, with the .env `make install` writes.

Each test works in a scratch copy of the checkout (its own .env and db.sqlite3),
with the shared virtualenv linked in, so nothing here touches the real checkout.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parent.parent
VENV = Path(sys.executable).parent.parent
# What the suite's own environment (pytest-env) or a developer's shell may set and
# the commands must do without: the point is that nothing is put in front of them.
UNSET = ("DEBUG", "SECRET_KEY", "SITE_URL", "DATABASE_URL", "PYTHONPATH", "DJANGO_SETTINGS_MODULE")
# Prints a feed link the way the site builds one, from the settings the servers get.
PRINT_A_LINK = (
    'web: python manage.py shell -c "from confguide.links import absolute_url; '
    "print('LINK', absolute_url('/my-schedule/feed.ics'))\"\n"
)


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """A copy of the working tree (tracked and new files, nothing ignored)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    copy = tmp_path / "confguide"
    for name in filter(None, (entry.decode() for entry in listed)):
        source = ROOT / name
        if source.is_file() and not source.is_symlink():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, copy / name)
    (copy / ".venv").symlink_to(VENV)
    if (ROOT / "node_modules").exists():
        (copy / "node_modules").symlink_to((ROOT / "node_modules").resolve())
    return copy


def _environment(**extra: str) -> dict[str, str]:
    environment = {key: value for key, value in os.environ.items() if key not in UNSET}
    return environment | extra


def _run(checkout: Path, *command: str, **extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        command,
        cwd=checkout,
        env=_environment(**extra),
        capture_output=True,
        text=True,
        timeout=180,
    )


def _serve(checkout: Path, *arguments: str, **extra: str) -> str:
    procfile = checkout / "Procfile.test"
    procfile.write_text(PRINT_A_LINK)
    result = _run(
        checkout,
        "make",
        "--no-print-directory",
        "serve",
        f"PROCFILE={procfile.name}",
        *arguments,
        **extra,
    )
    links = [line.split("LINK ", 1)[1] for line in result.stdout.splitlines() if "LINK " in line]
    assert links, result.stdout + result.stderr
    return links[0].strip()


def test_make_serve_on_another_port_builds_feed_links_on_that_port(checkout):
    assert _serve(checkout, "PORT=8080") == "http://127.0.0.1:8080/my-schedule/feed.ics"
    assert _serve(checkout) == "http://127.0.0.1:8000/my-schedule/feed.ics"


def test_make_serve_keeps_a_site_url_given_in_the_environment(checkout):
    link = _serve(checkout, "PORT=8080", SITE_URL="https://guide.example.test")

    assert link == "https://guide.example.test/my-schedule/feed.ics"


def test_make_serve_keeps_a_site_url_pinned_in_the_env_file(checkout):
    (checkout / ".env").write_text("DEBUG=true\nSITE_URL=https://tunnel.example.test\n")

    assert _serve(checkout, "PORT=8080") == "https://tunnel.example.test/my-schedule/feed.ics"


def test_readme_commands_run_as_written_after_make_install_writes_the_env_file(checkout):
    written = _run(checkout, "make", "--no-print-directory", ".env")
    assert written.returncode == 0, written.stderr
    env_file = (checkout / ".env").read_text()
    assert "DEBUG=true" in env_file.splitlines()
    assert oct((checkout / ".env").stat().st_mode & 0o777) == "0o600"
    python = ".venv/bin/python"

    steps = [
        (python, "manage.py", "migrate", "--no-input", "-v", "0"),
        (python, "manage.py", "load_demo"),
        (python, "manage.py", "generate_event", "--sessions", "40", "--speakers", "30"),
        (python, "manage.py", "createsuperuser", "--no-input", "--username", "ada"),
        (python, "manage.py", "make_editor", "ada"),
        (python, "manage.py", "make_editor", "ada", "--remove"),
    ]
    for step in steps:
        result = _run(
            checkout,
            *step,
            DJANGO_SUPERUSER_PASSWORD="a long passphrase nobody guesses",
            DJANGO_SUPERUSER_EMAIL="ada@example.test",
        )
        assert result.returncode == 0, f"{' '.join(step)}:\n{result.stdout}{result.stderr}"
        assert "SECRET_KEY is not set" not in result.stderr

    # Written once: a second `make` keeps the file (and its key) as it is.
    assert _run(checkout, "make", "--no-print-directory", ".env").returncode == 0
    assert (checkout / ".env").read_text() == env_file


def test_without_the_env_file_a_production_start_still_refuses_a_missing_secret_key(checkout):
    result = _run(checkout, ".venv/bin/python", "manage.py", "check")

    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_the_development_env_file_never_reaches_git_or_an_image():
    ignored = subprocess.run(["git", "check-ignore", "--quiet", ".env"], cwd=ROOT, check=False)
    docker_ignored = (ROOT / ".dockerignore").read_text().splitlines()

    assert ignored.returncode == 0
    assert ".env" in docker_ignored
