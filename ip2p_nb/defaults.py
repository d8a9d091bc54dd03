"""Defaults and allowed ranges for every setting, each with the reason it was chosen.

This is the one place the numbers live: the editor, the command line and the app all read
them from here, and `check_settings` refuses anything outside them (nothing is silently
clamped: a beginner who typed 50 for the image guidance should learn the range, not get a
different picture than they asked for).
"""
import math
import numbers
import os
import secrets
from dataclasses import dataclass

from .errors import SettingError

__all__ = ["DEFAULTS", "RANGES", "HINTS", "check_settings", "random_seed", "default_model", "BENCH_DEFAULTS", "HUB_DEFAULTS",
           "DEFAULT_SCHEDULER", "PREVIEW", "REGION_DEFAULTS", "DATAGEN_DEFAULTS"]

# The checkpoint of the InstructPix2Pix paper, as published on the Hugging Face hub.
DEFAULT_MODEL = "timbrooks/instruct-pix2pix"

# The toy models (tiny: random weights; demo: trained here on 64 px scenes) keep the exact defaults on
# every machine: they take a second anyway, and tests compare their pixels with diffusers exactly.
TOY_MODELS = ("tiny", "tiny-xl", "demo")

# The sampler, in the SD web UI's names (loading.SCHEDULERS lists them all). Euler ancestral is what the
# InstructPix2Pix paper's own app samples with, its pictures are good at 20 steps (the `steps` default),
# and it needs one UNet call per step (Heun and DPM2 need two).
DEFAULT_SCHEDULER = "Euler a"

# Editing part of a photo (ip2p_nb/editing/regions.py): masks, regions and the paste-back.
REGION_DEFAULTS = dict(
    # Width of the soft edge between edited and kept pixels, as a fraction of the longest side of the part
    # edited (the region, or the whole photo): 2% of 512 px is ~10 px, just over one latent cell (8 px), the
    # smallest edge the model itself can draw without a visible step; never below `feather_min` photo pixels.
    feather=0.02,
    feather_min=3,
    # Context around a region: the model sees this fraction of the region's size on each side, so colours and
    # light at the seam match the surroundings. The margin is only seen, never pasted back: the soft edge lies
    # inside the region, so every pixel outside the region keeps its bytes.
    context=0.15,
    # The soft edge of a region, inside it, as a fraction of the region's shorter side (at least `feather_min`,
    # at most a third of the side): 5% of a 300 px region is 15 px, wide enough that the model's colour shift
    # at the edge fades in over about two latent cells instead of showing as a line.
    region_feather=0.05,
    context_min=8,
    # region="auto": the mask's bounding box grown by this fraction on each side ...
    auto_margin=0.15,
    # ... and to at least max_size pixels a side (or the photo's side): below that the model would upscale
    # the crop, gaining nothing; at max_size one model pixel is one photo pixel.
    auto_min=None,  # None = the edit's max_size
    # A region narrower than this (photo pixels) is refused: the model needs a few latent cells to draw in.
    min_side=16,
)

# Live previews (ip2p_nb/editing/preview.py). A preview costs one 4x3 matrix product on the latent, a resize and
# whatever the callback does with the picture (the app encodes a PNG and sends it to the browser).
PREVIEW = dict(
    # When `preview_every` is not given, a preview comes whenever the previews so far (each timed, the
    # callback's own work included) stay within this fraction of the edit's time. Measured on the
    # full-size architecture at 256 px, one CPU thread: a preview costs 0.8 ms plus 3.3 ms for the PNG
    # the app makes of it, against 13.2 CPU s per step: 0.03% when previewing every step, so on a CPU
    # every step previews. A fast GPU takes a few tens of ms per step, so there a fixed "every step"
    # would cost ~10%; the budget spaces the previews out instead. A fixed count cannot be right for both.
    budget=0.03,
    # Longest side of a preview picture: a latent pixel covers 8x8 image pixels, so a 512 px edit has
    # only 64x64 of them; 128 px shows all of that, and its PNG costs a quarter of a 256 px one's.
    longest=128,
)


@dataclass(frozen=True)
class Setting:
    default: object
    low: object
    high: object
    why: str


SETTINGS = {
    # Higher keeps the output closer to the input photo. 1.5 is the paper's and the pipeline's default;
    # the research app samples 1.2-1.8. Below 1 the picture stops being an edit of the input.
    "image_guidance": Setting(1.5, 1.0, 5.0, "higher = closer to the input photo"),
    # Higher follows the instruction harder. 7.5 is the paper's default; the research app samples 6-9.
    "text_guidance": Setting(7.5, 1.0, 20.0, "higher = follows the instruction harder"),
    # Euler-ancestral steps. The paper uses 50-100; 20 is visually close and 2.5-5x faster, which a live
    # demo on a T4 (about 3 s) or a CPU instance (minutes) needs.
    "steps": Setting(20, 1, 100, "more = finer detail, slower"),
    # Longest side in pixels. 512 is the model's training size and fits a T4's 16 GB (and a CPU's
    # patience); 768-1024 need more GPU memory and time and can repeat objects.
    "max_size": Setting(512, 256, 1024, "longest side in pixels; more needs more GPU memory"),
    # Any 32-bit seed; None means a fresh random one, always reported so a result can be repeated.
    "seed": Setting(None, 0, 2**32 - 1, "same seed + same settings = same picture (on one machine, with the same CPU thread count)"),
    # Deep-feature reuse (ip2p_nb/editing/reuse.py): N > 1 runs the whole UNet on one step in N and only its outer
    # blocks on the others. 1 (off) gives exactly the diffusers pipeline's picture; the CPU default is in
    # CPU_DEFAULTS. Above ~5 the reused features are too stale for the picture to hold together.
    "cache_interval": Setting(1, 1, 10, "N > 1: deep layers run every N steps; faster, slightly different"),
}

DEFAULTS = {name: s.default for name, s in SETTINGS.items()}
RANGES = {name: (s.low, s.high) for name, s in SETTINGS.items()}
HINTS = {name: s.why for name, s in SETTINGS.items()}


def random_seed() -> int:
    """A random seed in the seed range; the result always reports the seed used."""
    return secrets.randbelow(RANGES["seed"][1] + 1)


_INTEGER = {"steps", "max_size", "seed", "cache_interval"}

# What changes on a machine without a GPU (real models only; load_editor and the app apply it).
CPU_DEFAULTS = dict(
    # Deep UNet features computed on every other step and reused on the step between (reuse.py): 20 steps run
    # 10 whole UNet calls and 10 outer-only ones (an outer-only call is 6% of a whole one at 256 px). Measured on
    # the demo model's 56 held-out scenes (`bench --reuse-quality`, docs/BENCHMARK.md): PSNR to the true edit
    # 15.48 dB computing every step, 15.30 with 2 (-0.18 dB, the same share of edits followed: 0.68), 14.94 with
    # 3 (-0.54 dB, followed 0.63). 3 would be faster but loses more than the 0.5 dB we allow; 2 does not.
    cache_interval=2,
    # The sampler and its steps: the cheapest pair (fewest whole-UNet-call equivalents) whose picture stays within 0.3 dB
    # (PSNR to the true edit) of Euler a at 20 steps, with at most one scene fewer followed (`bench --step-economy`, 28
    # held-out scenes of the demo model, docs/BENCHMARK.md). Without reuse: Euler a 20: 15.93 dB, followed 0.786;
    # Euler a 15: 15.98, 0.750 (holds: 15 calls); Euler a 10: 15.96 but 0.643 (four scenes fewer followed);
    # DPM++ 2M Karras 8/10/12: 15.28/15.31/15.22 dB and UniPC 10: 15.13 (the deterministic samplers settle on another
    # picture, 0.6-0.8 dB further from the truth, whatever their steps). With reuse 2 (cache_interval above), Euler a 15
    # fell to 15.65 dB (-0.28, at the edge of the bound) and 0.607 followed; Euler a 20 with reuse 2 (10 whole calls + 10
    # outer-only ones at 6% each, about 10.6 calls' work): 15.80 dB, 0.643. Fewer steps and reuse compound, and 15 steps
    # with reuse is 0.02 dB from the bound on 28 scenes, too thin to change every CPU picture on: the CPU keeps 20 Euler a
    # steps and saves its time with reuse (cheaper than the 15 calls of 15 steps without it).
    scheduler="Euler a",
    steps=20,
    # The UNet on OpenVINO: "auto", "float", or an 8-bit recipe of models/quantize.py (`bench --cpu`, `--int8-quality`).
    # "auto" (speed.pick_unet, which gives the measured reasons): static "int8" where the CPU has 8-bit dot products
    # (VNNI) and no AMX bfloat16 and the machine has the memory to make it (12 GB: its child process peaks at 5.7 GB
    # beside the editor's 5, issue 32), float elsewhere. "int8" held the demo model's quality (docs/BENCHMARK.md); it is made once per model in a
    # child process from the saved IR, in the background while the first edits run on torch (models/prepare.py).
    unet="auto",
    # Predicted for 20 steps on the project's 2-core AVX2 VM (ip2p_nb/models/calibrate.py, float32, one thread) with
    # OpenVINO and reuse 2: 256 px about 1.6 min, 384 px about 3.7 min, 512 px about 6.5 min (torch without reuse:
    # 3.7 / 8 / 15 min). A workshop waits a minute or two, not six; 256 is the smallest size RANGES allows
    # (pictures are softer than at the model's 512, and how much softer with the real weights is unverified here).
    max_size=256,
)


def uses_cpu_defaults(device: str, model: str | None) -> bool:
    """Whether CPU_DEFAULTS apply: a real model (not `tiny`/`demo`) on a CPU (`device` is "cpu", "cuda", "mps")."""
    return device == "cpu" and model not in TOY_MODELS


__all__ += ["CPU_DEFAULTS", "uses_cpu_defaults"]


def default_model() -> str:
    """`$IP2P_MODEL` when set (the notebook and CI use it), else the paper's checkpoint."""
    return os.environ.get("IP2P_MODEL") or DEFAULT_MODEL


def _check_one(name: str, value, ranges: dict):
    low, high = ranges.get(name, RANGES[name])
    if name == "seed" and value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise SettingError(f"`{name}` must be a number between {low} and {high}, but got {value!r}.")
    if name in _INTEGER and not isinstance(value, numbers.Integral):
        raise SettingError(f"`{name}` must be a whole number between {low} and {high}, but got {value!r}.")
    if not math.isfinite(value) or not low <= value <= high:
        raise SettingError(f"`{name}` must be between {low} and {high}, but got {value!r}.")
    if name == "max_size" and value % 8:
        down, up = value - value % 8, value - value % 8 + 8
        raise SettingError(f"`max_size` must be a multiple of 8 (the model works on 8x8 blocks), but got {value}; use {down} or {up}.")
    return int(value) if name in _INTEGER else float(value)


def check_settings(ranges: dict | None = None, **settings) -> dict:
    """Validate settings by name (see `SETTINGS`); return them as plain int/float.

    `ranges` narrows or widens a range for one model (the 64 px demo model allows max_size 64).
    Raises `SettingError` (a `ValueError`) naming the parameter, the value and the range.
    """
    checked = {}
    for name, value in settings.items():
        if name not in SETTINGS:
            raise SettingError(f"Unknown setting `{name}`; the settings are {sorted(SETTINGS)}.")
        checked[name] = _check_one(name, value, ranges or {})
    return checked


# What `python -m ip2p_nb batch` and `Editor.edit_many` use when not told otherwise.
BATCH_DEFAULTS = dict(
    # Seeds of one photo denoised together in one UNet batch. 4 seeds x 3 guidance branches = 12 rows at
    # 512 px fits a 16 GB T4 in float16; running out of memory falls back to one seed at a time anyway.
    seed_batch=4,
    # Without --seed each photo's seed is derived from this and its path: reruns, resumed runs and any
    # number of processes then give the same pictures, and a resumed run recognises finished ones.
    seed=0,
    log_name="batch-log.jsonl",      # the merged JSONL log, one record per item and run, in the output folder
)
__all__.append("BATCH_DEFAULTS")


# What `python -m ip2p_nb bench` measures when run without options.
# The data engine (ip2p_nb/datagen/): pairs drawn with shared attention, then the CLIP filter. The paper's
# numbers (timothybrooks/instruct-pix2pix dataset_creation/generate_img_dataset.py) unless said otherwise.
DATAGEN_DEFAULTS = dict(
    samples=100,              # pairs drawn per caption (the paper's n_samples); a CPU run asks for fewer
    keep=4,                   # pairs kept per caption: the best directional CLIP scores among those that pass
    steps=25,                 # the paper draws 100 Euler a steps; its README: 25 also give good data
    p_range=(0.1, 0.9),       # p ~ U(0.1, 0.9): the fraction of the steps that share attention, per sample
    cfg_range=(7.5, 15.0),    # text guidance ~ U(7.5, 15) per sample
    share="self",             # the paper's code shares self-attention ("cross": the original Prompt-to-Prompt)
    t2i_model="demo-t2i",     # draws offline in seconds; "sd15" is the paper's model (a 4 GB download)
    clip_model="demo-clip",   # scores offline; "clip-vit-l-14" is the paper's filter
    writer="rules",           # offline; a catalogue language model writes like the paper's fine-tuned GPT-3
)

BENCH_DEFAULTS = dict(
    pipeline="tiny",                 # offline and quick; `fullsize` is SD 1.5's shapes (random weights), the real test
    size=256,                        # the editor's smallest size: a CPU run of the full model takes seconds, not minutes
    steps=8,                         # enough steps that the per-step UNet dominates, as in real use
    repeats=3,                       # medians of 3 interleaved runs survive one disturbed run
    # (image guidance, text guidance): all 3 branches; no uncond branch (s_I = 1); no image branch (s_I = s_T,
    # at 5: the image guidance range ends there). 7.5 is the paper's and the app's text guidance.
    guidance=[(1.5, 7.5), (1.0, 7.5), (5.0, 5.0)],
    seed=0,
    prompt="make it snowy",
)


# Where the model comes from (ip2p_nb/models/hub.py).
HUB_DEFAULTS = dict(
    official="https://huggingface.co",   # the model hub itself; HF_ENDPOINT replaces it when set
    # Mirrors tried, in order, when the first endpoint does not answer; IP2P_HUB_MIRRORS overrides the list
    # (comma-separated, empty to disable). hf-mirror.com serves the same repo ids and files, reachable from
    # mainland China where huggingface.co is not.
    mirrors=("https://hf-mirror.com",),
    # ModelScope, where a catalogue model has a copy there (catalogue `modelscope`): used with IP2P_HUB=modelscope, or
    # when neither the hub nor its mirrors answer; IP2P_MODELSCOPE_ENDPOINT replaces it. Its own client's default site.
    modelscope="https://www.modelscope.cn",
    probe_seconds=3.0,
    # A companion (the translator) that could not be fetched is tried again with a cached model after this long: an
    # offline workshop laptop must not wait on the hubs at every load, and a hub that answers again is used the next day.
    companion_retry_hours=24.0,                   # a hub that answers at all answers its model-info call in well under a second
    disk_margin=0.05,                    # refuse unless 5% more than the download is free: the disk is shared with everything else
)


# A room of browsers on one machine (`python -m ip2p_nb app --shared`, ip2p_nb/serving/worker.py).
SHARED_DEFAULTS = dict(
    # Edits waiting behind the running one. 12 is a workshop table's worth of attendees each with one edit
    # in flight; at ~5 s per 512 px edit on a T4 the last one waits about a minute. Beyond that a page is
    # better told "try again in a minute" than left waiting many minutes with no way to tell how long.
    max_queue=12,
    # The picture a page sends, as PNG bytes. A 12-megapixel phone photo is 15-20 MB as PNG; the editor
    # shrinks it to max_size anyway, so larger uploads only cost memory in the worker and time on the socket.
    max_upload_mb=25,
    # How long a page waits for the worker to answer at all (it starts with the app and loads the model
    # first: seconds from the cache, minutes on a first download, which has its own progress in the log).
    connect_seconds=600.0,
    # Peak memory of one loaded copy of a full-size model (bytes), checked before loading: fp16 on a GPU
    # peaks at 2.7 GB at 512 px (docs/GPU.md); fp32 on a CPU holds 4.3 GB of weights plus ~1.8 GB of VAE
    # activations at 512 px (FACTS.md). The toy models (`tiny`, `demo`) need well under 100 MB.
    model_bytes={"cuda": 2.7e9, "cpu": 6.1e9, "toy": 0.1e9},
)
__all__.append("SHARED_DEFAULTS")


# Per-model defaults (the catalogue is ip2p_nb/models/catalogue.py): what the app's sliders, the command line and the
# model switch start from when the user gave nothing. A model not listed (any other hub id or folder) uses
# SETTINGS above. `scheduler=None` keeps the pipeline's own sampler (CosXL needs its EDM Euler).
@dataclass(frozen=True)
class ModelDefaults:
    max_size: int                # default longest side (px)
    size_range: tuple            # (low, high) the max_size slider and check allow
    steps: int
    image_guidance: float
    text_guidance: float
    scheduler: str | None        # web UI sampler name, or None for the pipeline's own


MODEL_DEFAULTS = {
    # SETTINGS' values and their reasons: the paper's guidances, 20 Euler-ancestral steps for live demos, 512 px
    # (its training size) within 256-1024.
    "instruct-pix2pix": ModelDefaults(512, (256, 1024), 20, 1.5, 7.5, "Euler a"),
    # A fine-tune of instruct-pix2pix in the same pipeline at the same 512 px; the code that loads it (MagicBrush's
    # own and others') samples with Euler ancestral and the paper's guidances, so the same values.
    "magicbrush": ModelDefaults(512, (256, 1024), 20, 1.5, 7.5, "Euler a"),
    # Trained at 768 px (its name; diffusers' example resizes to 768). diffusers' docs example uses text guidance
    # 3.0, image guidance 1.5 and 30 steps with the repository's own scheduler. Below 512 px SDXL's pictures fall
    # apart (it never saw such sizes), so the range starts there.
    "sdxl-instructpix2pix-768": ModelDefaults(768, (512, 1024), 30, 1.5, 3.0, None),
    # The public CosXL demo space edits at 1024 px (its size box: 512-1024, default 1024) with guidance 7 and
    # 20 steps and the EDM Euler scheduler (v-prediction, sigma 0.002-120) set at load; its image guidance is the
    # pipeline's default, 1.5.
    "cosxl-edit": ModelDefaults(1024, (512, 1024), 20, 1.5, 7.0, None),
    # The demo model works at its own 64 px (the editor's native size rule); the rest as for instruct-pix2pix.
    "demo": ModelDefaults(64, (64, 1024), 20, 1.5, 7.5, "Euler a"),
    # tiny stands in for instruct-pix2pix in tests and dry runs (its latent is 1/8 of the image, as in SD), so the
    # same values; tiny-xl's sampler is whatever its builder (ip2p_nb/models/tiny.py) gives it, as for the real SDXL models.
    "tiny": ModelDefaults(512, (256, 1024), 20, 1.5, 7.5, "Euler a"),
    "tiny-xl": ModelDefaults(512, (256, 1024), 20, 1.5, 7.5, None),
}
__all__ += ["ModelDefaults", "MODEL_DEFAULTS", "model_defaults"]


def model_defaults(name: str | None) -> ModelDefaults | None:
    """The defaults of catalogue model `name` (short name or hub id, any case); None for any other model."""
    from .models.catalogue import find_model  # noqa: PLC0415

    info = find_model(name or default_model())
    return MODEL_DEFAULTS.get(info.name) if info else None
