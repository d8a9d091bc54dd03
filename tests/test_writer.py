"""The data engine's caption writer: rules on the scene grammar and everyday captions, the paper's filter, the LM path."""
import random
from dataclasses import fields

import pytest

from ip2p_nb.datagen.examples import human_examples
from ip2p_nb.datagen.finetune import FinetuneConfig, add_lora, finetune_writer, merge_lora, training_texts
from ip2p_nb.datagen.rules import GENERAL_KINDS, SCENE_KINDS, general_edits, parse_scene_caption, scene_edits
from ip2p_nb.datagen.writer import (WRITER_DEFAULTS, LMWriter, RuleWriter, Written, available_writers, build_prompt,
                                    check_written, load_writer, parse_completion)
from ip2p_nb.errors import SettingError, UserError
from ip2p_nb.train.scenes import Scene, caption, make_edit, random_scene
from ip2p_nb.translation import has_chinese

# Which Scene fields each scene edit kind may change.
KIND_FIELDS = {"house_colour": {"house_colour"}, "roof_colour": {"roof_colour"}, "time": {"time"}, "snow": {"season"},
               "season": {"season"}, "add": {"tree", "thing"}, "remove": {"tree", "thing"}, "swap": {"thing"}}


def _changed(before: Scene, after: Scene) -> set:
    return {f.name for f in fields(Scene) if getattr(before, f.name) != getattr(after, f.name)}


@pytest.fixture(scope="module")
def tiny_lm():
    return load_writer("tiny-lm")


# ---- the hand-written examples ----------------------------------------------------------------

def test_examples_file_has_enough_valid_bilingual_rows():
    rows = human_examples()
    assert len(rows) >= 120
    for row in rows:
        assert check_written(row.caption, row.instruction, row.edited_caption) is None, row
        assert all(has_chinese(t) for t in (row.caption_zh, row.instruction_zh, row.edited_caption_zh)), row
        assert not has_chinese(row.caption + row.instruction + row.edited_caption), row
    assert len({r.caption for r in rows}) == len(rows)
    assert len({r.instruction for r in rows}) >= 100  # varied edits, not one instruction many times


def test_scene_examples_are_in_the_grammar_and_the_rules_know_their_edits():
    scenes = [r for r in human_examples() if parse_scene_caption(r.caption)]
    assert len(scenes) >= 25
    for row in scenes:
        before, after = parse_scene_caption(row.caption), parse_scene_caption(row.edited_caption)
        assert caption(before) == row.caption and after is not None and caption(after) == row.edited_caption
        known = {(e.instruction, e.edited_caption) for edits in scene_edits(before).values() for e in edits}
        assert (row.instruction, row.edited_caption) in known, row


def test_a_broken_examples_file_is_one_sentence(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"caption": "a dog"}\n', encoding="utf-8")
    with pytest.raises(UserError, match="Line 1 of bad.jsonl lacks instruction"):
        human_examples(path)
    path.write_text("not json\n", encoding="utf-8")
    with pytest.raises(UserError, match="not valid JSON"):
        human_examples(path)
    with pytest.raises(UserError, match="Could not read"):
        human_examples(tmp_path / "missing.jsonl")


# ---- rules on the toy scenes -------------------------------------------------------------------

def test_every_scene_kind_and_every_edited_caption_is_a_scene_again():
    kinds = set()
    for seed in range(40):
        scene = random_scene(random.Random(seed))
        assert parse_scene_caption(caption(scene)) == Scene(scene.time, scene.season, "left", scene.house_colour,
                                                            scene.roof_colour, scene.tree, scene.thing, 0.75, 0)
        for kind, edits in scene_edits(scene).items():
            kinds.add(kind)
            for edit in edits:
                after = parse_scene_caption(edit.edited_caption)
                assert after is not None and caption(after) == edit.edited_caption, edit
                changed = _changed(parse_scene_caption(caption(scene)), after)
                assert changed and changed <= KIND_FIELDS[kind], (kind, edit)
                assert edit.instruction_zh and has_chinese(edit.instruction_zh)
    assert kinds == set(SCENE_KINDS)


@pytest.mark.parametrize("kind", ["house_colour", "roof_colour", "time", "snow", "season", "add", "remove"])
def test_the_rules_write_what_the_scene_grammar_itself_edits(kind):
    for seed in range(15):
        rng = random.Random(seed)
        before, after, english, _, _ = make_edit(random_scene(rng), kind, rng)
        edits = scene_edits(parse_scene_caption(caption(before)))
        assert (english, caption(after)) in {(e.instruction, e.edited_caption) for e in edits[kind]}, (seed, english)
        written = RuleWriter().write(caption(before), n=WRITER_DEFAULTS["max_results"], seed=seed)
        assert caption(after) in {w.edited_caption for w in written}  # "add snow" and "make it winter" are one result


def test_rule_writer_on_a_scene_caption():
    text = "a yellow house with a red roof, a tree, a dog on a sunny day in summer"
    written = RuleWriter().write(text, n=12, seed=3)
    assert len(written) == 12 and len({w.edited_caption for w in written}) == 12
    assert len({w.kind for w in written}) >= 7  # one of each kind in turn before a second of any
    for w in written:
        assert w.caption == text and w.writer == "rules" and w.caption_zh is None
        assert caption(parse_scene_caption(w.edited_caption)) == w.edited_caption


def test_a_chinese_scene_caption_comes_back_in_the_scene_grammar():
    for row in [r for r in human_examples() if parse_scene_caption(r.caption)]:
        written = RuleWriter().write(row.caption_zh, n=3, seed=1)
        assert all(w.caption == row.caption and w.caption_zh == row.caption_zh for w in written), row
        assert all(parse_scene_caption(w.edited_caption) for w in written)


# ---- rules on everyday captions ----------------------------------------------------------------

@pytest.mark.parametrize("text, kind, instruction, edited", [
    ("The dog looks at the camera", "wear", "give the dog a hat", "The dog wearing a hat looks at the camera"),
    ("The dog looks at the camera", "swap", "turn the dog into a cat", "The cat looks at the camera"),
    ("A red car parked on the street", "colour", "make the car blue", "A blue car parked on the street"),
    ("A busy street in Tokyo at night", "time", "make it daytime", "A busy street in Tokyo during the day"),
    ("A cow standing in a field", "swap", "turn the cow into an elephant", "An elephant standing in a field"),
    ("A woman holding an umbrella in the rain", "remove", "remove the umbrella", "A woman in the rain"),
    ("A woman holding an umbrella in the rain", "age", "make the woman old", "An old woman holding an umbrella in the rain"),
    ("A forest path in summer", "season", "make it winter", "A forest path in winter"),
    ("A forest path in summer", "weather", "make it snowy", "A forest path in summer in the snow"),
    ("The dog looks at the camera", "style", "make it a watercolor painting",
     "A watercolor painting of the dog looks at the camera"),
    ("A man reading on a bench", "mood", "make the man smile", "A smiling man reading on a bench"),
    ("A wooden chair in an empty room", "material", "make the chair out of glass", "A glass chair in an empty room"),
    ("A sandy beach with palm trees", "add", "add a rainbow", "A sandy beach with palm trees and a rainbow in the sky"),
])
def test_general_edits(text, kind, instruction, edited):
    found = general_edits(text)
    assert set(found) <= set(GENERAL_KINDS)
    assert (instruction, edited) in {(e.instruction, e.edited_caption) for e in found[kind]}, found[kind]


def test_rule_writer_on_everyday_captions_is_varied_and_valid():
    for row in human_examples()[:60]:
        written = RuleWriter().write(row.caption, n=6, seed=0)
        assert len(written) == 6 and len({w.kind for w in written}) >= 4, row.caption
        for i, w in enumerate(written):
            assert check_written(w.caption, w.instruction, w.edited_caption, written[:i]) is None, w


def test_a_chinese_caption_is_translated_and_kept():
    written = RuleWriter().write("一只猫在沙发上睡觉", n=20, seed=0)
    assert all(w.caption_zh == "一只猫在沙发上睡觉" and not has_chinese(w.caption + w.edited_caption) for w in written)
    assert "turn the cat into a tiger" in {w.instruction for w in written}


def test_captions_the_rules_cannot_edit_say_what_to_type():
    with pytest.raises(UserError, match="too short to edit.*a dog on a beach"):
        RuleWriter().write("x")
    with pytest.raises(UserError, match="Could not translate.*in English"):
        RuleWriter().write("龘龘龘")
    with pytest.raises(SettingError, match="`caption`"):
        RuleWriter().write("   ")
    with pytest.raises(SettingError, match="`n` must be a whole number"):
        RuleWriter().write("a dog on a beach", n=0)


def test_rule_writer_is_deterministic_per_seed():
    text = "A woman in a red dress dancing in the street"
    assert RuleWriter().write(text, n=5, seed=7) == RuleWriter().write(text, n=5, seed=7)
    firsts = {RuleWriter().write(text, n=1, seed=s)[0].instruction for s in range(8)}
    assert len(firsts) >= 3


# ---- the paper's filter ------------------------------------------------------------------------

@pytest.mark.parametrize("caption_, instruction, edited, seen, reason", [
    ("a dog", "make it snowy", "A dog.", (), "same as the caption"),
    ("a dog", "make it snowy", "a dog in the snow", ["A dog in the snow"], "duplicates"),
    ("a dog", "", "a dog in the snow", (), "instruction is missing"),
    ("a dog", "make it snowy", "  ", (), "edited caption is missing"),
    ("a dog", "make it snowy\n%%", "a dog in the snow", (), "separator"),
    ("a dog", "make it " + "very " * 20 + "snowy", "a dog in the snow", (), "too long"),
    ("a dog", "make it snowy", "雪中的狗", (), "not in English"),
    ("a dog", "a dog in the snow", "a dog in the snow", (), "only repeats"),
])
def test_rejections_say_why(caption_, instruction, edited, seen, reason):
    found = check_written(caption_, instruction, edited, seen)
    assert found and reason in found and found.endswith(".")


def test_a_written_result_counts_as_seen():
    first = Written("a dog", "make it snowy", "a dog in the snow", "rules")
    assert "duplicates" in check_written("a dog", "add snow", "A dog in the snow", [first])
    assert check_written("a dog", "make it night", "a dog at night", [first]) is None


# ---- the language-model writer -----------------------------------------------------------------

def test_parse_completion():
    assert parse_completion(" make it snowy\n%%\nA dog in the snow\nEND\nA cat\n##\n") == ("make it snowy",
                                                                                          "A dog in the snow")
    with pytest.raises(UserError, match="did not finish with END"):
        parse_completion("make it snowy\n%%\nA dog in the snow")
    with pytest.raises(UserError, match="no %%"):
        parse_completion("make it snowy A dog in the snow\nEND")


def test_the_prompt_is_in_the_papers_format(tiny_lm):
    text = "The dog looks at the camera"
    prompt = tiny_lm.prompt(text, seed=0)
    assert prompt.endswith("\n" + text + "\n##\n")
    shots = prompt[:-len(text + "\n##\n")].split("\nEND\n")[:-1]
    assert len(shots) == WRITER_DEFAULTS["shots"]
    examples = {(e.caption, e.instruction, e.edited_caption) for e in human_examples()}
    for shot in shots:
        head, _, edited = shot.partition("\n%%\n")
        cap, _, instruction = head.partition("\n##\n")
        assert (cap, instruction, edited) in examples
    assert tiny_lm.prompt(text, seed=0) == prompt and tiny_lm.prompt(text, seed=1) != prompt
    shot = human_examples()[0]
    assert build_prompt("a cat", [shot]) == (f"{shot.caption}\n##\n{shot.instruction}\n%%\n{shot.edited_caption}\nEND\n"
                                             "a cat\n##\n")


def test_a_scene_caption_gets_scene_examples(tiny_lm):
    prompt = tiny_lm.prompt("a white house with a red roof, a cat at night in spring", seed=4)
    captions = [shot.split("\n##\n")[0] for shot in prompt.split("\nEND\n")[:-1]]
    assert captions and all(parse_scene_caption(c) for c in captions)


def test_tiny_lm_runs_the_real_generate_and_rejects_its_noise(tiny_lm, monkeypatch):
    calls = []
    real = tiny_lm.model.generate

    def spy(**kwargs):
        calls.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(tiny_lm.model, "generate", spy)
    with pytest.raises(UserError, match=r"wrote no usable edit .* in 4 tries"):
        tiny_lm.write("The dog looks at the camera", n=1, seed=0)
    assert len(calls) == WRITER_DEFAULTS["tries_per_result"]
    assert all(c["stop_strings"] == ["END"] and c["max_new_tokens"] == WRITER_DEFAULTS["max_new_tokens"]
               and c["temperature"] == 0.7 and c["do_sample"] for c in calls)


def _canned(writer, monkeypatch, replies):
    """Make `writer.model.generate` answer `replies` in turn (the prompt's ids followed by the reply's)."""
    import torch

    replies = iter(replies)

    def generate(input_ids, **kwargs):
        reply = writer.tokenizer(next(replies), return_tensors="pt")["input_ids"]
        return torch.cat([input_ids, reply], dim=1)

    monkeypatch.setattr(writer.model, "generate", generate)


def test_lm_writer_parses_checks_and_keeps_the_good_replies(tiny_lm, monkeypatch):
    _canned(tiny_lm, monkeypatch, [
        "make it snowy\n%%\nThe dog looks at the camera\nEND",          # same as the input: rejected
        "make it snowy and no separator\nEND",                          # no %%: rejected
        "make it snowy\n%%\nThe dog looks at the camera in the snow\nEND\nA cat\n##\n",
        "add snow\n%%\nthe dog looks at the camera in the snow.\nEND",  # a duplicate: rejected
        "wearing a hat\n%%\nThe dog wearing a hat looks at the camera\nEND",
    ])
    written = tiny_lm.write("The dog looks at the camera", n=2, seed=0)
    assert [(w.instruction, w.edited_caption) for w in written] == [
        ("make it snowy", "The dog looks at the camera in the snow"),
        ("wearing a hat", "The dog wearing a hat looks at the camera")]
    assert all(w.writer == "tiny-lm" and w.kind is None and w.caption_zh is None for w in written)


def test_lm_writer_translates_a_chinese_caption_first(tiny_lm, monkeypatch):
    _canned(tiny_lm, monkeypatch, ["make it night\n%%\na dog at night\nEND"])
    [w] = tiny_lm.write("一只狗", n=1)
    assert (w.caption, w.caption_zh, w.edited_caption) == ("a dog", "一只狗", "a dog at night")


def test_lm_writer_checks_its_settings(tiny_lm):
    for bad in (dict(shots=-1), dict(temperature=0), dict(max_new_tokens=10_000), dict(examples=[])):
        with pytest.raises(SettingError):
            LMWriter(tiny_lm.model, tiny_lm.tokenizer, **bad)


# ---- choosing a writer -------------------------------------------------------------------------

def test_load_writer_names(tiny_lm):
    assert isinstance(load_writer(), RuleWriter) and isinstance(tiny_lm, LMWriter)
    assert available_writers()[:2] == ["rules", "tiny-lm"]
    with pytest.raises(UserError, match=r"Unknown writer 'nonsense'; choose one of \['rules', 'tiny-lm'"):
        load_writer("nonsense")


def test_load_writer_from_a_folder(tiny_lm, tmp_path):
    folder = tmp_path / "my-lm"
    tiny_lm.model.save_pretrained(folder)
    tiny_lm.tokenizer.save_pretrained(folder)
    assert any(p.suffix == ".safetensors" for p in folder.iterdir())
    local = load_writer(str(folder))
    assert isinstance(local, LMWriter) and local.name == "my-lm"
    assert local.model.config.num_hidden_layers == 2

    # a catalogue name and a hub id download through the real hub client: tests/test_engine_models.py

    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(UserError, match="has no config.json.*safetensors weights"):
        load_writer(str(empty))


# ---- fine-tuning (LoRA) ------------------------------------------------------------------------

def test_training_texts_are_the_papers_prompt_and_completion():
    row = human_examples()[0]
    assert training_texts([row]) == [(f"{row.caption}\n##\n", f"{row.instruction}\n%%\n{row.edited_caption}\nEND")]


def test_merged_lora_gives_the_same_outputs_as_lora_beside_the_weights():
    import torch

    from ip2p_nb.models.tiny_lm import build_tiny_lm

    model, tokenizer = build_tiny_lm(seed=2)
    params = add_lora(model, rank=4, alpha=8.0)
    assert len(params) == 2 * 2 * model.config.num_hidden_layers  # A and B of q_proj and v_proj in each layer
    with torch.no_grad():
        for p in params:
            p.normal_()
        ids = tokenizer("a dog on a beach", return_tensors="pt")["input_ids"]
        before = model(ids).logits
        after = merge_lora(model)(ids).logits
    assert torch.allclose(before, after, atol=1e-4)
    assert not any("lora" in name for name in model.state_dict())
    with pytest.raises(UserError, match="no linear layers named"):
        add_lora(model, targets=("nothing",))


def test_finetune_on_tiny_lm_learns_the_format_and_saves(tmp_path):
    import torch

    from ip2p_nb.models.tiny_lm import build_tiny_lm

    model, tokenizer = build_tiny_lm(seed=1)
    start = {k: v.clone() for k, v in model.state_dict().items()}
    losses = []
    config = FinetuneConfig(rank=4, steps=30, batch_size=4, learning_rate=1e-2, max_length=96)
    finetune_writer(model, tokenizer, human_examples()[:2], config, callback=lambda info: losses.append(info["loss"]))
    # tiny-lm's logits are near uniform by construction (width 32, weights of std 0.02), so it learns slowly:
    # the check is that gradients reach LoRA and lower the loss, not that it writes well.
    assert len(losses) == 30 and sum(losses[-5:]) / 5 < sum(losses[:5]) / 5 - 0.05
    changed = {k for k, v in model.state_dict().items() if not torch.equal(v, start[k])}
    assert changed and all(k.endswith(("q_proj.weight", "v_proj.weight")) for k in changed)
    model.save_pretrained(tmp_path / "tuned")
    tokenizer.save_pretrained(tmp_path / "tuned")
    tuned = load_writer(str(tmp_path / "tuned"))
    tuned.shots = 0
    assert tuned.prompt("a dog on a beach") == "a dog on a beach\n##\n"
    with pytest.raises(SettingError, match="`steps`"):
        finetune_writer(model, tokenizer, config=FinetuneConfig(steps=0))
