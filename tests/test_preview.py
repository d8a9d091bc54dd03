"""Live previews: how often and how big, what they show (the clean-latent estimate, decoded by the fitted
linear map), that a preview callback raising stops the edit, and that on `demo` the last preview
resembles the result."""
import numpy as np
import pytest
import torch

from ip2p_nb.editing.editor import EditStopped
from ip2p_nb.editing.load import load_editor
from ip2p_nb.errors import UserError
from ip2p_nb.editing.preview import Cadence, estimate_x0, preview_size

from conftest import scene


def _psnr(a, b) -> float:
    a, b = np.asarray(a, float), np.asarray(b, float)
    return 10 * np.log10(255**2 / np.mean((a - b) ** 2))


@pytest.mark.parametrize("steps, every, expected", [(6, 2, [2, 4, 6]), (7, 3, [3, 6]), (3, 1, [1, 2, 3])])
def test_preview_is_called_every_n_steps_with_small_pictures(tiny_editor, photo, steps, every, expected):
    seen = []
    result = tiny_editor.edit(photo, "make it snowy", english="make it snowy", seed=1, steps=steps, max_size=512,
                              preview=lambda step, total, image: seen.append((step, total, image.size, image.mode)),
                              preview_every=every)
    assert result.image.size == (512, 384)
    assert seen == [(step, steps, (128, 96), "RGB") for step in expected]  # longest side 128, the edit's aspect


def test_default_cadence_keeps_previews_within_the_budget():
    """The default cadence, on a clock that the test moves: previews cost at most 3% of the time."""
    now = [0.0]
    cadence = Cadence(None, 0.03, clock=lambda: now[0])
    shown = []
    for step in range(1, 41):
        now[0] += 0.05                   # a fast GPU: 50 ms a step
        if cadence.due(step):
            shown.append(step)
            now[0] += 0.01                # a preview takes 10 ms
            cadence.record(0.01)
    assert shown[0] == 1 and 4 <= len(shown) <= 8   # ~every 7 steps, not every step
    assert 0.01 * len(shown) <= 0.03 * now[0] + 0.01
    slow = Cadence(None, 0.03, clock=lambda: now[0])
    steps_due = []
    for step in range(1, 11):
        now[0] += 5.0                    # a CPU: seconds a step, so every step previews
        steps_due.append(slow.due(step))
        slow.record(0.004)
    assert all(steps_due)
    assert [s for s in range(1, 10) if Cadence(3, 0.03).due(s)] == [3, 6, 9]


def test_default_cadence_on_the_cpu_previews_every_step(tiny_editor, photo):
    seen = []
    tiny_editor.edit(photo, "x", english="x", seed=1, steps=6, max_size=256, preview=lambda s, t, im: seen.append(s))
    assert seen[0] == 1 and seen == sorted(set(seen)) and len(seen) >= 2   # not a count: it depends on time


def test_previews_cost_no_extra_model_calls(tiny_editor, photo):
    calls = []
    tiny_editor.pipe.unet.register_forward_hook(lambda *_: calls.append(1))
    tiny_editor.pipe.vae.decoder.register_forward_hook(lambda *_: calls.append("vae"))
    tiny_editor.latent_rgb(torch.zeros(1, 4, 8, 8), (64, 64))   # the map is fitted once per editor (VAE calls)
    calls.clear()
    tiny_editor.edit(photo, "x", english="x", seed=1, steps=5, max_size=256, preview=lambda *a: None, preview_every=1)
    assert calls.count(1) == 5 and calls.count("vae") == 1      # one decode: the result's, none for the previews


def test_preview_raising_stops_the_edit(tiny_editor, photo):
    steps_seen = []

    def stop_at_2(step, total, image):
        if step == 2:
            raise RuntimeError("seen enough")

    with pytest.raises(EditStopped, match="after step 2 of 6"):
        tiny_editor.edit(photo, "x", english="x", seed=1, steps=6, max_size=256, preview=stop_at_2, preview_every=1,
                         progress=lambda s, t: steps_seen.append(s))
    assert steps_seen == [1]              # nothing ran after the preview raised
    assert not tiny_editor.running        # and the model is free again


@pytest.mark.parametrize("bad", [0, -1, 1.5, "2", True])
def test_bad_preview_every_is_one_sentence(tiny_editor, photo, bad):
    with pytest.raises(UserError, match="`preview_every` must be a whole number"):
        tiny_editor.edit(photo, "x", english="x", steps=2, max_size=256, preview=lambda *a: None, preview_every=bad)


def test_preview_size_keeps_aspect_and_never_grows():
    assert preview_size((512, 384), 256) == (256, 192) and preview_size((512, 384), 128) == (128, 96)
    assert preview_size((64, 64), 256) == (64, 64)
    assert preview_size((1024, 256), 256) == (256, 64)


def test_x0_formula_matches_the_schedulers_own(tiny_pipe):
    """For schedulers without `pred_original_sample` the editor computes x0 itself; check the formula
    against DDIM's (integer timesteps, variance preserving) and Euler's (sigma form)."""
    from diffusers import DDIMScheduler, EulerDiscreteScheduler

    torch.manual_seed(0)
    for cls in (DDIMScheduler, EulerDiscreteScheduler):
        extra = {"timestep_spacing": "leading"} if cls is EulerDiscreteScheduler else {"clip_sample": False}
        scheduler = cls.from_config(tiny_pipe.scheduler.config, **extra)  # integer timesteps; DDIM unclipped
        scheduler.set_timesteps(10)
        t = scheduler.timesteps[3]
        sample = torch.randn(1, 4, 8, 8) * scheduler.init_noise_sigma
        noise = torch.randn(1, 4, 8, 8)
        model_in = scheduler.scale_model_input(sample, t)
        ours = estimate_x0(scheduler, model_in, noise, t)
        theirs = scheduler.step(noise, t, sample).pred_original_sample
        assert torch.allclose(ours, theirs, atol=1e-4), cls.__name__


def test_demo_last_preview_resembles_the_result(tmp_path):
    """On the trained toy model the previews converge on the result (measured: 10.8 dB at step 2,
    19.0 dB at step 20; the input picture against the result: 8.3 dB)."""
    from ip2p_nb.train import save_scene_png

    editor = load_editor("demo")
    previews = []
    result = editor.edit(save_scene_png(tmp_path / "scene.png", seed=3, time="day"), "make it night", seed=1, steps=20,
                         max_size=64, preview_every=2, preview=lambda step, total, image: previews.append(image))
    assert len(previews) == 10 and previews[-1].size == result.image.size == (64, 64)
    first, last = _psnr(previews[0], result.image), _psnr(previews[-1], result.image)
    assert last > 17 and last > first + 5 and last > _psnr(result.original, result.image) + 5, (first, last)
