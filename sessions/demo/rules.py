"""The demo's theme rules, so that an imported schedule such as KubeCon EU 2026 arrives themed.

`load_demo` runs this step before the KubeCon EU 2026 import: it makes sure
every demo theme exists (with the values the other demo steps give it) and
syncs each theme's rules, matched on theme and rule name. Rules the editors
added beside them are left alone. The words are the guide's own choice of
what belongs under each theme at a KubeCon: project names as well as plain
words, since abstracts often name the project and not the topic.
"""

from __future__ import annotations

from dataclasses import dataclass

from sessions import content
from sessions.demo.content import SyncTally, sync_row
from sessions.demo.live import THEMES
from sessions.models import Theme, ThemeRule


@dataclass(frozen=True)
class DemoRule:
    theme: str  # theme slug
    name: str
    words: tuple[str, ...] = ()
    companies: tuple[str, ...] = ()
    exclusions: tuple[str, ...] = ()
    in_abstract: bool = True


RULES = [
    DemoRule(
        "storage-csi",
        "Storage words and projects",
        words=(
            "storage",
            "CSI",
            "Container Storage Interface",
            "COSI",
            "persistent volume",
            "persistent volumes",
            "PVC",
            "PVCs",
            "volume snapshots",
            "stateful",
            "StatefulSet",
            "StatefulSets",
            "Rook",
            "Ceph",
            "Longhorn",
            "etcd",
            "backup",
            "backups",
            "disaster recovery",
        ),
        # Hardware for models is not what readers of this theme are after.
        exclusions=("GPU memory",),
    ),
    DemoRule(
        "storage-csi",
        "Storage vendors",
        companies=("Portworx", "Portworx by Pure Storage", "Pure Storage", "MinIO"),
    ),
    DemoRule(
        "multi-tenancy",
        "Sharing clusters",
        words=(
            "multi-tenancy",
            "multi-tenant",
            "multitenancy",
            "multitenant",
            "tenant",
            "tenants",
            "tenancy",
            "hierarchical namespaces",
            "vcluster",
            "virtual clusters",
            "Capsule",
            "noisy neighbour",
            "noisy neighbor",
            "noisy neighbors",
            "API priority and fairness",
            "shared clusters",
            "cluster sharing",
        ),
    ),
    DemoRule(
        "security",
        "Security words and projects",
        words=(
            "security",
            "secure",
            "securing",
            "supply chain",
            "SBOM",
            "SBOMs",
            "vulnerability",
            "vulnerabilities",
            "CVE",
            "CVEs",
            "Sigstore",
            "cosign",
            "zero trust",
            "Falco",
            "Kyverno",
            "Open Policy Agent",
            "OPA",
            "Gatekeeper",
            "RBAC",
            "SPIFFE",
            "SPIRE",
            "secrets",
            "authentication",
            "authorization",
            "identity",
            "confidential computing",
        ),
    ),
    DemoRule("security", "Security vendors", companies=("Chainguard", "Sysdig", "Snyk")),
    DemoRule(
        "observability",
        "Observability words and projects",
        words=(
            "observability",
            "OpenTelemetry",
            "OTel",
            "Prometheus",
            "tracing",
            "traces",
            "metrics",
            "logging",
            "logs",
            "Jaeger",
            "Grafana",
            "Thanos",
            "Cortex",
            "Fluent Bit",
            "Fluentd",
            "monitoring",
            "alerting",
            "profiling",
            "telemetry",
        ),
    ),
    DemoRule(
        "observability",
        "Observability vendors",
        companies=("Grafana Labs", "Chronosphere", "Honeycomb", "Honeycomb.io", "Dash0"),
    ),
    DemoRule(
        "networking-service-mesh",
        "Networking words and projects",
        words=(
            "service mesh",
            "service meshes",
            "Istio",
            "Linkerd",
            "Envoy",
            "Cilium",
            "Gateway API",
            "ingress",
            "egress",
            "networking",
            "network policy",
            "network policies",
            "CNI",
            "DNS",
            "load balancing",
            "load balancer",
            "eBPF",
            "connectivity",
            "multi-cluster networking",
        ),
        # "Network" in the people sense: hallway and community sessions.
        exclusions=("networking reception", "networking lunch", "networking break"),
    ),
    DemoRule(
        "networking-service-mesh",
        "Networking vendors",
        companies=("Isovalent", "Solo.io", "Buoyant", "Tetrate", "Kong", "Kong Inc."),
    ),
]


@content.batch()
def load_theme_rules() -> str:
    """Sync the demo themes and their rules; returns a one-line summary."""
    tally = SyncTally()
    themes = {
        slug: sync_row(
            Theme,
            lookup={"slug": slug},
            values={"name": name, "colour": colour, "order": order, "description": description},
            tally=tally,
        )
        for slug, (name, colour, order, description) in THEMES.items()
    }
    for rule in RULES:
        sync_row(
            ThemeRule,
            lookup={"theme": themes[rule.theme], "name": rule.name},
            values={
                "words": "\n".join(rule.words),
                "companies": "\n".join(rule.companies),
                "exclusions": "\n".join(rule.exclusions),
                "in_title": True,
                "in_abstract": rule.in_abstract,
                "in_track": True,
                "is_active": True,
            },
            tally=tally,
            label="theme rules",
        )
    return tally.describe()
