"""Panel 1, the photo: upload one, pick a sample, and paint on it which part may change.

`PhotoPanel(app)` reads an upload (bytes only: the file name is never used as a path) or a sample
(the demo model's own cartoon scenes, else the photos in `SAMPLES_DIR`), and hands the picture to
`app.set_input`. The brush (`mask.MaskPainter`) sits under it.
"""
from pathlib import Path

import ipywidgets as widgets

from ..editing.images import load_image
from ..resources import SAMPLES_DIR
from .compat import clear_upload, uploaded_files
from .mask import MaskPainter

__all__ = ["PhotoPanel", "available_samples"]


def available_samples() -> dict:
    """{label: path} of the sample photos found in `SAMPLES_DIR`."""
    if not SAMPLES_DIR.is_dir():
        return {}
    return {p.stem: p for p in sorted(SAMPLES_DIR.iterdir()) if p.suffix.lower() in (".jpg", ".jpeg", ".png")}


class PhotoPanel:
    """Upload, samples and the brush of an `App`; see the module docstring."""

    def __init__(self, app):
        self.app = app
        self.upload = widgets.FileUpload(accept="image/*", multiple=False, description="上传 Upload")
        self.sample = widgets.Dropdown(options=self.sample_options(), value="", layout=widgets.Layout(width="210px"))
        self.painter = MaskPainter()    # the brush on the photo: mask, "only this region", "keep full size"
        self.widget = widgets.VBox([widgets.HTML("<b>1. 照片 Photo</b>"), widgets.HBox([self.upload, self.sample]),
                                    self.painter.widget])
        self.upload.observe(self._on_upload_change, names="value")
        self.sample.observe(self._on_sample_change, names="value")

    def sample_options(self) -> list:
        scenes = self.app.scenes
        if scenes:  # the demo model edits only its own cartoon scenes
            return [("示例场景 Sample scene…", "")] + [(name, f"scene:{name}") for name in scenes]
        return [("示例照片 Sample photo…", "")] + [(name, str(path)) for name, path in available_samples().items()]

    def refresh_samples(self):
        """The model changed: offer its samples."""
        self.sample.options, self.sample.value = self.sample_options(), ""

    # ------------------------------------------------------------------ handlers
    def _on_upload_change(self, change):
        if change["new"]:
            self.app.guard(self.use_upload)

    def _on_sample_change(self, change):
        if change["new"].startswith("scene:"):
            name = change["new"][len("scene:"):]
            self.app.guard(self.app.set_input, self.app.scenes[name], f"Sample {name.split(':')[0]}")
        elif change["new"]:
            self.app.guard(self.app.set_input, load_image(change["new"]), f"Sample photo {Path(change['new']).stem}")

    # ------------------------------------------------------------------ actions
    def use_upload(self):
        """Read the upload's first file into the app (and empty the upload, so the same file can be chosen again)."""
        files = uploaded_files(self.upload)
        if not files:
            return
        try:
            _name, content = files[0]
            if hasattr(self.app.editor, "check_upload"):     # the shared app's size limit, in one sentence
                self.app.editor.check_upload(len(content))
            image = load_image(content)  # the bytes only: the file name is never used as a path
        finally:
            clear_upload(self.upload)
        self.app.set_input(image, "Photo uploaded")
