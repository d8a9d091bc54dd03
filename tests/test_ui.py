"""The notebook app, driven as a user would: set widget values, click buttons, wait, check state.

Everything runs on the `tiny` pipeline (real diffusers classes, random weights) at 256 px with a
few steps. Two small stand-in editors appear where the real one cannot fail on this machine (a
GPU out-of-memory error, a bug inside the editor).
"""
import datetime
import io
import time
import warnings

import pytest
from PIL import Image

from ip2p_nb.editing.editor import OutOfMemory
from ip2p_nb.editing.load import load_editor
from ip2p_nb.outputs.metadata import read_png_settings
from ip2p_nb.editing.preview import preview_size
from ip2p_nb.app import App, available_samples
from ip2p_nb.app.common import EMPTY_PICTURE

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


@pytest.fixture(scope="module")
def editor():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return load_editor("tiny")


def _app(editor, tmp_path, steps=2):
    app = App(editor, workdir=tmp_path)
    app.steps.value = steps
    app.max_size.value = 256
    return app


def _ready(app, sample="cat", instruction="make it snowy"):
    app.sample.value = str(available_samples()[sample])
    app.instruction.value = instruction
    return app


def _text(html_value):
    """The message text without its HTML wrapper."""
    return html_value.split(">", 1)[1].rsplit("</div>", 1)[0]


def _png(data):
    return Image.open(io.BytesIO(data))


def _one_sentence(text):
    body = text.strip().rstrip(".")
    return text.strip() and "\n" not in text and "Traceback" not in text and body.count(". ") <= 1


def test_samples_are_real_small_photos():
    samples = available_samples()
    assert {"cat", "coffee", "astronaut"} <= set(samples)
    assert sum(p.stat().st_size for p in samples.values()) < 300_000
    for path in samples.values():
        with Image.open(path) as im:
            assert max(im.size) <= 512 and im.mode == "RGB"
            assert len(set(im.convert("L").resize((32, 32)).getdata())) > 50  # a photo, not a flat fill


def test_sample_shows_at_once_and_translation_is_shown(editor, tmp_path):
    app = _ready(_app(editor, tmp_path), instruction="把天空换成夜晚")
    assert app.current_image.size == (451, 300)
    assert _png(app.before.value).size == (451, 300)
    assert app.prompt.value == "turn the sky into night"
    assert "built-in" in app.backend_label.value or "Google" in app.backend_label.value
    app.prompt.value = "make the sky dark blue"
    assert "edited by hand" in app.backend_label.value


def test_edit_writes_result_seed_history_and_poster(editor, tmp_path):
    app = _ready(_app(editor, tmp_path))
    app.edit_button.click()
    assert app.wait(120)
    after = _png(app.after.value)
    assert after.size == (256, 168) == app.results[-1].image.size
    assert app.seed.value == app.results[-1].seed
    assert len(app.history.children) == 1 and not app.edit_button.disabled and app.stop_button.disabled
    assert "Done" in app.message.value and app.progress.value == 2
    assert not app.poster_button.disabled
    app.poster_button.click()
    poster = tmp_path / "poster.png"
    assert poster.is_file()
    settings = read_png_settings(poster)
    assert settings["seed"] == app.seed.value and settings["size"] == "256x168"
    assert _png(poster.read_bytes()).width == 1200
    assert "download='poster.png'" in app.download.value and "data:image/png;base64," in app.download.value


def test_fixed_seed_and_hand_edited_prompt_are_used(editor, tmp_path):
    app = _ready(_app(editor, tmp_path), instruction="把天空换成夜晚")
    app.random_seed.value = False
    app.seed.value = 1234
    app.prompt.value = "make the sky purple"
    app.edit_button.click()
    assert app.wait(120)
    result = app.results[-1]
    assert (result.seed, result.prompt, result.backend) == (1234, "make the sky purple", "override")
    assert result.instruction == "把天空换成夜晚"


def test_empty_instruction_is_one_sentence_and_app_stays_usable(editor, tmp_path):
    app = _ready(_app(editor, tmp_path), instruction="")
    app.edit_button.click()
    app.wait(60)
    message = _text(app.message.value)
    assert "instruction is empty" in message and _one_sentence(message)
    assert "color:#a12622" in app.message.value  # shown as an error
    assert not app.busy and not app.edit_button.disabled and app.after.value == EMPTY_PICTURE


def test_edit_without_photo_asks_for_one(editor, tmp_path):
    app = _app(editor, tmp_path)
    app.instruction.value = "make it snowy"
    app.edit_button.click()
    assert "Choose a photo first" in app.message.value and app.runs == 0


def test_broken_upload_is_one_sentence(editor, tmp_path):
    app = _app(editor, tmp_path)
    app.upload.value = ({"name": "photo.jpg", "type": "image/jpeg", "size": 11, "content": memoryview(b"not a photo"),
                         "last_modified": datetime.datetime(2025, 1, 1)},)
    message = _text(app.message.value)
    assert "not an image" in message and _one_sentence(message)
    assert app.current_image is None and app.upload.value == ()


def test_upload_uses_bytes_never_the_file_name(editor, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    buf = io.BytesIO()
    Image.new("RGB", (120, 90), (10, 200, 30)).save(buf, format="PNG")
    app = _app(editor, tmp_path)
    app.upload.value = ({"name": "../../etc/passwd", "type": "image/png", "size": len(buf.getvalue()),
                         "content": memoryview(buf.getvalue()), "last_modified": datetime.datetime(2025, 1, 1)},)
    assert app.current_image.size == (120, 90) and app.current_image.getpixel((5, 5)) == (10, 200, 30)
    assert "uploaded" in app.message.value and list(tmp_path.iterdir()) == []


def _wait_for(condition, timeout=60):
    end = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.02)


def test_stop_mid_run_and_second_click_does_nothing(editor, tmp_path):
    calls = []
    app = _ready(_app(editor, tmp_path, steps=100))
    real_edit = editor.edit
    app.editor = type("Counting", (), {"edit": lambda self, *a, **k: (calls.append(1), real_edit(*a, **k))[1]})()
    app.edit_button.click()
    assert app.busy and app.edit_button.disabled and not app.stop_button.disabled
    _wait_for(lambda: app.progress.value >= 2)
    app.edit_button.click()          # ignored: a run is going on
    app.start_edit()                 # the guard behind the disabled button
    assert "already running" in app.message.value
    app.stop_button.click()
    assert app.wait(60)
    assert len(calls) == 1 and app.runs == 1
    assert 2 <= app.progress.value < 100 and "stopped" in app.message.value
    assert not app.edit_button.disabled and app.stop_button.disabled
    # After keeps the last preview, marked as one (the first step always previews)
    assert app.after.value == EMPTY_PICTURE if app.preview_step == 0 else "not a result" in app.after_title.value
    app.editor = editor              # still usable: the next edit runs to the end
    app.steps.value = 2
    app.edit_button.click()
    assert app.wait(120) and "Done" in app.message.value and len(app.results) == 1


def test_history_use_as_input_and_poster(editor, tmp_path):
    app = _ready(_app(editor, tmp_path))
    app.edit_button.click()
    assert app.wait(120)
    first = app.results[-1]
    use_button, poster_button = app.history.children[0].children[2:]
    use_button.click()
    assert app.current_image is first.image and app.after.value == EMPTY_PICTURE
    app.instruction.value = "make it sunny"
    app.edit_button.click()
    assert app.wait(120)
    assert app.results[-1].original.size == first.image.size and len(app.history.children) == 2
    app.history.children[1].children[3].click()  # the older result's poster button
    assert read_png_settings(tmp_path / "poster.png")["seed"] == first.seed


class _FailingEditor:
    def __init__(self, error):
        self.error = error

    def edit(self, *args, **kwargs):
        raise self.error


def test_out_of_memory_offers_a_retry_size(tmp_path):
    app = _ready(_app(_FailingEditor(OutOfMemory("The GPU ran out of memory at max_size 768; try 512.", 512)), tmp_path))
    app.max_size.value = 768
    app.edit_button.click()
    assert app.wait(10)
    assert app.retry_button.layout.display is None and "512" in app.retry_button.description
    assert "ran out of memory" in app.message.value
    app.retry_button.click()
    assert app.wait(10) and app.max_size.value == 512 and app.runs == 2


def test_unexpected_error_is_short_with_traceback_in_debug(tmp_path):
    app = _ready(_app(_FailingEditor(RuntimeError("boom")), tmp_path))
    app.edit_button.click()
    assert app.wait(10)
    message = _text(app.message.value)
    assert "boom" in message and "Debug" in message and "Traceback" not in message
    assert "Traceback" in "".join(o.get("text", "") for o in app.debug.outputs)
    assert not app.edit_button.disabled


def test_layout_is_a_tab_with_the_public_contract(editor, tmp_path):
    app = _app(editor, tmp_path)
    assert app.widget.get_title(0) == "编辑 Edit"
    for name in ("instruction", "prompt", "image_guidance", "text_guidance", "steps", "max_size", "seed", "random_seed"):
        assert hasattr(getattr(app, name), "value")
    assert app.image_guidance.continuous_update is False and app.max_size.step == 64
    app.show_message("hello <b>", "error")
    assert "hello &lt;b&gt;" in app.message.value


def test_after_panel_shows_previews_then_the_result(editor, tmp_path):
    app = _ready(_app(editor, tmp_path, steps=6))
    titles, pictures = [], []
    app.after_title.observe(lambda change: titles.append(change["new"]), names="value")
    app.after.observe(lambda change: pictures.append(_png(change["new"]).size), names="value")
    app.edit_button.click()
    assert app.wait(120)
    previews = [t for t in titles if "Preview" in t]
    steps = [int(p.split("step ")[1].split("/")[0]) for p in previews]
    assert app.previews_shown == len(previews) >= 1 and steps[0] == 1 and steps == sorted(set(steps))
    assert all("/6<" in p for p in previews)
    assert "After" in app.after_title.value and "Preview" not in app.after_title.value
    small = preview_size(app.results[-1].image.size, 128)
    assert pictures[:len(previews)] == [small] * len(previews) and pictures[-1] == app.results[-1].image.size


def test_stop_keeps_the_last_preview_and_says_it_is_not_a_result(editor, tmp_path):
    app = _ready(_app(editor, tmp_path, steps=100))
    app.edit_button.click()
    _wait_for(lambda: app.previews_shown >= 1)
    app.stop_button.click()
    assert app.wait(60)
    assert app.preview_step >= 1 and app.after.value != EMPTY_PICTURE
    assert max(_png(app.after.value).size) == 128
    assert "not a result" in app.after_title.value and f"step {app.preview_step}" in app.after_title.value
    message = _text(app.message.value)
    assert "stopped" in message and f"preview at step {app.preview_step}, not a result" in message
    assert app.results == [] and app.poster_button.disabled    # nothing to make a poster of


def test_advanced_settings_choose_the_sampler(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        own = load_editor("tiny")                             # this test changes the editor's scheduler
    app = _ready(_app(own, tmp_path))
    assert app.scheduler.value == "Euler a" and "DPM++ 2M Karras" in app.scheduler.options
    app.scheduler.value = "DPM++ 2M Karras"
    app.edit_button.click()
    assert app.wait(120)
    assert app.results[-1].sampler == "DPM++ 2M Karras" == own.sampler
    app.poster_button.click()
    assert read_png_settings(tmp_path / "poster.png")["sampler"] == "DPM++ 2M Karras"
