"""What the hosted notebooks (Colab, Kaggle) offer the app beyond plain Jupyter; no widgets here.

Colab: its page shows third-party widgets (the brush, ipycanvas) only after
`google.colab.output.enable_custom_widget_manager()`, run again after every restart; `files.upload()`
takes photos of any size (its FileUpload widget loses files of 1 MB or more, ipywidgets #3452) and
`files.download(path)` hands a file to the browser. Kaggle keeps only what is written under
/kaggle/working. Each helper does nothing (returns None/False) elsewhere.
"""
import importlib
import importlib.util
import os
import shutil
from pathlib import Path

from ..platforms import detect_platform

__all__ = ["on_colab", "enable_colab_widgets", "colab_upload", "colab_download", "kaggle_output_dir", "keep_output"]

KAGGLE_WORKING = Path("/kaggle/working")   # the only folder Kaggle keeps after the session ("Output")


def on_colab() -> bool:
    """True inside a Google Colab runtime (its `google.colab` package is importable)."""
    try:
        return importlib.util.find_spec("google.colab") is not None
    except (ImportError, ValueError):   # no `google` package at all
        return False


def _colab(name):
    return importlib.import_module(f"google.colab.{name}")


def enable_colab_widgets() -> bool:
    """On Colab, let its page load third-party widget code (ipycanvas); True when it was enabled."""
    if not on_colab():
        return False
    try:
        _colab("output").enable_custom_widget_manager()
    except Exception:  # noqa: BLE001  (an old Colab: the brush falls back to boxes, see app/fallback.py)
        return False
    return True


def colab_upload() -> list:
    """Colab's own upload dialog (any size): [(file name, bytes)]; [] elsewhere."""
    if not on_colab():
        return []
    return list(_colab("files").upload().items())


def colab_download(path) -> bool:
    """Hand `path` to the browser with Colab's `files.download`; False elsewhere."""
    if not on_colab():
        return False
    _colab("files").download(str(path))
    return True


def kaggle_output_dir(env=None, working=KAGGLE_WORKING):
    """/kaggle/working on Kaggle (platforms.detect_platform, from its environment variables), else None."""
    env = os.environ if env is None else env
    if detect_platform(env, root="/nonexistent").name == "kaggle" and Path(working).is_dir():
        return Path(working)
    return None


def keep_output(path, env=None, working=KAGGLE_WORKING):
    """On Kaggle, a copy of `path` under /kaggle/working (unless it is there already); its path, else None."""
    folder = kaggle_output_dir(env, working)
    if folder is None:
        return None
    path = Path(path).resolve()
    if folder.resolve() in path.parents:
        return path
    kept = folder / path.name
    shutil.copyfile(path, kept)
    return kept
