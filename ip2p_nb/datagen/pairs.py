"""Before and after pictures drawn from one noise with shared attention: the paper's data engine, step 2.

`draw_pair(pipe, caption, edited_caption, seed=, p=, guidance=)` draws both captions with a text-to-image
`StableDiffusionPipeline`, one picture after the other at every step:

1. each picture gets its own generator seeded with `seed`, so both start from the same noise and, with an
   ancestral sampler, draw the same noise at every step (the paper's sampler shares it);
2. at each step the caption's picture (the source) runs first; while sharing is on (the first p of the
   steps, `attention.sharing_on`) the edited caption's picture (the target) reuses its attention:
   `share="self"` (the paper's code), `"cross"` (Prompt-to-Prompt, tokens aligned) or `"both"`;
3. both are decoded as the pipeline decodes.

Each picture's UNet call is the pipeline's own call (classifier-free guidance, batch [empty prompt,
caption]), so with p = 0 the after picture is exactly what `pipe(edited_caption,
generator=torch.Generator("cpu").manual_seed(seed))` draws, and two equal captions give two equal pictures
for every p. (While it is shared, the source's attention is formed by hand, softmax(QK^T)V, so that the target
can take it: the before picture then differs from the pipeline's own by rounding, a level or two.) `draw(pipe, caption, ...)` draws one picture (with its word maps when asked).
`sample_settings(base_seed, n)` draws each sample's seed, p ~ U(0.1, 0.9) and guidance ~ U(7.5, 15).
"""
import copy
import random
from dataclasses import dataclass, field

import torch
from PIL import Image

from ..attention import AttentionSharer, Together, WordMaps, WordMapRecorder, align_tokens, hooked
from ..defaults import DATAGEN_DEFAULTS
from ..errors import UserError

__all__ = ["Sample", "draw_pair", "draw", "sample_settings", "check_pair_settings"]


@dataclass
class Sample:
    """One drawn pair and how it was drawn (the paper's metadata fields, plus the pictures)."""
    seed: int                    # both pictures' noise
    p: float                     # the fraction of the steps that shared attention (the paper's p2p_threshold)
    cfg: float                   # text guidance (the paper's cfg_scale)
    share: str                   # "self", "cross" or "both"
    before: Image.Image          # the caption's picture
    after: Image.Image           # the edited caption's picture
    shared_steps: int = 0        # steps on which attention was shared
    maps: list = field(default_factory=list)  # [WordMaps of before, of after] when asked for


def check_pair_settings(p=0.5, guidance=7.5, steps=20, size=None, share="self") -> None:
    """Refuse, in one sentence each, what the engine cannot draw."""
    if not isinstance(p, (int, float)) or not 0.0 <= p <= 1.0:
        raise UserError(f"`p` (the share of steps with shared attention) must be between 0 and 1, not {p!r}.")
    if not isinstance(guidance, (int, float)) or not 1.0 <= guidance <= 30.0:
        raise UserError(f"`guidance` must be between 1 and 30, not {guidance!r}.")
    if not isinstance(steps, int) or not 1 <= steps <= 200:
        raise UserError(f"`steps` must be a whole number from 1 to 200, not {steps!r}.")
    if size is not None and (not isinstance(size, int) or size < 32 or size > 2048 or size % 8):
        raise UserError(f"`size` must be a multiple of 8 from 32 to 2048 pixels, not {size!r}.")
    if share not in ("self", "cross", "both"):
        raise UserError(f"`share` must be self, cross or both, not {share!r}.")


def sample_settings(base_seed: int, n: int, p_range=None, cfg_range=None) -> list[tuple[int, float, float]]:
    """(seed, p, guidance) of `n` samples, as the paper draws them, reproducibly from `base_seed`."""
    rng = random.Random(base_seed)
    p_lo, p_hi = p_range or DATAGEN_DEFAULTS["p_range"]
    g_lo, g_hi = cfg_range or DATAGEN_DEFAULTS["cfg_range"]
    return [(rng.randrange(2**32), round(rng.uniform(p_lo, p_hi), 4), round(rng.uniform(g_lo, g_hi), 4)) for _ in range(n)]


def _embeddings(pipe, caption, guided):
    """The UNet's text conditioning for `caption`, batch [empty prompt, caption] when guided, as the pipeline forms it."""
    cond, uncond = pipe.encode_prompt(caption, pipe._execution_device, 1, guided, None)
    return torch.cat([uncond, cond]) if guided else cond


def _start(pipe, seed, steps, size, dtype):
    """One picture's sampler state: its own scheduler copy, generator, noise and step arguments."""
    device = pipe._execution_device
    from diffusers.utils.torch_utils import randn_tensor  # noqa: PLC0415

    side = size or pipe.unet.config.sample_size * pipe.vae_scale_factor
    scheduler = copy.deepcopy(pipe.scheduler)
    scheduler.set_timesteps(steps, device=device)
    generator = torch.Generator("cpu").manual_seed(seed)
    shape = (1, pipe.unet.config.in_channels, side // pipe.vae_scale_factor, side // pipe.vae_scale_factor)
    latents = randn_tensor(shape, generator=generator, device=device, dtype=dtype) * scheduler.init_noise_sigma
    return {"scheduler": scheduler, "generator": generator, "latents": latents,
            "extra": pipe.prepare_extra_step_kwargs(generator, 0.0)}


def _decode(pipe, state):
    latents = state["latents"]
    with torch.no_grad():
        image = pipe.vae.decode(latents / pipe.vae.config.scaling_factor, return_dict=False, generator=state["generator"])[0]
    return pipe.image_processor.postprocess(image, output_type="pil", do_denormalize=[True])[0]


def _run(pipe, captions, seed, guidance, steps, size, sharer, recorders, progress):
    """The lockstep loop over both pictures (or one); returns the decoded pictures."""
    guided = guidance > 1.0
    embeds = [_embeddings(pipe, c, guided) for c in captions]
    states = [_start(pipe, seed, steps, size, embeds[0].dtype) for _ in captions]
    timesteps = states[0]["scheduler"].timesteps
    control = Together(sharer)
    with hooked(pipe.unet, control), torch.no_grad():
        for i, t in enumerate(timesteps):
            sharer.step(i, len(timesteps))
            for k, state in enumerate(states):
                # 1. whose call this is: the source (the caption) first, then the target
                sharer.role = "source" if k == 0 else "target"
                control.parts = [sharer] + ([recorders[k]] if recorders else [])
                # 2. the pipeline's own guided noise prediction
                x = torch.cat([state["latents"]] * 2) if guided else state["latents"]
                x = state["scheduler"].scale_model_input(x, t)
                noise = pipe.unet(x, t, encoder_hidden_states=embeds[k], return_dict=False)[0]
                if guided:
                    uncond, cond = noise.chunk(2)
                    noise = uncond + guidance * (cond - uncond)
                # 3. its own scheduler step (its own generator: the same ancestral noise for both)
                state["latents"] = state["scheduler"].step(noise, t, state["latents"], **state["extra"], return_dict=False)[0]
            if progress is not None:
                progress(i + 1, len(timesteps))
    return [_decode(pipe, state) for state in states]


def _recorders(pipe, n, size, guided):
    side = (size or pipe.unet.config.sample_size * pipe.vae_scale_factor) // pipe.vae_scale_factor
    return [WordMapRecorder((side, side), rows=slice(1, 2) if guided else slice(0, 1)) for _ in range(n)]


def draw_pair(pipe, caption: str, edited_caption: str, *, seed: int, p: float, guidance: float = 7.5, steps: int = 20,
              size: int | None = None, share: str = "self", maps: bool = False, progress=None) -> Sample:
    """Before (`caption`) and after (`edited_caption`) from one noise, attention shared for the first p of the steps."""
    check_pair_settings(p, guidance, steps, size, share)
    mapping = align_tokens(pipe.tokenizer, caption, edited_caption) if share != "self" else None
    sharer = AttentionSharer(share, p, mapping)
    recorders = _recorders(pipe, 2, size, guidance > 1.0) if maps else None
    before, after = _run(pipe, [caption, edited_caption], seed, guidance, steps, size, sharer, recorders, progress)
    word_maps = [r.word_maps(pipe.tokenizer, c) for r, c in zip(recorders, (caption, edited_caption))] if maps else []
    return Sample(seed, p, guidance, share, before, after, sharer.shared_steps, word_maps)


def draw(pipe, caption: str, *, seed: int, guidance: float = 7.5, steps: int = 20, size: int | None = None,
         maps: bool = False, progress=None) -> tuple[Image.Image, WordMaps | None]:
    """One picture of `caption` (the pipeline's own drawing for this seed), and where each word acted when `maps`."""
    check_pair_settings(0.0, guidance, steps, size)
    recorders = _recorders(pipe, 1, size, guidance > 1.0) if maps else None
    (image,) = _run(pipe, [caption], seed, guidance, steps, size, AttentionSharer("self", 0.0), recorders, progress)
    return image, (recorders[0].word_maps(pipe.tokenizer, caption) if maps else None)
