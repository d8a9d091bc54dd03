"""A workshop room has a key (ip2p_nb/serving/room.py, `app --shared`): real HTTP requests against the served
Voila on 127.0.0.1. A page without the token is refused, the printed link works, and a visitor cannot fetch
another visitor's poster by guessing its path or listing folders."""
import http.client
import io
import os
import re
import signal
import subprocess
import sys
import threading
from urllib.parse import urlsplit

from PIL import Image

from ip2p_nb.serving.room import qr_data_uri, room_link, room_token
from test_app_stop import offline_app_env, wait_for_port
from voila_server import free_port


def _get(port, path, timeout=30):
    """(status, headers, body) of a GET with no redirect followed."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        r = conn.getresponse()
        return r.status, dict(r.getheaders()), r.read()
    finally:
        conn.close()


class _App:
    """`python -m ip2p_nb app ...` in its own process group, its output collected line by line."""

    def __init__(self, args, env):
        self.port = free_port()
        self.proc = subprocess.Popen([sys.executable, "-m", "ip2p_nb", "app", *args, "--port", str(self.port)], env=env,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
        self.lines = []
        threading.Thread(target=lambda: self.lines.extend(l.decode(errors="replace") for l in self.proc.stdout),
                         daemon=True).start()

    def text(self):
        return "".join(self.lines)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)


def test_room_link_and_token_helpers():
    token = room_token()
    assert len(token) >= 32 and token != room_token()
    assert room_link("127.0.0.1", 8866, token) == f"http://127.0.0.1:8866/?token={token}"
    assert "0.0.0.0" not in room_link("0.0.0.0", 8866, token)          # attendees get a reachable address
    uri = qr_data_uri("http://127.0.0.1:8866/?token=abc")
    png = Image.open(io.BytesIO(__import__("base64").b64decode(uri.split(",", 1)[1])))
    assert png.size[0] > 100


def test_a_room_refuses_a_page_without_its_token_and_keeps_visitors_files_apart(tmp_path):
    room = tmp_path / "room"
    env = {**offline_app_env(tmp_path), "IP2P_ROOM_DIR": str(room), "IP2P_RUN_DIR": str(tmp_path / "run")}
    app = _App(["--shared", "--model", "tiny"], env)
    try:
        wait_for_port(app.port, app.proc, 120)
        # 1. the printed link carries the token, with its QR code
        link = re.search(r"Room link [^:]*: (http://\S+)", app.text()).group(1)
        token = re.search(r"token=([\w-]+)", link).group(1)
        assert urlsplit(link).port == app.port and len(token) >= 32 and "█" in app.text()
        # 2. without the token (or with a wrong one) the page is refused: Voila sends it to its login page
        for path in ("/", "/?token=" + room_token(), "/voila/api/contents", "/api/kernels"):
            status, headers, _ = _get(app.port, path)
            assert status in (302, 403) and (status == 403 or "/login" in headers["Location"]), (path, status)
        # 3. the printed link works: the app page, run in a kernel on the shared worker
        status, _, body = _get(app.port, urlsplit(link).path + "?" + urlsplit(link).query, timeout=240)
        assert status == 200 and b"application/vnd.jupyter.widget-view+json" in body, status
        visitors = [p.name for p in room.iterdir() if p.is_dir()]
        assert len(visitors) == 1 and len(visitors[0]) >= 22            # the page's own folder, a random name
        visitor_a = visitors[0]
        poster = Image.new("RGB", (40, 30), (200, 10, 10))
        poster.save(room / visitor_a / "poster.png")                    # what page a's poster button writes there
        secret = (room / visitor_a / "poster.png").read_bytes()
        # 4. visitor b, with a valid token, guesses paths and lists folders: nothing comes back
        q = f"?token={token}"
        guesses = [f"/voila/files/{visitor_a}/poster.png", f"/voila/files/outputs/{visitor_a}/poster.png",
                   f"/voila/files/../{room.name}/{visitor_a}/poster.png", f"/voila/files/%2e%2e/%2e%2e/{visitor_a}/poster.png",
                   f"/voila/files/{room}/{visitor_a}/poster.png", "/voila/files/", "/voila/files/outputs/",
                   "/voila/tree", "/voila/api/contents", "/api/contents", "/tree", "/files/poster.png",
                   "/voila/files/ip2p_app.ipynb"]
        seen = {}
        for path in guesses:
            status, _, body = _get(app.port, path + q)
            seen[path] = status
            assert status != 200 and secret not in body, (path, status)
        print("\nrequests of visitor b:", seen)
    finally:
        app.stop()


def test_no_token_opens_the_room_with_a_warning(tmp_path):
    env = {**offline_app_env(tmp_path), "IP2P_ROOM_DIR": str(tmp_path / "room"), "IP2P_RUN_DIR": str(tmp_path / "run")}
    app = _App(["--shared", "--model", "tiny", "--no-token"], env)
    try:
        wait_for_port(app.port, app.proc, 120)
        assert "Warning: --no-token: the room has no key" in app.text()
        assert re.search(r"Room link [^:]*: http://127\.0\.0\.1:\d+/\n", app.text())
        assert _get(app.port, "/voila/files/ip2p_app.ipynb")[0] == 403  # still no files served
        status, _, _ = _get(app.port, "/", timeout=240)                  # the page, with no login asked
        assert status == 200
    finally:
        app.stop()


def test_a_room_folder_inside_the_notebook_folder_is_refused(tmp_path):
    from test_app_stop import ROOT

    env = {**offline_app_env(tmp_path), "IP2P_RUN_DIR": str(tmp_path / "run")}
    p = subprocess.run([sys.executable, "-m", "ip2p_nb", "app", "--shared", "--model", "tiny", "--port", str(free_port()),
                        "--room-dir", str(ROOT / "notebooks" / "room")], env=env, capture_output=True, text=True, timeout=60)
    assert p.returncode == 2 and "inside the notebook folder" in p.stderr and p.stderr.strip().count("\n") == 0, p.stderr
    assert not (ROOT / "notebooks" / "room").exists()


def test_the_first_page_shows_the_link_and_its_qr_code_only_in_a_room():
    from ip2p_nb.app.room import room_panel

    assert room_panel({}).layout.display == "none"
    link = "http://192.168.1.20:8866/?token=" + room_token()
    panel = room_panel({"IP2P_ROOM_LINK": link})
    assert panel.layout.display != "none" and link in panel.value and "<img src='data:image/png;base64," in panel.value
