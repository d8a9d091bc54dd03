"""The brush and the box in the served app (Voila + headless Chromium): drawn with the mouse, checked on disk.

Uses the fixtures of test_browser.py (a Voila server on the `tiny` model, one Chromium); the edited
full-size picture lands as `edited.png` beside the served notebook.
"""
import pytest

from test_browser import ROOT, _prepare, _shots, browser, edit_and_wait, page, served, sync_api  # noqa: F401

pytestmark = pytest.mark.browser


def _canvas(page):
    """The brush canvas's box on the screen and the canvas pixels (512 wide) per screen pixel."""
    canvas = page.locator("canvas").first
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    return box, 512 / box["width"]


def test_brush_stroke_with_the_mouse_edits_only_that_part(page, served):
    """Draw a stroke on the photo with the mouse, Edit: on disk, edited.png differs from the photo only along it."""
    import numpy as np
    from PIL import Image

    from ip2p_nb.editing.images import load_image
    from ip2p_nb.editing.regions import feather_width

    _, folder = served
    _prepare(page, "cat.jpg", "make it snowy", 2, 256)
    box, scale = _canvas(page)
    start, end = (120, 100), (300, 160)                          # in canvas pixels (512 wide)
    page.mouse.move(box["x"] + start[0] / scale, box["y"] + start[1] / scale)
    page.mouse.down()
    for k in range(1, 21):
        x, y = (start[i] + (end[i] - start[i]) * k / 20 for i in range(2))
        page.mouse.move(box["x"] + x / scale, box["y"] + y / scale)
    page.mouse.up()
    page.locator(".widget-tab").first.screenshot(path=str(_shots() / "app_brush_stroke.png"))
    edit_and_wait(page, "451x300")          # this edit's own message: edited.png on disk is this edit's
    out = np.asarray(Image.open(folder / "edited.png").convert("RGB"))
    photo = np.asarray(load_image(ROOT / "assets" / "samples" / "cat.jpg"))
    diff = (out != photo).any(axis=2)
    # distance of every pixel (photo coordinates) from the stroke's centre line
    f = 451 / 512
    (x0, y0), (x1, y1) = [(p[0] * f, p[1] * f) for p in (start, end)]
    yy, xx = np.mgrid[:300, :451]
    t = np.clip(((xx - x0) * (x1 - x0) + (yy - y0) * (y1 - y0)) / ((x1 - x0) ** 2 + (y1 - y0) ** 2), 0, 1)
    dist = np.hypot(xx - (x0 + t * (x1 - x0)), yy - (y0 + t * (y1 - y0)))
    reach = (16 + 2) * f + feather_width((451, 300)) * 1.5       # brush radius 16 canvas px, the feather, rounding
    assert diff.any() and not diff[dist > reach].any()
    assert diff[dist < 8].mean() > 0.9                           # along the stroke: edited


def test_dragged_box_edits_only_that_box_at_full_size(page, served):
    """Box mode: drag a box with the mouse, Edit: on disk, edited.png differs only inside the box (plus its margin)."""
    import numpy as np
    from PIL import Image

    from ip2p_nb.editing.images import load_image

    _, folder = served
    _prepare(page, "cat.jpg", "make it snowy", 2, 256)
    page.get_by_role("button", name="框选 Drag a box").click()
    box, scale = _canvas(page)
    page.mouse.move(box["x"] + 300 / scale, box["y"] + 60 / scale)
    page.mouse.down()
    for k in range(1, 11):
        page.mouse.move(box["x"] + (300 + 15 * k) / scale, box["y"] + (60 + 15 * k) / scale)
    page.mouse.up()
    page.locator(".widget-tab").first.screenshot(path=str(_shots() / "app_box.png"))
    edit_and_wait(page, "451x300")          # this edit's own message: edited.png on disk is this edit's
    out = np.asarray(Image.open(folder / "edited.png").convert("RGB"))
    photo = np.asarray(load_image(ROOT / "assets" / "samples" / "cat.jpg"))
    diff = (out != photo).any(axis=2)
    f = 451 / 512
    region = (round(300 * f), round(60 * f), round(450 * f), round(210 * f))
    left, top, right, bottom = (v + d for v, d in zip(region, (-3, -3, 3, 3)))   # the box itself (canvas rounding)
    outside = np.ones_like(diff)                                                # nothing outside it changes
    outside[top:bottom, left:right] = False
    assert not diff[outside].any()
    assert diff[region[1] + 10:region[3] - 10, region[0] + 10:region[2] - 10].mean() > 0.9
