"""The editor: load InstructPix2Pix, edit an image from an instruction, get a reproducible result.

`load_editor()` (load.py) builds the diffusers `StableDiffusionInstructPix2PixPipeline` (or, for SDXL models,
`StableDiffusionXLInstructPix2PixPipeline`) for this machine and wraps it in an `Editor`; `Editor(pipe)`
wraps one you built yourself. `Editor` keeps what a user calls: the settings and their ranges, the
prompt, the prepared image, the caches of prompt embeddings and image latents, and the busy guard.
`Editor.edit` runs the same computation as the pipeline's `__call__` (same noise, same scheduler, same
guidance), so an edit with seed `s` gives the pixels of the plain pipeline called with
`generator=torch.Generator("cpu").manual_seed(s)`, but it

- evaluates only the guidance branches whose weight is not zero (see `branches`),
- reuses the image latents and prompt embeddings of the previous edits,
- validates every setting first and explains every failure in one sentence,
- reports progress each step and stops cleanly when the progress callback raises,
- shows the picture forming: `preview(step, total, image)` every few steps (ip2p_nb/editing/preview.py).

Where the rest is: the denoising loop and its hooks in ip2p_nb/editing/loop.py; what differs between
SD and SDXL in conditioning.py; the mask blend and the paste-back in regions.py; deep-feature reuse in
reuse.py; decoding, VAE tiles and running out of memory in decoding.py; `edit_many`'s seed batches in
many.py. Any scheduler diffusers offers for the pipeline works (`loading.SCHEDULERS` names them).
"""
import gc
import hashlib
import threading
import time
from collections import OrderedDict
from contextlib import contextmanager, nullcontext

import numpy as np
import torch
from PIL import Image

from ..attention import has_processors, record_word_maps
from ..defaults import DEFAULTS, RANGES, REGION_DEFAULTS, check_settings
from ..errors import UserError
from ..models.loading import check_sampler_steps, scheduler_name, set_scheduler
from . import conditioning, decoding, loop, many, prompts, regions
from .decoding import OutOfMemory
from .images import load_image, resize_for_edit
from .loop import EditStopped, branches, random_seed
from .preview import Previews, check_every, fit_latent_rgb
from .preview import cadence as preview_cadence
from .prompts import check_instruction
from .results import EditResult, ItemResult
from .reuse import reuse_hook

__all__ = ["Editor", "EditResult", "EditStopped", "OutOfMemory", "branches", "random_seed", "check_instruction",
           "preview_cadence", "ItemResult"]


def _first(preview):
    """A one-picture `preview(step, total, image)` as the many-seeds `preview(step, total, images)` generate calls."""
    if preview is None:
        return None
    return lambda step, total, images: preview(step, total, images[0])


class Editor:
    """Edits images with an InstructPix2Pix pipeline; see `edit`."""

    def __init__(self, pipe, model_name: str | None = None):
        why = conditioning.check_pipeline(pipe)  # not (SD or SDXL) InstructPix2Pix: inpainting, text-to-image
        if why:
            raise UserError(why)
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
        # The faster engine being prepared beside the editor on a CPU (models/prepare.py; cpu.py starts it), or None:
        # what it made is swapped in at the start of a run, under the lock, never mid-edit.
        self.preparer = None

    # ------------------------------------------------------------------ public
    def edit(self, image, instruction, *, image_guidance=DEFAULTS["image_guidance"],
             text_guidance=DEFAULTS["text_guidance"], steps=None, seed=None,
             max_size=None, progress=None, english=None, preview=None, preview_every=None, mask=None,
             region=None, cache_interval=None, maps=False) -> EditResult:
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
        feather from the mask, or outside the region, keep their exact bytes (the region's edge is feathered inside it).

        `cache_interval` N > 1 computes the UNet's deep features on one step in N and reuses them on the
        others (ip2p_nb/editing/reuse.py): faster, slightly different; None is `default_cache_interval`.

        `maps=True` also records where each word of the English prompt acted (`result.maps`, a WordMaps of
        ip2p_nb/attention/maps.py): cross-attention of the text branch, observed without changing a pixel.
        """
        if cache_interval is None:
            cache_interval = self.default_cache_interval
        steps = self.default_steps if steps is None else steps
        if mask is not None or region is not None:
            return self._edit_part(image, instruction, mask, region, dict(
                image_guidance=image_guidance, text_guidance=text_guidance, steps=steps, seed=seed, max_size=max_size,
                cache_interval=cache_interval), progress, english, preview, preview_every, maps)
        with self.busy():
            start = time.perf_counter()
            # 1. Check inputs at the boundary
            s = self.check_settings(image_guidance=image_guidance, text_guidance=text_guidance, steps=steps,
                                    seed=seed, max_size=max_size, cache_interval=cache_interval)
            check_every(preview_every)
            seed = random_seed() if s["seed"] is None else s["seed"]
            notes = []
            prompt, backend = self.prompt_for(instruction, english, notes)
            # 2. Read and resize the image
            original = self.prepare(image, s["max_size"], notes)
            # 3. Run the model (an out-of-memory error frees memory and suggests a smaller size)
            word_maps = [] if maps else None
            edited = self.generate(original, prompt, [seed], s["image_guidance"], s["text_guidance"], s["steps"],
                                   progress, notes, max_size=s["max_size"], preview=_first(preview), preview_every=preview_every,
                                   cache_interval=s["cache_interval"], word_maps=word_maps)[0]
            return EditResult(edited, original, instruction, prompt, seed, s["image_guidance"], s["text_guidance"],
                              s["steps"], s["max_size"], self.model_name, time.perf_counter() - start, backend, notes,
                              self.sampler, cache_interval=s["cache_interval"], runtime=self.runtime,
                              maps=word_maps[0] if word_maps else None)

    def _edit_part(self, image, instruction, mask, region, settings, progress, english, preview, preview_every, maps=False):
        """`edit` with a mask and/or region: edit a crop at max_size, paste it back into the full-size photo."""

        with self.busy():
            start = time.perf_counter()
            # 1. Check inputs at the boundary: settings, mask, region (all before the model runs)
            s = self.check_settings(**settings)
            check_every(preview_every)
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
            word_maps = [] if maps else None   # of the part the model saw (`crop`), not of the whole photo
            edited = self.generate(original, prompt, [seed], s["image_guidance"], s["text_guidance"], s["steps"], progress,
                                   notes, max_size=s["max_size"], preview=_first(preview), preview_every=preview_every,
                                   mask=small, cache_interval=s["cache_interval"], word_maps=word_maps)[0]
            # 4. Back to the part's size, pasted into the full photo through a soft edge
            result = regions.paste_back(full, edited, crop, region, part_mask)
            return EditResult(result, full, instruction, prompt, seed, s["image_guidance"], s["text_guidance"], s["steps"],
                              s["max_size"], self.model_name, time.perf_counter() - start, backend, notes, self.sampler,
                              None if keep is None else regions.mask_box(keep), region, s["cache_interval"], self.runtime,
                              maps=word_maps[0] if word_maps else None, maps_box=crop if word_maps else None)

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
        return many.edit_many(self, items, seed_batch, progress)

    # ------------------------------------------------------------------ seams for grids, batches and the app
    @contextmanager
    def busy(self):
        """Hold the model for one run; a second run meanwhile is refused in one sentence instead of waiting."""
        if not self._lock.acquire(blocking=False):
            raise UserError("An edit is already running on this model; wait for it to finish or stop it first.")
        try:
            if self.preparer is not None:
                self.preparer.apply()   # OpenVINO or the 8-bit UNet, when made in the background since the last run
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
        checked = check_settings({"max_size": self.size_range}, **settings)
        check_sampler_steps(self.pipe.scheduler, checked.get("steps"), self.sampler)   # PNDM's warm-up needs 4
        return checked

    def prompt_for(self, instruction, english=None, notes=None) -> tuple[str, str]:
        """(English prompt, backend that made it) for `instruction`; `english` overrides the translation.

        Notes for the user (a partial translation, say) are appended to `notes`.
        """
        return prompts.prompt_for(instruction, english, [] if notes is None else notes)

    def prepare(self, image, max_size, notes=None) -> Image.Image:
        """The picture as the model edits it: read (path, bytes, URL or PIL), upright RGB, resized to `max_size`."""
        return resize_for_edit(load_image(image, max_size=max_size, notes=notes), max_size)

    def generate(self, original, prompt, seeds, image_guidance, text_guidance, steps, progress=None, notes=None,
                 max_size=None, preview=None, preview_every=None, mask=None, cache_interval=None, word_maps=None) -> list:
        """One edited picture per seed of the prepared `original`, denoised together as one batch.

        `mask`: a boolean array of `original`'s (height, width), True where the picture may change; the
        rest is blended back in latent space after every step (see regions.blend_latents).
        `cache_interval` N > 1: the deep UNet features are computed on one call in N and reused between
        (None: `default_cache_interval`).

        Settings are taken as given (check them with `check_settings`); call inside `busy()`.
        `preview(step, total, images)` gets one small picture per seed every `preview_every` steps
        (None: as often as costs at most 3% of the time, see `preview_cadence`).
        `word_maps`: a list to which one WordMaps per seed is appended (where each word of `prompt` acted).
        Running out of GPU memory frees the caches and raises `OutOfMemory` with a smaller size to try.
        """
        notes = [] if notes is None else notes
        cache_interval = self.default_cache_interval if cache_interval is None else cache_interval
        try:
            check_every(preview_every)
            watch = None
            if preview is not None:
                self.latent_rgb(None, None)  # fit the map now (once per editor), outside the previews' time budget
                watch = Previews(preview, preview_every, self.latent_rgb, original.size)
            with decoding.vae_tiling(self.pipe, decoding.needs_vae_tiling(self.pipe, original.size, len(seeds))):
                return self._generate(original, prompt, list(seeds), image_guidance, text_guidance, steps, progress,
                                      notes, watch, mask, cache_interval, word_maps)
        except torch.OutOfMemoryError:
            self._free_memory()
            raise decoding.out_of_memory(max_size or max(original.size)) from None  # the size the user chose, for the message

    # ------------------------------------------------------------------ steps
    def _generate(self, original, prompt, seeds, s_i, s_t, steps, progress, notes, watch=None, mask=None, interval=1,
                  word_maps=None):
        """Denoise one latent per seed for the same image and prompt; return PIL images.

        `watch`: the preview hook (preview.Previews) or None; `mask` and `interval` as in `generate`.
        """
        pipe = self.pipe
        device = pipe._execution_device
        needed = branches(s_i, s_t)
        n = len(seeds)
        # 1. Conditioning: prompt embeddings and image latents (cached), stacked in branch order; the guided model
        cond, uncond = self._embeddings(prompt, notes)
        img = self._image_latents(original)
        embeds, unet_kwargs = conditioning.stack(pipe, {"text": cond, "image": uncond, "uncond": uncond}, needed, n, original.size)
        image_in = {"text": img, "image": img, "uncond": torch.zeros_like(img)}
        image_in = torch.cat([image_in[b].expand(n, -1, -1, -1) for b in needed])
        model = loop.Guided(pipe.unet, needed, image_in, embeds, unet_kwargs, s_i, s_t, reuse_hook(pipe.unet, interval, notes))
        # 2. Timesteps and initial noise, drawn exactly as the pipeline draws them
        scheduler = pipe.scheduler
        scheduler.set_timesteps(steps, device=device)
        shape = (n, pipe.vae.config.latent_channels, img.shape[-2], img.shape[-1])
        noise, generator = loop.initial_noise(shape, seeds, device, embeds.dtype)
        # 3. The hooks: the mask blend, the previews, the progress (a callback that raises stops the edit)
        blend = None if mask is None else self._mask_blend(mask, img, noise, notes)
        callbacks = [hook for hook in (watch, loop.progress_hook(progress)) if hook is not None]
        # 4. The denoising loop, with the step's extra arguments as the pipeline passes them (eta 0); the word maps
        #    watch the text branch (the batch's first n rows) when asked for
        watching = None if word_maps is None else self._word_recorder(img.shape[-2:], n, notes)
        with loop.sde_noise_seeded(scheduler, seeds), (watching or nullcontext()) as recorder:
            latents = loop.denoise(model, scheduler, noise * scheduler.init_noise_sigma, steps, blend=blend, callbacks=callbacks,
                                   step_kwargs=pipe.prepare_extra_step_kwargs(generator, 0.0))
        if watching is not None:
            word_maps.extend(recorder.word_maps(pipe.tokenizer, prompt, row=k) for k in range(n))
        # 5. Decode, check and convert
        return decoding.decode(pipe, latents, embeds.dtype, notes)

    def _word_recorder(self, latent_hw, n, notes):
        """The cross-attention recorder of the text branch's n rows (attention/maps.py); torch's UNet only. When the
        faster engine came in the background (models/prepare.py) since the maps were asked for, the edit goes on without
        them and a note says why; an editor put on OpenVINO by hand refuses in one sentence."""
        if not has_processors(self.pipe.unet):
            if self.preparer is not None:
                notes.append("Word maps were not recorded: this edit ran on the faster engine (OpenVINO), made in the "
                             "background, whose compiled graph cannot show its attention.")
                return None
            raise UserError("Word maps need the model running on torch: OpenVINO runs the UNet as a compiled graph whose "
                            "attention cannot be watched; load it with runtime=\"torch\" (--runtime torch) to see them.")
        return record_word_maps(self.pipe.unet, tuple(latent_hw), slice(0, n))

    def _mask_blend(self, mask, img, noise, notes):
        """The mask hook (regions.LatentBlend): the input's scaled latents kept where `mask` is False."""
        m = regions.latent_mask(mask, img.shape[-2:], torch).to(device=img.device, dtype=img.dtype)
        known = conditioning.denoiser_latents(self.pipe, img).expand_as(noise)  # conditioning latents are unscaled (not CosXL's)
        fallback = (f"The sampler {self.sampler} cannot re-noise the kept area, so the mask is applied to the pixels only "
                    "(the edge may show); Euler a blends at every step.")
        return regions.LatentBlend(m, known, noise, self.pipe.scheduler, fallback, notes)

    @property
    def engine_status(self) -> str:
        """One line on the faster engine being prepared in the background ("faster engine: being prepared (2/3: ...)",
        ready, in use, failed with why), or "" when nothing is being prepared (models/prepare.py)."""
        return "" if self.preparer is None else self.preparer.status

    @property
    def runtime(self) -> str:
        """What runs the UNet and VAE: "torch", or "openvino" after runtime.use_openvino."""
        return getattr(self.pipe.unet, "runtime", "torch")

    def latent_rgb(self, latents, size) -> list:
        """Cheap pictures of (scaled) latents through this model's fitted linear map (ip2p_nb/editing/preview.py).

        The map is fitted on the first call; `latents=None` only fits it."""
        if self._latent_rgb is None:
            self._latent_rgb = fit_latent_rgb(self.pipe)
        return [] if latents is None else self._latent_rgb(latents, size)

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

