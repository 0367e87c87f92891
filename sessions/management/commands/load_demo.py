from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.management.base import BaseCommand
from django.db import transaction

from blog import demo as blog_demo
from sessions import demo
from sessions.importers import demo as kubecon_eu_2026


@dataclass(frozen=True)
class DemoStep:
    """One piece of demo content.

    `run` must be idempotent (a second run changes nothing) and returns a
    one-line summary. A step with an `option` is optional: it runs only when
    the command is given `--<option>`, e.g. a large import from shared data.
    """

    label: str
    run: Callable[[], str]
    option: str = ""
    help: str = ""


# Add new demo content as another step here rather than growing one function.
STEPS: list[DemoStep] = [
    DemoStep("KubeCon + CloudNativeCon North America 2020", demo.load_kubecon_na_2020),
    # After the event: the post features its sessions.
    DemoStep("Guide post on KubeCon NA 2020", blog_demo.load_guide_post),
    # A second, real event from the official schedule, where ../shared/data has it.
    DemoStep("KubeCon + CloudNativeCon Europe 2026", kubecon_eu_2026.load_kubecon_eu_2026),
]


class Command(BaseCommand):
    help = (
        "Load the demo content (KubeCon + CloudNativeCon North America 2020 and more). "
        "Safe to run again: only what differs from the demo content is written."
    )

    def add_arguments(self, parser):
        for step in STEPS:
            if step.option:
                parser.add_argument(
                    f"--{step.option}",
                    action="store_true",
                    dest=_dest(step),
                    help=step.help or f"Also load {step.label}.",
                )

    def handle(self, *args, **options):
        chosen = [step for step in STEPS if not step.option or options[_dest(step)]]
        # All or nothing: a failing step leaves the database as it was.
        with transaction.atomic():
            for step in chosen:
                summary = step.run()
                self.stdout.write(f"{step.label}: {summary}")
        self.stdout.write(self.style.SUCCESS("Demo content loaded."))


def _dest(step: DemoStep) -> str:
    return step.option.replace("-", "_")
