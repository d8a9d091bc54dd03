"""The `tiny` pipeline: the real InstructPix2Pix classes with small random weights, built offline.

No machine here can download model weights, so every code path (editor, command line,
notebook, browser tests, CI) runs on this: a `StableDiffusionInstructPix2PixPipeline` made
of a real `UNet2DConditionModel` (8 input channels), `AutoencoderKL`, `CLIPTextModel`,
`CLIPTokenizer` and `EulerAncestralDiscreteScheduler`, only much smaller. It builds in a
few hundredths of a second and is deterministic (same `seed`, same weights). Its output is
noise: it proves the plumbing, not the picture. As in Stable Diffusion, the latent is an eighth
of the image size.

`tiny-xl` (`build_tiny_xl_pipeline`) is the same for SDXL: a `StableDiffusionXLInstructPix2PixPipeline`
with two text encoders (`CLIPTextModel` and `CLIPTextModelWithProjection`, side by side as the UNet's
context), a UNet that takes SDXL's added conditions (`addition_embed_type="text_time"`: the pooled
text embedding and six size numbers), and SDXL's VAE settings (scaling factor 0.13025, float32
decode forced). With `cosxl=True` it is set up as CosXL Edit: image latents scaled, EDM scheduler.
"""
import json
import tempfile
from pathlib import Path

import torch

__all__ = ["build_tiny_pipeline", "build_tiny_t2i_pipeline", "tiny_components", "TINY_NOTE", "build_tiny_xl_pipeline", "tiny_xl_components", "TINY_XL_NOTE"]

TINY_NOTE = "The `tiny` model has random weights: its pictures are noise, it only checks that everything runs."
TINY_XL_NOTE = "The `tiny-xl` model has random weights: its pictures are noise, it only checks that the SDXL path runs."

# Stable Diffusion 1.x noise schedule, so the scheduler behaves exactly as with the real model.
SCHEDULER_CONFIG = dict(beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear", num_train_timesteps=1000)


def _byte_alphabet() -> list[str]:
    """The 256 printable stand-ins for bytes used by byte-level BPE (CLIP's and GPT-2's scheme)."""
    keep = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    chars, extra = [], 0
    for b in range(256):
        if b in keep:
            chars.append(chr(b))
        else:
            chars.append(chr(256 + extra))
            extra += 1
    return chars


def tiny_tokenizer():
    """A CLIP tokenizer whose vocabulary is single bytes (with and without the word-end mark)."""
    from transformers import CLIPTokenizer

    alphabet = _byte_alphabet()
    tokens = alphabet + [c + "</w>" for c in alphabet] + ["<|startoftext|>", "<|endoftext|>"]
    vocab = {tok: i for i, tok in enumerate(tokens)}
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "vocab.json").write_text(json.dumps(vocab), encoding="utf-8")
        Path(tmp, "merges.txt").write_text("#version: 0.2\n", encoding="utf-8")
        tokenizer = CLIPTokenizer.from_pretrained(tmp, model_max_length=77)
    return tokenizer


def tiny_components(seed: int = 0, in_channels: int = 8) -> dict:
    """The pipeline's components with random weights drawn from `seed` (`in_channels` 4: a text-to-image UNet)."""
    from diffusers import AutoencoderKL, EulerAncestralDiscreteScheduler, UNet2DConditionModel
    from transformers import CLIPTextConfig, CLIPTextModel

    torch.manual_seed(seed)
    unet = UNet2DConditionModel(
        block_out_channels=(32, 64), layers_per_block=1, sample_size=32, in_channels=in_channels, out_channels=4,
        down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"), up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
        cross_attention_dim=32, attention_head_dim=8, norm_num_groups=8,
    )
    torch.manual_seed(seed)
    # Four VAE blocks, as in Stable Diffusion: the latent is 1/8 of the image, so a 512 px edit stays fast.
    vae = AutoencoderKL(
        block_out_channels=(8, 8, 16, 16), in_channels=3, out_channels=3, latent_channels=4, norm_num_groups=8,
        layers_per_block=1, down_block_types=("DownEncoderBlock2D",) * 4, up_block_types=("UpDecoderBlock2D",) * 4,
    )
    torch.manual_seed(seed)
    tokenizer = tiny_tokenizer()
    text_config = CLIPTextConfig(
        bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id,
        hidden_size=32, intermediate_size=37, num_attention_heads=4, num_hidden_layers=2,
        vocab_size=len(tokenizer), max_position_embeddings=77, layer_norm_eps=1e-5,
    )
    text_encoder = CLIPTextModel(text_config)
    scheduler = EulerAncestralDiscreteScheduler(**SCHEDULER_CONFIG)
    return dict(vae=vae, text_encoder=text_encoder, tokenizer=tokenizer, unet=unet, scheduler=scheduler,
                safety_checker=None, feature_extractor=None)


def build_tiny_pipeline(seed: int = 0):
    """A `StableDiffusionInstructPix2PixPipeline` of the real classes with small random weights."""
    from diffusers import StableDiffusionInstructPix2PixPipeline

    pipe = StableDiffusionInstructPix2PixPipeline(**tiny_components(seed), requires_safety_checker=False)
    pipe.set_progress_bar_config(disable=True)
    return pipe


def build_tiny_t2i_pipeline(seed: int = 0):
    """A text-to-image `StableDiffusionPipeline` of the same tiny components (a UNet with 4 input channels):
    what the data engine draws pairs with in tests (`tiny-t2i`)."""
    from diffusers import StableDiffusionPipeline

    pipe = StableDiffusionPipeline(**tiny_components(seed, in_channels=4), requires_safety_checker=False)
    pipe.set_progress_bar_config(disable=True)
    return pipe


def tiny_xl_components(seed: int = 0) -> dict:
    """SDXL InstructPix2Pix components with random weights drawn from `seed` (as diffusers' own fast SDXL tests build them)."""
    from diffusers import AutoencoderKL, EulerAncestralDiscreteScheduler, UNet2DConditionModel
    from transformers import CLIPTextConfig, CLIPTextModel, CLIPTextModelWithProjection

    torch.manual_seed(seed)
    # Context = both encoders' hidden states side by side (32 + 48); added embedding = 6 time ids x 8 + pooled 32.
    unet = UNet2DConditionModel(
        block_out_channels=(32, 64), layers_per_block=1, sample_size=32, in_channels=8, out_channels=4,
        down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"), up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
        attention_head_dim=(2, 4), use_linear_projection=True, addition_embed_type="text_time", addition_time_embed_dim=8,
        transformer_layers_per_block=(1, 2), projection_class_embeddings_input_dim=6 * 8 + 32, cross_attention_dim=32 + 48,
        norm_num_groups=8,
    )
    torch.manual_seed(seed)
    vae = AutoencoderKL(
        block_out_channels=(8, 8, 16, 16), in_channels=3, out_channels=3, latent_channels=4, norm_num_groups=8,
        layers_per_block=1, down_block_types=("DownEncoderBlock2D",) * 4, up_block_types=("UpDecoderBlock2D",) * 4,
        scaling_factor=0.13025, force_upcast=True,  # SDXL's VAE: its own scale; decoded in float32 when loaded in float16
    )
    tokenizer = tiny_tokenizer()
    text_config = dict(
        bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id,
        hidden_size=32, intermediate_size=37, num_attention_heads=4, num_hidden_layers=3, hidden_act="gelu",
        vocab_size=len(tokenizer), max_position_embeddings=77, layer_norm_eps=1e-5, projection_dim=32,
    )
    torch.manual_seed(seed)
    text_encoder = CLIPTextModel(CLIPTextConfig(**text_config))
    torch.manual_seed(seed + 1)
    # wider than the first, as in SDXL (768 and 1280): single-file loading tells the two apart by width
    text_encoder_2 = CLIPTextModelWithProjection(CLIPTextConfig(**{**text_config, "hidden_size": 48}))
    scheduler = EulerAncestralDiscreteScheduler(**SCHEDULER_CONFIG, steps_offset=1, timestep_spacing="leading")
    return dict(vae=vae, text_encoder=text_encoder, text_encoder_2=text_encoder_2, tokenizer=tokenizer,
                tokenizer_2=tiny_tokenizer(), unet=unet, scheduler=scheduler)


def build_tiny_xl_pipeline(seed: int = 0, cosxl: bool = False):
    """A `StableDiffusionXLInstructPix2PixPipeline` of the real classes with small random weights.

    `cosxl=True`: set up as CosXL Edit (`is_cosxl_edit`, the EDM Euler scheduler with CosXL's settings)."""
    from diffusers import EDMEulerScheduler, StableDiffusionXLInstructPix2PixPipeline

    from ..editing.conditioning import COSXL_SCHEDULER  # noqa: PLC0415

    components = tiny_xl_components(seed)
    if cosxl:
        components["scheduler"] = EDMEulerScheduler(**COSXL_SCHEDULER)
    pipe = StableDiffusionXLInstructPix2PixPipeline(**components, add_watermarker=False, is_cosxl_edit=cosxl)
    pipe.set_progress_bar_config(disable=True)
    return pipe
