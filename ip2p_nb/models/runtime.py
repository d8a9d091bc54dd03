"""The runtime of the UNet and the VAE: torch, or OpenVINO on CPUs (about 0.7x of torch's time there).

`use_openvino(pipe)` converts the pipeline's UNet (whole, and its outer blocks alone for feature
reuse, reuse.py) and the VAE's encoder and decoder to OpenVINO IR once, keeps them on disk per
model, dtype and library version (compressed to float16, so memory stays near torch's), and puts
stand-ins in their place: the editor calls `pipe.unet(...)` and `pipe.vae.encode/decode` as
before. The text encoder stays in torch: it runs once per prompt (cached) and takes 0.2 s.
The noise is drawn by torch as before, so a seed gives the same picture up to the runtime's
arithmetic (docs/BENCHMARK.md has the measured agreement).
"""
import ctypes
import gc
import hashlib
import json
import os
import shutil
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import torch

from ..defaults import TOY_MODELS
from ..errors import UserError
from ..editing.reuse import UNetParts, can_reuse
from .speed import cpu_threads

__all__ = ["RUNTIMES", "openvino_available", "pick_runtime", "heavy", "supports_openvino", "use_openvino", "cache_root",
           "ir_folder", "ir_ready", "convert_to"]

RUNTIMES = ("torch", "openvino")
_FORMAT = 3  # bump when the converted graphs change (3: upsample sizes follow the input, any latent side works)


def openvino_available() -> bool:
    """Whether the optional `openvino` package can be imported (`pip install "ip2p_nb[openvino]"`)."""
    try:
        import openvino  # noqa: F401, PLC0415
    except ImportError:
        return False
    return True


def pick_runtime(runtime, device: torch.device, model: str | None = None) -> str:
    """"torch" or "openvino" for `runtime` (None: OpenVINO on a CPU when installed, for real models).

    The toy models stay on torch when not asked: they take a second either way and tests compare
    their pixels with diffusers exactly. GPUs always use torch (OpenVINO's CPU plugin is what is fast here).
    """
    if runtime not in (None, *RUNTIMES):
        raise UserError(f"Unknown runtime {runtime!r}; use one of {list(RUNTIMES)} (or leave it out to pick the fastest).")
    if runtime == "torch":
        return "torch"
    if runtime == "openvino":
        if device.type != "cpu":
            raise UserError(f"OpenVINO runs the model on the CPU here, but the device is {device.type}; use runtime 'torch' on a GPU.")
        if not openvino_available():
            raise UserError("The OpenVINO runtime needs the openvino package: run `pip install openvino`, or use runtime 'torch'.")
        return "openvino"
    if device.type == "cpu" and model not in TOY_MODELS and openvino_available():
        return "openvino"
    return "torch"


def heavy(pipe) -> bool:
    """Whether `pipe` is a full-size model, worth speeding up on a CPU: a UNet of 100 M parameters or more
    (SD 1.5 has 860 M, SDXL 2.6 G; the toy models, served from anywhere, under 5 M take a second anyway)."""
    unet = pipe.unet
    if isinstance(unet, OpenVINOUNet):
        return True
    return sum(p.numel() for p in unet.parameters()) >= 100_000_000


def supports_openvino(pipe) -> bool:
    """Whether `use_openvino` can convert `pipe`: SD 1.x/2.x InstructPix2Pix UNets (not SDXL's extra inputs, yet)."""
    unet = pipe.unet
    return isinstance(unet, OpenVINOUNet) or (can_reuse(unet) and getattr(unet.config, "addition_embed_type", None) is None)


def cache_root() -> Path:
    """Where converted models are kept: `$IP2P_CACHE_DIR`, else ~/.cache/ip2p_nb."""
    return Path(os.environ.get("IP2P_CACHE_DIR") or Path.home() / ".cache" / "ip2p_nb")


# ---------------------------------------------------------------------------------------------- conversion
class _Whole(torch.nn.Module):
    """The whole UNet, returning (noise, deep features) so one graph serves reuse and plain steps."""

    def __init__(self, parts):
        super().__init__()
        self.parts = parts

    def forward(self, sample, timestep, states):
        return self.parts(sample, timestep, states)


class _Outer(torch.nn.Module):
    """The UNet's outer blocks with kept deep features (reuse.py)."""

    def __init__(self, parts):
        super().__init__()
        self.parts = parts

    def forward(self, sample, timestep, states, deep):
        return self.parts(sample, timestep, states, deep=deep)


def _fingerprint(module) -> str:
    """A cheap identity of a module's weights: names, shapes and a sample of every tensor's values."""
    h = hashlib.sha1()
    for name, p in module.state_dict().items():
        flat = p.detach().reshape(-1)
        sample = torch.cat([flat[:64], flat[-64:]]).float().numpy().tobytes()
        h.update(f"{name}{tuple(p.shape)}{p.dtype}".encode())
        h.update(sample)
    return h.hexdigest()


def _config_text(config) -> str:
    """A model config as stable text: its own keys only (diffusers' `_use_default_values` is a set, in a different
    order in every process, and `_name_or_path` says where it was read from, not what it is)."""
    return json.dumps({k: v for k, v in dict(config).items() if not k.startswith("_")}, sort_keys=True, default=str)


def _key(pipe) -> str:
    import diffusers  # noqa: PLC0415
    import openvino  # noqa: PLC0415

    parts = dict(format=_FORMAT, openvino=openvino.__version__, diffusers=diffusers.__version__, torch=torch.__version__,
                 unet=_config_text(pipe.unet.config), vae=_config_text(pipe.vae.config),
                 weights=_fingerprint(pipe.unet) + _fingerprint(pipe.vae))
    return hashlib.sha1(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:20]


def _examples(pipe):
    """Small example inputs for tracing; every dimension but the channels is dynamic in the IR."""
    unet = pipe.unet
    latent = 2 ** len(unet.up_blocks)  # divisible by every downsampling
    parts = UNetParts(unet)
    sample = torch.randn(2, unet.config.in_channels, latent, latent)
    t = torch.tensor(500.0)
    states = torch.randn(2, 77, unet.config.cross_attention_dim)
    with torch.no_grad():
        _, deep = parts(sample, t, states)
    z = torch.randn(1, pipe.vae.config.latent_channels, latent, latent)
    pixels = torch.randn(1, 3, latent * pipe.vae_scale_factor, latent * pipe.vae_scale_factor)
    return parts, sample, t, states, deep, z, pixels


def _convert(pipe, folder: Path, notify) -> float:
    """Convert UNet (whole and outer), VAE encoder and decoder to IR files in `folder`; seconds taken."""
    import openvino as ov  # noqa: PLC0415

    start = time.perf_counter()
    was = pipe.unet.dtype, pipe.vae.dtype
    pipe.unet.float()
    pipe.vae.float()
    try:
        parts, sample, t, states, deep, z, pixels = _examples(pipe)
        dyn4 = lambda c: ([-1, c, -1, -1], ov.Type.f32)  # noqa: E731
        jobs = [
            ("unet_whole", _Whole(parts), (sample, t, states),
             [dyn4(sample.shape[1]), ([], ov.Type.f32), ([-1, -1, states.shape[-1]], ov.Type.f32)]),
            ("unet_outer", _Outer(parts), (sample, t, states, deep),
             [dyn4(sample.shape[1]), ([], ov.Type.f32), ([-1, -1, states.shape[-1]], ov.Type.f32), dyn4(deep.shape[1])]),
            ("vae_encoder", pipe.vae.encoder, (pixels,), [dyn4(3)]),
            ("vae_decoder", pipe.vae.decoder, (z,), [dyn4(z.shape[1])]),
        ]
        for i, (name, module, example, shapes) in enumerate(jobs, 1):
            notify(f"Converting the model for OpenVINO, once for this model (about 2 min for SD 1.5 on 2 cores; "
                   f"{i}/{len(jobs)}: {name.replace('_', ' ')})...")
            with torch.no_grad(), warnings.catch_warnings():
                warnings.simplefilter("ignore")  # the tracer's notes on shape checks it freezes: every shape is tested
                graph = ov.convert_model(module, example_input=example, input=shapes)
            ov.save_model(graph, folder / f"{name}.xml", compress_to_fp16=True)
            del graph
    finally:
        pipe.unet.to(was[0])
        pipe.vae.to(was[1])
    return time.perf_counter() - start


# ---------------------------------------------------------------------------------------------- stand-ins
def _give_back_memory() -> None:
    """Return freed memory to the system (glibc keeps freed torch weights in its heap otherwise): the torch UNet
    replaced by OpenVINO's would still count in the process's memory."""
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc (macOS, Windows, musl): nothing to do
        pass


class _Compiled:
    """An OpenVINO model called with torch tensors; returns torch tensors in `dtype`.

    The IR has dynamic shapes; it is compiled for the exact input shapes of a call (2-9 s for the
    full-size UNet, once per size and guidance batch) because a static graph runs about 10% faster
    than a dynamic one on this CPU and its first call does not pay a dynamic compile (docs/BENCHMARK.md).
    The last compiled shape is kept; a new size compiles again.
    """

    def __init__(self, core, path: Path, config: dict):
        self.core, self.config, self.path = core, config, path
        self.shapes, self.request, self.outputs = None, None, 0

    def _request(self, arrays):
        shapes = tuple(a.shape for a in arrays)
        if shapes != self.shapes:
            self.request = None  # free the previous compiled graph first
            # read again for each shape rather than kept: the float16 file would stay in memory beside the compiled graph
            model = self.core.read_model(self.path)
            model.reshape({port: list(shape) for port, shape in zip(model.inputs, shapes)})
            compiled = self.core.compile_model(model, "CPU", self.config)
            self.request, self.outputs = compiled.create_infer_request(), len(compiled.outputs)
            del model, compiled
            self.shapes = shapes
            _give_back_memory()
        return self.request

    def __call__(self, *inputs, dtype=torch.float32):
        arrays = [np.asarray(x.detach().float().cpu().numpy() if torch.is_tensor(x) else x, dtype=np.float32) for x in inputs]
        request = self._request(arrays)
        request.infer(arrays)
        return [torch.from_numpy(np.array(request.get_output_tensor(i).data)).to(dtype) for i in range(self.outputs)]


class OpenVINOUNet(torch.nn.Module):
    """Stands in for the UNet: `unet(sample, t, encoder_hidden_states=...)` and `run_parts` for reuse."""

    runtime = "openvino"

    def __init__(self, whole: _Compiled, outer: _Compiled, config, dtype):
        super().__init__()
        self.whole, self.outer, self.config, self._dtype = whole, outer, config, dtype
        self.folder = whole.path.parent   # the IR folder (quantize.py keeps its 8-bit graphs there too)
        self.graph = "float"              # which whole-UNet graph runs: "float" or an 8-bit recipe (quantize.RECIPES)

    def use_whole_graph(self, path: Path, graph: str) -> None:
        """Run the whole UNet from the IR at `path` (named `graph`: an 8-bit recipe) from the next call."""
        self.whole.path, self.whole.shapes, self.whole.request = Path(path), None, None
        self.graph = graph
        _give_back_memory()

    @property
    def dtype(self):
        return self._dtype

    @property
    def device(self):
        return torch.device("cpu")

    def run_parts(self, sample, timestep, states, deep=None, added=None):
        t = np.asarray(float(timestep), dtype=np.float32)
        if deep is None:
            noise, deep = self.whole(sample, t, states, dtype=sample.dtype)
            return noise, deep
        return self.outer(sample, t, states, deep, dtype=sample.dtype)[0]

    def forward(self, sample, timestep, encoder_hidden_states=None, return_dict=False, **_ignored):
        return (self.run_parts(sample, timestep, encoder_hidden_states)[0],)


class _OpenVINOBlock(torch.nn.Module):
    """Stands in for the VAE's encoder or decoder (whole or tiled, the VAE's own code calls it)."""

    def __init__(self, compiled: _Compiled):
        super().__init__()
        self.compiled = compiled

    def forward(self, sample, *_args, **_kwargs):
        return self.compiled(sample, dtype=sample.dtype)[0]


def _precision(pipe) -> str:
    """OpenVINO's arithmetic follows the dtype torch would use: bfloat16 where the CPU computes it natively."""
    return "bf16" if pipe.unet.dtype == torch.bfloat16 else "f32"


def ir_folder(pipe) -> Path:
    """The folder of `pipe`'s converted IR in the cache (per model, weights and library versions); it holds a
    `done` file once all four graphs are in it (`ir_ready`)."""
    return cache_root() / "openvino" / _key(pipe)


def ir_ready(folder) -> bool:
    """Whether `folder` (ir_folder) holds a finished conversion."""
    return (Path(folder) / "done").is_file()


def convert_to(pipe, folder, notify=lambda _text: None) -> tuple:
    """Convert `pipe` into `folder` unless it is ready: (converted, seconds). Written in a temporary folder beside it and
    renamed, so the four graphs appear at once or not at all (a killed conversion leaves nothing that is used)."""
    folder = Path(folder)
    if ir_ready(folder):
        return False, 0.0
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=".converting-", dir=folder.parent))
    except OSError as e:
        raise UserError(f"Could not write the converted model to {str(folder.parent)!r} ({e.strerror or e}); "
                        "set IP2P_CACHE_DIR to a writable folder, or use runtime 'torch'.") from None
    try:
        seconds = _convert(pipe, work, notify)
        (work / "done").write_text(f"{seconds:.1f}\n")
        if ir_ready(folder):                           # another process (accelerate launch) finished first
            shutil.rmtree(work, ignore_errors=True)
            return False, 0.0
        shutil.rmtree(folder, ignore_errors=True)      # a half-written folder of an older run
        os.replace(work, folder)                       # all four files appear at once, or none
    except OSError as e:
        shutil.rmtree(work, ignore_errors=True)
        if ir_ready(folder):  # lost a race to another process: use its folder
            return False, 0.0
        raise UserError(f"Could not save the converted model in {str(folder.parent)!r} ({e.strerror or e}); "
                        "free some disk space or set IP2P_CACHE_DIR to a writable folder.") from None
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    notify(f"Converted for OpenVINO in {seconds:.0f} s; kept in {str(folder)!r} for the next runs.")
    return True, seconds


def use_openvino(pipe, notify=lambda _text: None, precision: str | None = None, folder=None) -> dict:
    """Run `pipe`'s UNet and VAE with OpenVINO from now on (converting them once); returns what it did.

    Returns {"converted": bool, "seconds": conversion seconds or 0, "folder": the IR folder, "precision"}.
    `notify(text)` gets one line per conversion stage (only the first time for a model). `precision`: OpenVINO's
    arithmetic, "bf16" or "f32" (None: the pipeline's dtype decides; the bench forces "f32" to stand for a CPU
    without bfloat16). `folder`: where the IR is (None: `ir_folder(pipe)`).
    """
    try:
        import openvino as ov  # noqa: PLC0415
    except ImportError:
        raise UserError("The OpenVINO runtime needs the openvino package: run `pip install openvino`, or use runtime 'torch'.") from None
    unet = pipe.unet
    if isinstance(unet, OpenVINOUNet):
        return dict(converted=False, seconds=0.0, folder=None, precision=None)
    if not supports_openvino(pipe):
        raise UserError(f"OpenVINO is not supported for this model's UNet ({type(unet).__name__}, "
                        f"{unet.config.addition_embed_type or 'plain'}); use runtime 'torch'.")
    folder = Path(folder) if folder is not None else ir_folder(pipe)
    converted, seconds = convert_to(pipe, folder, notify)
    precision = precision or _precision(pipe)
    core = ov.Core()
    config = {"INFERENCE_PRECISION_HINT": precision, "INFERENCE_NUM_THREADS": cpu_threads(),  # speed.pick_threads: fewer on a busy host
              "PERFORMANCE_HINT": "LATENCY"}
    compiled = {name: _Compiled(core, folder / f"{name}.xml", config)
                for name in ("unet_whole", "unet_outer", "vae_encoder", "vae_decoder")}
    pipe.unet = OpenVINOUNet(compiled["unet_whole"], compiled["unet_outer"], unet.config, unet.dtype)
    pipe.vae.encoder = _OpenVINOBlock(compiled["vae_encoder"])
    pipe.vae.decoder = _OpenVINOBlock(compiled["vae_decoder"])
    del unet
    _give_back_memory()
    return dict(converted=converted, seconds=round(seconds, 1), folder=str(folder), precision=precision)
