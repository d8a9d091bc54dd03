"""The offline translator scored on an evaluation set of instructions as people type them.

tests/data/zh_eval_dev.jsonl is the development part (the translator was tuned on it);
tests/data/zh_eval_held.jsonl is the held-aside part, written and committed before any change to the
translator and scored once at the end (docs/TRANSLATION.md has its figures and every miss).
Each line: {"zh": instruction, "need": [content words]}; a content word is met when one of its
"|"-separated alternatives starts a word of the English (so "lantern" also meets "lanterns").
Run `python tests/test_zh_eval.py dev` (or `held`) to print the scores and the misses.
Scores at the end of issue 12: development 345/345 with every content word, 345/345 without Chinese;
held aside (scored once) 68/70 (97.1%) and 70/70 (100%).

Issue 27 added zh_eval_dev2/held2 (208 instructions written before any change, shuffled and split
104/104) and zh_eval_held3 (98, written after held2 was scored, before the fixes it prompted).
held2 scored once at the end of the tuning: 99/104 (95.2%) and 104/104, as before the changes;
held3 scored once after the fixes held2 prompted: 93/98 (94.9%) and 98/98 (the old code: 92/98);
held4 once after the fixes held3 prompted: 91/98 (92.9%) and 98/98 (the old code: 89/98). Each was
looked at after its score and its misses fixed, so held2 and held3 are development data now.
held5 was written after the last change and scored once with the final code: 94/96 (97.9%) and
96/96 (the old code: 91/96); held4 and held5 have been read since.
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


PARTS = ("dev", "held", "dev2", "held2", "held3", "held4", "held5")


def test_eval_set_is_large_enough_and_well_formed():
    sets = {part: load(part) for part in PARTS}
    assert len(sets["dev"]) + len(sets["held"]) >= 200 and len(sets["held"]) >= 60
    assert len(sets["dev2"]) + len(sets["held2"]) >= 200 and len(sets["held3"]) >= 90 and len(sets["held4"]) >= 90
    for part in PARTS:  # no instruction in two parts
        others = {c["zh"] for other in PARTS if other != part for c in sets[other]}
        assert not {c["zh"] for c in sets[part]} & others, part
    assert all(case["need"] and _CJK.search(case["zh"]) for cases in sets.values() for case in cases)


@pytest.mark.parametrize("part", ["dev", "dev2"])
def test_development_parts_meet_the_targets(part):
    total, usable, clean, misses = score(part)
    assert usable >= 0.99 * total, misses
    assert clean >= 0.99 * total, misses


@pytest.mark.parametrize("part", ["held", "held2", "held3", "held4", "held5"])
def test_held_aside_parts_are_scored(part):
    """Scored and recorded, not asserted against the targets: their figures are reported honestly."""
    total, usable, clean, _misses = score(part)
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
