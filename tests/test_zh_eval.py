"""The offline translator scored on an evaluation set of instructions as people type them.

tests/data/zh_eval_dev.jsonl is the development part (the translator was tuned on it);
tests/data/zh_eval_held.jsonl is the held-aside part, written and committed before any change to the
translator and scored once at the end (docs/TRANSLATION.md has its figures and every miss).
Each line: {"zh": instruction, "need": [content words]}; a content word is met when one of its
"|"-separated alternatives starts a word of the English (so "lantern" also meets "lanterns").
Run `python tests/test_zh_eval.py dev` (or `held`) to print the scores and the misses.
Scores at the end of issue 12: development 345/345 with every content word, 345/345 without Chinese;
held aside (scored once) 68/70 (97.1%) and 70/70 (100%).
"""

import json
import pathlib
import re
import sys

import pytest

from ip2p_nb.translation import translate

DATA = pathlib.Path(__file__).resolve().parent / "data"
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]")


def load(part):
    lines = (DATA / f"zh_eval_{part}.jsonl").read_text("utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def has_word(english, need):
    return any(re.search(r"(?<![a-z])" + re.escape(alt.lower()), english.lower()) for alt in need.split("|"))


def score(part):
    """(cases, usable, no_chinese, misses) with the offline translator."""
    cases, usable, clean, misses = load(part), 0, 0, []
    for case in cases:
        result = translate(case["zh"], backends=["builtin"])
        missing = [need for need in case["need"] if not has_word(result.text, need)]
        chinese = bool(_CJK.search(result.text))
        usable += not missing
        clean += not chinese
        if missing or chinese:
            misses.append({"zh": case["zh"], "english": result.text, "missing": missing,
                           "untranslated": list(result.untranslated)})
    return len(cases), usable, clean, misses


@pytest.fixture(autouse=True)
def _offline(monkeypatch, tmp_path_factory):
    monkeypatch.setenv("IP2P_TRANSLATE_OFFLINE", "1")
    monkeypatch.setenv("IP2P_TRANSLATE_MARIAN", "off")


def test_eval_set_is_large_enough_and_well_formed():
    dev, held = load("dev"), load("held")
    assert len(dev) + len(held) >= 200 and len(held) >= 60
    assert not {c["zh"] for c in dev} & {c["zh"] for c in held}
    assert all(case["need"] and _CJK.search(case["zh"]) for case in dev + held)


def test_development_part_meets_the_targets():
    total, usable, clean, misses = score("dev")
    assert usable >= 0.97 * total, misses
    assert clean >= 0.95 * total, misses


def test_held_aside_part_is_scored():
    """Scored and recorded, not asserted against the targets: its figure is reported honestly."""
    total, usable, clean, _misses = score("held")
    assert total >= 60 and 0 <= usable <= total and 0 <= clean <= total


if __name__ == "__main__":
    import os

    os.environ.setdefault("IP2P_TRANSLATE_OFFLINE", "1")
    os.environ.setdefault("IP2P_TRANSLATE_MARIAN", "off")
    total, usable, clean, misses = score(sys.argv[1] if len(sys.argv) > 1 else "dev")
    for miss in misses:
        print(f"{miss['zh']} -> {miss['english']!r} missing {miss['missing']} left {miss['untranslated']}")
    print(f"{usable}/{total} carry every content word ({usable / total:.1%}); "
          f"{clean}/{total} without Chinese ({clean / total:.1%})")
