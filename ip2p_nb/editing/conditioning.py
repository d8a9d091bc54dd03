"""What the UNet sees besides the noisy latent, for each kind of InstructPix2Pix pipeline.

The editor's loop is the same for every model; what differs is here, one function per job, each
doing for SD 1.x/2.x and for SDXL exactly what that diffusers pipeline's `__call__` does:

- `encode_prompt`: SD: the CLIP text encoder's last hidden state. SDXL: the second-to-last hidden
  states of both text encoders side by side, plus the pooled (projected) embedding of the second.
- `unconditional`: the empty prompt's conditioning. SDXL with `force_zeros_for_empty_prompt` (its
  default) uses zeros, as its pipeline does, instead of encoding "".
- `stack`: the batch of conditionings in branch order, and the UNet's extra arguments: for SDXL
  `added_cond_kwargs` (pooled text and six "time ids": original size, crop's top-left, target size).
- `encode_image` / `denoiser_latents`: the input photo's latents. SDXL's VAE runs in float32 when
  loaded in float16 (`force_upcast`: it overflows in half precision). CosXL Edit (`is_cosxl_edit`)
  feeds them scaled by the VAE's scaling factor; the others unscaled.
- `decode`: latents to pixels (float32 VAE for SDXL where forced; SDXL's latent mean/std when set;
  the invisible watermark when the pipeline has one).

The batch order is the same for both: [text + image, image only, neither], with the empty prompt's
conditioning for the last two, and zero image latents for the last.
"""
from contextlib import contextmanager
from dataclasses import dataclass

import torch

from ..models.samplers import is_edm  # noqa: F401  (re-exported: the editor's modules ask here)

__all__ = ["COSXL_SCHEDULER", "XLText", "is_xl", "is_edm", "check_pipeline", "embed_dtype", "encode_prompt", "unconditional",
           "stack", "upcast_vae", "vae_itemsize", "encode_image", "denoiser_latents", "decode"]

# CosXL Edit's sampler: EDM Euler, v-prediction, sigma_data 1 and the "exponential" sigma schedule (diffusers'
# name for CosXL's cosine-continuous schedule, see EDMEulerScheduler's docstring), sigmas 0.002-120 as Stability's
# model card and diffusers' issue #7621 set them.
COSXL_SCHEDULER = dict(sigma_min=0.002, sigma_max=120.0, sigma_data=1.0, prediction_type="v_prediction",
                       sigma_schedule="exponential")


@dataclass(frozen=True)
class XLText:
    """One prompt's SDXL conditioning."""
    embeds: torch.Tensor   # (1, tokens, width 1 + width 2): both encoders' second-to-last hidden states
    pooled: torch.Tensor   # (1, projection): the second encoder's projected text embedding


def is_xl(pipe) -> bool:
    """Whether `pipe` is an SDXL InstructPix2Pix pipeline (SDXL InstructPix2Pix, CosXL Edit)."""
    from diffusers import StableDiffusionXLInstructPix2PixPipeline  # noqa: PLC0415

    return isinstance(pipe, StableDiffusionXLInstructPix2PixPipeline)


def check_pipeline(pipe) -> str | None:
    """None when `pipe` is an (SD or SDXL) InstructPix2Pix pipeline the editor can drive, else why not (one sentence)."""
    from diffusers import StableDiffusionInstructPix2PixPipeline  # noqa: PLC0415

    if not isinstance(pipe, StableDiffusionInstructPix2PixPipeline) and not is_xl(pipe):
        return (f"Editor takes a StableDiffusionInstructPix2PixPipeline or StableDiffusionXLInstructPix2PixPipeline, but got a "
                f"{type(pipe).__name__}; load an InstructPix2Pix checkpoint with load_editor() or "
                "StableDiffusionInstructPix2PixPipeline.from_pretrained() (SDXL: StableDiffusionXLInstructPix2PixPipeline).")
    if is_xl(pipe):
        embedding = getattr(pipe.unet, "add_embedding", None)
        projection = pipe.text_encoder_2.config.projection_dim if pipe.text_encoder_2 is not None else None
        time_dim = pipe.unet.config.addition_time_embed_dim
        if embedding is None or projection is None or time_dim is None or \
                embedding.linear_1.in_features != 6 * time_dim + projection:
            return ("This SDXL checkpoint's UNet does not take SDXL's added conditions (pooled text and 6 size numbers) "
                    "that its text encoders give; its configuration is broken or it is not an SDXL InstructPix2Pix model.")
    return None


def embed_dtype(pipe) -> torch.dtype:
    """The dtype of the prompt embeddings, and so of the noise and the image latents (as each pipeline casts them)."""
    if is_xl(pipe):
        return pipe.text_encoder_2.dtype if pipe.text_encoder_2 is not None else pipe.unet.dtype
    return pipe.text_encoder.dtype


def _truncation(tok, text, ids) -> str | None:
    full = tok(text, return_tensors="pt").input_ids
    if full.shape[-1] <= ids.shape[-1]:
        return None
    cut = tok.decode(full[0, tok.model_max_length - 1:-1])
    return f"The prompt is longer than the model's {tok.model_max_length}-token limit; this end was ignored: {cut!r}."


def _ids(tok, text):
    return tok(text, padding="max_length", max_length=tok.model_max_length, truncation=True, return_tensors="pt").input_ids


def encode_prompt(pipe, text: str):
    """(conditioning of `text`, truncation warning or None): a tensor for SD, an `XLText` for SDXL."""
    if not is_xl(pipe):
        tok = pipe.tokenizer
        ids = _ids(tok, text)
        warning = _truncation(tok, text, ids)
        with torch.no_grad():
            embeds = pipe.text_encoder(ids.to(pipe._execution_device))[0]
        return embeds.to(dtype=pipe.text_encoder.dtype), warning
    pairs = [(tok, enc) for tok, enc in ((pipe.tokenizer, pipe.text_encoder), (pipe.tokenizer_2, pipe.text_encoder_2))
             if tok is not None and enc is not None]
    hidden, pooled, warning = [], None, None
    for tok, enc in pairs:
        ids = _ids(tok, text)
        warning = warning or _truncation(tok, text, ids)
        with torch.no_grad():
            out = enc(ids.to(pipe._execution_device), output_hidden_states=True)
        if pooled is None and out[0].ndim == 2:  # the pooled output: the projecting encoder's first output
            pooled = out[0]
        hidden.append(out.hidden_states[-2])
    embeds = torch.concat(hidden, dim=-1).to(dtype=embed_dtype(pipe), device=pipe._execution_device)
    return XLText(embeds, pooled), warning


def unconditional(pipe, cond, encode):
    """The empty prompt's conditioning: zeros like `cond` for SDXL with `force_zeros_for_empty_prompt`, else `encode("")`."""
    if is_xl(pipe) and pipe.config.force_zeros_for_empty_prompt:
        return XLText(torch.zeros_like(cond.embeds), torch.zeros_like(cond.pooled))
    return encode("")


def stack(pipe, per_branch: dict, needed: tuple, n: int, size: tuple):
    """(text conditioning of the UNet batch, extra UNet keyword arguments), branch by branch, `n` seeds each.

    `per_branch` maps a branch name to its conditioning; `size` is the picture's (width, height)."""
    if not is_xl(pipe):
        return torch.cat([per_branch[b].expand(n, -1, -1) for b in needed]), {}
    embeds = torch.cat([per_branch[b].embeds.expand(n, -1, -1) for b in needed])
    pooled = torch.cat([per_branch[b].pooled.expand(n, -1) for b in needed])
    width, height = size
    # original size, crop's top-left, target size (height first): the picture as it is, uncropped
    time_ids = torch.tensor([[height, width, 0, 0, height, width]], dtype=embeds.dtype).to(embeds.device)
    added = {"text_embeds": pooled.to(embeds.device), "time_ids": time_ids.repeat(n * len(needed), 1)}
    return embeds, {"added_cond_kwargs": added}


def _upcast(pipe) -> bool:
    return is_xl(pipe) and pipe.vae.dtype == torch.float16 and bool(getattr(pipe.vae.config, "force_upcast", False))


@contextmanager
def upcast_vae(pipe):
    """Run the VAE in float32 where the SDXL pipeline does (float16 VAE with `force_upcast`); yields the VAE's dtype then."""
    if not _upcast(pipe):
        yield pipe.vae.dtype
        return
    pipe.vae.to(dtype=torch.float32)
    try:
        yield torch.float32
    finally:
        pipe.vae.to(dtype=torch.float16)


def vae_itemsize(pipe) -> int:
    """Bytes per number of the VAE's work (4 where SDXL's VAE is upcast to float32)."""
    return 4 if _upcast(pipe) else pipe.vae.dtype.itemsize


def encode_image(pipe, pixels: torch.Tensor) -> torch.Tensor:
    """The conditioning latents of preprocessed `pixels` (mode of the posterior), as the pipeline computes them."""
    if not is_xl(pipe):
        with torch.no_grad():
            return pipe.vae.encode(pixels).latent_dist.mode()
    vae_dtype = pipe.vae.dtype
    with torch.no_grad(), upcast_vae(pipe) as dtype:
        latents = pipe.vae.encode(pixels.to(dtype)).latent_dist.mode()
    latents = latents.to(dtype=vae_dtype)
    if getattr(pipe, "is_cosxl_edit", False):
        latents = latents * pipe.vae.config.scaling_factor
    return latents


def _mean_std(pipe, like):
    config = pipe.vae.config
    if getattr(config, "latents_mean", None) is None or getattr(config, "latents_std", None) is None:
        return None
    mean = torch.tensor(config.latents_mean).view(1, -1, 1, 1).to(like.device, like.dtype)
    std = torch.tensor(config.latents_std).view(1, -1, 1, 1).to(like.device, like.dtype)
    return mean, std


def denoiser_latents(pipe, image_latents: torch.Tensor) -> torch.Tensor:
    """`encode_image`'s latents in the denoiser's space (scaled), for blending a mask's kept part back in."""
    if is_xl(pipe) and getattr(pipe, "is_cosxl_edit", False):
        return image_latents  # already scaled
    stats = _mean_std(pipe, image_latents) if is_xl(pipe) else None
    if stats is not None:
        return (image_latents - stats[0]) * pipe.vae.config.scaling_factor / stats[1]
    return image_latents * pipe.vae.config.scaling_factor


def decode(pipe, latents: torch.Tensor) -> torch.Tensor:
    """Pixels in [-1, 1] of (scaled) `latents`, as the pipeline decodes them (before its safety checker, if any)."""
    if not is_xl(pipe):
        with torch.no_grad():
            return pipe.vae.decode(latents / pipe.vae.config.scaling_factor, return_dict=False)[0]
    with torch.no_grad(), upcast_vae(pipe) as dtype:
        latents = latents.to(dtype)
        stats = _mean_std(pipe, latents)
        if stats is not None:
            latents = latents * stats[1] / pipe.vae.config.scaling_factor + stats[0]
        else:
            latents = latents / pipe.vae.config.scaling_factor
        pixels = pipe.vae.decode(latents, return_dict=False)[0]
    if getattr(pipe, "watermark", None) is not None:
        pixels = pipe.watermark.apply_watermark(pixels)
    return pixels
