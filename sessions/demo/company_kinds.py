"""Company kinds and sponsored sessions for the KubeCon EU 2026 demo import.

A Sched export names each speaker's company as free text and says nothing of
its kind, so the demo brings a short, hand-made mapping: names exactly as the
export spells them, sorted into a kind by what the organisation does.

- End user: it runs cloud-native software for a business of its own (banks,
  retailers, media, travel, telecoms, public bodies) rather than selling it.
- Vendor: it sells cloud, platform, observability, security or storage
  products or services to other companies.
- Project: a CNCF or other open-source project or foundation.
- Academia: a university, school or research laboratory.
- Community: a non-profit that funds or serves open source.

Names we could not place with confidence (consultancies, small start-ups we
do not know) stay "not set" for an editor to decide. Only companies whose kind
is not set yet are given one, so an editor's own choice always stands and a
re-run changes nothing.

Sessions are marked sponsored where the organisers' schedule says so: titles
that begin "Sponsored Keynote:", "Sponsored Demo:" or "Sponsored Session:",
the sponsors' in-booth demo blocks, and the sponsored tracks.
"""

from __future__ import annotations

from django.db.models import Q

from sessions import services
from sessions.models import Company, Event, Session

END_USERS = (
    "1KOMMA5°",
    "Adobe",
    "Airbnb",
    "Allianz Technology",
    "Ant Group",
    "Apple",
    "Banque Pictet",
    "Belastingdienst",
    "Bloomberg",
    "Bloomberg LP",
    "Capital One",
    "Delivery Hero",
    "DPG Media Nederland",
    "easyJet",
    "Enpal",
    "Fidelity Investments",
    "Groupon",
    "HSBC",
    "ING",
    "Intuit",
    "JD.com",
    "JP Morgan Chase",
    "LexisNexis Risk Solutions",
    "Liftoff Mobile",
    "LY Corporation",
    "Marsh McLennan",
    "Mercedes-Benz Tech Innovation",
    "Millennium bcp",
    "Miro",
    "mobile.de",
    "Monzo",
    "NatWest",
    "NAVER Corp",
    "Netflix",
    "Pinterest",
    "PostFinance",
    "Rabobank",
    "Raiffeisen Bank International",
    "Reddit",
    "Roche",
    "Saxo Bank",
    "SCRM Lidl International Hub",
    "Shopify",
    "Skyscanner",
    "SNCF",
    "Sony Interactive Entertainment",
    "Spotify",
    "Swisscom",
    "Tchibo GmbH",
    "Telefonica",
    "Telstra",
    "Thales Alenia Space",
    "The Pictet Group",
    "Trip.com",
    "Uber",
    "Vinted",
    "Walmart Global Tech",
    "Wayve",
    "Wehkamp Retail Group",
    "Xiaohongshu(RedNote)",
    "ZEISS",
    "Zapier",
)

VENDORS = (
    "Akamai",
    "Akamai Cloud",
    "Akamai Technologies",
    "Akuity",
    "Alibaba Cloud",
    "Amazon Elastic Kubernetes Service (EKS)",
    "AWS",
    "Broadcom",
    "Buoyant",
    "Canonical",
    "Cisco",
    "ClickHouse",
    "CoreWeave",
    "Databricks",
    "Datadog",
    "Dell",
    "Dell Technologies",
    "Diagrid",
    "DigitalOcean",
    "Docker",
    "Dynatrace",
    "Dynatrace LLC",
    "Elastic",
    "GitHub",
    "Google",
    "Google Cloud",
    "Grafana Labs",
    "Honeycomb",
    "Huawei",
    "Huawei Technologies",
    "Huawei Technologies Co., Ltd",
    "IBM",
    "Intel",
    "Isovalent at Cisco",
    "Kong Inc.",
    "Kubermatic",
    "Microsoft",
    "Mirantis",
    "MongoDB",
    "Nirmata",
    "Nutanix",
    "NVIDIA",
    "Octopus Deploy",
    "Palo Alto Networks",
    "Percona",
    "Portworx by Pure Storage",
    "Red Hat",
    "RedHat",
    "Replicated",
    "Robusta",
    "ScaleOps",
    "Solo.io",
    "Sonatype",
    "Spectro Cloud",
    "Splunk",
    "SUSE",
    "Sysdig",
    "Teleport",
    "Tetrate",
    "Upbound",
    "Veeam",
    "VMware by Broadcom",
)

PROJECTS = (
    "CNCF",
    "Helm",
    "k8gb",
    "Kubernetes",
    "Linux Foundation",
    "Microcks",
    "Podman Container Tools",
    "PyTorch Foundation",
    "The Linux Foundation",
)

ACADEMIA = (
    "BITS Pilani",
    "CERN",
    "Masaryk University",
    "New York University",
    "North Carolina School of Science and Mathematics",
    "POLITEHNICA Bucharest",
    "University of Oxford",
)

COMMUNITY = (
    "Living Open Source Foundation",
    "Open Source Technology Improvement Fund",
)

KINDS = {
    Company.Kind.END_USER: END_USERS,
    Company.Kind.VENDOR: VENDORS,
    Company.Kind.PROJECT: PROJECTS,
    Company.Kind.ACADEMIA: ACADEMIA,
    Company.Kind.COMMUNITY: COMMUNITY,
}

SPONSORED_TITLE_STARTS = ("Sponsored Keynote:", "Sponsored Demo:", "Sponsored Session:")
SPONSORED_TITLES = ("Gold Sponsor In-Booth Demos",)
# The tracks as the importer stores them (the export shouts them in capitals).
SPONSORED_TRACKS = ("Sponsored Sessions", "Sponsor-Hosted Co-Located Event")


def _sponsored(sessions):
    matches = Q(title__in=SPONSORED_TITLES) | Q(track__in=SPONSORED_TRACKS)
    for start in SPONSORED_TITLE_STARTS:
        matches |= Q(title__startswith=start)
    return sessions.filter(matches)


def label_event(event: Event) -> int:
    """Give the event's companies their kinds and mark its sponsored sessions.

    Returns how many rows changed (none on a second run).
    """
    changed = 0
    for kind, names in KINDS.items():
        changed += services.set_companies_kind(
            companies=Company.objects.filter(name__in=names, kind=Company.Kind.NOT_SET),
            kind=kind,
        )
    changed += services.set_sessions_sponsored(
        sessions=_sponsored(Session.objects.filter(event=event)), sponsored=True
    )
    return changed
