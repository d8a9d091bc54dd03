"""The notebook in JupyterLab 4 with ipywidgets 8, as a user runs it, in headless Chromium.

One JupyterLab server (this environment) and one browser for the module. (a) Open notebooks/ip2p_app.ipynb,
Run All from the menu, upload a photo, type Chinese, draw a brush stroke, Edit, Generate poster and click
the download link: the downloaded bytes are poster.png's on disk. (c) The same page with ipycanvas's front-end
code refused (as on Kaggle, or a server from another environment): the box replaces the brush with its
note, and a boxed edit changes only the box (checked on edited.png). All on `tiny`, small sizes, few steps.
"""
import os
import shutil
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from notebook_server import NotebookServer, download_poster, edit, instruct, run_all, screenshot, set_slider, stroke, upload
from voila_server import VoilaServer  # noqa: F401  (the process-group stop the server inherits)

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
if not Path(CHROMIUM).exists():
    pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")

ROOT = Path(__file__).resolve().parent.parent
CAT = ROOT / "assets" / "samples" / "cat.jpg"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--disable-quic", "--no-first-run"]
ENV = {"IP2P_MODEL": "tiny", "IP2P_SKIP_INSTALL": "1", "IP2P_TRANSLATE_OFFLINE": "1", "OMP_NUM_THREADS": "1"}


def shots() -> Path:
    folder = Path(os.environ.get("IP2P_SCREENSHOTS") or Path(os.environ.get("TMPDIR", "/tmp")) / "ip2p_screens")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def served_notebook(tmp_path_factory, python, kind):
    """A folder holding only the app notebook, served by a `kind` server running `python`."""
    folder = tmp_path_factory.mktemp(kind) / "notebooks"
    folder.mkdir()
    shutil.copy(ROOT / "notebooks" / "ip2p_app.ipynb", folder)
    env = dict(ENV, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    return NotebookServer(folder, python, kind, env), folder


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """One JupyterLab server and one Chromium for the module."""
    server, folder = served_notebook(tmp_path_factory, sys.executable, "lab")
    with server, sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield server, folder, browser
        browser.close()


def _page(browser):
    return browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)


def test_jupyterlab_run_all_brush_edit_and_download(lab, record_property):
    server, folder, browser = lab
    expect = sync_api.expect
    page = _page(browser)
    start = time.monotonic()
    page.goto(server.notebook_url("ip2p_app.ipynb"), timeout=60_000)
    run_all(page, "lab")
    record_property("open_to_app_s", round(time.monotonic() - start, 1))
    upload(page, expect, CAT, "451x300")
    instruct(page, expect, "把天空换成夜晚", "turn the sky into night")
    set_slider(page, expect, "步数 Steps", 2)
    stroke(page, [(100 + 10 * k, 120) for k in range(12)])      # a brush stroke across the photo
    edit(page, expect, "Done: 451x300")                            # the brush: a full-size result (edited.png)
    data = download_poster(page, expect, folder)
    assert data == (folder / "poster.png").read_bytes() and data[:8] == b"\x89PNG\r\n\x1a\n"
    out = np.asarray(Image.open(folder / "edited.png").convert("RGB"))
    photo = np.asarray(Image.open(CAT).convert("RGB"))
    diff = (out != photo).any(axis=2)
    assert diff[100:150, 100:200].mean() > 0.5 and not diff[260:, :].any()   # changed under the stroke only
    screenshot(page, page.locator(".widget-tab"), shots() / "jupyterlab.png")
    page.close()


def test_without_the_canvas_front_end_the_box_edits_only_the_box(lab):
    from ip2p_nb.editing.regions import context_box

    server, folder, browser = lab
    expect = sync_api.expect
    page = _page(browser)
    page.route("**/ipycanvas/**", lambda route: route.abort())      # the page never gets the canvas's code
    page.goto(server.notebook_url("ip2p_app.ipynb"), timeout=60_000)
    run_all(page, "lab")
    expect(page.get_by_text("The brush cannot show on this page")).to_be_visible(timeout=90_000)
    upload(page, expect, CAT, "451x300")
    instruct(page, expect, "make it snowy", "make it snowy")
    set_slider(page, expect, "步数 Steps", 2)
    page.get_by_text("只改框内 Edit only the box").click()
    expect(page.locator(".ip2p-box-preview")).to_be_visible()
    edit(page, expect, "Done: 451x300")
    region = (113, 75, 338, 225)                                     # the box at its default 25-75 %
    out = np.asarray(Image.open(folder / "edited.png").convert("RGB"))
    photo = np.asarray(Image.open(CAT).convert("RGB"))
    diff = (out != photo).any(axis=2)
    left, top, right, bottom = context_box(region, (451, 300))
    outside = np.ones_like(diff)
    outside[top:bottom, left:right] = False
    assert not diff[outside].any() and diff[region[1] + 10:region[3] - 10, region[0] + 10:region[2] - 10].mean() > 0.9
    screenshot(page, page.locator(".widget-tab"), shots() / "fallback.png")
    page.close()
