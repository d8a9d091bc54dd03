"""Editing part of a photo (ip2p_nb/editing/regions.py, Editor.edit(mask=..., region=...)): real edits on `tiny` and `demo`."""
import io
import os

import numpy as np
import pytest
from PIL import Image

from commands import run_python
from conftest import scene
from ip2p_nb.editing import regions
from ip2p_nb.errors import UserError
from ip2p_nb.editing.images import load_image
from ip2p_nb.outputs.metadata import read_png_settings

EN = "make it red"


def edit(editor, image, **kw):
    kw = {"english": EN, "seed": 3, "steps": 2, "max_size": 256, **kw}
    return editor.edit(image, EN, **kw)


def grown(mask: np.ndarray, r: int) -> np.ndarray:
    """Pixels within `r` rows/columns of the mask (a box dilation, by summed-area table)."""
    pad = np.pad(mask.astype(np.int64), r)
    s = np.pad(pad.cumsum(0).cumsum(1), ((1, 0), (1, 0)))
    k = 2 * r + 1
    h, w = mask.shape
    box = s[k:k + h, k:k + w] - s[:h, k:k + w] - s[k:k + h, :w] + s[:h, :w]
    return box > 0


def blob(w, h, kind):
    yy, xx = np.mgrid[:h, :w]
    if kind == "rect":
        return (xx > w * 0.3) & (xx < w * 0.6) & (yy > h * 0.2) & (yy < h * 0.5)
    if kind == "disc":
        return (xx - w * 0.5) ** 2 + (yy - h * 0.6) ** 2 < (min(w, h) * 0.2) ** 2
    return ((xx // 17 + yy // 23) % 5 == 0) & (yy < h * 0.7)  # stripes: many small pieces


def changed(a: Image.Image, b: Image.Image) -> np.ndarray:
    return (np.asarray(a) != np.asarray(b)).any(axis=2)


# ------------------------------------------------------------------ masks: exact bytes outside the feather
@pytest.mark.parametrize("w,h,kind", [(640, 480, "rect"), (333, 517, "disc"), (800, 300, "stripes"), (256, 256, "disc")])
def test_outside_the_feathered_mask_every_byte_is_the_input(tiny_editor, w, h, kind):
    photo = scene(w, h, seed=w)
    mask = blob(w, h, kind)
    r = edit(tiny_editor, photo, mask=mask)
    assert r.image.size == (w, h) and r.original.size == (w, h)
    near = grown(mask, regions.feather_width((w, h)))
    diff = changed(r.image, photo)
    assert not diff[~near].any()                      # far from the mask: byte-identical
    assert diff[mask].mean() > 0.9                    # inside: edited
    assert r.mask_box == regions.mask_box(mask)


def _exif_rotated_jpeg(upright: Image.Image) -> bytes:
    """`upright` stored on its side with EXIF orientation 6, as phones do."""
    exif = Image.Exif()
    exif[0x0112] = 6
    buf = io.BytesIO()
    upright.transpose(Image.Transpose.ROTATE_90).save(buf, "JPEG", quality=95, exif=exif)
    return buf.getvalue()


def test_exif_rotated_photo_is_edited_upright_and_kept_byte_for_byte(tiny_editor):
    data = _exif_rotated_jpeg(scene(300, 400))
    upright = load_image(data)
    assert upright.size == (300, 400)
    mask = blob(300, 400, "disc")
    r = edit(tiny_editor, data, mask=mask)
    assert r.image.size == (300, 400)
    assert np.array_equal(np.asarray(r.original), np.asarray(upright))
    assert not changed(r.image, upright)[~grown(mask, regions.feather_width((300, 400)))].any()
    with pytest.raises(UserError, match="before it was turned upright"):
        edit(tiny_editor, data, mask=np.ones((300, 400), bool))   # drawn on the stored (sideways) pixels


def test_a_mask_that_is_everything_gives_the_unmasked_edit(tiny_editor):
    photo = scene(640, 480)
    plain = edit(tiny_editor, photo)
    masked = edit(tiny_editor, photo, mask=np.ones((480, 640), bool))
    expect = plain.image.resize((640, 480), Image.Resampling.LANCZOS)
    assert np.array_equal(np.asarray(masked.image), np.asarray(expect))


def test_the_latent_blend_keeps_the_masked_out_area_whatever_the_seed(tiny_editor):
    """Before any pixel compositing: two seeds differ where the mask is white, much less where it is black."""
    original = tiny_editor.prepare(scene(256, 256), 256)
    mask = np.zeros((256, 256), bool)
    mask[:, 128:] = True
    with tiny_editor.busy():
        a, b = (tiny_editor.generate(original, EN, [s], 1.5, 7.5, 3, mask=mask)[0] for s in (1, 2))
        c, d = (tiny_editor.generate(original, EN, [s], 1.5, 7.5, 3)[0] for s in (1, 2))
    diff = np.abs(np.asarray(a, float) - np.asarray(b, float)).mean(axis=2)
    free = np.abs(np.asarray(c, float) - np.asarray(d, float)).mean(axis=2)
    assert diff[:, :96].mean() < 0.2 * diff[:, 160:].mean()
    assert diff[:, :96].mean() < 0.2 * free[:, :96].mean()


@pytest.mark.parametrize("sampler", ["DPM++ 2M Karras", "Heun", "DDIM", "UniPC", "LMS"])
def test_masks_work_with_other_samplers(tiny_editor, sampler):
    tiny_editor.use_scheduler(sampler)
    photo = scene(320, 240)
    mask = blob(320, 240, "rect")
    r = edit(tiny_editor, photo, mask=mask)
    assert not changed(r.image, photo)[~grown(mask, regions.feather_width((320, 240)))].any()
    assert not any("cannot re-noise" in n for n in r.warnings), r.warnings   # the latent blend ran


# ------------------------------------------------------------------ regions: full resolution, soft seam
def outside(box, size) -> np.ndarray:
    """True on every pixel of a photo of `size` outside `box`."""
    left, top, right, bottom = box
    out = np.ones((size[1], size[0]), bool)
    out[top:bottom, left:right] = False
    return out


def test_region_of_a_4000x3000_photo_returns_4000x3000(tiny_editor):
    photo = scene(4000, 3000)
    box = (1500, 900, 2300, 1700)
    r = edit(tiny_editor, photo, region=box, steps=1)
    assert r.image.size == (4000, 3000) and r.original.size == (4000, 3000) and r.region == box
    diff = changed(r.image, photo)
    assert not diff[outside(box, photo.size)].any()
    assert diff[box[1]:box[3], box[0]:box[2]].mean() > 0.9


@pytest.mark.parametrize("w,h,box", [
    (1200, 900, (400, 300, 800, 600)),        # the case of the report: the context margin used to be pasted too
    (321, 243, (37, 51, 200, 190)),           # odd sizes
    (333, 517, (0, 0, 120, 200)),             # touching the top-left corner
    (517, 333, (300, 100, 517, 333)),         # touching the bottom-right corner
    (640, 480, (0, 100, 640, 300)),           # a band across the whole width
    (999, 777, (500, 400, 516, 416)),         # the smallest box (16x16), mid-photo
    (257, 129, (241, 0, 257, 16)),            # the smallest box, in a corner
])
def test_a_region_edit_changes_no_byte_outside_the_region(tiny_editor, w, h, box):
    """The context margin is what the model sees, never what is pasted back: outside the box, every byte is the input's."""
    photo = scene(w, h, seed=w)
    r = edit(tiny_editor, photo, region=box)
    before, after = np.asarray(photo), np.asarray(r.image)
    out = outside(box, photo.size)
    assert r.image.size == photo.size
    assert np.array_equal(after[out], before[out]), f"{changed(r.image, photo)[out].sum()} pixels changed outside {box}"
    left, top, right, bottom = box
    inner = changed(r.image, photo)[top:bottom, left:right]
    assert inner.mean() > 0.5, inner.mean()                       # the region itself was edited
    cx, cy = (right - left) // 2, (bottom - top) // 2
    assert inner[cy, cx]                                          # its middle fully


def test_the_brush_crop_to_the_painted_part_changes_nothing_outside_its_box(tiny_editor):
    """The app's brush with "only this region" is mask + region="auto": nothing outside the auto box changes."""
    photo = scene(1001, 751)
    mask = np.zeros((751, 1001), bool)
    mask[300:420, 0:140] = True                                   # on the left edge
    r = edit(tiny_editor, photo, mask=mask, region="auto")
    assert not changed(r.image, photo)[outside(r.region, photo.size)].any()
    assert changed(r.image, photo)[mask].mean() > 0.5


def test_the_seam_has_no_step(tiny_editor):
    """Across the region's edge (feathered inside it) the jump is spread over many columns; a hard paste makes one step."""
    photo = Image.new("RGB", (1200, 900), (10, 10, 10))
    box = (400, 300, 800, 600)
    r = edit(tiny_editor, photo, region=box)
    a = np.asarray(r.image, float).mean(axis=2)
    rows = slice(box[1] + 50, box[3] - 50)
    dx = np.abs(np.diff(a[rows], axis=1))
    ramp = regions.region_feather_width(box)
    seam = dx[:, box[0] - 3:box[0] + ramp + 3].mean(axis=0).max()  # the worst column across the seam (inside the box)
    inside = dx[:, box[0] + 50:box[2] - 50].mean()
    hard = np.abs(a[rows, box[0] + ramp + 2] - 10).mean()         # the jump a hard paste would make at the edge
    assert seam < inside + hard / 8, (seam, inside, hard)         # spread over at least ~8 columns
    assert hard > 4 * inside, (hard, inside)                      # so the test can tell a seam


def test_auto_region_covers_the_mask_and_only_that_part_changes(tiny_editor):
    photo = scene(3000, 2000)
    mask = np.zeros((2000, 3000), bool)
    mask[900:1000, 1400:1500] = True                              # a small face-sized patch
    r = edit(tiny_editor, photo, mask=mask, region="auto")
    left, top, right, bottom = r.region
    assert left <= 1400 and top <= 900 and right >= 1500 and bottom >= 1000
    assert min(right - left, bottom - top) >= 256                 # grown to max_size
    cl, ct, cr, cb = regions.context_box(r.region, photo.size)     # the part the model edited
    assert not changed(r.image, photo)[~grown(mask, regions.feather_width((cr - cl, cb - ct)))].any()


# ------------------------------------------------------------------ bad input: one sentence each
def one_sentence(e):
    text = str(e.value)
    assert "\n" not in text and text.endswith(".") and len(text) < 240, text
    return text


@pytest.mark.parametrize("mask,region,words", [
    (np.zeros((240, 320), bool), None, "empty"),
    (np.ones((100, 300), bool), None, "another shape"),
    (np.ones((10, 10, 10)), None, "2-D array"),
    ("nowhere/mask.png", None, "no mask file"),
    (42, None, "Cannot read a mask"),
    (None, (10, 10, 5, 50), "reversed"),
    (None, (0, 0, 321, 240), "outside"),
    (None, (-5, 0, 100, 100), "outside"),
    (None, (0, 0, 10, 100), "too small"),
    (None, (1, 2, 3), "four whole numbers"),
    (None, "1,2,x,4", "four whole numbers"),
    (None, (1.5, 2, 30, 40), "four whole numbers"),
    (None, "auto", "needs a mask"),
])
def test_every_bad_mask_or_region_is_one_sentence(tiny_editor, mask, region, words):
    with pytest.raises(UserError) as e:
        edit(tiny_editor, scene(320, 240), mask=mask, region=region)
    assert words in one_sentence(e)


def test_mask_outside_the_region_is_one_sentence(tiny_editor):
    mask = np.zeros((240, 320), bool)
    mask[:20, :20] = True
    with pytest.raises(UserError) as e:
        edit(tiny_editor, scene(320, 240), mask=mask, region=(100, 100, 300, 220))
    assert "outside the region" in one_sentence(e)


def test_a_smaller_mask_of_the_same_shape_is_resized_with_a_note(tiny_editor, tmp_path):
    small = np.zeros((120, 160), np.uint8)
    small[30:90, 40:120] = 255
    Image.fromarray(small).save(tmp_path / "mask.png")
    r = edit(tiny_editor, scene(320, 240), mask=tmp_path / "mask.png")
    assert any("was resized" in n for n in r.warnings)
    assert r.mask_box == (80, 60, 240, 180)


def test_transparent_mask_uses_its_opaque_part():
    rgba = Image.new("RGBA", (40, 30), (255, 0, 0, 0))
    rgba.paste((255, 0, 0, 255), (10, 5, 20, 15))
    m = regions.load_mask(rgba, (40, 30))
    assert regions.mask_box(m) == (10, 5, 20, 15)


# ------------------------------------------------------------------ the demo model and the command line
def test_demo_house_mask_changes_only_the_house(tmp_path):
    from ip2p_nb import load_editor
    from ip2p_nb.train import make_pair

    pair = make_pair(0, size=64, kind="house_colour")
    photo = pair.before.resize((256, 256), Image.Resampling.NEAREST)
    mask = np.asarray(Image.fromarray(pair.region.astype(np.uint8) * 255).resize((256, 256), Image.Resampling.NEAREST))
    editor = load_editor("demo")
    r = editor.edit(photo, pair.instruction, english=pair.instruction, seed=0, steps=4, max_size=64, mask=mask)
    assert r.image.size == (256, 256)
    assert not changed(r.image, photo)[~grown(mask, regions.feather_width((256, 256)))].any()


def run_cli(*args, cwd):
    env = {**os.environ, "IP2P_TRANSLATE_OFFLINE": "1"}
    return run_python(["-m", "ip2p_nb", *args], cwd, env, timeout=300)   # its own process (tests/commands.py)


def test_cli_mask_and_auto_region_write_full_size_png_with_the_boxes(tmp_path):
    scene(1600, 1200).save(tmp_path / "photo.png")
    mask = np.zeros((1200, 1600), np.uint8)
    mask[500:700, 700:900] = 255
    Image.fromarray(mask).save(tmp_path / "mask.png")
    p = run_cli("edit", "photo.png", EN, "--model", "tiny", "--steps", "1", "--max-size", "256", "--seed", "1",
                "--mask", "mask.png", "--region", "auto", "-o", "out.png", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    out = Image.open(tmp_path / "out.png")
    assert out.size == (1600, 1200)
    settings = read_png_settings(tmp_path / "out.png")
    assert settings["mask_box"] == (700, 500, 900, 700)
    assert settings["region"][0] <= 700 and settings["region"][2] >= 900


@pytest.mark.parametrize("extra,words", [
    (["--region", "auto"], "needs --mask"),
    (["--region", "0,0,5000,100"], "outside"),
    (["--mask", "missing.png"], "no mask file"),
])
def test_cli_refuses_a_bad_mask_or_region_before_loading(tmp_path, extra, words):
    scene(320, 240).save(tmp_path / "photo.png")
    p = run_cli("edit", "photo.png", EN, "--model", "tiny", *extra, cwd=tmp_path)
    assert p.returncode == 2 and words in p.stderr and p.stderr.strip().count("\n") == 0, p.stderr
    assert "random weights" not in p.stderr                      # refused before the model loaded
