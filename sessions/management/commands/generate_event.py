import time

from django.core.management.base import BaseCommand, CommandError

from sessions.demo.generator import GeneratorError, generate_event


class Command(BaseCommand):
    help = (
        "Generate one large, published, four-day event with rooms, themes, companies and "
        "speakers, for trying the site at scale. The same --seed gives the same event."
    )

    def add_arguments(self, parser):
        parser.add_argument("--sessions", type=int, default=1000, help="Default: 1000.")
        parser.add_argument("--speakers", type=int, default=1500, help="Default: 1500.")
        parser.add_argument("--seed", type=int, default=1, help="Default: 1.")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Delete the event this seed generated before (and its own speakers) first.",
        )

    def handle(self, *args, sessions, speakers, seed, replace, **options):
        started = time.monotonic()
        try:
            result = generate_event(
                sessions=sessions, speakers=speakers, seed=seed, replace=replace
            )
        except GeneratorError as error:
            raise CommandError(str(error)) from None
        event = result.event
        self.stdout.write(
            self.style.SUCCESS(
                f"Generated {event.name} ({event.slug}), {event.start_date:%d %b %Y} to "
                f"{event.end_date:%d %b %Y}, {event.time_zone}: {result.sessions} sessions in "
                f"{result.rooms} rooms, {result.speakers} speakers, "
                f"{result.companies_created} new companies, {result.themes_created} new themes "
                f"in {time.monotonic() - started:.1f}s."
            )
        )
