"""The brush: paint on the photo which part may change (ipycanvas), and the region switches.

`MaskPainter` shows the photo on an ipycanvas `MultiCanvas` (photo below, a translucent magenta
overlay above) with a brush size slider, an eraser, Clear and Invert, and two switches: "only this
region" (edit the painted part's box at the model's full resolution, `region="auto"`) and "keep full
size" (a whole-photo edit comes back at the photo's size). A "drag a box" mode sets a region
by dragging instead (the crop box). `edit_options(size)` turns all of that
into the `mask=`/`region=` arguments of `Editor.edit`. The mask is kept as a boolean array at the
canvas's size and scaled to the photo's size when editing. `paint(x, y)` is what a mouse drag calls,
so tests can draw the same strokes without a browser.
"""
import ipywidgets as widgets
import numpy as np
from ipycanvas import MultiCanvas, hold_canvas
from PIL import Image

__all__ = ["MaskPainter"]

CANVAS_SIZE = 512               # longest side of the painting canvas (browser pixels)
OVERLAY = (255, 0, 255, 110)
    # magenta at ~43%: the painted part, the photo still visible under it


class MaskPainter:
    """A brush on the photo; see the module docstring."""

    def __init__(self):
        self.canvas = MultiCanvas(2, width=CANVAS_SIZE, height=CANVAS_SIZE * 3 // 4)
        self.mask = np.zeros((self.canvas.height, self.canvas.width), bool)
        self._last = None       # the previous point of the stroke being drawn, or None
        self.box = None         # a dragged region (left, top, right, bottom) in canvas pixels, or None
        self._box_start = None
        self.size = widgets.IntSlider(value=32, min=4, max=128, step=2, description="画笔 Brush", continuous_update=False,
                                       layout=widgets.Layout(width="240px"))
        self.eraser = widgets.ToggleButton(value=False, description="橡皮 Eraser", icon="eraser")
        self.box_mode = widgets.ToggleButton(value=False, description="框选 Drag a box", icon="crop",
                                             tooltip="drag a box on the photo: only it is edited, at full resolution")
        self.clear_button = widgets.Button(description="清除 Clear")
        self.invert_button = widgets.Button(description="反选 Invert")
        self.only_region = widgets.Checkbox(value=False, description="只改这一块 Only this region (full resolution)", indent=False)
        self.full_size = widgets.Checkbox(value=False, description="保持原尺寸 Keep full size", indent=False)
        self.crop_button = widgets.Button(description="裁到涂抹处 Crop to the painted part",
                                          tooltip="paint over the face (or any subject), then press: it is edited at full resolution")
        self.widget = widgets.VBox([
            widgets.HTML("<span style='color:#666'>在照片上涂抹要修改的部分（不涂 = 整张照片）· paint the part that may change "
                         "(nothing painted = the whole photo)</span>"),
            self.canvas, widgets.HBox([self.size, self.eraser, self.box_mode, self.clear_button, self.invert_button], layout=widgets.Layout(flex_flow="row wrap")),
            widgets.HBox([self.only_region, self.full_size], layout=widgets.Layout(flex_flow="row wrap")), self.crop_button])
        for button in (self.eraser, self.box_mode, self.clear_button, self.invert_button, self.crop_button):
            button.layout.width = "auto"
        self.canvas[1].on_mouse_down(self._on_canvas_down)
        self.canvas[1].on_mouse_move(self._on_canvas_move)
        self.canvas[1].on_mouse_up(self._on_canvas_up)
        self.canvas[1].on_mouse_out(self._on_canvas_up)
        self.clear_button.on_click(self._on_clear_click)
        self.invert_button.on_click(self._on_invert_click)
        self.crop_button.on_click(self._on_crop_click)

    # ------------------------------------------------------------------ the photo and the mask
    def set_image(self, image: Image.Image) -> None:
        """Show `image` (the canvas takes its aspect ratio) and clear the mask."""
        scale = CANVAS_SIZE / max(image.size)
        w, h = max(1, round(image.width * scale)), max(1, round(image.height * scale))
        self.canvas.width, self.canvas.height = w, h
        self.mask = np.zeros((h, w), bool)
        self.canvas[0].put_image_data(np.asarray(image.convert("RGB").resize((w, h), Image.Resampling.LANCZOS)), 0, 0)
        self._redraw()

    def paint(self, x, y) -> None:
        """One brush dab at canvas point (x, y), joined to the previous dab of the stroke; the eraser removes."""
        r = self.size.value / 2
        x0, y0 = self._last if self._last is not None else (x, y)
        steps = max(1, int(np.hypot(x - x0, y - y0) / max(1.0, r / 2)))
        yy, xx = np.ogrid[:self.mask.shape[0], :self.mask.shape[1]]
        with hold_canvas():
            for k in range(steps + 1):
                cx, cy = x0 + (x - x0) * k / steps, y0 + (y - y0) * k / steps
                self.mask[(xx - cx) ** 2 + (yy - cy) ** 2 <= r * r] = not self.eraser.value
                if not self.eraser.value:
                    self.canvas[1].fill_style = "rgba({},{},{},{:.2f})".format(*OVERLAY[:3], OVERLAY[3] / 255)
                    self.canvas[1].fill_circle(cx, cy, r)
        self._last = (x, y)
        if self.eraser.value:
            self._redraw()

    def end_stroke(self) -> None:
        """The mouse was released: the next dab starts a new stroke; the overlay is redrawn cleanly."""
        if self._last is not None:
            self._last = None
            self._redraw()

    def drag_box(self, x0, y0, x1, y1) -> None:
        """Set the region to the box dragged from (x0, y0) to (x1, y1), canvas pixels; a click (no size) removes it."""
        h, w = self.mask.shape
        left, right = sorted((min(max(x0, 0), w), min(max(x1, 0), w)))
        top, bottom = sorted((min(max(y0, 0), h), min(max(y1, 0), h)))
        self.box = (left, top, right, bottom) if right - left >= 4 and bottom - top >= 4 else None
        self._redraw()

    def clear(self) -> None:
        self.box = None
        self.mask[:] = False
        self._redraw()

    def invert(self) -> None:
        self.mask = ~self.mask
        self._redraw()

    def mask_for(self, size):
        """The painted mask at the photo's `size` (width, height), or None when nothing is painted."""
        if not self.mask.any():
            return None
        im = Image.fromarray(self.mask.astype(np.uint8) * 255).resize(size, Image.Resampling.BILINEAR)
        return np.asarray(im) >= 128

    def edit_options(self, size) -> dict:
        """The `mask=` and `region=` arguments of `Editor.edit` for a photo of `size`, from the brush and switches."""
        mask = self.mask_for(size)
        if mask is not None and not mask.any():   # a dab too small to survive the scaling
            mask = None
        if self.box is not None:
            f = size[0] / self.mask.shape[1]
            region = tuple(min(round(v * f), limit) for v, limit in zip(self.box, (*size, *size)))
            return {"mask": mask, "region": region}
        if mask is not None:
            return {"mask": mask, "region": "auto" if self.only_region.value else None}
        return {"region": (0, 0, *size)} if self.full_size.value else {}

    def _redraw(self):
        rgba = np.zeros((*self.mask.shape, 4), np.uint8)
        rgba[self.mask] = OVERLAY
        with hold_canvas():
            self.canvas[1].clear()
            self.canvas[1].put_image_data(rgba, 0, 0)
            if self.box is not None:
                self._outline(*self.box)

    def _outline(self, left, top, right, bottom):
        self.canvas[1].stroke_style = "#ff00ff"
        self.canvas[1].line_width = 3
        self.canvas[1].stroke_rect(left, top, right - left, bottom - top)

    # ------------------------------------------------------------------ handlers
    def _on_canvas_down(self, x, y):
        self._last = None
        if self.box_mode.value:
            self._box_start = (x, y)
        else:
            self.paint(x, y)

    def _on_canvas_move(self, x, y):
        if self._box_start is not None:
            with hold_canvas():
                self._redraw()
                self._outline(*self._box_start, x, y)
        elif self._last is not None:
            self.paint(x, y)

    def _on_canvas_up(self, x, y):
        if self._box_start is not None:
            self.drag_box(*self._box_start, x, y)
            self._box_start = None
        self.end_stroke()

    def _on_clear_click(self, _button):
        self.clear()

    def _on_invert_click(self, _button):
        self.invert()

    def _on_crop_click(self, _button):
        self.only_region.value = True
