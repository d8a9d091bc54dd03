"""Explore grids on the tiny pipeline: geometry, tiles equal single edits, seed batching, metadata, CLI, app panel."""
import json
import statistics
import threading
import time

import numpy as np
import pytest
from PIL import Image, ImageDraw

from ip2p_nb.outputs import fonts
from ip2p_nb.editing.editor import EditStopped
from ip2p_nb.editing.load import load_editor
from ip2p_nb.errors import SettingError, UserError
from ip2p_nb.cli import main as cli_main
from ip2p_nb.outputs.grids import _MARGIN, AXES, _fonts, explore, parse_vary
from ip2p_nb.editing.images import resize_for_edit
from ip2p_nb.outputs.metadata import parameters_text, parse_parameters

FAST = {"steps": 2, "max_size": 256}


def _scene(width=640, height=480):
    """A synthetic photo: sky, ground, sun and a house."""
    image = Image.new("RGB", (width, height), (110, 160, 235))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, height // 2, width, height), fill=(70, 150, 70))
    draw.ellipse((width * 0.72, height * 0.1, width * 0.88, height * 0.3), fill=(250, 220, 80))
    draw.rectangle((width * 0.2, height * 0.4, width * 0.4, height * 0.7), fill=(180, 60, 50))
    return image


@pytest.fixture(scope="module")
def editor():
    return load_editor("tiny")


@pytest.fixture(scope="module")
def photo():
    return _scene()


@pytest.fixture(scope="module")
def built(editor, photo, tmp_path_factory):
    """A 2x2 grid (image guidance across, seed down), its progress calls and its file."""
    calls, path = [], tmp_path_factory.mktemp("grid") / "grid.png"
    grid = explore(editor, photo, "make it snowy", {"image_guidance": [1.2, 2.0], "seed": [3, 4]},
                   output=path, progress=lambda d, t: calls.append((d, t)), text_guidance=7.5, **FAST)
    return grid, calls, path


def _diff(a, b) -> int:
    return int(np.abs(np.asarray(a, np.int16) - np.asarray(b, np.int16)).max())


def test_grid_geometry(built):
    grid, _, _ = built
    assert [[(t.image_guidance, t.seed) for t in row] for row in grid.tiles] == [[(1.2, 3), (2.0, 3)], [(1.2, 4), (2.0, 4)]]
    tw, th = grid.original.size
    assert (tw, th) == (256, 192)
    boxes = [box for row in grid.boxes["tiles"] for box in row]
    assert all((x1 - x0, y1 - y0) == (tw, th) for x0, y0, x1, y1 in boxes + [grid.boxes["input"]])
    assert all(t.image.size == (tw, th) for row in grid.tiles for t in row)
    (a, b), (c, _) = grid.boxes["tiles"]
    assert b[0] - a[0] == b[0] - a[0] > tw and c[1] - a[1] > th and c[0] == a[0] and b[1] == a[1]
    # the input sits at the top-left, level with the first row, left of the row labels and tiles
    ix0, iy0, ix1, _ = grid.boxes["input"]
    assert ix0 == _MARGIN and iy0 == a[1] and a[0] - ix1 > 28
    assert grid.image.size == (b[2] + _MARGIN, c[3] + _MARGIN)
    # the grid shows the edit's own pixels, unscaled
    assert _diff(grid.image.crop(grid.boxes["input"]), grid.original) == 0
    for box, tile in zip(boxes, [t for row in grid.tiles for t in row]):
        assert _diff(grid.image.crop(box), tile.image) == 0


def test_tiles_equal_single_edits(built, editor, photo):
    grid, _, _ = built
    for row, col in ((0, 1), (1, 0)):  # seed batches of two (seeds 3 and 4 share each guidance)
        tile = grid.tiles[row][col]
        single = editor.edit(photo, "make it snowy", seed=tile.seed, image_guidance=tile.image_guidance,
                             text_guidance=7.5, **FAST)
        assert _diff(tile.image, single.image) <= 2
        assert (tile.prompt, tile.steps, tile.max_size, tile.model) == (single.prompt, 2, 256, "tiny")


def test_progress_covers_the_whole_grid(built):
    _, calls, _ = built
    assert calls[-1] == (8, 8)  # 4 tiles x 2 steps
    assert [d for d, _ in calls] == sorted(d for d, _ in calls) and len(calls) == 4  # 2 batches x 2 steps


def test_metadata_has_every_tile(built):
    grid, _, path = built
    with Image.open(path) as saved:
        info = dict(saved.info)
        assert saved.size == grid.image.size
    assert info["parameters"] == parameters_text(grid.tiles[0][0])
    tiles = json.loads(info["tiles"])
    assert len(tiles) == 4
    for entry in tiles:
        tile = grid.tiles[entry["row"]][entry["col"]]
        parsed = parse_parameters(entry["parameters"])
        assert (parsed["seed"], parsed["image_guidance"], parsed["text_guidance"], parsed["steps"]) == \
               (tile.seed, tile.image_guidance, 7.5, 2)
    assert json.loads(info["axes"]) == [{"name": "image_guidance", "values": [1.2, 2.0]}, {"name": "seed", "values": [3, 4]}]


def test_seeds_run_as_one_batch(editor, photo):
    batches = []
    hook = editor.pipe.unet.register_forward_hook(lambda m, args, out: batches.append(args[0].shape[0]))
    try:
        grid = explore(editor, photo, "make it snowy", {"seed": [1, 2, 3, 4]}, steps=1, max_size=256)
    finally:
        hook.remove()
    assert batches == [12]  # one UNet call: 4 seeds x 3 guidance branches
    assert [t.seed for t in grid.tiles[0]] == [1, 2, 3, 4]


def test_batching_is_not_slower(editor, photo):
    original, prompt = resize_for_edit(photo, 96), "make it snowy"  # below the app's minimum size, to keep this quick
    editor._generate(original, prompt, [0], 1.5, 7.5, 1, None, [])  # warm up
    sequential, batched = [], []
    for _ in range(3):
        start = time.perf_counter()
        for seed in range(4):
            editor._generate(original, prompt, [seed], 1.5, 7.5, 1, None, [])
        sequential.append(time.perf_counter() - start)
        start = time.perf_counter()
        editor._generate(original, prompt, [0, 1, 2, 3], 1.5, 7.5, 1, None, [])
        batched.append(time.perf_counter() - start)
    print(f"4 seeds: sequential {statistics.median(sequential):.3f} s, batched {statistics.median(batched):.3f} s")
    assert statistics.median(batched) <= 1.5 * statistics.median(sequential)


def test_stop_event_stops_the_grid(editor, photo, tmp_path):
    stop = threading.Event()
    stop.set()
    with pytest.raises(EditStopped, match="stopped"):
        explore(editor, photo, "make it snowy", {"seed": [1, 2]}, output=tmp_path / "g.png", stop=stop, **FAST)
    assert not (tmp_path / "g.png").exists() and not editor._lock.locked()

    def progress(done, total):
        raise KeyboardInterrupt
    with pytest.raises(EditStopped):
        explore(editor, photo, "make it snowy", {"seed": [1]}, progress=progress, **FAST)


@pytest.mark.parametrize("vary, match", [
    ({"seed": [1], "steps": [2], "image_guidance": [1.5]}, "at most 2"),
    ({"seed": list(range(7))}, "1 to 6 values"),
    ({"seed": list(range(5)), "steps": list(range(1, 6))}, "at most 24 tiles"),
    ({"image_guidance": [1.5, 0.5]}, r"`image_guidance` must be between 1.0 and 5.0, but got 0.5"),
    ({"steps": [2.5]}, "whole number"),
    ({"max_size": [256]}, "cannot vary"),
    ({}, "one or two"),
    ({"seed": 3}, "list of values"),
])
def test_bad_axes_are_refused(editor, photo, vary, match):
    with pytest.raises(SettingError, match=match):
        explore(editor, photo, "make it snowy", vary)


def test_instruction_axis_rules(editor, photo):
    with pytest.raises(UserError, match="not both"):
        explore(editor, photo, "make it snowy", {"instruction": ["a", "b"]})
    with pytest.raises(UserError, match="english"):
        explore(editor, photo, None, {"instruction": ["a", "b"]}, english="snow")
    with pytest.raises(UserError, match="empty"):
        explore(editor, photo, " ", {"seed": [1]})


def test_parse_vary():
    assert parse_vary("image-guidance=1.2, 1.5,2") == ("image_guidance", [1.2, 1.5, 2.0])
    assert parse_vary("instruction=make it snowy, please|add snow") == ("instruction", ["make it snowy, please", "add snow"])
    assert parse_vary("seed=1,2") == ("seed", [1, 2])
    for bad, match in (("seed=1.5", "whole numbers"), ("text-guidance=5,,7", "empty value"), ("colour=1", "cannot vary"),
                       ("steps", "AXIS=V1")):
        with pytest.raises(SettingError, match=match):
            parse_vary(bad)


def test_cli_guidance_grid(tmp_path, capsys):
    _scene().save(tmp_path / "photo.png")
    out = tmp_path / "grid.png"
    rc = cli_main(["explore", str(tmp_path / "photo.png"), "make him a dog", "--vary", "image-guidance=1.2,1.5,2.0",
                      "--vary", "text-guidance=5,7.5", "-o", str(out), "--model", "tiny", "--steps", "2",
                      "--max-size", "256", "--seed", "7"])
    printed = capsys.readouterr().out.splitlines()
    assert rc == 0 and out.is_file()
    assert [line.split(":")[0] for line in printed[:-1]] == [f"tile {r},{c}" for r in (1, 2) for c in (1, 2, 3)]
    assert printed[-1].startswith(f"{out}: 3 columns x 2 rows,")
    with Image.open(out) as saved:
        tiles = [parse_parameters(t["parameters"]) for t in json.loads(saved.info["tiles"])]
    assert [(t["image_guidance"], t["text_guidance"], t["seed"]) for t in tiles] == \
           [(i, t, 7) for t in (5.0, 7.5) for i in (1.2, 1.5, 2.0)]


def test_cli_phrasings(tmp_path, capsys):
    _scene().save(tmp_path / "photo.png")
    rc = cli_main(["explore", str(tmp_path / "photo.png"), "--vary", "instruction=make him a dog|turn him into a dog|as a dog",
                      "-o", str(tmp_path / "p.png"), "--model", "tiny", "--steps", "2", "--max-size", "256"])
    printed = capsys.readouterr().out.splitlines()
    assert rc == 0 and len(printed) == 4 and "3 columns x 1 row," in printed[-1]
    with Image.open(tmp_path / "p.png") as saved:
        tiles = json.loads(saved.info["tiles"])
    assert [t["instruction"] for t in tiles] == ["make him a dog", "turn him into a dog", "as a dog"]
    assert len({parse_parameters(t["parameters"])["seed"] for t in tiles}) == 1  # one random seed for the grid


def test_cli_errors_are_one_line(tmp_path, capsys):
    from ip2p_nb.cli import main

    assert main(["explore", "x.png", "make it snowy", "--vary", "colour=red,blue", "--model", "tiny"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error:") and "cannot vary" in err and "\n" not in err


def test_chinese_labels_use_the_cjk_font():
    found = fonts.find_cjk_font()
    if found is None:
        pytest.skip("no CJK font on this machine")
    f = _fonts(256)
    assert {f["bold"].path, f["label"].path} <= {found.path, found.bold_path}
    text = "".join(zh for zh, _ in AXES.values()) + "原图比较不同说法"
    assert fonts.font_covers(f["bold"], text) == []
    glyphs = set()
    for char in "图片引导强度":  # tofu boxes would all look the same
        image = Image.new("L", (40, 40))
        ImageDraw.Draw(image).text((4, 4), char, font=f["bold"], fill=255)
        glyphs.add(image.tobytes())
    assert len(glyphs) == 6


# --- the app's Explore panel, driven through real widgets on a stand-in app ----------------------
class _App:
    """The attributes of the main app that the panel uses, as real widgets."""

    def __init__(self, editor, image):
        import ipywidgets as W

        self.editor, self.current_image, self.busy, self.messages = editor, image, False, []
        self.instruction = W.Text(value="make it snowy")
        self.prompt = W.Text(value="make it snowy")
        self.image_guidance = W.FloatSlider(value=1.5, min=1.0, max=5.0, step=0.05)
        self.text_guidance = W.FloatSlider(value=7.5, min=1.0, max=20.0, step=0.05)
        self.steps = W.IntSlider(value=2, min=1, max=100)
        self.max_size = W.IntSlider(value=256, min=256, max=1024, step=64)
        self.seed = W.IntText(value=5)
        self.random_seed = W.Checkbox(value=True)

    def show_message(self, text, kind):
        self.messages.append((kind, text))


def test_panel_builds_a_grid_and_adopts_a_tile(editor, photo):
    from ip2p_nb.app.explore import ExplorePanel

    app = _App(editor, resize_for_edit(photo, 256))
    panel = ExplorePanel(app)
    assert (panel.values1.value, panel.values2.value) == ("1.2, 1.5, 2.0", "5, 7.5, 10")
    panel.axis1.value = "seed"
    assert panel.values1.value == "1, 2, 3"
    panel.values1.value = "11, 12"
    panel.axis2.value = None
    panel.build.click()
    assert app.busy and panel.stop.disabled is False
    panel.wait(120)
    assert not app.busy and not panel.build.disabled and app.messages == []
    with Image.open(__import__("io").BytesIO(panel.image.value)) as shown:
        assert shown.size == panel.grid.image.size
    assert [value for _, value in panel.tile.options] == [(0, 0), (0, 1)]
    assert panel.progress.value == panel.progress.max == 4
    panel.tile.value = (0, 1)
    app.image_guidance.value, app.instruction.value = 3.0, "something else"
    panel.adopt.click()
    assert (app.seed.value, app.random_seed.value, app.image_guidance.value) == (12, False, 1.5)
    assert (app.instruction.value, app.prompt.value, app.steps.value) == ("make it snowy", "make it snowy", 2)


def test_panel_stop_errors_and_randomise(editor, photo):
    from ip2p_nb.app.explore import ExplorePanel

    app = _App(editor, None)
    panel = ExplorePanel(app)
    panel.build.click()  # no image yet
    assert app.messages[-1][0] == "error" and "image" in app.messages[-1][1] and panel._thread is None
    app.current_image = resize_for_edit(photo, 256)
    panel.values1.value = "1.2, abc"
    panel.build.click()
    assert "numbers" in app.messages[-1][1] and panel._thread is None
    panel.values1.value = "1.2, 1.5"
    panel.build.click()
    panel.stop.click()
    panel.wait(120)
    assert app.messages[-1][0] == "warning" and "stopped" in app.messages[-1][1] and panel.grid is None
    assert not app.busy and not panel.build.disabled and panel.stop.disabled
    for _ in range(20):
        panel.randomise.click()
        i, t = app.image_guidance.value, app.text_guidance.value
        assert 1.2 <= i <= 1.8 and 6.0 <= t <= 9.0
        assert abs(i * 20 - round(i * 20)) < 1e-6 and abs(t * 20 - round(t * 20)) < 1e-6


def test_package_export_is_callable_after_the_module_is_imported(editor, photo):
    import ip2p_nb.outputs.grids  # noqa: F401  (what importing the app does first)
    from ip2p_nb import explore as from_package

    grid = from_package(editor, photo, "make it snowy", {"seed": [1]}, steps=1, max_size=256)
    assert len(grid.tiles) == 1 and grid.tiles[0][0].seed == 1


def test_finished_tiles_are_reported_as_they_finish(editor, photo):
    """`tile(row, col, result)` comes once per tile, before the grid is drawn, in the order tiles finish;
    the panel shows them in a strip while the grid runs and clears it when the grid is shown."""
    from ip2p_nb.app.explore import ExplorePanel

    seen = []
    grid = explore(editor, photo, "make it snowy", {"image_guidance": [1.2, 2.0], "text_guidance": [5.0, 7.5]},
                   tile=lambda r, c, result: seen.append((r, c, result)), **FAST)
    assert sorted((r, c) for r, c, _ in seen) == [(0, 0), (0, 1), (1, 0), (1, 1)]
    for r, c, result in seen:
        assert result is grid.tiles[r][c] and result.sampler == "Euler a"
    app = _App(editor, resize_for_edit(photo, 256))
    panel = ExplorePanel(app)
    panel.axis2.value = None
    strips = []
    panel.finished.observe(lambda change: strips.append(len(change["new"])), names="children")
    panel.build.click()
    panel.wait(120)
    assert strips == [1, 2, 3, 0]   # three image guidances across, one more as each finishes; cleared for the grid


def test_panel_on_the_demo_model_uses_its_own_64_px_size(photo):
    """The Explore tab once refused every size on `demo` (its range starts at 64, the real model's at 256)."""
    import ipywidgets as W

    from ip2p_nb.app.explore import ExplorePanel

    demo = load_editor("demo")
    app = _App(demo, resize_for_edit(photo, 64))
    app.max_size = W.IntSlider(value=64, min=demo.size_range[0], max=demo.size_range[1], step=8)
    panel = ExplorePanel(app)
    panel.axis1.value, panel.values1.value, panel.axis2.value = "seed", "1, 2", None
    panel.build.click()
    panel.wait(120)
    assert app.messages == [] and [t.image.size for t in panel.grid.tiles[0]] == [(64, 48), (64, 48)]
