"""The app's "Where each word acts" panel, driven as a user would: edit, pick a word, see its map, download the grid."""
import base64
import io
import re
import warnings

import numpy as np
import pytest
from PIL import Image

from ip2p_nb.app import App, available_samples
from ip2p_nb.app.wordmaps import MAPS_TITLE
from ip2p_nb.editing.load import load_editor

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


@pytest.fixture(scope="module")
def editor():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return load_editor("tiny")


def _edited(app):
    app.steps.value, app.max_size.value = 2, 256
    app.sample.value = str(available_samples()["cat"])
    app.instruction.value = "make the sky purple"
    app.edit_button.click()
    assert app.wait(120) and "Done" in app.message.value, app.message.value
    return app.results[-1]


def test_after_an_edit_each_word_can_be_picked_and_its_map_seen(editor, tmp_path):
    app = App(editor, workdir=tmp_path)
    panel = app.maps_panel
    assert MAPS_TITLE in panel.widget.children[0].value and panel.wanted()
    result = _edited(app)
    assert list(panel.words.options) == ["make", "the", "sky", "purple"] and panel.words.value == "purple"
    first = Image.open(io.BytesIO(panel.overlay.value))
    assert first.size == app.results[-1].image.size and panel.overlay.layout.display is None
    panel.words.value = "sky"
    second = Image.open(io.BytesIO(panel.overlay.value))
    expected = np.asarray(Image.open(io.BytesIO(_overlay(result, "sky"))))
    assert np.array_equal(np.asarray(second), expected) and not np.array_equal(np.asarray(first), np.asarray(second))
    link = re.search(r"href='data:image/png;base64,([^']+)'", panel.download.value)
    grid = Image.open(io.BytesIO(base64.b64decode(link.group(1))))
    assert "word_maps.png" in panel.download.value and grid.width > 4 * 128   # the picture and one tile per word


def test_a_chinese_instruction_shows_the_chinese_word_beside_each_english_word(editor, tmp_path):
    app = App(editor, workdir=tmp_path)
    app.steps.value, app.max_size.value = 2, 256
    app.sample.value = str(available_samples()["cat"])
    app.instruction.value = "把天空换成夜晚"
    app.edit_button.click()
    assert app.wait(120) and "Done" in app.message.value, app.message.value
    labels = dict((value, label) for label, value in app.maps_panel.words.options)
    assert labels == {"turn": "turn", "the": "the", "sky": "sky 天空", "into": "into", "night": "night 夜晚"}
    app.maps_panel.words.value = "sky"                      # picked by its English word, as before
    assert app.maps_panel.overlay.layout.display is None


def _overlay(result, word):
    from ip2p_nb.app.common import png_bytes
    from ip2p_nb.outputs.wordmaps import heat_overlay

    return png_bytes(heat_overlay(result.image, result.maps.heat(word)), 512)


def test_the_switch_off_edits_without_maps_and_the_same_picture(editor, tmp_path):
    app = App(editor, workdir=tmp_path)
    app.seed.value = 5
    app.random_seed.value = False
    with_maps = _edited(app)
    app.maps_panel.switch.value = False
    without = _edited(app)
    assert without.maps is None and with_maps.maps is not None
    assert np.array_equal(np.asarray(with_maps.image), np.asarray(without.image))
    assert app.maps_panel.words.options == () and app.maps_panel.overlay.layout.display == "none"


def test_openvino_and_rooms_say_why_there_are_no_maps(editor, tmp_path):
    app = App(editor, workdir=tmp_path)
    editor.pipe.unet.runtime = "openvino"         # what runtime.use_openvino marks its stand-in with
    try:
        app.maps_panel.use_editor()
    finally:
        del editor.pipe.unet.runtime
    assert app.maps_panel.switch.disabled and not app.maps_panel.wanted() and "OpenVINO" in app.maps_panel.note.value
    app.maps_panel.use_editor()
    assert app.maps_panel.wanted() and app.maps_panel.note.value == ""
