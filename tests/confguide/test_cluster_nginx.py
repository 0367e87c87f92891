"""The local cluster's nginx is production's docker/nginx.conf, pointed at loopback."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from confguide.cluster import nginx

pytestmark = pytest.mark.unit

PORTS = [18081, 18082, 18083]


def _render(production: str, tmp_path: Path) -> str:
    return nginx.site(
        production,
        listen_port=18080,
        upstream_ports=PORTS,
        static_root=tmp_path / "static",
        media_root=tmp_path / "media",
    )


def test_the_cluster_keeps_every_line_of_production_but_the_ones_that_name_places(tmp_path):
    production = nginx.SITE_CONF.read_text()

    rendered = _render(production, tmp_path)

    replaced = ("server web:", "listen 80;", "alias /app/", "include /etc/nginx/")
    kept = [line for line in production.splitlines() if not line.strip().startswith(replaced)]
    assert [line for line in kept if line not in rendered.splitlines()] == []
    servers = [line.strip() for line in rendered.splitlines() if "server 127.0.0.1:" in line]
    assert servers == [f"server 127.0.0.1:{port};" for port in PORTS]
    assert "web:8000" not in rendered
    assert "    listen 127.0.0.1:18080;" in rendered.splitlines()
    assert f"alias {tmp_path / 'static'}/;" in rendered
    assert f"include {nginx.PROXY_CONF};" in rendered


def test_a_production_config_the_cluster_cannot_place_is_refused(tmp_path):
    production = nginx.SITE_CONF.read_text().replace("listen 80;", "listen 8000;")

    with pytest.raises(nginx.ConfigShapeError, match="listen 80;"):
        _render(production, tmp_path)


def test_nginx_accepts_the_cluster_configuration(tmp_path):
    binary = shutil.which("nginx") or (
        "/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None
    )
    if binary is None:
        if os.environ.get("CI") == "true":
            pytest.fail("nginx is required under CI: apt-get install nginx")
        pytest.skip("nginx is not installed (make cluster-check installs it).")
    (tmp_path / "logs").mkdir()

    config = nginx.write(run_dir=tmp_path, listen_port=18080, upstream_ports=PORTS)
    checked = subprocess.run(
        [binary, "-t", "-c", str(config), "-p", str(config.parent)],
        capture_output=True,
        text=True,
    )

    assert checked.returncode == 0, checked.stderr
