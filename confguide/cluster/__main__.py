"""The local cluster's command line (`make cluster`, `make cluster-stop`).

    python -m confguide.cluster up         start everything, print the URL, stop on Ctrl-C
    python -m confguide.cluster start      the same, but return once everything is up
    python -m confguide.cluster stop       stop every process the cluster started
    python -m confguide.cluster restart web-2     one process: web-1..3, worker, nginx,
                                                  smtp, and redis or postgres if its own
    python -m confguide.cluster status
    python -m confguide.cluster manage createsuperuser   manage.py with the cluster's settings

CLUSTER_DIR (default .cluster/ in the project) holds its state, pid files,
logs, static files and mail; CLUSTER_PORT (default 8080) is nginx's port,
with the replicas on the next three.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import psycopg
import redis

from confguide.cluster import control, processes
from confguide.cluster.plan import DEFAULT_PORT, DEFAULT_RUN_DIR, Plan


def _setting(text: str) -> tuple[str, str]:
    name, equals, value = text.partition("=")
    if not equals or not name.isidentifier():
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    return name, value


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(
        prog="python -m confguide.cluster",
        description="The production shape on loopback: PostgreSQL, Redis, three replicas, "
        "the task worker and nginx.",
    )
    main.add_argument(
        "--dir",
        type=Path,
        default=Path(os.environ.get("CLUSTER_DIR") or DEFAULT_RUN_DIR),
        help="Run directory: state, pid files, logs, static files, mail (CLUSTER_DIR).",
    )
    commands = main.add_subparsers(dest="command", required=True)
    for name, text in (
        ("up", "Start the cluster and keep it running until Ctrl-C."),
        ("start", "Start the cluster and return once it answers."),
    ):
        command = commands.add_parser(name, help=text, description=text)
        command.add_argument(
            "--port",
            type=int,
            default=int(os.environ.get("CLUSTER_PORT") or DEFAULT_PORT),
            help="nginx's port; the replicas take the next three. 0: any free ports.",
        )
        command.add_argument(
            "--database",
            default="auto",
            help="auto (the server on 127.0.0.1:5432 if it answers, else one of the cluster's "
            "own), own, or a postgres:// URL.",
        )
        command.add_argument(
            "--redis",
            default="auto",
            help="auto (database 3 of the server on 127.0.0.1:6379 if it answers, else one "
            "of the cluster's own), own, or a redis:// URL.",
        )
        command.add_argument(
            "--fresh", action="store_true", help="Drop and recreate the database first."
        )
        command.add_argument(
            "--env",
            type=_setting,
            action="append",
            default=[],
            metavar="NAME=VALUE",
            help="A setting for the replicas and the worker, e.g. SIGN_IN_ATTEMPTS_PER_ACCOUNT=3.",
        )
    commands.add_parser("stop", help="Stop every process the cluster started.")
    restart = commands.add_parser("restart", help="Restart one process of the cluster.")
    restart.add_argument("name")
    commands.add_parser("status", help="Which processes run, on which ports.")
    manage = commands.add_parser("manage", help="manage.py with the cluster's settings.")
    manage.add_argument("arguments", nargs=argparse.REMAINDER)
    return main


def main(argv: list[str] | None = None) -> int:
    arguments = parser().parse_args(argv)
    run_dir = arguments.dir.resolve()
    try:
        if arguments.command in ("up", "start"):
            plan = control.plan(
                run_dir=run_dir,
                port=arguments.port,
                database=arguments.database,
                redis_url=arguments.redis,
                extra_env=dict(arguments.env),
            )
            if arguments.command == "up":
                control.up(plan, fresh=arguments.fresh)
            else:
                control.start(plan, fresh=arguments.fresh)
                print(control.summary(plan))
        elif arguments.command == "stop":
            stopped = control.stop(run_dir)
            print(f"Stopped {', '.join(stopped)}." if stopped else f"Nothing runs from {run_dir}.")
        elif arguments.command == "restart":
            plan = control.restart(run_dir, arguments.name)
            print(f"Restarted {arguments.name}.")
        elif arguments.command == "status":
            plan = Plan.load(run_dir)
            if plan is None:
                print(f"No cluster in {run_dir}.")
                return 1
            print(f"The cluster of {run_dir}: {plan.url}/")
            for path in sorted((run_dir / "pids").glob("*.pid")):
                state = "running" if processes.running(run_dir, path.stem) else "stopped"
                print(f"  {path.stem:<8}  {state}")
        elif arguments.command == "manage":
            return control.manage(run_dir, arguments.arguments)
    except (
        control.ClusterError,
        processes.NotReady,
        psycopg.Error,
        redis.RedisError,
        subprocess.CalledProcessError,
    ) as error:
        if isinstance(error, subprocess.CalledProcessError) and error.stderr:
            error = f"{error}\n{error.stderr.decode(errors='replace').strip()}"
        print(f"cluster: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
