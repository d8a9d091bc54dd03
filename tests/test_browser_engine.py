"""The faster engine arrives while the page is open (issue 32), as a user of the app sees it in headless Chromium.

Voila serves a one-cell notebook that loads `tiny` as a CPU user's full-size model is loaded (OpenVINO chosen, the
8-bit UNet, made in the background) and shows the real `App`. The test holds the model's preparation lock, as a
second notebook preparing the same model would, so the page is known to be open while the engine is still being
made: the estimate line says so, and an edit runs on torch at once. When the lock is let go, the line moves on to
"ready" by itself (no click), and the next edit swaps the engine in: the line then says "in use".
"""
import fcntl
import json
import os
import re
import warnings
from pathlib import Path

import pytest

from voila_server import VoilaServer

pytestmark = pytest.mark.browser

pytest.importorskip("openvino")
pytest.importorskip("nncf")
# Chromium, its flags, Playwright and the page helpers of the app's own browser tests (which skip without Chromium)
from test_browser import ARGS, CHROMIUM, ROOT, _prepare, sync_api  # noqa: E402

CELL = f"""import sys, warnings
sys.path.insert(0, {str(ROOT)!r})
warnings.simplefilter("ignore")
from ip2p_nb import App, load_editor
editor = load_editor("tiny", runtime="openvino", background=True, unet="int8")
App(editor, workdir=".").display()
"""


def _notebook(path: Path) -> Path:
    cell = {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": CELL}
    path.write_text(json.dumps({"cells": [cell], "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                                            "language": "python"}},
                                "nbformat": 4, "nbformat_minor": 5}))
    return path


def _preparation_lock(cache: Path, monkeypatch):
    """The lock file `Preparer` takes for `tiny` in `cache` (named by the model's weights, as the page's kernel names it)."""
    import torch

    from ip2p_nb.models.loading import load_pipeline
    from ip2p_nb.models.runtime import ir_folder

    monkeypatch.setenv("IP2P_CACHE_DIR", str(cache))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        folder = ir_folder(load_pipeline("tiny", torch.device("cpu"), torch.float32, notify=lambda _t: None))
    folder.parent.mkdir(parents=True, exist_ok=True)
    return folder.parent / f".{folder.name}.lock"


def _edit(page, seed_before=None):
    """Click Edit and wait for this click's own "Done: 256x168, seed N" (seeds are random: N differs from the last)."""
    seed = r"\d+" if seed_before is None else rf"(?!{seed_before}\b)\d+"
    page.get_by_role("button", name="编辑 Edit").click()
    done = page.get_by_text(re.compile(rf"^Done: 256x168, seed {seed}\b"))
    sync_api.expect(done).to_be_visible(timeout=150_000)
    return re.search(r"seed (\d+)", done.first.inner_text()).group(1)


def test_the_faster_engine_arrives_while_the_page_is_open(tmp_path, monkeypatch):
    expect = sync_api.expect
    cache = tmp_path / "cache"
    lock = open(_preparation_lock(cache, monkeypatch), "w")
    fcntl.flock(lock, fcntl.LOCK_EX)   # another notebook preparing this model: the page's preparation waits for it
    env = {"IP2P_CACHE_DIR": str(cache), "IP2P_TRANSLATE_OFFLINE": "1", "OMP_NUM_THREADS": "1",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    with VoilaServer(_notebook(tmp_path / "engine.ipynb"), env) as server, sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1366, "height": 1000})
            page.goto(server.url, timeout=150_000)
            page.get_by_role("button", name="编辑 Edit").wait_for(timeout=150_000)
            preparing = page.get_by_text(re.compile(r"faster engine: being prepared \(1/3"))
            expect(preparing).to_be_visible(timeout=30_000)
            # the app is usable meanwhile: a photo, an instruction, settings, and an edit that runs on torch at once
            _prepare(page, "cat.jpg", "make it snowy", steps=3, size=256)
            seed = _edit(page)
            expect(preparing).to_be_visible()          # still waiting for the other preparation: that edit was torch's
            fcntl.flock(lock, fcntl.LOCK_UN)           # the other notebook is done: this page's preparation goes on
            # the estimate line follows the preparation by itself: nothing is clicked until it says "ready"
            ready = page.get_by_text(re.compile(r"faster engine: ready \(OpenVINO, int8 UNet\)"))
            try:
                expect(ready).to_be_visible(timeout=240_000)
            except AssertionError:
                line = page.evaluate("() => [...document.querySelectorAll('.widget-html')].map(e => e.innerText)"
                                     ".filter(t => t.includes('faster engine'))")
                raise AssertionError(f"the estimate line never said ready: {line}; log: {server.log()[-1500:]}") from None
            _edit(page, seed)                          # swapped in at the start of this run
            expect(page.get_by_text(re.compile(r"faster engine: in use \(OpenVINO, int8 UNet\)"))).to_be_visible(timeout=30_000)
            shots = Path(os.environ.get("IP2P_SCREENSHOTS") or tmp_path)
            shots.mkdir(parents=True, exist_ok=True)
            page.locator(".widget-tab").first.screenshot(path=str(shots / "app_engine_in_use.png"))
            made = list((cache / "openvino").glob("*/unet_whole.int8-samples-*.xml"))
            assert len(made) == 1   # the 8-bit UNet the page now runs on, made once
        finally:
            browser.close()
            lock.close()
