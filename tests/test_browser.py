"""The app as a user sees it: the notebook served by Voila, driven in headless Chromium.

Voila serves a temporary copy of notebooks/ (so poster.png lands beside that copy) with
IP2P_MODEL=tiny, on 127.0.0.1 at a free port, and is stopped by its PID at the end. Playwright
drives Debian's /usr/bin/chromium: upload a photo, type a Chinese instruction, Edit, Generate
poster, and Stop during a long run. Screenshots go to $IP2P_SCREENSHOTS (default: the tmp dir);
the measured timings are printed (`pytest -s`) and attached as test properties.
"""
import os
import re
import shutil
import time
from pathlib import Path

import pytest

from voila_server import VoilaServer

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
if not Path(CHROMIUM).exists():
    pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")

ROOT = Path(__file__).resolve().parent.parent
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--disable-quic", "--no-first-run"]
PAGE_TIMEOUT = 150_000   # ms: the page runs the whole notebook (model load included) before it is usable
RUN_TIMEOUT = 120_000    # ms: one tiny edit on a busy 2-core machine


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    folder = tmp_path_factory.mktemp("voila") / "notebooks"
    folder.mkdir()
    shutil.copy(ROOT / "notebooks" / "ip2p_app.ipynb", folder)
    env = {"IP2P_MODEL": "tiny", "IP2P_SKIP_INSTALL": "1", "IP2P_TRANSLATE_OFFLINE": "1",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    server = VoilaServer(folder / "ip2p_app.ipynb", env)
    server.start()
    yield server, folder
    server.stop()


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium for the module (Playwright's sync API allows one running instance per thread)."""
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def page(served, browser):
    server, _ = served
    page = browser.new_page(viewport={"width": 1366, "height": 1000})
    start = time.monotonic()
    page.goto(server.url, timeout=PAGE_TIMEOUT)
    page.get_by_role("button", name="编辑 Edit").wait_for(timeout=PAGE_TIMEOUT)
    page.load_seconds = time.monotonic() - start
    print(f"\npage load to usable app: {page.load_seconds:.1f} s")
    yield page
    page.close()


def _shots():
    folder = Path(os.environ.get("IP2P_SCREENSHOTS") or Path(os.environ.get("TMPDIR", "/tmp")) / "ip2p_screens")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _set_slider(page, label, value):
    readout = page.locator(".widget-slider", has_text=label).locator(".widget-readout")
    readout.click()
    page.keyboard.press("Control+A")
    page.keyboard.type(str(value))
    page.keyboard.press("Enter")
    sync_api.expect(readout).to_have_text(str(value))


def test_upload_edit_and_poster(page, served, record_property):
    _, folder = served
    record_property("page_load_s", round(page.load_seconds, 1))
    expect = sync_api.expect
    page.locator(".widget-tab").first.screenshot(path=str(_shots() / "app_start.png"))
    # 1. upload a photo through the file chooser
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="上传 Upload").click()
    chooser.value.set_files(str(ROOT / "assets" / "samples" / "cat.jpg"))
    expect(page.get_by_text("Photo uploaded (451x300)")).to_be_visible(timeout=30_000)
    # 2. a Chinese instruction becomes the English prompt
    instruction = page.locator("input[placeholder^='例如']")
    instruction.fill("把天空换成夜晚")
    instruction.press("Enter")
    expect(page.locator("input[placeholder^='English prompt']")).to_have_value("turn the sky into night", timeout=30_000)
    _set_slider(page, "步数 Steps", 3)
    _set_slider(page, "最大边长 Max size", 256)  # the suggestion is larger on a GPU machine
    # 3. edit, and time it
    start = time.monotonic()
    page.get_by_role("button", name="编辑 Edit").click()
    expect(page.get_by_text("Done: 256x168")).to_be_visible(timeout=RUN_TIMEOUT)
    edit_seconds = time.monotonic() - start
    record_property("edit_click_to_result_s", round(edit_seconds, 1))
    print(f"Edit click to result: {edit_seconds:.1f} s")
    assert page.locator(".widget-image").count() >= 3  # before, after, history thumbnail
    # 4. poster: written beside the notebook, offered as a download link, previewed
    page.get_by_role("button", name="生成海报 Generate poster").click()
    link = page.locator("a[download='poster.png']")
    expect(link).to_be_visible(timeout=60_000)
    assert link.get_attribute("href").startswith("data:image/png;base64,iVBOR")
    assert (folder / "poster.png").is_file() and (folder / "poster.png").stat().st_size > 10_000
    app = page.locator(".widget-tab").first
    app.scroll_into_view_if_needed()
    app.screenshot(path=str(_shots() / "app_after_poster.png"))


_PICTURE_JS = """img => { const c = document.createElement('canvas'); c.width = img.naturalWidth; c.height = img.naturalHeight;
  c.getContext('2d').drawImage(img, 0, 0); return [img.naturalWidth, c.toDataURL()]; }"""


def test_previews_form_before_the_result(page, record_property):
    """A longer edit: the After panel shows several different previews, with their step, before the result."""
    _set_slider(page, "步数 Steps", 40)  # previews as often as cost <= 3% of the time: most steps on this CPU
    after = page.locator("img.ip2p-after")
    title = page.get_by_text(re.compile(r"预览 Preview · step \d+/40"))
    done = page.get_by_text("Done: 256x168")
    page.get_by_role("button", name="编辑 Edit").click()
    sync_api.expect(done).to_have_count(0, timeout=30_000)  # the previous result's message is gone
    seen = {}                            # step -> (width, picture data URL) of the preview shown
    end = time.monotonic() + RUN_TIMEOUT / 1000
    while time.monotonic() < end and not (done.count() and done.first.is_visible()):
        if title.count():
            text = title.first.inner_text()
            step = int(re.search(r"step (\d+)/40", text).group(1))
            if step not in seen:
                seen[step] = tuple(after.evaluate(_PICTURE_JS))
                if len(seen) == 2:
                    page.locator(".widget-tab").first.screenshot(path=str(_shots() / "app_preview.png"))
        time.sleep(0.05)
    sync_api.expect(done).to_be_visible(timeout=RUN_TIMEOUT)
    final = tuple(after.evaluate(_PICTURE_JS))
    record_property("preview_steps_seen", sorted(seen))
    print(f"previews seen at steps {sorted(seen)}")
    pictures = {data for _w, data in seen.values()}
    assert len(seen) >= 2 and len(pictures) >= 2, seen.keys()
    assert all(w == 128 for w, _ in seen.values()) and final[0] == 256   # small previews, then the full result
    assert final[1] not in pictures


def test_stop_during_a_long_run(page):
    expect = sync_api.expect
    page.locator("select").first.select_option(label="coffee")
    expect(page.get_by_text("Sample photo coffee")).to_be_visible(timeout=30_000)
    _set_slider(page, "步数 Steps", 100)
    page.get_by_role("button", name="编辑 Edit").click()
    expect(page.get_by_text(re.compile(r"^step \d+/100"))).to_be_visible(timeout=RUN_TIMEOUT)  # the status, not the preview title
    page.get_by_role("button", name="停止 Stop").click()
    expect(page.get_by_text("The edit was stopped after step")).to_be_visible(timeout=60_000)
    # the first step always previews: the last preview stays, marked as not a result
    expect(page.get_by_text(re.compile(r"preview at step \d+, not a result"))).to_be_visible()
    expect(page.get_by_text(re.compile(r"Preview · step \d+ \(stopped: not a result\)"))).to_be_visible()
    expect(page.get_by_role("button", name="编辑 Edit")).to_be_enabled()
    page.locator(".widget-tab").first.screenshot(path=str(_shots() / "app_after_stop.png"))


def test_offline_first_start_runs_the_demo_with_a_banner(tmp_path, record_property, browser):
    """The README's command with no hub reachable: a usable page on the demo model, a banner, an edit that works."""
    import signal
    import subprocess
    import sys

    from test_app_stop import offline_app_env, wait_for_port
    from voila_server import free_port

    expect = sync_api.expect
    port = free_port()
    log = open(tmp_path / "app.log", "wb")
    start = time.monotonic()
    app = subprocess.Popen([sys.executable, "-m", "ip2p_nb", "app", "--port", str(port)], env=offline_app_env(tmp_path),
                           stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_for_port(port, app, 90)
        page = browser.new_page(viewport={"width": 1366, "height": 1000})
        page.goto(f"http://127.0.0.1:{port}/", timeout=PAGE_TIMEOUT)
        page.get_by_role("button", name="编辑 Edit").wait_for(timeout=PAGE_TIMEOUT)
        expect(page.get_by_text("Demo mode:")).to_be_visible(timeout=30_000)
        usable = time.monotonic() - start
        record_property("command_to_usable_page_s", round(usable, 1))
        print(f"\n`python -m ip2p_nb app` offline -> usable page with the demo banner: {usable:.1f} s")
        expect(page.get_by_text("Could not download 'timbrooks/instruct-pix2pix'").last).to_be_visible()  # in the banner
        page.locator("select").first.select_option(index=1)
        expect(page.get_by_text("Sample 场景 scene 1 (64x64)")).to_be_visible(timeout=30_000)
        instruction = page.locator("input[placeholder^='例如']")
        instruction.fill("make it night")
        instruction.press("Enter")
        expect(page.locator("input[placeholder^='English prompt']")).to_have_value("make it night", timeout=30_000)
        page.get_by_role("button", name="编辑 Edit").click()
        expect(page.get_by_text("Done: 64x64")).to_be_visible(timeout=RUN_TIMEOUT)
        page.locator(".widget-tab").first.screenshot(path=str(_shots() / "app_offline_demo.png"))
        page.close()
        app.send_signal(signal.SIGTERM)
        assert app.wait(30) == 130
    finally:
        if app.poll() is None:
            os.killpg(app.pid, signal.SIGKILL)
        log.close()
