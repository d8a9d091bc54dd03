"""Panel 3, the settings: the model menu, the guidance and steps sliders, size, seed, and the sampler.

`SettingsPanel(app)` holds the sliders (each with its hint from `defaults.HINTS`), the seed, the
model menu (`picker.ModelPicker`) and, under "Advanced settings", the sampler. `apply_model_defaults`
puts the editor's model's size range and defaults on the sliders; `use_editor` follows a model switch;
`values()` reads what an edit needs. The speed estimate sits below it (estimate.py).
"""
import html

import ipywidgets as widgets

from ..defaults import DEFAULT_SCHEDULER, DEFAULTS, HINTS, RANGES, model_defaults
from ..doctor import suggest_max_size
from ..models.samplers import available_schedulers, schedulers_for
from .compat import accordion
from .picker import ModelPicker

__all__ = ["SettingsPanel", "hint_html", "hint"]


def hint_html(text: str) -> str:
    """A grey line of explanation under a widget."""
    return f"<div style='color:#666;font-size:12px;margin:-4px 0 6px 8px'>{html.escape(text)}</div>"


def hint(text: str) -> widgets.HTML:
    return widgets.HTML(hint_html(text))


def _slider(kind, name, label, step):
    low, high = RANGES[name]
    value = DEFAULTS[name]   # max_size: the model's and the machine's, set right after (apply_model_defaults)
    return kind(value=value, min=low, max=high, step=step, description=label, continuous_update=False,
                style={"description_width": "150px"}, layout=widgets.Layout(width="98%"))


def _samplers(editor) -> list:
    """The samplers this model can use (CosXL Edit: the EDM ones only); a shared editor has no pipeline here."""
    pipe = getattr(editor, "pipe", None)
    return schedulers_for(pipe) if pipe is not None else available_schedulers()


def _set_range(slider, low, high, value, step):
    """Give `slider` a new range and value (widened first: a slider refuses min > max on the way)."""
    slider.min, slider.max = min(slider.min, low), max(slider.max, high)
    slider.value = value
    slider.min, slider.max, slider.step = low, high, step


class SettingsPanel:
    """The sliders, seed, model menu and sampler of an `App`; see the module docstring."""

    def __init__(self, app):
        self.app = app
        self.image_guidance = _slider(widgets.FloatSlider, "image_guidance", "图片引导强度 Image", 0.1)
        self.text_guidance = _slider(widgets.FloatSlider, "text_guidance", "文本引导强度 Text", 0.5)
        self.steps = _slider(widgets.IntSlider, "steps", "步数 Steps", 1)
        self.max_size = _slider(widgets.IntSlider, "max_size", "最大边长 Max size", 64)
        self.apply_model_defaults()
        self.seed = widgets.IntText(value=0, description="种子 Seed", style={"description_width": "150px"},
                                    layout=widgets.Layout(width="300px"))
        self.random_seed = widgets.Checkbox(value=True, description="随机 random", indent=False)
        sampler = getattr(app.editor, "sampler", DEFAULT_SCHEDULER)
        names = _samplers(app.editor)
        self.scheduler = widgets.Dropdown(options=names if sampler in names else [sampler, *names], value=sampler,
                                          description="采样器 Sampler", style={"description_width": "150px"},
                                          layout=widgets.Layout(width="98%"))
        self.picker = ModelPicker(app)   # the model menu: loads another model while this one keeps working
        self.advanced = accordion([widgets.VBox([self.scheduler, hint(
            f"{DEFAULT_SCHEDULER} is the default; Heun, DPM2 and DPM++ SDE call the model twice per step (twice the time).")])],
            ["高级设置 Advanced settings"])

    def children(self) -> list:
        """The panel's widgets, top to bottom (the speed switch and the estimate follow them)."""
        return [widgets.HTML("<b>3. 参数 Settings</b>"), self.picker.widget,
                self.image_guidance, hint(HINTS["image_guidance"]), self.text_guidance, hint(HINTS["text_guidance"]),
                self.steps, hint(HINTS["steps"]), self.max_size, hint(HINTS["max_size"]),
                widgets.HBox([self.seed, self.random_seed]), hint(HINTS["seed"])]

    def apply_model_defaults(self):
        """Put the editor's model's size range and defaults (defaults.MODEL_DEFAULTS) on the sliders."""
        editor = self.app.editor
        own = model_defaults(getattr(editor, "model_name", None) or "custom")
        low, high = getattr(editor, "size_range", RANGES["max_size"])   # what the editor itself accepts
        size = getattr(editor, "default_max_size", DEFAULTS["max_size"])
        if own is not None:
            low, high, size = max(low, own.size_range[0]), min(high, own.size_range[1]), own.max_size
            for name in ("image_guidance", "text_guidance", "steps"):
                getattr(self, name).value = getattr(own, name)
        if low >= RANGES["max_size"][0]:   # real models: no more than this machine handles comfortably
            size = max(low, min(size, getattr(editor, "suggested_max_size", None) or suggest_max_size()))   # a room: the worker's
        _set_range(self.max_size, low, high, size, step=64 if low >= RANGES["max_size"][0] else 8)   # 8: the 64 px demo

    def use_editor(self, editor):
        """The model menu switched to `editor`: its size range, defaults and sampler."""
        self.apply_model_defaults()
        sampler = getattr(editor, "sampler", DEFAULT_SCHEDULER)
        names = _samplers(editor)
        self.scheduler.options = names if sampler in names else [sampler, *names]
        self.scheduler.value = sampler

    def values(self) -> dict:
        """The slider and seed settings of an edit (the Fast switch adds cache_interval)."""
        return dict(image_guidance=self.image_guidance.value, text_guidance=self.text_guidance.value,
                    steps=self.steps.value, max_size=self.max_size.value,
                    seed=None if self.random_seed.value else self.seed.value)
