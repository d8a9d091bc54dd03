"""The app's model menu in the kernel (no browser): switch models by setting the dropdown, as a user would.

A switch loads the new model in the background and then puts its size range and defaults on the
sliders; a switch that fails (no hub reachable, a gated model without a login) leaves the previous
model selected and working. Real loads only: `tiny`, the shipped `demo`, and hub models that the
offline test environment (conftest.py: the hub is a closed loopback port) cannot fetch.
"""
import warnings

import pytest

from ip2p_nb.app import App, available_samples
from ip2p_nb.editing.load import load_editor

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


@pytest.fixture
def app(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        editor = load_editor("tiny")
    return App(editor, workdir=tmp_path)


def _text(html_value):
    """The message text as the user reads it (without its HTML wrapper and escapes)."""
    import html

    return html.unescape(html_value.split(">", 1)[1].rsplit("</div>", 1)[0])


def _edit(app, steps=2):
    app.steps.value = steps
    app.instruction.value = "make it night"
    app.start_edit()
    assert app.wait(120)
    return app.results[-1]


def test_the_menu_lists_the_catalogue_and_starts_on_the_running_model(app):
    from ip2p_nb.models.catalogue import model_names

    assert list(app.picker.dropdown.options) == model_names()
    assert app.picker.dropdown.value == "tiny"


def test_switching_tiny_to_demo_sets_its_range_and_defaults_and_edits_with_it(app):
    tiny = app.editor
    assert (app.max_size.min, app.max_size.max) == (256, 1024)
    app.picker.dropdown.value = "demo"
    assert app.picker.wait(120)
    assert app.editor is not tiny and app.editor.model_name == "demo" and app.picker.loads == 1
    assert (app.max_size.min, app.max_size.max, app.max_size.value, app.max_size.step) == (64, 1024, 64, 8)
    assert (app.steps.value, app.image_guidance.value, app.text_guidance.value) == (20, 1.5, 7.5)
    assert app.sample.options[1][1].startswith("scene:")          # the demo's own cartoon scenes
    assert "Now editing with demo" in _text(app.message.value)
    app.sample.value = app.sample.options[1][1]
    result = _edit(app)
    assert result.model == "demo" and result.image.size == (64, 64)


@pytest.mark.parametrize("name, says", [
    ("magicbrush", "Could not download 'vinesmsuic/magicbrush-jul7' from the model hub"),          # no hub reachable
    ("cosxl-edit", "The model 'cosxl-edit' (stabilityai/cosxl) is gated: accept its licence"),    # no login
])
def test_a_failed_switch_keeps_the_previous_model_selected_and_working(app, name, says, monkeypatch, tmp_path):
    from huggingface_hub import constants

    monkeypatch.delenv("HF_TOKEN", raising=False)
    monkeypatch.setattr(constants, "HF_TOKEN_PATH", str(tmp_path / "token"))
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    tiny = app.editor
    app.picker.dropdown.value = name
    assert app.picker.wait(60)
    message = _text(app.message.value)
    if message.startswith("Not enough free memory") and name == "magicbrush":   # the memory guard comes first on a small machine
        says = "Not enough free memory (RAM) to load magicbrush"
    assert message.startswith(says) and message.endswith("; the app keeps using tiny / 继续使用 tiny."), message
    assert "\n" not in message
    assert app.editor is tiny and app.picker.dropdown.value == "tiny" and not app.picker.dropdown.disabled
    assert app.picker.failures == 1 and app.picker.loads == 0
    assert (app.max_size.min, app.max_size.max) == (256, 1024)
    app.sample.value = str(available_samples()["cat"])
    app.max_size.value = 256
    result = _edit(app)
    assert result.model == "tiny" and max(result.image.size) == 256
