"""The `demo-t2i` text-to-image model (assets/demo-t2i) and its recipe (ip2p_nb/train/t2i.py)."""
import json
import random

import numpy as np
import pytest
import torch

from ip2p_nb.errors import UserError
from ip2p_nb.resources import DEMO_DIR
from ip2p_nb.train.recipe import TrainConfig
from ip2p_nb.train.scenes import caption, random_scene, render
from ip2p_nb.train.t2i import (DEMO_T2I_DIR, HELD_OUT_FIRST_SEED, MAX_FILE_BYTES, T2I_DEFAULTS, CaptionData,
                               draw_captions, run_t2i, score_drawings, t2i_quality, text_to_image_unet)


def _load(folder):
    from diffusers import StableDiffusionPipeline

    pipe = StableDiffusionPipeline.from_pretrained(folder, use_safetensors=True, torch_dtype=torch.float32)
    pipe.set_progress_bar_config(disable=True)
    return pipe


def test_shipped_folder_is_a_text_to_image_pipeline_of_small_safetensors():
    index = json.loads((DEMO_T2I_DIR / "model_index.json").read_text())
    assert index["_class_name"] == "StableDiffusionPipeline" and index["requires_safety_checker"] is False
    assert index["safety_checker"] == [None, None] and index["feature_extractor"] == [None, None]
    assert index["scheduler"] == ["diffusers", "EulerAncestralDiscreteScheduler"]
    files = [p for p in DEMO_T2I_DIR.rglob("*") if p.is_file()]
    assert not [p for p in files if p.suffix in (".bin", ".pt", ".pth", ".ckpt", ".pkl")]
    assert all(p.stat().st_size <= MAX_FILE_BYTES for p in files)
    pipe = _load(DEMO_T2I_DIR)
    assert pipe.unet.config.in_channels == 4 and pipe.unet.dtype == torch.float32
    assert pipe.scheduler.config.beta_schedule == "scaled_linear" and pipe.scheduler.config.beta_end == 0.012


def test_shipped_model_draws_a_caption_deterministically():
    pipe = _load(DEMO_T2I_DIR)
    prompt = "a yellow house with a red roof, a tree, a dog at night in winter, with snow"
    draw = lambda: np.asarray(pipe(prompt, height=64, width=64, num_inference_steps=8,  # noqa: E731
                                   generator=torch.Generator().manual_seed(3)).images[0])
    first, second = draw(), draw()
    assert first.shape == (64, 64, 3) and np.array_equal(first, second) and first.std() > 5


@pytest.mark.parametrize("source", ["demo", "random"])
def test_sliced_unet_equals_the_8_channel_unet_with_a_zero_image_latent(source):
    from diffusers import UNet2DConditionModel

    if source == "demo":
        unet8 = UNet2DConditionModel.from_pretrained(DEMO_DIR, subfolder="unet", use_safetensors=True)
    else:
        torch.manual_seed(0)
        unet8 = UNet2DConditionModel(block_out_channels=(16, 32), layers_per_block=1, sample_size=8, in_channels=8,
                                     down_block_types=("CrossAttnDownBlock2D", "DownBlock2D"), norm_num_groups=8,
                                     up_block_types=("UpBlock2D", "CrossAttnUpBlock2D"), cross_attention_dim=16)
        with torch.no_grad():
            unet8.conv_in.bias.normal_()  # a zero bias would hide a forgotten bias copy
    unet8.eval()
    unet4 = text_to_image_unet(unet8).eval()
    assert unet4.config.in_channels == 4 and unet8.config.in_channels == 8  # a new UNet; the old one untouched
    x = torch.randn(2, 4, unet8.config.sample_size, unet8.config.sample_size)
    t, text = torch.tensor([5, 800]), torch.randn(2, 7, unet8.config.cross_attention_dim)
    with torch.no_grad():
        want = unet8(torch.cat([x, torch.zeros_like(x)], dim=1), t, text).sample
        got = unet4(x, t, text).sample
    assert torch.equal(got, want)
    with pytest.raises(UserError):
        text_to_image_unet(unet4)


def test_scores_of_the_truth_are_perfect_and_seeds_are_checked():
    scenes = [random_scene(random.Random(HELD_OUT_FIRST_SEED + i)) for i in range(12)]
    scores = score_drawings(scenes, [render(s, 64)[0] for s in scenes])
    assert scores["n"] == 12 and all(scores[k] == 1.0 for k in ("time", "season", "house", "roof"))
    with pytest.raises(UserError):
        t2i_quality(None, [5])
    with pytest.raises(UserError):
        CaptionData(first_seed=HELD_OUT_FIRST_SEED - 10, count=20)
    image, text = CaptionData()[7]
    assert image.size == (64, 64) and text == caption(random_scene(random.Random(7)))


def test_a_short_training_run_writes_a_loadable_float16_folder(tmp_path):
    cfg = TrainConfig(**{**T2I_DEFAULTS, "batch_size": 2, "warmup_steps": 1}, output_dir=str(tmp_path), max_steps=2)
    folder = run_t2i(cfg)
    assert (tmp_path / "checkpoint-2" / "trainer.json").is_file()
    assert len((tmp_path / "log.jsonl").read_text().splitlines()) == 2
    from safetensors import safe_open

    with safe_open(folder / "unet" / "diffusion_pytorch_model.safetensors", "pt") as f:
        assert f.get_tensor("conv_in.weight").dtype == torch.float16
    assert max(p.stat().st_size for p in folder.rglob("*") if p.is_file()) <= MAX_FILE_BYTES
    pipe = _load(folder)
    scene = random_scene(random.Random(HELD_OUT_FIRST_SEED))
    (image,) = draw_captions(pipe, [scene], steps=2)
    assert image.size == (64, 64)


def test_the_word_house_acts_on_the_house_in_held_out_drawings():
    """Word maps of demo-t2i drawings of held-out scene captions: the map of "house" lies mostly on the house of the
    drawing (DAAM's 0.4 threshold), and even unthresholded its share there is well above the house's share of the picture."""
    from ip2p_nb.bench.datagen import word_on_part
    from ip2p_nb.datagen import load_t2i

    report = word_on_part(load_t2i("demo-t2i"), count=6, steps=12)
    assert report["scenes_mostly_inside_above"] >= 4 and report["mean_above_inside"] > 0.5
    assert report["mean_inside"] > 1.5 * report["mean_area"]


def test_sharing_attention_keeps_what_the_edit_does_not_touch():
    """Held-out scene edits drawn by demo-t2i from one noise: the pair differs less outside the edited part with
    attention shared (p = 0.6) than with only the noise shared (p = 0)."""
    from ip2p_nb.bench.datagen import share_effect
    from ip2p_nb.datagen import load_t2i

    diff = share_effect(load_t2i("demo-t2i"), count=4, p_values=(0.0, 0.6), steps=12)["outside_difference"]
    assert diff["0.6"] < 0.8 * diff["0.0"]
