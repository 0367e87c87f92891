#!/bin/sh
# Start-up for a single web container (`docker run` with no command): bring the
# database schema and the static files up to date, optionally load the demo
# content, then hand over to gunicorn. Given a command, run just that: compose's
# services and the Kubernetes pods do, as several web replicas must not migrate at
# once (compose's one-off `migrate` service and the Kubernetes Job do it instead).
set -eu
cd "$(dirname "$0")/.."

if [ "$#" -gt 0 ]; then
  exec "$@"
fi

python manage.py migrate --no-input
python manage.py collectstatic --no-input --verbosity 0
if [ "${LOAD_DEMO:-false}" = "true" ]; then
  python manage.py load_demo
fi

# Workers, threads, backlog and timeouts (and why) are in confguide/gunicorn.conf.py;
# it reads PORT, WEB_CONCURRENCY and GUNICORN_THREADS from the environment.
exec gunicorn -c confguide/gunicorn.conf.py confguide.wsgi
