"""One model for a room of browsers: a worker process that loads the model once per GPU and edits in arrival order.

`python -m ip2p_nb app --shared` (or an `--ip` other than loopback) starts it with `start_worker`;
every page's kernel talks to it through `ip2p_nb.app.shared.SharedEditor` instead of loading a copy
of its own. The transport is the standard library's `multiprocessing.connection`: pickled dicts over
a TCP socket on 127.0.0.1, authenticated with a random key that reaches the kernels only through
their environment (`IP2P_SHARED=127.0.0.1:PORT`, `IP2P_SHARED_KEY`). No widgets here.

Messages (dicts with an "op"):
  page -> worker: hello {visitor}; edit {id, image (bytes), instruction, english, sampler, settings};
                  stop {id}
  worker -> page: info {model_name, size_range, default_max_size, sampler, fallback, limits, device, runtime,
                        default_cache_interval, probe, suggested_max_size};
                  queued {id, position (1 = next), wait (seconds or None)}; progress {id, step, total};
                  preview {id, step, total, png}; done {id, result}; error {id, kind, message, max_size}
The worker holds one copy of the model per GPU (`--workers N`; one on a CPU), each run by a thread of its
own (a "slot"); all slots take edits from ONE queue, in arrival order (a page has at most one edit at a
time, so no page can crowd the others out). Each page may stop only its own edits: a queued one leaves
the queue, a running one stops within a step, on whichever slot runs it (the stop is a flag of the edit,
read by that slot's progress callback). A page that closes mid-edit only stops its own edits: the
worker carries on. Every load and every edit is a line of JSON in the log file (with its slot).
"""
import io
import json
import os
import threading
import time
import traceback
from collections import deque
from dataclasses import dataclass, field, fields
from multiprocessing.connection import Listener
from pathlib import Path

from ..defaults import SHARED_DEFAULTS
from ..errors import EditStopped, OutOfMemory, UserError

__all__ = ["Worker", "wants_shared", "result_message", "queue_full_message", "upload_too_big_message"]


def wants_shared(ip: str, shared: bool = False) -> bool:
    """Whether `app` shares one model: asked for, or served on an address other than loopback (a room)."""
    return bool(shared) or ip not in ("127.0.0.1", "localhost", "::1")


def queue_full_message(limit: int) -> str:
    return (f"The shared app's queue is full ({limit} edits are waiting); try again in a minute "
            "/ 排队的人太多了，请过一分钟再试.")


def upload_too_big_message(size: int, limit_mb: float) -> str:
    return (f"This photo is {size / 1e6:.1f} MB and the shared app takes photos up to {limit_mb:g} MB; "
            "use a smaller photo / 照片太大，请换一张小一点的.")


class _Stopped(Exception):
    """Raised from the edit's callbacks when its page asked to stop (or went away)."""


@dataclass
class _Job:
    peer: "_Peer"
    id: int
    request: dict
    stop: threading.Event = field(default_factory=threading.Event)
    step: int = 0
    total: int = 0
    queued_at: float = field(default_factory=time.monotonic)

    @property
    def units(self) -> float:
        """Work of this edit, in steps at 512 px (the time per unit is measured on the edits done)."""
        s = self.request.get("settings", {})
        return (s.get("steps") or 20) * ((s.get("max_size") or 512) / 512) ** 2


class _Peer:
    """One page's connection; sending never raises (a page that went away just stops getting messages)."""

    def __init__(self, conn, visitor="?"):
        self.conn, self.visitor, self.gone = conn, visitor, False
        self._lock = threading.Lock()

    def send(self, message) -> bool:
        with self._lock:
            if self.gone:
                return False
            try:
                self.conn.send(message)
                return True
            except (OSError, EOFError, ValueError):
                self.gone = True
                return False


def _png(image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return buf.getvalue()


def result_message(result) -> dict:
    """An EditResult as plain data (the pictures as PNG bytes), for the page to rebuild."""
    data = {f.name: getattr(result, f.name) for f in fields(result)}
    data["image"], data["original"] = _png(result.image), _png(result.original)
    data["warnings"] = [str(w) for w in result.warnings]
    return data


class Worker:
    """The queue and the one thread that runs edits; `serve()` wires it to a listening socket."""

    def __init__(self, editor=None, *, max_queue=SHARED_DEFAULTS["max_queue"],
                 max_upload_mb=SHARED_DEFAULTS["max_upload_mb"], log_path=None, fallback=None):
        self.editors, self.fallback = [], fallback     # one per slot (GPU); slot 0's answers the pages' hello
        self.max_queue, self.max_upload_mb = max_queue, max_upload_mb
        self.log_path = Path(log_path) if log_path else None
        self.ready = threading.Event()
        if editor is not None:
            self.set_editor(editor, fallback)
        self.queue = deque()
        self.running = {}                # slot -> the job it runs
        self.cond = threading.Condition()
        self.seconds_per_unit = None     # measured: seconds per step at 512 px, from the edits done
        self.done = 0
        self.closed = False
        self._machine = None

    # ------------------------------------------------------------------ log
    def log(self, event: str, **data) -> None:
        if self.log_path is None:
            return
        line = json.dumps({"t": round(time.time(), 3), "event": event, "pid": os.getpid(), **data}, default=str)
        with open(self.log_path, "a", encoding="utf-8") as f:
            f.write(line + "\n")

    def set_editor(self, editor, fallback=None) -> int:
        """Add a slot running `editor` (a copy of the model, on a GPU of its own); returns the slot's number."""
        self.editors.append(editor)
        if len(self.editors) == 1:
            self.fallback = fallback
        self.ready.set()
        return len(self.editors) - 1

    @property
    def editor(self):
        """Slot 0's editor: what the pages are told about the model."""
        return self.editors[0] if self.editors else None

    def info(self) -> dict:
        e = self.editor
        return {"op": "info", "model_name": e.model_name, "size_range": tuple(e.size_range),
                "default_max_size": e.default_max_size, "sampler": e.sampler, "fallback": self.fallback,
                "limits": {"max_queue": self.max_queue, "max_upload_mb": self.max_upload_mb}, "pid": os.getpid(),
                "workers": len(self.editors),
                "device": e.pipe.device.type, "runtime": e.runtime, "default_cache_interval": e.default_cache_interval,
                **self.machine()}

    def machine(self) -> dict:
        """What a page's estimate and size slider need to know about this worker's machine (measured once): its
        speed-test time on a CPU and its suggested max_size, so that no page measures (and imports torch) itself."""
        if self._machine is None:
            from ..doctor import machine_probe, suggest_max_size  # noqa: PLC0415

            cpu = self.editor.pipe.device.type == "cpu"
            self._machine = {"probe": machine_probe() if cpu else None, "suggested_max_size": suggest_max_size()}
        return self._machine

    def listen(self, port: int, key: bytes, host="127.0.0.1"):
        """Accept pages on host:port (each in a thread of its own) from now on; returns the listener."""
        listener = Listener((host, port), authkey=key)
        self.log("listening", port=port)

        def accept():
            while not self.closed:
                try:
                    conn = listener.accept()
                except Exception:  # noqa: BLE001  (a wrong key, a port scan: refused; a closed listener: done)
                    if self.closed:
                        return
                    continue
                threading.Thread(target=self.handle, args=(conn,), daemon=True).start()

        threading.Thread(target=accept, daemon=True).start()
        return listener

    # ------------------------------------------------------------------ one page's connection
    def handle(self, conn) -> None:
        """Serve one page until it disconnects; its queued edits are dropped and its running edit stopped."""
        peer = _Peer(conn)
        try:
            hello = conn.recv()
            peer.visitor = str(hello.get("visitor", "?"))[:40]
            self.ready.wait()
            peer.send(self.info())
            self.log("connected", visitor=peer.visitor)
            while not peer.gone:
                message = conn.recv()
                if message.get("op") == "edit":
                    self.submit(peer, message)
                elif message.get("op") == "stop":
                    self.stop(peer, message.get("id"))
        except (EOFError, OSError):
            pass
        finally:
            peer.gone = True
            self.drop(peer)
            self.log("disconnected", visitor=peer.visitor)
            try:
                conn.close()
            except OSError:
                pass

    def submit(self, peer, message) -> None:
        job = _Job(peer, message.get("id"), message)
        size = len(message.get("image") or b"")
        if size > self.max_upload_mb * 1e6:
            peer.send({"op": "error", "id": job.id, "kind": "UserError", "message": upload_too_big_message(size, self.max_upload_mb)})
            return
        with self.cond:
            if len(self.queue) >= self.max_queue:
                peer.send({"op": "error", "id": job.id, "kind": "UserError", "message": queue_full_message(self.max_queue)})
                self.log("refused", visitor=peer.visitor, id=job.id, why="queue full")
                return
            self.queue.append(job)
            self.log("queued", visitor=peer.visitor, id=job.id, position=len(self.queue))
            self._announce()
            self.cond.notify_all()

    def stop(self, peer, job_id) -> None:
        """Stop `peer`'s edit `job_id`: out of the queue if it waits, within a step if it runs."""
        with self.cond:
            for job in list(self.queue):
                if job.peer is peer and job.id == job_id:
                    self.queue.remove(job)
                    peer.send({"op": "error", "id": job_id, "kind": "EditStopped",
                               "message": "The edit was taken out of the queue before it started."})
                    self.log("unqueued", visitor=peer.visitor, id=job_id)
                    self._announce()
                    return
            for job in self.running.values():
                if job.peer is peer and job.id == job_id:
                    job.stop.set()

    def drop(self, peer) -> None:
        with self.cond:
            mine = [job for job in self.queue if job.peer is peer]
            for job in mine:
                self.queue.remove(job)
            for job in self.running.values():
                if job.peer is peer:
                    job.stop.set()
            if mine:
                self._announce()

    # ------------------------------------------------------------------ the queue
    def estimate(self, job) -> float | None:
        return None if self.seconds_per_unit is None else job.units * self.seconds_per_unit

    def _announce(self) -> None:
        """Tell every waiting page its place and the estimated wait (call with `cond` held): the work ahead of it
        (what the slots still have to do, then the edits queued before it) shared by the slots."""
        ahead = 0.0
        for job in self.running.values():
            left = self.estimate(job)
            done = job.step / job.total if job.total else 0.0
            ahead = None if ahead is None or left is None else ahead + left * (1 - done)
        slots = max(1, len(self.editors))
        for position, job in enumerate(self.queue, 1):
            job.peer.send({"op": "queued", "id": job.id, "position": position,
                           "wait": None if ahead is None else round(ahead / slots, 1)})
            own = self.estimate(job)
            ahead = None if ahead is None or own is None else ahead + own

    def next_job(self, timeout=None, slot=0):
        """The next edit in the queue for `slot` (None after `timeout` seconds without one)."""
        with self.cond:
            if not self.queue:
                self.cond.wait(timeout)
            if not self.queue:
                return None
            job = self.running[slot] = self.queue.popleft()
            self._announce()
            return job

    def run_forever(self, slot=0) -> None:
        """Run `slot`'s edits until the worker is closed (one thread per slot)."""
        while not self.closed:
            job = self.next_job(timeout=0.5, slot=slot)
            if job is not None:
                try:
                    self.run(job, slot)
                finally:
                    with self.cond:
                        self.running.pop(slot, None)

    def run(self, job, slot=0) -> None:
        """Run one edit on `slot`, sending its progress, previews and result (or its one-sentence error) to its page."""
        r, peer, editor = job.request, job.peer, self.editors[slot]
        start = time.monotonic()

        def progress(step, total):
            if job.stop.is_set() or peer.gone:
                raise _Stopped()
            job.step, job.total = step, total
            peer.send({"op": "progress", "id": job.id, "step": step, "total": total})

        def preview(step, total, image):
            if job.stop.is_set() or peer.gone:
                raise _Stopped()
            peer.send({"op": "preview", "id": job.id, "step": step, "total": total, "png": _png(image)})

        self.log("started", visitor=peer.visitor, id=job.id, slot=slot, waited=round(start - job.queued_at, 3))
        try:
            if job.stop.is_set() or peer.gone:
                raise EditStopped("The edit was stopped before it started.")
            if r.get("sampler") and r["sampler"] != editor.sampler:
                editor.use_scheduler(r["sampler"])
            result = editor.edit(r["image"], r.get("instruction"), english=r.get("english"), progress=progress,
                                      preview=preview, **r.get("settings", {}))
            seconds = time.monotonic() - start
            measured = seconds / job.units
            self.seconds_per_unit = measured if self.seconds_per_unit is None else 0.5 * (self.seconds_per_unit + measured)
            self.done += 1
            self.log("done", visitor=peer.visitor, id=job.id, slot=slot, seconds=round(seconds, 3))   # logged first: a test reads it
            peer.send({"op": "done", "id": job.id, "result": result_message(result)})
        except OutOfMemory as e:
            peer.send({"op": "error", "id": job.id, "kind": "OutOfMemory", "message": str(e), "max_size": e.suggested_max_size})
        except EditStopped as e:
            self.log("stopped", visitor=peer.visitor, id=job.id, slot=slot, gone=peer.gone)
            peer.send({"op": "error", "id": job.id, "kind": "EditStopped", "message": str(e)})
        except UserError as e:
            peer.send({"op": "error", "id": job.id, "kind": type(e).__name__, "message": str(e)})
        except Exception as e:  # noqa: BLE001  (one page's failure must not end the worker)
            peer.send({"op": "error", "id": job.id, "kind": "Exception", "message": f"{type(e).__name__}: {str(e)[:200]}"})
            self.log("failed", visitor=peer.visitor, id=job.id, error=traceback.format_exc()[-2000:])
