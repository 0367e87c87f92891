"""Start, stop and restart the local cluster, and run manage.py against it."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import redis
from psycopg import sql

from confguide.bench.servers import Server
from confguide.cluster import nginx, processes
from confguide.cluster.plan import (
    DEFAULT_DATABASE_NAME,
    DEFAULT_REDIS_DB,
    REPLICAS,
    ROOT,
    SHARED_POSTGRES,
    SHARED_REDIS,
    STOP_ORDER,
    ClusterError,
    Plan,
    choose_ports,
    database_name,
    free_port,
    listening,
)
from confguide.cluster.processes import accepts_connections, answers_200, wait_until

# --- Choosing what to run ------------------------------------------------------


def plan(
    *,
    run_dir: Path,
    port: int,
    database: str,
    redis_url: str,
    extra_env: dict[str, str],
) -> Plan:
    """The cluster to start: shared PostgreSQL and Redis when they answer (`auto`),
    or ones of its own (`own`), or the URLs given."""
    listen_port, web_ports = choose_ports(port)
    own_postgres_dir = None
    if database == "auto" and listening(SHARED_POSTGRES):
        host, pg_port = SHARED_POSTGRES
        database = f"postgres://postgres@{host}:{pg_port}/{DEFAULT_DATABASE_NAME}"
    elif database == "auto":
        database = "own"
    if database == "own":
        own_postgres_dir = tempfile.mkdtemp(prefix="confguide-cluster-postgres-")
        database = f"postgres://postgres@127.0.0.1:{free_port()}/{DEFAULT_DATABASE_NAME}"
    own_redis_port = None
    if redis_url == "auto" and listening(SHARED_REDIS):
        host, redis_port = SHARED_REDIS
        redis_url = f"redis://{host}:{redis_port}/{DEFAULT_REDIS_DB}"
    elif redis_url == "auto":
        redis_url = "own"
    if redis_url == "own":
        own_redis_port = free_port()
        redis_url = f"redis://127.0.0.1:{own_redis_port}/0"
    return Plan(
        run_dir=run_dir,
        port=listen_port,
        web_ports=web_ports,
        smtp_port=free_port(),
        database_url=database,
        redis_url=redis_url,
        own_postgres_dir=own_postgres_dir,
        own_redis_port=own_redis_port,
        extra_env=extra_env,
    )


# --- PostgreSQL -------------------------------------------------------------------


def _postgres_binary(name: str) -> str:
    """initdb and pg_ctl: on PATH, or in Debian's versioned folder (newest first)."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True)
    if not candidates:
        raise ClusterError(f"PostgreSQL's {name} is not installed, and nothing answers on 5432.")
    return str(candidates[0])


def _as_postgres(command: list[str]) -> list[str]:
    # initdb and the server refuse to run as root.
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def start_postgres(plan: Plan) -> None:
    """The cluster's own PostgreSQL, on loopback, in a folder of its own."""
    folder = Path(plan.own_postgres_dir)
    data = folder / "data"
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    if not data.exists():
        subprocess.run(
            _as_postgres(
                [_postgres_binary("initdb"), "-D", str(data), "-A", "trust", "-U", "postgres"]
            ),
            check=True,
            capture_output=True,
        )
    port = urlsplit(plan.database_url).port
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
    pg_ctl = [_postgres_binary("pg_ctl"), "-D", str(data), "-w"]
    subprocess.run(
        _as_postgres([*pg_ctl, "-o", options, "-l", str(folder / "server.log"), "start"]),
        check=True,
        capture_output=True,
    )
    pid_file = processes.pid_path(plan.run_dir, "postgres")
    pid_file.parent.mkdir(parents=True, exist_ok=True)
    pid_file.write_text((data / "postmaster.pid").read_text().split()[0] + "\n")


def stop_postgres(plan: Plan, *, remove: bool) -> None:
    folder = Path(plan.own_postgres_dir)
    if (folder / "data" / "postmaster.pid").exists():
        subprocess.run(
            _as_postgres(
                [_postgres_binary("pg_ctl"), "-D", str(folder / "data"), "-m", "fast", "-w", "stop"]
            ),
            capture_output=True,
        )
    processes.stop(plan.run_dir, "postgres")  # only if pg_ctl could not
    if remove:
        shutil.rmtree(folder, ignore_errors=True)


def ensure_database(url: str, *, fresh: bool) -> None:
    """Create the cluster's database if it is missing; with `fresh`, drop it first."""
    parts = urlsplit(url)
    name = database_name(url)
    with psycopg.connect(
        dbname="postgres",
        host=parts.hostname,
        port=parts.port or 5432,
        user=parts.username or None,
        password=parts.password or None,
        autocommit=True,
        connect_timeout=5,
    ) as server:
        if fresh:
            if "cluster" not in name:
                raise ClusterError(
                    f"Refusing to drop the database {name!r}: the name of a database the "
                    "cluster drops must contain 'cluster'."
                )
            # FORCE: a replica of an interrupted run may still be connected.
            server.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
        if server.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return
        server.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


# --- The processes ------------------------------------------------------------------


def _nginx_binary() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else "")
    if not found:
        raise ClusterError("nginx is not installed: apt-get install nginx (make cluster does).")
    return found


def manage_command(*arguments: str) -> list[str]:
    return [sys.executable, "manage.py", *arguments]


def _setup(plan: Plan, log_name: str, *arguments: str) -> subprocess.Popen:
    log = processes.log_path(plan.run_dir, log_name)
    with log.open("ab") as output:
        return subprocess.Popen(
            manage_command(*arguments),
            cwd=ROOT,
            env=plan.environment(),
            stdout=output,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )


def _finish(plan: Plan, log_name: str, process: subprocess.Popen) -> None:
    if process.wait() != 0:
        raise ClusterError(
            f"`manage.py {' '.join(process.args[2:])}` failed.\n"
            + processes.log_tail(plan.run_dir, log_name)
        )


def prepare_site(plan: Plan) -> None:
    """Static files collected (beside the rest, nothing needs the database) while the
    database is migrated and the demo content loaded, as the container's entrypoint does."""
    collecting = _setup(plan, "collectstatic", "collectstatic", "--no-input", "--clear", "-v0")
    _finish(plan, "migrate", _setup(plan, "migrate", "migrate", "--no-input"))
    _finish(plan, "load_demo", _setup(plan, "load_demo", "load_demo"))
    _finish(plan, "collectstatic", collecting)


def start_service(plan: Plan, name: str) -> None:
    """Start one process and return once it is ready."""
    run_dir = plan.run_dir
    if name in REPLICAS:
        _launch_replica(plan, name)
        _wait_for_replica(plan, name)
        return
    if name == "worker":
        processes.spawn(run_dir, name, manage_command("db_worker"), env=plan.environment())
        # The worker opens no port; alive after Django's start-up is what can be seen.
        started = time.monotonic()
        ready, what = (lambda: time.monotonic() - started > 1), "the task worker"
    elif name == "nginx":
        config = nginx.write(run_dir=run_dir, listen_port=plan.port, upstream_ports=plan.web_ports)
        processes.spawn(
            run_dir, name, [_nginx_binary(), "-c", str(config), "-p", str(config.parent)], env={}
        )
        ready, what = (lambda: answers_200(f"{plan.url}/health/")), "nginx"
    elif name == "smtp":
        command = [sys.executable, "-m", "confguide.cluster.smtp"]
        command += ["--port", str(plan.smtp_port), "--dir", str(plan.mail_dir)]
        processes.spawn(run_dir, name, command, env=plan.environment())
        ready, what = (lambda: accepts_connections(plan.smtp_port)), "the mail sink"
    elif name == "redis":
        if plan.own_redis_port is None:
            raise ClusterError(
                f"The cluster uses the shared Redis ({plan.redis_url}); it never restarts it."
            )
        folder = run_dir / "redis"
        folder.mkdir(parents=True, exist_ok=True)
        # As docker-compose runs it: memory only, least-used keys evicted.
        command = ["redis-server", "--port", str(plan.own_redis_port), "--bind", "127.0.0.1"]
        command += ["--save", "", "--appendonly", "no", "--dir", str(folder)]
        command += ["--maxmemory", "256mb", "--maxmemory-policy", "allkeys-lru"]
        processes.spawn(run_dir, name, command, env={"PATH": os.environ.get("PATH", "")})
        ready, what = (lambda: accepts_connections(plan.own_redis_port)), "Redis"
    elif name == "postgres":
        if plan.own_postgres_dir is None:
            raise ClusterError("The cluster uses the shared PostgreSQL; it never restarts it.")
        start_postgres(plan)
        return
    else:
        raise ClusterError(f"No process called {name!r} in the cluster.")
    wait_until(ready, what=what, run_dir=run_dir, name=name)


def stop_service(plan: Plan | None, run_dir: Path, name: str) -> None:
    if name == "postgres" and plan is not None and plan.own_postgres_dir:
        stop_postgres(plan, remove=False)
    else:
        processes.stop(run_dir, name)


def running_services(run_dir: Path) -> list[str]:
    return [
        path.stem
        for path in sorted((run_dir / "pids").glob("*.pid"))
        if processes.running(run_dir, path.stem)
    ]


def start(plan: Plan, *, fresh: bool, say=print) -> None:
    """Start every process of the cluster, in order; on any failure, stop what started."""
    run_dir = plan.run_dir
    if running_services(run_dir):
        if plan.own_postgres_dir:
            shutil.rmtree(plan.own_postgres_dir, ignore_errors=True)
        raise ClusterError(
            f"A cluster is already running from {run_dir} ({', '.join(running_services(run_dir))})"
            ": stop it first (make cluster-stop)."
        )
    shutil.rmtree(run_dir / "pids", ignore_errors=True)
    for folder in ("logs", "media"):
        (run_dir / folder).mkdir(parents=True, exist_ok=True)
    plan.save()
    try:
        if plan.own_postgres_dir:
            say(f"Starting a PostgreSQL of the cluster's own ({plan.database_url})...")
            start_service(plan, "postgres")
        if plan.own_redis_port:
            say(f"Starting a Redis of the cluster's own ({plan.redis_url})...")
            start_service(plan, "redis")
        # A cache is disposable, and entries from an earlier run would be keyed on
        # content versions this database may reach again with other content.
        redis.Redis.from_url(plan.redis_url, socket_timeout=5).flushdb()
        start_service(plan, "smtp")
        say(f"Preparing the database {database_name(plan.database_url)} and static files...")
        ensure_database(plan.database_url, fresh=fresh)
        prepare_site(plan)
        say("Starting three replicas, the task worker and nginx...")
        # All three boot at once (Django's start-up is most of it), then each is waited for.
        for name in REPLICAS:
            _launch_replica(plan, name)
        for name in REPLICAS:
            _wait_for_replica(plan, name)
        start_service(plan, "worker")
        start_service(plan, "nginx")
    except BaseException:
        stop(run_dir)
        raise


def _launch_replica(plan: Plan, name: str) -> None:
    server = Server(
        name=name,
        app="confguide.wsgi",
        log=processes.log_path(plan.run_dir, name),
        workers=1,
        env=plan.environment(),
        port=plan.replica_port(name),
    )
    server.start()
    processes.record(plan.run_dir, name, server.process)


def _wait_for_replica(plan: Plan, name: str) -> None:
    port = plan.replica_port(name)
    wait_until(
        lambda: answers_200(f"http://127.0.0.1:{port}/health/"),
        what=f"{name} /health/",
        run_dir=plan.run_dir,
        name=name,
    )


def stop(run_dir: Path) -> list[str]:
    """Stop every process the cluster in run_dir started; returns their names."""
    plan = Plan.load(run_dir)
    if plan is not None:
        # First, so that `make cluster` in another terminal sees the stop and ends.
        plan.state_file.unlink()
    names = [name for name in STOP_ORDER if processes.pid_of(run_dir, name) is not None]
    names += [
        path.stem
        for path in sorted((run_dir / "pids").glob("*.pid"))
        if path.stem not in STOP_ORDER
    ]
    for name in names:
        stop_service(plan, run_dir, name)
    if plan is not None and plan.own_postgres_dir:
        stop_postgres(plan, remove=True)
    return names


def restart(run_dir: Path, name: str) -> Plan:
    plan = require(run_dir)
    if name == "redis" and plan.own_redis_port is None:
        raise ClusterError(
            f"The cluster uses the shared Redis ({plan.redis_url}); it never restarts it."
        )
    stop_service(plan, run_dir, name)
    start_service(plan, name)
    return plan


def require(run_dir: Path) -> Plan:
    plan = Plan.load(run_dir)
    if plan is None:
        raise ClusterError(f"No cluster in {run_dir}: start one with make cluster.")
    return plan


def summary(plan: Plan) -> str:
    run_dir = plan.run_dir
    try:
        shown = run_dir.relative_to(Path.cwd())
    except ValueError:
        shown = run_dir
    replicas = ", ".join(
        f"{name} :{port}" for name, port in zip(REPLICAS, plan.web_ports, strict=True)
    )
    postgres = "its own" if plan.own_postgres_dir else "the shared server"
    redis_kind = "its own" if plan.own_redis_port else "the shared server's database"
    return "\n".join(
        [
            f"The confguide cluster is up: {plan.url}/",
            f"  nginx     127.0.0.1:{plan.port}, round robin over {replicas}",
            "  worker    manage.py db_worker",
            f"  database  {plan.database_url} ({postgres})",
            f"  cache     {plan.redis_url} ({redis_kind})",
            f"  mail      an SMTP sink on :{plan.smtp_port}, each message a file in {shown}/mail/",
            f"  logs      {shown}/logs/, pid files in {shown}/pids/",
            "An editor: .venv/bin/python -m confguide.cluster manage createsuperuser",
        ]
    )


def up(plan: Plan, *, fresh: bool) -> None:
    """Start the cluster and keep it until Ctrl-C (or make cluster-stop elsewhere)."""

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)  # as Ctrl-C: make, CI or a terminal closing
    try:
        start(plan, fresh=fresh)
        print(summary(plan))
        print("Stop it with Ctrl-C here, or make cluster-stop.", flush=True)
        reported: set[str] = set()
        while True:
            time.sleep(0.5)
            if not plan.state_file.exists():
                print("Stopped from elsewhere (make cluster-stop).")
                processes.reap()
                return
            for name in sorted(stopped_services(plan.run_dir) - reported):
                print(f"{name} is not running (its log: logs/{name}.log).", flush=True)
                reported.add(name)
    except KeyboardInterrupt:
        for number in (signal.SIGINT, signal.SIGTERM):
            signal.signal(number, signal.SIG_IGN)  # a second Ctrl-C must not cut the stop short
        print("\nStopping the cluster...", flush=True)
        stop(plan.run_dir)
        print("Stopped.")


def stopped_services(run_dir: Path) -> set[str]:
    """Processes with a pid file that have stopped."""
    return {
        path.stem
        for path in (run_dir / "pids").glob("*.pid")
        if not processes.running(run_dir, path.stem)
    }


def manage(run_dir: Path, arguments: list[str]) -> int:
    plan = require(run_dir)
    return subprocess.run(manage_command(*arguments), cwd=ROOT, env=plan.environment()).returncode
