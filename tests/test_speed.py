"""Speed without changing pixels: branch skipping, caches, the benchmark, the full-size architecture."""
import json

import numpy as np
import pytest
import torch

from ip2p_nb.bench.run import sample_photo
from ip2p_nb.cli import main as cli_main
from ip2p_nb.editing.editor import Editor
from ip2p_nb.errors import UserError
from ip2p_nb.editing.images import resize_for_edit
from ip2p_nb.bench.measure import PeakMemory
from ip2p_nb.models.speed import attention_processors, optimize
from ip2p_nb.models.tiny import build_tiny_pipeline

PROMPT, STEPS, SEED, SIZE = "make it snowy", 3, 7, 256


@pytest.fixture
def pipe():
    return build_tiny_pipeline()


@pytest.fixture
def photo():
    return sample_photo(320)


def _count_unet_batches(pipe) -> list:
    """Record the batch size of every UNet evaluation (a forward pre-hook: the UNet still runs)."""
    batches = []
    pipe.unet.register_forward_pre_hook(lambda _module, args: batches.append(args[0].shape[0]))
    return batches


def _plain(pipe, image, s_i, s_t, steps=STEPS, seed=SEED):
    generator = torch.Generator("cpu").manual_seed(seed)
    return pipe(PROMPT, image=image, num_inference_steps=steps, image_guidance_scale=s_i,
                guidance_scale=s_t, generator=generator).images[0]


def _diff(a, b) -> int:
    return int(np.abs(np.asarray(a, np.int16) - np.asarray(b, np.int16)).max())


# (image guidance, text guidance, UNet batch the editor needs, batch plain diffusers runs)
CASES = [
    (1.5, 7.5, 3, 3),  # all three branches: the same computation as diffusers
    (1.0, 7.5, 2, 3),  # the unconditional branch has weight 1 - s_I = 0
    (5.0, 5.0, 2, 3),  # the image-only branch has weight s_I - s_T = 0
    (1.0, 1.0, 1, 1),  # no guidance at all: both run the text branch only
]


@pytest.mark.parametrize("s_i, s_t, ours_batch, plain_batch", CASES)
def test_editor_matches_diffusers_with_fewer_unet_inputs(pipe, photo, s_i, s_t, ours_batch, plain_batch):
    batches = _count_unet_batches(pipe)
    ours = Editor(pipe).edit(photo, "x", image_guidance=s_i, text_guidance=s_t, steps=STEPS, seed=SEED,
                             max_size=SIZE, english=PROMPT)
    assert batches == [ours_batch] * STEPS
    batches.clear()
    plain = _plain(pipe, resize_for_edit(photo, SIZE), s_i, s_t)
    assert batches == [plain_batch] * STEPS
    assert ours.image.size == plain.size == (256, 256)
    if ours_batch == plain_batch:
        assert _diff(ours.image, plain) == 0      # same batches, same arithmetic: identical pixels
    else:
        assert _diff(ours.image, plain) <= 2      # same math, different rounding order
    assert np.asarray(ours.image).std() > 1       # a real picture came out, not a flat fill


def test_reedit_reuses_latents_and_embeddings(pipe, photo):
    editor = Editor(pipe)
    calls = {"encode": 0, "text": 0}
    encode = pipe.vae.encode

    def counting_encode(*args, **kwargs):
        calls["encode"] += 1
        return encode(*args, **kwargs)

    pipe.vae.encode = counting_encode
    pipe.text_encoder.register_forward_pre_hook(lambda *_: calls.__setitem__("text", calls["text"] + 1))
    settings = dict(steps=STEPS, seed=SEED, max_size=SIZE, english=PROMPT)
    first = editor.edit(photo, "x", **settings)
    assert calls == {"encode": 1, "text": 2}      # the image once; the prompt and the empty prompt
    second = editor.edit(photo, "x", **settings)
    assert calls == {"encode": 1, "text": 2}      # nothing encoded again
    assert _diff(first.image, second.image) == 0
    editor.edit(photo, "x", **dict(settings, english="make it night"))
    assert calls["encode"] == 1                   # a new prompt on the same image: the image is not encoded again
    assert calls["text"] in (3, 4)                # the new prompt (and, today, the empty prompt again)


def test_attention_uses_fused_sdpa_and_compile_is_gpu_only(pipe):
    assert set(attention_processors(optimize(pipe))) == {"AttnProcessor2_0"}
    with pytest.raises(UserError, match="CUDA"):
        optimize(pipe, compile=True)


def test_peak_memory_sees_an_allocation():
    with PeakMemory("cpu") as small:
        pass
    with PeakMemory("cpu") as big:
        block = torch.ones(64 * 2**20 // 4)  # 64 MiB, touched
        del block
    assert big.bytes > 0 and small.bytes > 0
    assert big.bytes >= small.bytes + 32 * 2**20 or big.kind != "rss"


def test_bench_command_reports_every_setting(capsys):
    code = cli_main(["bench", "--pipeline", "tiny", "--steps", "2", "--repeats", "1", "--image-guidance", "1.5", "1.0",
                      "5:5", "--dtype", "float32", "--json"])
    assert code == 0
    report = json.loads(capsys.readouterr().out)
    (run,) = report["dtypes"]
    assert [(r["image_guidance"], r["text_guidance"], r["unet_batch"]) for r in run["settings"]] == \
        [(1.5, 7.5, 3), (1.0, 7.5, 2), (5.0, 5.0, 2)]
    for row in run["settings"]:
        assert row["plain_s"] > 0 and row["ours_s"] > 0 and row["max_pixel_diff"] <= 2
        assert row["ratio"] == pytest.approx(row["ours_s"] / row["plain_s"], abs=0.01)
    assert run["settings"][0]["reedit_identical"] is True
    assert report["import_s"] > 0 and run["first_image_s"] > 0 and set(run["attention"]) == {"AttnProcessor2_0"}


def test_bench_refuses_bad_settings(capsys):
    assert cli_main(["bench", "--image-guidance", "0.5"]) == 2
    assert "image_guidance" in capsys.readouterr().err
    assert cli_main(["bench", "--repeats", "0"]) == 2
    assert "repeats" in capsys.readouterr().err
    assert cli_main(["bench", "--cpu", "--contestants", "torch,int9_reuse"]) == 2   # before any model is built
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "int9_reuse" in err and "int8_reuse" in err and "Traceback" not in err


def test_fullsize_architecture_is_sd15_instructpix2pix():
    from diffusers import AutoencoderKL, UNet2DConditionModel
    from transformers import CLIPTextConfig, CLIPTextModel

    from ip2p_nb.bench.fullsize import TEXT_CONFIG, UNET_CONFIG, VAE_CONFIG

    with torch.device("meta"):  # shapes only, no memory, no time
        sizes = [sum(p.numel() for p in m.parameters()) for m in (
            UNet2DConditionModel(**UNET_CONFIG), AutoencoderKL(**VAE_CONFIG), CLIPTextModel(CLIPTextConfig(**TEXT_CONFIG)))]
    assert sizes == [859_532_484, 83_653_863, 123_060_480]


@pytest.mark.slow
def test_fullsize_editor_matches_diffusers():
    from ip2p_nb.bench.fullsize import build_fullsize_pipeline

    pipe = build_fullsize_pipeline()
    photo = sample_photo()
    for s_i, limit in ((1.5, 0), (1.0, 2)):
        ours = Editor(pipe).edit(photo, "x", image_guidance=s_i, steps=2, seed=SEED, max_size=SIZE, english=PROMPT)
        assert _diff(ours.image, _plain(pipe, resize_for_edit(photo, SIZE), s_i, 7.5, steps=2)) <= limit


def test_vae_tiling_is_used_for_big_pictures_on_a_cpu_and_the_callers_setting_restored(tiny_editor, photo):
    vae = tiny_editor.pipe.vae
    vae.disable_tiling()
    seen = []
    tiny_editor.edit(photo, "make it snowy", english="make it snowy", steps=1, seed=0, max_size=800,
                     progress=lambda step, total: seen.append(vae.use_tiling))
    assert seen == [True] and vae.use_tiling is False  # tiled during the edit, as the caller left it afterwards
    vae.enable_tiling()
    tiny_editor.edit(photo, "make it snowy", english="make it snowy", steps=1, seed=0, max_size=256,
                     progress=lambda step, total: seen.append(vae.use_tiling))
    assert seen == [True, False] and vae.use_tiling is True  # small pictures are decoded whole
