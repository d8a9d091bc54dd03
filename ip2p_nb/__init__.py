"""ip2p_nb: InstructPix2Pix image editing for notebooks and workshops, in Chinese or English.

    from ip2p_nb import load_editor, make_poster
    editor = load_editor()                       # or load_editor("tiny") offline
    result = editor.edit("photo.jpg", "把天空换成夜晚", seed=7)
    make_poster(result, "poster.png")

Importing this package is cheap: torch and diffusers load on first use.

The parts (see docs/ARCHITECTURE.md): `editing/` (the editor, its loop, regions, previews, reuse,
reading photos), `models/` (the catalogue, loading, the hub, runtimes), `outputs/` (posters, grids,
metadata, fonts, atomic files), `serving/` (batches, the shared worker), `translation/` (Chinese ->
English), `app/` (the ipywidgets app), `cli/` (the command line), `train/` and `bench/`;
`attention/` (word maps, shared attention), `datagen/` (the paper's data engine),
`defaults.py`, `errors.py`, `resources.py`, `platforms.py` and `doctor.py` sit at the top.
"""
from importlib import import_module

__version__ = "0.1.0"

# public name -> module that defines it (imported lazily so `translate` never pays for torch)
_EXPORTS = {
    "load_editor": "editing.load", "Editor": "editing.editor", "EditResult": "editing.editor", "EditStopped": "editing.editor", "OutOfMemory": "editing.editor",
    "available_models": "models.catalogue", "ModelInfo": "models.catalogue", "available_schedulers": "models.loading",
    "translate": "translation", "Translation": "translation", "has_chinese": "translation", "available_backends": "translation",
    "make_poster": "outputs.poster",
    "explore": "outputs.grids", "Grid": "outputs.grids",
    "load_image": "editing.images", "resize_for_edit": "editing.images",
    "ItemResult": "editing.editor",   # what Editor.edit_many yields
    "DEFAULTS": "defaults", "RANGES": "defaults", "HINTS": "defaults", "check_settings": "defaults",
    "UserError": "errors", "SettingError": "errors",
    "hardware": "doctor", "suggest_max_size": "doctor", "estimate_seconds": "doctor",
    "detect_platform": "platforms", "outputs_dir": "platforms",   # Colab, Kaggle, ModelScope...; where kept files go
    "widget_mismatch": "platforms",     # ipywidgets 7 with a widgetsnbextension that leaves the app blank, and the fix
    "maps_grid": "outputs.wordmaps", "heat_overlay": "outputs.wordmaps",   # where each word acts, drawn
    "get_font": "outputs.fonts",        # a Pillow font that draws Chinese (the system's CJK font or the pinned package's)
    "App": "app", "available_samples": "app", "load_app_editor": "app",   # the notebook app (imports ipywidgets when first used)
}
__all__ = sorted(_EXPORTS)


def __getattr__(name):
    if name in _EXPORTS:
        return getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module 'ip2p_nb' has no attribute {name!r}")


def __dir__():
    return __all__
