"""Which environment variables a production process must be given."""

import re
from pathlib import Path

from django.conf import settings

# env.str("NAME", ...), env.bool(\n    "NAME", ...), env.db("NAME") and so on.
ENV_READ = re.compile(r"\benv(?:\.\w+)?\(\s*\"([A-Z][A-Z0-9_]*)\"")

# Variables the settings read whose defaults suit production (README, "Configuration").
# Every other one must reach the web and worker processes (Kubernetes and compose alike):
# a new variable fails tests/deploy until it is provided or listed here.
OPTIONAL_IN_PRODUCTION = {
    "DEBUG": "off unless set",
    "DEBUG_TECHNICAL_ERRORS": "only with DEBUG, for developers",
    "SECRET_KEY_FALLBACKS": "only after a key rotation",
    "CONN_MAX_AGE": "60 s suits PgBouncer too",
    "DATABASE_CONNECT_TIMEOUT": "3 s",
    "DATABASE_STATEMENT_TIMEOUT": "set to 0 behind PgBouncer (test_kubernetes)",
    "DATABASE_DISABLE_SERVER_SIDE_CURSORS": "set behind PgBouncer (test_kubernetes)",
    "REDIS_TIMEOUT": "0.5 s",
    "STATIC_ROOT": "the image collects into the default",
    "ANONYMOUS_SCHEDULE_DAYS": "90 days",
    "STATICFILES_BACKEND": "hashed, compressed files",
    "EMAIL_PORT": "587",
    "EMAIL_USE_TLS": "on",
    "EMAIL_TIMEOUT": "10 s",
    "CONTACT_RATE_LIMIT": "a product default",
    "CONTACT_RATE_WINDOW": "a product default",
    "CONTACT_MAX_BODY_BYTES": "a product default",
    "CONTACT_RETENTION_DAYS": "what the privacy page promises",
    "SIGN_IN_ATTEMPTS_PER_ACCOUNT": "a product default",
    "SIGN_IN_ATTEMPTS_PER_ADDRESS": "a product default",
    "SIGN_IN_LOCKOUT_SECONDS": "a product default",
    "SIGN_UPS_PER_ADDRESS": "a product default",
    "PASSWORD_RESET_REQUESTS_PER_ADDRESS": "a product default",
    "PASSWORD_RESET_TIMEOUT": "a product default",
    "FETCH_TIMEOUT": "30 s",
    "FETCH_ALLOWED_INTERNAL_HOSTS": "none, unless the schedule is internal",
    "IMPORT_MAX_ENTRIES": "a product default",
    "IMPORT_TIME_BUDGET_SECONDS": "a product default",
    "IMPORT_CONFIRM_WITHIN_HOURS": "a product default",
    "SECURE_HSTS_SECONDS": "a year",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "only once every subdomain serves https",
    "SECURE_HSTS_PRELOAD": "only once every subdomain serves https",
    "MAX_BODY_BYTES": "matches the Ingress",
    "ADMIN_MAX_BODY_BYTES": "matches the admin Ingress",
    "DATA_UPLOAD_MAX_MEMORY_SIZE": "a product default",
}


def read_by_settings() -> set[str]:
    return set(
        ENV_READ.findall((Path(settings.BASE_DIR) / "confguide" / "settings.py").read_text())
    )


def required_in_production() -> set[str]:
    return read_by_settings() - OPTIONAL_IN_PRODUCTION.keys()
