"""Soak test: hundreds of consecutive edits in one process, with bounded memory growth.

A workshop runs the same kernel for hours. This runs 300 tiny edits (max_size 256, 1 step)
on new images of eight shapes, cycling through more prompts than the prompt cache holds, with a stopped run
and a refused setting every so often, and checks that resident memory after the run is within
a bound of what it was after a warm-up. Slow: `pytest -m slow tests/test_soak.py -s`.
"""
import gc
import time
import warnings

import numpy as np
import pytest
from PIL import Image

from ip2p_nb.editing.editor import EditStopped
from ip2p_nb.editing.load import load_editor
from ip2p_nb.errors import SettingError

EDITS = 300
WARM_UP = 40
GROWTH_LIMIT_MB = 64  # caches are bounded (4 image latents, 32 prompts): what is left is allocator noise
# Eight photo shapes (edited at 256x192, 192x256, 256x256, 256x88 ...), new pixels every time. Each new
# edit shape costs memory once (torch's per-shape kernels and allocator pools, measured ~2-4 MB a shape,
# at most ~50 shapes at one max_size), so the warm-up shows every shape five times before measuring.
SIZES = [(640, 480), (480, 640), (500, 500), (700, 240), (240, 700), (1000, 563), (300, 400), (333, 222)]


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def one_edit(editor, i, rng):
    size = SIZES[i % len(SIZES)]
    image = Image.fromarray(rng.integers(0, 256, (size[1], size[0], 3), dtype=np.uint8))
    prompt = f"make it snowy number {i % 40}"  # 40 prompts > the 32-prompt cache: entries are evicted
    if i % 25 == 7:
        with pytest.raises(SettingError):
            editor.edit(image, prompt, steps=0, max_size=256)
    if i % 10 == 3:
        def stop(step, total):
            raise RuntimeError("Stop pressed")
        with pytest.raises(EditStopped):
            editor.edit(image, prompt, steps=1, max_size=256, seed=i, progress=stop)
        return
    result = editor.edit(image, prompt, steps=1, max_size=256, seed=i)
    assert max(result.image.size) == 256


@pytest.mark.slow
def test_hundreds_of_edits_keep_memory_bounded():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        editor = load_editor("tiny")
    rng = np.random.default_rng(0)
    for i in range(WARM_UP):
        one_edit(editor, i, rng)
    gc.collect()
    before, start = rss_mb(), time.perf_counter()
    for i in range(WARM_UP, WARM_UP + EDITS):
        one_edit(editor, i, rng)
    gc.collect()
    after, seconds = rss_mb(), time.perf_counter() - start
    print(f"\nsoak: {EDITS} edits after {WARM_UP} warm-up, RSS {before:.0f} MB -> {after:.0f} MB "
          f"({after - before:+.0f} MB), {seconds:.0f} s ({seconds / EDITS:.2f} s per edit)")
    assert len(editor._image_cache) <= 4 and len(editor._prompt_cache) <= 32
    assert after - before < GROWTH_LIMIT_MB
