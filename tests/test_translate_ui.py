"""The app shows which Chinese words the translation did not understand, under the English box."""

import pytest

from ip2p_nb.app.main import App


@pytest.fixture
def app(tiny_editor, tmp_path, monkeypatch):
    monkeypatch.setenv("IP2P_TRANSLATE_OFFLINE", "1")
    monkeypatch.setenv("IP2P_TRANSLATE_MARIAN", "off")
    return App(tiny_editor, workdir=tmp_path)


def test_not_understood_words_are_named_until_the_prompt_is_edited(app):
    app.instruction.value = "把天空变成𪚥"  # 𪚥: in no dictionary we use
    assert "sky" in app.prompt.value and "𪚥" not in app.prompt.value  # left out of the prompt, named below it
    assert "not understood: <b>𪚥</b> - type the English" in app.backend_label.value
    assert "没看懂" in app.backend_label.value
    app.prompt.value = "turn the sky into four dragons"
    assert "not understood" not in app.backend_label.value and "edited by hand" in app.backend_label.value


def test_fully_understood_instruction_shows_no_warning(app):
    app.instruction.value = "在门口挂两个红灯笼"
    assert "lantern" in app.prompt.value
    assert "not understood" not in app.backend_label.value


def test_neural_translator_in_one_click(tiny_editor, tmp_path, monkeypatch):
    import tiny_marian
    from ip2p_nb.translation import chain

    monkeypatch.setenv("IP2P_TRANSLATE_OFFLINE", "1")  # "download" then only uses what is cached: no network here
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub"))
    chain.forget_marian()
    app = App(tiny_editor, workdir=tmp_path)
    assert not app.neural.value  # nothing cached: off
    app.instruction.value = "把天空换成夜晚"
    assert app.prompt.value == "turn the sky into night"
    tiny_marian.build(tmp_path / "hub", force="sky")
    app.neural.value = True
    assert app.prompt.value == "sky" and "MarianMT" in app.backend_label.value
    app.neural.value = False
    assert app.prompt.value == "turn the sky into night"
    chain.forget_marian()


def test_neural_translator_download_runs_in_the_background_and_falls_back_in_one_sentence(tiny_editor, tmp_path,
                                                                                          monkeypatch):
    from ip2p_nb.translation import chain

    monkeypatch.setenv("IP2P_TRANSLATE_OFFLINE", "1")  # the download cannot succeed here (and not HF_HUB_OFFLINE: set
    # while transformers first loads, it leaves the whole worker offline, and later hub tests fail)
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub"))
    chain.forget_marian()
    app = App(tiny_editor, workdir=tmp_path)
    app.instruction.value = "把天空换成夜晚"
    app.neural.value = True
    app.instruction_panel.neural_thread.join(60)  # the callback returned at once; the download ran in this thread
    assert not app.neural.value and not app.neural.disabled
    assert "Could not get the neural translator" in app.message.value
    assert app.prompt.value == "turn the sky into night"  # the built-in translation stays
