"""The translation chain: pass-through, validation, the CLI function, marian skipping, and
googletrans for real through a loopback HTTPS proxy in Google's reply format (tests/google_loopback.py).
"""

import asyncio
import dataclasses
import json
import os
import socket
import subprocess
import sys
import time

import pytest

from google_loopback import GoogleLoopback
from ip2p_nb.cli import main as cli_main
from ip2p_nb.translation import chain as tr
from ip2p_nb.errors import SettingError, UserError

SKY = "把天空换成夜晚"


@pytest.fixture(autouse=True)
def _clean(monkeypatch):
    for name in (tr.ENV_PROXY, tr.ENV_MARIAN):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(tr.ENV_OFFLINE, "1")  # no test reaches the network; the loopback ones switch this off
    tr.reset_cache()
    yield
    tr.reset_cache()


@pytest.fixture
def google(tmp_path, monkeypatch):
    """A loopback Google (see google_loopback.py) whose certificate httpx trusts."""
    monkeypatch.delenv(tr.ENV_OFFLINE, raising=False)  # loopback only: the proxy points at 127.0.0.1
    with GoogleLoopback(tmp_path, replies={SKY: "Replace the sky with night"}) as loop:
        monkeypatch.setenv("SSL_CERT_FILE", loop.ca_file)
        yield loop


def _closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---- basics --------------------------------------------------------------------------------


def test_english_passes_through_untouched():
    result = tr.translate("  make it snowy!  ")
    assert (result.text, result.source, result.backend) == ("  make it snowy!  ", "  make it snowy!  ", "english")
    assert result.complete


def test_has_chinese():
    assert tr.has_chinese("把 cat 变成 dog") and tr.has_chinese("變成雪景")
    assert not tr.has_chinese("make it snowy, ＡＢＣ、。")


def test_offline_builtin_is_fast_and_keeps_english_words(monkeypatch):
    monkeypatch.setenv(tr.ENV_OFFLINE, "1")
    start = time.perf_counter()
    result = tr.translate("把 cat 变成 dog")
    assert time.perf_counter() - start < 2.0
    assert (result.text, result.backend) == ("turn the cat into a dog", "builtin")
    assert tr.translate("把天空換成夜晚").text == "turn the sky into night"  # traditional


def test_unreachable_network_falls_back_quickly(monkeypatch):
    monkeypatch.delenv(tr.ENV_OFFLINE)  # the proxy is a closed loopback port: nothing leaves the machine
    start = time.perf_counter()
    result = tr.translate(SKY, proxy=f"http://127.0.0.1:{_closed_port()}")
    assert time.perf_counter() - start < 2.0
    assert result.backend == "builtin" and result.text == "turn the sky into night"
    assert "googletrans" in tr.available_backends()


def test_partial_and_none_say_so():
    partial = tr.translate("把天空变成𪚥", backends=["builtin"])  # 𪚥: in no dictionary we use
    assert partial.backend == "builtin-partial" and not partial.complete  # the model reads no Chinese: left out, listed
    assert "sky" in partial.text and "𪚥" not in partial.text and partial.untranslated == ("𪚥",)
    nothing = tr.translate(SKY, backends=[])
    assert (nothing.text, nothing.backend, nothing.complete) == (SKY, "none", False)


def test_translation_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        tr.translate("hi").text = "x"


@pytest.mark.parametrize("kwargs, word", [
    ({"timeout": 0}, "`timeout`"), ({"timeout": 999}, "`timeout`"), ({"timeout": "3"}, "`timeout`"),
    ({"backends": ["bing"]}, "`backends`"), ({"proxy": "127.0.0.1:8080"}, "`proxy`")])
def test_bad_settings_name_the_parameter(kwargs, word):
    with pytest.raises(SettingError, match=word):
        tr.translate(SKY, **kwargs)
    with pytest.raises(SettingError, match="`text`"):
        tr.translate(None)


def test_cli_translate_prints_text_and_json(capsys, monkeypatch):
    monkeypatch.setenv(tr.ENV_OFFLINE, "1")
    assert cli_main(["translate", SKY]) == 0
    assert capsys.readouterr().out == "turn the sky into night\n"
    assert cli_main(["translate", SKY, "--json"]) == 0
    out = capsys.readouterr().out
    assert SKY in out  # ensure_ascii=False: the Chinese is readable
    assert json.loads(out) == {"text": "turn the sky into night", "source": SKY, "backend": "builtin", "untranslated": []}
    assert cli_main(["translate", "  "]) == 2
    assert "empty" in capsys.readouterr().err


def _run_python(code, **env):
    full_env = dict(os.environ, **env)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=full_env,
                          timeout=60, cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_import_does_not_import_torch():
    done = _run_python("import sys, ip2p_nb.translation as t; t.translate('把猫变成狗', backends=['builtin']);"
                       "print('torch' in sys.modules, 'transformers' in sys.modules)")
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "False"]


def test_marian_is_skipped_quickly_when_not_cached(tmp_path):
    code = ("import time, sys, ip2p_nb.translation as t; s = time.perf_counter();"
            "r = t.translate('把猫变成狗', backends=['marian']);"
            "print(r.backend, round(time.perf_counter() - s, 3), 'marian' in t.available_backends(),"
            " 'torch' in sys.modules)")
    for mode in ("auto", "download"):  # offline, even "download" must not try the network
        done = _run_python(code, HF_HOME=str(tmp_path), HF_HUB_CACHE=str(tmp_path / "hub"),
                           IP2P_TRANSLATE_OFFLINE="1", IP2P_TRANSLATE_MARIAN=mode, HF_HUB_OFFLINE="1")
        assert done.returncode == 0, done.stderr
        backend, seconds, listed, torch_loaded = done.stdout.split()
        assert (backend, listed, torch_loaded) == ("none", "False", "False")
        assert float(seconds) < 1.0


# ---- googletrans through the loopback proxy ----------------------------------------------------


def test_google_good_reply_through_real_client(google):
    result = tr.translate(SKY, proxy=google.proxy_url)
    assert (result.text, result.backend) == ("Replace the sky with night", "googletrans")
    assert google.connects == ["translate.googleapis.com:443"]
    query = google.requests[0]
    assert (query["path"], query["client"], query["sl"], query["tl"], query["q"]) == (
        "/translate_a/single", "gtx", "auto", "en", SKY)
    again = tr.translate(SKY, proxy=google.proxy_url)  # cached: no second request
    assert again == result and len(google.requests) == 1


def test_google_proxy_from_environment(google, monkeypatch):
    monkeypatch.setenv(tr.ENV_PROXY, google.proxy_url)
    assert tr.translate(SKY).backend == "googletrans"
    monkeypatch.setenv(tr.ENV_OFFLINE, "1")
    tr.reset_cache()
    assert tr.translate(SKY).backend == "builtin"
    assert len(google.requests) == 1


@pytest.mark.parametrize("mode", ["429", "500", "malformed", "echo"])
def test_google_failures_fall_back_to_builtin(google, mode):
    google.mode = mode
    result = tr.translate(SKY, proxy=google.proxy_url)
    assert (result.text, result.backend) == ("turn the sky into night", "builtin")
    assert len(google.requests) == 1
    why = {"429": '"429"', "500": '"500"', "malformed": "JSONDecodeError", "echo": "identical"}[mode]
    assert why in tr._state["last_error"]
    tr.translate(SKY, proxy=google.proxy_url)
    remembered = mode != "echo"  # a network/server failure is remembered; an echo is not
    assert len(google.requests) == (1 if remembered else 2)
    tr.reset_cache()
    google.mode = "ok"
    assert tr.translate(SKY, proxy=google.proxy_url).backend == "googletrans"


def test_google_that_never_answers_gives_up_in_time(google):
    google.mode = "hang"
    start = time.perf_counter()
    result = tr.translate(SKY, proxy=google.proxy_url, timeout=1.0)
    elapsed = time.perf_counter() - start
    assert 0.9 < elapsed < 4.0, elapsed  # waited for the 1 s timeout, not the 3 s default or a hang
    assert result.backend == "builtin" and google.connects
    tried = len(google.connects)
    assert tr.translate("把猫变成狗", proxy=google.proxy_url, timeout=1.0).backend == "builtin"
    assert len(google.connects) == tried  # the failure is remembered: no second connection, so no second wait


def test_google_inside_a_running_event_loop(google):
    async def notebook_cell():
        assert asyncio.get_running_loop()  # as in Jupyter or an ipywidgets callback
        return tr.translate(SKY, proxy=google.proxy_url)

    result = asyncio.run(notebook_cell())
    assert (result.text, result.backend) == ("Replace the sky with night", "googletrans")


def test_cli_lists_untranslated_words(capsys):
    assert cli_main(["translate", "把天空变成𪚥", "--json"]) == 0  # 𪚥: in no dictionary we use
    captured = capsys.readouterr()
    assert json.loads(captured.out)["untranslated"] == ["𪚥"]
    assert "𪚥" in captured.err  # the warning names it too


@pytest.mark.parametrize("chinese, english, expected", [
    ("把天空换成夜晚", "turn the sky into night", {"sky": "天空", "night": "夜晚"}),
    ("给照片加上雪", "add snow to the photo", {"snow": "雪", "photo": "照片"}),
    ("让她穿上汉服站在海边", "put a hanfu on her by the seaside", {"hanfu": "汉服", "seaside": "海边"}),
    ("让她穿上汉服站在海边", "put a hanfu on her and make her stand by the sea", {"hanfu": "汉服", "stand": "站", "sea": "海边"}),
    ("把房子涂成红色", "paint the house red", {"house": "房子", "red": "红色"}),
    ("让猫戴上帽子", "put a hat on the cat", {"put": "戴", "hat": "帽子", "cat": "猫"}),
])
def test_each_english_word_knows_the_chinese_word_it_came_from(chinese, english, expected):
    from ip2p_nb.translation.align import source_words

    assert source_words(chinese, english.split()) == expected
