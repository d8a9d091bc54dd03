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

__all__ = ["available_models", "pick_device_dtype", "load_pipeline", "DEMO_DIR", "SCHEDULERS", "available_schedulers",
           "check_scheduler", "make_scheduler", "set_scheduler", "scheduler_name"]

_DTYPES = {"float16": torch.float16, "fp16": torch.float16, "half": torch.float16,
           "bfloat16": torch.bfloat16, "bf16": torch.bfloat16, "float32": torch.float32, "fp32": torch.float32}


# Samplers by the names the Stable Diffusion web UI (AUTOMATIC1111) gives them -> the diffusers scheduler
# class and the settings that make it that sampler. Settings not named here are reset to the class's own
# defaults, so "DPM++ 2M" after "DPM++ 2M Karras" really drops the Karras sigmas.
SCHEDULERS = {
    "Euler a": ("EulerAncestralDiscreteScheduler", {}),        # the default (defaults.DEFAULT_SCHEDULER)
    "Euler": ("EulerDiscreteScheduler", {}),
    "Heun": ("HeunDiscreteScheduler", {}),                      # 2 UNet calls per step
    "LMS": ("LMSDiscreteScheduler", {}),                        # needs scipy
    "LMS Karras": ("LMSDiscreteScheduler", {"use_karras_sigmas": True}),
    "DPM2": ("KDPM2DiscreteScheduler", {}),                     # 2 UNet calls per step
    "DPM2 Karras": ("KDPM2DiscreteScheduler", {"use_karras_sigmas": True}),
    "DPM2 a": ("KDPM2AncestralDiscreteScheduler", {}),          # 2 UNet calls per step
    "DPM2 a Karras": ("KDPM2AncestralDiscreteScheduler", {"use_karras_sigmas": True}),
    "DPM++ 2M": ("DPMSolverMultistepScheduler", {}),
    "DPM++ 2M Karras": ("DPMSolverMultistepScheduler", {"use_karras_sigmas": True}),
    "DPM++ 2M SDE": ("DPMSolverMultistepScheduler", {"algorithm_type": "sde-dpmsolver++"}),
    "DPM++ 2M SDE Karras": ("DPMSolverMultistepScheduler", {"algorithm_type": "sde-dpmsolver++", "use_karras_sigmas": True}),
    "DPM++ 2S": ("DPMSolverSinglestepScheduler", {}),
    "DPM++ SDE": ("DPMSolverSDEScheduler", {}),                 # needs torchsde; 2 UNet calls per step
    "DPM++ SDE Karras": ("DPMSolverSDEScheduler", {"use_karras_sigmas": True}),
    "DDIM": ("DDIMScheduler", {}),
    "DDPM": ("DDPMScheduler", {}),
    "PLMS": ("PNDMScheduler", {}),                              # diffusers' PNDM; the web UI calls it PLMS
    "UniPC": ("UniPCMultistepScheduler", {}),
    "DEIS": ("DEISMultistepScheduler", {}),
    # EDMEulerScheduler is in diffusers' compatible list too, but it is made for EDM-trained models (CosXL):
    # an SD 1.5 checkpoint gives noise with it, so it is not offered by name (Editor still runs it if set).
}
_ALIASES = {"PNDM": "PLMS"}
_RESET = ("use_karras_sigmas", "algorithm_type")  # settings that the table decides


def available_schedulers() -> list[str]:
    """The sampler names `load_editor(scheduler=...)` and `--scheduler` accept."""
    return list(SCHEDULERS)


def check_scheduler(name: str) -> str:
    """The table's spelling of sampler `name` (any case; "PNDM" for "PLMS"); an unknown name fails in one sentence."""
    if not isinstance(name, str):
        raise UserError(f"`scheduler` must be a sampler name such as 'Euler a', but got {name!r}.")
    key = {k.lower(): k for k in list(SCHEDULERS) + list(_ALIASES)}.get(name.strip().lower())
    if key is None:
        raise UserError(f"Unknown scheduler {name!r}; choose one of: {', '.join(SCHEDULERS)}.")
    return _ALIASES.get(key, key)


def make_scheduler(name: str, config):
    """A new scheduler for sampler `name` (web UI name, any case), built from another scheduler's `config`."""
    import diffusers  # noqa: PLC0415

    class_name, settings = SCHEDULERS[check_scheduler(name)]
    base = {k: v for k, v in dict(config).items() if k not in _RESET}
    try:
        return getattr(diffusers, class_name).from_config(base, **settings)
    except ImportError as e:  # LMS needs scipy, DPM++ SDE needs torchsde
        raise UserError(f"The {name!r} scheduler needs a package that is not installed ({' '.join(str(e).split()).rstrip('.')}).") from None


def set_scheduler(pipe, name: str | None):
    """Give `pipe` the sampler `name` (None: keep the pipeline's own); returns `pipe`."""
    if name is not None:
        pipe.scheduler = make_scheduler(name, pipe.scheduler.config)
    return pipe


def scheduler_name(scheduler) -> str:
    """The web UI's name of `scheduler` ("Euler a", "DPM++ 2M Karras", ...); the class name if it has none."""
    class_name = type(scheduler).__name__
    config = getattr(scheduler, "config", {})
    best, best_match = None, -1
    for name, (cls, settings) in SCHEDULERS.items():
        if cls != class_name:
            continue
        if all(config.get(k) == v for k, v in settings.items()) and len(settings) > best_match:
            best, best_match = name, len(settings)
    return best or class_name.removesuffix("Scheduler")


def available_models() -> list[str]:
    """The catalogue's short names (ip2p_nb/models.py) that can be loaded here; any hub id or folder works too."""
    from .models import model_names  # noqa: PLC0415

    return [n for n in model_names() if n != "demo" or (DEMO_DIR / "model_index.json").is_file()]


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


def _from_hub(name: str, dtype, progress=None, notify=None, revision=None, weights_file=None):
    """From the cache with no network call, else through the first hub endpoint that answers (hub.py).
    `weights_file`: a single-file checkpoint in the repository (CosXL Edit's), fetched alone."""
    from .hub import fetch_file, fetch_model  # noqa: PLC0415

    if weights_file is not None:
        logging.getLogger("huggingface_hub").setLevel(logging.ERROR)
        path = fetch_file(name, weights_file, progress=progress, notify=notify or _notice, revision=revision)
        return _from_folder(path, dtype, label=name)

    variant = "fp16" if dtype == torch.float16 else None  # half the download on CUDA when the repository has it
    # huggingface_hub (configured when diffusers imported it) logs each retry; our one sentence says what happened.
    logging.getLogger("huggingface_hub").setLevel(logging.ERROR)
    folder, variant = fetch_model(name, variant=variant, progress=progress, notify=notify or _notice, revision=revision)
    return _from_folder(folder, dtype, variant=variant, label=name)


def _notice(text: str) -> None:
    warnings.warn(text, Notice, stacklevel=4)


def load_pipeline(name: str, device: torch.device, dtype: torch.dtype, scheduler: str | None = None, progress=None,
                  notify=None):
    """The diffusers pipeline for `name`, on `device` in `dtype`, with sampler `scheduler` (default "Euler a").

    For a hub id, `progress(done_bytes, total_bytes)` follows a download and `notify(text)` gets the
    one-line announcements (which endpoint, what is fetched; default: a `Notice` warning)."""
    _quiet_transformers()
    from .defaults import DEFAULT_SCHEDULER, model_defaults  # noqa: PLC0415
    from .models import resolve_model  # noqa: PLC0415

    # A short name ("magicbrush") becomes its hub id and revision; an unknown short name, or a gated model with
    # no Hugging Face login, is refused here in one sentence, before anything is downloaded.
    name, info = resolve_model(name)
    revision = info.revision if info else None
    own = model_defaults(info.name) if info else None
    if scheduler is None and own is not None:
        scheduler = own.scheduler   # None: the pipeline's own (CosXL's EDM Euler); the reasons are in defaults.py
    elif scheduler is None:
        scheduler = DEFAULT_SCHEDULER
    scheduler = check_scheduler(scheduler) if scheduler else None  # a bad name fails before anything is loaded
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
        pipe = _from_hub(name, dtype, progress, notify, revision, info.weights_file if info else None)
    set_scheduler(pipe, scheduler)  # the reason for the default is in defaults.py
    pipe.set_progress_bar_config(disable=True)
    if pipe.unet.dtype != dtype:  # only `tiny` is built in float32; loaded pipelines already have `dtype`
        pipe = pipe.to(dtype=dtype)
    return pipe.to(device)
