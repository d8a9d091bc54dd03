"""The brush's stand-in from standard widgets, for pages where ipycanvas's front end does not load.

Kaggle never loads widget code installed with pip, Colab loads it only after
`enable_custom_widget_manager()`, and a JupyterLab whose server runs in another environment than the
kernel lacks it too. `BoxPainter` offers the same functions with widgets every page has: a box set
with two range sliders over a preview of the photo (the box is edited at full resolution, the rest of
the photo stays as it was), a mask uploaded as an image (white = may change), "only this region" and
"keep full size". `edit_options(size)` gives the same `mask=`/`region=` arguments as `MaskPainter`.
A note on top says why the brush is not there.
"""
import html

import ipywidgets as widgets
import numpy as np
from PIL import Image, ImageDraw

from ..editing.regions import load_mask
from ..errors import UserError
from .common import png_bytes
from .compat import clear_upload, uploaded_files

__all__ = ["BoxPainter"]

PREVIEW_SIZE = 512             # longest side of the photo's preview under the sliders
BOX_COLOR = (255, 0, 255)      # the box's outline, as the brush's overlay
MASK_TINT = (255, 0, 255, 110)


class BoxPainter:
    """A box and an uploaded mask instead of the brush; see the module docstring."""

    def __init__(self, reason="", guard=None):
        self.guard = guard or (lambda handler, *args: handler(*args))   # the app's: a failure becomes its sentence
        self.image = None               # the photo (PIL RGB), or None
        self.mask = None                # the uploaded mask (bool array at the photo's size), or None
        self.note = widgets.HTML(self.note_html(reason))
        self.preview = widgets.Image(format="png", layout=widgets.Layout(max_width="100%", display="none"))
        self.preview.add_class("ip2p-box-preview")
        self.use_box = widgets.Checkbox(value=False, indent=False, description="只改框内 Edit only the box (full resolution)")
        self.across = widgets.IntRangeSlider(value=(25, 75), min=0, max=100, step=1, description="左右 Left-right %",
                                             continuous_update=False, style={"description_width": "120px"},
                                             layout=widgets.Layout(width="98%"))
        self.down = widgets.IntRangeSlider(value=(25, 75), min=0, max=100, step=1, description="上下 Top-bottom %",
                                           continuous_update=False, style={"description_width": "120px"},
                                           layout=widgets.Layout(width="98%"))
        self.mask_upload = widgets.FileUpload(accept="image/*", multiple=False, description="蒙版 Mask image")
        self.only_region = widgets.Checkbox(value=False, description="只改这一块 Only this region (full resolution)", indent=False)
        self.full_size = widgets.Checkbox(value=False, description="保持原尺寸 Keep full size", indent=False)
        self.clear_button = widgets.Button(description="清除 Clear")
        self.widget = widgets.VBox([
            self.note, self.preview, self.use_box, self.across, self.down,
            widgets.HBox([self.mask_upload, widgets.HTML("<span style='color:#666;font-size:12px'>白色 = 可修改 · "
                                                         "white = may change</span>")]),
            widgets.HBox([self.only_region, self.full_size], layout=widgets.Layout(flex_flow="row wrap")),
            self.clear_button])
        self.widget.add_class("ip2p-box-painter")
        for widget in (self.use_box, self.across, self.down):
            widget.observe(self._on_box_change, names="value")
        self.mask_upload.observe(self._on_mask_upload_change, names="value")
        self.clear_button.on_click(self._on_clear_button_click)

    @staticmethod
    def note_html(reason) -> str:
        why = f" ({html.escape(reason)})" if reason else ""
        return ("<div style='color:#8a5a00;font-size:12px'>画笔在此页面无法显示，请用下面的框或上传蒙版 · The brush cannot "
                f"show on this page{why}; set a box with the sliders or upload a mask instead.</div>")

    # ------------------------------------------------------------------ the photo, the box and the mask
    def set_image(self, image: Image.Image) -> None:
        """Show `image` under the box and forget the previous mask."""
        self.image, self.mask = image, None
        self._redraw()

    def box_for(self, size) -> tuple:
        """The box (left, top, right, bottom) in the pixels of a photo of `size`."""
        w, h = size
        (left, right), (top, bottom) = self.across.value, self.down.value
        return round(left * w / 100), round(top * h / 100), round(right * w / 100), round(bottom * h / 100)

    def set_mask(self, data: bytes) -> None:
        """Use the image `data` as the mask (white = may change), scaled to the photo."""
        if self.image is None:
            raise UserError("Choose a photo first, then its mask / 请先选择照片，再上传蒙版.")
        self.mask = load_mask(data, self.image.size)
        self._redraw()

    def clear(self) -> None:
        self.mask = None
        self.use_box.value = False

    def mask_for(self, size):
        """The uploaded mask at the photo's `size`, or None."""
        if self.mask is None or not self.mask.any():
            return None
        if self.mask.shape == (size[1], size[0]):
            return self.mask
        im = Image.fromarray(self.mask.astype(np.uint8) * 255).resize(size, Image.Resampling.BILINEAR)
        return np.asarray(im) >= 128

    def edit_options(self, size) -> dict:
        """The `mask=` and `region=` arguments of `Editor.edit` for a photo of `size` (as `MaskPainter.edit_options`)."""
        mask = self.mask_for(size)
        if self.use_box.value:
            return {"mask": mask, "region": self.box_for(size)}
        if mask is not None:
            return {"mask": mask, "region": "auto" if self.only_region.value else None}
        return {"region": (0, 0, *size)} if self.full_size.value else {}

    def _redraw(self):
        if self.image is None:
            return
        shown = self.image.copy()
        shown.thumbnail((PREVIEW_SIZE, PREVIEW_SIZE), Image.Resampling.LANCZOS)
        if self.mask is not None:
            small = Image.fromarray(self.mask.astype(np.uint8) * MASK_TINT[3]).resize(shown.size)
            shown = Image.composite(Image.new("RGB", shown.size, MASK_TINT[:3]), shown, small)
        if self.use_box.value:
            ImageDraw.Draw(shown).rectangle(self.box_for(shown.size), outline=BOX_COLOR, width=3)
        self.preview.value = png_bytes(shown)
        self.preview.layout.display = None

    # ------------------------------------------------------------------ handlers
    def _on_box_change(self, _change):
        self._redraw()

    def _on_mask_upload_change(self, change):
        if change["new"]:
            self.guard(self._read_mask)

    def _read_mask(self):
        files = uploaded_files(self.mask_upload)
        if files:
            try:
                self.set_mask(files[0][1])
            finally:
                clear_upload(self.mask_upload)

    def _on_clear_button_click(self, _button):
        self.clear()
        self._redraw()
