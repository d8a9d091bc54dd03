"""The notebook app: upload a photo, type an instruction, edit, compare, make a poster.

`App(editor, workdir=".")` builds the ipywidgets interface from its panels and wires them; show it
with `app.display()` or `display(app.widget)`. The panels, top to bottom:
1. photo.py: upload, sample and the brush (mask.py);
2. instruction.py: the instruction in Chinese or English and the English prompt the model sees;
3. settings.py: the model menu, sliders, seed and sampler; estimate.py: the Fast switch and the time estimate;
4. result.py: Before / After with previews, the poster and its download, the history.
This module keeps the edit itself: Edit, Stop, retry after out-of-memory, the progress bar, the
message area and the Debug box. The edit runs in a background thread so the widgets never freeze;
Stop ends the run within a step; a second Edit click while running does nothing; every failure becomes
one sentence in the message area while the app stays usable (an unexpected error's traceback goes to
the collapsed "Debug" box). `poster.png` is written into `workdir`; with a shared model
(`app.shared.SharedEditor`) into the visitor's own folder outside the served tree (app/room.py), the status shows the edit's place in the
queue, and the Explore tab is left out (its grids need the model in the kernel).

For the Explore tab (`explore.ExplorePanel(app)`) and the tests the app exposes: `editor`,
`current_image` (PIL or None), the panels' widgets (`instruction`, `prompt`, `image_guidance`,
`text_guidance`, `steps`, `max_size`, `seed`, `random_seed`, `fast`, `after`, ...), `results`,
`show_message(text, kind)`, `guard(handler, *args)`, `set_input(image, what)` and `busy`.
Only the `app` sub-package imports ipywidgets.
"""
import html
import threading
import time
import traceback
from functools import partial

import ipywidgets as widgets

from ..errors import EditStopped, OutOfMemory, UserError
from .common import seconds_left
from .compat import accordion, add_tab, tab
from .estimate import FAST_HINT, SpeedPanel
from .explore import ExplorePanel
from .instruction import InstructionPanel
from .photo import PhotoPanel, available_samples
from .result import ResultPanel
from .wordmaps import WordMapsPanel
from .room import outputs_folder, room_panel
from .settings import SettingsPanel, hint
from .start import fallback_banner, scene_samples

__all__ = ["App", "available_samples"]

_COLORS = {"info": "#1f5f3a", "warning": "#8a5a00", "error": "#a12622", "busy": "#3b4aa8"}


class _Stop(Exception):
    """Raised from the progress callback when Stop was clicked; the editor turns it into EditStopped."""


class App:
    """The editing app around an `Editor`; see the module docstring."""

    def __init__(self, editor, workdir=".", fallback=None):
        self.editor = editor
        self.fallback = fallback        # why the app runs on `demo` instead of the model asked for (a banner), or None
        self.scenes = scene_samples() if getattr(editor, "model_name", None) == "demo" else {}
        self.visitor = getattr(editor, "visitor", None)   # shared mode: this page's own folder for its posters
        self.workdir = outputs_folder(editor, workdir)    # a room's visitor: outside the served folder (app/room.py)
        self.current_image = None       # the photo the next edit starts from (PIL RGB)
        self.busy = False
        self.runs = 0                   # edits started, for tests and the status line
        self.retry_size = None          # max_size offered after the GPU ran out of memory
        self.queue_places = []          # shared mode: the queue places shown, for tests
        self._stop = threading.Event()
        self._thread = None
        self._poster_result = None
        self._build()
        self._wire()

    # ------------------------------------------------------------------ layout
    def _build(self):
        # 1. the panels, and their widgets under the names the Explore tab and the tests use
        self.photo_panel = PhotoPanel(self)
        self.upload, self.sample, self.path = self.photo_panel.upload, self.photo_panel.sample, self.photo_panel.path
        self.instruction_panel = InstructionPanel(self)
        p = self.instruction_panel
        self.instruction, self.prompt, self.backend_label, self.neural = p.instruction, p.prompt, p.backend_label, p.neural
        self.settings_panel = SettingsPanel(self)
        p = self.settings_panel
        self.image_guidance, self.text_guidance, self.steps, self.max_size = p.image_guidance, p.text_guidance, p.steps, p.max_size
        self.seed, self.random_seed, self.scheduler, self.picker, self.advanced = p.seed, p.random_seed, p.scheduler, p.picker, p.advanced
        self.speed_panel = SpeedPanel(self)
        self.fast, self.estimate = self.speed_panel.fast, self.speed_panel.estimate
        self.speed_panel.apply_defaults()
        self.result_panel = ResultPanel(self)
        p = self.result_panel
        self.before, self.after, self.after_title, self.download, self.poster_image, self.history = (
            p.before, p.after, p.after_title, p.download, p.poster_image, p.history)
        self.maps_panel = WordMapsPanel(self)
        # 2. the edit's own controls
        self.edit_button = widgets.Button(description="编辑 Edit", button_style="primary", icon="magic")
        self.stop_button = widgets.Button(description="停止 Stop", button_style="warning", disabled=True)
        self.poster_button = widgets.Button(description="生成海报 Generate poster", button_style="success", disabled=True,
                                            layout=widgets.Layout(width="190px"))
        self.retry_button = widgets.Button(description="retry", layout=widgets.Layout(display="none", width="190px"))
        self.progress = widgets.IntProgress(value=0, min=0, max=1, layout=widgets.Layout(width="50%"))
        self.status = widgets.Label("")
        self.message = widgets.HTML("")
        self.debug = widgets.Output()
        self.debug_box = accordion([self.debug], ["调试 Debug"])
        # 3. the page: controls on the left, pictures on the right, the history below
        controls = widgets.VBox(
            [self.photo_panel.widget, self.instruction_panel.widget, *self.settings_panel.children(),
             self.fast, hint(FAST_HINT), self.estimate, self.advanced,
             widgets.HBox([self.edit_button, self.stop_button, self.poster_button, self.retry_button]),
             widgets.HBox([self.progress, self.status]), self.message],
            layout=widgets.Layout(flex="1 1 400px", min_width="360px", padding="0 12px 0 0"))
        self.banner = widgets.HTML(fallback_banner(self.fallback) if self.fallback else "",
                                   layout=widgets.Layout(display=None if self.fallback else "none"))
        page = widgets.VBox([room_panel(), self.banner, widgets.HBox([controls, self.result_panel.pictures],
                                                       layout=widgets.Layout(flex_flow="row wrap")),
                             self.maps_panel.widget, self.result_panel.history_box, self.debug_box])
        self.widget = tab([page], ["编辑 Edit"])
        if not getattr(self.editor, "shared", False):   # grids need the model in this kernel
            add_tab(self.widget, ExplorePanel(self).widget, "探索 Explore")

    def _wire(self):
        self.edit_button.on_click(self._on_edit_button_click)
        self.stop_button.on_click(self._on_stop_button_click)
        self.poster_button.on_click(self._on_poster_button_click)
        self.retry_button.on_click(self._on_retry_button_click)
        for widget in (self.max_size, self.steps, self.image_guidance, self.text_guidance, self.fast):
            widget.observe(self._on_setting_change, names="value")

    def display(self):
        """Show the app in the notebook (same as `display(app.widget)`)."""
        from IPython.display import display  # noqa: PLC0415

        display(self.widget)

    # ------------------------------------------------------------------ what the panels keep
    @property
    def painter(self):
        """What marks the part that may change: the brush (mask.py), or the box where the brush cannot show (fallback.py)."""
        return self.photo_panel.painter

    @property
    def results(self) -> list:
        return self.result_panel.results

    @property
    def preview_step(self) -> int:
        return self.result_panel.preview_step

    @property
    def previews_shown(self) -> int:
        return self.result_panel.previews_shown

    @property
    def estimates_shown(self) -> int:
        return self.speed_panel.shown

    @property
    def cpu_defaults(self) -> bool:
        return self.speed_panel.cpu_defaults

    @property
    def device(self):
        return self.speed_panel.device

    def cache_interval(self) -> int:
        return self.speed_panel.cache_interval()

    def estimate_text(self) -> str:
        return self.speed_panel.text()

    def apply_speed_defaults(self):
        self.speed_panel.apply_defaults()

    def apply_model_defaults(self):
        self.settings_panel.apply_model_defaults()

    def use_editor(self, editor):
        """Edit with `editor` from now on (the model menu's switch): its size range, defaults, sampler and samples."""
        self.editor = editor
        self.fallback, self.banner.layout.display = None, "none"
        self.scenes = scene_samples() if getattr(editor, "model_name", None) == "demo" else {}
        self.photo_panel.refresh_samples()
        self.settings_panel.use_editor(editor)
        self.maps_panel.use_editor()
        self.speed_panel.apply_defaults()   # the Fast switch and the estimate follow the new model

    # ------------------------------------------------------------------ messages
    def show_message(self, text, kind="info"):
        """Show one sentence in the message area; kind is "info", "warning", "error" or "busy"."""
        color = _COLORS.get(kind, _COLORS["info"])
        self.message.value = f"<div style='color:{color};padding:4px 0'>{html.escape(str(text))}</div>"

    def _unexpected(self, error, what="Something went wrong"):
        self.show_message(f"{what} ({type(error).__name__}: {str(error)[:120]}); details are in Debug below.", "error")
        self.debug.append_stdout("".join(traceback.format_exception(type(error), error, error.__traceback__)))

    def guard(self, handler, *args):
        """Run a handler; a UserError becomes its sentence, anything else a short sentence plus a traceback."""
        try:
            handler(*args)
        except UserError as e:
            self.show_message(str(e), "error")
        except Exception as e:  # noqa: BLE001  (the app must stay usable whatever happens)
            self._unexpected(e)

    # ------------------------------------------------------------------ handlers
    def _on_edit_button_click(self, _button):
        self.guard(self.start_edit)

    def _on_stop_button_click(self, _button):
        self._stop.set()
        self.status.value = "stopping… / 正在停止…"

    def _on_poster_button_click(self, _button):
        self.guard(self.result_panel.poster, self._poster_result)

    def _on_setting_change(self, _change):
        self.guard(self.speed_panel.update)

    def _on_retry_button_click(self, _button):
        self.max_size.value = self.retry_size
        self.guard(self.start_edit)

    # ------------------------------------------------------------------ actions
    def set_input(self, image, what):
        """Make `image` the photo the next edit starts from, and say so (`what`)."""
        self.current_image = image
        self.photo_panel.set_image(image)
        self.result_panel.show_input(image)
        self.speed_panel.update()   # a photo that is not square takes less time than the square estimate
        self.show_message(f"{what} ({image.width}x{image.height}); type an instruction and press Edit / 编辑.")

    def settings(self) -> dict:
        """The edit settings as the widgets show them now."""
        return dict(self.settings_panel.values(), cache_interval=self.cache_interval())

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
            self.result_panel.start()
            self.retry_button.layout.display = "none"
            self.progress.value, self.status.value = 0, "starting… / 准备中…"
            self.show_message("Editing… / 正在编辑…", "busy")

    def _run(self, image, instruction, english, settings):
        start = time.perf_counter()
        if getattr(self.editor, "shared", False):
            settings = dict(settings, waiting=self._on_waiting)   # its place in the shared queue
        elif self.maps_panel.wanted():
            settings = dict(settings, maps=True)                  # where each word acts (the same picture)
        try:
            result = self.editor.edit(image, instruction, english=english, **settings,
                                      progress=partial(self._on_step, start), preview=self._on_preview)
            self.instruction_panel.backend_for(english, result)   # the translation shown was used as is
            self._show_result(result)
        except EditStopped as e:
            self.status.value = "stopped / 已停止"
            kept = self.result_panel.mark_stopped()
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
        self.result_panel.show_preview(step, total, image)

    def _show_result(self, result):
        self.seed.value = result.seed
        self._poster_result = result
        self.poster_button.disabled = False
        notes = f"{self.result_panel.show_result(result, self.workdir)} {' '.join(result.warnings)}".strip()
        self.maps_panel.follow_engine()           # the engine may have changed under the edit (models/prepare.py)
        self.speed_panel.update()                 # and the estimate line says which one runs now
        self.maps_panel.show(result)
        self.status.value = f"done in {result.seconds:.1f}s"
        self.show_message(f"Done: {result.image.width}x{result.image.height}, seed {result.seed}, prompt "
                          f"“{result.prompt}”, {result.seconds:.1f} s. {notes}".strip())
