"""The speed estimate under the settings: the "Fast" switch (deep-feature reuse) and the predicted time on a CPU.

`SpeedPanel(app)` reads the app's sliders and photo and says, in words, how long an edit will take on
this CPU ("" on a GPU; "a few seconds" for the toy models). `apply_defaults` sets the Fast switch and
the CPU steps for the editor's model, again after a model switch.
"""
import ipywidgets as widgets

from ..defaults import CPU_DEFAULTS, uses_cpu_defaults  # the Fast switch and the CPU time estimate
from ..doctor import default_runtime, describe_seconds, estimate_seconds
from ..editing.images import edit_size
from ..errors import UserError
from .settings import hint_html

__all__ = ["SpeedPanel", "FAST_HINT"]

FAST_HINT = (f"on = faster: the deep layers run once every {CPU_DEFAULTS['cache_interval']} steps (slightly different "
             "picture); off = exactly the model's own picture")


def device_of(editor):
    """"cpu", "cuda" or "mps" for the editor's model (a shared model's worker says which), None when unknown."""
    device = getattr(editor, "device", None)
    if device is None:
        device = getattr(getattr(editor, "pipe", None), "device", None)
    return getattr(device, "type", device)


class SpeedPanel:
    """The Fast switch and the time estimate of an `App`; see the module docstring."""

    def __init__(self, app):
        self.app = app
        self.fast = widgets.Checkbox(value=False, indent=False, description="快速 Fast")
        self.estimate = widgets.HTML("")
        self.shown = 0        # estimate texts written, for tests
        self.device, self.cpu_defaults = None, False

    def apply_defaults(self):
        """Set the Fast switch and the CPU steps for the editor's model, and show the estimate.

        Fast starts as the editor reuses by itself (load_editor: on for real models on a CPU, off on GPUs and for the
        toy models); real models on a CPU start at CPU_DEFAULTS' steps (their max_size comes from suggest_max_size).
        """
        editor = self.app.editor
        self.device = device_of(editor)
        self.cpu_defaults = self.device is not None and uses_cpu_defaults(self.device, getattr(editor, "model_name", None))
        if self.cpu_defaults:
            self.app.steps.value = getattr(self.app.editor, "default_steps", CPU_DEFAULTS["steps"])  # load_editor's (editing/cpu.py)
        self.fast.value = getattr(editor, "default_cache_interval", 1) > 1
        preparer = getattr(editor, "preparer", None)   # a faster engine made in the background: the line follows it
        if preparer is not None and self.update not in preparer.listeners:
            preparer.listeners.append(self.update)
        self.update()

    def cache_interval(self) -> int:
        """The cache_interval the Fast switch asks for: CPU_DEFAULTS["cache_interval"] when on, 1 (off) otherwise."""
        return CPU_DEFAULTS["cache_interval"] if self.fast.value else 1

    def text(self) -> str:
        """The predicted time of an edit at the widgets' settings, in words ("" on a GPU), and how far the faster
        engine is when one is being made in the background (models/prepare.py)."""
        if self.device != "cpu":
            return ""
        engine = getattr(self.app.editor, "engine_status", "")
        if not self.cpu_defaults:  # the toy models
            return "预计几秒 · a few seconds" + (f" · {engine}" if engine else "")
        app = self.app
        runtime = getattr(app.editor, "runtime", None) or default_runtime()
        size, photo = None, "square photo"
        if app.current_image is not None:
            try:
                size = edit_size(*app.current_image.size, app.max_size.value)
                photo = f"{size[0]}x{size[1]} px"
            except UserError:  # too narrow a photo: the edit itself will say so
                pass
        seconds = estimate_seconds(app.max_size.value, app.steps.value, {"device": "cpu", "probe": getattr(app.editor, "probe", None)},
                                   image_guidance=app.image_guidance.value, text_guidance=app.text_guidance.value,
                                   cache_interval=self.cache_interval(), runtime=runtime, size=size)
        words = describe_seconds(seconds)
        minutes = f"约 {seconds / 60:.0f} 分钟" if seconds >= 90 else f"约 {max(5, round(seconds / 5) * 5):.0f} 秒"
        return f"预计{minutes} · {words} on this CPU ({photo}, {runtime})" + (f" · {engine}" if engine else "")

    def update(self):
        text = self.text()
        self.estimate.value = hint_html(text) if text else ""
        self.shown += 1
