"""Bad text and bad settings: refused at the boundary in one sentence, never clamped, never a crash.

Text: empty or invisible instructions are refused with a hint, over-long prompts run with a
warning naming what was cut, any Unicode is accepted. Settings: out of range, NaN, infinite,
wrongly typed values raise `SettingError` naming the parameter, the value and the range (in
Python) or print one `error:` line and exit 2 (command line). Property tests run the tiny
pipeline over random sizes, modes and settings.
"""
import math
import os
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from PIL import Image

from corpus import MODES, mode_image
from ip2p_nb.cli import main
from ip2p_nb.defaults import RANGES, check_settings
from ip2p_nb.editing.load import load_editor
from ip2p_nb.errors import SettingError, UserError
from ip2p_nb.editing.images import MIN_SIDE, edit_size

ROOT = Path(__file__).resolve().parent.parent
EMPTY = 'The instruction is empty: type what to change, for example "make it snowy" or "把天空换成夜晚".'
FAST = dict(steps=1, max_size=256, seed=3)


@pytest.fixture(scope="module")
def editor():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return load_editor("tiny")


@pytest.fixture(scope="module")
def photo():
    return Image.new("RGB", (96, 64), (200, 120, 40))


# ---------------------------------------------------------------- text
@pytest.mark.parametrize("text", ["", " ", "\t\n  ", "\u200b", "\ufeff", "\u200b\u200d \u2060", "\x00", "\u200f"])
def test_empty_or_invisible_instruction_is_refused_with_a_hint(editor, photo, text):
    with pytest.raises(UserError) as e:
        editor.edit(photo, text, **FAST)
    assert str(e.value) == EMPTY


@pytest.mark.parametrize("text", [None, 5])
def test_instruction_that_is_not_text_is_refused(editor, photo, text):
    with pytest.raises(UserError, match="^The instruction is empty"):
        editor.edit(photo, text, **FAST)


def test_blank_english_override_is_refused(editor, photo):
    with pytest.raises(UserError) as e:
        editor.edit(photo, "make it snowy", english="\u200b ", **FAST)
    assert str(e.value) == "The English prompt is empty: type the instruction in English, or leave it blank to translate."


def test_broken_surrogate_is_refused_in_one_sentence(editor, photo):
    with pytest.raises(UserError) as e:
        editor.edit(photo, "make it snowy \ud83d", **FAST)
    assert str(e.value) == "The instruction contains a broken character ('\\ud83d'); type or paste it again."


def test_long_instruction_runs_and_names_what_was_cut(editor, photo):
    text = "make it " + "very " * 30 + "snowy and cold tonight"  # 166 characters = tokens for the byte-level tiny vocab
    result = editor.edit(photo, text, **FAST)
    assert result.image.size == result.original.size
    long_notes = [w for w in result.warnings if "77-token limit" in w]
    assert len(long_notes) == 1
    cut = long_notes[0].split("this end was ignored: ", 1)[1]
    assert cut.endswith("snowy and cold tonight'.") and len(cut) > 80


def test_instruction_within_the_limit_has_no_warning(editor, photo):
    assert editor.edit(photo, "make it " + "very " * 10 + "snowy", **FAST).warnings == []


@pytest.mark.parametrize("text", [
    "make it snowy 🌨️❄️👍🏽",                  # emoji with variation selectors and skin tone
    "اجعلها ثلجية",                          # right-to-left Arabic
    "\u202emake it snowy",                  # right-to-left override
    "e\u0301\u0301\u0301 z\u0336a\u0336 ",  # stacked combining marks
    "make\x00it snowy",                     # NUL inside the text
    "make\u200bit\u200d snowy",             # zero-width space and joiner inside words
    "ＭＡＫＥ ＩＴ ＳＮＯＷＹ",                 # full-width Latin
])
def test_any_unicode_instruction_is_accepted(editor, photo, text):
    result = editor.edit(photo, text, **FAST)
    assert result.instruction == text and result.prompt and result.image.mode == "RGB"


# ---------------------------------------------------------------- settings (Python)
BAD_SETTINGS = [
    ("steps", 0, "`steps` must be between 1 and 100, but got 0."),
    ("steps", 101, "`steps` must be between 1 and 100, but got 101."),
    ("steps", 2.0, "`steps` must be a whole number between 1 and 100, but got 2.0."),
    ("steps", "20", "`steps` must be a number between 1 and 100, but got '20'."),
    ("steps", True, "`steps` must be a number between 1 and 100, but got True."),
    ("image_guidance", float("nan"), "`image_guidance` must be between 1.0 and 5.0, but got nan."),
    ("image_guidance", 0.99, "`image_guidance` must be between 1.0 and 5.0, but got 0.99."),
    ("image_guidance", "1.5", "`image_guidance` must be a number between 1.0 and 5.0, but got '1.5'."),
    ("text_guidance", float("inf"), "`text_guidance` must be between 1.0 and 20.0, but got inf."),
    ("text_guidance", -float("inf"), "`text_guidance` must be between 1.0 and 20.0, but got -inf."),
    ("text_guidance", 20.5, "`text_guidance` must be between 1.0 and 20.0, but got 20.5."),
    ("text_guidance", None, "`text_guidance` must be a number between 1.0 and 20.0, but got None."),
    ("max_size", 300, "`max_size` must be a multiple of 8 (the model works on 8x8 blocks), but got 300; use 296 or 304."),
    ("max_size", 248, "`max_size` must be between 256 and 1024, but got 248."),
    ("max_size", 512.0, "`max_size` must be a whole number between 256 and 1024, but got 512.0."),
    ("seed", -1, "`seed` must be between 0 and 4294967295, but got -1."),
    ("seed", 2**32, "`seed` must be between 0 and 4294967295, but got 4294967296."),
    ("seed", 1.5, "`seed` must be a whole number between 0 and 4294967295, but got 1.5."),
    ("seed", False, "`seed` must be a number between 0 and 4294967295, but got False."),
]


@pytest.mark.parametrize("name,value,message", BAD_SETTINGS)
def test_bad_setting_is_refused_naming_parameter_value_and_range(editor, photo, name, value, message):
    kwargs = dict(FAST, **{name: value})
    with pytest.raises(SettingError) as e:
        editor.edit(photo, "make it snowy", **kwargs)
    assert isinstance(e.value, ValueError) and str(e.value) == message


def test_steps_none_means_the_editors_own_steps(editor, photo):
    """`edit(steps=None)` is not a bad setting: it takes the editor's steps (the model's, or the CPU default's)."""
    before, editor.default_steps = editor.default_steps, 3
    try:
        assert editor.edit(photo, "make it snowy", **dict(FAST, steps=None)).steps == 3
    finally:
        editor.default_steps = before


@settings(max_examples=300, deadline=None)
@given(name=st.sampled_from(sorted(RANGES)),
       value=st.one_of(st.integers(-2**40, 2**40), st.floats(allow_nan=True, allow_infinity=True), st.booleans(),
                       st.none(), st.text(max_size=5), st.just(np.int64(20)), st.just(np.float32(2.5))))
def test_check_settings_never_clamps(name, value):
    """Either the exact value comes back (as int/float) or SettingError names it; never a changed number."""
    low, high = RANGES[name]
    try:
        out = check_settings(**{name: value})[name]
    except SettingError as e:
        assert f"`{name}`" in str(e) and repr(value) in str(e)
        assert (str(low) in str(e) and str(high) in str(e)) or "multiple of 8" in str(e)  # in range, off the 8-grid
        return
    if value is None:
        assert name == "seed" and out is None
        return
    assert out == value and low <= out <= high and math.isfinite(out)
    assert type(out) is (int if name in ("steps", "max_size", "seed") else float)


# ---------------------------------------------------------------- settings (command line)
def test_command_line_bad_setting_is_one_error_line_and_exit_2(tmp_path):
    """The real process: no traceback, one `error:` line (the tiny model's `note:` may precede it)."""
    Image.new("RGB", (64, 48), "red").save(tmp_path / "in.png")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    run = subprocess.run([sys.executable, "-m", "ip2p_nb", "edit", str(tmp_path / "in.png"), "make it snowy",
                          "--model", "tiny", "--steps", "0"], capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120)
    assert run.returncode == 2 and run.stdout == ""
    lines = run.stderr.splitlines()
    assert [ln for ln in lines if not ln.startswith("note: ")] == ["error: `steps` must be between 1 and 100, but got 0."]
    assert "Traceback" not in run.stderr
    assert not list(tmp_path.glob("*_edited.png"))


@pytest.mark.parametrize("option,value,message", [
    ("--image-guidance", "nan", "`image_guidance` must be between 1.0 and 5.0, but got nan."),
    ("--text-guidance", "inf", "`text_guidance` must be between 1.0 and 20.0, but got inf."),
    ("--steps", "101", "`steps` must be between 1 and 100, but got 101."),
    ("--max-size", "300", "`max_size` must be a multiple of 8 (the model works on 8x8 blocks), but got 300; use 296 or 304."),
    ("--seed", "-1", "`seed` must be between 0 and 4294967295, but got -1."),
])
def test_command_line_settings_in_process(tmp_path, capsys, monkeypatch, option, value, message):
    monkeypatch.chdir(tmp_path)
    Image.new("RGB", (64, 48), "red").save("in.png")
    assert main(["edit", "in.png", "make it snowy", "--model", "tiny", option, value]) == 2
    err = capsys.readouterr().err.splitlines()
    assert [ln for ln in err if not ln.startswith("note: ")] == [f"error: {message}"]
    assert not list(tmp_path.glob("*_edited.png"))


def test_command_line_wrong_type_is_refused_by_the_parser(capsys):
    with pytest.raises(SystemExit) as e:
        main(["edit", "in.png", "make it snowy", "--model", "tiny", "--steps", "2.5"])
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert "argument --steps: invalid int value: '2.5'" in err and "Traceback" not in err


# ---------------------------------------------------------------- property test on the tiny pipeline
@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
@given(w=st.integers(1, 700), h=st.integers(1, 700), mode=st.sampled_from(list(MODES)),
       image_guidance=st.floats(1.0, 5.0), text_guidance=st.floats(1.0, 20.0), steps=st.integers(1, 2),
       seed=st.integers(0, 2**32 - 1))
def test_any_size_mode_and_setting_gives_an_image_or_a_clear_refusal(editor, w, h, mode, image_guidance, text_guidance, steps, seed):
    im = mode_image(mode)[0].resize((w, h))
    try:
        expected = edit_size(w, h, 256)
    except UserError:
        expected = None
    try:
        result = editor.edit(im, "make it snowy", image_guidance=image_guidance, text_guidance=text_guidance,
                             steps=steps, seed=seed, max_size=256)
    except UserError as e:
        assert expected is None and "too narrow" in str(e)
        return
    assert expected is not None and result.image.size == result.original.size == expected
    assert max(expected) == 256 and min(expected) >= MIN_SIDE and all(s % 8 == 0 for s in expected)
    assert result.image.mode == "RGB" and result.seed == seed and result.steps == steps
