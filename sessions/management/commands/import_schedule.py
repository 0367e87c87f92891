from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from sessions.importers import FORMATS, ScheduleImportError
from sessions.importers.base import check_size
from sessions.importers.fetch import fetch
from sessions.importers.report import COMMAND_LIMIT
from sessions.importers.services import READING, read_and_apply

STAGES = {READING: ("Reading", " entries")}
SAVING_STAGE = ("Saving", " sessions")


class Command(BaseCommand):
    help = (
        "Import an official schedule (Sched, pretalx or other iCalendar, frab/pretalx XML or "
        "JSON) from a file or an https feed into an event. Re-importing updates sessions in "
        "place; sessions the source no longer lists are cancelled. Nothing is written if the "
        "file has an error."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", help="A file path or an https:// feed URL.")
        parser.add_argument(
            "--event",
            required=True,
            help="Slug of the event; a new event is created from the file's conference data.",
        )
        parser.add_argument("--format", default="auto", choices=["auto", *FORMATS])
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="List what would change, session by session; write nothing.",
        )
        parser.add_argument(
            "--publish", action="store_true", help="Publish the event (new events stay drafts)."
        )
        parser.add_argument(
            "--time-zone",
            default="",
            help=(
                "IANA zone for a new event whose file names none (Sched's say only UTC). "
                "Without it, the zone is inferred from the file's city and UTC offsets when "
                "only one fits, or the import stops and asks for it."
            ),
        )

    def handle(self, *args, source, event, format, dry_run, publish, time_zone, **options):
        # tqdm draws on a terminal only, unless -v 2 asks for it in a log too. It
        # writes carriage returns itself, so the wrapper must not add newlines.
        self.stderr.ending = ""
        with tqdm(
            file=self.stderr,
            disable=None if options["verbosity"] <= 1 else False,
        ) as bar:
            current = []

            def progress(stage: str, done: int, total: int) -> None:
                if current != [stage]:  # a new stage starts a new count
                    if current:
                        bar.refresh()  # the last stage as it ended
                    current[:] = [stage]
                    bar.desc, bar.unit = STAGES.get(stage, SAVING_STAGE)
                    bar.reset(total=total)
                bar.total = total
                bar.update(done - bar.n)

            try:
                report = read_and_apply(
                    data=self._read(source),
                    fmt=format,
                    name=source,
                    event_slug=event,
                    publish=publish,
                    dry_run=dry_run,
                    time_zone=time_zone,
                    progress=progress,
                )
            except ScheduleImportError as error:
                lines = "\n".join(f"  - {problem}" for problem in error.problems)
                raise CommandError(f"Nothing was imported.\n{lines}") from None
            finally:
                self.stderr.ending = "\n"
        for warning in report.warnings:
            self.stdout.write(self.style.WARNING(f"Warning: {warning}"))
        verbosity = options["verbosity"]
        if verbosity == 0:
            return
        self.stdout.write(self.style.SUCCESS(report.summary()))
        # What changes, session by session; -v 2 lists long groups in full.
        for line in report.lines(limit=None if verbosity >= 2 else COMMAND_LIMIT):
            self.stdout.write(line)
        if report.event_created and not report.event.is_published:
            self.stdout.write(
                f"The new event “{report.event.name}” is a draft: curate it in the admin, "
                "then publish it (or import again with --publish)."
            )

    def _read(self, source: str) -> bytes:
        if source.startswith(("http://", "https://")):
            return fetch(source)
        path = Path(source)
        if not path.is_file():
            raise ScheduleImportError(f"There is no file “{source}”.")
        check_size(path.stat().st_size)
        return path.read_bytes()
