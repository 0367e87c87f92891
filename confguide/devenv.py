"""The development .env that `make install` writes once, so `manage.py` works as the README shows.

Settings read a `.env` beside manage.py when there is one (the real environment
wins). This writes one with DEBUG on and a random SECRET_KEY, and only where
none exists: a hand-written .env is never touched. The file is git-ignored and
docker-ignored, so an image or a production environment never sees it and
still refuses to start without a SECRET_KEY of its own.

SITE_URL is left out on purpose: `make run` derives it from PORT (see
`site_url`), and a value here would pin feeds and share links to one port.
Runs without Django, before anything reads settings:

    python -m confguide.devenv write .env       # once; keeps an existing file
    python -m confguide.devenv site-url 8080    # the SITE_URL `make run` uses
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

TEMPLATE = """\
# Written once by `make install` for development on this machine; git- and docker-ignored.
# Edit freely: make never overwrites it. The real environment wins over every line here.
# Production sets its own variables (see .env.example) and never reads this file.
DEBUG=true
SECRET_KEY={secret_key}
# `make run` sets SITE_URL from PORT (http://127.0.0.1:$PORT); set it here or in the
# environment to pin another address, such as a tunnel's.
# SITE_URL=http://127.0.0.1:8000
"""


def development_env() -> str:
    return TEMPLATE.format(secret_key=secrets.token_urlsafe(50))


def write_once(path: Path) -> bool:
    """Write the development .env at `path` unless a file is there; True if written."""
    try:
        with path.open("x", encoding="utf-8") as file:
            file.write(development_env())
    except FileExistsError:
        return False
    path.chmod(0o600)  # it holds a secret key
    return True


def _value_in(path: Path, name: str) -> str:
    """A variable's value in a .env file ("" if absent), read as settings read it."""
    if not path.is_file():
        return ""
    value = ""
    for line in path.read_text(encoding="utf-8").splitlines():
        key, equals, rest = line.strip().removeprefix("export ").partition("=")
        if equals and key.strip() == name:
            value = rest.strip().strip("'\"")
    return value


def site_url(port: str, *, env_file: Path) -> str:
    """SITE_URL for a development server on `port`: the environment's or the .env's
    if either sets one, otherwise this machine's loopback on that port."""
    given = os.environ.get("SITE_URL") or _value_in(env_file, "SITE_URL")
    return given or f"http://127.0.0.1:{int(port)}"


def main(argv: list[str]) -> int:
    match argv[1:]:
        case ["write", path]:
            written = write_once(Path(path))
            print(
                f"Wrote {path}: DEBUG=true and a new random SECRET_KEY, for development only."
                if written
                else f"Kept the existing {path}."
            )
        case ["site-url", port]:
            print(site_url(port, env_file=Path(".env")))
        case _:
            print("usage: python -m confguide.devenv write PATH | site-url PORT", file=sys.stderr)
            return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
