"""docker-compose.yml hangs together: each service waits for what it uses, gets the
variables production needs, runs the project's nginx configuration in front of a
web service that can run as several replicas, and shares the static files and
uploads between web and nginx. (No Docker engine runs here: this reads the file.)
"""

import re
import runpy
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from django.conf import settings

from tests.deploy import nginx_conf, variables

pytestmark = pytest.mark.unit

ROOT = Path(settings.BASE_DIR)
APP_SERVICES = ("migrate", "web", "worker")
# The project's folder inside the image (the Dockerfile's WORKDIR), and so where the
# image's settings put the static files by default.
APP_DIR = re.findall(r"^WORKDIR (\S+)", (ROOT / "Dockerfile").read_text(), flags=re.M)[-1]
STATIC_ROOT_IN_IMAGE = f"{APP_DIR}/{Path(settings.STATIC_ROOT).relative_to(ROOT)}"


@pytest.fixture(scope="module")
def services() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]


@pytest.fixture(scope="module")
def nginx() -> nginx_conf.Block:
    return nginx_conf.parse_file(ROOT / "docker" / "nginx.conf")


def _environment(service: dict) -> dict[str, str]:
    return {name: str(value) for name, value in service.get("environment", {}).items()}


def _mounts(service: dict) -> dict[str, str]:
    """Where each volume or file is mounted: target -> source."""
    mounts = {}
    for volume in service.get("volumes", []):
        source, target = volume.split(":")[:2]
        mounts[target] = source
    return mounts


def _location(nginx: nginx_conf.Block, path: str) -> nginx_conf.Block:
    (found,) = [
        block for block in nginx.walk() if block.name == "location" and block.args == [path]
    ]
    return found


def _depends_on(service: dict) -> dict[str, str]:
    return {name: rule["condition"] for name, rule in service.get("depends_on", {}).items()}


@pytest.mark.parametrize("name", ["web", "worker"])
def test_web_and_worker_get_every_variable_production_needs(services, name):
    provided = _environment(services[name]).keys()

    assert variables.required_in_production() - provided == set()


def test_every_app_service_reaches_the_database_and_redis_it_waits_for(services):
    database = _environment(services["db"])
    for name in APP_SERVICES:
        environment = _environment(services[name])
        url = urlsplit(environment["DATABASE_URL"])
        needs = {url.hostname: "service_healthy"}
        if "REDIS_URL" in environment:
            needs[urlsplit(environment["REDIS_URL"]).hostname] = "service_healthy"

        assert needs.items() <= _depends_on(services[name]).items(), name
        assert (url.username, url.path) == (database["POSTGRES_USER"], "/confguide")
        assert url.password == database["POSTGRES_PASSWORD"]
        assert "SECRET_KEY" in environment, name


def test_only_the_one_off_service_migrates_and_the_others_wait_for_it(services):
    migrate = services["migrate"]

    assert "manage.py migrate" in " ".join(migrate["command"])
    assert migrate["restart"] == "no"
    for name in ("web", "worker"):
        # A command of their own: without one, docker/entrypoint.sh would migrate too.
        assert "migrate" not in " ".join(services[name]["command"]), name
        assert _depends_on(services[name])["migrate"] == "service_completed_successfully"


def test_web_can_run_as_several_replicas(services):
    web = services["web"]

    # A published host port or a fixed container name allows one replica only.
    assert "ports" not in web
    assert "container_name" not in web
    assert "ports" not in services["worker"]


def test_nginx_runs_the_projects_configuration_in_front_of_every_web_replica(services, nginx):
    proxy = services["proxy"]
    mounts = _mounts(proxy)
    (includes,) = {args[0] for block in nginx.walk() for args in block.values("include")}
    (upstream,) = [block for block in nginx.walk() if block.name == "upstream"]
    (server,) = upstream.values("server")
    host, port = server[0].split(":")

    assert mounts["/etc/nginx/conf.d/default.conf"] == "./docker/nginx.conf"
    assert mounts[includes] == "./docker/nginx_proxy.conf"
    # The web service by name, at the port gunicorn binds, looked up again and again
    # through Docker's DNS so that every replica gets requests.
    assert host == "web"
    assert int(port) == int(_gunicorn_bind_port())
    assert "8000" in [str(each) for each in services["web"]["expose"]]
    assert "resolve" in server[1:]
    assert nginx.values("resolver")[0][0] == "127.0.0.11"
    assert upstream.value("zone")
    assert _depends_on(proxy) == {"web": "service_healthy"}
    assert "ports" in proxy


@pytest.mark.parametrize("location", ["/static/", "/media/"])
def test_nginx_serves_the_volumes_web_shares(services, nginx, location):
    web, proxy = services["web"], services["proxy"]
    in_web = {
        "/static/": _environment(web).get("STATIC_ROOT", STATIC_ROOT_IN_IMAGE),
        "/media/": _environment(web)["MEDIA_ROOT"],
    }[location]
    in_proxy = _location(nginx, location).value("alias").rstrip("/")
    volume = _mounts(web)[in_web]

    assert _mounts(proxy)[in_proxy] == volume
    assert not volume.startswith(".")  # a named volume, shared, not a folder of the host
    assert f"{volume}:{in_proxy}:ro" in proxy["volumes"]


def test_migrate_collects_the_static_files_into_the_volume_nginx_serves(services, nginx):
    migrate = services["migrate"]
    in_proxy = _location(nginx, "/static/").value("alias").rstrip("/")

    assert "collectstatic" in " ".join(migrate["command"])
    assert _mounts(migrate)[STATIC_ROOT_IN_IMAGE] == _mounts(services["proxy"])[in_proxy]


def test_web_and_worker_may_finish_their_work_when_stopped(services):
    graceful = runpy.run_path(str(ROOT / "confguide" / "gunicorn.conf.py"))["graceful_timeout"]

    assert _seconds(services["web"]["stop_grace_period"]) > graceful
    assert _seconds(services["worker"]["stop_grace_period"]) > 120  # an import's budget


def _seconds(value: str) -> int:
    return nginx_conf.seconds(value)


def _gunicorn_bind_port() -> str:
    return runpy.run_path(str(ROOT / "confguide" / "gunicorn.conf.py"))["bind"].rsplit(":", 1)[1]
