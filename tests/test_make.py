"""`make test-postgres` runs, skips or fails for the right reasons."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parent.parent
ONE_DATABASE_TEST = (
    "tests/confguide/test_accounts.py::test_sign_in_with_a_wrong_password_says_so -q"
)


def _make_test_postgres(url: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "CI": "", "DATABASE_URL": ""}
    return subprocess.run(
        [
            "make",
            "--no-print-directory",
            # Never `install` from a test: with a pyproject.toml or package.json newer than
            # the stamps it would pip-install this checkout into the (possibly shared)
            # virtualenv and run `npm ci` on node_modules. The suite runs in it already.
            "--old-file=install",
            "test-postgres",
            f"TEST_DATABASE_URL={url}",
            f"PYTEST_ARGS={ONE_DATABASE_TEST}",
            f"VENV={Path(sys.executable).parent.parent}",
        ],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_no_server_listening_skips_the_postgres_run():
    result = _make_test_postgres(f"postgres://postgres@127.0.0.1:{_free_port()}/postgres")

    assert result.returncode == 0
    assert "Skipping the PostgreSQL run: no server listens" in result.stdout


def test_a_server_that_refuses_the_test_database_fails_the_run_instead_of_skipping():
    shared = os.environ.get("TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    host_port = shared.split("@", 1)[1].split("/", 1)[0]
    try:
        socket.create_connection(tuple(host_port.rsplit(":", 1)), timeout=3).close()
    except OSError:
        pytest.skip("No PostgreSQL server here to refuse anything.")

    result = _make_test_postgres(f"postgres://no_such_role@{host_port}/no_such_database")

    assert result.returncode != 0
    assert "Skipping" not in result.stdout
