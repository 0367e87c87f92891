"""The Kubernetes manifests (deploy/kubernetes) render, match the API's schemas, and
hang together: every name, label, port, path and variable one resource expects of
another is there, and they keep the promises the README makes (probes, graceful
shutdown, who may reach the database, secrets out of the repository).

Each overlay is rendered once with `kubectl kustomize`, from a copy of the tree
with a throwaway secrets.env made from the overlay's secrets.env.example.
"""

import os
import re
import runpy
import secrets
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import kubernetes_validate
import pytest
import yaml
from django.conf import settings
from django.test import override_settings
from django.urls import resolve

from confguide import views
from tests.deploy import nginx_conf, variables

pytestmark = pytest.mark.unit

ROOT = Path(settings.BASE_DIR)
KUBERNETES = ROOT / "deploy" / "kubernetes"
OVERLAYS = sorted(
    path.name
    for path in (KUBERNETES / "overlays").iterdir()
    if (path / "kustomization.yaml").is_file()
)
# The oldest Kubernetes the manifests support (README, "Deploying") and the newest
# kubernetes-validate knows.
KUBERNETES_VERSIONS = ("1.30", kubernetes_validate.utils.latest_version())
APP_IMAGE = "confguide"
# Django puts the script prefix before MEDIA_URL ("media/" reads "/media/").
MEDIA_PATH = settings.MEDIA_URL

# What CloudNativePG puts in a Cluster's <name>-app Secret.
CNPG_APP_SECRET_KEYS = {
    "username",
    "user",
    "password",
    "dbname",
    "host",
    "port",
    "uri",
    "pgpass",
    "jdbc-uri",
    "fqdn-uri",
    "fqdn-jdbc-uri",
}
# The PgBouncer parameters CloudNativePG's admission accepts that this project might
# use (the operator's AllowedPgbouncerGenericConfigurationParameters has more).
CNPG_POOLER_PARAMETERS = {
    "default_pool_size",
    "idle_transaction_timeout",
    "max_client_conn",
    "max_db_connections",
    "max_prepared_statements",
    "min_pool_size",
    "query_timeout",
    "query_wait_timeout",
    "reserve_pool_size",
    "server_idle_timeout",
    "server_lifetime",
}
# Names whose values are secrets: never written into a manifest or a config.env.
SECRET_NAMES = {"SECRET_KEY", "SECRET_KEY_FALLBACKS", "EMAIL_HOST_PASSWORD", "REDIS_PASSWORD"}
REFERENCE = re.compile(r"\$\(([A-Za-z_][A-Za-z0-9_]*)\)")


# --- Rendering ----------------------------------------------------------------


@dataclass
class Pod:
    """A pod template of the render, or the pods an operator makes for a resource."""

    owner: dict
    labels: dict
    spec: dict | None  # None for the operator's pods, whose spec is not rendered
    ports: set

    @property
    def name(self) -> str:
        return self.owner["metadata"]["name"]

    def containers(self, *, init: bool = False) -> list[dict]:
        spec = self.spec or {}
        return spec.get("containers", []) + (spec.get("initContainers", []) if init else [])


class Render:
    """An overlay as applied: the overlay itself and its secrets/ kustomization."""

    def __init__(self, overlay: str, app: list[dict], secrets: list[dict]):
        self.overlay, self.app, self.secrets = overlay, app, secrets
        self.documents = app + secrets

    def of_kind(self, kind: str) -> list[dict]:
        return [doc for doc in self.documents if doc["kind"] == kind]

    def named(self, kind: str, name: str) -> dict:
        found = [doc for doc in self.of_kind(kind) if doc["metadata"]["name"] == name]
        assert len(found) == 1, f"{self.overlay}: {len(found)} {kind} named {name}"
        return found[0]

    def has(self, kind: str, name: str) -> bool:
        return any(doc["metadata"]["name"] == name for doc in self.of_kind(kind))

    def pods(self) -> list[Pod]:
        pods = []
        for kind in ("Deployment", "StatefulSet", "Job"):
            for doc in self.of_kind(kind):
                template = doc["spec"]["template"]
                ports = {
                    port_id
                    for container in template["spec"]["containers"]
                    for port in container.get("ports", [])
                    for port_id in (port["containerPort"], port.get("name"))
                    if port_id is not None
                }
                pods.append(Pod(doc, template["metadata"]["labels"], template["spec"], ports))
        # Labels and ports CloudNativePG gives the pods it makes.
        for cluster in self.of_kind("Cluster"):
            labels = {"cnpg.io/cluster": cluster["metadata"]["name"], "cnpg.io/podRole": "instance"}
            pods.append(Pod(cluster, labels, None, {5432, "postgresql", 8000, "status"}))
        for pooler in self.of_kind("Pooler"):
            labels = {"cnpg.io/poolerName": pooler["metadata"]["name"]}
            pods.append(Pod(pooler, labels, None, {5432, "pgbouncer"}))
        return pods

    def pod(self, name: str) -> Pod:
        (found,) = [pod for pod in self.pods() if pod.name == name]
        return found

    def selected(self, selector: dict) -> list[Pod]:
        assert set(selector) <= {"matchLabels"}, "only matchLabels selectors are checked"
        wanted = selector.get("matchLabels", {})
        return [pod for pod in self.pods() if wanted.items() <= pod.labels.items()]

    def services(self) -> set[str]:
        """Services of the render and those the operator makes for its resources."""
        names = {doc["metadata"]["name"] for doc in self.of_kind("Service")}
        for cluster in self.of_kind("Cluster"):
            names |= {f"{cluster['metadata']['name']}-{kind}" for kind in ("rw", "ro", "r")}
        names |= {pooler["metadata"]["name"] for pooler in self.of_kind("Pooler")}
        return names

    def app_pods(self) -> list[Pod]:
        return [
            pod
            for pod in self.pods()
            if any(_is_app(container) for container in pod.containers(init=True))
        ]

    def environment(self, container: dict) -> dict[str, str | None]:
        """What the container's environment holds: literal values, None for secrets."""
        names: dict[str, str | None] = {}
        for source in container.get("envFrom", []):
            if "configMapRef" in source:
                config_map = self.named("ConfigMap", source["configMapRef"]["name"])
                names.update(config_map.get("data", {}))
            if "secretRef" in source:
                secret = self.named("Secret", source["secretRef"]["name"])
                names.update(dict.fromkeys(secret.get("data", {})))
        for variable in container.get("env", []):
            if "value" in variable:
                value = REFERENCE.sub(
                    lambda match: names.get(match[1]) or f"<{match[1]}>", variable["value"]
                )
                names[variable["name"]] = value
            else:
                names[variable["name"]] = None
        return names


def _is_app(container: dict) -> bool:
    return container["image"].rsplit("/", 1)[-1].split(":")[0] == APP_IMAGE


def _kubectl() -> str:
    kubectl = shutil.which("kubectl")
    if kubectl:
        return kubectl
    if os.environ.get("CI") == "true":
        pytest.fail("kubectl (with its built-in kustomize) is required under CI")
    pytest.skip("kubectl is not installed: the Kubernetes overlays cannot be rendered here")


@pytest.fixture(scope="module", params=OVERLAYS)
def render(request, tmp_path_factory) -> Render:
    kubectl = _kubectl()
    tree = tmp_path_factory.mktemp(request.param) / "kubernetes"
    shutil.copytree(KUBERNETES, tree, ignore=shutil.ignore_patterns("secrets.env"))
    overlay = tree / "overlays" / request.param
    # The overlay renders without secrets; its secrets/ needs a secrets.env.
    example = overlay / "secrets" / "secrets.env.example"
    (overlay / "secrets" / "secrets.env").write_text(
        "".join(f"{name}=test-{secrets.token_hex(16)}\n" for name in _keys(example))
    )
    return Render(
        request.param, _kustomize(kubectl, overlay), _kustomize(kubectl, overlay / "secrets")
    )


def _kustomize(kubectl: str, folder: Path) -> list[dict]:
    printed = subprocess.run(
        [kubectl, "kustomize", str(folder)], capture_output=True, text=True, check=False
    )
    assert printed.returncode == 0, printed.stderr
    return [doc for doc in yaml.safe_load_all(printed.stdout) if doc]


def _keys(env_file: Path) -> list[str]:
    return re.findall(r"^([A-Z][A-Z0-9_]*)=", env_file.read_text(), flags=re.MULTILINE)


def _web(render: Render) -> Pod:
    return render.pod("confguide-web")


def _main_container(pod: Pod) -> dict:
    (container,) = pod.containers()
    return container


def _http_probes(container: dict) -> Iterator[tuple[str, dict]]:
    for kind in ("startupProbe", "livenessProbe", "readinessProbe"):
        if "httpGet" in container.get(kind, {}):
            yield kind, container[kind]["httpGet"]


def _gunicorn_config() -> dict:
    return runpy.run_path(str(ROOT / "confguide" / "gunicorn.conf.py"))


# --- Schemas --------------------------------------------------------------------


def test_every_built_in_resource_matches_the_kubernetes_schemas(render):
    errors, without_schema = [], set()
    for doc in render.documents:
        for version in KUBERNETES_VERSIONS:
            try:
                kubernetes_validate.validate(doc, version, strict=True)
            except kubernetes_validate.SchemaNotFoundError:
                without_schema.add(doc["apiVersion"])
            except kubernetes_validate.ValidationError as error:
                where = ".".join(str(part) for part in error.path)
                errors.append(f"{doc['kind']}/{doc['metadata']['name']} {where}: {error.message}")

    assert errors == []
    # Only the operator's custom resources have no schema here; they are checked below.
    assert without_schema == {"postgresql.cnpg.io/v1"}


def test_the_postgresql_cluster_and_pooler_have_what_cloudnativepg_requires(render):
    (cluster,) = render.of_kind("Cluster")
    (pooler,) = render.of_kind("Pooler")
    spec = cluster["spec"]

    assert spec["instances"] == 3
    assert re.fullmatch(r"\d+[GT]i", spec["storage"]["size"])
    assert {"database", "owner"} <= spec["bootstrap"]["initdb"].keys()
    assert all(isinstance(value, str) for value in spec["postgresql"]["parameters"].values())
    assert pooler["spec"]["cluster"]["name"] == cluster["metadata"]["name"]
    assert pooler["spec"]["type"] == "rw"
    assert pooler["spec"]["instances"] >= 2
    assert pooler["spec"]["pgbouncer"]["poolMode"] == "transaction"
    parameters = pooler["spec"]["pgbouncer"]["parameters"]
    assert parameters.keys() <= CNPG_POOLER_PARAMETERS
    assert all(isinstance(value, str) for value in parameters.values())
    # A Pooler may not share its Cluster's name (the operator refuses it).
    assert pooler["metadata"]["name"] != cluster["metadata"]["name"]


# --- Names, labels and ports ----------------------------------------------------


def test_every_service_selects_pods_and_targets_their_ports(render):
    for service in render.of_kind("Service"):
        pods = render.selected({"matchLabels": service["spec"]["selector"]})

        assert pods, service["metadata"]["name"]
        for port in service["spec"]["ports"]:
            for pod in pods:
                assert port["targetPort"] in pod.ports, (service["metadata"]["name"], pod.name)


def test_every_workload_selector_matches_its_own_pod_template(render):
    for kind in ("Deployment", "StatefulSet"):
        for workload in render.of_kind(kind):
            labels = workload["spec"]["template"]["metadata"]["labels"]

            assert workload["spec"]["selector"]["matchLabels"].items() <= labels.items()


def test_every_ingress_backend_is_a_service_port_that_exists(render):
    for ingress in render.of_kind("Ingress"):
        assert ingress["spec"]["ingressClassName"] == "nginx"
        for rule in ingress["spec"]["rules"]:
            for path in rule["http"]["paths"]:
                backend = path["backend"]["service"]
                service = render.named("Service", backend["name"])
                ports = {port.get("name") for port in service["spec"]["ports"]} | {
                    port["port"] for port in service["spec"]["ports"]
                }

                assert backend["port"].get("name", backend["port"].get("number")) in ports


def test_the_ingress_host_is_the_site_that_django_serves(render):
    environment = render.environment(_main_container(_web(render)))
    site = urlsplit(environment["SITE_URL"])

    assert site.scheme == "https"
    for ingress in render.of_kind("Ingress"):
        hosts = {rule.get("host") for rule in ingress["spec"]["rules"]}
        assert hosts == {site.hostname}
        assert [tls["hosts"] for tls in ingress["spec"]["tls"]] == [[site.hostname]]
    assert site.hostname in environment["ALLOWED_HOSTS"].split(",")
    assert f"https://{site.hostname}" in environment["CSRF_TRUSTED_ORIGINS"].split(",")


def test_the_ingress_buffers_and_limits_as_the_local_nginx_does():
    # Parsed once, without a render: the annotations sit in the base.
    files = sorted((ROOT / "docker").glob("nginx*.conf"))
    blocks = [block for path in files for block in nginx_conf.parse_file(path).walk()]
    body = {
        "default": {
            nginx_conf.size_in_bytes(block.value("client_max_body_size"))
            for block in blocks
            if block.name == "server" and block.value("client_max_body_size")
        },
        "admin": {
            nginx_conf.size_in_bytes(block.value("client_max_body_size"))
            for block in blocks
            if block.name == "location" and block.args == ["/admin/"]
        },
    }
    proxy = {
        name: {args[0] for block in blocks for args in block.values(name)}
        for name in (
            "proxy_connect_timeout",
            "proxy_read_timeout",
            "proxy_buffering",
            "proxy_request_buffering",
        )
    }
    assert all(len(values) == 1 for values in [*body.values(), *proxy.values()]), (body, proxy)
    ingresses = [
        doc for doc in yaml.safe_load_all((KUBERNETES / "base" / "ingress.yaml").read_text()) if doc
    ]

    for ingress in ingresses:
        annotations = {
            name.removeprefix("nginx.ingress.kubernetes.io/"): value
            for name, value in ingress["metadata"]["annotations"].items()
        }
        paths = {
            path["path"] for rule in ingress["spec"]["rules"] for path in rule["http"]["paths"]
        }
        expected = body["admin"] if paths == {"/admin/"} else body["default"]
        assert "/admin/" not in paths or paths == {"/admin/"}, "the admin needs its own Ingress"
        assert {nginx_conf.size_in_bytes(annotations["proxy-body-size"])} == expected
        for name in ("proxy_connect_timeout", "proxy_read_timeout"):
            (value,) = proxy[name]
            assert int(annotations[name.replace("_", "-")]) == nginx_conf.seconds(value)
        for name in ("proxy_buffering", "proxy_request_buffering"):
            assert {annotations[name.replace("_", "-")]} == proxy[name]


# --- Probes and shutdown --------------------------------------------------------


def test_the_app_probes_call_pages_that_exist_and_only_readiness_needs_the_database(render):
    for pod in render.app_pods():
        for container in pod.containers():
            for kind, probe in _http_probes(container):
                view = resolve(probe["path"]).func

                assert probe["port"] in pod.ports, (pod.name, kind)
                assert view is (views.health if kind == "readinessProbe" else views.live)
    web = _main_container(_web(render))
    assert {kind for kind, _ in _http_probes(web)} == {
        "startupProbe",
        "livenessProbe",
        "readinessProbe",
    }


@pytest.mark.integration
def test_the_kubelets_probes_get_200_from_the_site_configured_as_web_is(render, client, db):
    # The kubelet calls the pod's own address over plain http: the probe's headers
    # must get past ALLOWED_HOSTS and SECURE_SSL_REDIRECT as production sets them.
    web = _main_container(_web(render))
    environment = render.environment(web)
    production = {
        "ALLOWED_HOSTS": environment["ALLOWED_HOSTS"].split(","),
        "SECURE_SSL_REDIRECT": environment["SECURE_SSL_REDIRECT"] == "true",
        "SECURE_PROXY_SSL_HEADER": (
            ("HTTP_X_FORWARDED_PROTO", "https")
            if environment["BEHIND_TLS_PROXY"] == "true"
            else None
        ),
    }

    for kind, probe in _http_probes(web):
        headers = {header["name"]: header["value"] for header in probe.get("httpHeaders", [])}
        with override_settings(**production):
            response = client.get(probe["path"], headers=headers)

        assert response.status_code == 200, (kind, response.status_code)


def test_web_drains_before_gunicorn_stops_and_finishes_in_flight_requests(render):
    pod = _web(render)
    web = _main_container(pod)
    pause = web["lifecycle"]["preStop"]["exec"]["command"]

    assert pause[0] == "sleep"
    assert pod.spec["terminationGracePeriodSeconds"] > (
        int(pause[1]) + _gunicorn_config()["graceful_timeout"]
    )


# --- Security and resources -----------------------------------------------------


def test_every_pod_runs_as_a_user_on_a_read_only_file_system_with_limits(render):
    for pod in render.pods():
        if pod.spec is None:
            continue  # the operator's pods: CloudNativePG sets these itself
        context = pod.spec.get("securityContext", {})

        assert context.get("runAsNonRoot") is True, pod.name
        assert context.get("runAsUser", 0) > 0, pod.name
        assert pod.spec.get("automountServiceAccountToken") is False, pod.name
        for container in pod.containers(init=True):
            own = container["securityContext"]
            where = (pod.name, container["name"])
            assert own["readOnlyRootFilesystem"] is True, where
            assert own["allowPrivilegeEscalation"] is False, where
            assert own["capabilities"]["drop"] == ["ALL"], where
            assert {"cpu", "memory"} <= container["resources"]["requests"].keys(), where
            assert {"cpu", "memory"} <= container["resources"]["limits"].keys(), where


def test_web_writes_only_where_a_volume_is_mounted(render):
    pod = _web(render)
    web = _main_container(pod)
    mounts = {mount["mountPath"]: mount for mount in web["volumeMounts"]}
    # gunicorn's heartbeat files; without /dev/shm it uses the temporary directory.
    heartbeat = _gunicorn_config()["worker_tmp_dir"] or "/tmp"

    assert {"/tmp", heartbeat, render.environment(web)["MEDIA_ROOT"]} <= mounts.keys()
    assert not any(mount.get("readOnly") for mount in mounts.values())


# --- Scaling ----------------------------------------------------------------------


def test_the_autoscaler_and_disruption_budget_govern_the_web_deployment(render):
    (autoscaler,) = render.of_kind("HorizontalPodAutoscaler")
    (budget,) = render.of_kind("PodDisruptionBudget")
    target = autoscaler["spec"]["scaleTargetRef"]
    deployment = render.named(target["kind"], target["name"])

    assert deployment is _web(render).owner
    assert autoscaler["spec"]["minReplicas"] == deployment["spec"]["replicas"] >= 2
    assert autoscaler["spec"]["maxReplicas"] > autoscaler["spec"]["minReplicas"]
    assert [pod.name for pod in render.selected(budget["spec"]["selector"])] == ["confguide-web"]
    # A budget that allows no disruption would block every node drain.
    assert budget["spec"].get("maxUnavailable", 0) >= 1 or (
        budget["spec"]["minAvailable"] < autoscaler["spec"]["minReplicas"]
    )


def test_the_pooler_takes_every_web_connection_at_the_largest_scale(render):
    (autoscaler,) = render.of_kind("HorizontalPodAutoscaler")
    (pooler,) = render.of_kind("Pooler")
    environment = render.environment(_main_container(_web(render)))
    # CONN_MAX_AGE keeps one connection per gunicorn thread open.
    per_pod = int(environment["WEB_CONCURRENCY"]) * int(environment["GUNICORN_THREADS"])

    assert int(pooler["spec"]["pgbouncer"]["parameters"]["max_client_conn"]) > (
        autoscaler["spec"]["maxReplicas"] * per_pod
    )


# --- Network policies -------------------------------------------------------------


def _peers(render: Render, pod: Pod) -> tuple[set[str], set[str]]:
    """Workloads of the namespace, and other namespaces, that may connect to a pod."""
    workloads, namespaces = set(), set()
    for policy in render.of_kind("NetworkPolicy"):
        if pod not in render.selected(policy["spec"]["podSelector"]):
            continue
        for rule in policy["spec"].get("ingress", []):
            for peer in rule.get("from", []):
                if "namespaceSelector" in peer:
                    labels = peer["namespaceSelector"]["matchLabels"]
                    namespaces.add(labels["kubernetes.io/metadata.name"])
                else:
                    workloads |= {each.name for each in render.selected(peer["podSelector"])}
    return workloads, namespaces


def test_every_network_policy_selects_pods_that_exist_on_ports_they_have(render):
    for policy in render.of_kind("NetworkPolicy"):
        name = policy["metadata"]["name"]
        # An empty selector selects every pod.
        pods = render.selected(policy["spec"]["podSelector"])

        assert pods, name
        assert policy["spec"]["policyTypes"] == ["Ingress"], name
        for rule in policy["spec"].get("ingress", []):
            for port in rule.get("ports", []):
                assert all(port["port"] in pod.ports for pod in pods), (name, port)
            for peer in rule["from"]:
                if "podSelector" in peer and "namespaceSelector" not in peer:
                    assert render.selected(peer["podSelector"]), (name, peer)


def test_nothing_reaches_a_pod_that_no_policy_lets_in(render):
    deny = [
        policy
        for policy in render.of_kind("NetworkPolicy")
        if policy["spec"]["podSelector"] == {} and not policy["spec"].get("ingress")
    ]

    assert len(deny) == 1


def test_only_web_and_worker_reach_the_database_and_redis(render):
    (cluster,) = render.of_kind("Cluster")
    (pooler,) = render.of_kind("Pooler")
    database, bouncer = cluster["metadata"]["name"], pooler["metadata"]["name"]

    assert _peers(render, render.pod("confguide-redis")) == (
        {"confguide-web", "confguide-worker"},
        set(),
    )
    assert _peers(render, render.pod(bouncer)) == ({"confguide-web"}, set())
    # PgBouncer for web, the worker, the migration Job; the instances replicate among
    # themselves and the operator polls them.
    assert _peers(render, render.pod(database)) == (
        {bouncer, "confguide-worker", "confguide-migrate", database},
        {"cnpg-system"},
    )
    assert _peers(render, _web(render)) == (set(), {"ingress-nginx"})
    assert _peers(render, render.pod("confguide-media")) == (set(), {"ingress-nginx"})


# --- Environment and secrets -----------------------------------------------------------


def test_the_optional_list_names_only_variables_the_settings_read():
    assert variables.OPTIONAL_IN_PRODUCTION.keys() <= variables.read_by_settings()


@pytest.mark.parametrize("workload", ["confguide-web", "confguide-worker"])
def test_web_and_worker_get_every_variable_production_needs(render, workload):
    provided = render.environment(_main_container(render.pod(workload)))

    assert variables.required_in_production() - provided.keys() == set()


def test_every_app_container_gets_what_the_settings_need_to_load(render):
    # The migration Job and the init containers only migrate or check the schema.
    for pod in render.app_pods():
        for container in pod.containers(init=True):
            provided = render.environment(container)

            assert {"SECRET_KEY", "DATABASE_URL"} <= provided.keys(), (pod.name, container["name"])


def test_every_reference_in_the_environment_resolves(render):
    for pod in render.pods():
        for container in pod.containers(init=True):
            defined = set()
            for variable in container.get("env", []):
                where = (pod.name, container["name"], variable["name"])
                # $(NAME) expands only names defined above it.
                assert set(REFERENCE.findall(variable.get("value", ""))) <= defined, where
                reference = variable.get("valueFrom", {}).get("secretKeyRef")
                if reference and render.has("Secret", reference["name"]):
                    data = render.named("Secret", reference["name"])["data"]
                    assert reference["key"] in data, where
                elif reference:
                    (cluster,) = render.of_kind("Cluster")
                    assert reference["name"] == f"{cluster['metadata']['name']}-app", where
                    assert reference["key"] in CNPG_APP_SECRET_KEYS, where
                defined.add(variable["name"])


def test_web_reaches_postgresql_through_pgbouncer_with_settings_that_suit_it(render):
    (pooler,) = render.of_kind("Pooler")
    for container in _web(render).containers(init=True):
        environment = render.environment(container)
        database = urlsplit(environment["DATABASE_URL"])

        assert (database.hostname, database.port) == (pooler["metadata"]["name"], 5432)
        assert environment["DATABASE_DISABLE_SERVER_SIDE_CURSORS"] == "true"
        # PgBouncer refuses the startup option that carries statement_timeout...
        assert environment["DATABASE_STATEMENT_TIMEOUT"] == "0"
    # ...so its own query_timeout keeps the settings' default limit.
    default = re.search(
        r'env\.int\("DATABASE_STATEMENT_TIMEOUT", default=(\d+)\)',
        (ROOT / "confguide" / "settings.py").read_text(),
    )[1]
    assert pooler["spec"]["pgbouncer"]["parameters"]["query_timeout"] == default


@pytest.mark.parametrize("workload", ["confguide-worker", "confguide-migrate"])
def test_worker_and_migrations_reach_the_primary_directly(render, workload):
    (cluster,) = render.of_kind("Cluster")
    for container in render.pod(workload).containers(init=True):
        (variable,) = [each for each in container["env"] if each["name"] == "DATABASE_URL"]

        assert variable["valueFrom"]["secretKeyRef"] == {
            "name": f"{cluster['metadata']['name']}-app",
            "key": "uri",
        }


def test_secrets_come_from_an_uncommitted_file_never_from_the_manifests(render):
    folder = KUBERNETES / "overlays" / render.overlay / "secrets"
    kustomization = yaml.safe_load((folder / "kustomization.yaml").read_text())
    (generator,) = kustomization["secretGenerator"]
    ignored = subprocess.run(
        ["git", "check-ignore", "--quiet", str(folder / "secrets.env")], cwd=ROOT, check=False
    )
    (namespace,) = {doc["metadata"].get("namespace") for doc in render.app} - {None}

    assert generator["envs"] == ["secrets.env"]
    assert ignored.returncode == 0, "secrets.env must be in .gitignore"
    assert set(_keys(folder / "secrets.env.example")) == SECRET_NAMES
    # The overlay itself holds no Secret; the secrets land in its namespace.
    assert [doc["kind"] for doc in render.app if doc["kind"] == "Secret"] == []
    assert {(doc["kind"], doc["metadata"]["namespace"]) for doc in render.secrets} == {
        ("Secret", namespace)
    }
    for config in KUBERNETES.rglob("config.env"):
        assert not SECRET_NAMES & set(_keys(config)), config
    for pod in render.pods():
        for container in pod.containers(init=True):
            for variable in container.get("env", []):
                if variable["name"] in SECRET_NAMES:
                    assert "valueFrom" in variable, (pod.name, variable["name"])


def test_the_image_never_carries_secrets_env():
    patterns = (ROOT / ".dockerignore").read_text().split()

    assert "**/secrets.env" in patterns


# --- Releases ---------------------------------------------------------------------------


def test_migrations_run_once_in_a_job_and_new_pods_wait_for_it(render):
    (job,) = render.of_kind("Job")
    (migrate,) = job["spec"]["template"]["spec"]["containers"]
    images = set()

    assert migrate["args"][-3:] == ["manage.py", "migrate", "--no-input"]
    assert job["spec"]["template"]["spec"]["restartPolicy"] == "Never"
    for pod in render.app_pods():
        if pod.owner is job:
            continue
        (wait,) = pod.spec["initContainers"]
        images |= {wait["image"], _main_container(pod)["image"]}
        assert "manage.py migrate --check" in " ".join(wait["args"]), pod.name
        assert "migrate" not in _main_container(pod)["args"], pod.name
    # One release: the Job migrates for the very code the pods run.
    assert images == {migrate["image"]}


def test_media_lives_on_one_read_write_many_volume_served_at_media_url(render):
    (claim,) = render.of_kind("PersistentVolumeClaim")
    name = claim["metadata"]["name"]
    web, media = _web(render), render.pod("confguide-media")
    web_volume = _volume_for_claim(web, name)
    media_volume = _volume_for_claim(media, name)
    (web_mount,) = [
        mount for mount in _main_container(web)["volumeMounts"] if mount["name"] == web_volume
    ]
    (media_mount,) = [
        mount for mount in _main_container(media)["volumeMounts"] if mount["name"] == media_volume
    ]
    served = nginx_conf.parse(_media_nginx_config(render, media))
    (location,) = [
        block for block in served.walk() if block.name == "location" and block.args == [MEDIA_PATH]
    ]

    assert claim["spec"]["accessModes"] == ["ReadWriteMany"]
    # The cluster's default class seldom offers ReadWriteMany: an overlay must name one.
    assert claim["spec"].get("storageClassName")
    assert web_mount["mountPath"] == render.environment(_main_container(web))["MEDIA_ROOT"]
    assert media_mount["readOnly"] is True
    assert location.value("alias").rstrip("/") == media_mount["mountPath"]
    assert "confguide-media" in {
        path["backend"]["service"]["name"]
        for ingress in render.of_kind("Ingress")
        for rule in ingress["spec"]["rules"]
        for path in rule["http"]["paths"]
        if path["path"] == MEDIA_PATH
    }


def _volume_for_claim(pod: Pod, claim: str) -> str:
    (name,) = [
        volume["name"]
        for volume in pod.spec["volumes"]
        if volume.get("persistentVolumeClaim", {}).get("claimName") == claim
    ]
    return name


def _media_nginx_config(render: Render, media: Pod) -> str:
    (config_map,) = [
        volume["configMap"]["name"] for volume in media.spec["volumes"] if "configMap" in volume
    ]
    return render.named("ConfigMap", config_map)["data"]["default.conf"]
