"""The notebook app (ipywidgets): `App(editor, workdir)` with its Explore tab.

`main.py` is the editing app (upload, instruction, sliders, Edit / Stop / poster, history);
`explore.py` is the Explore tab (grids of variations); `start.py` loads the model for the app
with a download bar, or falls back to `demo` with a banner. Only this sub-package imports ipywidgets.
"""
from .main import App, available_samples
from .start import DownloadBar, fallback_banner, load_app_editor

__all__ = ["App", "available_samples", "load_app_editor", "DownloadBar", "fallback_banner"]
