"""The app's model menu: pick a catalogue model; it loads in the background while the current one keeps working.

`ModelPicker(app)` is a dropdown of the catalogue's short names (ip2p_nb/models/catalogue.py) with a line on what
the chosen model is good at and the same download bar as the app's first start (app/start.py). Choosing a
model loads it in a thread with `load_with_bar` (memory guard, download display); until it is ready the
app keeps editing with the previous model. When it is ready, `App.use_editor` switches to it and sets its
size range and defaults on the sliders; when it cannot load, the app says why in one sentence, the menu
goes back to the previous model, and that model stays in use. Hidden in shared mode, where one worker
holds the model for every page.
"""
import html
import threading

import ipywidgets as widgets

from ..errors import UserError
from ..models.catalogue import find_model, model_names
from .start import DownloadBar, load_with_bar

__all__ = ["ModelPicker", "catalogue_name"]


def catalogue_name(editor) -> str:
    """The short name of the model `editor` runs ("timbrooks/instruct-pix2pix" -> "instruct-pix2pix"), else its own name."""
    name = getattr(editor, "model_name", None) or "custom"
    known = find_model(name)
    return known.name if known else name


def _about(name: str) -> str:
    known = find_model(name)
    if known is None:
        return ""
    text = f"{known.good_at} · {known.native_size} px · {known.licence}"
    if known.hub_id:
        text += f" · ~{known.download_gb:g} GB download, ~{known.gpu_gb:g} GB GPU memory"
    return f"<div style='color:#666;font-size:12px;margin:-4px 0 6px 8px'>{html.escape(text)}</div>"


class ModelPicker:
    """The model dropdown of an `App`; see the module docstring."""

    def __init__(self, app):
        self.app = app
        self.current = catalogue_name(app.editor)
        names = model_names()
        self.dropdown = widgets.Dropdown(options=names if self.current in names else [self.current, *names], value=self.current,
                                         description="模型 Model", style={"description_width": "150px"},
                                         layout=widgets.Layout(width="98%"))
        self.about = widgets.HTML(_about(self.current))
        self.bar = DownloadBar()
        self.widget = widgets.VBox([self.dropdown, self.about, self.bar.widget])
        self.loads = 0              # models switched to, for tests
        self.failures = 0           # loads that failed, for tests
        self._thread = None
        self._reverting = False
        if getattr(app.editor, "shared", False):   # the worker's model is every page's model
            self.widget.layout.display = "none"
        self.dropdown.observe(self._on_dropdown_change, names="value")

    def _on_dropdown_change(self, change):
        if not self._reverting and change["new"] != self.current:
            self.switch(change["new"])

    def switch(self, name: str) -> None:
        """Load model `name` in the background; the app keeps the current model until it is ready."""
        previous = self.current
        self.dropdown.disabled = True
        self.about.value = _about(name)
        self.bar = DownloadBar()
        self.widget.children = [self.dropdown, self.about, self.bar.widget]
        self.app.show_message(f"正在加载模型 Loading {name}…; {previous} stays in use until it is ready.", "busy")
        self._thread = threading.Thread(target=self._load, args=(name, previous), daemon=True)
        self._thread.start()

    def wait(self, timeout=None) -> bool:
        """Wait for a model load to finish; True when none is running."""
        if self._thread is not None:
            self._thread.join(timeout)
        return self._thread is None or not self._thread.is_alive()

    def _load(self, name, previous):
        try:
            editor = load_with_bar(name, self.bar)
        except UserError as e:
            return self._failed(previous, str(e))
        except Exception as e:  # noqa: BLE001  (whatever happens, the previous model stays in use)
            return self._failed(previous, f"{name} could not be loaded ({type(e).__name__}: {str(e)[:120]})")
        finally:
            self.dropdown.disabled = False
        self.current = name
        self.loads += 1
        self.app.use_editor(editor)
        self.app.show_message(f"模型已切换 Now editing with {name}; its size range and defaults are on the sliders.")

    def _failed(self, previous, why):
        self.failures += 1
        self._reverting = True
        try:
            self.dropdown.value = previous
        finally:
            self._reverting = False
        self.about.value = _about(previous)
        self.app.show_message(f"{why.rstrip('.')}; the app keeps using {previous} / 继续使用 {previous}.", "error")
