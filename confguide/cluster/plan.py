"""What a local cluster is: its run directory, ports, services and the replicas' settings.

A started cluster is saved as `cluster.json` in its run directory (readable by
its owner only: it holds the generated SECRET_KEY), so that `stop`, `restart`
and `manage` from another terminal, or a test, act on the same cluster.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent.parent
DEFAULT_RUN_DIR = ROOT / ".cluster"
DEFAULT_PORT = 8080
SHARED_POSTGRES = ("127.0.0.1", 5432)
SHARED_REDIS = ("127.0.0.1", 6379)
DEFAULT_DATABASE_NAME = "confguide_cluster"
# The shared Redis's database the cluster keeps its cache in (and empties when it starts);
# the suite's own Redis tests use database 0 under key prefixes of their own.
DEFAULT_REDIS_DB = 3
REPLICAS = ("web-1", "web-2", "web-3")
# Stopped in this order (the reverse of starting): nothing reaches a stopped replica.
STOP_ORDER = ("nginx", *reversed(REPLICAS), "worker", "smtp", "redis", "postgres")


class ClusterError(RuntimeError):
    """Something the person starting the cluster must fix; said without a traceback."""


def listening(address: tuple[str, int]) -> bool:
    try:
        socket.create_connection(address, timeout=2).close()
    except OSError:
        return False
    return True


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        # As the servers bind: connections of a cluster just stopped (TIME_WAIT) do not count.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@dataclass
class Plan:
    run_dir: Path
    port: int  # nginx, the cluster's one URL
    web_ports: list[int]
    smtp_port: int
    database_url: str
    redis_url: str
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(50))
    # Set when the cluster runs a PostgreSQL (and its folder) or a Redis of its own.
    own_postgres_dir: str | None = None
    own_redis_port: int | None = None
    # NAME=VALUE settings for the replicas and the worker beyond the cluster's own.
    extra_env: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def state_file(self) -> Path:
        return self.run_dir / "cluster.json"

    @property
    def static_root(self) -> Path:
        return self.run_dir / "static"

    @property
    def mail_dir(self) -> Path:
        return self.run_dir / "mail"

    def replica_port(self, name: str) -> int:
        return self.web_ports[REPLICAS.index(name)]

    def replica_of(self, address: str) -> str | None:
        """The replica at an upstream address such as "127.0.0.1:8082"."""
        port = int(address.rsplit(":", 1)[1]) if ":" in address else None
        return REPLICAS[self.web_ports.index(port)] if port in self.web_ports else None

    def environment(self) -> dict[str, str]:
        """The settings every replica, the worker and `manage` run with: production's.

        A clean environment, so nothing from the caller's (a test run's locmem mail, a
        shell's DEBUG) leaks in; .env, if there is one, still fills in what is unset here.
        """
        kept = ("PATH", "HOME", "LANG", "LC_ALL", "TZ")
        return {
            **{name: os.environ[name] for name in kept if os.environ.get(name)},
            "DEBUG": "false",
            "SECRET_KEY": self.secret_key,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SITE_URL": self.url,
            "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis_url,
            "STATIC_ROOT": str(self.static_root),
            "STATICFILES_BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage",
            "MEDIA_ROOT": str(self.run_dir / "media"),
            # nginx is the one proxy in front; plain http on loopback, so no TLS
            # proxy to trust and cookies that travel without https.
            "TRUSTED_PROXY_COUNT": "1",
            "BEHIND_TLS_PROXY": "false",
            "SECURE_SSL_REDIRECT": "false",
            "SECURE_COOKIES": "false",
            # Three replicas on two cores: one process each, threads as in production.
            "WEB_CONCURRENCY": "1",
            "GUNICORN_THREADS": "4",
            "EMAIL_BACKEND": "smtp",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(self.smtp_port),
            "EMAIL_USE_TLS": "false",
            "EDITORS_EMAIL": "editors@localhost",
            "PYTHONUNBUFFERED": "1",
            **self.extra_env,
        }

    def save(self) -> None:
        self.run_dir.mkdir(parents=True, exist_ok=True)
        partial = self.state_file.with_suffix(".partial")
        partial.touch(mode=0o600)
        partial.write_text(json.dumps({**asdict(self), "run_dir": str(self.run_dir)}, indent=2))
        partial.replace(self.state_file)

    @classmethod
    def load(cls, run_dir: Path) -> Plan | None:
        try:
            saved = json.loads((run_dir / "cluster.json").read_text())
        except FileNotFoundError:
            return None
        return cls(**{**saved, "run_dir": Path(saved["run_dir"])})


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def choose_ports(port: int) -> tuple[int, list[int]]:
    """nginx's port and the replicas' (the next three); all free ones for port 0."""
    if port == 0:
        return free_port(), [free_port() for _ in REPLICAS]
    ports = [port, *(port + offset for offset in range(1, len(REPLICAS) + 1))]
    taken = [str(number) for number in ports if not port_is_free(number)]
    if taken:
        raise ClusterError(
            f"Port {', '.join(taken)} is in use on 127.0.0.1: the cluster needs {port} and "
            f"the next {len(REPLICAS)}. Choose others with CLUSTER_PORT (or --port; 0 for any)."
        )
    return ports[0], ports[1:]
