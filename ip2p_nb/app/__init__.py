"""The notebook app (ipywidgets): `App(editor, workdir)` with its Explore tab.

`main.py` is the editing app, built from panels (photo.py, instruction.py, settings.py, estimate.py,
result.py; the brush mask.py or its stand-in fallback.py), running the same on ipywidgets 7 and 8 (compat.py);
`explore.py` is the Explore tab (grids of variations); `start.py` loads the model for the app
with a download bar, or falls back to `demo` with a banner. Only this sub-package imports ipywidgets.
"""
from .main import App, available_samples
from .start import DownloadBar, fallback_banner, load_app_editor

__all__ = ["App", "available_samples", "load_app_editor", "DownloadBar", "fallback_banner"]
