"""An 8-bit UNet for OpenVINO (NNCF post-training quantization), calibrated on the UNet's own inputs.

After `runtime.use_openvino(pipe)`, `use_int8(pipe, recipe)` swaps the whole-UNet graph for an
8-bit one, made once per model and recipe and kept beside the float IR (`unet_whole.<recipe>-
<calibration>.xml`, so a new recipe or calibration set never reads an old file). Recipes:
- "int8": static INT8 of every MatMul and convolution, weights and activations, made in two passes to
  bound memory: the weights first (`nncf.compress_weights`, symmetric 8 bits per output channel, saved and
  read back so the float graph is released), then the activations (`nncf.quantize` on that graph). Made in one
  pass from the float graph, NNCF's statistics collection held three float32 copies of the weights (13.7 GB
  peak at full size); in two it peaks at 5.7 GB, runs as fast, and agrees with the float graph as well
  (docs/BENCHMARK.md);
- "int8-hybrid": weights of every MatMul and convolution compressed to 8 bits, activations
  quantized only where both inputs are activations (attention's two MatMuls), as optimum-intel's
  hybrid mode does for diffusion UNets;
- "int8-weights": weights only, 8 bits, no calibration: a quarter of the float32 weights' memory,
  arithmetic still in float (for a machine short of memory, not of time).
In every recipe the input convolution (`conv_in`) stays float: its 8 channels carry the photo.
Calibration inputs are the (sample, timestep, text states) of whole-UNet calls recorded while the
pipeline edits (`record_calls`); `use_int8` records them itself from the sample photos when not given.
The outer-only graph (feature reuse) stays float: it is 5% of the work.

The quantization runs in a child process (`quantize_in_child`, `python -m ip2p_nb.models.quantize`) that reads
the saved float IR from disk and the recorded calls from an .npz: NNCF holds several copies of the UNet graph,
and in its own process none of the editor's memory adds to them (docs/BENCHMARK.md has the peaks). The child
writes under a temporary name and renames, so a quantization killed half-way leaves no file that is ever used.
"""
import hashlib
import json
import os
import re
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np

from ..errors import UserError

__all__ = ["RECIPES", "record_calls", "sample_edits", "quantize_ir", "quantize_in_child", "save_calls", "load_calls",
           "use_int8", "nncf_available"]

RECIPES = {
    "int8": "static INT8: weights and activations of every MatMul and convolution, SmoothQuant; conv_in float",
    "int8-hybrid": "weights in 8 bits; activations quantized only in attention's MatMuls; conv_in float",
    "int8-weights": "weights only in 8 bits (memory), arithmetic in float",
}
# Edits the calibration records when the caller gives no inputs: every sample photo with each instruction.
CALIBRATION_INSTRUCTIONS = ("make it snowy", "turn it into an oil painting", "make it night", "add flowers")
_ANSWER = "ip2p-answer: "   # the child's answer line (quantize_in_child)
_CONV_IN = [".*conv_in.*"]   # the IR's names for the input convolution (traced from unet.conv_in)


def nncf_available() -> bool:
    """Whether the optional `nncf` package can be imported (`pip install nncf`)."""
    try:
        import nncf  # noqa: F401, PLC0415
    except ImportError:
        return False
    return True


class record_calls:  # noqa: N801 (a context manager used like a function)
    """`with record_calls(pipe.unet) as calls:` keeps the numpy inputs of every whole-UNet call made inside,
    up to `limit`, one entry per call: (sample, timestep, text states), as the whole graph takes them.
    `unet`: the OpenVINO UNet (runtime.OpenVINOUNet: its whole-graph calls, not the outer-only ones of reuse)
    or a torch UNet (its forward's inputs, the same three: recording on torch needs no compiled graph)."""

    def __init__(self, unet, limit: int = 300):
        self.unet, self.limit, self.calls, self._hook = unet, limit, [], None

    def _keep(self, sample, timestep, states) -> None:
        if len(self.calls) < self.limit:
            t = timestep.float().reshape(-1)[0] if hasattr(timestep, "float") else timestep
            self.calls.append((sample.detach().float().numpy().copy(), np.asarray(float(t), dtype=np.float32),
                               states.detach().float().numpy().copy()))

    def __enter__(self):
        if not hasattr(self.unet, "run_parts"):   # torch: a forward pre-hook sees the pipeline's own arguments
            def hook(_module, args, kwargs):
                given = dict(zip(("sample", "timestep", "encoder_hidden_states"), args), **kwargs)
                self._keep(given["sample"], given["timestep"], given["encoder_hidden_states"])

            self._hook = self.unet.register_forward_pre_hook(hook, with_kwargs=True)
            return self.calls
        run = self.unet.run_parts

        def recording(sample, timestep, states, deep=None, added=None):
            if deep is None:
                self._keep(sample, timestep, states)
            return run(sample, timestep, states, deep, added)

        self.unet.run_parts = recording
        return self.calls

    def __exit__(self, *_exc):
        if self._hook is not None:
            self._hook.remove()
        else:
            del self.unet.run_parts   # back to the class's own method
        return False


def sample_edits(pipe, size: int, steps: int, limit: int) -> list:
    """Calibration inputs from the pipeline's own edits of the sample photos (resources.SAMPLES_DIR)."""
    import torch  # noqa: PLC0415
    from PIL import Image  # noqa: PLC0415

    from ..resources import SAMPLES_DIR  # noqa: PLC0415

    photos = sorted(SAMPLES_DIR.glob("*.jpg"))
    if not photos:
        raise UserError(f"No sample photos in {str(SAMPLES_DIR)!r} to calibrate the 8-bit model with; pass `calibration` inputs.")
    with record_calls(pipe.unet, limit) as calls:
        for i, path in enumerate(photos):
            image = Image.open(path).convert("RGB").resize((size, size))
            for j, text in enumerate(CALIBRATION_INSTRUCTIONS):
                if len(calls) >= limit:
                    return calls
                pipe(text, image=image, num_inference_steps=steps, generator=torch.Generator().manual_seed(100 * i + j))
    return calls


def _weighted_ops(model) -> list:
    """Names of the MatMuls and convolutions whose second input is a constant (a weight), not an activation."""
    names = []
    for op in model.get_ordered_ops():
        if op.get_type_name() in ("MatMul", "Convolution"):
            source = op.input_value(1).get_node()
            while source.get_type_name() == "Convert":   # float16 weights are stored as Constant -> Convert
                source = source.input_value(0).get_node()
            if source.get_type_name() == "Constant":
                names.append(op.get_friendly_name())
    return names


def _quantize(path: Path, recipe: str, calls: list, work: tuple):
    """The 8-bit graph of `recipe` made from the float IR at `path`; `work`: the hidden (.xml, .bin) paths of the
    two-pass recipe's intermediate graph (deleted as soon as it is read back)."""
    import gc  # noqa: PLC0415
    import logging  # noqa: PLC0415

    import nncf  # noqa: PLC0415
    import openvino as ov  # noqa: PLC0415

    logging.getLogger("nncf").setLevel(logging.WARNING)   # one INFO line per layer otherwise

    core = ov.Core()
    model = core.read_model(path)
    conv_in = nncf.IgnoredScope(patterns=_CONV_IN, validate=False)
    if recipe == "int8-weights":
        return nncf.compress_weights(model, mode=nncf.CompressWeightsMode.INT8_ASYM, ignored_scope=conv_in)
    data = nncf.Dataset(calls, lambda c: list(c))
    if recipe == "int8":
        # Pass 1: 8-bit symmetric weights (what the CPU's integer convolutions and MatMuls take as they are).
        model = nncf.compress_weights(model, mode=nncf.CompressWeightsMode.INT8_SYM, ignored_scope=conv_in)
        try:
            ov.save_model(model, work[0], compress_to_fp16=False)
            del model
            gc.collect()   # the float graph (and its mapped file) goes before the statistics are collected
            model = core.read_model(work[0])
        finally:
            for leftover in work:   # the graph read back keeps its own mapping (where the system lets a mapped file go)
                try:
                    leftover.unlink(missing_ok=True)
                except OSError:   # Windows keeps a mapped file: quantize_ir deletes it once the graph is saved
                    pass
        # Pass 2: activations. SmoothQuant and bias correction would change weights, which are 8 bits now.
        return nncf.quantize(model, data, subset_size=len(calls), model_type=nncf.ModelType.TRANSFORMER, ignored_scope=conv_in,
                             advanced_parameters=nncf.AdvancedQuantizationParameters(smooth_quant_alpha=-1,
                                                                                    disable_bias_correction=True))
    weighted = _weighted_ops(model)
    model = nncf.compress_weights(model, mode=nncf.CompressWeightsMode.INT8_ASYM, ignored_scope=conv_in)
    return nncf.quantize(model, data, subset_size=len(calls), model_type=nncf.ModelType.TRANSFORMER,
                         ignored_scope=nncf.IgnoredScope(names=weighted, patterns=_CONV_IN, validate=False),
                         advanced_parameters=nncf.AdvancedQuantizationParameters(smooth_quant_alpha=-1))


def _calibration_id(calls: list | None, label: str | None) -> str:
    if not calls:
        return "none"
    if label:
        return label
    h = hashlib.sha1()
    for sample, t, states in calls[:8]:
        h.update(sample.tobytes()[:4096] + t.tobytes() + states.tobytes()[:4096])
    return f"{len(calls)}-{h.hexdigest()[:10]}"


def quantized_path(folder, recipe: str, calls: list | None, label: str | None = None) -> Path:
    """Where the 8-bit IR of `recipe` for these calibration calls is (or will be) kept in `folder`."""
    return Path(folder) / f"unet_whole.{recipe}-{_calibration_id(calls if recipe != 'int8-weights' else None, label)}.xml"


def quantize_ir(folder, recipe: str, calls: list | None, label: str | None = None, notify=lambda _t: None) -> tuple:
    """The 8-bit whole-UNet IR for `recipe` in `folder` (made from `unet_whole.xml` when missing); (path, seconds).

    Written as hidden `.<name>-<pid>` files first, then renamed: the .bin, then the .xml, whose presence is what
    marks the graph as made, so a process killed at any point leaves nothing that a later run reads."""
    import openvino as ov  # noqa: PLC0415

    if recipe not in RECIPES:
        raise UserError(f"Unknown 8-bit recipe {recipe!r}; use one of {list(RECIPES)}.")
    if recipe != "int8-weights" and not calls:
        raise UserError(f"The {recipe!r} recipe needs calibration inputs (recorded UNet calls); none were given.")
    path = quantized_path(folder, recipe, calls, label)
    if path.is_file():
        return path, 0.0
    start = time.perf_counter()
    notify(f"Quantizing the UNet to 8 bits ({recipe}; once for this model, calibrated on {len(calls or [])} UNet calls)...")
    _sweep(folder)
    work, weights = _hidden(path, ""), _hidden(path, "-weights")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        quantized = _quantize(Path(folder) / "unet_whole.xml", recipe, calls, weights)
    try:
        ov.save_model(quantized, work[0], compress_to_fp16=False)
        del quantized
        os.replace(work[1], path.with_suffix(".bin"))   # the weights first: the .xml marks it finished
        os.replace(work[0], path)
    finally:
        for leftover in (*work, *weights):
            leftover.unlink(missing_ok=True)
    return path, time.perf_counter() - start


def _hidden(path: Path, tag: str) -> tuple:
    """The hidden (.xml, .bin) this process writes before renaming to `path`: `.<name>-<pid><tag>.xml|.bin`."""
    stem = path.parent / f".{path.name.removesuffix('.xml')}-{os.getpid()}{tag}"
    return stem.with_name(stem.name + ".xml"), stem.with_name(stem.name + ".bin")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:   # exists, but another user's
        return True
    return True


def _sweep(folder) -> None:
    """Delete the hidden half-made files (`.unet_whole.<name>-<pid>[-weights].xml|.bin`) of quantizations whose
    process is gone (killed): they are never read, but hold up to a model's size of disk."""
    for stale in Path(folder).glob(".unet_whole.*"):
        found = re.search(r"-(\d+)(-weights)?\.(xml|bin)$", stale.name)
        if found and int(found.group(1)) != os.getpid() and not _alive(int(found.group(1))):
            stale.unlink(missing_ok=True)


def save_calls(path, calls: list) -> Path:
    """Recorded UNet calls to an .npz (written under a temporary name, then renamed); returns the path."""
    path = Path(path)
    work = path.with_name(f".{path.stem}-{os.getpid()}.npz")
    arrays = {f"{kind}{i}": a for i, call in enumerate(calls) for kind, a in zip(("sample", "t", "states"), call)}
    np.savez(work, n=np.asarray(len(calls)), **arrays)
    os.replace(work, path)
    return path


def load_calls(path) -> list:
    """The recorded UNet calls `save_calls` wrote."""
    with np.load(path) as data:
        return [(data[f"sample{i}"], data[f"t{i}"], data[f"states{i}"]) for i in range(int(data["n"]))]


def quantize_in_child(folder, recipe: str, calls_path, label: str | None, nice: int = 0, notify=lambda _t: None,
                      started=lambda _process: None) -> dict:
    """`quantize_ir` in a child process that reads the float IR in `folder` and the calls in `calls_path` (an .npz);
    {"path", "seconds", "peak_mb": the child's peak resident memory}. `nice` lowers the child's priority (os.nice); `started(process)` gets the Popen (to stop it).
    Raises UserError with the child's last line when it fails."""
    folder = Path(folder)
    args = [sys.executable, "-m", "ip2p_nb.models.quantize", str(folder), recipe, str(calls_path or "-"), label or "-", str(nice)]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in (str(Path(__file__).resolve().parents[2]),
                                                                    os.environ.get("PYTHONPATH")) if p))
    notify(f"Quantizing the UNet to 8 bits ({recipe}; once for this model, in a separate process)...")
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    started(process)
    out, err = process.communicate()
    if process.returncode != 0:
        lines = [line for line in (err or "").strip().splitlines() if line.strip()]
        why = lines[-1] if lines else f"exit status {process.returncode}"
        raise UserError(f"Making the 8-bit UNet ({recipe}) failed ({why[:200]}); the UNet stays in float.")
    # the answer is the line the child marks: libraries may print progress bars and notes around it
    # (rich's progress bars, under a notebook's kernel, put a terminal code before it on the same line)
    answers = [line.split(_ANSWER, 1)[1] for line in (out or "").splitlines() if _ANSWER in line]
    if not answers:
        last = ([line for line in (out or "").splitlines() if line.strip()] or ["no output"])[-1]
        raise UserError(f"Making the 8-bit UNet ({recipe}) failed (the child gave no answer; it last said {last[:160]!r}); "
                        "the UNet stays in float.")
    answer = json.loads(answers[-1])
    return dict(answer, path=Path(answer["path"]))


def use_int8(pipe, recipe: str = "int8-hybrid", calibration: list | None = None, label: str | None = None,
             size: int | None = None, steps: int = 4, limit: int = 32, notify=lambda _t: None) -> dict:
    """Run `pipe`'s UNet (already on OpenVINO: runtime.use_openvino) as 8 bits by `recipe`; returns what it did.

    `calibration`: recorded UNet calls (`record_calls`); None records up to `limit` from `steps`-step edits of the
    sample photos at `size` px (default: the model's own size, at most 256), only when the quantized IR is not
    cached yet. The defaults are sized for a CPU: 32 calls of a full-size model at 256 px take about 2 CPU minutes
    (300 at 512 px would take over an hour); the bench's speed figures used 16 calls at 128 px, the demo model's
    quality figures 300 calls (docs/BENCHMARK.md).
    """
    if not nncf_available():
        raise UserError("8-bit models need the nncf package: run `pip install nncf`, or leave the UNet in float.")
    unet = pipe.unet
    folder = getattr(unet, "folder", None)
    if folder is None:
        raise UserError("use_int8 needs the UNet on OpenVINO first: call runtime.use_openvino(pipe).")
    if recipe != "int8-weights" and calibration is None:
        cached = sorted(folder.glob(f"unet_whole.{recipe}-samples-*.xml"))
        if cached:
            unet.use_whole_graph(cached[0], recipe)
            return dict(recipe=recipe, path=str(cached[0]), seconds=0.0, calls=0)
        size = size or min(256, unet.config.sample_size * pipe.vae_scale_factor)
        calibration = sample_edits(pipe, size, steps, limit)
        label = f"samples-{len(calibration)}-{size}px"
    path = quantized_path(folder, recipe, calibration, label)
    seconds = 0.0
    if not path.is_file():
        calls_path = None
        if calibration:
            calls_path = save_calls(folder / f"calibration-{path.stem.split('.', 1)[1]}.npz", calibration)
        made = quantize_in_child(folder, recipe, calls_path, label, notify=notify)
        path, seconds = made["path"], made["seconds"]
    unet.use_whole_graph(path, recipe)
    return dict(recipe=recipe, path=str(path), seconds=round(seconds, 1), calls=len(calibration or []))


def _main(argv: list) -> None:
    """The child of `quantize_in_child`: FOLDER RECIPE CALLS.npz|- LABEL|- NICE; prints `_ANSWER` {"path", "seconds", "peak_mb"}."""
    folder, recipe, calls_path, label, nice = argv
    if int(nice):
        os.nice(int(nice))
    calls = None if calls_path == "-" else load_calls(calls_path)
    print("quantizing", flush=True)   # a line the parent (or a test) can follow
    path, seconds = quantize_ir(Path(folder), recipe, calls, None if label == "-" else label)
    import resource  # noqa: PLC0415

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024   # KiB on Linux
    print(_ANSWER + json.dumps(dict(path=str(path), seconds=round(seconds, 1), peak_mb=round(peak_mb))), flush=True)


if __name__ == "__main__":
    try:
        _main(sys.argv[1:])
    except UserError as e:
        print(e, file=sys.stderr)
        sys.exit(1)
