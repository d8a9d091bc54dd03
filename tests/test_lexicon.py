"""The dictionaries behind the offline translator: read by first character straight from the files' bytes.

Speed is checked by counting work, not by the clock: a whole `python -m ip2p_nb translate` process
searches the dictionaries once per character of its sentence, writes no cache, and imports neither
torch nor huggingface_hub (measured: the first translate in a process 0.26-0.42 s on this busy 2-core
machine, every time; it was 1.9-2.4 s the first time on a machine while a cache was built).
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


def test_each_process_reads_only_its_sentences_characters_and_writes_nothing(tmp_path):
    sentence = "把窗户上的窗帘拉开，其他保持不变"
    english, first = _translate_process(tmp_path, sentence)
    assert english == "pull open the curtains on the window"
    distinct = len(set(sentence) - set("，"))
    assert set(first["work"]) <= {"jieba-dict", "cc-cedict"} and "jieba-dict" in first["work"]
    for name, part in first["work"].items():
        assert part["scans"] == part["groups_read"] <= distinct, (name, part)   # one search per character, at most
    assert not list(tmp_path.rglob("*"))                                       # no cache, nothing written
    english, second = _translate_process(tmp_path, "让狗坐在草地上")
    assert english == "make the dog sit on the meadow"
    assert all(part["scans"] <= 7 for part in second["work"].values()) and second["modules"] == []


def test_the_groups_are_the_dictionary_lines_of_that_character():
    """The byte search finds exactly the lines a full read of the file groups under the character."""
    cedict, jieba_lines = lexicon._cedict(), lexicon._jieba().FREQ.grouped
    for grouped, key in ((jieba_lines, lambda line: line[0]), (cedict, lambda line: line.split(" ", 2)[1][0])):
        text = grouped.source.read_text("utf-8").splitlines()
        for char in "天空猫戴上子一𠀋":
            want = [line for line in text if line and line[0] != "#" and key(line) == char]
            assert grouped.group(char) == want, (grouped.name, char)


@pytest.mark.parametrize("word, sense", [("天空", "sky"), ("斑马线", "crosswalk"), ("灯笼", "lantern"),
                                         ("人物", "person"), ("趴", "lie on one's stomach"), ("撕", "tear")])
def test_cedict_sense_rule(word, sense):
    assert lexicon.lookup(word) == sense


def test_cedict_knows_nothing_of_latin_or_unknown_characters():
    assert lexicon.lookup("cat") is None and lexicon.lookup("𪚥") is None and lexicon.lookup("") is None


def test_segmenter_keeps_curated_words_whole():
    assert lexicon.segment("让右边那个女生笑起来") == ["让", "右边", "那个", "女生", "笑", "起来"]
    assert "墨镜" in lexicon.segment("给猫咪戴个墨镜")
