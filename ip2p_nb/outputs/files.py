"""Atomic file writes: a temporary file in the same folder, then a rename.

A write that fails midway (a full disk, a read-only folder, a killed process) never
leaves a half-written file and never destroys the file that was there before.
"""
import os
import tempfile
from pathlib import Path

from ..errors import UserError

__all__ = ["atomic_write", "save_image_atomic"]


def _check_folder(folder: Path) -> None:
    if not folder.exists():
        raise UserError(f"The folder {str(folder)!r} does not exist; create it first or choose another output path.")
    if not folder.is_dir():
        raise UserError(f"{str(folder)!r} is not a folder; choose another output path.")


def atomic_write(path, write) -> Path:
    """Call `write(tmp_path)` to fill a temporary file beside `path`, then rename it onto `path`.

    Returns the final path. On any failure the temporary file is removed and an existing
    `path` is left untouched; an OSError becomes a `UserError` saying what to do.
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    _check_folder(folder)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as e:
        raise UserError(
            f"Cannot write into the folder {str(folder)!r} ({e.strerror or e}); choose a folder you can write to."
        ) from e
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, path)
    except OSError as e:
        raise UserError(f"Could not write {str(path)!r} ({e.strerror or e}); the previous file, if any, is unchanged.") from e
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


def save_image_atomic(image, path, format="PNG", **save_kwargs) -> Path:
    """Save a PIL image atomically (see `atomic_write`)."""
    return atomic_write(path, lambda tmp: image.save(tmp, format=format, **save_kwargs))
