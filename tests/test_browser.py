"""The app as a user sees it: the notebook served by Voila, driven in headless Chromium.

Voila serves a temporary copy of notebooks/ (so poster.png lands beside that copy) with
IP2P_MODEL=tiny, on 127.0.0.1 at a free port, and is stopped by its PID at the end. Playwright
drives Debian's /usr/bin/chromium: upload a photo, type a Chinese instruction, Edit, Generate
poster, and Stop during a long run. Screenshots go to $IP2P_SCREENSHOTS (default: the tmp dir);
the measured timings are printed (`pytest -s`) and attached as test properties.
"""
import base64
import json
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
def served(voila_app):
    """The run's one Voila server (conftest.py `voila_app`): (server, folder of the served notebook)."""
    return voila_app


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium for the module (Playwright's sync API allows one running instance per thread,
    and while it runs `asyncio.run` fails in this thread: it must not outlive the module's browser tests)."""
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


def edit_and_wait(page, size=r"\d+x\d+"):
    """Click Edit and wait for this edit's own message: "Done: <size>, seed N" with N not the seed of the Done
    message shown before the click (seeds are random), so an earlier edit's message never counts."""
    done = page.get_by_text(re.compile(r"^Done: "))
    before = re.search(r"seed (\d+)", done.first.inner_text()) if done.count() else None
    seed = r"\d+" if before is None else rf"(?!{before.group(1)}\b)\d+"
    page.get_by_role("button", name="编辑 Edit").click()
    sync_api.expect(page.get_by_text(re.compile(rf"^Done: {size}, seed {seed}\b"))).to_be_visible(timeout=RUN_TIMEOUT)


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
    # 5. where each word acts: the English prompt's words as buttons; a word's map over After
    expect(page.locator(".ip2p-words button")).to_have_count(5)          # turn the sky into night
    page.locator(".ip2p-words button", has_text="sky").click()
    word_map = page.locator("img.ip2p-word-map")
    expect(word_map).to_be_visible(timeout=30_000)
    expect(page.locator("a[download='word_maps.png']")).to_be_visible()
    word_map.scroll_into_view_if_needed()
    page.screenshot(path=str(_shots() / "app_word_maps.png"))


def _edit_demo_scene(page):
    """Pick the demo model's first scene, type "make it night", edit, and wait for the 64x64 result."""
    expect = sync_api.expect
    page.locator("select").first.select_option(index=1)
    expect(page.get_by_text("Sample 场景 scene 1 (64x64)")).to_be_visible(timeout=30_000)
    instruction = page.locator("input[placeholder^='例如']")
    instruction.fill("make it night")
    instruction.press("Enter")
    expect(page.locator("input[placeholder^='English prompt']")).to_have_value("make it night", timeout=30_000)
    page.get_by_role("button", name="编辑 Edit").click()
    expect(page.get_by_text("Done: 64x64")).to_be_visible(timeout=RUN_TIMEOUT)


# One look at the page, taken at one instant in the page itself, so nothing read can vanish between two reads
# (a Locator's count() and then its inner_text() raced the preview title being replaced by the next one):
# the preview title's step, the After picture (natural width and data URL) and the texts of the "Done:" messages.
_SNAPSHOT_JS = """() => {
  const texts = [];
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walk.nextNode()) texts.push(walk.currentNode.textContent);
  const title = texts.map(t => t.match(/预览 Preview · step (\\d+)\\/40/)).find(m => m);
  const img = document.querySelector('img.ip2p-after');
  let picture = null;
  if (img && img.complete && img.naturalWidth) {
    const c = document.createElement('canvas'); c.width = img.naturalWidth; c.height = img.naturalHeight;
    c.getContext('2d').drawImage(img, 0, 0); picture = [img.naturalWidth, c.toDataURL()];
  }
  return {step: title ? parseInt(title[1]) : null, picture: picture,
          done: texts.filter(t => t.includes('Done: 256x168')).map(t => t.trim())};
}"""


def test_previews_form_before_the_result(page, record_property):
    """A longer edit: the After panel shows several different previews, with their step, before the result."""
    _set_slider(page, "步数 Steps", 40)  # previews as often as cost <= 3% of the time: most steps on this CPU
    # the previous edit's message names its own random seed: this edit is done when a "Done" message shows that
    # was not there before the click (waiting for the old message to go first races a fast machine)
    before = set(page.evaluate(_SNAPSHOT_JS)["done"])
    page.get_by_role("button", name="编辑 Edit").click()
    seen = {}                            # step -> (width, picture data URL) of the preview shown
    end = time.monotonic() + RUN_TIMEOUT / 1000
    finished = False
    while time.monotonic() < end:
        look = page.evaluate(_SNAPSHOT_JS)
        if set(look["done"]) - before:
            finished = True
            break
        picture = look["picture"] and tuple(look["picture"])
        # the title's text shows at once, the new picture once decoded: a step counts when its preview is in
        if look["step"] is not None and picture and picture[0] == 128 and look["step"] not in seen:
            seen[look["step"]] = picture
            if len(seen) == 2:
                page.locator(".widget-tab").first.screenshot(path=str(_shots() / "app_preview.png"))
        time.sleep(0.05)
    assert finished, "the edit did not finish in time"
    final = tuple(page.evaluate(_SNAPSHOT_JS)["picture"])
    record_property("preview_steps_seen", sorted(seen))
    print(f"previews seen at steps {sorted(seen)}")
    pictures = {data for _w, data in seen.values()}
    assert len(seen) >= 2 and len(pictures) >= 2, seen.keys()
    assert final[0] == 256   # small (128 px) previews, then the full result
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
        _edit_demo_scene(page)
        page.locator(".widget-tab").first.screenshot(path=str(_shots() / "app_offline_demo.png"))
        page.close()
        app.send_signal(signal.SIGTERM)
        assert app.wait(30) == 130
    finally:
        if app.poll() is None:
            os.killpg(app.pid, signal.SIGKILL)
        log.close()


def _rss_kib(pids) -> int:
    """Resident memory of these processes together (KiB), from /proc."""
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total


def _open_app(browser, url):
    page = browser.new_page(viewport={"width": 1366, "height": 1000})
    page.goto(url, timeout=PAGE_TIMEOUT)
    page.get_by_role("button", name="编辑 Edit").wait_for(timeout=PAGE_TIMEOUT)
    return page


def _prepare(page, photo, instruction, steps, size):
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="上传 Upload").click()
    chooser.value.set_files(str(ROOT / "assets" / "samples" / photo))
    sync_api.expect(page.get_by_text("Photo uploaded")).to_be_visible(timeout=30_000)
    box = page.locator("input[placeholder^='例如']")
    box.fill(instruction)
    box.press("Enter")
    sync_api.expect(page.locator("input[placeholder^='English prompt']")).to_have_value(instruction, timeout=30_000)
    _set_slider(page, "步数 Steps", steps)
    _set_slider(page, "最大边长 Max size", size)


def test_three_pages_share_one_model(tmp_path, browser, record_property):
    """A room of browsers: three pages on one shared worker (tiny); one load, a fair queue, three posters."""
    from ip2p_nb.outputs.metadata import read_png_settings
    from ip2p_nb.serving.process import start_worker, stop_worker
    from voila_server import _descendants

    expect = sync_api.expect
    folder = tmp_path / "notebooks"
    folder.mkdir()
    shutil.copy(ROOT / "notebooks" / "ip2p_app.ipynb", folder)
    env = {**os.environ, "IP2P_MODEL": "tiny", "IP2P_SKIP_INSTALL": "1", "IP2P_TRANSLATE_OFFLINE": "1",
           "IP2P_RUN_DIR": str(tmp_path / "run"), "IP2P_ROOM_DIR": str(tmp_path / "room"),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    log = folder / "outputs" / "worker-log.jsonl"
    worker, shared = start_worker("tiny", log, env)      # what `app --shared` does before it starts Voila
    server = VoilaServer(folder / "ip2p_app.ipynb", {**env, **shared})
    pages = []
    try:
        server.start()
        # 1. one page, then three: resident memory of the worker and the kernels
        pages.append(_open_app(browser, server.url))
        rss1 = _rss_kib([worker.pid, *_descendants(server.proc.pid)])
        pages += [_open_app(browser, server.url) for _ in range(2)]
        rss3 = _rss_kib([worker.pid, *_descendants(server.proc.pid)])
        record_property("rss_1_page_mib", rss1 // 1024)
        record_property("rss_3_pages_mib", rss3 // 1024)
        worker_rss = _rss_kib([worker.pid])
        print(f"\nRSS worker + kernels: 1 page {rss1 / 1024:.0f} MiB, 3 pages {rss3 / 1024:.0f} MiB "
              f"(the worker alone {worker_rss / 1024:.0f} MiB; Voila itself {_rss_kib([server.proc.pid]) / 1024:.0f} MiB, not counted)")
        a, b, c = pages
        # 2. each page its own photo and instruction; a's edit is long, b and c queue behind it
        _prepare(a, "cat.jpg", "make it snowy", 100, 512)
        _prepare(b, "coffee.jpg", "make it sunset", 3, 256)
        _prepare(c, "rocket.jpg", "add fireworks", 3, 256)
        a.get_by_role("button", name="编辑 Edit").click()
        expect(a.get_by_text(re.compile(r"^step \d+/100"))).to_be_visible(timeout=RUN_TIMEOUT)
        b.get_by_role("button", name="编辑 Edit").click()
        expect(b.get_by_text(re.compile(r"^place 1 in the queue"))).to_be_visible(timeout=30_000)
        start_c = time.monotonic()
        c.get_by_role("button", name="编辑 Edit").click()
        expect(c.get_by_text(re.compile(r"^place 2 in the queue"))).to_be_visible(timeout=30_000)
        c.locator(".widget-tab").first.screenshot(path=str(_shots() / "shared_queue_place_2.png"))
        # 3. Stop on page a stops a's edit only
        a.get_by_role("button", name="停止 Stop").click()
        expect(a.get_by_text("The edit was stopped after step")).to_be_visible(timeout=60_000)
        expect(b.get_by_text(re.compile(r"^Done: \d+x\d+"))).to_be_visible(timeout=RUN_TIMEOUT)
        expect(c.get_by_text(re.compile(r"^Done: \d+x\d+"))).to_be_visible(timeout=RUN_TIMEOUT)
        third = time.monotonic() - start_c
        record_property("third_in_queue_click_to_result_s", round(third, 1))
        print(f"third page in the queue, click to result: {third:.1f} s (includes the first edit until its Stop)")
        _set_slider(a, "步数 Steps", 3)
        _set_slider(a, "最大边长 Max size", 256)
        a.get_by_role("button", name="编辑 Edit").click()
        expect(a.get_by_text(re.compile(r"^Done: \d+x\d+"))).to_be_visible(timeout=RUN_TIMEOUT)
        # 4. three posters, three folders, each page's own picture and instruction
        posters = {}
        for page, instruction in zip(pages, ["make it snowy", "make it sunset", "add fireworks"]):
            seed = int(re.search(r"seed (\d+)", page.get_by_text(re.compile(r"^Done: ")).inner_text()).group(1))
            page.get_by_role("button", name="生成海报 Generate poster").click()
            link = page.locator("a[download='poster.png']")
            expect(link).to_be_visible(timeout=60_000)
            saved = re.search(r"saved as (\S+/poster\.png)", page.locator(".widget-html", has=link).inner_text())
            path = Path(saved.group(1))
            assert read_png_settings(path)["instruction"] == instruction and read_png_settings(path)["seed"] == seed
            assert base64.b64decode(link.get_attribute("href").split(",", 1)[1]) == path.read_bytes()
            posters[path] = path.read_bytes()
        assert len(posters) == 3 and len(set(posters.values())) == 3
        assert sorted(p.parent.parent for p in posters) == [tmp_path / "room"] * 3   # outside the served folder
        assert not (folder / "poster.png").exists()
        pages[0].locator(".widget-tab").first.screenshot(path=str(_shots() / "shared_page_a_poster.png"))
        # 5. page a closes in the middle of a long edit: the worker carries on with page b's next edit
        visitor_a = next(iter(posters)).parent.name            # page a made the first poster
        _set_slider(a, "步数 Steps", 60)
        _set_slider(a, "最大边长 Max size", 512)
        a.get_by_role("button", name="编辑 Edit").click()
        expect(a.get_by_text(re.compile(r"^step \d+/60"))).to_be_visible(timeout=RUN_TIMEOUT)
        a.close()
        pages.remove(a)
        edit_and_wait(b)                                      # b's own new message, not its earlier one
        assert worker.poll() is None
        events = [json.loads(line) for line in log.read_text().splitlines()]
        closed = [e for e in events if e.get("visitor") == visitor_a and e["event"] in ("stopped", "done")][-1]
        print(f"page a closed mid-edit: its edit ended as {closed['event']!r}" + (" (its kernel went away)" if closed.get("gone") else ""))
        # 6. the model was loaded once, by the worker; no kernel holds a copy
        events = [json.loads(line) for line in log.read_text().splitlines()]
        assert [e["event"] for e in events].count("loaded") == 1
        assert [e["visitor"] for e in events if e["event"] == "stopped"] != []
        records = [json.loads(p.read_text()) for p in (tmp_path / "run").glob("*.json")]
        assert [r["role"] for r in records] == ["shared worker"]
    finally:
        for page in pages:
            page.close()
        server.stop()
        stop_worker(worker)


def test_switching_the_model_from_the_menu(served, browser, record_property):
    """tiny -> demo -> tiny-xl from the model menu in a fresh page: the slider's range follows the model, and an edit
    runs on each (demo: SD at 64 px; tiny-xl: the SDXL pipeline)."""
    server, _ = served
    expect = sync_api.expect
    page = browser.new_page(viewport={"width": 1366, "height": 1000})
    try:
        page.goto(server.url, timeout=PAGE_TIMEOUT)
        page.get_by_role("button", name="编辑 Edit").wait_for(timeout=PAGE_TIMEOUT)
        size = page.locator(".widget-slider", has_text="最大边长 Max size").locator(".widget-readout")
        size.click()                                          # tiny's range starts at 256: the slider refuses 64
        page.keyboard.press("Control+A")
        page.keyboard.type("64")
        page.keyboard.press("Enter")
        expect(size).to_have_text("256")
        menu = page.locator(".widget-dropdown", has_text="模型 Model").locator("select")
        expect(menu).to_have_value("tiny")
        start = time.monotonic()
        menu.select_option("demo")
        expect(page.get_by_text("Now editing with demo")).to_be_visible(timeout=RUN_TIMEOUT)
        record_property("model_switch_s", round(time.monotonic() - start, 1))
        print(f"\nmodel menu tiny -> demo, ready in {time.monotonic() - start:.1f} s")
        expect(size).to_have_text("64")                       # demo's own size, inside its new range
        _edit_demo_scene(page)                                # the demo's scenes replace the photos
        expect(menu).to_have_value("demo")
        page.locator(".widget-tab").first.screenshot(path=str(_shots() / "app_model_switch.png"))
        start = time.monotonic()
        menu.select_option("tiny-xl")                         # the SDXL path: two text encoders, its own defaults
        expect(page.get_by_text("Now editing with tiny-xl")).to_be_visible(timeout=RUN_TIMEOUT)
        print(f"model menu demo -> tiny-xl, ready in {time.monotonic() - start:.1f} s")
        expect(size).to_have_text("256")                      # tiny-xl's 512, held to this CPU's suggested size
        page.locator("select").first.select_option(index=1)  # the photos are back
        page.get_by_role("button", name="编辑 Edit").click()
        expect(page.get_by_text("Done: 256x")).to_be_visible(timeout=RUN_TIMEOUT)
        page.locator(".widget-tab").first.screenshot(path=str(_shots() / "app_model_switch_xl.png"))
    finally:
        page.close()
