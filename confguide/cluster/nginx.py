"""nginx for the local cluster: production's docker/nginx.conf, pointed at loopback.

The site's server block is docker/nginx.conf itself, so the cluster proves the
configuration production runs (buffering, body limits, timeouts, static files,
retries). Only what names the place changes, each line found exactly where
docker-compose has it: the upstream's servers (three local ports instead of
`web:8000`), the listen address, the static and media folders and the path of
docker/nginx_proxy.conf. A change to docker/nginx.conf that moves one of those
fails loudly here rather than giving a cluster that differs from production.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
SITE_CONF = ROOT / "docker" / "nginx.conf"
PROXY_CONF = ROOT / "docker" / "nginx_proxy.conf"

# What docker-compose's nginx container has, and the cluster replaces.
_UPSTREAM = re.compile(r"^(upstream confguide \{\n)(?P<servers>(?:\s*server [^;]+;\n)+)", re.M)
_LISTEN = "    listen 80;\n"
_STATIC = "alias /app/staticfiles/;"
_MEDIA = "alias /app/media/;"
_PROXY_INCLUDE = "include /etc/nginx/confguide_proxy.conf;"

# Which replica answered, for the cluster check (after a retry: every one tried, in order).
UPSTREAM_HEADER = "X-Upstream"


class ConfigShapeError(ValueError):
    """docker/nginx.conf no longer has a line the cluster must replace."""


def _replace(text: str, old: str, new: str, *, at_least: int = 1, at_most: int = 1) -> str:
    found = text.count(old)
    if not at_least <= found <= at_most:
        raise ConfigShapeError(
            f"{SITE_CONF.name}: expected {old.strip()!r} {at_least}-{at_most} times, "
            f"found it {found} times; update confguide/cluster/nginx.py to match."
        )
    return text.replace(old, new)


def site(
    production: str,
    *,
    listen_port: int,
    upstream_ports: list[int],
    static_root: Path,
    media_root: Path,
    proxy_conf: Path = PROXY_CONF,
) -> str:
    """docker/nginx.conf's text as the cluster runs it."""
    upstream = _UPSTREAM.search(production)
    if upstream is None or len(_UPSTREAM.findall(production)) != 1:
        raise ConfigShapeError(
            f"{SITE_CONF.name}: expected one `upstream confguide {{ server ...; }}` block."
        )
    indent = re.match(r"\s*", upstream["servers"]).group()
    # Round robin, no stickiness: nginx's default, as in production.
    servers = "".join(f"{indent}server 127.0.0.1:{port};\n" for port in upstream_ports)
    text = production[: upstream.start("servers")] + servers + production[upstream.end() :]
    text = _replace(
        text,
        _LISTEN,
        f"    listen 127.0.0.1:{listen_port};\n"
        "    # The cluster's own: which replica answered (the cluster check reads it).\n"
        f"    add_header {UPSTREAM_HEADER} $upstream_addr always;\n",
    )
    text = _replace(text, _STATIC, f"alias {static_root}/;")
    text = _replace(text, _MEDIA, f"alias {media_root}/;", at_least=0)
    return _replace(text, _PROXY_INCLUDE, f"include {proxy_conf};", at_most=10)


def main(*, run_dir: Path, site_conf: Path) -> str:
    """The main configuration: what the nginx image's own nginx.conf sets, in the run
    directory, around the site's server block. nginx stays in the foreground, so it
    is stopped like every other process of the cluster."""
    nginx_dir = run_dir / "nginx"
    logs = run_dir / "logs"
    # As root, the workers would switch to `nobody`, who may not read the run directory.
    user = "user root root;\n" if os.geteuid() == 0 else ""
    temp = "\n".join(
        f"    {kind}_temp_path {nginx_dir / 'temp' / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""# Written by `make cluster` (confguide/cluster/nginx.py); rewritten on every start.
{user}daemon off;
worker_processes 1;
pid {nginx_dir / "nginx.pid"};
error_log {logs / "nginx-error.log"} notice;

events {{
    worker_connections 1024;
}}

http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    log_format cluster '$remote_addr [$time_local] "$request" $status $body_bytes_sent '
                       'upstream=$upstream_addr/$upstream_status $request_time s';
    access_log {logs / "nginx-access.log"} cluster;
    sendfile on;
{temp}

    include {site_conf};
}}
"""


def write(*, run_dir: Path, listen_port: int, upstream_ports: list[int]) -> Path:
    """Write the cluster's nginx configuration; returns the main file's path."""
    nginx_dir = run_dir / "nginx"
    for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (nginx_dir / "temp" / kind).mkdir(parents=True, exist_ok=True)
    site_conf = nginx_dir / "site.conf"
    site_conf.write_text(
        site(
            SITE_CONF.read_text(),
            listen_port=listen_port,
            upstream_ports=upstream_ports,
            static_root=run_dir / "static",
            media_root=run_dir / "media",
        )
    )
    main_conf = nginx_dir / "nginx.conf"
    main_conf.write_text(main(run_dir=run_dir, site_conf=site_conf))
    return main_conf
