"""The command line, run as a user runs it: its own process, files on disk, one line per error.

The commands run as processes forked from one with torch and diffusers imported (tests/commands.py);
the error test runs each in a fresh interpreter, since what an import prints would be part of its stderr.
"""
import json
import os
import subprocess
import sys

import numpy as np
from PIL import Image

from commands import run_python
from conftest import scene


def run(*args, cwd, env=None, fresh=False):
    full_env = {**os.environ, "IP2P_TRANSLATE_OFFLINE": "1", **(env or {})}
    if not fresh:
        return run_python(["-m", "ip2p_nb", *args], cwd, full_env, timeout=300)
    return subprocess.run([sys.executable, "-m", "ip2p_nb", *args], cwd=cwd, env=full_env,
                          capture_output=True, text=True, timeout=300)


def test_edit_twice_same_pixels_and_summary(tmp_path):
    scene(640, 480).save(tmp_path / "photo.png")
    outs = []
    for name in ("a.png", "b.png"):
        p = run("edit", "photo.png", "make it snowy", "--model", "tiny", "--seed", "7", "--steps", "3", "-o", name, cwd=tmp_path)
        assert p.returncode == 0, p.stderr
        assert p.stdout.count("\n") == 1 and "512x384" in p.stdout and "seed 7" in p.stdout
        assert "random weights" in p.stderr                  # the tiny model says its output is noise
        outs.append(Image.open(tmp_path / name))
    assert outs[0].size == (512, 384)
    assert np.array_equal(np.asarray(outs[0]), np.asarray(outs[1]))
    assert "Seed: 7" in outs[0].info["parameters"]


def test_edit_several_images_into_folder_with_poster(tmp_path):
    scene(320, 240).save(tmp_path / "one.png")
    scene(240, 320, seed=1).save(tmp_path / "two.jpg")
    (tmp_path / "out").mkdir()
    p = run("edit", "one.png", "two.jpg", "把天空换成夜晚", "--model", "tiny", "--steps", "1", "--max-size", "256",
            "-o", "out", "--poster", "out", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert Image.open(tmp_path / "out/one_edited.png").size == (256, 192)
    assert Image.open(tmp_path / "out/two_edited.png").size == (192, 256)
    assert (tmp_path / "out/one_poster.png").stat().st_size > 10_000
    assert "night" in p.stdout                               # the Chinese instruction was translated


def test_errors_are_one_line_without_traceback(tmp_path):
    scene(64, 64).save(tmp_path / "p.png")
    cases = [
        (("edit", "missing.png", "make it snowy", "--model", "tiny"), "no file"),
        (("edit", "p.png", "make it snowy", "--model", "tiny", "--steps", "0"), "`steps`"),
        (("edit", "p.png", "   ", "--model", "tiny"), "instruction is empty"),
        (("edit", "p.png", "make it snowy", "--model", "./nowhere/model"), "no model folder"),
        (("app", "--workers", "2", "--port", "9"), "with --shared (got 2 without --shared)"),
        (("app", "--shared", "--workers", "0", "--port", "9"), "a whole number of 1 or more"),
    ]
    for args, expected in cases:
        p = run(*args, cwd=tmp_path, fresh=True)
        assert p.returncode != 0
        lines = [line for line in p.stderr.splitlines() if not line.startswith("note:")]
        assert len(lines) == 1 and expected in lines[0] and "Traceback" not in p.stderr, p.stderr


def test_debug_shows_traceback(tmp_path):
    p = run("--debug", "edit", "missing.png", "x", "--model", "tiny", cwd=tmp_path)
    assert p.returncode != 0 and "Traceback" in p.stderr


def test_translate_json(tmp_path):
    p = run("translate", "给猫戴上帽子", "--json", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert out["source"] == "给猫戴上帽子" and out["backend"] == "builtin"
    assert "hat" in out["text"] and "cat" in out["text"]


def test_poster_from_two_files(tmp_path):
    scene(320, 240).save(tmp_path / "a.png")
    scene(320, 240, seed=2).save(tmp_path / "b.png")
    p = run("poster", "a.png", "b.png", "--instruction", "让它下雪", "--seed", "3", "-o", "poster.png", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert Image.open(tmp_path / "poster.png").width >= 800


def test_doctor_reports(tmp_path):
    p = run("doctor", cwd=tmp_path, env={"IP2P_MODEL": "tiny"})
    assert p.returncode == 0, p.stderr
    for label in ("device", "suggested max_size", "font", "translation", "model"):
        assert label in p.stdout
