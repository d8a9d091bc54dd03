"""The one exception type a user sees: a sentence saying what happened and what to do.

Every failure a user can cause (a broken image, an empty instruction, a slider out of
range, no network, not enough GPU memory) is raised as `UserError` (or its subclass
`SettingError`, which is also a `ValueError`), so the command line and the app can show
`str(error)` as one line and keep going. Anything else is a bug and keeps its traceback
behind `--debug`.
"""

__all__ = ["UserError", "SettingError", "Notice", "EditStopped", "OutOfMemory"]


class UserError(Exception):
    """A failure the user can fix; `str()` is one sentence for them."""


class SettingError(UserError, ValueError):
    """A parameter outside what is allowed: names the parameter, the value and the range."""


class Notice(UserWarning):
    """Something the user should know that is not a failure (the command line prints it as `note: ...`)."""


class EditStopped(UserError):
    """The run was stopped (the progress callback raised); nothing was produced."""


class OutOfMemory(UserError):
    """The GPU ran out of memory; `suggested_max_size` is the size to retry at."""

    def __init__(self, message, suggested_max_size):
        super().__init__(message)
        self.suggested_max_size = suggested_max_size
