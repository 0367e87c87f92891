"""The cluster's processes: each in its own process group, known by a pid file.

The pid file (`pids/<name>.pid` in the run directory) holds the group's
leader, so a stop from any terminal signals the process and everything it
forked (gunicorn's workers, nginx's) and waits until none of them is left.
Output goes to `logs/<name>.log`.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from confguide.cluster.plan import ROOT, listening

# Started by this process: polled after a stop, so none lingers as a zombie.
_children: list[subprocess.Popen] = []


def log_path(run_dir: Path, name: str) -> Path:
    return run_dir / "logs" / f"{name}.log"


def pid_path(run_dir: Path, name: str) -> Path:
    return run_dir / "pids" / f"{name}.pid"


def record(run_dir: Path, name: str, process: subprocess.Popen) -> None:
    _children.append(process)
    path = pid_path(run_dir, name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{process.pid}\n")


def spawn(run_dir: Path, name: str, command: list[str], *, env: dict[str, str]) -> subprocess.Popen:
    log = log_path(run_dir, name)
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as output:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            # Its own group: Ctrl-C in the terminal reaches the cluster's command, which
            # stops each process in order, and a stop signals everything a process forked.
            start_new_session=True,
        )
    record(run_dir, name, process)
    return process


def pid_of(run_dir: Path, name: str) -> int | None:
    try:
        return int(pid_path(run_dir, name).read_text().split()[0])
    except (FileNotFoundError, ValueError, IndexError):
        return None


def _state_and_group(pid: int) -> tuple[str, int] | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    fields = stat[stat.rindex(")") + 2 :].split()  # the name, in brackets, may hold spaces
    return fields[0], int(fields[2])


def _alive(pid: int) -> bool:
    found = _state_and_group(pid)
    return found is not None and found[0] not in ("Z", "X")  # zombies have stopped


def group_members(pgid: int) -> list[int]:
    """The live processes of a process group."""
    members = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            found = _state_and_group(int(entry.name))
            if found is not None and found[1] == pgid and found[0] not in ("Z", "X"):
                members.append(int(entry.name))
    return members


def running(run_dir: Path, name: str) -> bool:
    pid = pid_of(run_dir, name)
    return pid is not None and (_alive(pid) or bool(group_members(pid)))


def reap() -> None:
    for child in _children:
        child.poll()


def signal_group(pid: int, number: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, number)


def stop(run_dir: Path, name: str, *, grace_s: float = 30) -> None:
    """SIGTERM to the group, SIGKILL to whatever is left after grace_s (gunicorn
    gives in-flight requests 20 s); returns once nothing of it runs."""
    pid = pid_of(run_dir, name)
    if pid is not None:
        for number, wait_s in ((signal.SIGTERM, grace_s), (signal.SIGKILL, 10)):
            signal_group(pid, number)
            deadline = time.monotonic() + wait_s
            while (group_members(pid) or _alive(pid)) and time.monotonic() < deadline:
                reap()
                time.sleep(0.1)
            if not (group_members(pid) or _alive(pid)):
                break
    pid_path(run_dir, name).unlink(missing_ok=True)
    reap()


def log_tail(run_dir: Path, name: str, lines: int = 30) -> str:
    try:
        text = log_path(run_dir, name).read_text(errors="replace")
    except OSError:
        return "(no log)"
    return "\n".join(text.splitlines()[-lines:])


class NotReady(RuntimeError):
    pass


def wait_until(
    ready: Callable[[], bool],
    *,
    what: str,
    run_dir: Path,
    name: str | None = None,
    timeout_s: float = 120,
) -> None:
    """Poll `ready` until it holds; generous, since the machine may be busy. Gives up
    early when the process `name` has exited, with the end of its log."""
    deadline = time.monotonic() + timeout_s
    while not ready():
        if name is not None and not running(run_dir, name):
            raise NotReady(f"{name} exited while starting.\n{log_tail(run_dir, name)}")
        if time.monotonic() > deadline:
            tail = f"\n{log_tail(run_dir, name)}" if name else ""
            raise NotReady(f"{what} was not ready within {timeout_s:.0f} s.{tail}")
        time.sleep(0.2)


def answers_200(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def accepts_connections(port: int) -> bool:
    return listening(("127.0.0.1", port))
