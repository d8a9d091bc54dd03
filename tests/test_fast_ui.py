"""The app's "Fast" switch (deep-feature reuse) and its time estimate, driven as a user would, on the `tiny` pipeline.

The estimate is a prediction for the full-size model, so it is shown for real models on a CPU; these
tests give the tiny pipeline a non-toy name (as a user's own local model folder would have) to get it.
"""
import warnings

import pytest

from ip2p_nb.app import App, available_samples
from ip2p_nb.defaults import CPU_DEFAULTS
from ip2p_nb.editing.editor import Editor
from ip2p_nb.editing.load import load_editor
from ip2p_nb.editing.images import edit_size

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


@pytest.fixture(scope="module")
def tiny():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return load_editor("tiny")


@pytest.fixture()
def real_like(tiny):
    """The tiny pipeline under a model name that is not a toy's, with load_editor's CPU reuse default."""
    editor = Editor(tiny.pipe, model_name="my-own/instruct-pix2pix")
    editor.default_cache_interval = CPU_DEFAULTS["cache_interval"]
    return editor


def _edit(app, steps=4):
    app.steps.value, app.max_size.value = steps, 256
    app.sample.value = str(available_samples()["cat"])
    app.instruction.value = "make it snowy"
    app.edit_button.click()
    assert app.wait(60)
    return app.results[-1]


def test_fast_switch_sets_the_cache_interval_the_edit_used(real_like, tmp_path):
    app = App(real_like, workdir=tmp_path)
    assert app.fast.value is True and app.cpu_defaults  # on by default for a real model on a CPU
    assert (app.steps.value, app.max_size.value) == (CPU_DEFAULTS["steps"], CPU_DEFAULTS["max_size"])
    assert _edit(app).cache_interval == CPU_DEFAULTS["cache_interval"]
    app.fast.value = False
    assert _edit(app).cache_interval == 1


def test_fast_switch_is_off_for_the_toy_models(tiny, tmp_path):
    app = App(tiny, workdir=tmp_path)
    assert app.fast.value is False and not app.cpu_defaults
    assert "few seconds" in app.estimate.value
    assert _edit(app, steps=2).cache_interval == 1


def test_estimate_updates_when_the_settings_change(real_like, tmp_path):
    app = App(real_like, workdir=tmp_path)
    assert "on this CPU" in app.estimate.value and "预计" in app.estimate.value
    shown = app.estimates_shown
    texts = {app.estimate.value}
    app.max_size.value = 1024          # much bigger: the predicted minutes change
    texts.add(app.estimate.value)
    app.steps.value = 100
    texts.add(app.estimate.value)
    app.fast.value = False
    texts.add(app.estimate.value)
    app.image_guidance.value = 1.0     # two UNet branches instead of three
    assert app.estimates_shown == shown + 4
    assert len(texts) == 4


def test_no_estimate_on_a_gpu(real_like, tmp_path):
    class OnGPU:                       # what a shared worker on a GPU tells a page about its model
        device, model_name, default_cache_interval, runtime = "cuda", "timbrooks/instruct-pix2pix", 1, "torch"

    app = App(OnGPU(), workdir=tmp_path)
    assert app.estimate.value == "" and app.fast.value is False and app.cache_interval() == 1


def test_estimate_follows_the_photo_shape(real_like, tmp_path):
    app = App(real_like, workdir=tmp_path)
    assert "square photo" in app.estimate.value
    app.sample.value = str(available_samples()["cat"])
    width, height = edit_size(*app.current_image.size, app.max_size.value)
    assert width != height and f"({width}x{height} px, " in app.estimate.value


def test_speed_defaults_follow_a_new_editor(real_like, tiny, tmp_path):
    """After a model switch (the model menu calls apply_speed_defaults), Fast and the estimate follow the new model."""
    app = App(real_like, workdir=tmp_path)
    assert app.fast.value is True and "on this CPU" in app.estimate.value
    app.editor = tiny
    app.apply_speed_defaults()
    assert app.fast.value is False and "few seconds" in app.estimate.value and app.cache_interval() == 1
