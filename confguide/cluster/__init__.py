"""`make cluster`: the production shape on one machine, on loopback only.

PostgreSQL, Redis, three gunicorn replicas of the site, the task worker, an
SMTP sink for the site's mail and nginx in front, configured from the same
docker/nginx.conf as production. `python -m confguide.cluster` starts, stops
and restarts it (see __main__.py and the README's "Running several replicas");
tests/cluster/ proves the replicas share no state.

- __main__.py: the command line; control.py: starting, stopping, restarting, manage.py
- plan.py: the run directory, its state file, ports and the replicas' environment
- processes.py: each process in its own group, known by a pid file
- nginx.py: docker/nginx.conf with the cluster's upstreams, listen address and paths
- smtp.py: a mail sink that keeps each message it is sent as a file
"""
