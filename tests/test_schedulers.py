"""Every scheduler diffusers offers for the pipeline: same pixels as the plain pipeline, user-step progress,
the sampler named in the PNG metadata; choosing one by name; other pipelines refused in one sentence."""
import numpy as np
import pytest
import torch

from ip2p_nb.editing.editor import Editor
from ip2p_nb.editing.load import load_editor
from ip2p_nb.errors import UserError
from ip2p_nb.editing.images import resize_for_edit
from ip2p_nb.models.loading import SCHEDULERS, available_schedulers, make_scheduler, scheduler_name
from ip2p_nb.outputs.metadata import read_png_settings, save_png
from ip2p_nb.models.tiny import build_tiny_pipeline

from commands import run_python
from conftest import scene

STEPS, SEED, PROMPT = 4, 5, "make it snowy"  # 4 steps: PNDM's PRK warm-up fails in diffusers itself at 3
COMPATIBLE = sorted(build_tiny_pipeline().scheduler.compatibles, key=lambda c: c.__name__)


def _fresh(pipe, cls):
    scheduler = cls.from_config(pipe.scheduler.config)
    if hasattr(scheduler, "noise_sampler_seed"):  # DPM++ SDE: the editor seeds its Brownian noise with the edit's seed
        scheduler.noise_sampler_seed = SEED
    return scheduler


def _count_unet_calls(pipe):
    calls = []
    pipe.unet.register_forward_hook(lambda *_: calls.append(1))
    return calls


@pytest.mark.parametrize("cls", COMPATIBLE, ids=lambda c: c.__name__)
def test_every_scheduler_gives_the_plain_pipelines_pixels(tiny_pipe, cls, tmp_path):
    photo = resize_for_edit(scene(), 256)
    tiny_pipe.scheduler = _fresh(tiny_pipe, cls)
    calls = _count_unet_calls(tiny_pipe)
    plain = tiny_pipe(PROMPT, image=photo, num_inference_steps=STEPS, image_guidance_scale=1.5, guidance_scale=7.5,
                      generator=torch.Generator("cpu").manual_seed(SEED)).images[0]
    plain_calls = len(calls)
    tiny_pipe.scheduler = cls.from_config(tiny_pipe.scheduler.config)  # unseeded: the editor seeds DPM++ SDE itself
    editor = Editor(tiny_pipe, "tiny")
    steps_seen, previews = [], []
    result = editor.edit(photo, PROMPT, english=PROMPT, seed=SEED, steps=STEPS, max_size=256,
                         progress=lambda step, total: steps_seen.append((step, total)),
                         preview=lambda step, total, image: previews.append((step, image.size)), preview_every=1)
    assert np.array_equal(np.asarray(result.image), np.asarray(plain)), f"{cls.__name__} differs from the pipeline"
    # progress and previews count the user's steps, also where the scheduler calls the UNet twice per step
    assert steps_seen == [(i, STEPS) for i in range(1, STEPS + 1)]
    assert previews == [(i, (128, 96)) for i in range(1, STEPS + 1)]
    assert len(calls) - plain_calls == plain_calls == len(tiny_pipe.scheduler.timesteps)
    if tiny_pipe.scheduler.order == 2:
        assert plain_calls == 2 * STEPS - 1
    # the metadata names the sampler that ran
    assert result.sampler == scheduler_name(tiny_pipe.scheduler)
    if cls.__name__ == "PNDMScheduler":   # with its Runge-Kutta warm-up (the class default): not the web UI's PLMS
        assert result.sampler == "PNDM"
    elif cls.__name__ != "EDMEulerScheduler":
        assert result.sampler in SCHEDULERS
    settings = read_png_settings(save_png(result.image, tmp_path / "out.png", result))
    assert settings["sampler"] == result.sampler


def test_the_table_names_round_trip(tiny_pipe):
    for name in available_schedulers():
        scheduler = make_scheduler(name, tiny_pipe.scheduler.config)
        assert scheduler_name(scheduler) == name
        assert type(scheduler) in tiny_pipe.scheduler.compatibles
    # "DPM++ 2M" after "DPM++ 2M Karras" drops the Karras sigmas: the table decides those settings
    karras = make_scheduler("DPM++ 2M Karras", tiny_pipe.scheduler.config)
    assert scheduler_name(make_scheduler("dpm++ 2m", karras.config)) == "DPM++ 2M"
    assert scheduler_name(make_scheduler("PNDM", karras.config)) == "PLMS"  # diffusers' name works too


def test_load_editor_with_a_scheduler_by_name():
    editor = load_editor("tiny", scheduler="DPM++ 2M Karras")
    assert editor.sampler == "DPM++ 2M Karras" and type(editor.pipe.scheduler).__name__ == "DPMSolverMultistepScheduler"
    assert load_editor("tiny").sampler == "Euler a"  # the default
    with pytest.raises(UserError) as e:
        load_editor("tiny", scheduler="Euler b")
    message = str(e.value)
    assert message.count(".") <= 3 and "'Euler b'" in message and "Euler a, Euler, Heun" in message and "UniPC" in message


def test_other_pipelines_are_refused_in_one_sentence(tiny_pipe):
    from diffusers import StableDiffusionInpaintPipeline, StableDiffusionPipeline

    parts = {k: v for k, v in tiny_pipe.components.items()}
    for cls in (StableDiffusionPipeline, StableDiffusionInpaintPipeline):
        other = cls(**parts, requires_safety_checker=False)
        with pytest.raises(UserError, match=f"got a {cls.__name__}; .*StableDiffusionInstructPix2PixPipeline"):
            Editor(other)


def test_sdxl_pipeline_with_sd_parts_is_refused(tiny_pipe):
    """SDXL pipelines are edited (tests/test_sdxl.py), but not one whose UNet lacks SDXL's added conditions."""
    from diffusers import StableDiffusionXLInstructPix2PixPipeline

    p = tiny_pipe
    sdxl = StableDiffusionXLInstructPix2PixPipeline(vae=p.vae, text_encoder=p.text_encoder, text_encoder_2=p.text_encoder,
                                                    tokenizer=p.tokenizer, tokenizer_2=p.tokenizer, unet=p.unet, scheduler=p.scheduler)
    with pytest.raises(UserError) as e:
        Editor(sdxl)
    assert "does not take SDXL's added conditions" in str(e.value)


def test_cli_scheduler_option(tmp_path):

    from PIL import Image

    scene(320, 240).save(tmp_path / "photo.png")

    def run(*args):
        return run_python(["-m", "ip2p_nb", "edit", "photo.png", "make it snowy", "--model", "tiny", "--steps", "2",
                           "--max-size", "256", "--seed", "1", *args], tmp_path,
                          {**__import__("os").environ, "IP2P_TRANSLATE_OFFLINE": "1"}, timeout=300)

    p = run("--scheduler", "dpm++ 2m karras", "-o", "out.png")
    assert p.returncode == 0, p.stderr
    assert "Sampler: DPM++ 2M Karras," in Image.open(tmp_path / "out.png").info["parameters"]
    p = run("--scheduler", "Euler b")
    assert p.returncode == 2 and p.stdout == ""
    assert p.stderr.strip().count("\n") == 0 and "Unknown scheduler 'Euler b'; choose one of: Euler a, Euler," in p.stderr
    assert not (tmp_path / "photo_edited.png").exists()


def test_edit_many_results_name_the_sampler_and_reuse_that_ran(tiny_editor, tmp_path):
    """A batch's results (and so its PNG metadata) carry the sampler, cache interval and runtime that made them."""
    tiny_editor.use_scheduler("DPM++ 2M Karras")
    tiny_editor.default_cache_interval = 2
    items = [dict(image=scene(), instruction="x", english=PROMPT, seed=s, steps=2, max_size=256) for s in (1, 2)]
    results = list(tiny_editor.edit_many(items, seed_batch=2))
    assert [r.result.settings["sampler"] for r in results] == ["DPM++ 2M Karras"] * 2
    assert [(r.result.cache_interval, r.result.runtime) for r in results] == [(2, "torch")] * 2
    path = save_png(results[0].result.image, tmp_path / "one.png", results[0].result)
    assert read_png_settings(path)["sampler"] == "DPM++ 2M Karras"


def test_every_sampler_of_the_table_runs_from_one_step(tiny_pipe):
    """Each sampler of the table at 1-4 steps on `tiny` (PLMS too: it is PNDM without the Runge-Kutta warm-up)."""
    editor = Editor(tiny_pipe, model_name="tiny")
    photo = scene(64, 64)
    for name in SCHEDULERS:
        editor.use_scheduler(name)
        for steps in range(1, 5):
            assert editor.edit(photo, "x", english="make it snowy", seed=1, steps=steps, max_size=256).image.size == (256, 256)


@pytest.mark.parametrize("steps", [2, 3])
def test_diffusers_own_fixture_plms_at_2_and_3_steps_gives_diffusers_pixels(steps):
    """diffusers' InstructPix2Pix test fixture samples with PNDMScheduler(skip_prk_steps=True) at 2 and 3 steps: the
    editor runs exactly that and gives the pipeline's pixels (it refused below 4 before: issue 34)."""
    from diffusers import PNDMScheduler

    from ip2p_nb.models.tiny import SCHEDULER_CONFIG, build_tiny_pipeline

    pipe = build_tiny_pipeline()
    pipe.scheduler = PNDMScheduler(**SCHEDULER_CONFIG, skip_prk_steps=True)
    photo = scene(64, 64).resize((256, 256))
    ours = Editor(pipe, model_name="tiny").edit(photo, "x", english=PROMPT, seed=SEED, steps=steps, max_size=256)
    plain = pipe(PROMPT, image=photo, num_inference_steps=steps, generator=torch.Generator("cpu").manual_seed(SEED),
                 image_guidance_scale=1.5, guidance_scale=7.5).images[0]
    assert np.array_equal(np.asarray(ours.image), np.asarray(plain))


def test_pndm_with_its_warm_up_refuses_what_diffusers_cannot_run_in_one_sentence():
    """PNDM with the Runge-Kutta warm-up fails inside diffusers below 4 steps: that alone is refused, before the model runs."""
    from diffusers import PNDMScheduler

    from ip2p_nb.errors import SettingError
    from ip2p_nb.models.tiny import SCHEDULER_CONFIG, build_tiny_pipeline

    pipe = build_tiny_pipeline()
    pipe.scheduler = PNDMScheduler(**SCHEDULER_CONFIG, skip_prk_steps=False)
    with pytest.raises(ValueError):       # diffusers itself
        pipe("x", image=scene(64, 64), num_inference_steps=3, generator=torch.Generator("cpu").manual_seed(0))
    editor = Editor(pipe, model_name="tiny")
    with pytest.raises(SettingError) as e:
        editor.edit(scene(64, 64), "x", english=PROMPT, seed=1, steps=3, max_size=256)
    assert str(e.value) == ("The PNDM sampler needs at least 4 steps, but got 3; use 4 or more steps, or another sampler "
                            "such as Euler a.")
    assert editor.edit(scene(64, 64), "x", english=PROMPT, seed=1, steps=4, max_size=256).image.size == (256, 256)
