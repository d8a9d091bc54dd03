"""The notebook app (ipywidgets): `App(editor, workdir)` with its Explore tab.

`main.py` is the editing app (upload, instruction, sliders, Edit / Stop / poster, history);
`explore.py` is the Explore tab (grids of variations). Only this sub-package imports ipywidgets.
"""
from .main import App, available_samples

__all__ = ["App", "available_samples"]
