"""The training recipe, the loop's checkpoints, and the demo model that ships in assets/demo."""
import json
from pathlib import Path

import numpy as np
import pytest
import torch

from ip2p_nb.errors import UserError
from ip2p_nb.train.scenes import make_pair
from ip2p_nb.cli import main as cli_main
from ip2p_nb.train import (FolderData, TrainConfig, conditioning_dropout, load_training_components, train,
                           widen_conv_in)

DEMO = Path(__file__).resolve().parent.parent / "assets" / "demo"


def _text_to_image_unet():
    from diffusers import UNet2DConditionModel

    torch.manual_seed(0)
    unet = UNet2DConditionModel(
        block_out_channels=(32, 64), layers_per_block=1, sample_size=8, in_channels=4, out_channels=4,
        down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"), up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
        cross_attention_dim=32, attention_head_dim=8, norm_num_groups=8)
    with torch.no_grad():
        unet.conv_in.bias.normal_()  # a zero bias would hide a forgotten bias copy
    return unet.eval()


def test_widened_unet_computes_what_the_original_did():
    unet = _text_to_image_unet()
    x, t, text = torch.randn(2, 4, 8, 8), torch.tensor([10, 500]), torch.randn(2, 7, 32)
    with torch.no_grad():
        before = unet(x, t, text).sample
        widen_conv_in(unet, 8)
        assert unet.conv_in.in_channels == 8 and unet.config.in_channels == 8
        for extra in (torch.zeros(2, 4, 8, 8), 100 * torch.randn(2, 4, 8, 8)):
            after = unet(torch.cat([x, extra], dim=1), t, text).sample
            assert torch.allclose(before, after, atol=1e-5)
    with pytest.raises(UserError):
        widen_conv_in(unet, 8)


def test_conditioning_dropout_rates_and_cases():
    gen = torch.Generator().manual_seed(0)
    text, image = conditioning_dropout(200_000, gen)
    for frac in ((text & ~image).float().mean(), (image & ~text).float().mean(), (text & image).float().mean()):
        assert abs(float(frac) - 0.05) < 0.003
    none_t, none_i = conditioning_dropout(1000, gen, 0, 0, 0)
    assert not none_t.any() and not none_i.any()
    all_t, all_i = conditioning_dropout(1000, gen, 0, 0, 1)
    assert all_t.all() and all_i.all()
    with pytest.raises(UserError):
        conditioning_dropout(4, gen, 0.5, 0.5, 0.5)


def _weights(parts):
    return torch.cat([p.detach().flatten() for p in parts["unet"].parameters()])


def test_training_is_finite_and_resumes_step_for_step(tmp_path):
    from ip2p_nb.train import SceneData

    data = SceneData(size=32)
    records = []
    cfg = TrainConfig(output_dir=str(tmp_path / "a"), resolution=32, batch_size=2, max_steps=3, lr=1e-3,
                      warmup_steps=1, checkpoint_every=2, validate_every=0, ema_decay=0.9)
    straight = train(cfg, load_training_components("tiny"), data, log=records.append)
    assert [r["step"] for r in records] == [1, 2, 3] and all(np.isfinite(r["loss"]) for r in records)
    assert json.loads((tmp_path / "a" / "checkpoint-2" / "trainer.json").read_text())["step"] == 2
    # Run again, then resume from step 2 with a UNet whose weights are zero: they must come from the checkpoint.
    cfg_b = TrainConfig(**{**cfg.__dict__, "output_dir": str(tmp_path / "b")})
    train(cfg_b, load_training_components("tiny"), data, log=lambda r: None)
    fresh = load_training_components("tiny")
    with torch.no_grad():
        for p in fresh["unet"].parameters():
            p.zero_()
    resumed = train(cfg_b, fresh, data, log=records.append, resume=str(tmp_path / "b" / "checkpoint-2"))
    assert records[-1]["step"] == 3 and len(records) == 4  # only step 3 was trained again
    assert torch.equal(_weights(straight), _weights(resumed))


def test_cli_trains_from_a_local_folder_and_saves_a_loadable_pipeline(tmp_path):
    from diffusers import StableDiffusionInstructPix2PixPipeline

    folder = tmp_path / "data"
    folder.mkdir()
    rows = []
    for i in range(2):
        pair = make_pair(i, 32)
        pair.before.save(folder / f"{i}_in.png")
        pair.after.save(folder / f"{i}_out.png")
        rows.append(dict(input_image=f"{i}_in.png", edit_prompt=pair.instruction, edited_image=f"{i}_out.png"))
    (folder / "metadata.jsonl").write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    assert FolderData(folder)[1][1] == rows[1]["edit_prompt"]
    out = tmp_path / "run"
    code = cli_main(["train", "--pretrained", "tiny", "--data", str(folder), "--output-dir", str(out), "--resolution", "32",
                      "--batch-size", "2", "--max-steps", "1", "--validate-every", "0"])
    assert code == 0
    pipe = StableDiffusionInstructPix2PixPipeline.from_pretrained(out / "pipeline", use_safetensors=True)
    assert pipe.unet.config.in_channels == 8
    with pytest.raises(UserError):
        FolderData(tmp_path)


def test_demo_model_loads_and_makes_it_night():
    from diffusers import StableDiffusionInstructPix2PixPipeline

    from ip2p_nb.train.quality import sky_brightness

    size = sum(f.stat().st_size for f in DEMO.rglob("*") if f.is_file())
    assert size < 20 * 1024 * 1024
    pipe = StableDiffusionInstructPix2PixPipeline.from_pretrained(DEMO, use_safetensors=True)
    pipe.set_progress_bar_config(disable=True)
    pairs = [make_pair(10_000_000 + 2000 + i, 64, "time") for i in range(12)]
    pairs = [p for p in pairs if p.instruction == "make it night"][:4]  # held-out scenes, day or sunset
    assert len(pairs) == 4
    images = pipe([p.instruction for p in pairs], image=[p.before for p in pairs], num_inference_steps=10,
                  generator=[torch.Generator().manual_seed(i) for i in range(len(pairs))]).images
    assert all(out.size == (64, 64) for out in images)
    darker = [sky_brightness(p.before, p) - sky_brightness(out, p) for p, out in zip(pairs, images)]
    # Measured at commit time: about 19, 22, 96 and 133 grey levels darker (0-255 scale).
    assert sum(d > 15 for d in darker) >= 3 and np.mean(darker) > 40, darker
