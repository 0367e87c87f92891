from django.utils.functional import SimpleLazyObject

from .selectors import saved_session_ids


def my_schedule(request):
    """`saved_session_ids` for the "Add to my schedule" toggles.

    Lazy: only pages that show a toggle pay its one query, and a page full of
    toggles pays it once, not once per session.
    """
    return {"saved_session_ids": SimpleLazyObject(lambda: saved_session_ids(request))}
