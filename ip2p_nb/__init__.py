"""ip2p_nb: InstructPix2Pix image editing for notebooks and workshops, in Chinese or English.

    from ip2p_nb import load_editor, make_poster
    editor = load_editor()                       # or load_editor("tiny") offline
    result = editor.edit("photo.jpg", "把天空换成夜晚", seed=7)
    make_poster(result, "poster.png")

Importing this package is cheap: torch and diffusers load on first use.

The parts (see docs/ARCHITECTURE.md): the editing core in this folder (`editor`, `loading`,
`images`, `defaults`, `poster`, `grids`, `metadata`...), and the sub-packages `translation/`
(Chinese -> English), `app/` (the ipywidgets app), `train/` (the training recipe and the toy
scenes) and `bench/` (speed measurement). `cli.py` is the command line.
"""
from importlib import import_module

__version__ = "0.1.0"

# public name -> module that defines it (imported lazily so `translate` never pays for torch)
_EXPORTS = {
    "load_editor": "editor", "Editor": "editor", "EditResult": "editor", "EditStopped": "editor", "OutOfMemory": "editor",
    "available_models": "models", "ModelInfo": "models", "available_schedulers": "loading",
    "translate": "translation", "Translation": "translation", "has_chinese": "translation", "available_backends": "translation",
    "make_poster": "poster",
    "explore": "grids", "Grid": "grids",
    "load_image": "images", "resize_for_edit": "images",
    "ItemResult": "editor",   # what Editor.edit_many yields
    "DEFAULTS": "defaults", "RANGES": "defaults", "HINTS": "defaults", "check_settings": "defaults",
    "UserError": "errors", "SettingError": "errors",
    "hardware": "doctor", "suggest_max_size": "doctor", "estimate_seconds": "doctor",
    "App": "app", "available_samples": "app", "load_app_editor": "app",   # the notebook app (imports ipywidgets when first used)
}
__all__ = sorted(_EXPORTS)


def __getattr__(name):
    if name in _EXPORTS:
        return getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module 'ip2p_nb' has no attribute {name!r}")


def __dir__():
    return __all__
