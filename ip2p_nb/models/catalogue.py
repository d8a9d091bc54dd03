"""The model catalogue: which InstructPix2Pix-style models ip2p_nb knows by a short name, and what each needs.

`available_models()` lists them as `ModelInfo` entries (name, hub id and revision, pipeline kind, native
size, licence, download size, GPU memory, gated or not, what it is good at); `find_model(name)` gives one
entry by its short name (any case) and `resolve_model(name)` turns what a user typed into the hub id or
path that loading needs, refusing an unknown short name and a gated model without a login in one
sentence each, before anything is downloaded. `model_table()` is the README's Models table.

Every figure has its source in a comment. No machine of this project can reach the Hugging Face hub,
so the repositories' file lists, sizes and licences were read from public copies of their model cards
and from code that loads them; figures that could not be checked are marked "estimate" or "unknown".
Only safetensors are ever loaded: a model whose weights exist only as pickle (.ckpt/.bin) is left out.
"""
import os
from dataclasses import dataclass

from ..errors import UserError

__all__ = ["ModelInfo", "available_models", "find_engine_model", "find_any_model", "translator_repos", "ENGINE_KINDS", "model_names", "find_model", "resolve_model", "hub_page", "access_sentence",
           "model_table", "KINDS", "LEFT_OUT"]

KINDS = ("sd", "sdxl")   # StableDiffusionInstructPix2PixPipeline / StableDiffusionXLInstructPix2PixPipeline
ENGINE_KINDS = ("t2i", "clip", "lm")   # the data engine's: text-to-image (StableDiffusionPipeline), CLIP, a language model
# "translator": the neural Chinese -> English model the translation chain uses (fetched with an editing model from a hub)


@dataclass(frozen=True)
class ModelInfo:
    """One catalogue entry; see `available_models()`."""
    name: str                  # the short name for --model, load_editor() and the app's dropdown
    hub_id: str | None         # the Hugging Face repository; None for the models that are built or shipped here
    revision: str | None       # the branch or PR ref whose files are loaded when not `main` (None: main)
    kind: str                  # "sd" (SD 1.5 pipeline) or "sdxl" (SDXL pipeline); see KINDS
    native_size: int           # the size it was trained at (px, longest side)
    licence: str               # the weights' licence, as the model card names it
    download_gb: float         # approximate download (GB) of the files that are fetched; 0 when nothing is downloaded
    gpu_gb: float              # approximate peak GPU memory (GB) of one float16 edit at native_size
    cpu_gb: float              # approximate peak RAM (GB) of one edit on a CPU (float32 weights, 512 px or native if less)
    gated: bool                # the hub answers only after the licence is accepted and with a login
    good_at: str               # one line for the user choosing
    weights_file: str | None = None   # a single-file checkpoint inside the repository (CosXL); None: a diffusers folder
    measured: str = "estimate"        # how the size/memory figures were obtained: "measured", "estimate" or "unknown"
    modelscope: str | None = None     # its copy's name on ModelScope (modelscope.py), only where verified; None: no copy known


# Why the figures below are what they are:
# - SD 1.5 component files (unet 3,438,167,536 B; text_encoder 492,265,880 B; vae 334,643,276 B in float32 safetensors)
#   are the sizes of the same architecture's files in public "Adding `safetensors` variant" hub commits (e.g.
#   huggingface.co/julien-c/autotrain-dreambooth-marsupilami/commit/f91fddc8...); the InstructPix2Pix UNet differs
#   only by 4 more input channels (+46 KB). So a float32 SD 1.5 InstructPix2Pix download is ~4.3 GB (the safety
#   checker, 1.2 GB more, is fetched only if the repository's model_index.json names it: unknown here).
# - SD 1.5 InstructPix2Pix peaks at 2.7 GB of GPU memory at 512 px in float16 (measured, docs/GPU.md, H100).
# - SDXL: 2.57 G UNet + 0.12 G + 0.69 G text encoders + 0.08 G VAE parameters (diffusers' SDXL configs) = 13.9 GB
#   in float32, 6.9 GB in float16. Peak memory at 768/1024 px is the float16 weights plus activations; it was not
#   measured (no GPU lent to this task): the figures are estimates of weights + ~2 GB.
# - On a CPU, SD 1.5 holds 4.3 GB of float32 weights plus ~1.8 GB of VAE activations at 512 px (FACTS.md; the
#   memory guard's 6.1 GB, defaults.SHARED_DEFAULTS); SDXL's 13.9 GB of float32 weights + ~3 GB is an estimate.
_CATALOGUE = (
    ModelInfo(
        # Model card: license mit (huggingface.co/timbrooks/instruct-pix2pix); diffusers-format safetensors on main
        # (the loopback hub in tests/hub_server.py copies that layout). Download: SD 1.5 sizes above.
        name="instruct-pix2pix", hub_id="timbrooks/instruct-pix2pix", revision=None, kind="sd", native_size=512,
        licence="MIT", download_gb=4.3, gpu_gb=2.7, cpu_gb=6.1, gated=False, measured="measured (GPU memory, docs/GPU.md)",
        good_at="the original InstructPix2Pix (default): global edits, styles, weather, time of day"),
    ModelInfo(
        # vinesmsuic/magicbrush-jul7: the MagicBrush authors' fine-tune of InstructPix2Pix on MagicBrush (paper:
        # arxiv.org/abs/2306.10012; L1 0.0625 vs 0.1122 on its test set). Its main branch has no safetensors; a
        # safetensors conversion sits on the PR revision refs/pr/2 (third-party code that downloads it with
        # safetensors only, found by find_string "vinesmsuic/magicbrush"; not verified against the hub here).
        # osunlp/InstructPix2Pix-MagicBrush ships only .ckpt pickle files: left out (see LEFT_OUT).
        # Licence: the MagicBrush release is CC BY 4.0 (its GitHub README); the weights' card licence is unknown here.
        name="magicbrush", hub_id="vinesmsuic/magicbrush-jul7", revision="refs/pr/2", kind="sd", native_size=512,
        licence="unknown on the model card (MagicBrush data and code: CC BY 4.0)", download_gb=4.3, gpu_gb=2.7,
        cpu_gb=6.1, gated=False, measured="estimate (same architecture as instruct-pix2pix)",
        good_at="local edits (add/remove/change one object) with the rest of the photo kept, from human-made edit pairs"),
    ModelInfo(
        # diffusers' own SDXL InstructPix2Pix at 768 px: licence openrail++ (model card; FACTS.md), diffusers-format
        # safetensors on main (others load it with use_safetensors=True). Sizes: the SDXL parameter counts above.
        name="sdxl-instructpix2pix-768", hub_id="diffusers/sdxl-instructpix2pix-768", revision=None, kind="sdxl",
        native_size=768, licence="CreativeML Open RAIL++-M", download_gb=13.9, gpu_gb=9.0, cpu_gb=17.0, gated=False,
        measured="estimate (parameter counts; not measured)",
        good_at="SDXL quality at 768 px: sharper detail and bigger photos than the SD 1.5 models"),
    ModelInfo(
        # stabilityai/cosxl: gated; "non-commercial community license" (LICENSE in the repository, linked from the
        # public CosXL demo space); single-file `cosxl_edit.safetensors` (SDXL in float16: 6.9 GB by the parameter
        # counts above), loaded with is_cosxl_edit=True and an EDMEulerScheduler (v-prediction, sigma 0.002-120).
        name="cosxl-edit", hub_id="stabilityai/cosxl", revision=None, kind="sdxl", native_size=1024,
        licence="Stability AI non-commercial research community licence", download_gb=6.9, gpu_gb=10.0, cpu_gb=17.0, gated=True,
        weights_file="cosxl_edit.safetensors", measured="estimate (parameter counts; not measured)",
        good_at="the strongest editor here (SDXL, 1024 px, full colour range); non-commercial use only"),
    ModelInfo(
        # assets/demo: trained in this repository (assets/demo/README.md), 11 MB on disk, shipped with the package.
        name="demo", hub_id=None, revision=None, kind="sd", native_size=64, licence="this project's own (trained here)",
        download_gb=0.011, gpu_gb=0.1, cpu_gb=0.1, gated=False, measured="measured (files on disk)",
        good_at="offline demos: edits its own 64 px cartoon scenes (night, snow, colours); meaningless on photos"),
    ModelInfo(
        # ip2p_nb/models/tiny.py: random weights built offline in 0.03 s, 6.6 MB (FACTS.md); UNet sample size 32 with SD's
        # 1/8 latent: 256 px.
        name="tiny", hub_id=None, revision=None, kind="sd", native_size=256, licence="none (random weights built here)",
        download_gb=0.0, gpu_gb=0.01, cpu_gb=0.05, gated=False, measured="measured (FACTS.md)",
        good_at="dry runs and tests of the SD 1.5 path: noise pictures, no download"),
    ModelInfo(
        # ip2p_nb/models/tiny.py build_tiny_xl_pipeline (helper 16a): tiny SDXL components with random weights, built offline;
        # its size assumed like tiny's (to be checked when that branch is merged).
        name="tiny-xl", hub_id=None, revision=None, kind="sdxl", native_size=256, licence="none (random weights built here)",
        download_gb=0.0, gpu_gb=0.01, cpu_gb=0.05, gated=False, measured="estimate (a few MB of random weights)",
        good_at="dry runs and tests of the SDXL path: noise pictures, no download"),
)

# The data engine's models (ip2p_nb/datagen/): what draws the pairs, what filters them, what writes instructions.
# Sizes of hub models are read from public copies of their model cards and file listings (no machine here reaches
# the hub): "estimate" where not checked against the hub's own listing.
_ENGINE = (
    ModelInfo(
        # stable-diffusion-v1-5/stable-diffusion-v1-5: the maintained copy of runwayml's SD 1.5 (the model the paper drew
        # its pairs with); CreativeML OpenRAIL-M; diffusers folders with safetensors and an fp16 variant. Sizes: SD 1.5's
        # component files above (4.3 GB float32, about half in fp16; the safety checker is not loaded for pairs).
        # ModelScope: AI-ModelScope/stable-diffusion-v1-5 is the SD 1.5 base that ModelScope's own code loads (modelscope
        # 1.40 pipelines/multi_modal/text_to_image_freeu_pipeline.py, efficient_stable_diffusion.py); its file list
        # (diffusers folders with safetensors, as runwayml's) was not seen from here.
        name="sd15", hub_id="stable-diffusion-v1-5/stable-diffusion-v1-5", revision=None, kind="t2i", native_size=512,
        licence="CreativeML Open RAIL-M", download_gb=4.3, gpu_gb=2.6, cpu_gb=5.5, gated=False,
        measured="estimate (SD 1.5 file sizes; not downloaded here)", modelscope="AI-ModelScope/stable-diffusion-v1-5",
        good_at="the paper's pairs: photographic pictures of any caption (a GPU draws one pair in seconds)"),
    ModelInfo(
        # assets/demo-t2i: trained here from the demo model's weights on the procedural scenes' captions (its README).
        name="demo-t2i", hub_id=None, revision=None, kind="t2i", native_size=64, licence="this project's own (trained here)",
        download_gb=0.0, gpu_gb=0.1, cpu_gb=0.1, gated=False, measured="measured (files on disk)",
        good_at="the whole engine offline in minutes: draws its own 64 px cartoon scenes from their captions"),
    ModelInfo(
        # ip2p_nb/models/tiny.py build_tiny_t2i_pipeline: the `tiny` components with a 4-channel UNet, random weights.
        name="tiny-t2i", hub_id=None, revision=None, kind="t2i", native_size=256, licence="none (random weights built here)",
        download_gb=0.0, gpu_gb=0.01, cpu_gb=0.05, gated=False, measured="estimate (a few MB of random weights)",
        good_at="tests of the pair drawing: noise pictures, no download"),
    ModelInfo(
        # openai/clip-vit-large-patch14: the paper's filter (metrics/clip_similarity.py uses ViT-L/14); model.safetensors
        # 1.71 GB; the code's licence is MIT (openai/CLIP), the model card names none.
        name="clip-vit-l-14", hub_id="openai/clip-vit-large-patch14", revision=None, kind="clip", native_size=224,
        licence="MIT (openai/CLIP's code licence; the card names none)", download_gb=1.71, gpu_gb=1.0, cpu_gb=2.0,
        gated=False, measured="estimate (model card; not downloaded here)", good_at="the paper's CLIP filter"),
    ModelInfo(
        # openai/clip-vit-base-patch32: a lighter CLIP for CPUs; model.safetensors 605 MB.
        name="clip-vit-b-32", hub_id="openai/clip-vit-base-patch32", revision=None, kind="clip", native_size=224,
        licence="MIT (openai/CLIP's code licence; the card names none)", download_gb=0.61, gpu_gb=0.4, cpu_gb=0.8,
        gated=False, measured="estimate (model card; not downloaded here)", good_at="the filter on a CPU: 5x lighter than ViT-L/14"),
    ModelInfo(
        # assets/demo-clip: a small CLIP trained here on scene pictures and captions (its README).
        name="demo-clip", hub_id=None, revision=None, kind="clip", native_size=64, licence="this project's own (trained here)",
        download_gb=0.0, gpu_gb=0.05, cpu_gb=0.05, gated=False, measured="measured (files on disk)",
        good_at="the filter offline: scores the demo scenes and their captions"),
    ModelInfo(
        # Qwen/Qwen2.5-0.5B-Instruct: Apache-2.0, model.safetensors (bfloat16, ~0.99 GB), trained on Chinese and English
        # among others; loaded without remote code (transformers has the Qwen2 classes).
        name="qwen2.5-0.5b-instruct", hub_id="Qwen/Qwen2.5-0.5B-Instruct", revision=None, kind="lm", native_size=0,
        licence="Apache-2.0", download_gb=0.99, gpu_gb=1.5, cpu_gb=2.5, gated=False,
        measured="estimate (model card; not downloaded here)",
        good_at="writes instructions and edited captions from captions, few-shot in the paper's format (Chinese and English)"),
)

# The neural translator (translation/chain.py's "marian" backend), fetched with an editing model from the same hub.
_TRANSLATORS = (
    ModelInfo(
        # Helsinki-NLP/opus-mt-zh-en: MarianMT, CC-BY-4.0 (model card); ~300 MB of float32 weights (77 M parameters).
        # Only model.safetensors is loaded; whether the repository's main branch has it was not checked from here
        # (Helsinki-NLP/Opus-MT issue #108 asks for safetensors on other pairs): without it the built-in translator stays.
        # Its ModelScope copy's name is not verified, so none is set.
        name="opus-mt-zh-en", hub_id="Helsinki-NLP/opus-mt-zh-en", revision=None, kind="translator", native_size=0,
        licence="CC-BY-4.0", download_gb=0.31, gpu_gb=0.3, cpu_gb=0.6, gated=False,
        measured="estimate (parameter count; not downloaded here)",
        good_at="Chinese -> English edit instructions offline, better than the built-in dictionary on free sentences"),
)

# Models looked at and left out, with the reason (kept here so the choice is visible).
LEFT_OUT = {
    "osunlp/InstructPix2Pix-MagicBrush": "only .ckpt pickle checkpoints (MagicBrush-epoch-*.ckpt): pickle can run code",
}


def available_models(kind: str | None = None) -> list[ModelInfo]:
    """The editing models, default first (`[m.name for m in available_models()]` are the short names); with `kind`
    ("t2i", "clip", "lm": the data engine's; "translator"; or "sd"/"sdxl") the models of that kind."""
    if kind is None:
        return list(_CATALOGUE)
    return [m for m in _CATALOGUE + _ENGINE + _TRANSLATORS if m.kind == kind]


def find_any_model(hub_id: str) -> ModelInfo | None:
    """The entry of any kind (editing, engine, translator) whose hub id is `hub_id` (any case), else None."""
    key = (hub_id or "").strip().lower()
    return next((m for m in _CATALOGUE + _ENGINE + _TRANSLATORS if m.hub_id and m.hub_id.lower() == key), None)


def translator_repos() -> list[str]:
    """The hub ids of the translators fetched with an editing model (empty when IP2P_TRANSLATE_MARIAN=off)."""
    from ..translation.chain import marian_wanted  # noqa: PLC0415

    return [m.hub_id for m in _TRANSLATORS] if marian_wanted() else []


def find_engine_model(name: str, kind: str) -> ModelInfo | None:
    """The data engine's entry of `kind` whose short name or hub id is `name` (any case), else None."""
    key = (name or "").strip().lower()
    return next((m for m in available_models(kind) if key in (m.name, (m.hub_id or "").lower())), None)


def model_names() -> list[str]:
    """The short names, in catalogue order."""
    return [m.name for m in _CATALOGUE]


def find_model(name: str) -> ModelInfo | None:
    """The entry whose short name or hub id is `name` (any case), else None."""
    key = (name or "").strip().lower()
    for m in _CATALOGUE:
        if key == m.name or (m.hub_id and key == m.hub_id.lower()):
            return m
    return None


def hub_page(info: ModelInfo) -> str:
    """The model's page on the hub (where its licence is accepted)."""
    return f"https://huggingface.co/{info.hub_id}"


def access_sentence(info: ModelInfo) -> str:
    """How to get a gated model: accept its licence on its page, then log in (one sentence)."""
    return (f"The model {info.name!r} ({info.hub_id}) is gated: accept its licence on {hub_page(info)} while logged in, "
            "then log in here with `hf auth login` (or set HF_TOKEN to an access token), or choose another model.")


def _has_token() -> bool:
    from huggingface_hub import get_token  # noqa: PLC0415

    return get_token() is not None


def _looks_short(name: str) -> bool:
    """A word such as "magicbrush": no owner/name slash, no path characters, not an existing folder."""
    return "/" not in name and "\\" not in name and not name.startswith((".", "~")) and not os.path.isdir(name)


def resolve_model(name: str) -> tuple[str, ModelInfo | None]:
    """(what to load, catalogue entry or None) for what the user typed: a short name, a hub id or a folder.

    A short name becomes its hub id (or stays "demo"/"tiny"/"tiny-xl"); an unknown short-looking name and a
    gated model with no Hugging Face login are refused in one sentence each, before any download."""
    info = find_model(name)
    if info is None:
        if _looks_short(name):
            raise UserError(f"Unknown model {name!r}; use one of: {', '.join(model_names())}, a hub id such as "
                            "timbrooks/instruct-pix2pix, or a local model folder.")
        return name, None
    if info.gated and not _has_token():
        raise UserError(access_sentence(info))
    return (info.hub_id or info.name), info


def model_table() -> str:
    """The catalogue as a Markdown table (the README's Models section is checked against it)."""
    rows = ["| name | hub id | kind | native size | licence | download | GPU memory (fp16) | good at |",
            "|---|---|---|---|---|---|---|---|"]
    for m in _CATALOGUE:
        where = "built in" if m.hub_id is None else f"`{m.hub_id}`" + (f" @ `{m.revision}`" if m.revision else "") \
            + (f" (`{m.weights_file}`)" if m.weights_file else "") + (" **gated**" if m.gated else "")
        download = "none" if m.download_gb == 0 else (f"{m.download_gb * 1000:.0f} MB" if m.download_gb < 1 else f"~{m.download_gb:g} GB")
        memory = f"{m.gpu_gb * 1000:.0f} MB" if m.gpu_gb < 1 else f"~{m.gpu_gb:g} GB"
        memory += " (estimate)" if m.measured.startswith("estimate") and m.hub_id else ""
        rows.append(f"| `{m.name}` | {where} | {m.kind} | {m.native_size} px | {m.licence} | {download} | {memory} | {m.good_at} |")
    return "\n".join(rows)

