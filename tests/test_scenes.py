"""The synthetic data engine: deterministic, captioned, and edits that touch only the edited part."""
import random

import numpy as np
import pytest
from PIL import Image

from ip2p_nb.train.scenes import (PARTS, Scene, available_edits, caption, make_pair, make_pairs, random_scene, render,
                            save_scene_png)


def _pixels(image):
    return np.asarray(image, dtype=np.int16)


def test_same_seed_same_pair_and_different_seeds_differ():
    a, b = make_pair(123), make_pair(123)
    assert (a.instruction, a.instruction_zh, a.kind) == (b.instruction, b.instruction_zh, b.kind)
    assert np.array_equal(_pixels(a.before), _pixels(b.before)) and np.array_equal(_pixels(a.after), _pixels(b.after))
    others = make_pairs(124, 5)
    assert any(not np.array_equal(_pixels(a.before), _pixels(o.before)) for o in others)


@pytest.mark.parametrize("kind", available_edits())
def test_only_the_edited_region_changes(kind):
    for seed in range(12):
        pair = make_pair(seed, 64, kind)
        changed = (_pixels(pair.before) != _pixels(pair.after)).any(axis=-1)
        assert changed.sum() >= 10, (seed, pair.instruction)
        assert not (changed & ~pair.region).any(), (seed, pair.instruction)
        assert pair.region.mean() < 0.9  # the edit is local: most of the picture is fixed
        assert pair.instruction.isascii() and not pair.instruction_zh.isascii()


def test_make_it_night_darkens_the_sky_and_changes_nothing_else():
    day = Scene(time="day")
    night = Scene(time="night")
    (img_day, labels), (img_night, _) = render(day, 96), render(night, 96)
    sky = labels == PARTS["sky"]
    assert _pixels(img_night)[sky].mean() < _pixels(img_day)[sky].mean() - 80
    below = labels != PARTS["sky"]
    below &= labels != PARTS["sun"]
    assert np.array_equal(_pixels(img_day)[below], _pixels(img_night)[below])


def test_render_size_labels_and_caption():
    scene = random_scene(random.Random(5))
    image, labels = render(scene, 96)
    assert image.size == (96, 96) and image.mode == "RGB" and labels.shape == (96, 96)
    assert labels.min() > 0  # every pixel belongs to a named part
    text = caption(scene)
    assert scene.house_colour in text and scene.season in text


def test_chinese_variants_follow_the_pattern():
    zh = {make_pair(s).instruction: make_pair(s).instruction_zh for s in range(200)}
    assert zh["make it night"].endswith("变成夜晚")
    assert zh["add snow"] == "让它下雪"
    assert zh["make the house red"] == "把房子变成红色"


def test_save_scene_png(tmp_path):
    path = save_scene_png(tmp_path / "scene.png", seed=3, size=64, time="day")
    image = Image.open(path)
    assert image.size == (64, 64) and image.format == "PNG"
    assert np.array_equal(np.asarray(image.convert("RGB")), np.asarray(render(
        Scene(**{**random_scene(random.Random(3)).__dict__, "time": "day"}), 64)[0]))
