"""Finding and loading an InstructPix2Pix pipeline: hub id, local folder, single .safetensors file, `demo`, `tiny`, `tiny-xl`.

A folder's model_index.json says which pipeline it is: SD InstructPix2Pix or SDXL InstructPix2Pix
(anything else is refused). A single .safetensors file (CosXL Edit ships as one) is an SDXL edit
model: see `_from_single_file` for the configuration it needs.

Weights are read from safetensors only (a pickle file can run code) and remote code is never
trusted. Hub models come through `hub.py` (cache first, then the first endpoint that answers:
`HF_ENDPOINT` or the official hub, then mirrors). When none answers and no copy is cached, loading
fails with one sentence naming the ways out: a hub mirror (`HF_ENDPOINT`), a local folder, or `tiny`.
"""
import json
import logging
import os
import warnings
from pathlib import Path

import torch

from ..errors import Notice, UserError
from ..resources import DEMO_DIR  # the toy model trained in this repository
from .samplers import (EDM_SCHEDULERS, SCHEDULERS, available_schedulers, check_sampler_steps, check_scheduler,  # noqa: F401
                       fewest_steps, make_scheduler, scheduler_name, schedulers_for, set_scheduler)

__all__ = ["available_models", "pick_device_dtype", "load_pipeline", "DEMO_DIR", "SCHEDULERS", "EDM_SCHEDULERS",
           "available_schedulers", "schedulers_for", "check_scheduler", "make_scheduler", "set_scheduler", "scheduler_name",
           "PIPELINE_CLASSES", "SDXL_CONFIG_REPO", "fewest_steps", "check_sampler_steps", "quiet_transformers"]

_DTYPES = {"float16": torch.float16, "fp16": torch.float16, "half": torch.float16,
           "bfloat16": torch.bfloat16, "bf16": torch.bfloat16, "float32": torch.float32, "fp32": torch.float32}


def available_models() -> list[str]:
    """The catalogue's short names (ip2p_nb/models/catalogue.py) that can be loaded here; any hub id or folder works too."""
    from .catalogue import model_names  # noqa: PLC0415

    return [n for n in model_names() if n != "demo" or (DEMO_DIR / "model_index.json").is_file()]


def quiet_transformers():
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
        elif device.type == "cpu" and model not in ("tiny", "tiny-xl", "demo") and cpu_has_native_bf16():
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


# The pipelines a model folder may hold (model_index.json's `_class_name`); the editor drives both.
PIPELINE_CLASSES = ("StableDiffusionInstructPix2PixPipeline", "StableDiffusionXLInstructPix2PixPipeline")


def _pipeline_class(path: Path, where: str):
    """The diffusers pipeline class that model_index.json names; anything but InstructPix2Pix is refused in one sentence."""
    import diffusers  # noqa: PLC0415

    try:
        name = json.loads((path / "model_index.json").read_text(encoding="utf-8")).get("_class_name")
    except (OSError, ValueError, AttributeError) as e:
        raise UserError(f"The model_index.json of {where!r} cannot be read ({e}); download the model again.") from None
    if name not in PIPELINE_CLASSES:
        raise UserError(f"{where!r} holds a {name} model, not an InstructPix2Pix one (SD or SDXL); "
                        "choose an InstructPix2Pix model such as timbrooks/instruct-pix2pix.")
    return getattr(diffusers, name)


def _from_folder(path: Path, dtype, variant=None, label=None):
    if not (path / "model_index.json").is_file():
        raise UserError(f"{str(path)!r} has no model_index.json: it is not a diffusers model folder; "
                        "download one with `hf download timbrooks/instruct-pix2pix --local-dir DIR`.")
    pipeline_class = _pipeline_class(path, label or str(path))
    try:
        pipe = pipeline_class.from_pretrained(path, **_dtype_arg(dtype), use_safetensors=True, local_files_only=True,
                                              variant=variant)
        return _mark_cosxl(pipe)
    except (OSError, ValueError) as e:
        where = label or str(path)
        if "safetensors" in str(e).lower():
            raise UserError(f"{where!r} has no .safetensors weights; only safetensors are loaded (pickle files can run code).") from e
        raise UserError(f"Could not load the model {where!r} ({str(e).splitlines()[0]}).") from e


def _mark_cosxl(pipe):
    """`is_cosxl_edit` is not saved with a pipeline: an SDXL edit model with an EDM scheduler is CosXL Edit (the only one)."""
    from ..editing.conditioning import is_edm, is_xl  # noqa: PLC0415

    if is_xl(pipe) and is_edm(pipe.scheduler):
        pipe.is_cosxl_edit = True
    return pipe


# The diffusers configuration (no weights) that a single-file SDXL InstructPix2Pix checkpoint is read with.
SDXL_CONFIG_REPO = "diffusers/sdxl-instructpix2pix-768"
_CONFIG_FILES = ["model_index.json", "*/config.json", "scheduler/*.json", "tokenizer*/*"]


def _single_file_config(notify=None) -> Path:
    """The local folder with `SDXL_CONFIG_REPO`'s configuration files: from the cache, else fetched (~2 MB, no weights)
    through the first hub endpoint that answers (hub.py: HF_ENDPOINT or the official hub, then mirrors)."""
    from huggingface_hub import snapshot_download  # noqa: PLC0415

    from .hub import find_endpoint, hub_cache_dir  # noqa: PLC0415

    logging.getLogger("huggingface_hub").setLevel(logging.ERROR)
    cache = str(hub_cache_dir())
    try:
        return Path(snapshot_download(SDXL_CONFIG_REPO, allow_patterns=_CONFIG_FILES, local_files_only=True, cache_dir=cache))
    except Exception:  # noqa: BLE001  (not cached: fetched below)
        pass
    try:
        url, info, note = find_endpoint(SDXL_CONFIG_REPO)
        (notify or _notice)(f"{note} Fetching the SDXL configuration files of {SDXL_CONFIG_REPO} (about 2 MB, no weights).")
        return Path(snapshot_download(SDXL_CONFIG_REPO, revision=info.sha, allow_patterns=_CONFIG_FILES, endpoint=url,
                                      cache_dir=cache))
    except Exception as e:  # noqa: BLE001  (offline, blocked, rate-limited: one sentence)
        raise UserError(
            f"A single .safetensors checkpoint needs SDXL's configuration files, which are not cached and could not be fetched "
            f"({type(e).__name__}); with a network (or HF_ENDPOINT=https://hf-mirror.com) run `hf download {SDXL_CONFIG_REPO} "
            f"--include '*.json' 'tokenizer*/*'` once, then load the file again.") from None


def _from_single_file(path: Path, dtype, notify=None):
    """An SDXL InstructPix2Pix pipeline from one .safetensors checkpoint (CosXL Edit's `cosxl_edit.safetensors`).

    The weights come from the file; the layout, tokenizers and scheduler from `SDXL_CONFIG_REPO`'s configuration
    files. A CosXL checkpoint (it stores its EDM sigmas as `edm_vpred.sigma_min/max`, the key ComfyUI and
    stable-diffusion.cpp detect it by) gets `is_cosxl_edit` and CosXL's EDM Euler sampler with those sigmas; its UNet
    is told its native size (1024 px) instead of the configuration's 768."""
    from diffusers import EDMEulerScheduler, StableDiffusionXLInstructPix2PixPipeline  # noqa: PLC0415
    from safetensors import safe_open  # noqa: PLC0415

    from ..editing.conditioning import COSXL_SCHEDULER  # noqa: PLC0415

    if path.suffix.lower() != ".safetensors":
        raise UserError(f"{str(path)!r} is not a .safetensors file; only safetensors are loaded (pickle files can run code).")
    try:
        with safe_open(str(path), framework="pt") as f:
            keys = list(f.keys())
            # CosXL files carry their EDM sigmas (as ComfyUI saves them): used over the defaults where present
            sigmas = {k.split(".")[1]: float(f"{float(f.get_tensor(k)):.6g}")  # float32 in the file: 0.002, not 0.0020000000949
                      for k in ("edm_vpred.sigma_min", "edm_vpred.sigma_max") if k in keys}
    except Exception as e:  # noqa: BLE001
        raise UserError(f"{str(path)!r} is not a readable safetensors file ({str(e).splitlines()[0]}).") from None
    cosxl = any(k.startswith("edm_vpred.") for k in keys)
    config = _single_file_config(notify)
    try:
        pipe = StableDiffusionXLInstructPix2PixPipeline.from_single_file(
            str(path), config=str(config), local_files_only=True, is_cosxl_edit=cosxl, **_dtype_arg(dtype))
    except Exception as e:  # noqa: BLE001  (diffusers raises many kinds for a file that is not an SDXL checkpoint)
        raise UserError(f"Could not read {str(path)!r} as an SDXL InstructPix2Pix checkpoint ({str(e).splitlines()[0]}).") from None
    if cosxl:
        pipe.scheduler = EDMEulerScheduler(**{**COSXL_SCHEDULER, **sigmas})
        pipe.unet.register_to_config(sample_size=128)
    return pipe


def _from_hub(name: str, dtype, progress=None, notify=None, revision=None, weights_file=None):
    """From the cache with no network call, else through the first hub endpoint that answers (hub.py).
    `weights_file`: a single-file checkpoint in the repository (CosXL Edit's), fetched alone."""
    from .hub import fetch_file, fetch_model  # noqa: PLC0415

    if weights_file is not None:
        logging.getLogger("huggingface_hub").setLevel(logging.ERROR)
        path = fetch_file(name, weights_file, progress=progress, notify=notify or _notice, revision=revision)
        return _from_single_file(Path(path), dtype, notify)

    variant = "fp16" if dtype == torch.float16 else None  # half the download on CUDA when the repository has it
    # huggingface_hub (configured when diffusers imported it) logs each retry; our one sentence says what happened.
    logging.getLogger("huggingface_hub").setLevel(logging.ERROR)
    # the neural translator comes with the model from the same hub, listed and shown on the same bar (hub.py)
    from .catalogue import translator_repos  # noqa: PLC0415

    folder, variant = fetch_model(name, variant=variant, progress=progress, notify=notify or _notice, revision=revision,
                                  companions=translator_repos())
    return _from_folder(folder, dtype, variant=variant, label=name)


def _notice(text: str) -> None:
    warnings.warn(text, Notice, stacklevel=4)


def load_pipeline(name: str, device: torch.device, dtype: torch.dtype, scheduler: str | None = None, progress=None,
                  notify=None):
    """The diffusers pipeline for `name`, on `device` in `dtype`, with sampler `scheduler` (default "Euler a").

    For a hub id, `progress(done_bytes, total_bytes)` follows a download and `notify(text)` gets the
    one-line announcements (which endpoint, what is fetched; default: a `Notice` warning)."""
    quiet_transformers()
    from ..defaults import DEFAULT_SCHEDULER, model_defaults  # noqa: PLC0415
    from .catalogue import resolve_model  # noqa: PLC0415

    # A short name ("magicbrush") becomes its hub id and revision; an unknown short name, or a gated model with
    # no Hugging Face login, is refused here in one sentence, before anything is downloaded.
    name, info = resolve_model(name)
    revision = info.revision if info else None
    own = model_defaults(info.name) if info else None
    asked = scheduler
    if scheduler is None and own is not None:
        scheduler = own.scheduler   # None: the pipeline's own (CosXL's EDM Euler); the reasons are in defaults.py
    elif scheduler is None:
        scheduler = DEFAULT_SCHEDULER
    scheduler = check_scheduler(scheduler) if scheduler else None  # a bad name fails before anything is loaded
    if name == "tiny-xl":
        from .tiny import TINY_XL_NOTE, build_tiny_xl_pipeline  # noqa: PLC0415

        warnings.warn(TINY_XL_NOTE, Notice, stacklevel=3)
        pipe = build_tiny_xl_pipeline()
    elif name == "tiny":
        from .tiny import TINY_NOTE, build_tiny_pipeline  # noqa: PLC0415

        warnings.warn(TINY_NOTE, Notice, stacklevel=3)
        pipe = build_tiny_pipeline()
    elif name == "demo":
        if not (DEMO_DIR / "model_index.json").is_file():
            raise UserError(f"The demo model is missing from {str(DEMO_DIR)!r}; use --model tiny or a real checkpoint.")
        pipe = _from_folder(DEMO_DIR, dtype)
    elif Path(name).expanduser().is_dir():
        pipe = _from_folder(Path(name).expanduser(), dtype)
    elif Path(name).expanduser().is_file():
        pipe = _from_single_file(Path(name).expanduser(), dtype, notify)
    elif name.startswith((".", "/", "~")) or name.count("/") > 1 or "\\" in name:
        raise UserError(f"There is no model folder at {name!r}; check the path, or give a hub id such as timbrooks/instruct-pix2pix.")
    else:
        pipe = _from_hub(name, dtype, progress, notify, revision, info.weights_file if info else None)
    from ..editing.conditioning import is_edm  # noqa: PLC0415

    # the reason for the default is in defaults.py; an EDM model (CosXL Edit) keeps its own unless one is asked for
    set_scheduler(pipe, scheduler if asked is not None or not is_edm(pipe.scheduler) else None)
    pipe.set_progress_bar_config(disable=True)
    if pipe.unet.dtype != dtype:  # only `tiny` is built in float32; loaded pipelines already have `dtype`
        pipe = pipe.to(dtype=dtype)
    return pipe.to(device)
