"""The `fullsize` pipeline: Stable Diffusion 1.5 InstructPix2Pix's exact architecture, random weights.

No machine here can download the real checkpoint, but speed and memory depend on the shapes,
not on the values: this builds the same `UNet2DConditionModel` (859.5 M parameters, 8 input
channels), the same `AutoencoderKL` and the same CLIP ViT-L/14 text tower as
`timbrooks/instruct-pix2pix`, offline, with random weights. Its pictures are noise; its timings
are the real model's. The tokenizer is the tiny byte-level one (its ids are valid in CLIP's
49408-entry vocabulary); tokenizing costs microseconds either way.
"""
import torch

__all__ = ["UNET_CONFIG", "VAE_CONFIG", "TEXT_CONFIG", "build_fullsize_pipeline"]

# Stable Diffusion 1.5's UNet, with the 8 input channels of InstructPix2Pix (4 noise + 4 image latents).
UNET_CONFIG = dict(
    sample_size=64, in_channels=8, out_channels=4, layers_per_block=2,
    block_out_channels=(320, 640, 1280, 1280), cross_attention_dim=768, attention_head_dim=8,
    down_block_types=("CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"),
    up_block_types=("UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"),
)

# Stable Diffusion's VAE: four blocks, so the latent is 1/8 of the image size.
VAE_CONFIG = dict(
    in_channels=3, out_channels=3, latent_channels=4, layers_per_block=2, sample_size=512,
    block_out_channels=(128, 256, 512, 512),
    down_block_types=("DownEncoderBlock2D",) * 4, up_block_types=("UpDecoderBlock2D",) * 4,
)

# CLIP ViT-L/14's text tower, the text encoder of Stable Diffusion 1.x.
TEXT_CONFIG = dict(
    vocab_size=49408, hidden_size=768, intermediate_size=3072, num_hidden_layers=12, num_attention_heads=12,
    max_position_embeddings=77, hidden_act="quick_gelu", projection_dim=768, layer_norm_eps=1e-5,
)


def fullsize_components(seed: int = 0, dtype: torch.dtype = torch.float32) -> dict:
    """The pipeline's components at full size with random weights drawn from `seed`, in `dtype`."""
    from diffusers import AutoencoderKL, EulerAncestralDiscreteScheduler, UNet2DConditionModel  # noqa: PLC0415
    from transformers import CLIPTextConfig, CLIPTextModel  # noqa: PLC0415

    from ..models.tiny import SCHEDULER_CONFIG, tiny_tokenizer  # noqa: PLC0415

    tokenizer = tiny_tokenizer()
    ids = dict(bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id)
    torch.manual_seed(seed)
    unet = UNet2DConditionModel(**UNET_CONFIG)
    torch.manual_seed(seed)
    vae = AutoencoderKL(**VAE_CONFIG)
    torch.manual_seed(seed)
    text_encoder = CLIPTextModel(CLIPTextConfig(**TEXT_CONFIG, **ids))
    for module in (unet, vae, text_encoder):
        module.eval().requires_grad_(False)
        if dtype != torch.float32:  # weights are drawn in float32, then cast, so every dtype sees the same draw
            module.to(dtype)
    scheduler = EulerAncestralDiscreteScheduler(**SCHEDULER_CONFIG)
    return dict(vae=vae, text_encoder=text_encoder, tokenizer=tokenizer, unet=unet, scheduler=scheduler,
                safety_checker=None, feature_extractor=None)


def build_fullsize_pipeline(seed: int = 0, dtype: torch.dtype = torch.float32):
    """A `StableDiffusionInstructPix2PixPipeline` of SD 1.5 InstructPix2Pix's shapes with random weights (~4 GB in float32)."""
    from diffusers import StableDiffusionInstructPix2PixPipeline  # noqa: PLC0415

    pipe = StableDiffusionInstructPix2PixPipeline(**fullsize_components(seed, dtype), requires_safety_checker=False)
    pipe.set_progress_bar_config(disable=True)
    return pipe
