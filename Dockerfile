# The confguide web app: Django served by gunicorn (confguide/gunicorn.conf.py),
# static files by WhiteNoise.
# docker-compose.yml runs it beside PostgreSQL; see the README.

# Bootstrap comes from npm (package-lock.json), never from a CDN.
FROM node:22-bookworm-slim AS assets
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --loglevel=error

FROM python:3.13-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app

# An editable install keeps the code in /app, where settings expect the
# templates, static/ and node_modules/ beside the project package. The static
# files are collected into the image, so a container with a read-only file
# system (Kubernetes) serves them as built; docker/entrypoint.sh collects again
# for compose's shared volume. DEBUG=true only spares the build a SECRET_KEY.
COPY . .
COPY --from=assets /app/node_modules ./node_modules
RUN pip install -e . \
    && DEBUG=true python manage.py collectstatic --no-input --verbosity 0 \
    && useradd --uid 1000 --create-home confguide \
    && mkdir -p staticfiles media \
    && chown -R confguide:confguide staticfiles media

USER confguide
EXPOSE 8000
ENTRYPOINT ["/app/docker/entrypoint.sh"]
