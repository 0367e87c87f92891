"""The optional real event of the demo: KubeCon + CloudNativeCon Europe 2026.

Where the shared data folder sits beside the project (../shared/data), the
demo imports the official Sched export through the same service editors use,
so the guide looks as it would in production, then gives the companies
their kinds and marks the sponsored sessions (sessions.demo.company_kinds).
A re-run changes nothing.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from sessions.demo import company_kinds
from sessions.importers import parse_schedule
from sessions.importers.apply import apply_schedule
from sessions.models import Event

KUBECON_EU_2026_SLUG = "kubecon-cloudnativecon-europe-2026"


def shared_data_dir() -> Path:
    return Path(settings.BASE_DIR).parent / "shared" / "data"


def load_kubecon_eu_2026(data_dir: Path | None = None) -> str:
    source = (data_dir or shared_data_dir()) / "kubecon-eu-2026" / "kccnceu2026-all.ics"
    if not source.is_file():
        return (
            f"skipped ({source} is absent). To bring in a real schedule, run "
            "`python manage.py import_schedule FILE_OR_URL --event SLUG` with a Sched .ics "
            "export or a frab/pretalx XML or JSON file (or the organisers' https feed URL), "
            "or use Events → Import a schedule in the admin."
        )
    report = apply_schedule(
        parsed=parse_schedule(source.read_bytes(), fmt="sched-ics"),
        event_slug=KUBECON_EU_2026_SLUG,
        publish=True,
        time_zone="Europe/Amsterdam",
    )
    labelled = company_kinds.label_event(Event.objects.get(slug=KUBECON_EU_2026_SLUG))
    summary = report.summary()
    if labelled:
        summary += f"; {labelled} company kinds and sponsored marks set"
    return summary
