from django.utils.functional import SimpleLazyObject

from ..templatetags.conference import MAX_NEXT_LENGTH
from .selectors import saved_session_ids


def _return_path(request) -> str:
    # Back to the same page after a toggle, unless its address is absurdly long.
    full_path = request.get_full_path()
    return full_path if len(full_path) <= MAX_NEXT_LENGTH else request.path


def my_schedule(request):
    """What the "Add to my schedule" toggles need.

    `saved_session_ids` is lazy: only pages that show a toggle pay its one
    query, and a page full of toggles pays it once, not once per session.
    """
    return {
        "saved_session_ids": SimpleLazyObject(lambda: saved_session_ids(request)),
        "schedule_toggle_next": _return_path(request),
    }
