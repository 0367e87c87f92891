"""Settings for `make bench`: the production settings, on the benchmark's own database.

Whatever the shell or .env says, the benchmark runs the site as production does
(DEBUG off, WhiteNoise's manifest storage, gzip) but on plain http over loopback,
against a database it drops and recreates on every run. The gunicorn servers it
starts inherit this environment, so they run with exactly these settings.
"""

import os
import secrets
import tempfile
from pathlib import Path

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/confguide_bench"

# One key per run, which the servers the run starts inherit with the environment.
os.environ.setdefault("BENCH_SECRET_KEY", secrets.token_urlsafe(50))
os.environ.update(
    DATABASE_URL=os.environ.get("BENCH_DATABASE_URL") or DEFAULT_DATABASE_URL,
    SECRET_KEY=os.environ["BENCH_SECRET_KEY"],
    DEBUG="false",
    ALLOWED_HOSTS="127.0.0.1,localhost",
    # Plain http on loopback: cookies must travel without TLS, nothing redirects to https.
    SECURE_COOKIES="false",
    SECURE_SSL_REDIRECT="false",
    BEHIND_TLS_PROXY="false",
    STATICFILES_BACKEND="whitenoise.storage.CompressedManifestStaticFilesStorage",
)

from confguide.settings import *  # noqa: E402, F403
from confguide.settings import CACHES  # noqa: E402

# collectstatic writes here, not into the project's staticfiles/ that docker and
# `make clean` own; the command removes it when it finishes.
STATIC_ROOT = Path(
    os.environ.get("BENCH_STATIC_ROOT") or Path(tempfile.gettempdir()) / "confguide-bench-static"
)

# The benchmark clears the cache before timing a cold render. With REDIS_URL the
# cache may be shared with other uses of that Redis, so it clears only keys
# under its own prefix, never the whole database.
CACHE_KEY_PREFIX = "confguide-bench"
for _cache in CACHES.values():
    _cache["KEY_PREFIX"] = CACHE_KEY_PREFIX
