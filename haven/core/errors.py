from django.utils.translation import gettext as _


class ConcurrentEditError(Exception):
    """Someone else saved the record after this edit began; nothing was saved."""


def stale_edit_message() -> str:
    return _(
        "Someone else saved this record while you were editing. Your changes were not "
        "saved. The form now shows the latest version: make your changes again."
    )
