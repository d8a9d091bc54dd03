"""The page a room sees opens on the app: `python -m ip2p_nb app` serves notebooks/app.ipynb (the title, then the
app; the walkthrough stays in ip2p_app.ipynb), and in Chromium at 1400x900 the upload button is on the first screen.

The real command runs on 127.0.0.1 at a free port with IP2P_MODEL=tiny, in its own process group, stopped by
its PID (which also stops Voila and its kernels). The screenshot goes to $IP2P_SCREENSHOTS (default: the tmp dir).
"""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from voila_server import free_port

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
if not Path(CHROMIUM).exists():
    pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")
pytest.importorskip("voila")

ROOT = Path(__file__).resolve().parent.parent
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--disable-quic", "--no-first-run"]
PAGE_TIMEOUT = 150_000   # ms: the page runs the app notebook (model load included) before it is usable


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    folder = tmp_path_factory.mktemp("first_screen")
    port = free_port()
    env = {**os.environ, "IP2P_TRANSLATE_OFFLINE": "1", "OMP_NUM_THREADS": "1",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    with open(folder / "app.log", "wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "ip2p_nb", "app", "--model", "tiny", "--port", str(port)],
                                cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        yield f"http://127.0.0.1:{port}/", folder / "app.log", proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)        # the command stops Voila's process group itself
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)


def _wait_listening(url, log, proc, timeout=90):
    import socket
    port = int(url.rsplit(":", 1)[1].strip("/"))
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        assert proc.poll() is None, log.read_text(errors="replace")[-2000:]
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"`app` did not listen within {timeout} s: {log.read_text(errors='replace')[-2000:]}")


def test_the_served_page_opens_on_the_app_with_upload_on_the_first_screen(app_url):
    url, log, proc = app_url
    _wait_listening(url, log, proc)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.goto(url, timeout=PAGE_TIMEOUT)
            upload = page.get_by_role("button", name="上传 Upload")
            upload.wait_for(timeout=PAGE_TIMEOUT)
            page.wait_for_timeout(500)   # let the layout settle
            folder = Path(os.environ.get("IP2P_SCREENSHOTS") or Path(os.environ.get("TMPDIR", "/tmp")) / "ip2p_screens")
            folder.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(folder / "first_screen_1400x900.png"))
            assert page.evaluate("window.scrollY") == 0
            box = upload.bounding_box()
            assert box and 0 <= box["y"] and box["y"] + box["height"] <= 900 and box["x"] + box["width"] <= 1400, box
            assert page.get_by_text("Edit photos with words").first.is_visible()          # the title
            assert page.get_by_text("How to use").count() == 0                             # not the walkthrough
            assert page.get_by_role("button", name="编辑 Edit").is_visible()
        finally:
            browser.close()
