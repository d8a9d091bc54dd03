"""Finding and loading an InstructPix2Pix pipeline: hub id, local folder, `demo` or `tiny`.

Weights are read from safetensors only (a pickle file can run code) and remote code is never
trusted. Hub models come through `hub.py` (cache first, then the first endpoint that answers:
`HF_ENDPOINT` or the official hub, then mirrors). When none answers and no copy is cached, loading
fails with one sentence naming the ways out: a hub mirror (`HF_ENDPOINT`), a local folder, or `tiny`.
"""
import logging
import os
import warnings
from pathlib import Path

import torch

from .errors import Notice, UserError
from .resources import DEMO_DIR  # the toy model trained in this repository

__all__ = ["available_models", "pick_device_dtype", "load_pipeline", "DEMO_DIR"]

_DTYPES = {"float16": torch.float16, "fp16": torch.float16, "half": torch.float16,
           "bfloat16": torch.bfloat16, "bf16": torch.bfloat16, "float32": torch.float32, "fp32": torch.float32}


def available_models() -> list[str]:
    """Names `load_editor` knows besides any hub id or local folder."""
    names = ["timbrooks/instruct-pix2pix", "tiny"]
    if (DEMO_DIR / "model_index.json").is_file():
        names.insert(1, "demo")
    return names


def _quiet_transformers():
    """transformers warns on import about torchvision image processors we never use; diffusers prints
    "Couldn't connect to the Hub ... Will try to load from local cache" before our own one-line message."""
    logging.getLogger("transformers").setLevel(logging.ERROR)
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    logging.getLogger("diffusers").setLevel(logging.ERROR)
    os.environ.setdefault("DIFFUSERS_VERBOSITY", "error")


def pick_device_dtype(device=None, dtype=None, model: str | None = None) -> tuple[torch.device, torch.dtype]:
    """CUDA, then Apple MPS, then CPU; the dtype for that device (see the comments below)."""
    if device is None:
        if torch.cuda.is_available():
            device = "cuda"
        elif getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
            device = "mps"
        else:
            device = "cpu"
    device = torch.device(device)
    if isinstance(dtype, str):
        if dtype.lower() not in _DTYPES:
            raise UserError(f"Unknown dtype {dtype!r}; use one of {sorted(set(_DTYPES))}.")
        dtype = _DTYPES[dtype.lower()]
    if dtype is None:
        from .speed import cpu_has_native_bf16  # noqa: PLC0415

        if device.type == "cuda":
            dtype = torch.float16   # half the memory of float32; T4-class GPUs are fast at it
        elif device.type == "cpu" and model not in ("tiny", "demo") and cpu_has_native_bf16():
            # bfloat16 takes 0.45-0.55 of float32's time for every part of an edit on CPUs that compute it
            # in hardware, with pictures as close to the intended edit (docs/BENCHMARK.md). The toy models
            # stay float32: they are fast anyway, and tests compare their pixels exactly.
            dtype = torch.bfloat16
        else:
            dtype = torch.float32   # emulated bfloat16 is slower than float32; float16 is NaN-prone on MPS
    return device, dtype


def _dtype_arg(dtype) -> dict:
    """diffusers 0.42 renamed `torch_dtype` to `dtype` (the old name warns); older releases know only `torch_dtype`."""
    try:
        from diffusers.utils.deprecation_utils import _resolve_dtype  # noqa: F401, PLC0415
    except ImportError:
        return {"torch_dtype": dtype}
    return {"dtype": dtype}


def _from_folder(path: Path, dtype, variant=None, label=None):
    from diffusers import StableDiffusionInstructPix2PixPipeline  # noqa: PLC0415

    if not (path / "model_index.json").is_file():
        raise UserError(f"{str(path)!r} has no model_index.json: it is not a diffusers model folder; "
                        "download one with `hf download timbrooks/instruct-pix2pix --local-dir DIR`.")
    try:
        return StableDiffusionInstructPix2PixPipeline.from_pretrained(path, **_dtype_arg(dtype), use_safetensors=True,
                                                                      local_files_only=True, variant=variant)
    except (OSError, ValueError) as e:
        where = label or str(path)
        if "safetensors" in str(e).lower():
            raise UserError(f"{where!r} has no .safetensors weights; only safetensors are loaded (pickle files can run code).") from e
        raise UserError(f"Could not load the model {where!r} ({str(e).splitlines()[0]}).") from e


def _from_hub(name: str, dtype, progress=None, notify=None):
    """From the cache with no network call, else through the first hub endpoint that answers (hub.py)."""
    from .hub import fetch_model  # noqa: PLC0415

    variant = "fp16" if dtype == torch.float16 else None  # half the download on CUDA when the repository has it
    # huggingface_hub (configured when diffusers imported it) logs each retry; our one sentence says what happened.
    logging.getLogger("huggingface_hub").setLevel(logging.ERROR)
    folder, variant = fetch_model(name, variant=variant, progress=progress, notify=notify or _notice)
    return _from_folder(folder, dtype, variant=variant, label=name)


def _notice(text: str) -> None:
    warnings.warn(text, Notice, stacklevel=4)


def load_pipeline(name: str, device: torch.device, dtype: torch.dtype, progress=None, notify=None):
    """The diffusers pipeline for `name`, on `device` in `dtype`, with the Euler-ancestral scheduler.

    For a hub id, `progress(done_bytes, total_bytes)` follows a download and `notify(text)` gets the
    one-line announcements (which endpoint, what is fetched; default: a `Notice` warning)."""
    _quiet_transformers()
    from diffusers import EulerAncestralDiscreteScheduler  # noqa: PLC0415

    if name == "tiny":
        from .tiny import TINY_NOTE, build_tiny_pipeline  # noqa: PLC0415

        warnings.warn(TINY_NOTE, Notice, stacklevel=3)
        pipe = build_tiny_pipeline()
    elif name == "demo":
        if not (DEMO_DIR / "model_index.json").is_file():
            raise UserError(f"The demo model is missing from {str(DEMO_DIR)!r}; use --model tiny or a real checkpoint.")
        pipe = _from_folder(DEMO_DIR, dtype)
    elif Path(name).expanduser().is_dir():
        pipe = _from_folder(Path(name).expanduser(), dtype)
    elif name.startswith((".", "/", "~")) or name.count("/") > 1 or "\\" in name:
        raise UserError(f"There is no model folder at {name!r}; check the path, or give a hub id such as timbrooks/instruct-pix2pix.")
    else:
        pipe = _from_hub(name, dtype, progress, notify)
    # Euler ancestral: what the paper's app uses; good pictures in 20 steps.
    pipe.scheduler = EulerAncestralDiscreteScheduler.from_config(pipe.scheduler.config)
    pipe.set_progress_bar_config(disable=True)
    if pipe.unet.dtype != dtype:  # only `tiny` is built in float32; loaded pipelines already have `dtype`
        pipe = pipe.to(dtype=dtype)
    return pipe.to(device)
