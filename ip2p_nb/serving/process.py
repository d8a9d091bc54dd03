"""The room's worker process: started by `app --shared`, it loads one copy of the model per GPU (a slot each,
ip2p_nb/serving/worker.py runs them from one queue) and serves the pages until the app stops.

- `worker_devices(workers)`: the devices of the slots: every visible GPU once by default (`--workers N`
  to choose, GPUs taken in turn when N is larger), one slot on a CPU (N copies on the CPU when asked:
  for tests, and for CPUs with cores to spare; Apple's MPS: one).
- `serve(model, port, key, workers)`: listen, load each copy (the memory guard first; `demo` and the
  reason when the model cannot be loaded), start a thread per slot as soon as its copy is loaded.
- `start_worker` / `stop_worker`: the process, from `app`'s side.
"""
import os
import secrets
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from ..errors import UserError
from .worker import Worker

__all__ = ["worker_devices", "serve", "start_worker", "stop_worker"]


def worker_devices(workers: int | None = None, model: str | None = None) -> list[str]:
    """The slots' devices: `workers` of them (None: one per visible GPU, else one on the device the editor picks)."""
    import torch  # noqa: PLC0415

    from ..models.loading import pick_device_dtype  # noqa: PLC0415

    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
        raise UserError(f"`--workers` must be a whole number of 1 or more, but got {workers!r}.")
    device, _ = pick_device_dtype(model=model)
    if device.type != "cuda":
        return [str(device)] * (workers or 1)
    gpus = torch.cuda.device_count()
    return [f"cuda:{i % gpus}" for i in range(workers or gpus)]


def _load(model, worker, device) -> None:
    """Load one copy of `model` on `device` (the memory guard first), or `demo` with the reason, as a new slot."""
    from ..editing.load import load_editor  # noqa: PLC0415
    from ..models.memory import check_memory  # noqa: PLC0415

    start = time.monotonic()
    fallback = None
    try:
        others = check_memory(model, device)
        if others:
            worker.log("other-copies", copies=others)
        editor = load_editor(model, device=device)
    except UserError as e:
        if model == "demo":
            raise
        fallback, editor = str(e), load_editor("demo", device=device)
    slot = worker.set_editor(editor, fallback)
    worker.log("loaded", model=editor.model_name, asked=model, fallback=fallback, slot=slot, device=device,
               seconds=round(time.monotonic() - start, 3))
    threading.Thread(target=worker.run_forever, args=(slot,), daemon=True).start()


def _exit_with_parent(parent: int) -> None:
    """End the worker when the app that started it is gone (killed without a chance to stop it)."""
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(0)


def serve(model: str, port: int, key: bytes, log_path=None, host="127.0.0.1", workers: int | None = None, **limits) -> None:
    """Listen on host:port, load `model` once per slot, then run edits until the process is stopped."""
    from ..models.memory import register_loaded  # noqa: PLC0415

    worker = Worker(log_path=log_path, **limits)
    worker.listen(port, key, host)
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()
    devices = worker_devices(workers, model)
    for device in devices:                  # pages are served as soon as the first copy is in
        _load(model, worker, device)
    register_loaded(worker.editor.model_name, ", ".join(devices), role="shared worker")
    while not worker.closed:
        time.sleep(1.0)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_worker(model: str, log_path, env=None, workers: int | None = None):
    """Start the worker process (`python -m ip2p_nb worker`); returns (process, the variables the kernels need)."""
    port, key = _free_port(), secrets.token_hex(16)
    shared = {"IP2P_SHARED": f"127.0.0.1:{port}", "IP2P_SHARED_KEY": key}
    Path(log_path).parent.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "ip2p_nb", "worker", "--model", model, "--port", str(port), "--log", str(log_path)]
    cmd += ["--workers", str(workers)] if workers else []
    proc = subprocess.Popen(cmd, env={**(env or os.environ), **shared}, stdin=subprocess.DEVNULL, start_new_session=True)
    return proc, shared


def stop_worker(proc, timeout=10.0) -> None:
    """Stop the worker process started by `start_worker` (by its id)."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout)
