"""The neural (MarianMT) backend on a tiny random model built offline (tests/tiny_marian.py).

No download can happen: the network is off (IP2P_TRANSLATE_OFFLINE=1, loopback only) and the
model sits in a temporary Hugging Face cache. The real Helsinki-NLP/opus-mt-zh-en weights are not
available here; these tests run the code path, not the quality.
"""

import pytest

import tiny_marian
from ip2p_nb.cli import main as cli_main
from ip2p_nb.translation import chain as tr


@pytest.fixture
def hub(tmp_path, monkeypatch):
    cache = tmp_path / "hub"
    monkeypatch.setenv("HF_HUB_CACHE", str(cache))
    # (not HF_HUB_OFFLINE: set while transformers first loads, it left the rest of the worker offline; the
    # loopback-only network and IP2P_TRANSLATE_OFFLINE keep this test from any download)
    monkeypatch.setenv(tr.ENV_OFFLINE, "1")
    monkeypatch.delenv(tr.ENV_MARIAN, raising=False)
    tr.reset_cache()
    tr.forget_marian()
    yield cache
    tr.forget_marian()


def test_cached_model_is_found_and_used(hub):
    assert "marian" not in tr.available_backends()
    tiny_marian.build(hub, force="sky")
    assert "marian" in tr.available_backends()
    result = tr.translate("把天空换成夜晚")
    assert (result.text, result.backend, result.untranslated) == ("sky", "marian", ())


@pytest.mark.parametrize("force, repeat, why", [("天空", False, "still holds Chinese"),
                                                ("sky", True, "repeats itself")])
def test_unusable_neural_reply_falls_through_to_builtin(hub, force, repeat, why):
    tiny_marian.build(hub, force=force, repeat=repeat)
    result = tr.translate("把天空换成夜晚")
    assert (result.text, result.backend) == ("turn the sky into night", "builtin")
    assert why in tr.last_error()


def test_marian_off_is_never_loaded(hub):
    tiny_marian.build(hub, force="sky")
    assert tr.translate("把天空换成夜晚", marian="off").backend == "builtin"
    assert "marian" not in tr.available_backends(marian="off")


def test_cli_marian_flag(hub, capsys):
    tiny_marian.build(hub, force="sky")
    assert cli_main(["translate", "把天空换成夜晚", "--marian", "off"]) == 0
    assert capsys.readouterr().out == "turn the sky into night\n"
    assert cli_main(["translate", "把天空换成夜晚", "--marian", "auto"]) == 0
    assert capsys.readouterr().out == "sky\n"


@pytest.mark.parametrize("reply, problem", [
    ("", "is empty"), ("  ...  ", "is empty"), ("Turn the sky into night", None),
    ("the sky the sky the sky the sky", "repeats itself"), ("night night night", "repeats itself"),
    ("Turn the 天空 into night", "still holds Chinese")])
def test_neural_reply_problems(reply, problem):
    assert tr.neural_reply_problem(reply) == problem


def test_bad_marian_setting_names_the_parameter():
    with pytest.raises(tr.SettingError, match="`marian`"):
        tr.translate("把天空换成夜晚", marian="yes")
