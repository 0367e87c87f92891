"""Writes of the schedule import: reading and applying a file, for the command and the worker."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from sessions.importers import ImportLimits, parse_schedule
from sessions.importers.apply import ImportReport, apply_schedule

# The two stages of an import, as progress reports them.
READING = "reading"
SAVING = "saving"
# (stage, entries done, entries in all)
StageProgress = Callable[[str, int, int], None]


def read_and_apply(
    *,
    data: bytes,
    event_slug: str,
    fmt: str = "auto",
    name: str = "",
    publish: bool = False,
    time_zone: str = "",
    dry_run: bool = False,
    progress: StageProgress | None = None,
    limits: ImportLimits | None = None,
) -> ImportReport:
    """Read the file and apply it (dry_run: report what that would do, and write nothing).

    The one way the command and the worker import: within one ImportLimits for
    both steps (entries, and a time budget from the start of reading to the end
    of saving; the settings' by default). Raises ScheduleImportError.
    """
    limits = limits or ImportLimits.from_settings()
    parsed = parse_schedule(
        data,
        fmt=fmt,
        name=name,
        limits=limits,
        progress=partial(progress, READING) if progress else None,
    )
    if progress:
        progress(SAVING, 0, len(parsed.sessions))
    return apply_schedule(
        parsed=parsed,
        event_slug=event_slug,
        publish=publish,
        dry_run=dry_run,
        time_zone=time_zone,
        progress=partial(progress, SAVING) if progress else None,
        limits=limits,
    )
