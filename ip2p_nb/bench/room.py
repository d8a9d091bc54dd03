"""A workshop room under load: `bench --room 50` (and, reduced, tests/test_room_load.py).

`room_load(pages, browsers, editing)` starts `python -m ip2p_nb app --shared --model tiny` as a presenter
would, then opens `pages` pages one after another, as attendees arrive: the last `browsers` of them in
headless Chromium (each in a context of its own: a visitor of its own), the others as a page's first
request (Voila starts the page's kernel and runs the app in it, as for a browser; the kernel stays until
the server stops). Then `editing` of the browser pages upload a photo, type an instruction and press Edit
within a second of each other, and make a poster. It reports:
- memory: the server, the worker and every page's kernel (RSS; and whether torch is mapped into it);
- the time each page took to show the app (a browser page: until its Edit button is there);
- each edit's place in the queue and its wait (the worker's log), click to result in the page;
- the posters: one per editing visitor, in that visitor's own folder of the room, none anywhere else.
Needs Playwright and Chromium (`pip install playwright`, `apt-get install chromium`), like the browser tests.
"""
import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from ..errors import UserError
from ..resources import SAMPLES_DIR, with_this_package

__all__ = ["room_load", "room_processes", "CHROMIUM"]

CHROMIUM = "/usr/bin/chromium"
_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--disable-quic", "--no-first-run"]
_PAGE_MS = 150_000      # a page on a loaded 2-core machine
_EDIT_MS = 300_000      # ten edits queued behind each other


def _rss_mb(pid: int) -> float:
    return int(Path(f"/proc/{pid}/status").read_text().split("VmRSS:")[1].split()[0]) / 1024


def room_processes(folder: Path) -> dict:
    """{"app", "server", "worker": [(pid, rss MB)], "kernels": [(pid, rss MB, torch mapped)]} of the room in `folder`."""
    found = {"app": [], "server": [], "worker": [], "kernels": []}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if str(folder) not in (proc / "environ").read_bytes().decode(errors="ignore"):
                continue
            cmd = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="ignore")
            pid = int(proc.name)
            if "ipykernel_launcher" in cmd:
                found["kernels"].append((pid, round(_rss_mb(pid), 1), "libtorch" in (proc / "maps").read_text()))
            elif " ip2p_nb app " in cmd:
                found["app"].append((pid, round(_rss_mb(pid), 1)))
            elif " ip2p_nb worker " in cmd:
                found["worker"].append((pid, round(_rss_mb(pid), 1)))
            elif " voila " in cmd:
                found["server"].append((pid, round(_rss_mb(pid), 1)))
        except (OSError, ValueError, IndexError):   # a process that ended while it was read
            continue
    return found


class _Room:
    """`app --shared --model tiny` in a process group of its own, with its printed link."""

    def __init__(self, folder: Path, workers: int | None):
        self.folder = folder
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
        env.update(IP2P_ROOM_DIR=str(folder / "room"), IP2P_WORKER_LOG=str(folder / "worker-log.jsonl"),
                   IP2P_RUN_DIR=str(folder / "run"), IP2P_TRANSLATE_OFFLINE="1", IP2P_SKIP_INSTALL="1", HF_HUB_OFFLINE="1")
        cmd = [sys.executable, "-m", "ip2p_nb", "app", "--shared", "--model", "tiny", "--port", str(self.port)]
        cmd += ["--workers", str(workers)] if workers else []
        self.proc = subprocess.Popen(cmd, env=with_this_package(env), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        self.lines = []
        threading.Thread(target=lambda: self.lines.extend(l.decode(errors="replace") for l in self.proc.stdout),
                         daemon=True).start()

    def wait_ready(self, timeout=180.0) -> str:
        """The room's link once the server listens and the worker has loaded the model."""
        end, log = time.monotonic() + timeout, self.folder / "worker-log.jsonl"
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                raise UserError(f"The room stopped before it was ready: {''.join(self.lines)[-400:]}")
            link = next((re.search(r"(http://\S+)", l).group(1) for l in self.lines if l.startswith("Room link")), None)
            if link and log.exists() and '"loaded"' in log.read_text() and _listening(self.port):
                return link.replace(link.split("/")[2], f"127.0.0.1:{self.port}")
            time.sleep(0.2)
        raise UserError(f"The room was not ready within {timeout:.0f} s.")

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)


def _totals(found: dict) -> dict:
    """MB by part of the room (the app command, the Voila server, the worker, the pages' kernels)."""
    return {part: round(sum(p[1] for p in found[part]), 1) for part in ("app", "server", "worker", "kernels")}


def _listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


def _first_request(link: str, port: int) -> float:
    """Open a page as its first request does (Voila runs the app in a new kernel); seconds until it answered."""
    start = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=_PAGE_MS / 1000)
    try:
        conn.request("GET", link.split(str(port), 1)[1] or "/")
        reply = conn.getresponse()
        body = reply.read()
    finally:
        conn.close()
    if reply.status != 200 or b"voila" not in body.lower():
        raise UserError(f"A page's first request got HTTP {reply.status}.")
    return time.monotonic() - start


def _browser_page(browser, link: str):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    start = time.monotonic()
    page.goto(link, timeout=_PAGE_MS)
    page.get_by_role("button", name="编辑 Edit").wait_for(timeout=_PAGE_MS)
    page.shown_s = time.monotonic() - start
    return page


def _prepare_edit(page, expect, photo: Path, steps: int):
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="上传 Upload").click()
    chooser.value.set_files(str(photo))
    expect(page.get_by_text(re.compile(r"Photo uploaded \(\d+x\d+\)"))).to_be_visible(timeout=_PAGE_MS)
    instruction = page.locator("input[placeholder^='例如']")
    instruction.fill("把天空换成夜晚")
    instruction.press("Enter")
    expect(page.locator("input[placeholder^='English prompt']")).not_to_have_value("", timeout=_PAGE_MS)
    readout = page.locator(".widget-slider", has_text="步数 Steps").locator(".widget-readout")
    readout.click()
    page.keyboard.press("Control+A")
    page.keyboard.type(str(steps))
    page.keyboard.press("Enter")
    expect(readout).to_have_text(str(steps))


def _queue_figures(log: Path) -> list[dict]:
    """Per edit: its visitor, the place it was first given, its wait before it started (and when), its run time, its slot."""
    import json  # noqa: PLC0415

    events = [json.loads(line) for line in log.read_text().splitlines()]
    edits = {}
    for e in events:
        key = (e.get("visitor"), e.get("id"))
        if e["event"] == "queued":
            edits.setdefault(key, {"visitor": e["visitor"], "place": e["position"], "queued_t": e["t"]})
        elif e["event"] == "started" and key in edits:
            edits[key].update(waited_s=e["waited"], slot=e.get("slot"), started_t=e["t"])
        elif e["event"] == "done" and key in edits:
            edits[key]["seconds"] = e["seconds"]
    return sorted(edits.values(), key=lambda d: d["queued_t"])


def room_load(pages: int = 50, browsers: int = 10, editing: int = 10, workers: int | None = None, steps: int = 4,
              folder=None, log=print) -> dict:
    """Open `pages` pages on a `tiny` room, `browsers` of them in Chromium, `editing` of those editing at once."""
    if not 1 <= editing <= browsers <= pages:
        raise UserError(f"`room_load` needs 1 <= editing <= browsers <= pages, got {editing}, {browsers}, {pages}.")
    if not Path(CHROMIUM).exists():
        raise UserError(f"The room benchmark drives Chromium at {CHROMIUM}; install it (apt-get install chromium).")
    try:
        from playwright.sync_api import expect, sync_playwright  # noqa: PLC0415
    except ImportError:
        raise UserError("The room benchmark needs Playwright: pip install -r requirements-dev.txt.") from None
    folder = Path(folder or tempfile.mkdtemp(prefix="ip2p-room-load-")).resolve()
    room = _Room(folder, workers)
    report = {"pages": pages, "browsers": browsers, "editing": editing, "workers": workers or 1, "steps": steps}
    try:
        link = room.wait_ready()
        time.sleep(2)                                   # the server's and worker's own start settles
        before = room_processes(folder)
        report["before_mb"] = _totals(before)
        shown = [_first_request(link, room.port) for _ in range(pages - browsers)]
        log(f"room: {len(shown)} pages opened by their first request")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=_ARGS, headless=True)
            opened = []
            for i in range(browsers):
                opened.append(_browser_page(browser, link))
                shown.append(opened[-1].shown_s)
            log(f"room: {browsers} browser pages shown; the last in {shown[-1]:.1f} s")
            time.sleep(2)
            after = room_processes(folder)
            for page in opened[:editing]:
                _prepare_edit(page, expect, SAMPLES_DIR / "cat.jpg", steps)
            clicked = []
            for page in opened[:editing]:
                page.get_by_role("button", name="编辑 Edit").click()
                clicked.append(time.monotonic())
            results = []
            for page, start in zip(opened[:editing], clicked):
                expect(page.get_by_text(re.compile(r"^Done: \d+x\d+, seed"))).to_be_visible(timeout=_EDIT_MS)
                results.append(time.monotonic() - start)
            saved = []
            for page in opened[:editing]:
                page.get_by_role("button", name="生成海报 Generate poster").click()
                expect(page.locator("a[download='poster.png']")).to_be_visible(timeout=_PAGE_MS)
                saved.append(re.search(r"saved as ([^ )<]+poster\.png)", page.content()).group(1))
            peak = room_processes(folder)
            browser.close()
        kernels = after["kernels"]
        posters = sorted((folder / "room").glob("*/poster.png"))
        report.update(
            kernels=len(kernels), kernel_mb=[k[1] for k in kernels], kernels_with_torch=sum(k[2] for k in kernels),
            after_mb=_totals(after), after_edits_mb=_totals(peak),
            shown_s=[round(s, 2) for s in shown], last_page_s=round(shown[-1], 2),
            click_to_result_s=[round(s, 2) for s in results], queue=_queue_figures(folder / "worker-log.jsonl"),
            posters=len(posters), poster_paths=saved,
            posters_in_own_folders=len({Path(s).parent for s in saved}) == len(saved) == len(posters)
            and all(Path(s).resolve() in [q.resolve() for q in posters] for s in saved),
            stray_pngs=[str(q) for q in folder.rglob("*.png") if (folder / "room") not in q.parents])
        report["room_gb"] = round(sum(report["after_mb"].values()) / 1024, 2)
        report["mb_per_page"] = round(report["after_mb"]["kernels"] / max(1, len(kernels)), 1)
        return report
    finally:
        room.stop()
