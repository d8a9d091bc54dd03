"""Loading the data engine's models: the text-to-image pipeline that draws pairs, found the way editing models are.

`load_t2i(name)` gives a diffusers `StableDiffusionPipeline` for a catalogue short name (`sd15`, `demo-t2i`,
`tiny-t2i`; `available_models("t2i")`), a hub id or a local folder: hub models come through the same
download machinery as the editing models (hub.py: endpoint probe and mirrors, only the needed safetensors,
free-disk check, resumable, progress), safetensors only, no remote code, no safety checker (the paper's
engine draws without one; its CLIP filter follows). `engine_source(name, kind)` turns any engine model's
name into what to load: "tiny-...", a shipped folder, or a downloaded folder; the CLIP filter and the
instruction writer use it.
"""
import json
import warnings
from pathlib import Path

import torch

from ..errors import Notice, UserError
from ..resources import DEMO_CLIP_DIR, DEMO_T2I_DIR

__all__ = ["load_t2i", "engine_source", "SHIPPED"]

SHIPPED = {"demo-t2i": DEMO_T2I_DIR, "demo-clip": DEMO_CLIP_DIR}   # trained here, shipped in the package


def _notice(text: str) -> None:
    warnings.warn(text, Notice, stacklevel=4)


def engine_source(name: str, kind: str, progress=None, notify=None):
    """What to load for the engine model `name` of `kind` ("t2i", "clip", "lm"): "tiny-..." (built offline), or the
    local folder of a shipped model, a folder given, or a catalogue / hub model (downloaded when not cached)."""
    from .catalogue import available_models, find_engine_model  # noqa: PLC0415

    info = find_engine_model(name, kind)
    if info is not None and info.hub_id is None:
        if info.name.startswith("tiny"):
            return info.name
        folder = SHIPPED[info.name]
        if not folder.is_dir():
            raise UserError(f"The {info.name} model is missing from {str(folder)!r}; reinstall the package or use a hub model.")
        return folder
    path = Path(str(name)).expanduser()
    if path.is_dir():
        return path
    if info is None and ("/" not in str(name) or str(name).startswith((".", "/", "~"))):
        names = ", ".join(m.name for m in available_models(kind))
        raise UserError(f"Unknown {kind} model {name!r}; use one of: {names}, a hub id, or a local model folder.")
    from .hub import fetch_model  # noqa: PLC0415

    folder, _ = fetch_model(info.hub_id if info else str(name), progress=progress, notify=notify or _notice)
    return Path(folder)


def load_t2i(name: str | None = None, device=None, dtype=None, progress=None, notify=None):
    """A text-to-image `StableDiffusionPipeline` for `name` (default `DATAGEN_DEFAULTS["t2i_model"]`) on `device`
    (CUDA, else CPU) in `dtype` (float16 on CUDA, else float32), with the Euler ancestral sampler the paper used."""
    from .loading import quiet_transformers  # noqa: PLC0415

    quiet_transformers()   # before diffusers imports transformers' image processors (a note about torchvision)
    from diffusers import EulerAncestralDiscreteScheduler, StableDiffusionPipeline  # noqa: PLC0415

    from ..defaults import DATAGEN_DEFAULTS  # noqa: PLC0415
    from .tiny import build_tiny_t2i_pipeline  # noqa: PLC0415

    device = torch.device(device or ("cuda" if torch.cuda.is_available() else "cpu"))
    dtype = dtype or (torch.float16 if device.type == "cuda" else torch.float32)
    source = engine_source(name or DATAGEN_DEFAULTS["t2i_model"], "t2i", progress, notify)
    if source == "tiny-t2i":
        return build_tiny_t2i_pipeline().to(device)
    index = Path(source) / "model_index.json"
    kind = json.loads(index.read_text(encoding="utf-8")).get("_class_name") if index.is_file() else None
    if kind != "StableDiffusionPipeline":
        raise UserError(f"{str(name)!r} holds {'a ' + kind if kind else 'no diffusers'} model, not a Stable Diffusion "
                        "text-to-image one; use sd15, demo-t2i or a folder with a StableDiffusionPipeline.")
    try:
        with warnings.catch_warnings():   # diffusers 0.42 renames torch_dtype (0.40, our lowest, knows only that name)
            warnings.simplefilter("ignore", FutureWarning)
            pipe = StableDiffusionPipeline.from_pretrained(source, torch_dtype=dtype, use_safetensors=True,
                                                           local_files_only=True, safety_checker=None,
                                                           feature_extractor=None, requires_safety_checker=False)
    except (OSError, ValueError) as e:
        raise UserError(f"Could not load the text-to-image model {str(name)!r} ({str(e).splitlines()[0]}).") from e
    pipe.scheduler = EulerAncestralDiscreteScheduler.from_config(pipe.scheduler.config)
    pipe.set_progress_bar_config(disable=True)
    return pipe.to(device)
