"""The notebook in the classic Notebook 6.5 with ipywidgets 7.7.1 (Google Colab's widget versions), in Chromium.

The server and its kernel run in the ipywidgets-7 environment (`bash tests/make_w7_env.sh`, found by
tests/w7_env.py; skipped with that command when it is missing). One server and one browser for the
module: open notebooks/ip2p_app.ipynb, Cell > Run All, upload, type Chinese, draw a brush stroke, Edit,
Generate poster, click the download link: the downloaded bytes are poster.png's. On `tiny`.
"""
import time

import numpy as np
import pytest
from PIL import Image

from notebook_server import download_poster, edit, instruct, run_all, screenshot, set_slider, stroke, upload
from test_browser_jupyter import ARGS, CAT, CHROMIUM, served_notebook, shots, sync_api
from w7_env import w7_venv

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def classic(tmp_path_factory):
    """One classic Notebook server (ipywidgets 7.7.1) and one Chromium for the module."""
    server, folder = served_notebook(tmp_path_factory, w7_venv() / "bin" / "python", "classic")
    with server, sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield server, folder, browser
        browser.close()


def test_classic_notebook_on_ipywidgets_7_brush_edit_and_download(classic, record_property):
    server, folder, browser = classic
    expect = sync_api.expect
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    start = time.monotonic()
    page.goto(server.notebook_url("ip2p_app.ipynb"), timeout=60_000)
    run_all(page, "classic")
    record_property("open_to_app_s", round(time.monotonic() - start, 1))
    upload(page, expect, CAT, "451x300")
    instruct(page, expect, "把天空换成夜晚", "turn the sky into night")
    set_slider(page, expect, "步数 Steps", 2)
    stroke(page, [(100 + 10 * k, 120) for k in range(12)])
    edit(page, expect, "Done: 451x300")
    data = download_poster(page, expect, folder)
    assert data == (folder / "poster.png").read_bytes() and data[:8] == b"\x89PNG\r\n\x1a\n"
    out = np.asarray(Image.open(folder / "edited.png").convert("RGB"))
    diff = (out != np.asarray(Image.open(CAT).convert("RGB"))).any(axis=2)
    assert diff[100:150, 100:200].mean() > 0.5 and not diff[260:, :].any()   # changed under the stroke only
    screenshot(page, page.locator(".widget-tab"), shots() / "classic_w7.png")
    page.close()
