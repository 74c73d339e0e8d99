from django.utils.translation import gettext as _


class ConcurrentEditError(Exception):
    """Someone else saved the record after this edit began; nothing was saved."""


def stale_edit_message() -> str:
    return _(
        "Someone else saved this record while you were editing. Your changes were not "
        "saved. The form now shows the latest version: make your changes again."
    )


class RefusedError(Exception):
    """A domain rule refuses the change; the message says why, in the user's language.

    Nothing was saved. Views show the message; tests check that nothing changed.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
