"""notebooks/make_pairs.ipynb in JupyterLab, as a workshop runs it: opened alone in a folder, Run All, and the page shows
the strip of pairs for p = 0..1, the self/cross rows, the word maps and the kept pairs; screenshots are saved for a person
to look at (IP2P_SCREENSHOTS or $TMPDIR/ip2p_screens). Quick mode, demo-t2i and demo-clip, offline."""
import os
import shutil
import sys
from pathlib import Path

import pytest

from notebook_server import APP_TIMEOUT, NotebookServer, screenshot
from test_browser_jupyter import ARGS, CHROMIUM, ROOT, shots

pytestmark = pytest.mark.browser
sync_api = pytest.importorskip("playwright.sync_api")
if not Path(CHROMIUM).exists():
    pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)", allow_module_level=True)


def test_the_data_engine_notebook_runs_all_in_jupyterlab(tmp_path):
    folder = tmp_path / "notebooks"
    folder.mkdir()
    shutil.copy(ROOT / "notebooks" / "make_pairs.ipynb", folder)
    env = {"IP2P_QUICK": "1", "IP2P_SKIP_INSTALL": "1", "IP2P_TRANSLATE_OFFLINE": "1", "OMP_NUM_THREADS": "1",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    expect = sync_api.expect
    with NotebookServer(folder, sys.executable, "lab", env) as server, sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(server.notebook_url("make_pairs.ipynb"), timeout=60_000)
        page.locator(".jp-Notebook").wait_for(timeout=APP_TIMEOUT)
        page.get_by_text("Python 3 (ipykernel) | Idle").wait_for(timeout=APP_TIMEOUT)
        page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
        page.locator(".lm-Menu-item:not(.lm-mod-disabled)", has_text="Run All Cells").first.click()
        # the last cell's own output: the kept pairs read back for training (or the reader's sentence)
        last = page.locator(".jp-OutputArea-output", has_text="training triples / 条训练数据").or_(
            page.locator(".jp-OutputArea-output", has_text="holds no picture pairs"))
        expect(last).to_be_visible(timeout=240_000)
        counts = page.evaluate("""() => ({
            pictures: document.querySelectorAll('.jp-OutputArea-output img').length,
            errors: document.querySelectorAll('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.error"]').length})""")
        assert counts["errors"] == 0 and counts["pictures"] >= 6       # strip, 3 share rows, maps, kept pairs
        outputs = page.locator(".jp-OutputArea-output img")
        screenshot(page, outputs.nth(0), shots() / "make_pairs_strip.png")
        screenshot(page, outputs.nth(4), shots() / "make_pairs_maps.png")
        assert (folder / "my-pairs" / "0000001" / "prompt.json").is_file()
        browser.close()
