"""Same seed, same picture, on one machine: the PNG records torch's thread count, and `edit --like` reads the
settings and the count back (ip2p_nb/outputs/reproduce.py). Real edits on `tiny` in fresh processes."""
import os

import numpy as np
import torch

from commands import run_python
from conftest import scene
from ip2p_nb.outputs.metadata import read_png_settings
from ip2p_nb.outputs.reproduce import like_settings, torch_threads


def _edit(cwd, threads, *args):
    env = {**os.environ, "IP2P_TRANSLATE_OFFLINE": "1", "OMP_NUM_THREADS": str(threads)}
    p = run_python(["-m", "ip2p_nb", "edit", "photo.png", "make it snowy", "--quiet", *args], cwd, env, timeout=300)
    assert p.returncode == 0, p.stderr
    return p


def _pixels(path):
    from PIL import Image

    with Image.open(path) as im:
        return np.asarray(im.convert("RGB")).astype(int)


def test_the_thread_count_changes_the_pixels_and_like_reproduces_them(tmp_path):
    scene(320, 240).save(tmp_path / "photo.png")
    fixed = ["--model", "tiny", "--seed", "5", "--steps", "3", "--max-size", "256"]
    _edit(tmp_path, 1, *fixed, "-o", "one.png")
    _edit(tmp_path, 2, *fixed, "-o", "two.png")
    one, two = _pixels(tmp_path / "one.png"), _pixels(tmp_path / "two.png")
    differ = int((one != two).any(axis=2).sum())
    print(f"\nseed 5, 3 steps on tiny: {differ} pixels differ between 1 and 2 threads (max {np.abs(one - two).max()}/255)")
    assert differ > 0                     # what the PNG's thread count is for
    assert read_png_settings(tmp_path / "one.png")["threads"] == 1
    assert read_png_settings(tmp_path / "two.png")["threads"] == 2
    # --like: the other thread count in the environment, the picture's own count from its PNG
    _edit(tmp_path, 1, "--like", "two.png", "-o", "again2.png")
    _edit(tmp_path, 2, "--like", "one.png", "-o", "again1.png")
    assert np.array_equal(_pixels(tmp_path / "again2.png"), two)
    assert np.array_equal(_pixels(tmp_path / "again1.png"), one)
    assert (tmp_path / "again2.png").read_bytes() == (tmp_path / "two.png").read_bytes()   # metadata too


def test_like_settings_and_the_thread_context(tmp_path):
    from ip2p_nb import load_editor
    from ip2p_nb.outputs.metadata import save_png

    editor = load_editor("tiny")
    with torch_threads(1):
        r = editor.edit(scene(400, 300), "make it snowy", english="make it snowy", seed=9, steps=2, max_size=256,
                        region=(10, 10, 200, 200))
    assert r.threads == 1
    save_png(r.image, tmp_path / "r.png", r)
    found = like_settings(tmp_path / "r.png")
    assert {k: found[k] for k in ("seed", "steps", "model", "threads", "max_size", "region", "prompt")} == {
        "seed": 9, "steps": 2, "model": "tiny", "threads": 1, "max_size": 256, "region": "10,10,200,200",
        "prompt": "make it snowy"}
    before = torch.get_num_threads()
    with torch_threads(before + 1):
        assert torch.get_num_threads() == before + 1
    assert torch.get_num_threads() == before
