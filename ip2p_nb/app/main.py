"""The notebook app: upload a photo, type an instruction, edit, compare, make a poster.

`App(editor, workdir=".")` builds the ipywidgets interface; show it with `app.display()` or
`display(app.widget)`. The edit runs in a background thread so the widgets never freeze:
the progress bar moves each step, the After panel shows the picture forming (a preview every few
steps, with its step; after Stop the last preview stays, marked as a preview, not a result), the
sampler is chosen under "Advanced settings", Stop ends the run within a step, a second Edit click while
running does nothing, and every failure becomes one sentence in the message area while the
app stays usable (an unexpected error's traceback goes to the collapsed "Debug" box).
`poster.png` is written into `workdir` (the notebook's folder) and offered as a download; with a
shared model (`app.shared.SharedEditor`) into `workdir/outputs/<visitor>/`, the status shows the
edit's place in the queue, and the Explore tab is left out (its grids need the model in the kernel).

For the Explore tab (`explore.ExplorePanel(app)`) the app exposes:
`editor`, `current_image` (PIL or None), the widgets `instruction`, `prompt`, `image_guidance`,
`text_guidance`, `steps`, `max_size`, `seed`, `random_seed`, plus `show_message(text, kind)`
and `busy`. Only the `app` sub-package imports ipywidgets.
"""
import base64
import html
import io
import threading
import time
import traceback
import warnings
from functools import partial
from pathlib import Path

import ipywidgets as widgets
from PIL import Image

from ..defaults import DEFAULT_SCHEDULER, DEFAULTS, HINTS, RANGES, model_defaults
from ..doctor import suggest_max_size
from ..editing.editor import EditStopped, OutOfMemory
from ..errors import UserError
from ..editing.images import edit_size, load_image
from ..outputs.metadata import save_png
from ..models.loading import available_schedulers, schedulers_for
from ..defaults import CPU_DEFAULTS, uses_cpu_defaults  # the Fast switch and the CPU time estimate
from ..doctor import default_runtime, describe_seconds, estimate_seconds
from ..outputs.poster import make_poster
from ..resources import SAMPLES_DIR
from ..translation import available_backends, translate
from ..translation.chain import last_error as neural_last_error
from .common import EMPTY_PICTURE, png_bytes, seconds_left
from .explore import ExplorePanel
from .mask import MaskPainter
from .picker import ModelPicker
from .start import fallback_banner, scene_samples

__all__ = ["App", "available_samples"]

PREVIEW_SIZE = 512      # longest side of the before/after previews sent to the browser
THUMB_SIZE = 112        # history thumbnails
HISTORY_LIMIT = 12      # oldest results are dropped beyond this, to keep the page light
_COLORS = {"info": "#1f5f3a", "warning": "#8a5a00", "error": "#a12622", "busy": "#3b4aa8"}
_BACKEND_NAMES = {"english": "typed in English", "googletrans": "Google Translate", "marian": "local MarianMT model",
                  "builtin": "built-in offline translator", "builtin-partial": "built-in translator, partly",
                  "none": "not translated", "override": "edited by hand / 手动修改"}


class _Stop(Exception):
    """Raised from the progress callback when Stop was clicked; the editor turns it into EditStopped."""


def available_samples() -> dict:
    """{label: path} of the sample photos found in `SAMPLES_DIR`."""
    if not SAMPLES_DIR.is_dir():
        return {}
    return {p.stem: p for p in sorted(SAMPLES_DIR.iterdir()) if p.suffix.lower() in (".jpg", ".jpeg", ".png")}


def _hint_html(text: str) -> str:
    return f"<div style='color:#666;font-size:12px;margin:-4px 0 6px 8px'>{html.escape(text)}</div>"


def _not_understood_html(words) -> str:
    """The Chinese words the model would never see, in the colour of a warning."""
    listed = html.escape("、".join(words))
    return (f"<div style='color:{_COLORS['warning']};font-size:12px;margin:-4px 0 6px 8px'>"
            f"not understood: <b>{listed}</b> - type the English / 没看懂：<b>{listed}</b>，请在上面写英文</div>")


def _hint(text: str) -> widgets.HTML:
    return widgets.HTML(_hint_html(text))


def _slider(kind, name, label, step):
    low, high = RANGES[name]
    value = suggest_max_size() if name == "max_size" else DEFAULTS[name]
    return kind(value=value, min=low, max=high, step=step, description=label, continuous_update=False,
                style={"description_width": "150px"}, layout=widgets.Layout(width="98%"))



def _samplers(editor) -> list:
    """The samplers this model can use (CosXL Edit: the EDM ones only); a shared editor has no pipeline here."""
    pipe = getattr(editor, "pipe", None)
    return schedulers_for(pipe) if pipe is not None else available_schedulers()

class App:
    """The editing app around an `Editor`; see the module docstring."""

    def __init__(self, editor, workdir=".", fallback=None):
        self.editor = editor
        self.fallback = fallback        # why the app runs on `demo` instead of the model asked for (a banner), or None
        self.scenes = scene_samples() if getattr(editor, "model_name", None) == "demo" else {}
        self.visitor = getattr(editor, "visitor", None)   # shared mode: this page's own folder for its posters
        self.workdir = Path(workdir) / "outputs" / self.visitor if self.visitor else Path(workdir)
        self.current_image = None       # the photo the next edit starts from (PIL RGB)
        self.results = []               # history of EditResults, oldest first
        self.busy = False
        self.runs = 0                   # edits started, for tests and the status line
        self._stop = threading.Event()
        self._thread = None
        self._auto_prompt = ("", "none")  # (English text, backend) from the last translation
        self._not_understood = ()         # Chinese words the last translation left untranslated
        self._poster_result = None
        self.retry_size = None          # max_size offered after the GPU ran out of memory
        self._build()
        self._wire()

    # ------------------------------------------------------------------ layout
    def _build(self):
        self.painter = MaskPainter()    # the brush on the photo: mask, "only this region", "keep full size"
        self._build_inputs()
        self._build_outputs()
        controls = widgets.VBox(
            [widgets.HTML("<b>1. 照片 Photo</b>"), widgets.HBox([self.upload, self.sample]), self.painter.widget,
             widgets.HTML("<b>2. 编辑指令 Instruction</b>"), self.instruction, self.prompt, self.backend_label, self.neural,
             widgets.HTML("<b>3. 参数 Settings</b>"), self.picker.widget, self.image_guidance, _hint(HINTS["image_guidance"]),
             self.text_guidance, _hint(HINTS["text_guidance"]), self.steps, _hint(HINTS["steps"]),
             self.max_size, _hint(HINTS["max_size"]), widgets.HBox([self.seed, self.random_seed]), _hint(HINTS["seed"]),
             self.fast, _hint(_FAST_HINT), self.estimate,
             self.advanced,
             widgets.HBox([self.edit_button, self.stop_button, self.poster_button, self.retry_button]),
             widgets.HBox([self.progress, self.status]), self.message],
            layout=widgets.Layout(flex="1 1 400px", min_width="360px", padding="0 12px 0 0"))
        pictures = widgets.VBox([widgets.HBox([self._card("原图 Before", self.before), self._card(self.after_title, self.after)]),
                                 self.download, self.poster_image], layout=widgets.Layout(flex="2 1 480px"))
        history = widgets.VBox([widgets.HTML("<b>历史 History</b> <span style='color:#666'>"
                                             "(点击 “作为输入” 继续编辑 · use a result as the next input)</span>"), self.history])
        self.banner = widgets.HTML(fallback_banner(self.fallback) if self.fallback else "",
                                   layout=widgets.Layout(display=None if self.fallback else "none"))
        page = widgets.VBox([self.banner, widgets.HBox([controls, pictures], layout=widgets.Layout(flex_flow="row wrap")),
                             history, self.debug_box])
        self.widget = widgets.Tab(children=[page], titles=["编辑 Edit"])
        if not getattr(self.editor, "shared", False):   # grids need the model in this kernel
            self._add_explore_tab()

    def _build_inputs(self):
        self.upload = widgets.FileUpload(accept="image/*", multiple=False, description="上传 Upload")
        self.sample = widgets.Dropdown(options=self._sample_options(), value="", layout=widgets.Layout(width="210px"))
        self.instruction = widgets.Text(placeholder="例如 e.g.: 把天空换成夜晚 / make it snowy", continuous_update=False,
                                        description="指令", layout=widgets.Layout(width="98%"))
        self.prompt = widgets.Text(placeholder="English prompt (translated, editable)", continuous_update=False,
                                   description="English", layout=widgets.Layout(width="98%"))
        self.backend_label = widgets.HTML(_hint_html("The English prompt the model sees; edit it if the translation is off."))
        self.neural = widgets.Checkbox(value="marian" in available_backends(), indent=False,
                                       description="神经网络翻译 Neural translator (MarianMT; downloads ~300 MB once)")
        self.image_guidance = _slider(widgets.FloatSlider, "image_guidance", "图片引导强度 Image", 0.1)
        self.text_guidance = _slider(widgets.FloatSlider, "text_guidance", "文本引导强度 Text", 0.5)
        self.steps = _slider(widgets.IntSlider, "steps", "步数 Steps", 1)
        self.max_size = _slider(widgets.IntSlider, "max_size", "最大边长 Max size", 64)
        self.apply_model_defaults()
        self.seed = widgets.IntText(value=0, description="种子 Seed", style={"description_width": "150px"},
                                    layout=widgets.Layout(width="300px"))
        self.random_seed = widgets.Checkbox(value=True, description="随机 random", indent=False)
        self._build_speed()
        sampler = getattr(self.editor, "sampler", DEFAULT_SCHEDULER)
        names = _samplers(self.editor)
        self.scheduler = widgets.Dropdown(options=names if sampler in names else [sampler, *names], value=sampler,
                                          description="采样器 Sampler", style={"description_width": "150px"},
                                          layout=widgets.Layout(width="98%"))
        self.picker = ModelPicker(self)   # the model menu: loads another model while this one keeps working
        self.advanced = widgets.Accordion(children=[widgets.VBox([self.scheduler, _hint(
            f"{DEFAULT_SCHEDULER} is the default; Heun, DPM2 and DPM++ SDE call the model twice per step (twice the time).")])],
            titles=["高级设置 Advanced settings"], selected_index=None)

    def _sample_options(self) -> list:
        if self.scenes:  # the demo model edits only its own cartoon scenes
            return [("示例场景 Sample scene…", "")] + [(name, f"scene:{name}") for name in self.scenes]
        return [("示例照片 Sample photo…", "")] + [(name, str(path)) for name, path in available_samples().items()]

    def apply_model_defaults(self):
        """Put the editor's model's size range and defaults (defaults.MODEL_DEFAULTS) on the sliders."""
        own = model_defaults(getattr(self.editor, "model_name", None) or "custom")
        low, high = getattr(self.editor, "size_range", RANGES["max_size"])   # what the editor itself accepts
        size = getattr(self.editor, "default_max_size", DEFAULTS["max_size"])
        if own is not None:
            low, high, size = max(low, own.size_range[0]), min(high, own.size_range[1]), own.max_size
            for name in ("image_guidance", "text_guidance", "steps"):
                getattr(self, name).value = getattr(own, name)
        if low >= RANGES["max_size"][0]:   # real models: no more than this machine handles comfortably
            size = max(low, min(size, suggest_max_size()))
        _set_range(self.max_size, low, high, size, step=64 if low >= RANGES["max_size"][0] else 8)   # 8: the 64 px demo

    def use_editor(self, editor):
        """Edit with `editor` from now on (the model menu's switch): its size range, defaults, sampler and samples."""
        self.editor = editor
        self.fallback, self.banner.layout.display = None, "none"
        self.scenes = scene_samples() if getattr(editor, "model_name", None) == "demo" else {}
        self.sample.options, self.sample.value = self._sample_options(), ""
        self.apply_model_defaults()
        sampler = getattr(editor, "sampler", DEFAULT_SCHEDULER)
        names = _samplers(editor)
        self.scheduler.options = names if sampler in names else [sampler, *names]
        self.scheduler.value = sampler
        self.apply_speed_defaults()   # the Fast switch and the estimate follow the new model

    def _build_outputs(self):
        self.edit_button = widgets.Button(description="编辑 Edit", button_style="primary", icon="magic")
        self.stop_button = widgets.Button(description="停止 Stop", button_style="warning", disabled=True)
        self.poster_button = widgets.Button(description="生成海报 Generate poster", button_style="success", disabled=True,
                                            layout=widgets.Layout(width="190px"))
        self.retry_button = widgets.Button(description="retry", layout=widgets.Layout(display="none", width="190px"))
        self.progress = widgets.IntProgress(value=0, min=0, max=1, layout=widgets.Layout(width="50%"))
        self.status = widgets.Label("")
        self.message = widgets.HTML("")
        self.before = widgets.Image(value=EMPTY_PICTURE, format="png", layout=_picture_layout())
        self.after = widgets.Image(value=EMPTY_PICTURE, format="png", layout=_picture_layout())
        self.after.add_class("ip2p-after")                      # for the browser test
        self.after_title = widgets.HTML(_title_html(_AFTER))   # says "preview, step k/n" while the picture forms
        self.preview_step = 0                                   # step of the preview shown in After (0: none)
        self.previews_shown = 0                                 # previews shown so far, for tests
        self.queue_places = []                                  # shared mode: the queue places shown, for tests
        self.download = widgets.HTML("")
        self.poster_image = widgets.Image(format="png", layout=widgets.Layout(max_width="560px", display="none"))
        self.history = widgets.HBox([], layout=widgets.Layout(overflow_x="auto", min_height="40px"))
        self.debug = widgets.Output()
        self.debug_box = widgets.Accordion(children=[self.debug], titles=["调试 Debug"], selected_index=None)

    @staticmethod
    def _card(title, image):
        label = title if isinstance(title, widgets.Widget) else widgets.HTML(_title_html(title))
        return widgets.VBox([label, image], layout=widgets.Layout(width="50%", padding="0 4px", align_items="center"))

    def _add_explore_tab(self):

        self.widget.children = (*self.widget.children, ExplorePanel(self).widget)
        self.widget.set_title(1, "探索 Explore")

    def _wire(self):
        self.upload.observe(self._on_upload_change, names="value")
        self.sample.observe(self._on_sample_change, names="value")
        self.instruction.observe(self._on_instruction_change, names="value")
        self.prompt.observe(self._on_prompt_change, names="value")
        self.neural.observe(self._on_neural_change, names="value")
        self.edit_button.on_click(self._on_edit_click)
        self.stop_button.on_click(self._on_stop_click)
        self.poster_button.on_click(self._on_poster_click)
        self.retry_button.on_click(self._on_retry_click)
        for widget in (self.max_size, self.steps, self.image_guidance, self.text_guidance, self.fast):
            widget.observe(self._on_estimate_change, names="value")

    def _build_speed(self):
        """The "Fast" switch (deep-feature reuse) and the time estimate; see `apply_speed_defaults`."""
        self.fast = widgets.Checkbox(value=False, indent=False, description="快速 Fast")
        self.estimate = widgets.HTML("")
        self.estimates_shown = 0        # estimate texts written, for tests
        self.apply_speed_defaults()

    def apply_speed_defaults(self):
        """Set the Fast switch and the CPU steps for the editor's model, and show the estimate (again after a model switch).

        Fast starts as the editor reuses by itself (load_editor: on for real models on a CPU, off on GPUs and for the
        toy models); real models on a CPU start at the editor's steps (CPU_DEFAULTS' with its sampler) (their max_size comes from suggest_max_size).
        """
        self.device = _device_of(self.editor)
        self.cpu_defaults = self.device is not None and uses_cpu_defaults(self.device, getattr(self.editor, "model_name", None))
        if self.cpu_defaults:
            self.steps.value = getattr(self.editor, "default_steps", CPU_DEFAULTS["steps"])  # load_editor's (editing/cpu.py)
        self.fast.value = getattr(self.editor, "default_cache_interval", 1) > 1
        self._update_estimate()

    def cache_interval(self) -> int:
        """The cache_interval the Fast switch asks for: CPU_DEFAULTS["cache_interval"] when on, 1 (off) otherwise."""
        return CPU_DEFAULTS["cache_interval"] if self.fast.value else 1

    def estimate_text(self) -> str:
        """The predicted time of an edit at the widgets' settings, in words ("" on a GPU)."""
        if self.device != "cpu":
            return ""
        if not self.cpu_defaults:  # the toy models
            return "预计几秒 · a few seconds"
        runtime = getattr(self.editor, "runtime", None) or default_runtime()
        size, photo = None, "square photo"
        if self.current_image is not None:
            try:
                size = edit_size(*self.current_image.size, self.max_size.value)
                photo = f"{size[0]}x{size[1]} px"
            except UserError:  # too narrow a photo: the edit itself will say so
                pass
        seconds = estimate_seconds(self.max_size.value, self.steps.value, {"device": "cpu"},
                                   image_guidance=self.image_guidance.value, text_guidance=self.text_guidance.value,
                                   cache_interval=self.cache_interval(), runtime=runtime, size=size)
        words = describe_seconds(seconds)
        minutes = f"约 {seconds / 60:.0f} 分钟" if seconds >= 90 else f"约 {max(5, round(seconds / 5) * 5):.0f} 秒"
        return f"预计{minutes} · {words} on this CPU ({photo}, {runtime})"

    def _update_estimate(self):
        text = self.estimate_text()
        self.estimate.value = _hint_html(text) if text else ""
        self.estimates_shown += 1

    def display(self):
        """Show the app in the notebook (same as `display(app.widget)`)."""
        from IPython.display import display  # noqa: PLC0415

        display(self.widget)

    # ------------------------------------------------------------------ messages
    def show_message(self, text, kind="info"):
        """Show one sentence in the message area; kind is "info", "warning", "error" or "busy"."""
        color = _COLORS.get(kind, _COLORS["info"])
        self.message.value = f"<div style='color:{color};padding:4px 0'>{html.escape(str(text))}</div>"

    def _unexpected(self, error, what="Something went wrong"):
        self.show_message(f"{what} ({type(error).__name__}: {str(error)[:120]}); details are in Debug below.", "error")
        self.debug.append_stdout("".join(traceback.format_exception(type(error), error, error.__traceback__)))

    def _guard(self, handler, *args):
        """Run a handler; a UserError becomes its sentence, anything else a short sentence plus a traceback."""
        try:
            handler(*args)
        except UserError as e:
            self.show_message(str(e), "error")
        except Exception as e:  # noqa: BLE001  (the app must stay usable whatever happens)
            self._unexpected(e)

    # ------------------------------------------------------------------ handlers
    def _on_upload_change(self, change):
        if change["new"]:
            self._guard(self._use_upload, change["new"][0])

    def _on_sample_change(self, change):
        if change["new"].startswith("scene:"):
            name = change["new"][len("scene:"):]
            self._guard(self._set_input, self.scenes[name], f"Sample {name.split(':')[0]}")
        elif change["new"]:
            self._guard(self._set_input, load_image(change["new"]), f"Sample photo {Path(change['new']).stem}")

    def _on_instruction_change(self, change):
        self._guard(self._translate, change["new"])

    def _on_neural_change(self, change):
        if change["new"] and "marian" not in available_backends():
            self._guard(self._fetch_neural)
        else:
            self._guard(self._translate, self.instruction.value)

    def _on_prompt_change(self, change):
        text, backend = self._auto_prompt
        label = _BACKEND_NAMES[backend] if change["new"].strip() == text else _BACKEND_NAMES["override"]
        self.backend_label.value = _hint_html(f"English prompt via {label}; edit it if the translation is off.")
        if self._not_understood and change["new"].strip() == text:
            self.backend_label.value += _not_understood_html(self._not_understood)

    def _on_edit_click(self, _button):
        self._guard(self.start_edit)

    def _on_stop_click(self, _button):
        self._stop.set()
        self.status.value = "stopping… / 正在停止…"

    def _on_poster_click(self, _button):
        self._guard(self._poster, self._poster_result)

    def _on_estimate_change(self, _change):
        self._guard(self._update_estimate)

    def _on_retry_click(self, _button):
        self.max_size.value = self.retry_size
        self._guard(self.start_edit)

    def _on_history_use_click(self, result, _button):
        self._guard(self._set_input, result.image, f"Result (seed {result.seed}) is the new input")

    def _on_history_poster_click(self, result, _button):
        self._guard(self._poster, result)

    # ------------------------------------------------------------------ actions
    def _use_upload(self, item):
        try:
            if hasattr(self.editor, "check_upload"):     # the shared app's size limit, in one sentence
                self.editor.check_upload(len(item["content"]))
            image = load_image(bytes(item["content"]))  # the bytes only: the file name is never used as a path
        finally:
            self.upload.value = ()  # so the same file can be chosen again
        self._set_input(image, "Photo uploaded")

    def _set_input(self, image, what):
        self.current_image = image
        self.painter.set_image(image)
        self.before.value = png_bytes(image, PREVIEW_SIZE)
        self.after.value = EMPTY_PICTURE
        self._update_estimate()   # a photo that is not square takes less time than the square estimate
        self.show_message(f"{what} ({image.width}x{image.height}); type an instruction and press Edit / 编辑.")

    def _translate(self, text):
        if not text.strip():
            self._auto_prompt, self._not_understood = ("", "none"), ()
            self.prompt.value = ""
            return
        t = translate(text.strip(), marian="auto" if self.neural.value else "off")  # never a download here
        self._auto_prompt, self._not_understood = (t.text, t.backend), t.untranslated
        self.prompt.value = t.text
        self._on_prompt_change({"new": t.text})  # refresh the label even when the text did not change

    def _fetch_neural(self):
        """Download and load MarianMT (~300 MB, once) in a thread: the app stays usable meanwhile."""
        self.neural.disabled = True
        self.show_message("正在下载神经网络翻译模型（约 300 MB，只需一次）… / Downloading the neural translator "
                          "(~300 MB, once)…", "busy")

        def work():
            try:
                ready = translate("天空", marian="download", backends=["marian"]).backend == "marian"
            except Exception:  # noqa: BLE001  (any failure: the built-in translator stays in use)
                ready = False
            self.neural.disabled = False
            if ready:
                self.show_message("神经网络翻译已就绪 / The neural translator is ready.")
                self._guard(self._translate, self.instruction.value)
            else:
                why = (neural_last_error() or "no answer").split(": ", 1)[-1][:160]
                self.neural.value = False
                self.show_message(f"Could not get the neural translator ({why}); the built-in translator is used. "
                                  "/ 无法下载神经网络翻译，继续使用内置翻译。", "warning")

        self._neural_thread = threading.Thread(target=work, daemon=True)
        self._neural_thread.start()

    def settings(self) -> dict:
        """The edit settings as the widgets show them now."""
        return dict(image_guidance=self.image_guidance.value, text_guidance=self.text_guidance.value,
                    steps=self.steps.value, max_size=self.max_size.value,
                    seed=None if self.random_seed.value else self.seed.value, cache_interval=self.cache_interval())

    def start_edit(self):
        """Start an edit in a background thread (only says so while something is running)."""
        if self.busy:
            self.show_message("已有任务在运行 Something is already running; wait for it or press Stop.", "warning")
            return
        if self.current_image is None:
            raise UserError("Choose a photo first: upload one or pick a sample / 请先上传或选择一张照片.")
        english = self.prompt.value.strip() or None
        if self.scheduler.value != getattr(self.editor, "sampler", self.scheduler.value):
            self.editor.use_scheduler(self.scheduler.value)  # refused in one sentence while the Explore tab runs
        settings = {**self.settings(), **self.painter.edit_options(self.current_image.size)}  # mask= and region=
        args = (self.current_image, self.instruction.value, english, settings)
        self._set_busy(True)
        self.runs += 1
        self._thread = threading.Thread(target=self._run, args=args, daemon=True)
        self._thread.start()

    def wait(self, timeout=None) -> bool:
        """Wait for the running edit to finish; True when nothing is running any more."""
        if self._thread is not None:
            self._thread.join(timeout)
        return not self.busy

    def _set_busy(self, busy):
        self.busy = busy
        self.edit_button.disabled = busy
        self.stop_button.disabled = not busy
        if busy:
            self._stop.clear()
            self.preview_step = 0
            self.retry_button.layout.display = "none"
            self.progress.value, self.status.value = 0, "starting… / 准备中…"
            self.show_message("Editing… / 正在编辑…", "busy")

    def _run(self, image, instruction, english, settings):
        start = time.perf_counter()
        if getattr(self.editor, "shared", False):
            settings = dict(settings, waiting=self._on_waiting)   # its place in the shared queue
        try:
            result = self.editor.edit(image, instruction, english=english, **settings,
                                      progress=partial(self._on_step, start), preview=self._on_preview)
            if english is not None and english == self._auto_prompt[0]:
                result.backend = self._auto_prompt[1]  # the translation shown was used as is
            self._show_result(result)
        except EditStopped as e:
            self.status.value = "stopped / 已停止"
            kept = ""
            if self.preview_step:
                kept = f" After shows the preview at step {self.preview_step}, not a result / 右图只是预览，不是结果."
                self.after_title.value = _title_html(f"预览 Preview · step {self.preview_step} (stopped: not a result)", "#8a5a00")
            self.show_message(f"{e}{kept} The app is ready for the next edit / 可以继续编辑.")
        except OutOfMemory as e:
            self.retry_size = e.suggested_max_size
            self.retry_button.description = f"以 {e.suggested_max_size} px 重试 Retry"
            self.retry_button.layout.display = None
            self.show_message(str(e), "error")
        except UserError as e:
            self.show_message(str(e), "error")
        except Exception as e:  # noqa: BLE001
            self._unexpected(e, "The edit failed")
        finally:
            if self.status.value.startswith(("starting", "step", "place")):
                self.status.value = ""
            self._set_busy(False)

    def _on_step(self, start, step, total):
        if self._stop.is_set():
            raise _Stop()
        self.progress.max, self.progress.value = total, step
        self.status.value = f"step {step}/{total}, ~{seconds_left(start, step, total):.0f}s left"

    def _on_waiting(self, position, seconds):
        if self._stop.is_set():
            raise _Stop()
        wait = f", about {seconds:.0f} s" if seconds is not None else ""
        self.status.value = f"place {position} in the queue{wait} / 排队：第 {position} 位"
        self.queue_places.append(position)

    def _on_preview(self, step, total, image):
        if self._stop.is_set():
            raise _Stop()
        self.after.value = png_bytes(image)
        self.after_title.value = _title_html(f"预览 Preview · step {step}/{total}", "#3b4aa8")
        self.preview_step = step
        self.previews_shown += 1

    def _show_result(self, result):
        self.results = (self.results + [result])[-HISTORY_LIMIT:]
        self.before.value = png_bytes(result.original, PREVIEW_SIZE)
        self.after.value = png_bytes(result.image, PREVIEW_SIZE)
        self.after_title.value = _title_html(_AFTER)
        self.preview_step = 0
        self.seed.value = result.seed
        self._poster_result = result
        self.poster_button.disabled = False
        self.history.children = [self._history_item(r) for r in reversed(self.results)]
        notes = " ".join(result.warnings)
        if getattr(result, "mask_box", None) is not None or getattr(result, "region", None) is not None:  # a full-size photo: too big for the page, so on disk
            self.workdir.mkdir(parents=True, exist_ok=True)
            notes = f"Full size saved as {save_png(result.image, self.workdir / 'edited.png', result)} / 原尺寸结果已保存. {notes}"
        self.status.value = f"done in {result.seconds:.1f}s"
        self.show_message(f"Done: {result.image.width}x{result.image.height}, seed {result.seed}, prompt "
                          f"“{result.prompt}”, {result.seconds:.1f} s. {notes}".strip())

    def _history_item(self, result):
        thumb = widgets.Image(value=png_bytes(result.image, THUMB_SIZE), format="png")
        use = widgets.Button(description="作为输入 use as input", layout=widgets.Layout(width="150px"))
        poster = widgets.Button(description="海报 poster", layout=widgets.Layout(width="150px"))
        use.on_click(partial(self._on_history_use_click, result))
        poster.on_click(partial(self._on_history_poster_click, result))
        caption = widgets.HTML(f"<div style='font-size:11px;color:#555;max-width:150px;overflow:hidden;white-space:nowrap;"
                               f"text-overflow:ellipsis'>seed {result.seed} · {html.escape(result.prompt)}</div>")
        return widgets.VBox([thumb, caption, use, poster], layout=widgets.Layout(margin="0 8px 0 0", align_items="center"))

    def _poster(self, result):
        if result is None:
            raise UserError("Edit a photo first; the poster shows the before and after / 请先编辑一张照片.")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            self.workdir.mkdir(parents=True, exist_ok=True)
            path = make_poster(result, self.workdir / "poster.png")
        data = path.read_bytes()
        link = base64.b64encode(data).decode("ascii")
        self.download.value = (f"<a download='poster.png' href='data:image/png;base64,{link}' style='font-size:16px;"
                               f"font-weight:600'>⬇ 下载海报 Download poster.png</a> <span style='color:#666'>"
                               f"(saved as {html.escape(str(path))})</span>")
        with Image.open(io.BytesIO(data)) as poster:
            self.poster_image.value = png_bytes(poster.convert("RGB"), 640)
        self.poster_image.layout.display = None
        extra = " ".join(str(w.message) for w in caught if issubclass(w.category, UserWarning))
        self.show_message(f"Poster saved: {path} ({len(data) // 1024} KB). {extra}".strip())


_AFTER = "编辑后 After"
_FAST_HINT = (f"on = faster: the deep layers run once every {CPU_DEFAULTS['cache_interval']} steps (slightly different "
              "picture); off = exactly the model's own picture")


def _device_of(editor):
    """"cpu", "cuda" or "mps" for the editor's model (a shared model's worker says which), None when unknown."""
    device = getattr(editor, "device", None)
    if device is None:
        device = getattr(getattr(editor, "pipe", None), "device", None)
    return getattr(device, "type", device)


def _title_html(text, color="inherit"):
    return f"<div style='text-align:center;font-weight:600;color:{color}'>{html.escape(text)}</div>"


def _set_range(slider, low, high, value, step):
    """Give `slider` a new range and value (widened first: a slider refuses min > max on the way)."""
    slider.min, slider.max = min(slider.min, low), max(slider.max, high)
    slider.value = value
    slider.min, slider.max, slider.step = low, high, step


def _picture_layout():
    return widgets.Layout(width="100%", max_height="420px", object_fit="contain")


