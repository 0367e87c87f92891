"""Writes for the privacy pages: an attendee deletes their own account."""

from __future__ import annotations

from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.db.models import ProtectedError

from confguide import contributions
from confguide.privacy.selectors import deletion_refusal

LINKED_CONTENT_REFUSAL = (
    "Your account is named on content of the site (such as guide posts), which would go "
    "with it: ask an administrator to delete it."
)


class DeletionRefused(Exception):
    """The account stays; the message says why, for the attendee."""


@transaction.atomic
def delete_account(*, user: AbstractBaseUser) -> dict[str, int]:
    """Delete the account and everything kept about it, at once; how many rows went, by part.

    Each app erases what it registered; the foreign keys' cascades take the
    rest (email addresses, passkeys, picks), and the account's browser
    sessions on every device end. Contact messages stay: they were sent
    without an account and go after CONTACT_RETENTION_DAYS, or earlier when
    an administrator erases them on request. All or nothing.
    """
    refusal = deletion_refusal(user=user)
    if refusal:
        raise DeletionRefused(refusal)
    erased = {part.name: part.erase(user) for part in contributions.personal_data()}
    erased["browser_sessions"] = _end_browser_sessions(user)
    try:
        user.delete()
    except ProtectedError as error:  # rolls back the erasures above too
        raise DeletionRefused(LINKED_CONTENT_REFUSAL) from error
    return erased


def _end_browser_sessions(user: AbstractBaseUser) -> int:
    """Delete the account's sessions in the database, on any device, expired ones too.

    Sessions are not indexed by user, so this reads every one: a scan of the
    session table, acceptable for a rare, deliberate action. With sessions
    kept elsewhere (signed cookies, cache), there is nothing to find; the
    deleted account cannot be signed in to again anyway.
    """
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    if not hasattr(store_class, "get_model_class"):
        return 0
    model = store_class.get_model_class()
    store = store_class()
    user_id = str(user.pk)
    rows = model.objects.only("session_key", "session_data")
    keys = [
        row.session_key
        for row in rows.iterator(chunk_size=2000)
        if store.decode(row.session_data).get(SESSION_KEY) == user_id
    ]
    for key in keys:
        store.delete(key)  # through the store, so a cached_db copy goes too
    return len(keys)
