"""The denoising loop: one function over the scheduler's timesteps, with hooks at fixed points.

`denoise(model, scheduler, latents, steps, ...)` is the loop of the diffusers pipeline's `__call__`
(its step "Denoising loop"), written as k-diffusion writes a sampler: the loop reads top to bottom,
and what watches or changes it comes in from outside at fixed points:

- `model(x, t)`: the guided noise prediction for the scaled latents `x`. `Guided` builds it: it
  stacks the guidance branches (`branches`: only those whose weight is not zero) into one UNet batch
  and combines them (`combine`); the reuse hook (ip2p_nb/editing/reuse.py) runs the UNet inside it.
- `blend(latents, next_t)`: after each user step, the mask blend (regions.LatentBlend).
- `callbacks`: after each user step, `callback(step, total, x0)`, in order: the previews
  (preview.Previews, which call `x0()` for the clean-latent estimate only when one is due) and the
  progress (`progress_hook`).
- stop: a callback that raises (the progress callback, a kernel interrupt) ends the loop with
  `EditStopped`; nothing is produced.

Schedulers of order 2 (Heun, DPM2, DPM++ SDE) run two timesteps per user step; the hooks run once
per user step, as the pipeline counts its progress.
"""
from contextlib import contextmanager

import torch

from ..defaults import random_seed
from ..errors import EditStopped
from .guidance import branches
from .preview import clean_latent

__all__ = ["EditStopped", "branches", "combine", "Guided", "random_seed", "initial_noise", "sde_noise_seeded", "progress_hook", "denoise"]


def combine(preds: dict, s_i: float, s_t: float) -> torch.Tensor:
    """Apply the guidance formula to the evaluated branches (same arithmetic as diffusers when all 3 run)."""
    e_t, e_i, e_u = preds.get("text"), preds.get("image"), preds.get("uncond")
    if e_i is not None and e_u is not None:
        return e_u + s_t * (e_t - e_i) + s_i * (e_i - e_u)
    if e_i is not None:                     # s_I == 1: e_u has weight 0
        return e_i + s_t * (e_t - e_i)
    if e_u is not None:                     # s_I == s_T: e_I has weight 0
        return e_u + s_t * (e_t - e_u)
    return e_t


class Guided:
    """The model as the loop sees it: scaled latents in, guided noise out (k-diffusion's CFGDenoiser).

    `image_in`: the image latents of every branch, stacked in `needed` order; `embeds` and `unet_kwargs`:
    the text conditioning the same way (conditioning.stack). `reuse(x, t, embeds, unet_kwargs)`, when
    given, runs the UNet instead of a plain call (reuse.ReuseHook).
    """

    def __init__(self, unet, needed, image_in, embeds, unet_kwargs, s_i, s_t, reuse=None):
        self.unet, self.needed, self.image_in, self.embeds, self.unet_kwargs = unet, needed, image_in, embeds, unet_kwargs
        self.s_i, self.s_t, self.reuse = s_i, s_t, reuse

    def __call__(self, x, t):
        x = torch.cat([torch.cat([x] * len(self.needed)), self.image_in], dim=1)
        with torch.no_grad():
            if self.reuse is None:
                noise = self.unet(x, t, encoder_hidden_states=self.embeds, **self.unet_kwargs, return_dict=False)[0]
            else:
                noise = self.reuse(x, t, self.embeds, self.unet_kwargs)
        return combine(dict(zip(self.needed, noise.chunk(len(self.needed)))), self.s_i, self.s_t)


def initial_noise(shape, seeds, device, dtype):
    """(noise, generator): one latent of noise per seed, drawn exactly as the pipeline draws it."""
    from diffusers.utils.torch_utils import randn_tensor  # noqa: PLC0415

    generators = [torch.Generator("cpu").manual_seed(seed) for seed in seeds]
    generator = generators[0] if len(seeds) == 1 else generators
    return randn_tensor(shape, generator=generator, device=device, dtype=dtype), generator


@contextmanager
def sde_noise_seeded(scheduler, seeds):
    """DPM++ SDE draws its noise from its own Brownian tree, not from the generator: seed it with the
    edit's seeds while the loop runs, so that seed + settings still give the same picture."""
    if not hasattr(scheduler, "noise_sampler_seed") or scheduler.noise_sampler_seed is not None:
        yield
        return
    scheduler.noise_sampler_seed = seeds[0] if len(seeds) == 1 else list(seeds)
    try:
        yield
    finally:
        scheduler.noise_sampler_seed = None


def progress_hook(progress):
    """The progress hook: `progress(step, total)` after each user step (None: no hook)."""
    if progress is None:
        return None
    return lambda step, total, x0: progress(step, total)


def _report(callbacks, done, steps, x0) -> None:
    """Every callback after user step `done`; one that raises stops the edit."""
    try:
        for callback in callbacks:
            callback(done, steps, x0)
    except (Exception, KeyboardInterrupt) as e:  # a kernel interrupt stops cleanly too
        raise EditStopped(f"The edit was stopped after step {done} of {steps}.") from e


def denoise(model, scheduler, latents, steps, *, step_kwargs=None, blend=None, callbacks=()):
    """Run `scheduler`'s timesteps (set for `steps` user steps) from the noisy `latents`; return the last latents.

    `step_kwargs`: the scheduler step's extra arguments (the pipeline's `prepare_extra_step_kwargs`).
    """
    timesteps = scheduler.timesteps
    order = getattr(scheduler, "order", 1)
    warmup = len(timesteps) - steps * order
    done = 0
    for i, t in enumerate(timesteps):
        # 1. The guided noise prediction at this timestep
        model_in = scheduler.scale_model_input(latents, t)
        noise = model(model_in, t)
        # 2. The scheduler's step
        out = scheduler.step(noise, t, latents, **(step_kwargs or {}), return_dict=True)
        latents = out.prev_sample
        # 3. At the end of each user step: the mask blend, then the previews and the progress
        if not (i == len(timesteps) - 1 or ((i + 1) > warmup and (i + 1) % order == 0)):
            continue
        done += 1
        if blend is not None:
            latents = blend(latents, timesteps[i + 1] if i + 1 < len(timesteps) else None)
        _report(callbacks, done, steps, lambda: clean_latent(out, scheduler, model_in, noise, t))
    return latents
