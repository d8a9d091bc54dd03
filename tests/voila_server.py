"""Start and stop a Voila server for one notebook on 127.0.0.1, by its process id (browser tests).

The server runs in its own process group (`start_new_session`), so stopping it ends the kernels
it started too, and nothing else. Readiness is a TCP connect, not an HTTP page request: every
page request starts a kernel and runs the whole notebook.
"""
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

__all__ = ["free_port", "VoilaServer"]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _descendants(pid: int) -> list:
    """PIDs of all processes below `pid`, read from /proc (empty where there is no /proc)."""
    parents = {}
    for entry in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = entry.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents.setdefault(int(fields[1]), []).append(int(entry.parent.name))
    found, todo = [], [pid]
    while todo:
        children = parents.get(todo.pop(), [])
        found += children
        todo += children
    return found


class VoilaServer:
    """`with VoilaServer(notebook, env) as server:` serves `notebook` at `server.url`; the log is in `server.log_path`."""

    def __init__(self, notebook, env=None, log_path=None):
        self.notebook = Path(notebook)
        self.env = {**os.environ, **(env or {})}
        self.log_path = Path(log_path or self.notebook.with_suffix(".voila.log"))
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.proc = None

    def start(self, timeout=60.0):
        cmd = [sys.executable, "-m", "voila", self.notebook.name, "--no-browser", f"--port={self.port}",
               "--Voila.ip=127.0.0.1", "--show_tracebacks=True"]
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(cmd, cwd=self.notebook.parent, env=self.env, stdout=log,
                                         stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                raise RuntimeError(f"voila exited with {self.proc.returncode}: {self.log()[-2000:]}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return self
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"voila did not listen on port {self.port} within {timeout:.0f} s: {self.log()[-2000:]}")

    def stop(self, timeout=10.0):
        """SIGTERM to the server's process group (by its PID), SIGKILL if it lingers; then end the
        kernels it started (they run in sessions of their own) by their PIDs."""
        if self.proc is None or self.proc.poll() is not None:
            return
        kernels = _descendants(self.proc.pid)
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(self.proc.pid, sig)
                self.proc.wait(timeout)
                break
            except ProcessLookupError:
                break
            except subprocess.TimeoutExpired:
                continue
        for pid in kernels:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
