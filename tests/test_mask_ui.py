"""The brush in the app (ip2p_nb/app/mask.py): strokes drawn as a mouse drag draws them, then a real edit on `tiny`."""

import numpy as np
import pytest

from ip2p_nb.editing import regions
from ip2p_nb.app import App, available_samples
from ip2p_nb.app.mask import MaskPainter

from test_regions import grown
from test_ui import editor  # noqa: F401  (the module's tiny editor, shared)

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


def _app(editor, tmp_path):
    app = App(editor, workdir=tmp_path)
    app.steps.value, app.max_size.value = 2, 256
    app.sample.value = str(available_samples()["cat"])
    app.instruction.value = "make it snowy"
    return app


def stroke(painter, points):
    for x, y in points:
        painter.paint(x, y)
    painter.end_stroke()


def test_brush_eraser_clear_and_invert_change_the_mask(editor, tmp_path):
    app = _app(editor, tmp_path)
    p = app.painter
    assert p.mask.shape == (round(512 * app.current_image.height / app.current_image.width), 512) and not p.mask.any()
    p.size.value = 20
    stroke(p, [(100, 100), (200, 100)])                      # a drag: the dabs are joined into a line
    assert p.mask[100, 100:201].all() and p.mask[100, 150] and not p.mask[150, 150]
    p.eraser.value = True
    stroke(p, [(150, 100)])
    assert not p.mask[100, 150] and p.mask[100, 110]
    p.eraser.value = False
    p.invert()
    assert p.mask[150, 150] and not p.mask[100, 110]
    p.clear()
    assert not p.mask.any() and p.edit_options(app.current_image.size) == {}


def test_a_painted_stroke_changes_only_that_part_at_full_size(editor, tmp_path):
    app = _app(editor, tmp_path)
    photo = app.current_image
    app.painter.size.value = 40
    stroke(app.painter, [(150, 120), (300, 160)])
    app.edit_button.click()
    assert app.wait(120)
    result = app.results[-1]
    assert result.image.size == photo.size and result.original.size == photo.size
    mask = app.painter.mask_for(photo.size)
    diff = (np.asarray(result.image) != np.asarray(photo)).any(axis=2)
    assert not diff[~grown(mask, regions.feather_width(photo.size))].any()
    assert diff[mask].mean() > 0.9
    assert result.mask_box == regions.mask_box(mask)
    from PIL import Image
    saved = Image.open(tmp_path / "edited.png")                       # the full-size result, on disk
    assert saved.size == photo.size and np.array_equal(np.asarray(saved), np.asarray(result.image))
    assert "edited.png" in app.message.value


def test_only_this_region_and_keep_full_size_switches(editor, tmp_path):
    app = _app(editor, tmp_path)
    size = app.current_image.size
    app.painter.full_size.value = True
    assert app.painter.edit_options(size) == {"region": (0, 0, *size)}   # a whole-photo edit at the photo's size
    app.edit_button.click()
    assert app.wait(120) and app.results[-1].image.size == size
    stroke(app.painter, [(200, 150)])
    app.painter.crop_button.click()                                      # "crop to the painted part"
    options = app.painter.edit_options(size)
    assert options["region"] == "auto" and options["mask"].any()
    app.edit_button.click()
    assert app.wait(120)
    r = app.results[-1]
    assert r.image.size == size and r.region is not None


def test_the_painter_draws_on_a_canvas_without_a_browser():
    from PIL import Image

    p = MaskPainter()
    p.set_image(Image.new("RGB", (300, 600), (10, 20, 30)))
    assert (p.canvas.width, p.canvas.height) == (256, 512)                # the photo's aspect, longest side 512


def test_a_dragged_box_is_the_region_in_photo_pixels(editor, tmp_path):
    app = _app(editor, tmp_path)
    w, h = app.current_image.size
    p = app.painter
    p.drag_box(256, 100, 128, 200)                                       # dragged right to left: sorted
    assert p.edit_options((w, h)) == {"mask": None, "region": tuple(round(v * w / 512) for v in (128, 100, 256, 200))}
    app.edit_button.click()
    assert app.wait(120)
    r = app.results[-1]
    assert r.image.size == (w, h) and r.region == p.edit_options((w, h))["region"]
    p.drag_box(10, 10, 11, 11)                                           # a click, not a box: no region
    assert p.box is None
