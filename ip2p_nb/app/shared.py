"""A page's side of the shared model: `SharedEditor` quacks like an `Editor` for what `App` uses.

In shared mode (`IP2P_SHARED=127.0.0.1:PORT` and `IP2P_SHARED_KEY` in the kernel's environment, set
by `python -m ip2p_nb app --shared`) each page's kernel connects to the one worker process
(ip2p_nb/serving/worker.py) instead of loading a model. `edit(...)` sends the picture and the settings, then
calls `waiting(position, seconds)` while the edit is queued, `progress(step, total)` and
`preview(step, total, image)` while it runs, and returns an `EditResult`. Raising from any of these
callbacks (the app does on Stop) asks the worker to stop this page's edit only: a queued edit leaves
the queue, a running one stops within a step; `EditStopped` is raised either way.
Each page has its own random `visitor` id; the app writes its posters to `IP2P_ROOM_DIR/<visitor>/`, outside the
folder the server serves (ip2p_nb/app/room.py). The uploaded photo is never written to disk: its bytes go to
the worker, which edits them in memory.
"""
import io
import os
import threading
import time
from multiprocessing.connection import Client
from pathlib import Path

from PIL import Image

from ..defaults import SHARED_DEFAULTS
from ..editing.results import EditResult
from ..errors import EditStopped, OutOfMemory, SettingError, UserError
from ..models.samplers import check_scheduler
from ..serving.room import new_visitor_id
from ..serving.worker import upload_too_big_message

__all__ = ["SharedEditor", "shared_address"]

_GONE = "The shared model's worker has stopped; ask the presenter to restart the app / 共享模型已停止，请让主持人重启应用."


def shared_address(env=None):
    """((host, port), key) from IP2P_SHARED and IP2P_SHARED_KEY, or None when the app is not shared."""
    env = os.environ if env is None else env
    if not env.get("IP2P_SHARED"):
        return None
    host, _, port = env["IP2P_SHARED"].rpartition(":")
    return (host or "127.0.0.1", int(port)), env.get("IP2P_SHARED_KEY", "").encode()


class SharedEditor:
    """An editor whose model lives in the shared worker; see the module docstring."""

    shared = True

    def __init__(self, address=None, key=None, visitor=None, timeout=SHARED_DEFAULTS["connect_seconds"]):
        if address is None:
            found = shared_address()
            if found is None:
                raise UserError("The app is not shared: IP2P_SHARED is not set; start it with `python -m ip2p_nb app --shared`.")
            address, key = found
        self.visitor = visitor or new_visitor_id()     # random, unguessable: also the name of its folder
        self.conn = self._connect(address, key, timeout)
        self.conn.send({"op": "hello", "visitor": self.visitor})
        if not self.conn.poll(timeout):
            raise UserError(f"The shared model did not answer within {timeout:.0f} s; ask the presenter to check the app.")
        info = self._recv()
        self.model_name, self.fallback = info["model_name"], info["fallback"]
        self.size_range, self.default_max_size = tuple(info["size_range"]), info["default_max_size"]
        self.limits, self.worker_pid = info["limits"], info["pid"]
        self._sampler = info["sampler"]
        # What the App's Fast switch and time estimate need to know about the worker's model (older workers: None/1).
        self.device, self.runtime = info.get("device"), info.get("runtime")
        self.default_cache_interval = info.get("default_cache_interval", 1)
        # The worker's machine (its speed test, its comfortable size): a page measures nothing itself (no torch here).
        self.probe, self.suggested_max_size = info.get("probe"), info.get("suggested_max_size")
        self._lock = threading.Lock()
        self._next_id = 0
        self.positions = []              # every queue place this page was told, for tests and the status line
        self.waits = []                  # with the estimated wait in seconds (None until the worker has timed an edit)

    @staticmethod
    def _connect(address, key, timeout):
        end = time.monotonic() + timeout
        while True:
            try:
                return Client(tuple(address), authkey=key)
            except (ConnectionRefusedError, FileNotFoundError):
                if time.monotonic() > end:
                    raise UserError(_GONE) from None
                time.sleep(0.2)

    def _recv(self):
        try:
            return self.conn.recv()
        except (EOFError, OSError):
            raise UserError(_GONE) from None

    def _send(self, message):
        try:
            self.conn.send(message)
        except (OSError, ValueError):
            raise UserError(_GONE) from None

    # ------------------------------------------------------------------ what App uses
    @property
    def sampler(self) -> str:
        return self._sampler

    def use_scheduler(self, name: str) -> None:
        """Sample this page's next edits with `name` (the worker switches before each edit)."""
        self._sampler = check_scheduler(name)

    @property
    def running(self) -> bool:
        return self._lock.locked()

    def check_upload(self, size: int) -> None:
        """Refuse, in one sentence, a picture larger than the shared app takes."""
        if size > self.limits["max_upload_mb"] * 1e6:
            raise UserError(upload_too_big_message(size, self.limits["max_upload_mb"]))

    def close(self) -> None:
        self.conn.close()

    def edit(self, image, instruction, *, english=None, progress=None, preview=None, waiting=None, **settings):
        """Queue an edit in the worker and follow it to its result; see the module docstring."""
        unknown = set(settings) - {"image_guidance", "text_guidance", "steps", "seed", "max_size", "mask", "region",
                                "cache_interval"}
        if unknown:
            raise SettingError(f"Unknown setting `{sorted(unknown)[0]}` for the shared model.")
        data = _picture_bytes(image)
        self.check_upload(len(data))
        if not self._lock.acquire(blocking=False):
            raise UserError("An edit is already running on this model; wait for it to finish or stop it first.")
        try:
            self._next_id += 1
            job = self._next_id
            self._send({"op": "edit", "id": job, "image": data, "instruction": instruction, "english": english,
                        "sampler": self._sampler, "settings": settings})
            return self._follow(job, progress, preview, waiting)
        finally:
            self._lock.release()

    def _follow(self, job, progress, preview, waiting):
        stopping, place = False, None
        while True:
            if not self.conn.poll(0.2):
                if place is not None and not stopping:   # lets a Stop reach a queued edit
                    stopping = self._call(waiting, *place, job=job)
                continue
            message = self._recv()
            if message.get("id") != job:
                continue
            op = message["op"]
            if op == "queued":
                place = (message["position"], message["wait"])
                self.positions.append(message["position"])
                self.waits.append(message["wait"])
                stopping = stopping or self._call(waiting, *place, job=job)
            elif op == "progress":
                place = None
                stopping = stopping or self._call(progress, message["step"], message["total"], job=job)
            elif op == "preview":
                picture = Image.open(io.BytesIO(message["png"])).convert("RGB")
                stopping = stopping or self._call(preview, message["step"], message["total"], picture, job=job)
            elif op == "done":
                return _result(message["result"])
            elif op == "error":
                raise _error(message)

    def _call(self, callback, *args, job):
        """Run a callback; when it raises (Stop), ask the worker to stop this edit. True once stopping."""
        if callback is None:
            return False
        try:
            callback(*args)
            return False
        except Exception:  # noqa: BLE001  (raising from a callback is how a page says stop)
            self._send({"op": "stop", "id": job})
            return True


def _picture_bytes(image) -> bytes:
    if isinstance(image, (bytes, bytearray)):
        return bytes(image)
    if isinstance(image, (str, Path)):
        return Path(image).read_bytes()
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return buf.getvalue()


def _result(data) -> EditResult:
    data = dict(data)
    for name in ("image", "original"):
        data[name] = Image.open(io.BytesIO(data[name])).convert("RGB")
    return EditResult(**data)


def _error(message):
    kind, text = message.get("kind"), message.get("message", "")
    if kind == "EditStopped":
        return EditStopped(text)
    if kind == "OutOfMemory":
        return OutOfMemory(text, message.get("max_size"))
    if kind == "SettingError":
        return SettingError(text)
    if kind == "UserError":
        return UserError(text)
    return RuntimeError(f"The shared model failed: {text}")
