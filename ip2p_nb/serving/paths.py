"""Where a batch may write: every output stays inside the output folder, whatever a manifest says.

- `plain_relative(text)`: a relative path with no '..' part (a backslash counts as a separator).
- `check_output_cell(given, where)`: an `output` cell refused in one sentence naming its line when it is
  absolute, climbs out with '..' or names a folder.
- `inside_folder(folder, relative)`: whether `folder / relative` stays inside `folder` once every symbolic
  link is followed (checked before anything is read, removed or written there).
Inputs are only read, and may be anywhere the user can read.
"""
from pathlib import Path

from ..errors import UserError

__all__ = ["plain_relative", "check_output_cell", "inside_folder"]


def plain_relative(text) -> bool:
    """A relative path with no '..' part (what an `output` cell may be); a backslash counts as a separator."""
    text = str(text).replace("\\", "/")
    path = Path(text)
    return not (path.is_absolute() or text.startswith("~") or (len(text) > 1 and text[1] == ":")) and ".." not in path.parts


def check_output_cell(given, where) -> None:
    """Refuse, in one sentence naming `where` (the manifest line), an `output` cell that would leave the folder."""
    if given in (None, ""):
        return
    if not plain_relative(given):
        raise UserError(f"{where.capitalize()} was skipped: its output {str(given)!r} is outside the output folder "
                        "(absolute or with '..'); give a path inside it, such as 'snowy/photo1.png'.")
    if not Path(str(given).replace("\\", "/")).name or str(given).replace("\\", "/").endswith("/"):
        raise UserError(f"{where.capitalize()} was skipped: its output {str(given)!r} names a folder, not a file; "
                        "give a file name such as 'snowy/photo1.png'.")


def inside_folder(folder, relative) -> bool:
    """Whether `folder / relative`, with every symbolic link followed, stays inside `folder`."""
    base = Path(folder).resolve()
    target = (Path(folder) / relative).resolve()
    return target == base or base in target.parents
