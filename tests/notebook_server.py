"""A Jupyter server (JupyterLab 4, or the classic Notebook 6.5 of another environment) on 127.0.0.1 for
browser tests, and the steps a user takes in the notebook app there, driven with Playwright.

`NotebookServer(folder, python, kind="lab"|"classic", env)` serves `folder` with a random token, in its
own process group, and is stopped by its PID (its kernels too, as `VoilaServer`). The flow helpers
(`run_all`, `upload`, `instruct`, `set_slider`, `stroke`, `edit`, `download_poster`) work in both front ends:
each waits for a condition tied to its own action (this upload's message, this edit's "Done", this poster's bytes).
"""
import os
import secrets
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

from voila_server import VoilaServer, free_port

__all__ = ["NotebookServer", "run_all", "upload", "instruct", "set_slider", "stroke", "edit", "download_poster", "screenshot"]

START_TIMEOUT = 90.0      # s: a JupyterLab start on a busy 2-core machine
APP_TIMEOUT = int(os.environ.get("IP2P_APP_TIMEOUT_MS", 240_000))     # ms: Run All (the model load included) until the app's Edit button shows
RUN_TIMEOUT = 120_000     # ms: one tiny edit


class NotebookServer(VoilaServer):
    """`with NotebookServer(folder, python, "lab", env) as s:` serves `folder`; open `s.notebook_url(name)`."""

    def __init__(self, folder, python, kind="lab", env=None):
        super().__init__(Path(folder) / "server", env, log_path=Path(folder).parent / f"{kind}.log")
        self.folder, self.python, self.kind = Path(folder), str(python), kind
        self.token = secrets.token_hex(16)
        self.port = free_port()

    def start(self, timeout=START_TIMEOUT):
        home = self.folder.parent / f"{self.kind}-home"     # settings and workspaces of this server only
        home.mkdir(exist_ok=True)
        common = [f"--port={self.port}", "--no-browser", "--allow-root"]
        if self.kind == "lab":
            cmd = [self.python, "-m", "jupyter", "lab", *common, "--ServerApp.ip=127.0.0.1",
                   f"--IdentityProvider.token={self.token}", f"--LabApp.workspaces_dir={home}",
                   f"--LabApp.user_settings_dir={home}", "--LabApp.news_url=", "--ServerApp.disable_check_xsrf=True"]
        else:
            cmd = [self.python, "-m", "notebook", *common, "--NotebookApp.ip=127.0.0.1", f"--NotebookApp.token={self.token}"]
        env = {**self.env, "JUPYTER_CONFIG_DIR": str(home / "config"), "JUPYTER_RUNTIME_DIR": str(home / "runtime")}
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(cmd, cwd=self.folder, env=env, stdout=log, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, start_new_session=True)
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.kind} exited with {self.proc.returncode}: {self.log()[-2000:]}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/api/status?token={self.token}", timeout=5).close()
                return self
            except OSError:
                time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"{self.kind} did not answer on port {self.port} within {timeout:.0f} s: {self.log()[-2000:]}")

    def notebook_url(self, name) -> str:
        path = "lab/tree" if self.kind == "lab" else "notebooks"
        return f"http://127.0.0.1:{self.port}/{path}/{name}?token={self.token}"


def run_all(page, kind):
    """Run every cell from the menu, as a user does, and wait for the app's Edit button."""
    if kind == "lab":
        page.locator(".jp-Notebook").wait_for(timeout=APP_TIMEOUT)
        page.get_by_text("Python 3 (ipykernel) | Idle").wait_for(timeout=APP_TIMEOUT)   # the kernel is connected
        page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
        page.locator(".lm-Menu-item:not(.lm-mod-disabled)", has_text="Run All Cells").first.click()
    else:
        page.locator("#notebook-container").wait_for(timeout=APP_TIMEOUT)
        page.locator("#kernel_indicator_icon.kernel_idle_icon").wait_for(timeout=APP_TIMEOUT)
        page.locator("#celllink").click()
        page.locator("#run_all_cells a").click()
    page.get_by_role("button", name="编辑 Edit").wait_for(timeout=APP_TIMEOUT)


def upload(page, expect, photo, size_text):
    """Choose `photo` with the Upload button; wait for this photo's own message."""
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="上传 Upload").first.click()
    chooser.value.set_files(str(photo))
    expect(page.get_by_text(f"Photo uploaded ({size_text})")).to_be_visible(timeout=RUN_TIMEOUT)


def instruct(page, expect, text, english):
    box = page.locator("input[placeholder^='例如']")
    box.fill(text)
    box.press("Enter")
    expect(page.locator("input[placeholder^='English prompt']")).to_have_value(english, timeout=60_000)


def set_slider(page, expect, label, value):
    readout = page.locator(".widget-slider", has_text=label).locator(".widget-readout")
    readout.click()
    page.keyboard.press("Control+A")
    page.keyboard.type(str(value))
    page.keyboard.press("Enter")
    expect(readout).to_have_text(str(value))


def stroke(page, points):
    """Drag the mouse over the brush canvas through `points` (canvas pixels, 512 wide)."""
    canvas = page.locator("canvas").last
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    scale = 512 / box["width"]
    page.mouse.move(box["x"] + points[0][0] / scale, box["y"] + points[0][1] / scale)
    page.mouse.down()
    for x, y in points[1:]:
        page.mouse.move(box["x"] + x / scale, box["y"] + y / scale)
    page.mouse.up()


def edit(page, expect, done_text):
    page.get_by_role("button", name="编辑 Edit").click()
    expect(page.get_by_text(done_text)).to_be_visible(timeout=RUN_TIMEOUT)


def download_poster(page, expect, folder) -> bytes:
    """Generate the poster, click its download link; the downloaded bytes (poster.png is in `folder`)."""
    before = (folder / "poster.png").stat().st_mtime_ns if (folder / "poster.png").exists() else None
    page.get_by_role("button", name="生成海报 Generate poster").click()
    expect(page.get_by_text("Poster saved:")).to_be_visible(timeout=RUN_TIMEOUT)
    assert (folder / "poster.png").stat().st_mtime_ns != before
    with page.expect_download(timeout=30_000) as download:
        page.locator("a[download='poster.png']").click()
    return Path(download.value.path()).read_bytes()


def screenshot(page, top, path):
    """A screenshot of the window with `top` (a locator) scrolled to its top edge; JupyterLab's news question closed."""
    no = page.locator(".jp-Notification-Toast-Close, .jp-toast-button:has-text('No')")
    if no.count():
        no.first.evaluate("e => e.click()")   # a toast still sliding in is neither stable nor in view: click it in the page
    top.first.evaluate("e => e.scrollIntoView({block: 'start'})")
    page.wait_for_timeout(300)   # the scroll settles (a screenshot, not a test condition)
    page.screenshot(path=str(path))
