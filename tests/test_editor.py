"""The core editor on the tiny pipeline: resize rule, reproducibility against plain diffusers, seeds, progress."""
import io

import numpy as np
import pytest
import torch
from PIL import Image

from ip2p_nb.defaults import DEFAULTS
from ip2p_nb.editing.editor import Editor, EditStopped
from ip2p_nb.editing.load import load_editor
from ip2p_nb.errors import SettingError, UserError
from ip2p_nb.editing.images import resize_for_edit

from conftest import scene


@pytest.mark.parametrize("size, max_size, expected", [
    ((640, 480), 512, (512, 384)),     # landscape
    ((480, 640), 512, (384, 512)),     # portrait
    ((1000, 1000), 512, (512, 512)),   # square, scaled down
    ((10, 10), 256, (256, 256)),       # tiny, scaled up
    ((333, 777), 512, (216, 512)),     # odd sizes: 219.4 rounds to 216
    ((1001, 333), 768, (768, 256)),    # 255.5 rounds to 256
])
def test_resize_rule(size, max_size, expected):
    out = resize_for_edit(Image.new("RGB", size), max_size)
    assert out.size == expected
    assert out.width % 8 == 0 and out.height % 8 == 0 and max(out.size) == max_size


def test_resize_keeps_aspect_and_never_crops():
    im = Image.new("RGB", (900, 500), "white")
    im.paste((255, 0, 0), (0, 0, 30, 500))       # a red stripe on the left edge
    im.paste((0, 0, 255), (870, 0, 900, 500))    # a blue stripe on the right edge
    out = np.asarray(resize_for_edit(im, 512))
    assert abs(out.shape[1] / out.shape[0] - 900 / 500) < 8 / out.shape[0]
    assert out[:, 2, 0].mean() > 200 and out[:, 2, 2].mean() < 60     # red still at the left edge
    assert out[:, -3, 2].mean() > 200 and out[:, -3, 0].mean() < 60   # blue still at the right edge


def test_resize_refuses_strips_and_bad_max_size():
    with pytest.raises(UserError, match="too narrow"):
        resize_for_edit(Image.new("RGB", (4000, 100)), 512)
    editor_error = SettingError
    from ip2p_nb.defaults import check_settings

    with pytest.raises(editor_error, match="multiple of 8"):
        check_settings(max_size=500)


@pytest.mark.parametrize("image_guidance, text_guidance", [(1.5, 7.5), (2.0, 5.0)])
def test_same_pixels_as_plain_pipeline(tiny_editor, photo, image_guidance, text_guidance):
    result = tiny_editor.edit(photo, "make it snowy", english="make it snowy", seed=3, steps=4, max_size=256,
                              image_guidance=image_guidance, text_guidance=text_guidance)
    resized = resize_for_edit(photo, 256)
    plain = tiny_editor.pipe("make it snowy", image=resized, num_inference_steps=4, image_guidance_scale=image_guidance,
                             guidance_scale=text_guidance, generator=torch.Generator("cpu").manual_seed(3)).images[0]
    assert result.image.size == plain.size == (256, 192)
    assert np.array_equal(np.asarray(result.image), np.asarray(plain))
    assert np.array_equal(np.asarray(result.original), np.asarray(resized))


def test_seed_reported_and_reproducible(tiny_editor, photo):
    first = tiny_editor.edit(photo, "make it snowy", steps=2, max_size=256)
    assert 0 <= first.seed < 2**32
    again = tiny_editor.edit(photo, "make it snowy", steps=2, max_size=256, seed=first.seed)
    other = tiny_editor.edit(photo, "make it snowy", steps=2, max_size=256, seed=(first.seed + 1) % 2**32)
    assert np.array_equal(np.asarray(first.image), np.asarray(again.image))
    assert not np.array_equal(np.asarray(first.image), np.asarray(other.image))


def test_image_as_pil_path_or_bytes(tiny_editor, photo, photo_path):
    results = [tiny_editor.edit(src, "make it snowy", seed=5, steps=2, max_size=256)
               for src in (photo, photo_path, photo_path.read_bytes())]
    arrays = [np.asarray(r.image) for r in results]
    assert all(np.array_equal(arrays[0], a) for a in arrays[1:])


def test_result_fields(tiny_editor, photo):
    r = tiny_editor.edit(photo, "make it snowy", seed=11, steps=2, max_size=256, text_guidance=6.0)
    assert (r.instruction, r.prompt, r.backend, r.seed, r.steps, r.max_size) == ("make it snowy", "make it snowy", "english", 11, 2, 256)
    assert (r.image_guidance, r.text_guidance, r.model) == (DEFAULTS["image_guidance"], 6.0, "tiny")
    assert r.seconds > 0 and r.image.mode == "RGB" and r.original.size == r.image.size
    assert "seed 11" in r.summary()


def test_progress_called_each_step_and_stop(tiny_editor, photo):
    calls = []
    tiny_editor.edit(photo, "make it snowy", seed=1, steps=3, max_size=256, progress=lambda i, n: calls.append((i, n)))
    assert calls == [(1, 3), (2, 3), (3, 3)]

    def stop_at_two(i, n):
        if i == 2:
            raise KeyboardInterrupt("stop")
    with pytest.raises(EditStopped, match="after step 2 of 5"):
        tiny_editor.edit(photo, "make it snowy", seed=1, steps=5, max_size=256, progress=stop_at_two)
    after = tiny_editor.edit(photo, "make it snowy", seed=1, steps=3, max_size=256)   # still usable, same pixels
    fresh = Editor(tiny_editor.pipe).edit(photo, "make it snowy", seed=1, steps=3, max_size=256)
    assert np.array_equal(np.asarray(after.image), np.asarray(fresh.image))


def test_refuses_non_instructpix2pix_unet(tiny_pipe):
    from diffusers import UNet2DConditionModel

    cfg = dict(tiny_pipe.unet.config)
    cfg["in_channels"] = 4
    tiny_pipe.unet = UNet2DConditionModel.from_config(cfg)
    with pytest.raises(UserError, match="not an InstructPix2Pix model"):
        Editor(tiny_pipe)


def test_load_editor_tiny_and_env(monkeypatch, photo):
    monkeypatch.setenv("IP2P_MODEL", "tiny")
    with pytest.warns(UserWarning, match="random weights"):
        editor = load_editor()
    assert editor.model_name == "tiny" and editor.pipe.device.type == "cpu" and editor.pipe.unet.dtype == torch.float32
    assert type(editor.pipe.scheduler).__name__ == "EulerAncestralDiscreteScheduler"
    assert editor.edit(photo, "make it snowy", steps=1, max_size=256).image.size == (256, 192)


def test_missing_local_folder_is_one_sentence():
    with pytest.raises(UserError, match="no model folder"):
        load_editor("./no/such/model")
