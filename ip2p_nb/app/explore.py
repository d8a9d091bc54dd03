"""The app's Explore tab: a labelled grid of variations of the current edit, and a way to adopt a tile.

`ExplorePanel(app).widget` is appended as a tab by the main app. The panel reads the app's
current image and settings, lets the user pick one or two settings to vary (across and down)
with their values, builds the grid in a background thread (progress bar, Stop; finished tiles
show as they finish), shows it, and writes a chosen tile's settings back to the app's widgets. "随机引导 Randomise guidance" draws
guidance values the way the InstructPix2Pix research app does.

What the panel uses of `app`: `editor`, `current_image` (PIL or None), the text boxes
`instruction` and `prompt`, the sliders `image_guidance`, `text_guidance`, `steps`, `max_size`,
the `seed` box and `random_seed` checkbox, `show_message(text, kind)` (kind "info", "warning" or
"error") and the bool `busy` (read before starting; True while the grid runs); the `scheduler`
dropdown (the sampler) when the app has one.
"""
import random
import threading
import time
import traceback

import ipywidgets as W

from ..errors import UserError
from ..outputs.axes import AXES, parse_values
from .common import png_bytes, seconds_left

__all__ = ["ExplorePanel"]

# The values an axis starts with: around each default, spread enough for the effect to show.
DEFAULT_VALUES = {
    "image_guidance": "1.2, 1.5, 2.0",   # the research app's range is 1.2-1.8; 2.0 shows "too close to the input"
    "text_guidance": "5, 7.5, 10",       # below, at and above the default 7.5
    "seed": "1, 2, 3",                   # three different noises for the same settings
    "steps": "10, 20, 30",               # what the extra time buys
    "instruction": "",                   # filled with the current instruction; phrasings separated by |
}
# "Randomise guidance" as in the InstructPix2Pix research app: text guidance uniform in 6-9, image
# guidance uniform in 1.2-1.8, rounded to 0.05 (a useful region for most photos).
_RANDOM_TEXT = (6.0, 9.0)
_RANDOM_IMAGE = (1.2, 1.8)
_RANDOM_STEP = 0.05


def random_guidance(rng=random) -> tuple:
    """(image guidance, text guidance) drawn like the research app's randomise button."""
    def draw(low, high):
        return round(round(rng.uniform(low, high) / _RANDOM_STEP) * _RANDOM_STEP, 2)
    return draw(*_RANDOM_IMAGE), draw(*_RANDOM_TEXT)


def _axis_label(name) -> str:
    zh, en = AXES[name]
    return f"{zh} {en}"


class ExplorePanel:
    """The Explore tab; `.widget` is what the app displays."""

    def __init__(self, app):
        self.app = app
        self.grid = None          # the last Grid built
        self._stop = threading.Event()
        self._thread = None
        self._start = 0.0
        options = [(_axis_label(name), name) for name in AXES]
        self.axis1 = W.Dropdown(options=options, value="image_guidance", description="横轴 Across")
        self.values1 = W.Text(value=DEFAULT_VALUES["image_guidance"], description="取值 Values")
        self.axis2 = W.Dropdown(options=[("无 None", None)] + options, value="text_guidance", description="纵轴 Down")
        self.values2 = W.Text(value=DEFAULT_VALUES["text_guidance"], description="取值 Values")
        self.build = W.Button(description="生成网格 Build grid", button_style="primary", icon="th")
        self.stop = W.Button(description="停止 Stop", icon="stop", disabled=True)
        self.randomise = W.Button(description="随机引导 Randomise guidance", icon="random")
        self.progress = W.IntProgress(value=0, min=0, max=1, description="进度 Progress")
        self.status = W.Label(value="")
        self.image = W.Image(format="png", layout=W.Layout(max_width="100%"))
        self.finished = W.HBox([], layout=W.Layout(flex_flow="row wrap"))  # tiles as they finish, until the grid is drawn
        self.tile = W.Dropdown(options=[], description="格 Tile", disabled=True)
        self.adopt = W.Button(description="采用此格设置 Use its settings", icon="check", disabled=True)
        self.log = W.Output()
        for widget in (self.values1, self.values2):
            widget.layout.width = "420px"
        # wiring
        self.axis1.observe(self._on_axis1_change, names="value")
        self.axis2.observe(self._on_axis2_change, names="value")
        self.build.on_click(self._on_build_click)
        self.stop.on_click(self._on_stop_click)
        self.randomise.on_click(self._on_randomise_click)
        self.adopt.on_click(self._on_adopt_click)
        self.widget = W.VBox([
            W.HTML("<b>探索 Explore</b>: 一次比较多个设置 compare settings side by side "
                   "(编辑指令的多种说法用 | 分隔 separate phrasings with |)"),
            W.HBox([self.axis1, self.values1]), W.HBox([self.axis2, self.values2]),
            W.HBox([self.build, self.stop, self.randomise]), W.HBox([self.progress, self.status]),
            self.finished, self.image, W.HBox([self.tile, self.adopt]), self.log])

    # ------------------------------------------------------------------ handlers
    def _on_axis1_change(self, change):
        self.values1.value = self._default_values(change["new"])

    def _on_axis2_change(self, change):
        self.values2.value = self._default_values(change["new"]) if change["new"] else ""

    def _on_build_click(self, _button):
        if self.running or getattr(self.app, "busy", False):
            self.app.show_message("已有任务在运行 Something is already running; wait for it or press Stop.", "warning")
            return
        try:
            request = self._request()
            sampler = getattr(getattr(self.app, "scheduler", None), "value", None)  # the Edit tab's Advanced setting
            if sampler is not None and sampler != self.app.editor.sampler:
                self.app.editor.use_scheduler(sampler)
        except UserError as e:
            self.app.show_message(str(e), "error")
            return
        self._set_running(True)
        self._thread = threading.Thread(target=self._run, args=(request,), daemon=True)
        self._thread.start()

    def _on_stop_click(self, _button):
        self._stop.set()
        self.status.value = "正在停止 Stopping..."

    def _on_randomise_click(self, _button):
        image_guidance, text_guidance = random_guidance()
        self.app.image_guidance.value = image_guidance
        self.app.text_guidance.value = text_guidance

    def _on_adopt_click(self, _button):
        if self.grid is None or self.tile.value is None:
            return
        row, col = self.tile.value
        tile = self.grid.tiles[row][col]
        app = self.app
        app.instruction.value = tile.instruction   # first: the app may re-translate on change
        app.prompt.value = tile.prompt
        app.image_guidance.value = tile.image_guidance
        app.text_guidance.value = tile.text_guidance
        app.steps.value = tile.steps
        app.random_seed.value = False
        app.seed.value = tile.seed
        app.show_message(f"已采用第 {row + 1} 行第 {col + 1} 列 Settings of tile {row + 1},{col + 1} copied to the editor.", "info")

    # ------------------------------------------------------------------ work
    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def wait(self, timeout=None):
        """Block until the grid being built is done (tests and scripts)."""
        if self._thread is not None:
            self._thread.join(timeout)

    def _default_values(self, axis) -> str:
        if axis == "instruction":
            return self.app.instruction.value.strip()
        return DEFAULT_VALUES[axis]

    def _request(self) -> dict:
        """Everything the grid needs, read from the widgets now (on the UI thread); UserError if unusable."""
        app = self.app
        if app.current_image is None:
            raise UserError("请先上传一张图片 Upload or choose an image first.")
        vary = {}
        for axis, box in ((self.axis1.value, self.values1), (self.axis2.value, self.values2)):
            if axis is None:
                continue
            if axis in vary:
                raise UserError("横轴和纵轴不能相同 Choose two different settings for across and down.")
            vary[axis] = parse_values(axis, box.value, _axis_label(axis))
        varies_text = "instruction" in vary
        return {"image": app.current_image, "instruction": None if varies_text else app.instruction.value,
                "vary": vary, "english": None if varies_text else (app.prompt.value.strip() or None),
                "image_guidance": app.image_guidance.value, "text_guidance": app.text_guidance.value,
                "steps": app.steps.value, "max_size": app.max_size.value,
                "seed": None if app.random_seed.value else app.seed.value}

    def _run(self, request):
        from ..outputs.grids import explore  # noqa: PLC0415  (torch: only where the model is in this kernel)

        try:
            request = dict(request)
            self.grid = explore(self.app.editor, request.pop("image"), request.pop("instruction"), request.pop("vary"),
                                progress=self._on_progress, stop=self._stop, tile=self._on_tile, **request)
            self._show(self.grid)
        except UserError as e:
            self.status.value = str(e)
            self.app.show_message(str(e), "warning" if self._stop.is_set() else "error")
        except Exception as e:  # noqa: BLE001  a bug: one line in the app, the traceback in the log
            self.app.show_message(f"出错了 Unexpected {type(e).__name__}: {e}", "error")
            with self.log:
                traceback.print_exc()
        finally:
            self._set_running(False)

    def _on_progress(self, done, total):
        self.progress.max = total
        self.progress.value = done
        self.status.value = f"{done}/{total} 步 steps, 约剩 about {seconds_left(self._start, done, total):.0f} s left"

    def _on_tile(self, row, col, result):
        label = W.HTML(f"<div style='font-size:11px;color:#555;text-align:center'>{row + 1},{col + 1}</div>")
        picture = W.Image(value=png_bytes(result.image, 128), format="png", layout=W.Layout(max_width="128px"))
        self.finished.children = (*self.finished.children, W.VBox([picture, label], layout=W.Layout(margin="0 6px 6px 0")))

    def _show(self, grid):
        self.finished.children = ()
        self.image.value = png_bytes(grid.image)
        names = [name for name, _ in grid.axes]
        options = []
        for r, row in enumerate(grid.tiles):
            for c, tile in enumerate(row):
                values = ", ".join(_short(name, getattr(tile, name)) for name in names)
                options.append((f"{r + 1},{c + 1}: {values}", (r, c)))
        self.tile.options = options
        self.tile.value = options[0][1]
        self.tile.disabled = self.adopt.disabled = False
        cols, rows = len(grid.tiles[0]), len(grid.tiles)
        self.status.value = f"完成 Done: {cols}x{rows}, {grid.seconds:.1f} s"
        for note in grid.warnings:
            self.app.show_message(note, "warning")

    def _set_running(self, running):
        if running:
            self._stop.clear()
            self._start = time.perf_counter()
            self.finished.children = ()
            self.progress.value = 0
            self.status.value = "开始 Starting..."
        self.app.busy = running
        self.build.disabled = running
        self.stop.disabled = not running


def _short(name, value) -> str:
    if name == "instruction":
        return value if len(value) <= 24 else value[:23] + "…"
    return f"{AXES[name][1].lower()} {value:g}" if isinstance(value, float) else f"{AXES[name][1].lower()} {value}"
