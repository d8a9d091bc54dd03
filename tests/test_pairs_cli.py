"""`python -m ip2p_nb pairs`: the data engine from a captions file to the paper's folder layout, offline on the
toy models (demo-t2i, demo-clip, the rule writer); resumable; one sentence for each bad input."""
import json
import os

import pytest

from commands import run_python

SCENES = ["a red house with a red roof, a tree, a car on a sunny day in winter, with snow",
          "黄色的房子，红色的屋顶，一棵树，一只狗，夏天晴朗的白天",
          "a brown house with a grey roof, a tree, a car at night in winter, with snow"]


def _pairs(tmp_path, *args):
    return run_python(["-m", "ip2p_nb", "pairs", *map(str, args)], tmp_path, dict(os.environ), timeout=600)


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pairs")
    # the first and last with their edit written already (kinds demo-t2i draws well), the Chinese one for the writer
    rows = [dict(caption=SCENES[0], instruction="turn the car into a dog",
                 edited_caption="a red house with a red roof, a tree, a dog on a sunny day in winter, with snow"),
            dict(caption=SCENES[1]),
            dict(caption=SCENES[2], instruction="make it day",
                 edited_caption="a brown house with a grey roof, a tree, a car on a sunny day in winter, with snow")]
    (folder / "captions.jsonl").write_text("# scenes\n" + "\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n\n",
                                           encoding="utf-8")
    done = _pairs(folder, "captions.jsonl", "--out", "out", "--samples", "4", "--keep", "2", "--steps", "20")
    return folder, done


def test_pairs_writes_the_papers_layout_that_train_reads(made):
    folder, done = made
    assert done.returncode == 0, done.stderr
    assert "3 captions done, 0 skipped (already done), 0 failed" in done.stdout
    from ip2p_nb.train.data import training_data

    triples = 0
    for line in (2, 3, 4):                                     # the captions' line numbers (a comment is line 1)
        prompt = folder / "out" / f"{line:07d}"
        written = prompt / "metadata.jsonl"            # as the paper's code: written when a pair is kept
        meta = [json.loads(row) for row in written.read_text().splitlines()] if written.exists() else []
        info = json.loads((prompt / "prompt.json").read_text(encoding="utf-8"))
        assert info["edit"] and info["output"] != info["input"]
        assert 0 <= len(meta) <= 2
        for row in meta:
            assert {"seed", "p2p_threshold", "cfg_scale", "clip_sim_0", "clip_sim_1", "clip_sim_dir", "clip_sim_image"} <= set(row)
            assert 0.1 <= row["p2p_threshold"] <= 0.9 and 7.5 <= row["cfg_scale"] <= 15
            assert (prompt / f"{row['seed']}_0.jpg").is_file() and (prompt / f"{row['seed']}_1.jpg").is_file()
        triples += len(meta)
    assert triples > 0
    assert len(training_data(str(folder / "out"), 64)) == triples
    records = [json.loads(r) for r in (folder / "out" / "pairs-log.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["status"] for r in records] == ["done"] * 3 and all(r["samples"] == 4 for r in records)
    assert records[1]["caption"] == SCENES[1] and records[1]["english_caption"].startswith("a yellow house")
    assert records[0]["instruction"] == "turn the car into a dog" and records[1]["edited_caption"] != records[1]["english_caption"]


def test_a_rerun_skips_what_is_done_and_changes_nothing(made):
    folder, _ = made
    before = {p: p.stat().st_mtime_ns for p in (folder / "out").rglob("*.jpg")}
    again = _pairs(folder, "captions.jsonl", "--out", "out", "--samples", "4", "--keep", "2", "--steps", "20")
    assert again.returncode == 0 and "0 captions done, 3 skipped (already done), 0 failed" in again.stdout
    assert before == {p: p.stat().st_mtime_ns for p in (folder / "out").rglob("*.jpg")}


@pytest.mark.parametrize("setup, args, says", [
    ("", [], "has no captions"),
    ("a dog", ["--p", "1.5"], "p must lie between 0 and 1"),
    ("a dog", ["--keep", "9", "--samples", "4"], "`keep` must be a whole number from 1 to samples (4)"),
    ("a dog", ["--out", "captions.txt"], "is a file, not a folder"),
    ("a dog", ["--model", "nonsense"], "Unknown t2i model 'nonsense'"),
])
def test_bad_input_is_one_sentence(tmp_path, setup, args, says):
    (tmp_path / "captions.txt").write_text(setup, encoding="utf-8")
    done = _pairs(tmp_path, "captions.txt", *(["--out", "out"] if "--out" not in args else []), *args)
    assert done.returncode == 2, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and says in lines[0], done.stderr


def test_a_missing_file_and_a_caption_with_no_edit_are_one_sentence_each(tmp_path):
    done = _pairs(tmp_path, "nowhere.txt", "--out", "out")
    assert done.returncode == 2 and "does not exist" in done.stderr and len(done.stderr.strip().splitlines()) == 1
    (tmp_path / "captions.txt").write_text("hello\n" + SCENES[0] + "\n", encoding="utf-8")   # too short to edit
    done = _pairs(tmp_path, "captions.txt", "--out", "out", "--samples", "2", "--keep", "1", "--steps", "4")
    assert done.returncode == 1
    failed = [line for line in done.stderr.splitlines() if line.startswith("failed: line 1")]
    assert len(failed) == 1 and "Traceback" not in done.stderr
    assert "1 captions done, 0 skipped (already done), 1 failed" in done.stdout
