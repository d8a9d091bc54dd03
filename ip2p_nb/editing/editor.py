"""The editor: load InstructPix2Pix, edit an image from an instruction, get a reproducible result.

`load_editor()` builds the diffusers `StableDiffusionInstructPix2PixPipeline` (or, for SDXL models,
`StableDiffusionXLInstructPix2PixPipeline`) for this machine and wraps it in an `Editor`; `Editor(pipe)`
wraps one you built yourself. What differs between SD and SDXL (two text encoders, added
conditions, the VAE's float32 decode, CosXL's scaled image latents) is in ip2p_nb/editing/conditioning.py.
`Editor.edit` runs the same computation as the pipeline's `__call__` (same noise, same scheduler, same
guidance), so an edit with seed `s` gives the pixels of the plain pipeline called with
`generator=torch.Generator("cpu").manual_seed(s)`, but it

- evaluates only the guidance branches whose weight is not zero (see `branches`),
- reuses the image latents and prompt embeddings of the previous edits,
- validates every setting first and explains every failure in one sentence,
- reports progress each step and stops cleanly when the progress callback raises,
- shows the picture forming: `preview(step, total, image)` every few steps (ip2p_nb/editing/preview.py).

Any scheduler diffusers offers for the pipeline works (`loading.SCHEDULERS` names them): the extra
step arguments (`generator`, `eta`) go only to schedulers whose `step` takes them, as the pipeline's
`prepare_extra_step_kwargs` does, and progress counts the user's steps also for schedulers that call
the model twice per step (Heun, DPM2, DPM++ SDE).
"""
import gc
import hashlib
import os
import secrets
import threading
import time
import unicodedata
import warnings
from collections import OrderedDict
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field

import numpy as np
import torch
from PIL import Image

from ..defaults import DEFAULTS, PREVIEW, RANGES, REGION_DEFAULTS, check_settings, default_model, model_defaults
from ..errors import Notice, UserError
from .images import load_image, resize_for_edit
from ..models.loading import load_pipeline, pick_device_dtype, scheduler_name, set_scheduler
from . import conditioning, regions, reuse
from .cpu import apply_cpu_defaults
from .preview import Cadence, estimate_x0, fit_latent_rgb, preview_size

__all__ = ["load_editor", "Editor", "EditResult", "EditStopped", "OutOfMemory", "branches", "random_seed", "check_instruction",
           "preview_cadence"]

# Extra GPU memory of a whole (untiled) fp16 VAE decode of one 1024x1024 picture (docs/GPU.md: 4.5 GB peak
# minus 2.06 GB of weights).
VAE_BYTES_1024 = 2.5e9


class EditStopped(UserError):
    """The run was stopped (the progress callback raised); nothing was produced."""


class OutOfMemory(UserError):
    """The GPU ran out of memory; `suggested_max_size` is the size to retry at."""

    def __init__(self, message, suggested_max_size):
        super().__init__(message)
        self.suggested_max_size = suggested_max_size


@dataclass
class EditResult:
    image: Image.Image          # the edited picture (RGB)
    original: Image.Image       # the input as edited: resized, RGB, same size as `image`
    instruction: str            # as the user typed it
    prompt: str                 # the English prompt the model actually saw
    seed: int
    image_guidance: float
    text_guidance: float
    steps: int
    max_size: int
    model: str
    seconds: float
    backend: str = "english"    # which translator produced `prompt` ("override" when given by hand)
    warnings: list = field(default_factory=list)
    sampler: str = "Euler a"    # the scheduler that ran, in the SD web UI's names (written into the PNG metadata)
    mask_box: tuple | None = None   # with a mask: its bounding box (left, top, right, bottom) in the photo's pixels
    region: tuple | None = None     # with a region: the part edited (left, top, right, bottom) in the photo's pixels
    cache_interval: int = 1         # deep UNet features computed every this many steps (1: every step; reuse.py)
    runtime: str = "torch"          # what ran the UNet and VAE: "torch" or "openvino" (runtime.py)

    @property
    def settings(self) -> dict:
        keys = ("seed", "image_guidance", "text_guidance", "steps", "max_size", "model", "sampler", "cache_interval", "runtime")
        return {k: v for k, v in asdict(self).items() if k in keys}

    def summary(self) -> str:
        w, h = self.image.size
        return (f"{w}x{h}, seed {self.seed}, image guidance {self.image_guidance:g}, text guidance "
                f"{self.text_guidance:g}, {self.steps} step{'s' * (self.steps != 1)}, prompt {self.prompt!r} ({self.backend}), {self.seconds:.1f} s")


@dataclass
class ItemResult:
    """What `Editor.edit_many` yields for each item: the result, or the one sentence saying why it failed."""
    item: dict                      # the item as given (with `seed` filled in)
    result: EditResult | None       # None when the item failed
    error: str | None = None        # one sentence for the user when it failed
    batched: int = 1                # how many seeds shared this item's UNet batch

    @property
    def ok(self) -> bool:
        return self.result is not None


_ITEM_KEYS = ("image", "instruction", "english", "seed", "image_guidance", "text_guidance", "steps", "max_size")
__all__.append("ItemResult")


def _same_but_seed(a: dict, b: dict) -> bool:
    """Whether two `edit_many` items can share one UNet batch: everything equal except the seed."""
    same_image = a.get("image") is b.get("image") or (
        isinstance(a.get("image"), (str, os.PathLike)) and isinstance(b.get("image"), (str, os.PathLike))
        and os.fspath(a["image"]) == os.fspath(b["image"]))
    return same_image and all(a.get(k) == b.get(k) for k in _ITEM_KEYS if k not in ("seed", "image"))


def branches(image_guidance: float, text_guidance: float) -> tuple:
    """The noise predictions the guided noise needs, in the pipeline's batch order.

    Guided noise = e_u + s_T (e_T - e_I) + s_I (e_I - e_u) = (1 - s_I) e_u + (s_I - s_T) e_I + s_T e_T,
    with e_T conditioned on text and image, e_I on the image only, e_u on neither. A branch whose
    weight is zero is not evaluated. As in diffusers, text guidance 1 turns guidance off: e_T only.
    """
    if text_guidance <= 1.0:
        return ("text",)
    needed = ["text"]
    if image_guidance != text_guidance:
        needed.append("image")
    if image_guidance != 1.0:
        needed.append("uncond")
    return tuple(needed)


def _combine(preds: dict, s_i: float, s_t: float) -> torch.Tensor:
    """Apply the guidance formula to the evaluated branches (same arithmetic as diffusers when all 3 run)."""
    e_t, e_i, e_u = preds.get("text"), preds.get("image"), preds.get("uncond")
    if e_i is not None and e_u is not None:
        return e_u + s_t * (e_t - e_i) + s_i * (e_i - e_u)
    if e_i is not None:                     # s_I == 1: e_u has weight 0
        return e_i + s_t * (e_t - e_i)
    if e_u is not None:                     # s_I == s_T: e_I has weight 0
        return e_u + s_t * (e_t - e_u)
    return e_t


def check_instruction(instruction) -> None:
    """Refuse an instruction with nothing visible in it, or with a broken character, in one sentence."""
    if not isinstance(instruction, str) or _blank(instruction):
        raise UserError('The instruction is empty: type what to change, for example "make it snowy" or "把天空换成夜晚".')
    _check_encodable(instruction, "instruction")


def _blank(text: str) -> bool:
    """Nothing visible: only spaces, control characters or invisible format marks (zero-width space, BOM)."""
    return all(ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf") for ch in text)


def _check_encodable(text: str, what: str) -> None:
    """A lone surrogate (a broken emoji from a bad paste) cannot be encoded; the tokenizer would crash on it."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as e:
        raise UserError(f"The {what} contains a broken character ({text[e.start]!r}); type or paste it again.") from None


def random_seed() -> int:
    """A random seed in the seed range; the result always reports the seed used."""
    return secrets.randbelow(2**32)


def _check_pipeline(pipe) -> None:
    """Refuse, in one sentence, a pipeline that is not (SD or SDXL) InstructPix2Pix: inpainting, text-to-image."""
    why = conditioning.check_pipeline(pipe)
    if why:
        raise UserError(why)


def _check_preview_every(preview_every) -> None:
    if preview_every is not None and (isinstance(preview_every, bool) or not isinstance(preview_every, int) or preview_every < 1):
        raise UserError(f"`preview_every` must be a whole number of steps, 1 or more, but got {preview_every!r}.")


def preview_cadence(preview_every=None) -> Cadence:
    """Every `preview_every` steps, or (None) as often as costs at most `PREVIEW["budget"]` of the time (defaults.py)."""
    return Cadence(preview_every, PREVIEW["budget"])


def _x0(out, scheduler, model_in, noise, t):
    """The predicted clean latent: the scheduler's own where its step returns one, else from the noise."""
    x0 = getattr(out, "pred_original_sample", None)
    if x0 is None:
        x0 = getattr(out, "denoised", None)  # LCM and TCD call it so
    return x0 if x0 is not None else estimate_x0(scheduler, model_in, noise, t)


def _first(preview):
    """A one-picture `preview(step, total, image)` as the many-seeds `preview(step, total, images)` generate calls."""
    if preview is None:
        return None
    return lambda step, total, images: preview(step, total, images[0])


def _needs_vae_tiling(pipe, size, batch: int) -> bool:
    """Whether to encode and decode in tiles: only when the whole picture would not fit comfortably.

    On CUDA, from the free memory: a whole fp16 decode of a 1024x1024 picture needs about 2.5 GB
    (measured on an H100, docs/GPU.md), scaling with pixels, batch and bytes per number; tiling costs
    ~10% more time there and changes pixels slightly, so it is used only when memory is short. On a
    CPU or MPS memory is shared with everything else: tile above 768 px, which keeps memory flat.
    """
    if pipe.vae.device.type != "cuda":
        return max(size) > 768
    need = VAE_BYTES_1024 * size[0] * size[1] / 1024**2 * batch * conditioning.vae_itemsize(pipe) / 2
    free, _ = torch.cuda.mem_get_info(pipe.vae.device)
    free += torch.cuda.memory_reserved(pipe.vae.device) - torch.cuda.memory_allocated(pipe.vae.device)
    return need > 0.8 * free


def _set_vae_tiling(pipe, on: bool) -> None:
    if on:
        pipe.vae.enable_tiling()
    else:
        pipe.vae.disable_tiling()


def _next_max_size(max_size: int) -> int:
    """The size to suggest after running out of memory: about 3/4 of the area lost, on a 64 px step."""
    return max(256, (int(max_size * 0.75) // 64) * 64)


class Editor:
    """Edits images with an InstructPix2Pix pipeline; see `edit`."""

    def __init__(self, pipe, model_name: str | None = None):
        _check_pipeline(pipe)
        in_channels = pipe.unet.config.in_channels
        if in_channels != 8:
            raise UserError(
                f"This checkpoint's UNet takes {in_channels} input channels, not 8: it is not an InstructPix2Pix "
                "model (a plain text-to-image model cannot edit); use timbrooks/instruct-pix2pix or another "
                "InstructPix2Pix checkpoint."
            )
        self.pipe = pipe
        # The size the model was trained at: 512 px for Stable Diffusion; 64 px for the toy `demo` model,
        # whose max_size range and default follow it (DEFAULTS and RANGES are for real checkpoints).
        native = pipe.unet.config.sample_size * pipe.vae_scale_factor
        self.size_range = RANGES["max_size"] if native >= RANGES["max_size"][0] else (native, RANGES["max_size"][1])
        self.default_max_size = DEFAULTS["max_size"] if native >= RANGES["max_size"][0] else native
        self.model_name = model_name or getattr(pipe, "name_or_path", None) or pipe.config.get("_name_or_path") or "custom"
        self._lock = threading.Lock()
        self._image_cache = OrderedDict()   # (image digest, size, device, dtype) -> image latents
        self._prompt_cache = OrderedDict()  # text -> (embedding, truncation warning or None)
        self._latent_rgb = None             # the preview's latent -> RGB map, fitted on first use
        # Deep-feature reuse when `edit` is not told (reuse.py): off, so that Editor(pipe) gives the diffusers
        # pipeline's own picture; load_editor sets the CPU default (defaults.CPU_DEFAULTS) for real models.
        self.default_cache_interval = 1
        self.default_steps = DEFAULTS["steps"]   # `edit(steps=None)`; load_editor sets the model's and the CPU's (cpu.py)
        self._parts = None                  # (unet, its split runner) for reuse, made on first use

    # ------------------------------------------------------------------ public
    def edit(self, image, instruction, *, image_guidance=DEFAULTS["image_guidance"],
             text_guidance=DEFAULTS["text_guidance"], steps=None, seed=None,
             max_size=None, progress=None, english=None, preview=None, preview_every=None, mask=None,
             region=None, cache_interval=None) -> EditResult:
        """Edit `image` (PIL image, path or bytes) following `instruction` (Chinese or English).

        `max_size=None` means the model's own size: 512 px (64 for the toy `demo` model).
        `english` overrides the translation of `instruction`. `seed=None` draws a random seed; the
        seed used is in the result. `progress(step, total)` is called after each step; raising from
        it stops the run (`EditStopped`). `preview(step, total, image)` gets a small picture of the
        current estimate of the result every `preview_every` steps (default: as often as costs at most
        3% of the edit's time: every step on a CPU, every few on a fast GPU);
        raising from it stops the run too. Settings outside their range raise `SettingError`.

        Part of the photo (ip2p_nb/editing/regions.py): `mask` (PIL image, array or path; white may change,
        black is kept) and/or `region` ((left, top, right, bottom) in the photo's pixels, or "auto": the
        mask's box plus a margin). With either, the result is the whole photo at its own size, upright,
        with only that part edited (`result.original` is the full-size photo); pixels farther than the
        feather from the mask, or outside the region's context margin, keep their exact bytes.

        `cache_interval` N > 1 computes the UNet's deep features on one step in N and reuses them on the
        others (ip2p_nb/editing/reuse.py): faster, slightly different; None is `default_cache_interval`.
        """
        if cache_interval is None:
            cache_interval = self.default_cache_interval
        steps = self.default_steps if steps is None else steps
        if mask is not None or region is not None:
            return self._edit_part(image, instruction, mask, region, dict(
                image_guidance=image_guidance, text_guidance=text_guidance, steps=steps, seed=seed, max_size=max_size,
                cache_interval=cache_interval), progress, english, preview, preview_every)
        with self.busy():
            start = time.perf_counter()
            # 1. Check inputs at the boundary
            s = self.check_settings(image_guidance=image_guidance, text_guidance=text_guidance, steps=steps,
                                    seed=seed, max_size=max_size, cache_interval=cache_interval)
            _check_preview_every(preview_every)
            seed = random_seed() if s["seed"] is None else s["seed"]
            notes = []
            prompt, backend = self.prompt_for(instruction, english, notes)
            # 2. Read and resize the image
            original = self.prepare(image, s["max_size"], notes)
            # 3. Run the model (an out-of-memory error frees memory and suggests a smaller size)
            edited = self.generate(original, prompt, [seed], s["image_guidance"], s["text_guidance"], s["steps"],
                                   progress, notes, max_size=s["max_size"], preview=_first(preview), preview_every=preview_every,
                                   cache_interval=s["cache_interval"])[0]
            return EditResult(edited, original, instruction, prompt, seed, s["image_guidance"], s["text_guidance"],
                              s["steps"], s["max_size"], self.model_name, time.perf_counter() - start, backend, notes,
                              self.sampler, cache_interval=s["cache_interval"], runtime=self.runtime)

    def _edit_part(self, image, instruction, mask, region, settings, progress, english, preview, preview_every):
        """`edit` with a mask and/or region: edit a crop at max_size, paste it back into the full-size photo."""

        with self.busy():
            start = time.perf_counter()
            # 1. Check inputs at the boundary: settings, mask, region (all before the model runs)
            s = self.check_settings(**settings)
            _check_preview_every(preview_every)
            seed = random_seed() if s["seed"] is None else s["seed"]
            region = regions.parse_region(region)
            if region == "auto" and mask is None:
                raise UserError('region="auto" needs a mask: it is the mask\'s bounding box plus a margin; give a mask or a box.')
            notes = []
            full = load_image(image, notes=notes)  # full resolution, upright (EXIF applied)
            keep = None if mask is None else regions.load_mask(mask, full.size, notes)
            if region == "auto":
                region = regions.auto_region(keep, full.size, REGION_DEFAULTS["auto_min"] or s["max_size"])
            elif region is not None:
                region = regions.check_region(region, full.size)
            crop = (0, 0) + full.size if region is None else regions.context_box(region, full.size)
            prompt, backend = self.prompt_for(instruction, english, notes)
            # 2. The part the model edits, at max_size, and its mask there
            part = full.crop(crop)
            original = self.prepare(part, s["max_size"], notes)
            part_mask = None if keep is None else keep[crop[1]:crop[3], crop[0]:crop[2]]
            if part_mask is not None and not part_mask.any():
                raise UserError(f"The mask lies outside the region {regions.format_box(region)}; move the region over the mask.")
            small = None if part_mask is None else np.asarray(
                Image.fromarray(part_mask.astype(np.uint8) * 255).resize(original.size, Image.Resampling.BILINEAR)) >= 128
            # 3. Run the model (masked: the kept area blended back in latent space at every step)
            edited = self.generate(original, prompt, [seed], s["image_guidance"], s["text_guidance"], s["steps"], progress,
                                   notes, max_size=s["max_size"], preview=_first(preview), preview_every=preview_every,
                                   mask=small, cache_interval=s["cache_interval"])[0]
            # 4. Back to the part's size, pasted into the full photo through a soft edge
            result = regions.paste_back(full, edited, crop, region, part_mask)
            return EditResult(result, full, instruction, prompt, seed, s["image_guidance"], s["text_guidance"], s["steps"],
                              s["max_size"], self.model_name, time.perf_counter() - start, backend, notes, self.sampler,
                              None if keep is None else regions.mask_box(keep), region, s["cache_interval"], self.runtime)

    @property
    def sampler(self) -> str:
        """The pipeline's scheduler in the SD web UI's names ("Euler a", "DPM++ 2M Karras", ...)."""
        return scheduler_name(self.pipe.scheduler)

    def use_scheduler(self, name: str) -> None:
        """Sample the next edits with `name` (an SD web UI name, `available_schedulers()`); refused while a run goes on."""
        with self.busy():
            set_scheduler(self.pipe, name)

    def edit_many(self, items, *, seed_batch=None, progress=None):
        """Edit many items, yielding one `ItemResult` per item, in order; a failed item never stops the rest.

        Each item is a dict with `image` and `instruction`, and optionally `english`, `seed`,
        `image_guidance`, `text_guidance`, `steps`, `max_size` (missing ones take `edit`'s defaults).
        Consecutive items that differ only in seed are denoised together, up to `seed_batch` seeds in
        one UNet batch; if that runs out of memory they are redone one at a time. A broken picture, a
        bad setting or running out of memory on one item becomes that item's `error` sentence.
        `progress(step, total)` is called each step of each group. Stopping (`EditStopped`,
        KeyboardInterrupt) ends the whole run. `seed_batch=None`: `BATCH_DEFAULTS["seed_batch"]` (defaults.py).
        """
        from ..defaults import BATCH_DEFAULTS  # noqa: PLC0415

        seed_batch = BATCH_DEFAULTS["seed_batch"] if seed_batch is None else seed_batch
        group = []
        for item in items:
            item = dict(item)
            unknown = set(item) - set(_ITEM_KEYS)
            if unknown:
                raise UserError(f"Unknown item keys {sorted(unknown)}; an item may have {list(_ITEM_KEYS)}.")
            if item.get("seed") is None:
                item["seed"] = random_seed()
            if group and (len(group) >= max(1, seed_batch) or not _same_but_seed(group[0], item)):
                yield from self._edit_group(group, progress)
                group = []
            group.append(item)
        if group:
            yield from self._edit_group(group, progress)

    def _edit_group(self, group, progress):
        """Yield the results of items that differ only in seed; on out-of-memory, redo them one at a time."""
        results = self._run_group(group, progress)
        if results is None:  # out of memory with several seeds: memory was freed, try one seed at a time
            for item in group:
                yield from self._edit_group([item], progress)
        else:
            yield from results

    def _run_group(self, group, progress):
        """The `ItemResult`s of one group, or None when several seeds together ran out of memory."""
        first = group[0]
        with self.busy():
            start = time.perf_counter()
            notes = []
            try:
                s = self.check_settings(**{k: first.get(k, self.default_steps if k == "steps" else DEFAULTS[k]) for k in ("image_guidance", "text_guidance", "steps")},
                                        max_size=first.get("max_size"))
                for item in group:
                    self.check_settings(seed=item["seed"])
                prompt, backend = self.prompt_for(first.get("instruction"), first.get("english"), notes)
                original = self.prepare(first["image"], s["max_size"], notes)
                images = self.generate(original, prompt, [item["seed"] for item in group], s["image_guidance"],
                                       s["text_guidance"], s["steps"], progress, notes, max_size=s["max_size"])
            except OutOfMemory as e:
                return None if len(group) > 1 else [ItemResult(first, None, str(e))]
            except EditStopped:
                raise
            except UserError as e:
                return [ItemResult(item, None, str(e), len(group)) for item in group]
            except Exception as e:  # noqa: BLE001  (a bug must not lose the rest of a long batch; it is reported)
                return [ItemResult(item, None, f"Unexpected {type(e).__name__} ({e}); this is a bug, please report it.")
                        for item in group]
            seconds = (time.perf_counter() - start) / len(group)
        return [ItemResult(item, EditResult(image, original, first.get("instruction"), prompt, item["seed"], s["image_guidance"],
                                            s["text_guidance"], s["steps"], s["max_size"], self.model_name, seconds, backend,
                                            list(notes)), None, len(group))
                for item, image in zip(group, images)]

    # ------------------------------------------------------------------ seams for grids, batches and the app
    @contextmanager
    def busy(self):
        """Hold the model for one run; a second run meanwhile is refused in one sentence instead of waiting."""
        if not self._lock.acquire(blocking=False):
            raise UserError("An edit is already running on this model; wait for it to finish or stop it first.")
        try:
            yield self
        finally:
            self._lock.release()

    @property
    def running(self) -> bool:
        """Whether an edit (or a grid) holds the model now."""
        return self._lock.locked()

    def check_settings(self, **settings) -> dict:
        """`defaults.check_settings` with this model's own max_size range; `max_size=None` is the model's default."""
        if settings.get("max_size", 0) is None:
            settings["max_size"] = self.default_max_size
        return check_settings({"max_size": self.size_range}, **settings)

    def prompt_for(self, instruction, english=None, notes=None) -> tuple[str, str]:
        """(English prompt, backend that made it) for `instruction`; `english` overrides the translation.

        Notes for the user (a partial translation, say) are appended to `notes`.
        """
        notes = [] if notes is None else notes
        check_instruction(instruction)
        if english is not None:
            if not isinstance(english, str) or _blank(english):
                raise UserError("The English prompt is empty: type the instruction in English, or leave it blank to translate.")
            _check_encodable(english, "English prompt")
            return english.strip(), "override"
        from ..translation import translate  # noqa: PLC0415  (light: no torch)

        t = translate(instruction.strip())
        if t.backend == "none":
            notes.append("The instruction could not be translated to English; it was used as typed. Type the English prompt to fix it.")
        elif not t.complete:
            notes.append(f"Part of the instruction was not understood and stayed in Chinese ({t.text!r}); type the English prompt to fix it.")
        return t.text, t.backend

    def prepare(self, image, max_size, notes=None) -> Image.Image:
        """The picture as the model edits it: read (path, bytes, URL or PIL), upright RGB, resized to `max_size`."""
        return resize_for_edit(load_image(image, max_size=max_size, notes=notes), max_size)

    def generate(self, original, prompt, seeds, image_guidance, text_guidance, steps, progress=None, notes=None,
                 max_size=None, preview=None, preview_every=None, mask=None, cache_interval=None) -> list:
        """One edited picture per seed of the prepared `original`, denoised together as one batch.

        `mask`: a boolean array of `original`'s (height, width), True where the picture may change; the
        rest is blended back in latent space after every step (see regions.blend_latents).
        `cache_interval` N > 1: the deep UNet features are computed on one call in N and reused between
        (None: `default_cache_interval`).

        Settings are taken as given (check them with `check_settings`); call inside `busy()`.
        `preview(step, total, images)` gets one small picture per seed every `preview_every` steps
        (None: as often as costs at most 3% of the time, see `preview_cadence`).
        Running out of GPU memory frees the caches and raises `OutOfMemory` with a smaller size to try.
        """
        notes = [] if notes is None else notes
        cache_interval = self.default_cache_interval if cache_interval is None else cache_interval
        try:
            _check_preview_every(preview_every)
            watch = None
            if preview is not None:
                self.latent_rgb(None, None)  # fit the map now (once per editor), outside the previews' time budget
                watch = (preview, preview_cadence(preview_every))
            tiled = getattr(self.pipe.vae, "use_tiling", False)  # the caller's setting, restored afterwards
            try:
                _set_vae_tiling(self.pipe, _needs_vae_tiling(self.pipe, original.size, len(seeds)))
                return self._generate(original, prompt, list(seeds), image_guidance, text_guidance, steps, progress,
                                      notes, watch, mask, cache_interval)
            finally:
                _set_vae_tiling(self.pipe, tiled)
        except torch.OutOfMemoryError:
            self._free_memory()
            max_size = max_size or max(original.size)  # the setting the user chose, for the message
            smaller = _next_max_size(max_size)
            if smaller >= max_size:  # already the smallest size: a smaller image will not help
                raise OutOfMemory(f"The GPU ran out of memory even at the smallest max_size ({max_size}); memory was freed: "
                                  "close other notebooks or programs using the GPU, then try again.", smaller) from None
            raise OutOfMemory(f"The GPU ran out of memory at max_size {max_size}; memory was freed, try max_size {smaller}.", smaller) from None

    # ------------------------------------------------------------------ steps
    def _generate(self, original, prompt, seeds, s_i, s_t, steps, progress, notes, watch=None, mask=None, interval=1):
        """Denoise one latent per seed for the same image and prompt; return PIL images.

        `watch` is (preview callback, `Cadence`) or None.
        """
        pipe = self.pipe
        device = pipe._execution_device
        needed = branches(s_i, s_t)
        # 1. Conditioning: prompt embeddings and image latents (cached), stacked in branch order
        cond, uncond = self._embeddings(prompt, notes)
        img = self._image_latents(original)
        n = len(seeds)
        embeds, unet_kwargs = conditioning.stack(pipe, {"text": cond, "image": uncond, "uncond": uncond}, needed, n, original.size)
        image_in = {"text": img, "image": img, "uncond": torch.zeros_like(img)}
        image_in = torch.cat([image_in[b].expand(n, -1, -1, -1) for b in needed])
        # 2. Timesteps and initial noise, drawn exactly as the pipeline draws them
        scheduler = pipe.scheduler
        scheduler.set_timesteps(steps, device=device)
        timesteps = scheduler.timesteps
        generators = [torch.Generator("cpu").manual_seed(seed) for seed in seeds]
        generator = generators[0] if n == 1 else generators
        shape = (n, pipe.vae.config.latent_channels, img.shape[-2], img.shape[-1])
        from diffusers.utils.torch_utils import randn_tensor  # noqa: PLC0415

        noise0 = randn_tensor(shape, generator=generator, device=device, dtype=embeds.dtype)
        latents = noise0 * scheduler.init_noise_sigma
        keep = None if mask is None else self._latent_keep(mask, img, noise0, notes)
        # 3. Extra step arguments as the pipeline passes them (eta 0, its default; generator only where step takes it)
        extra = pipe.prepare_extra_step_kwargs(generator, 0.0)
        restore = self._seed_sde_noise(scheduler, seeds)
        schedule = self._reuse(interval, notes)
        # 4. Denoising loop; schedulers of order 2 run two timesteps per user step (the pipeline's own count)
        order = getattr(scheduler, "order", 1)
        warmup = len(timesteps) - steps * order
        done = 0
        try:
            for i, t in enumerate(timesteps):
                model_in = scheduler.scale_model_input(torch.cat([latents] * len(needed)), t)
                noise = self._unet(torch.cat([model_in, image_in], dim=1), t, embeds, schedule, unet_kwargs)
                noise = _combine(dict(zip(needed, noise.chunk(len(needed)))), s_i, s_t)
                out = scheduler.step(noise, t, latents, **extra, return_dict=True)
                latents = out.prev_sample
                if not (i == len(timesteps) - 1 or ((i + 1) > warmup and (i + 1) % order == 0)):
                    continue
                done += 1
                if keep is not None:
                    latents = self._blend(latents, keep, scheduler, timesteps[i + 1] if i + 1 < len(timesteps) else None, notes)
                self._report(watch, progress, done, steps, original.size,
                             lambda: _x0(out, scheduler, model_in[:n], noise, t))
        finally:
            restore()
        # 5. Decode, check and convert
        return self._decode(latents, embeds.dtype, notes)

    def _reuse(self, interval, notes):
        """The deep-feature reuse schedule for one edit (reuse.py), or None for a plain UNet call each step."""
        if interval <= 1:
            return None
        if not (hasattr(self.pipe.unet, "run_parts") or reuse.can_reuse(self.pipe.unet)):
            notes.append("This model's UNet cannot reuse its deep features, so every step ran in full (cache_interval 1).")
            return None
        return reuse.ReuseSchedule(interval)

    def _unet(self, x, t, embeds, schedule, unet_kwargs):
        """One noise prediction: the whole UNet, or (with a reuse schedule) whole or outer blocks only.
        `unet_kwargs`: the pipeline kind's extra arguments (SDXL's `added_cond_kwargs`, conditioning.py)."""
        unet = self.pipe.unet
        with torch.no_grad():
            if schedule is None:
                return unet(x, t, encoder_hidden_states=embeds, **unet_kwargs, return_dict=False)[0]
            if self._parts is None or self._parts[0] is not unet:
                self._parts = (unet, getattr(unet, "run_parts", None) or reuse.UNetParts(unet))
            return schedule.call(self._parts[1], x, t, embeds, unet_kwargs.get("added_cond_kwargs"))

    @property
    def runtime(self) -> str:
        """What runs the UNet and VAE: "torch", or "openvino" after runtime.use_openvino."""
        return getattr(self.pipe.unet, "runtime", "torch")

    def _latent_keep(self, mask, img, noise0, notes):
        """(latent mask, the input's scaled latents, the fixed noise) for the per-step blend."""
        m = regions.latent_mask(mask, img.shape[-2:], torch).to(device=img.device, dtype=img.dtype)
        known = conditioning.denoiser_latents(self.pipe, img).expand_as(noise0)  # conditioning latents are unscaled (not CosXL's)
        return {"mask": m, "known": known, "noise": noise0, "ok": hasattr(self.pipe.scheduler, "add_noise")}

    def _blend(self, latents, keep, scheduler, next_t, notes):
        """One blend step (regions.blend_latents); a scheduler that cannot noise to `next_t` falls back to pixels only."""
        if keep["ok"]:
            try:
                return regions.blend_latents(latents, keep["mask"], keep["known"], keep["noise"], scheduler, next_t)
            except (AttributeError, TypeError, IndexError, ValueError, RuntimeError):
                keep["ok"] = False
        if not keep.get("noted"):
            keep["noted"] = True
            notes.append(f"The sampler {self.sampler} cannot re-noise the kept area, so the mask is applied to the pixels only "
                         "(the edge may show); Euler a blends at every step.")
        return latents

    def _report(self, watch, progress, done, steps, size, x0):
        """Preview (when due) and progress after user step `done`; a callback raising stops the edit."""
        try:
            if watch is not None and watch[1].due(done):
                start = time.perf_counter()
                latent = x0()
                if latent is not None:
                    watch[0](done, steps, self.latent_rgb(latent, preview_size(size, PREVIEW["longest"])))
                watch[1].record(time.perf_counter() - start)
            if progress is not None:
                progress(done, steps)
        except (Exception, KeyboardInterrupt) as e:  # a kernel interrupt stops cleanly too
            raise EditStopped(f"The edit was stopped after step {done} of {steps}.") from e

    def latent_rgb(self, latents, size) -> list:
        """Cheap pictures of (scaled) latents through this model's fitted linear map (ip2p_nb/editing/preview.py).

        The map is fitted on the first call; `latents=None` only fits it."""
        if self._latent_rgb is None:
            self._latent_rgb = fit_latent_rgb(self.pipe)
        return [] if latents is None else self._latent_rgb(latents, size)

    @staticmethod
    def _seed_sde_noise(scheduler, seeds):
        """DPM++ SDE draws its noise from its own Brownian tree, not from the generator: seed it with the
        edit's seeds so that seed + settings still give the same picture. Returns the undo."""
        if not hasattr(scheduler, "noise_sampler_seed") or scheduler.noise_sampler_seed is not None:
            return lambda: None
        scheduler.noise_sampler_seed = seeds[0] if len(seeds) == 1 else list(seeds)

        def restore():
            scheduler.noise_sampler_seed = None
        return restore

    def _decode(self, latents, dtype, notes):
        pipe = self.pipe
        if not torch.isfinite(latents).all():
            raise UserError("The model produced invalid numbers (NaN), usually a float16 overflow; try another seed, "
                            "or load the model with dtype=torch.float32.")
        pixels = conditioning.decode(pipe, latents)
        flagged = None  # SDXL pipelines have no safety checker
        if hasattr(pipe, "run_safety_checker"):
            pixels, flagged = pipe.run_safety_checker(pixels, pipe._execution_device, dtype)
        if flagged is not None and any(flagged):
            notes.append("The safety checker flagged the result and blacked it out; try another instruction or seed.")
        denormalize = [True] * pixels.shape[0] if flagged is None else [not f for f in flagged]
        images = pipe.image_processor.postprocess(pixels, output_type="pil", do_denormalize=denormalize)
        if flagged is None and all(im.getextrema() == ((0, 0), (0, 0), (0, 0)) for im in images):
            notes.append("The result is completely black; try another seed or lower the text guidance.")
        return images

    # ------------------------------------------------------------------ caches
    def _embeddings(self, prompt, notes):
        """(prompt embedding, empty-prompt embedding); each text is encoded once and cached."""
        cond, warning = self._cached_encode(prompt)
        uncond = conditioning.unconditional(self.pipe, cond, lambda text: self._cached_encode(text)[0])
        if warning:
            notes.append(warning)
        return cond, uncond

    def _cached_encode(self, text):
        if text not in self._prompt_cache:
            self._prompt_cache[text] = self._encode(text)
            while len(self._prompt_cache) > 32:
                self._prompt_cache.popitem(last=False)
        self._prompt_cache.move_to_end(text)
        return self._prompt_cache[text]

    def _encode(self, text):
        return conditioning.encode_prompt(self.pipe, text)

    def _image_latents(self, original: Image.Image) -> torch.Tensor:
        """The VAE encoding (mode of the posterior, as the pipeline does) of the resized input, cached."""
        pipe = self.pipe
        device, dtype = pipe._execution_device, conditioning.embed_dtype(pipe)
        tiled = bool(getattr(pipe.vae, "use_tiling", False))  # tiled and whole encodings differ slightly
        key = (hashlib.sha1(original.tobytes()).hexdigest(), original.size, str(device), str(dtype), tiled)
        if key not in self._image_cache:
            pixels = pipe.image_processor.preprocess(original).to(device=device, dtype=dtype)
            latents = conditioning.encode_image(pipe, pixels)
            self._image_cache[key] = latents
            while len(self._image_cache) > 4:
                self._image_cache.popitem(last=False)
        return self._image_cache[key]

    def _free_memory(self):
        self._image_cache.clear()
        self._prompt_cache.clear()
        gc.collect()
        if torch.cuda.is_available():
            torch.cuda.empty_cache()


def _announce(text: str) -> None:
    warnings.warn(text, Notice, stacklevel=4)


def load_editor(model: str | None = None, device=None, dtype=None, scheduler: str | None = None,
                download_progress=None, notify=None, runtime: str | None = None) -> Editor:
    """Load an InstructPix2Pix model and wrap it in an `Editor`.

    `model`: a hub id (default `timbrooks/instruct-pix2pix`, or `$IP2P_MODEL`), a local directory,
    `demo` (the toy model trained in this repo) or `tiny` (random weights, for offline dry runs).
    `device`: CUDA, then Apple MPS, then CPU when not given. `dtype`: float16 on CUDA; on a CPU bfloat16
    where it is native (about twice as fast; `tiny` and `demo` stay float32), else float32.
    `scheduler`: a sampler by its SD web UI name (`available_schedulers()`); default "Euler a".
    `download_progress(done_bytes, total_bytes)` follows a first download from the hub; `notify(text)` gets its
    one-line announcements (endpoint, files and size; default: a `Notice` warning).
    `runtime`: "torch" or "openvino" (ip2p_nb/models/runtime.py); None picks OpenVINO on a CPU where it is installed
    (converted once per model, about a minute, then kept on disk), torch on GPUs and for the toy models.
    A full-size model on a CPU gets the CPU defaults (defaults.CPU_DEFAULTS: sampler, steps, feature reuse; editing/cpu.py)
    unless `scheduler` is given, which keeps that sampler; `edit()` without settings then uses them.
    """
    from ..models.runtime import heavy, pick_runtime, supports_openvino, use_openvino  # noqa: PLC0415

    name = model or default_model()
    device, dtype = pick_device_dtype(device, dtype, name)
    asked, runtime = runtime, pick_runtime(runtime, device, name)  # a bad choice fails before anything is loaded
    pipe = load_pipeline(name, device, dtype, scheduler=scheduler, progress=download_progress, notify=notify)
    full_size_cpu = device.type == "cpu" and heavy(pipe)  # the toy models take a second anyway: kept exact
    if runtime == "openvino" and (asked or (full_size_cpu and supports_openvino(pipe))):  # chosen for you: where it helps
        use_openvino(pipe, notify=notify or _announce)
    editor = Editor(pipe, model_name=name)
    own = model_defaults(name)  # a catalogue model's own size (SDXL 768: 768 px; defaults.MODEL_DEFAULTS has the reasons)
    if own is not None:
        editor.size_range, editor.default_max_size, editor.default_steps = tuple(own.size_range), own.max_size, own.steps
    if full_size_cpu:
        apply_cpu_defaults(editor, keep_sampler=scheduler is not None, notify=notify or _announce)
    return editor
