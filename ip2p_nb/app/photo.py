"""Panel 1, the photo: upload one, pick a sample, or give a path or web address; and mark what may change.

`PhotoPanel(app)` reads an upload (bytes only: the file name is never used as a path), a sample (the
demo model's own cartoon scenes, else the photos in `SAMPLES_DIR`) or a path/URL typed in the box
(`editing.images.load_image`; not offered in a shared room, whose visitors must not read the server's
files), and hands the picture to `app.set_input`. An upload that arrives empty (Colab's upload widget
loses files of 1 MB or more, ipywidgets #3452) is explained in one sentence that points to the path box,
or to Colab's own upload dialog where it exists.

What may change is marked with the brush (`mask.MaskPainter`, an ipycanvas widget) where its front
end loads, else with `fallback.BoxPainter` (a box set with sliders, a mask uploaded as an image). On
Colab the custom widget manager is enabled first. ipycanvas reports when its client is ready; when it
has not within `FRONT_END_SECONDS` (or cannot be imported), the box takes the brush's place with a
note saying why; a canvas that reports later gets its place back. `painter` is the one in use.
"""
import threading
from pathlib import Path

import ipywidgets as widgets

from ..editing.images import load_image
from ..errors import UserError
from ..resources import SAMPLES_DIR
from .compat import clear_upload, isolated, uploaded_files
from .fallback import BoxPainter
from .hosted import colab_upload, enable_colab_widgets, on_colab

try:
    from .mask import MaskPainter
except ImportError:      # ipycanvas is not installed: the box and the mask upload stand in for the brush
    MaskPainter = None

__all__ = ["PhotoPanel", "available_samples", "FRONT_END_SECONDS"]

FRONT_END_SECONDS = 20   # how long the canvas's front end may take to report before the box replaces it
UPLOAD_LIMIT_NOTE = ("The upload arrived empty: Colab's upload button loses photos of 1 MB or more (ipywidgets #3452). "
                     "Type the photo's path or web address in the box below{colab} / 上传为空：Colab 的上传按钮收不到 "
                     "1 MB 以上的照片，请在下面填写路径或网址.")


def available_samples() -> dict:
    """{label: path} of the sample photos found in `SAMPLES_DIR`."""
    if not SAMPLES_DIR.is_dir():
        return {}
    return {p.stem: p for p in sorted(SAMPLES_DIR.iterdir()) if p.suffix.lower() in (".jpg", ".jpeg", ".png")}


def _page_attached() -> bool:
    """True when this Python runs in a kernel that a page may be showing (not a plain script or a test)."""
    try:
        from IPython import get_ipython  # noqa: PLC0415
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


class PhotoPanel:
    """Upload, samples, the path box and the brush (or the box) of an `App`; see the module docstring."""

    def __init__(self, app):
        self.app = app
        shared = getattr(app.editor, "shared", False)
        self.upload = widgets.FileUpload(accept="image/*", multiple=False, description="上传 Upload")
        self.sample = widgets.Dropdown(options=self.sample_options(), value="", layout=widgets.Layout(width="210px"))
        self.path = widgets.Text(placeholder="或填写路径/网址 or a path / URL (https://…/photo.jpg)",
                                 continuous_update=False, layout=widgets.Layout(width="70%"))
        self.path_button = widgets.Button(description="打开 Open", layout=widgets.Layout(width="auto"))
        self.colab_button = widgets.Button(description="Colab 上传 Upload (any size)", icon="upload",
                                           layout=widgets.Layout(width="auto", display=None if on_colab() else "none"))
        path_row = widgets.HBox([self.path, self.path_button, self.colab_button],
                                layout=widgets.Layout(display="none" if shared else None))
        # what may change: the brush where its front end loads, else the box
        enable_colab_widgets()
        self.canvas_ready = False
        self.brush = MaskPainter() if MaskPainter is not None else None
        self.boxes = BoxPainter(guard=app.guard)
        self.painter = self.brush or self.boxes
        self.brush_area = isolated(self.brush.widget) if self.brush else None   # its failure breaks only itself
        self.fallbacks = 0              # times the box replaced the brush, for tests
        if self.brush is None:
            self.use_boxes("ipycanvas is not installed")
        else:
            self.boxes.widget.layout.display = "none"
            self.brush.canvas.on_client_ready(self._on_canvas_ready)
            if _page_attached():
                self._timer = threading.Timer(FRONT_END_SECONDS, self._on_canvas_timeout)
                self._timer.daemon = True
                self._timer.start()
        parts = [widgets.HTML("<b>1. 照片 Photo</b>"), widgets.HBox([self.upload, self.sample]), path_row]
        self.widget = widgets.VBox(parts + ([self.brush_area] if self.brush else []) + [self.boxes.widget])
        self.upload.observe(self._on_upload_change, names="value")
        self.sample.observe(self._on_sample_change, names="value")
        self.path.observe(self._on_path_change, names="value")
        self.path_button.on_click(self._on_path_button_click)
        self.colab_button.on_click(self._on_colab_button_click)

    def sample_options(self) -> list:
        scenes = self.app.scenes
        if scenes:  # the demo model edits only its own cartoon scenes
            return [("示例场景 Sample scene…", "")] + [(name, f"scene:{name}") for name in scenes]
        return [("示例照片 Sample photo…", "")] + [(name, str(path)) for name, path in available_samples().items()]

    def refresh_samples(self):
        """The model changed: offer its samples."""
        self.sample.options, self.sample.value = self.sample_options(), ""

    # ------------------------------------------------------------------ the brush or the box
    def use_boxes(self, reason: str) -> None:
        """Show the box and the mask upload instead of the brush, with `reason` in its note."""
        self.boxes.note.value = BoxPainter.note_html(reason)
        if self.brush is not None:
            self.brush_area.layout.display = "none"
        self.boxes.widget.layout.display = None
        if self.app.current_image is not None:
            self.boxes.set_image(self.app.current_image)
        self.painter = self.boxes
        self.fallbacks += 1

    def use_brush(self) -> None:
        """The canvas's front end is there after all: the brush takes its place back."""
        self.boxes.widget.layout.display = "none"
        self.brush_area.layout.display = None
        if self.app.current_image is not None:
            self.brush.set_image(self.app.current_image)
        self.painter = self.brush

    def set_image(self, image) -> None:
        self.painter.set_image(image)

    # ------------------------------------------------------------------ handlers
    def _on_canvas_ready(self):
        self.canvas_ready = True
        if self.painter is self.boxes:
            self.use_brush()

    def _on_canvas_timeout(self):
        if not self.canvas_ready:
            self.use_boxes(f"the drawing widget's page code did not load within {FRONT_END_SECONDS} s")

    def _on_upload_change(self, change):
        if change["new"]:
            self.app.guard(self.use_upload)

    def _on_sample_change(self, change):
        if change["new"].startswith("scene:"):
            name = change["new"][len("scene:"):]
            self.app.guard(self.app.set_input, self.app.scenes[name], f"Sample {name.split(':')[0]}")
        elif change["new"]:
            self.app.guard(self.app.set_input, load_image(change["new"]), f"Sample photo {Path(change['new']).stem}")

    def _on_path_change(self, change):
        if change["new"].strip():
            self.app.guard(self.use_path, change["new"])

    def _on_path_button_click(self, _button):
        self.app.guard(self.use_path, self.path.value)

    def _on_colab_button_click(self, _button):
        self.app.guard(self.use_colab_upload)

    # ------------------------------------------------------------------ actions
    def use_upload(self):
        """Read the upload's first file into the app (and empty the upload, so the same file can be chosen again)."""
        files = uploaded_files(self.upload)
        if not files:
            return
        try:
            _name, content = files[0]
            if not content:
                colab = ", or press “Colab 上传 Upload”" if on_colab() else ""
                raise UserError(UPLOAD_LIMIT_NOTE.format(colab=colab))
            if hasattr(self.app.editor, "check_upload"):     # the shared app's size limit, in one sentence
                self.app.editor.check_upload(len(content))
            image = load_image(content)  # the bytes only: the file name is never used as a path
        finally:
            clear_upload(self.upload)
        self.app.set_input(image, "Photo uploaded")

    def use_path(self, text):
        """Read the photo at the path or web address `text`."""
        text = text.strip()
        if not text:
            raise UserError("Type a photo's path or web address (https://…) in the box first / 请先填写照片的路径或网址.")
        self.app.set_input(load_image(text), f"Photo {Path(text).name or text}")

    def use_colab_upload(self):
        """Colab's own upload dialog, which takes photos of any size."""
        files = colab_upload()
        if files:
            self.app.set_input(load_image(bytes(files[0][1])), "Photo uploaded")
