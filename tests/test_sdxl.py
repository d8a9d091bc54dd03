"""SDXL InstructPix2Pix (and CosXL Edit) through the same Editor, on `tiny-xl`: the plain SDXL pipeline's pixels,
branch skipping, caches, samplers, masks, previews, out-of-memory, float16 VAE upcasting, and loading (folders, one file)."""
import json
import warnings

import numpy as np
import pytest
import torch

from ip2p_nb.editing.editor import Editor, OutOfMemory
from ip2p_nb.editing.load import load_editor
from ip2p_nb.errors import Notice, UserError
from ip2p_nb.editing.images import resize_for_edit
from ip2p_nb.models.loading import load_pipeline, make_scheduler, schedulers_for, set_scheduler
from ip2p_nb.models.tiny import build_tiny_xl_pipeline

from conftest import scene

PROMPT, SEED, STEPS = "make it snowy", 3, 3
PHOTO = resize_for_edit(scene(320, 240), 256)  # 256x192


def _plain(pipe, image_guidance=1.5, text_guidance=7.5, seed=SEED, steps=STEPS, photo=PHOTO):
    """The plain diffusers SDXL pipeline, at the photo's own size (its default would be the UNet's native size)."""
    return pipe(PROMPT, image=photo, height=photo.height, width=photo.width, num_inference_steps=steps,
                image_guidance_scale=image_guidance, guidance_scale=text_guidance,
                generator=torch.Generator("cpu").manual_seed(seed)).images[0]


def _edit(editor, **kw):
    settings = dict(english=PROMPT, seed=SEED, steps=STEPS, max_size=256)
    return editor.edit(PHOTO, PROMPT, **{**settings, **kw})


def _count(module):
    calls = []
    module.register_forward_hook(lambda *_: calls.append(1))
    return calls


@pytest.fixture
def xl():
    return build_tiny_xl_pipeline()


def test_same_pixels_as_the_plain_sdxl_pipeline_and_the_skipped_branch(xl):
    editor = Editor(xl, "tiny-xl")
    unet_calls = _count(xl.unet)
    rows = []
    xl.unet.register_forward_hook(lambda m, args, kwargs, out: rows.append(args[0].shape[0]), with_kwargs=True)
    result = _edit(editor, image_guidance=1.5)
    assert result.image.size == PHOTO.size and result.sampler == "Euler a"
    assert np.array_equal(np.asarray(result.image), np.asarray(_plain(xl, 1.5)))
    # image guidance 1: the unconditional branch has weight 0 and is not evaluated (2 rows, not 3)
    rows.clear()
    skipped = _edit(editor, image_guidance=1.0)
    assert rows == [2] * STEPS
    plain = np.asarray(_plain(xl, 1.0)).astype(int)
    assert np.abs(np.asarray(skipped.image).astype(int) - plain).max() <= 1
    assert len(unet_calls) == 4 * STEPS


def test_an_encoded_empty_prompt_where_the_model_does_not_use_zeros():
    from diffusers import StableDiffusionXLInstructPix2PixPipeline

    from ip2p_nb.models.tiny import tiny_xl_components

    xl = StableDiffusionXLInstructPix2PixPipeline(**tiny_xl_components(), force_zeros_for_empty_prompt=False,
                                                  add_watermarker=False)
    text = _count(xl.text_encoder_2)
    result = _edit(Editor(xl, "tiny-xl"))
    assert len(text) == 2  # the prompt and ""
    assert np.array_equal(np.asarray(result.image), np.asarray(_plain(xl)))


def test_several_seeds_in_one_batch_match_the_pipelines_batch(xl):
    editor = Editor(xl, "tiny-xl")
    with editor.busy():
        images = editor.generate(PHOTO, PROMPT, [SEED, 7], 1.5, 7.5, STEPS)
    plain = xl(PROMPT, image=PHOTO, height=PHOTO.height, width=PHOTO.width, num_inference_steps=STEPS, num_images_per_prompt=2,
               generator=[torch.Generator("cpu").manual_seed(s) for s in (SEED, 7)], guidance_scale=7.5).images
    for ours, theirs in zip(images, plain):
        assert np.array_equal(np.asarray(ours), np.asarray(theirs))
    assert np.abs(np.asarray(images[0], np.int16) - np.asarray(_plain(xl), np.int16)).max() <= 1  # batch summation order only


def test_a_second_edit_reuses_the_prompt_and_image_caches(xl):
    editor = Editor(xl, "tiny-xl")
    text, text_2, encoder = _count(xl.text_encoder), _count(xl.text_encoder_2), _count(xl.vae.encoder)
    _edit(editor)
    assert (len(text), len(text_2), len(encoder)) == (1, 1, 1)  # the empty prompt is zeros in SDXL: not encoded
    _edit(editor, seed=SEED + 1, image_guidance=2.0)
    assert (len(text), len(text_2), len(encoder)) == (1, 1, 1)
    _edit(editor, english="make it night")
    assert (len(text), len(text_2), len(encoder)) == (2, 2, 1)


@pytest.mark.parametrize("name", ["Euler a", "Euler", "DPM++ 2M", "DDIM", "UniPC"])
def test_samplers_from_the_table_give_the_plain_pipelines_pixels(xl, name):
    set_scheduler(xl, name)
    result = _edit(Editor(xl, "tiny-xl"))
    assert result.sampler == name
    assert np.array_equal(np.asarray(result.image), np.asarray(_plain(xl)))


def test_edm_samplers_only_for_edm_models(xl):
    assert "EDM Euler" not in schedulers_for(xl)
    with pytest.raises(UserError) as e:
        make_scheduler("EDM Euler", xl.scheduler.config)
    assert str(e.value) == ("The sampler 'EDM Euler' does not fit this model: it would give noise; choose one of: "
                            + ", ".join(schedulers_for(xl)) + ".")
    cosxl = build_tiny_xl_pipeline(cosxl=True)
    assert schedulers_for(cosxl) == ["EDM Euler", "EDM DPM++ 2M"]
    with pytest.raises(UserError, match=r"^The sampler 'Euler a' does not fit an EDM-trained model \(CosXL Edit\): .*EDM DPM\+\+ 2M\.$"):
        Editor(cosxl).use_scheduler("euler a")


def test_mask_edit_keeps_the_pixels_outside_the_mask(xl):
    mask = np.zeros((PHOTO.height, PHOTO.width), bool)
    mask[40:140, 60:200] = True
    result = _edit(Editor(xl, "tiny-xl"), mask=mask)
    a, b = np.asarray(result.image).astype(int), np.asarray(PHOTO).astype(int)
    far = np.ones_like(mask)
    far[20:160, 40:220] = False  # the mask plus the feather
    assert np.array_equal(a[far], b[far])
    assert np.abs(a[mask] - b[mask]).mean() > 5  # the masked part did change
    assert result.mask_box == (60, 40, 200, 140)


@pytest.mark.parametrize("sampler", ["EDM Euler", "EDM DPM++ 2M"])
def test_cosxl_edit_scaled_image_latents_edm_sampler_mask_and_preview(sampler):
    cosxl = build_tiny_xl_pipeline(cosxl=True)
    set_scheduler(cosxl, sampler)
    editor = Editor(cosxl, "tiny-cosxl")
    previews = []
    result = _edit(editor, preview=lambda step, total, image: previews.append((step, image.size)), preview_every=1)
    assert result.sampler == sampler and len(previews) == STEPS
    assert np.array_equal(np.asarray(result.image), np.asarray(_plain(cosxl)))
    # the conditioning latents are the scaled ones (is_cosxl_edit), so the mask blend uses them as they are
    mask = np.zeros((PHOTO.height, PHOTO.width), bool)
    mask[40:140, 60:200] = True
    masked = np.asarray(_edit(editor, mask=mask).image).astype(int)
    far = np.ones_like(mask)
    far[20:160, 40:220] = False
    assert np.array_equal(masked[far], np.asarray(PHOTO).astype(int)[far])


def test_float16_vae_is_upcast_as_the_pipeline_does_and_restored_after_out_of_memory(xl):
    xl = xl.to(torch.float16)
    editor = Editor(xl, "tiny-xl")

    def oom(*_):
        raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")

    hook = xl.vae.decoder.register_forward_hook(oom)
    with pytest.raises(OutOfMemory, match="try max_size 192|smallest max_size"):
        _edit(editor, steps=2)
    assert xl.vae.dtype == torch.float16  # the float32 decode was undone
    hook.remove()
    previews = []
    result = _edit(editor, steps=2, preview=lambda step, total, image: previews.append(np.asarray(image)), preview_every=1)
    assert xl.vae.dtype == torch.float16
    assert np.array_equal(np.asarray(result.image), np.asarray(_plain(xl, steps=2)))
    # the preview's latent -> RGB map was fitted on the float32 VAE too: finite, not a flat picture
    assert len(previews) == 2 and all(p.std() > 1 for p in previews)
    assert torch.isfinite(editor._latent_rgb.weight).all()


def test_stop_from_progress_and_a_broken_sdxl_unet_refused(xl):
    editor = Editor(xl, "tiny-xl")

    def stop(step, total):
        raise KeyboardInterrupt

    with pytest.raises(UserError, match="stopped after step 1 of 3"):
        _edit(editor, progress=stop)
    from diffusers import StableDiffusionXLInstructPix2PixPipeline
    from ip2p_nb.models.tiny import build_tiny_pipeline

    sd = build_tiny_pipeline()  # an SD UNet (no added conditions) inside an SDXL pipeline
    parts = dict(xl.components, unet=sd.unet)
    with pytest.raises(UserError, match=r"^This SDXL checkpoint's UNet does not take SDXL's added conditions .*model\.$"):
        Editor(StableDiffusionXLInstructPix2PixPipeline(**parts))


def test_tiny_xl_by_name_and_a_folder_round_trip(xl, tmp_path):
    with pytest.warns(Notice, match="tiny-xl"):
        editor = load_editor("tiny-xl", device="cpu")
    assert type(editor.pipe).__name__ == "StableDiffusionXLInstructPix2PixPipeline" and editor.pipe.dtype == torch.float32
    assert editor.size_range == (256, 1024) and editor.default_max_size == 512
    editor.pipe.save_pretrained(tmp_path / "xl", safe_serialization=True)
    assert not list((tmp_path / "xl").rglob("*.bin"))
    loaded = load_pipeline(str(tmp_path / "xl"), torch.device("cpu"), torch.float32)
    assert type(loaded).__name__ == "StableDiffusionXLInstructPix2PixPipeline" and not loaded.is_cosxl_edit
    same = _edit(Editor(loaded, "folder"))
    assert np.array_equal(np.asarray(same.image), np.asarray(_plain(loaded)))
    # the same weights; the reloaded projection's float summation may differ in the last bit
    assert np.abs(np.asarray(same.image, np.int16) - np.asarray(_edit(editor).image, np.int16)).max() <= 1
    # a CosXL folder keeps its EDM sampler (the default "Euler a" would give noise) and is marked as CosXL
    build_tiny_xl_pipeline(cosxl=True).save_pretrained(tmp_path / "cosxl")
    cosxl = load_pipeline(str(tmp_path / "cosxl"), torch.device("cpu"), torch.float32)
    assert cosxl.is_cosxl_edit and type(cosxl.scheduler).__name__ == "EDMEulerScheduler"


def test_a_folder_of_another_pipeline_is_refused_in_one_sentence(tmp_path):
    (tmp_path / "model_index.json").write_text(json.dumps({"_class_name": "StableDiffusionPipeline"}))
    with pytest.raises(UserError) as e:
        load_pipeline(str(tmp_path), torch.device("cpu"), torch.float32)
    assert str(e.value) == (f"{str(tmp_path)!r} holds a StableDiffusionPipeline model, not an InstructPix2Pix one (SD or SDXL); "
                            "choose an InstructPix2Pix model such as timbrooks/instruct-pix2pix.")


def test_a_single_file_needs_safetensors_and_says_how_to_get_the_configuration(tmp_path):
    from safetensors.torch import save_file

    pickle = tmp_path / "model.ckpt"
    pickle.write_bytes(b"not a model")
    with pytest.raises(UserError, match=r"is not a \.safetensors file; only safetensors are loaded"):
        load_pipeline(str(pickle), torch.device("cpu"), torch.float32)
    single = tmp_path / "cosxl_edit.safetensors"
    save_file({"edm_vpred.sigma_max": torch.tensor([120.0])}, str(single))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Notice)  # "Fetching the SDXL configuration files ..." (the hub is off in tests)
        with pytest.raises(UserError) as e:
            load_pipeline(str(single), torch.device("cpu"), torch.float32)
    message = str(e.value)
    assert message.startswith("A single .safetensors checkpoint needs SDXL's configuration files")
    assert "hf download diffusers/sdxl-instructpix2pix-768" in message and "HF_ENDPOINT" in message


@pytest.mark.parametrize("cosxl", [True, False])
def test_a_single_file_checkpoint_loads_with_the_cached_sdxl_configuration(tmp_path, monkeypatch, cosxl):
    """CosXL Edit ships as one file in the original layout; with SDXL's configuration files in the hub cache it loads
    with no network: the same weights, CosXL recognised by its EDM keys (scaled image latents, EDM Euler, 1024 px)."""
    from ldm_checkpoint import save_ldm_checkpoint

    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub"))
    repo = tmp_path / "hub" / "models--diffusers--sdxl-instructpix2pix-768"
    snapshot = repo / "snapshots" / ("a" * 40)
    reference = build_tiny_xl_pipeline(cosxl=cosxl)
    build_tiny_xl_pipeline().save_pretrained(snapshot)
    for weights in snapshot.rglob("*.safetensors"):
        weights.unlink()  # configuration files only, as `_single_file_config` fetches them
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text("a" * 40)
    single = tmp_path / ("cosxl_edit.safetensors" if cosxl else "sdxl_edit.safetensors")
    save_ldm_checkpoint(reference, single, cosxl=cosxl)
    pipe = load_pipeline(str(single), torch.device("cpu"), torch.float32)
    for name in ("unet", "vae", "text_encoder", "text_encoder_2"):
        ours, theirs = getattr(pipe, name).state_dict(), getattr(reference, name).state_dict()
        assert ours.keys() == theirs.keys() and all(torch.equal(ours[k], theirs[k]) for k in ours), name
    assert pipe.is_cosxl_edit == cosxl
    assert type(pipe.scheduler).__name__ == ("EDMEulerScheduler" if cosxl else "EulerAncestralDiscreteScheduler")
    assert pipe.unet.config.sample_size == (128 if cosxl else 32)
    if cosxl:
        assert dict(pipe.scheduler.config) | {"_use_default_values": None} == dict(reference.scheduler.config) | {"_use_default_values": None}
        result = _edit(Editor(pipe, "cosxl-file"))
        assert np.array_equal(np.asarray(result.image), np.asarray(_plain(pipe)))
        # the same weights as the in-memory model; a reloaded text encoder may sum in another order (last bit)
        assert np.abs(np.asarray(result.image, np.int16) - np.asarray(_plain(reference), np.int16)).max() <= 1


def test_the_edm_clean_latent_estimate_matches_the_schedulers_own():
    from diffusers import EDMEulerScheduler

    from ip2p_nb.editing.conditioning import COSXL_SCHEDULER
    from ip2p_nb.editing.preview import estimate_x0

    scheduler = EDMEulerScheduler(**COSXL_SCHEDULER)
    scheduler.set_timesteps(5)
    latents = torch.randn(1, 4, 8, 8, generator=torch.Generator().manual_seed(0)) * scheduler.init_noise_sigma
    for t in scheduler.timesteps[:3]:
        model_in = scheduler.scale_model_input(latents, t)
        noise = torch.randn(1, 4, 8, 8, generator=torch.Generator().manual_seed(1))
        ours = estimate_x0(scheduler, model_in, noise, t)
        out = scheduler.step(noise, t, latents)
        assert torch.allclose(ours, out.pred_original_sample, atol=1e-4, rtol=1e-4)
        latents = out.prev_sample


def test_a_single_file_is_read_with_the_cached_sdxl_configuration(tmp_path, monkeypatch):
    """With the configuration in the hub cache no network is needed and diffusers' single-file loader runs on the file
    (a real SDXL checkpoint cannot be built here: this one holds no weights, so it is refused in one sentence)."""
    from safetensors.torch import save_file

    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub"))
    repo = tmp_path / "hub" / "models--diffusers--sdxl-instructpix2pix-768"
    snapshot = repo / "snapshots" / ("a" * 40)
    build_tiny_xl_pipeline().save_pretrained(snapshot)
    for weights in snapshot.rglob("*.safetensors"):
        weights.unlink()  # configuration files only, as `_single_file_config` fetches them
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text("a" * 40)
    single = tmp_path / "cosxl_edit.safetensors"
    save_file({"edm_vpred.sigma_max": torch.tensor([120.0])}, str(single))
    with pytest.raises(UserError) as e:
        load_pipeline(str(single), torch.device("cpu"), torch.float32)
    assert str(e.value).startswith(f"Could not read {str(single)!r} as an SDXL InstructPix2Pix checkpoint (")
    assert "Weights for this component appear to be missing" in str(e.value)
