"""The before/after poster: layout for any image shape, real Chinese glyphs, atomic writes."""
import itertools
import os
import signal
import subprocess
import sys
import textwrap
import warnings
from types import SimpleNamespace

import numpy as np
import pytest
from PIL import Image, ImageDraw

from ip2p_nb.outputs import fonts
from ip2p_nb.errors import UserError
from ip2p_nb.outputs.metadata import read_png_settings, save_png
from ip2p_nb.cli import main as cli_main
from ip2p_nb.outputs.poster import (_COLORS, _SIZES, _line_h, _scaled, make_poster, poster_layout,
                            settings_line, wrap)

SHORT = "把天空换成夜晚"
LONG = "把天空换成繁星点点的夜晚，给远处的山加上一层薄薄的白雪，让湖面倒映出月亮，整体变成宫崎骏动画的温暖风格。" * 4
SETTINGS = {"seed": 1234, "image_guidance": 1.5, "text_guidance": 7.5, "steps": 20, "model": "tiny"}
LEAVES = ["title", "subtitle", "before_label", "before_image", "after_label", "after_image", "arrow",
          "instruction_caption", "instruction", "prompt_caption", "prompt", "settings", "date"]
SAMPLES = os.environ.get("IP2P_POSTER_SAMPLES")  # set to a folder to keep the posters and look at them


def _photo(w, h, seed):
    """A deterministic image with structure at every scale (gradients plus coloured blocks)."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w]
    a = np.stack([255 * x / max(w - 1, 1), 255 * y / max(h - 1, 1), np.full((h, w), 128.0)], -1)
    image = Image.fromarray(a.astype("uint8"))
    draw = ImageDraw.Draw(image)
    for _ in range(6):
        x0, y0 = rng.integers(0, w), rng.integers(0, h)
        draw.rectangle((x0, y0, x0 + w // 4, y0 + h // 4), fill=tuple(int(v) for v in rng.integers(0, 255, 3)))
    return image


def _overlaps(a, b):
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _inside(inner, outer):
    return outer[0] <= inner[0] and outer[1] <= inner[1] and inner[2] <= outer[2] and inner[3] <= outer[3]


CASES = {"landscape": (768, 512, SHORT), "portrait": (384, 640, LONG), "tiny": (64, 64, SHORT),
         "wide": (2048, 256, LONG), "tall": (256, 2048, SHORT)}


@pytest.mark.parametrize("name", CASES)
def test_poster_layout_and_pixels(name, tmp_path):
    w, h, instruction = CASES[name]
    original, edited = _photo(w, h, 1), _photo(w, h, 2)
    path = make_poster(path=tmp_path / "poster.png", original=original, edited=edited, instruction=instruction,
                       prompt="turn the sky into a starry night", settings=SETTINGS, date="2026-11-25")
    if SAMPLES:
        Image.open(path).save(os.path.join(SAMPLES, f"test_{name}.png"))
    poster = Image.open(path).convert("RGB")
    size, boxes, lines = poster_layout(original.size, edited.size, instruction, "turn the sky into a starry night",
                                       settings_line(SETTINGS), date="2026-11-25")
    # 1. fixed width, sensible height, the layout that was drawn
    assert poster.width == 1200 and 700 < poster.height < 2000
    # 2. regions inside the canvas, leaves inside their cards, no two leaves overlapping
    leaves = [boxes[k] for k in LEAVES if k in boxes]
    assert all(_inside(b, (0, 0, *poster.size)) for b in boxes.values())
    for a, b in itertools.combinations(leaves, 2):
        assert not _overlaps(a, b), (a, b)
    for side in ("before", "after"):
        assert _inside(boxes[f"{side}_image"], boxes[f"{side}_card"])
        assert _inside(boxes[f"{side}_label"], boxes[f"{side}_card"])
    assert _inside(boxes["instruction"], boxes["text_card"]) and _inside(boxes["prompt"], boxes["text_card"])
    # 3. wide images are stacked, the others side by side
    stacked = boxes["after_card"][1] > boxes["before_card"][3]
    assert stacked == (w / h > 1.6)
    # 4. each image region holds the scaled image, aspect ratio kept (no stretching)
    for side, image in (("before", original), ("after", edited)):
        x0, y0, x1, y1 = boxes[f"{side}_image"]
        assert abs((x1 - x0) / (y1 - y0) - w / h) < 0.02 * w / h + 2 / (y1 - y0)
        shown = np.asarray(poster.crop((x0, y0, x1, y1)), dtype=float)[12:-12, 12:-12]
        expected = np.asarray(_scaled(image, (x1 - x0, y1 - y0)), dtype=float)[12:-12, 12:-12]
        assert np.abs(shown - expected).mean() < 1.0
    # 5. long Chinese instructions are cut with an ellipsis
    assert len(lines["instruction"]) == (1 if instruction == SHORT else 4)
    assert lines["instruction"][-1].endswith("…") == (instruction == LONG)


def test_chinese_text_on_the_poster_is_real_glyphs(tmp_path):
    path = make_poster(path=tmp_path / "p.png", original=_photo(512, 384, 1), edited=_photo(512, 384, 2),
                       instruction=SHORT, prompt="night", settings=SETTINGS, date="2026-11-25")
    poster = Image.open(path).convert("RGB")
    _, boxes, lines = poster_layout((512, 384), (512, 384), SHORT, "night", "x", date="2026-11-25")
    x0, y0, x1, _ = boxes["instruction"]
    lh = _line_h(fonts.get_font(_SIZES["instruction"]))
    crop = np.asarray(poster.crop((x0, y0, x1, y0 + lh)), dtype=float)

    def render(font):
        image = Image.new("RGB", (x1 - x0, lh), _COLORS["card"])
        ImageDraw.Draw(image).text((0, lh / 2), SHORT, font=font, fill=_COLORS["ink"], anchor="lm")
        return np.asarray(image, dtype=float)

    real = render(fonts.get_font(_SIZES["instruction"], bold=True))
    tofu = render(fonts.get_font(_SIZES["instruction"], font=False))
    assert np.abs(real - tofu).mean() > 5          # the two renderings really differ
    assert np.abs(crop - real).mean() < 0.5        # and the poster shows the real glyphs
    assert crop.std() > 20                         # (and something is drawn at all)


def test_duck_typed_result_and_metadata(tmp_path):
    result = SimpleNamespace(image=_photo(320, 240, 2), original=_photo(320, 240, 1), instruction=SHORT,
                             prompt="make it night", seed=42, image_guidance=1.2, text_guidance=9.0, steps=7,
                             max_size=320, model="tiny", seconds=1.0, backend="builtin", warnings=[])
    path = make_poster(result, tmp_path / "poster.png", date="")
    assert path == tmp_path / "poster.png"
    settings = read_png_settings(path)
    assert settings["seed"] == 42 and settings["steps"] == 7 and settings["instruction"] == SHORT
    assert settings["size"] == "320x240" and settings["prompt"] == "make it night"


def test_wrap_rules():
    font = fonts.get_font(20)
    english = wrap("make the sky a beautiful starry night with a bright full moon", font, 200, 10)
    assert all(font.getlength(line) <= 200 for line in english)
    assert " ".join(english).split() == "make the sky a beautiful starry night with a bright full moon".split()
    chinese = wrap("把天空换成夜晚，加上月亮。" * 3, font, 100, 10)
    assert "".join(chinese) == "把天空换成夜晚，加上月亮。" * 3 and len(chinese) > 3
    assert not any(line[0] in "，。" for line in chinese)
    assert wrap("x" * 500, font, 100, 2)[-1].endswith("…")
    assert wrap("one\ntwo", font, 500, 5) == ["one", "two"]


def test_missing_glyphs_warn_but_still_write(tmp_path):
    with pytest.warns(UserWarning, match="boxes"):
        path = make_poster(path=tmp_path / "p.png", original=_photo(64, 64, 1), edited=_photo(64, 64, 2),
                           instruction=SHORT, settings=SETTINGS, font=False)
    with Image.open(path) as image:
        assert image.width == 1200
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # English only: the built-in font draws it, so no warning
        make_poster(path=tmp_path / "q.png", original=_photo(64, 64, 1), edited=_photo(64, 64, 2),
                    instruction="make it snowy", settings=SETTINGS, font=False)


def test_bad_inputs_are_one_sentence(tmp_path):
    with pytest.raises(UserError, match="instruction"):
        make_poster(path=tmp_path / "p.png", original=_photo(64, 64, 1), edited=_photo(64, 64, 2), instruction=" ")
    with pytest.raises(UserError, match="edited image"):
        make_poster(path=tmp_path / "p.png", original=_photo(64, 64, 1), instruction="x")
    with pytest.raises(UserError, match="Cannot open the original image"):
        make_poster(path=tmp_path / "p.png", original=tmp_path / "nope.png", edited=_photo(64, 64, 2), instruction="x")


@pytest.fixture
def old_poster(tmp_path):
    path = make_poster(path=tmp_path / "poster.png", original=_photo(64, 64, 1), edited=_photo(64, 64, 2),
                       instruction="old", date="")
    return path, path.read_bytes()


def test_failed_write_keeps_the_old_poster(old_poster, monkeypatch):
    path, before = old_poster
    real_save = Image.Image.save

    def save_then_fail(self, fp, *args, **kwargs):
        real_save(self, fp, *args, **kwargs)
        with open(fp, "r+b") as f:
            f.truncate(100)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Image.Image, "save", save_then_fail)
    with pytest.raises(UserError, match="previous file"):
        make_poster(path=path, original=_photo(64, 64, 1), edited=_photo(64, 64, 2), instruction="new")
    assert path.read_bytes() == before
    assert os.listdir(path.parent) == ["poster.png"]


def test_folder_that_is_a_file(tmp_path):
    (tmp_path / "afile").write_text("x")
    with pytest.raises(UserError, match="not a folder"):
        make_poster(path=tmp_path / "afile" / "poster.png", original=_photo(64, 64, 1), edited=_photo(64, 64, 2),
                    instruction="x")


def test_killed_write_keeps_the_old_poster(old_poster):
    path, before = old_poster
    child = textwrap.dedent(f"""
        import sys, time
        from PIL import Image
        from ip2p_nb.outputs.poster import make_poster
        def slow_save(self, fp, *a, **k):
            with open(fp, "wb") as f:
                f.write(b"\\x89PNG partial")
            print("writing", flush=True)
            time.sleep(60)
        Image.Image.save = slow_save
        make_poster(path={str(path)!r}, original=Image.new("RGB", (64, 64)), edited=Image.new("RGB", (64, 64)),
                    instruction="new")
    """)
    proc = subprocess.Popen([sys.executable, "-c", child], stdout=subprocess.PIPE, text=True,
                            cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    try:
        assert proc.stdout.readline().strip() == "writing"
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    assert path.read_bytes() == before


def test_cli_poster_reads_settings_from_the_edited_png(tmp_path, capsys):
    result = SimpleNamespace(image=_photo(256, 192, 2), instruction="给猫戴上帽子", prompt="put a hat on the cat",
                             seed=99, image_guidance=1.5, text_guidance=7.5, steps=12, model="tiny")
    save_png(_photo(256, 192, 1), tmp_path / "before.png")
    save_png(result.image, tmp_path / "after.png", result)
    assert cli_main(["poster", str(tmp_path / "before.png"), str(tmp_path / "after.png"), "-o", str(tmp_path / "poster.png"),
                     "--steps", "30", "--date", "2026-11-25"]) == 0
    assert "poster.png" in capsys.readouterr().out
    settings = read_png_settings(tmp_path / "poster.png")
    assert settings["seed"] == 99 and settings["steps"] == 30 and settings["instruction"] == "给猫戴上帽子"
    assert settings["prompt"] == "put a hat on the cat"
