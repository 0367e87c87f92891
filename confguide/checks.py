"""System checks for a deployment (`manage.py check --deploy`)."""

from __future__ import annotations

import os

from django.conf import settings
from django.core.checks import Tags, Warning, register

LOCAL_CACHE = "django.core.cache.backends.locmem.LocMemCache"


@register(Tags.caches, deploy=True)
def shared_cache_for_several_workers(app_configs, **kwargs):
    """Several web workers need one shared cache, or each keeps its own counts."""
    workers = int(os.environ.get("WEB_CONCURRENCY") or 1)
    if workers > 1 and settings.CACHES["default"]["BACKEND"] == LOCAL_CACHE:
        return [
            Warning(
                f"WEB_CONCURRENCY is {workers} but there is no shared cache: each worker "
                "keeps its own rate-limit counts (so the limits are several times what "
                "they say) and its own copy of every cached page.",
                hint="Set REDIS_URL so that every worker and replica shares one cache.",
                id="confguide.W001",
            )
        ]
    return []
