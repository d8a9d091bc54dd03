"""The dictionaries behind the offline translator: built into a cache once, then read by first character.

Speed is checked by counting work, not by the clock: a whole `python -m ip2p_nb translate` process
reads a few dozen of the dictionaries' thousands of first-character groups and imports neither
torch nor huggingface_hub (measured: 0.36-0.47 s for the whole process on this machine).
"""

import json
import os
import subprocess
import sys

import pytest

from ip2p_nb.translation import lexicon

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CODE = ("import json, sys; from ip2p_nb.cli import main; main(['translate', sys.argv[1]]);"
        "from ip2p_nb.translation import lexicon;"
        "print(json.dumps({'work': lexicon.work_done(), 'modules': [m for m in ('torch', 'huggingface_hub', 'transformers')"
        " if m in sys.modules]}))")


def _translate_process(cache, text):
    env = dict(os.environ, IP2P_CACHE_DIR=str(cache), IP2P_TRANSLATE_OFFLINE="1", IP2P_TRANSLATE_MARIAN="auto",
               HF_HUB_CACHE=str(cache / "no-hub"))
    done = subprocess.run([sys.executable, "-c", CODE, text], capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    english, report = done.stdout.strip().splitlines()
    return english, json.loads(report)


def test_cache_is_built_once_then_read_by_the_group(tmp_path):
    english, first = _translate_process(tmp_path, "把窗户上的窗帘拉开，其他保持不变")
    assert english == "pull open the curtains on the window"
    assert all(part["built"] for part in first["work"].values())
    files = sorted(p.name for p in tmp_path.iterdir() if p.is_file())
    assert len(files) == 4 and not any(name.endswith((".pkl", ".pickle")) for name in files)
    stamps = {p: p.stat().st_mtime_ns for p in tmp_path.iterdir() if p.is_file()}

    english, second = _translate_process(tmp_path, "让狗坐在草地上")
    assert english == "make the dog sit on the meadow"
    assert set(second["work"]) == {"jieba-dict", "cc-cedict"}
    assert {p: p.stat().st_mtime_ns for p in tmp_path.iterdir() if p.is_file()} == stamps  # reused, not rebuilt
    for name, part in second["work"].items():
        assert not part["built"]
        assert part["groups"] > 5000 and part["groups_read"] <= 40, (name, part)
    assert second["modules"] == []


def test_unwritable_cache_folder_still_translates(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    english, report = _translate_process(blocker / "cache", "在马路上画一条斑马线")
    assert "crosswalk" in english
    assert not any(part["built"] for part in report["work"].values())


@pytest.mark.parametrize("word, sense", [("天空", "sky"), ("斑马线", "crosswalk"), ("灯笼", "lantern"),
                                         ("人物", "person"), ("趴", "lie on one's stomach"), ("撕", "tear")])
def test_cedict_sense_rule(word, sense):
    assert lexicon.lookup(word) == sense


def test_cedict_knows_nothing_of_latin_or_unknown_characters():
    assert lexicon.lookup("cat") is None and lexicon.lookup("𪚥") is None and lexicon.lookup("") is None


def test_segmenter_keeps_curated_words_whole():
    assert lexicon.segment("让右边那个女生笑起来") == ["让", "右边", "那个", "女生", "笑", "起来"]
    assert "墨镜" in lexicon.segment("给猫咪戴个墨镜")
