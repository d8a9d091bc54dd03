"""The rephrasing pass (ip2p_nb/translation/rephrase.py): a translator's English -> a short edit prompt.

The inputs are shaped like the replies of Marian and Google to editing instructions (polite words,
"in the picture", "Let X become Y", "Let the light come from the left"); the built-in translator's
prompts must come back unchanged; the chain applies the pass to a googletrans reply for real, through
the loopback Google of tests/google_loopback.py.
"""

import json
import os
import re
import pathlib
import subprocess
import sys

import pytest

from google_loopback import GoogleLoopback
from ip2p_nb.translation import chain as tr
from ip2p_nb.translation.builtin import translate_zh
from ip2p_nb.translation.rephrase import rephrase

DATA = pathlib.Path(__file__).resolve().parent / "data"


@pytest.mark.parametrize("reply, prompt", [
    ("Please make the sky in the picture become night.", "make the sky night"),
    ("Let the light come from the left", "light from the left"),
    ("Let the sunlight shine in from the right.", "sunlight from the right"),
    ("Help me remove the passers-by in the photo", "remove the passers-by"),
    ("Can you please add a rainbow to the sky?", "add a rainbow to the sky"),
    ("I want the cat to wear a hat", "make the cat wear a hat"),
    ("The sky becomes darker.", "make the sky darker"),
    ("Let her smile", "make her smile"),
    ("Let the picture become a snowy day", "make it a snowy day"),
    ("Make the cat in the image turn into a tiger", "turn the cat into a tiger"),
    ("In the picture, add a dog on the grass.", "add a dog on the grass"),
    ("Change the hat to red", "Change the hat to red"),              # already a command: only the period goes
    ("Make the sky in the photo become a starry sky, thank you", "make the sky a starry sky"),
    ("Turn the photo into an oil painting.", "Turn the photo into an oil painting"),
    ("Van Gogh style", "Van Gogh style"),
])
def test_neural_replies_become_edit_prompts(reply, prompt):
    assert rephrase(reply) == prompt
    assert rephrase(prompt) == prompt  # a second pass changes nothing


def test_builtin_prompts_lose_only_the_picture():
    """Over every development instruction of the evaluation sets, the pass leaves a built-in prompt as it
    is, or only says "it" for the whole picture ("make the photo a pencil sketch" -> "make it a pencil
    sketch") and drops "of the image" after a position: no other word is lost or added."""
    changed, wrong = 0, []
    for name in ("zh_eval_dev.jsonl", "zh_eval_dev2.jsonl", "zh_ref_dev.jsonl"):
        for line in (DATA / name).read_text("utf-8").splitlines():
            english, _complete = translate_zh(json.loads(line)["zh"])
            short = rephrase(english)
            changed += short != english
            back = re.sub(r"^make it ", "make the image ", short)
            words = lambda t: re.sub(r"\b(this|the|whole|of|it|image|photo|picture)\b", "", t).split()
            if short != english and (words(back) != words(english) or len(short) >= len(english)):
                wrong.append((english, short))
    assert not wrong, wrong
    assert 0 < changed < 40


def test_odd_input():
    assert rephrase("") == "" and rephrase("   ") == "" and rephrase(None) is None
    assert rephrase("Please.") == "Please"  # nothing but politeness: kept rather than emptied


def test_chain_rephrases_a_google_reply(tmp_path, monkeypatch):
    monkeypatch.delenv(tr.ENV_OFFLINE, raising=False)
    monkeypatch.setenv(tr.ENV_MARIAN, "off")
    tr.reset_cache()
    text = "请帮我把图片中的天空变成晚上"
    with GoogleLoopback(tmp_path, replies={text: "Please make the sky in the picture become night."}) as loop:
        monkeypatch.setenv("SSL_CERT_FILE", loop.ca_file)
        result = tr.translate(text, proxy=loop.proxy_url)
    tr.reset_cache()
    assert (result.text, result.source, result.backend, result.untranslated) == (
        "make the sky night", text, "googletrans", ())


def test_first_translation_imports_little():
    """The built-in path in a fresh process: the rephrasing pass adds no import beyond `re`."""
    code = ("import sys, ip2p_nb.translation as t; before = set(sys.modules);"
            "r = t.translate('提亮人脸', backends=['builtin']);"
            "print(r.text); print(sorted(m for m in set(sys.modules) - before if 'rephrase' in m or m == 'torch'))")
    root = pathlib.Path(__file__).resolve().parent.parent
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=root,
                          env=dict(os.environ, IP2P_TRANSLATE_OFFLINE="1", IP2P_TRANSLATE_MARIAN="off"))
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:2] == ["make the face brighter", "[]"]  # rephrase came with the package
