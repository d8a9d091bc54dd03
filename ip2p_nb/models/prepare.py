"""The faster engine, prepared beside the editor: the first edit on a fresh cache never waits for a conversion.

`Preparer(pipe, model, dtype, recipe, notify)` runs, one after the other and each in its own child process
at low priority (os.nice), what a CPU needs before OpenVINO can take over from torch:
1. converting the model for OpenVINO (runtime.convert_to, into the folder the editor's own weights name);
2. recording calibration calls for the 8-bit UNet (quantize.sample_edits, saved as an .npz);
3. making the 8-bit UNet from the saved IR and the .npz (quantize.quantize_in_child).
The editor keeps editing on torch meanwhile. When a stage's result is on disk, the swap waits for the start
of the next run (`apply`, called by `Editor.busy` while it holds the editor's lock): never mid-edit. A
failure leaves the engine as it was and says so in one sentence (`status`). Across processes one file lock
per model (the cache's `.<key>.lock`) keeps a second preparation from starting beside the first.
The child (`python -m ip2p_nb.models.prepare convert ...`) starts a session of its own, so a command line
that exits after its edit leaves the conversion to finish for the next run.
"""
import fcntl
import json
import os
import re
import subprocess
import sys
import threading
from pathlib import Path

from ..errors import UserError

__all__ = ["Preparer", "STAGES", "prepared"]

STAGES = ("converting the model for OpenVINO", "recording calibration edits", "making the 8-bit UNet")
# Calibration of the background 8-bit UNet: 16 whole-UNet calls of 4-step edits at 128 px (the bench's speed set;
# more or larger calls make the child slower: 16 at 128 px took about 4 CPU minutes at full size, docs/BENCHMARK.md).
CALIBRATION = dict(size=128, steps=4, limit=16)
NICE = 10   # the children's priority: below the editor's, so an edit in the app keeps its speed


def _env() -> dict:
    root = str(Path(__file__).resolve().parents[2])
    return dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH")) if p))


def prepared(folder, recipe: str) -> bool:
    """Whether the IR in `folder` and, unless `recipe` is "float", an 8-bit UNet of `recipe` are on disk."""
    from .runtime import ir_ready  # noqa: PLC0415

    return ir_ready(folder) and (recipe == "float" or _made(folder, recipe) is not None)


def _made(folder, recipe: str):
    """The 8-bit UNet of `recipe` already in `folder` (calibrated on sample edits, or weights only), or None."""
    pattern = "unet_whole.int8-weights-none.xml" if recipe == "int8-weights" else f"unet_whole.{recipe}-samples-*.xml"
    found = sorted(Path(folder).glob(pattern))
    return found[0] if found else None


class Preparer:
    """Prepares OpenVINO (and the 8-bit UNet of `recipe`, unless "float") for `pipe` in the background; see the module."""

    def __init__(self, pipe, model: str, dtype, recipe: str = "float", notify=lambda _text: None, nice: int = NICE):
        from .runtime import ir_folder  # noqa: PLC0415

        self.pipe, self.model, self.dtype, self.recipe, self.notify, self.nice = pipe, model, dtype, recipe, notify, nice
        self.folder = ir_folder(pipe)   # named by the editor's own weights: the child converts into it
        self.total = 1 if recipe == "float" else 3
        self.stage, self.state, self.why = 0, "preparing", ""
        self._pending, self._process, self._stopped = [], None, False
        self.listeners = []   # called with no argument whenever the status changes (the app's estimate line follows it)
        self._thread = threading.Thread(target=self._run, name="ip2p-prepare", daemon=True)

    # ------------------------------------------------------------------ what the editor and the app use
    def start(self) -> "Preparer":
        self._thread.start()
        return self

    @property
    def status(self) -> str:
        """One line for the app: being prepared (stage/total), ready, in use, or failed (with why)."""
        what = "OpenVINO" + ("" if self.recipe == "float" else f", {self.recipe} UNet")
        if self.state == "preparing":
            name = STAGES[self.stage - 1] if self.stage else "starting"
            return f"faster engine: being prepared ({max(self.stage, 1)}/{self.total}: {name}); edits run on torch meanwhile"
        if self.state == "ready":
            return f"faster engine: ready ({what}), used from the next edit"
        if self.state == "in use":
            return f"faster engine: in use ({what})"
        if self.state == "stopped":
            return "faster engine: preparation stopped; edits run on " + self.runtime()
        return f"faster engine: failed ({self.why}); edits go on with {self.runtime()}"

    def runtime(self) -> str:
        return getattr(self.pipe.unet, "runtime", "torch")

    def apply(self) -> bool:
        """Swap in what is ready (call only while holding the editor's lock, at the start of a run); whether it did."""
        if not self._pending:
            return False
        from .runtime import use_openvino  # noqa: PLC0415

        while self._pending:
            kind, value = self._pending.pop(0)
            try:
                if kind == "openvino":
                    use_openvino(self.pipe, folder=self.folder)
                else:
                    self.pipe.unet.use_whole_graph(value, kind)
            except UserError as e:
                self._fail(str(e).rstrip("."))
                return False
        if self.state == "ready":
            self._set(state="in use")
        return True

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the preparation to end; whether it has."""
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def stop(self) -> None:
        """Stop the preparation: the running child is killed (what it half-made is never used)."""
        self._stopped = True
        process = self._process
        if process is not None and process.poll() is None:
            process.kill()
        self._thread.join(30)
        if self.state == "preparing":
            self._set(state="stopped")

    # ------------------------------------------------------------------ the background thread
    def _set(self, stage: int | None = None, state: str | None = None) -> None:
        """Move to `stage` or `state` and tell the listeners (a listener's failure never stops the preparation)."""
        if stage is not None:
            self.stage = stage
        if state is not None:
            self.state = state
        for listener in list(self.listeners):
            try:
                listener()
            except Exception:  # noqa: BLE001, S110 (a closed widget must not stop the engine)
                pass

    def _fail(self, why: str) -> None:
        self.why = why
        self._set(state="failed")
        self.notify(self.status)

    def _run(self) -> None:
        try:
            self.folder.parent.mkdir(parents=True, exist_ok=True)
            with open(self.folder.parent / f".{self.folder.name}.lock", "w") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)   # another process preparing this model: wait for it, then reuse its files
                self._stages()
        except UserError as e:
            if not self._stopped:
                self._fail(str(e).rstrip("."))
        except Exception as e:  # noqa: BLE001 (a background failure must leave torch running, said in one sentence)
            if not self._stopped:
                self._fail(f"{type(e).__name__}: {str(e).splitlines()[0][:160] if str(e) else 'no message'}")

    def _stages(self) -> None:
        from .quantize import quantize_in_child, quantized_path  # noqa: PLC0415
        from .runtime import ir_ready  # noqa: PLC0415

        calls = self.folder / f"calibration-{CALIBRATION['limit']}-{CALIBRATION['size']}px.npz"
        need_calls = self.recipe not in ("float", "int8-weights")
        cached = _made(self.folder, self.recipe) if self.recipe != "float" else None
        # 1-2. Convert (and record the calibration calls) in a child that loads the model itself
        if not ir_ready(self.folder) or (need_calls and not cached and not calls.is_file()):
            self._set(stage=1)
            self._child(["convert", self.model, str(self.dtype).removeprefix("torch."), str(self.folder),
                         str(calls) if need_calls and not cached else "-"])
        self._want_openvino()
        if self._stopped:
            return
        if self.recipe == "float":
            self._set(state="ready")
            self.notify(self.status)
            return
        # 3. The 8-bit UNet, from the IR on disk and the calls in the .npz
        self._set(stage=3)
        if cached:
            path = cached
        else:
            label = f"samples-{CALIBRATION['limit']}-{CALIBRATION['size']}px" if need_calls else None
            path = quantized_path(self.folder, self.recipe, [None] if need_calls else None, label)
            if not path.is_file():
                path = quantize_in_child(self.folder, self.recipe, calls if need_calls else None, label, nice=self.nice,
                                         started=self._started)["path"]
        if self._stopped:
            return
        self._pending.append((self.recipe, Path(path)))
        self._set(state="ready")
        self.notify(self.status)

    def _want_openvino(self) -> None:
        if self.runtime() != "openvino" and ("openvino", None) not in self._pending:
            self._pending.append(("openvino", None))

    def _started(self, process) -> None:
        self._process = process
        if self._stopped:
            process.kill()

    def _child(self, args: list) -> None:
        """Run `python -m ip2p_nb.models.prepare ARGS` at low priority, following its stage lines."""
        command = [sys.executable, "-m", "ip2p_nb.models.prepare", str(self.nice), *args]
        self._process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env(),
                                         start_new_session=True)
        if self._stopped:
            self._process.kill()
        for line in self._process.stdout:
            found = re.search(r"ip2p-stage: (\d)", line)   # a library's terminal codes may come before it on the line
            if found:
                self._set(stage=int(found.group(1)))
                if self.stage == 2:
                    self._want_openvino()   # the IR is on disk: OpenVINO from the next edit
        err = self._process.stderr.read()
        if self._process.wait() != 0:
            if self._stopped:
                raise UserError("stopped")
            lines = [line for line in err.strip().splitlines() if line.strip()]
            raise UserError(f"{STAGES[self.stage - 1]} failed: {(lines[-1] if lines else 'no message')[:200]}")


def _convert_main(nice: int, model: str, dtype: str, folder: str, calls: str) -> None:
    """The child: load `model`, convert it into `folder`, and record calibration calls into `calls` (or "-")."""
    import torch  # noqa: PLC0415

    from .loading import load_pipeline  # noqa: PLC0415
    from .quantize import sample_edits, save_calls  # noqa: PLC0415
    from .runtime import convert_to  # noqa: PLC0415

    os.nice(nice)
    pipe = load_pipeline(model, torch.device("cpu"), getattr(torch, dtype), notify=lambda _t: None)
    convert_to(pipe, folder)
    print("ip2p-stage: 2", flush=True)
    # The calibration edits run on torch: compiling the saved graph beside the torch weights held 6.5 GB at full size
    # (4.7 GB on torch alone); the calls are the same inputs either way (quantize.record_calls).
    if calls != "-":
        recorded = sample_edits(pipe, CALIBRATION["size"], CALIBRATION["steps"], CALIBRATION["limit"])
        save_calls(calls, recorded)
    print("ip2p-stage: 3", flush=True)
    print(json.dumps(dict(folder=folder)))


if __name__ == "__main__":
    import warnings

    warnings.simplefilter("ignore")
    try:
        _convert_main(int(sys.argv[1]), *sys.argv[3:]) if sys.argv[2] == "convert" else sys.exit(f"unknown {sys.argv[2]}")
    except UserError as e:
        print(e, file=sys.stderr)
        sys.exit(1)
