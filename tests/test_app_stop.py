"""`python -m ip2p_nb app` stopped by SIGTERM takes Voila and the kernels it started with it.

The app is started exactly as the README says, offline (no hub reachable: it starts on `demo`, so
the notebook writes no file), a page request makes Voila start a kernel, and then the command gets
SIGTERM. Every process that was below it must be gone within seconds.
"""
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from hub_server import closed_port
from voila_server import _descendants, free_port

ROOT = Path(__file__).resolve().parent.parent


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def offline_app_env(tmp_path) -> dict:
    """The environment of a first run with no hub reachable (and a fresh, empty cache)."""
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy") and not k.startswith(("HF_", "IP2P_"))}
    env.update(HF_HOME=str(tmp_path / "hf"), HF_ENDPOINT=f"http://127.0.0.1:{closed_port()}", IP2P_HUB_MIRRORS="",
               IP2P_SKIP_INSTALL="1", IP2P_TRANSLATE_OFFLINE="1",
               PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    return env


def wait_for_port(port: int, proc, timeout: float) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        assert proc.poll() is None, f"the app exited with {proc.returncode}"
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"nothing listened on {port} within {timeout} s")


def request_page(url: str) -> None:
    """GET the page (Voila starts a kernel for it); the answer does not matter, the connection may be cut."""
    try:
        urllib.request.urlopen(url, timeout=300).read()
    except OSError:
        pass


def test_sigterm_stops_voila_and_its_kernels(tmp_path):
    port = free_port()
    log = open(tmp_path / "app.log", "wb")
    app = subprocess.Popen([sys.executable, "-m", "ip2p_nb", "app", "--port", str(port)], env=offline_app_env(tmp_path),
                           stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    below = []
    try:
        wait_for_port(port, app, 90)
        threading.Thread(target=request_page, args=(f"http://127.0.0.1:{port}/",), daemon=True).start()
        end = time.monotonic() + 120
        while time.monotonic() < end and not any("ipykernel" in _cmdline(p) for p in _descendants(app.pid)):
            time.sleep(0.5)
        below = _descendants(app.pid)
        assert any("voila" in _cmdline(p) for p in below) and any("ipykernel" in _cmdline(p) for p in below), \
            [_cmdline(p) for p in below]
        app.send_signal(signal.SIGTERM)
        assert app.wait(30) == 130
        end = time.monotonic() + 15
        while time.monotonic() < end and [p for p in below if Path(f"/proc/{p}").exists()]:
            time.sleep(0.2)
        alive = [p for p in below if Path(f"/proc/{p}").exists() and _cmdline(p)]
        assert not alive, [_cmdline(p) for p in alive]
        assert (tmp_path / "app.log").read_text(errors="replace").rstrip().endswith("stopped.")
    finally:
        for pid in [app.pid, *below]:   # only what this test started
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        log.close()
