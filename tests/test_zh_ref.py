"""The translator scored like a reader: chrF (sacrebleu) against fluent English references.

Who wrote the data: tests/data/zh_ref_held.jsonl (170 instructions) and tests/data/zh_ref_dev.jsonl
(61) were written by an AI helper (a language model working on issue 33), not by a person and not
by a native speaker panel. The Chinese is what users of editing apps type (photo repair, lighting,
sky/weather/season, clothing, styles, adding and removing things, faces, several clauses,
让/把/给/将…改为…, colloquial forms); the references are short imperative edit prompts of the kind
InstructPix2Pix follows ("make the face brighter", "light from the left"). None is copied from
tests/data/zh_eval_*.jsonl (the test below checks it).

The held-aside set was written in one go and committed before any change to the translator; it is
never used for development: it is scored once before the changes and once at the end, and its
outputs are read only after that last score (docs/TRANSLATION.md has the figures). Tuning uses the
development set only.

tests/data/zh_ref_dev2.jsonl (135, issue 33's second pass) was written by another AI helper and
committed before that pass changed the translator; it aims at the kinds a reader found wrong or
awkward (verb complements such as 盖满/清理掉/加深, 加点/整点/多一点, numbers such as 年轻十岁/放大一倍,
的-places and possessives, 要…的 and …风 styles, colloquial openers, 不要/别, articles and plurals,
the nouns and verbs of photo editing). `python tests/test_zh_ref.py dev2` prints its outputs.

Each line: {"zh": instruction, "ref": English reference, "need": [content words]}; the content
words use the rule of test_zh_eval.py (an alternative of "a|b" must start a word of the English).
`python tests/test_zh_ref.py held` (or `dev`) prints chrF and every output for reading;
`python tests/test_zh_ref.py held marian` scores another backend of the chain (by hand: marian needs
the model in the cache, googletrans the network).
"""

import json
import pathlib
import re
import sys

import pytest
import sacrebleu

from ip2p_nb.translation import translate

DATA = pathlib.Path(__file__).resolve().parent / "data"
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]")

# Floors for the built-in translator, set from the figures measured (docs/TRANSLATION.md) less a margin.
HELD_CHRF_FLOOR = 67.0      # chrF on the held-aside set: 68.5 before issue 33's changes, 69.3 after
HELD_NEED_FLOOR = 160       # of 170 held-aside instructions keep every content word: 161 before, 162 after
DEV_CHRF_FLOOR = 79.0       # chrF on the development set: 66.3 before, 81.4 after (tuned on it)
DEV2_CHRF_FLOOR = 84.0      # chrF on the second development set (issue 33, second pass): 68.8 before, 86.6 after
DEV2_NEED_FLOOR = 133       # of 135 keep every content word: 111 before, 134 after
FRESH_CHRF_FLOOR = 62.0     # chrF on the fresh held-aside set (issue 33, written before the second pass): 58.3, 61.7, 63.7
FRESH_NEED_FLOOR = 152      # of 160 keep every content word: 149 before the second pass, 151, then 154


def load(part):
    lines = (DATA / f"zh_ref_{part}.jsonl").read_text("utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def has_word(english, need):
    return any(re.search(r"(?<![a-z])" + re.escape(alt.lower()), english.lower()) for alt in need.split("|"))


def run(part, backends=("builtin",)):
    """[(case, English)] for every instruction of `part`, translated by `backends`."""
    return [(case, translate(case["zh"], backends=list(backends)).text) for case in load(part)]


def chrf(pairs):
    return sacrebleu.corpus_chrf([english for _case, english in pairs], [[case["ref"] for case, _ in pairs]]).score


def missing(case, english):
    return [need for need in case["need"] if not has_word(english, need)]


@pytest.fixture(autouse=True)
def _offline(monkeypatch):
    monkeypatch.setenv("IP2P_TRANSLATE_OFFLINE", "1")
    monkeypatch.setenv("IP2P_TRANSLATE_MARIAN", "off")


def test_reference_sets_are_well_formed_and_new():
    held, dev, dev2 = load("held"), load("dev"), load("dev2")
    assert len(held) >= 150 and len(dev) >= 50 and len(dev2) >= 120
    older = {json.loads(line)["zh"] for path in DATA.glob("zh_eval_*.jsonl")
             for line in path.read_text("utf-8").splitlines() if line.strip()}
    zh_held, zh_dev, zh_dev2 = [c["zh"] for c in held], [c["zh"] for c in dev], [c["zh"] for c in dev2]
    assert len(set(zh_held)) == len(zh_held) and len(set(zh_dev)) == len(zh_dev) and len(set(zh_dev2)) == len(zh_dev2)
    assert not set(zh_held) & set(zh_dev) and not (set(zh_held) | set(zh_dev)) & older
    assert not set(zh_dev2) & (set(zh_held) | set(zh_dev) | older)
    for case in held + dev + dev2:
        assert _CJK.search(case["zh"]) and case["ref"] and not _CJK.search(case["ref"]) and case["need"], case


def test_held_aside_floor():
    pairs = run("held")
    left = [(case["zh"], english) for case, english in pairs if _CJK.search(english)]
    assert not left, left
    kept = sum(not missing(case, english) for case, english in pairs)
    assert kept >= HELD_NEED_FLOOR, [(c["zh"], e, missing(c, e)) for c, e in pairs if missing(c, e)]
    assert chrf(pairs) >= HELD_CHRF_FLOOR


def test_fresh_held_aside_floor():
    """The fresh set (its outputs are never printed here: a failure names counts, not lines)."""
    pairs = run("fresh")
    older = {json.loads(line)["zh"] for path in DATA.glob("zh_*.jsonl") if path.name != "zh_ref_fresh.jsonl"
             for line in path.read_text("utf-8").splitlines() if line.strip()}
    # 8 of its 160 short instructions (天空变黑 and the like) also stand in older sets, 4 of them in development sets
    assert len(pairs) == 160 and len({c["zh"] for c, _ in pairs} & older) <= 8
    assert sum(bool(_CJK.search(english)) for _case, english in pairs) == 0
    kept = sum(not missing(case, english) for case, english in pairs)
    assert kept >= FRESH_NEED_FLOOR, f"{kept} of 160 keep every content word"
    assert chrf(pairs) >= FRESH_CHRF_FLOOR, f"chrF {chrf(pairs):.1f}"


def test_development_floor():
    pairs = run("dev")
    assert all(not missing(case, english) and not _CJK.search(english) for case, english in pairs)
    assert chrf(pairs) >= DEV_CHRF_FLOOR


def test_second_development_floor():
    pairs = run("dev2")
    assert all(not _CJK.search(english) for _case, english in pairs)
    kept = sum(not missing(case, english) for case, english in pairs)
    assert kept >= DEV2_NEED_FLOOR, [(c["zh"], e, missing(c, e)) for c, e in pairs if missing(c, e)]
    assert chrf(pairs) >= DEV2_CHRF_FLOOR


if __name__ == "__main__":
    import os

    os.environ.setdefault("IP2P_TRANSLATE_OFFLINE", "1")
    os.environ.setdefault("IP2P_TRANSLATE_MARIAN", "off")
    part = sys.argv[1] if len(sys.argv) > 1 else "dev"
    backends = sys.argv[2:] or ["builtin"]
    if "marian" in backends:
        os.environ["IP2P_TRANSLATE_MARIAN"] = "auto"
    if "googletrans" in backends:
        os.environ["IP2P_TRANSLATE_OFFLINE"] = "0"
    pairs = run(part, backends)
    for case, english in pairs:
        gone = missing(case, english)
        print(f"{case['zh']}\n    -> {english}\n    ref {case['ref']}" + (f"\n    MISSING {gone}" if gone else ""))
    kept = sum(not missing(case, english) for case, english in pairs)
    clean = sum(not _CJK.search(english) for _case, english in pairs)
    print(f"{part} ({'+'.join(backends)}): chrF {chrf(pairs):.1f}; every content word {kept}/{len(pairs)}; "
          f"no Chinese {clean}/{len(pairs)}")
