"""Batch editing in one process: items from folders, globs and manifests, `edit_many` and its seed
batching, failed items (broken file, bad row, out of memory) as one sentence each, resuming, `--force`
and `--same-seed`. The runs under `accelerate launch` are in test_distributed.py."""
import json

import numpy as np
import pytest
import torch
from PIL import Image

from conftest import scene
from ip2p_nb.serving.batch import BatchRun, collect_items, read_log
from ip2p_nb.cli import main as cli_main

FAST = dict(steps=2, max_size=256)


def _photos(folder, count=3, sub=True):
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        scene(96, 64, seed=i).save(folder / f"p{i}.png")
    if sub:
        (folder / "sub").mkdir(exist_ok=True)
        scene(64, 96, seed=9).convert("RGB").save(folder / "sub" / "q.jpg")
    (folder / "notes.txt").write_text("not a picture")
    return folder


class UNetCalls:
    """Counts the UNet's forward calls and the rows (batch size) it was given, from a real forward hook."""

    def __init__(self, unet, fail_when=None):
        self.calls, self.rows, self.fail_when = 0, [], fail_when
        self.handle = unet.register_forward_pre_hook(self.hook)

    def hook(self, _module, args):
        sample = args[0]
        if self.fail_when is not None and self.fail_when(sample):
            raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 20.00 GiB")
        self.calls += 1
        self.rows.append(sample.shape[0])


def test_folder_items_mirror_the_tree_and_skip_non_images_and_the_output(tmp_path):
    src = _photos(tmp_path / "in")
    (src / "out").mkdir()
    scene(64, 64).save(src / "out" / "old.png")  # a previous output inside the input folder
    items = collect_items(src, "make it snowy", out_dir=src / "out", **FAST)
    assert [(i.name, i.output) for i in items] == [("p0.png", "p0.png"), ("p1.png", "p1.png"), ("p2.png", "p2.png"),
                                                   ("sub/q.jpg", "sub/q.png")]
    assert len({i.seed for i in items}) == 4  # a seed per photo, from its path
    again = collect_items(str(src / "**" / "*.jpg"), "make it snowy")
    assert [(i.name, i.output) for i in again] == [("sub/q.jpg", "sub/q.png")]
    assert again[0].seed == items[3].seed  # same path, same seed, however the photo was found
    same = collect_items(src, "x", same_seed=True, seed=7, out_dir=src / "out")
    assert {i.seed for i in same} == {7}
    variants = collect_items(src / "p0.png", "x", variants=3)
    assert [i.output for i in variants] == ["p0_v1.png", "p0_v2.png", "p0_v3.png"] and len({i.seed for i in variants}) == 3


def test_manifest_rows_override_settings_and_bad_rows_become_sentences(tmp_path):
    src = _photos(tmp_path)
    (tmp_path / "m.csv").write_text(
        "image,instruction,seed,steps,text_guidance\n"
        "p0.png,make it snowy,5,,\n"
        "p1.png,,,500,\n"              # steps out of range
        ",make it red,,,\n"            # no image
        "p2.png,make it red,,,lots\n"  # not a number
        "p0.png,make it night,6,3,9\n"  # the same photo again: a second output name
        "p1.png,make it blue,,,,extra\n", encoding="utf-8")
    items = collect_items(tmp_path / "m.csv", None, **FAST)
    assert [i.error for i in items] == [
        None,
        "Line 3 of m.csv: `steps` must be between 1 and 100, but got 500.",
        "Line 4 of m.csv has no `image`; every row needs the picture's path.",
        "Line 5 of m.csv: `text_guidance` must be a number, but got 'lots'.",
        None,
        "Line 7 of m.csv was skipped: it has more cells than columns (['extra']).",
    ]
    assert (items[0].seed, items[0].steps, items[4].seed, items[4].steps, items[4].text_guidance) == (5, 2, 6, 3, 9.0)
    assert [items[0].output, items[4].output] == ["p0.png", "p0-2.png"]
    (tmp_path / "m.jsonl").write_text('{"image": "p0.png", "instruction": "make it snowy", "image_guidance": 2}\n'
                                      '{"image": "p1.png", oops}\n'
                                      '{"image": "p2.png", "instruction": "x", "mask": "m.png"}\n', encoding="utf-8")
    rows = collect_items(tmp_path / "m.jsonl")
    assert rows[0].error is None and rows[0].image_guidance == 2.0
    assert rows[1].error.startswith("Line 2 of m.jsonl was skipped: it is not valid JSON")
    assert "mask or region" in rows[2].error


def test_edit_many_batches_seeds_of_one_photo_and_matches_single_edits(tiny_editor, photo_path):
    items = [dict(image=str(photo_path), instruction="make it snowy", seed=s, steps=2, max_size=256) for s in (1, 2, 3)]
    counter = UNetCalls(tiny_editor.pipe.unet)
    batched = list(tiny_editor.edit_many(items, seed_batch=4))
    assert counter.calls == 2 and counter.rows == [9, 9]  # 2 steps, one call each: 3 seeds x 3 guidance branches
    counter.calls, counter.rows = 0, []
    single = list(tiny_editor.edit_many(items, seed_batch=1))
    assert counter.calls == 6 and counter.rows == [3] * 6
    assert [r.result.seed for r in batched] == [1, 2, 3] and all(r.batched == 3 for r in batched)
    for b, s in zip(batched, single):
        diff = np.abs(np.asarray(b.result.image, np.int16) - np.asarray(s.result.image, np.int16))
        assert diff.max() <= 1  # same noise and settings; only the float summation order of a bigger batch differs
    reference = tiny_editor.edit(photo_path, "make it snowy", seed=2, steps=2, max_size=256)
    assert np.array_equal(np.asarray(reference.image), np.asarray(single[1].result.image))


def test_out_of_memory_in_a_seed_batch_falls_back_to_one_seed_at_a_time(tiny_editor, photo_path):
    items = [dict(image=str(photo_path), instruction="make it snowy", seed=s, steps=2, max_size=256) for s in (1, 2)]
    counter = UNetCalls(tiny_editor.pipe.unet, fail_when=lambda sample: sample.shape[0] > 3)
    results = list(tiny_editor.edit_many(items, seed_batch=4))
    assert [r.ok for r in results] == [True, True] and counter.rows == [3] * 4
    alone = tiny_editor.edit(photo_path, "make it snowy", seed=2, steps=2, max_size=256)
    assert np.array_equal(np.asarray(alone.image), np.asarray(results[1].result.image))


def test_out_of_memory_broken_file_and_bad_row_fail_one_item_each_and_the_batch_goes_on(tmp_path, tiny_editor):
    src = _photos(tmp_path / "in", sub=False)
    scene(300, 300, seed=4).save(src / "big.png")  # square: the only item whose latents are 32x32
    (src / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n but then nothing")
    counter = UNetCalls(tiny_editor.pipe.unet, fail_when=lambda sample: sample.shape[-1] == sample.shape[-2])
    items = collect_items(src, "make it snowy", **FAST)
    items.append(collect_items(src / "p0.png", "x", steps=500)[0])  # what a bad manifest row looks like
    items[-1].error, items[-1].index = "Line 9 of m.csv: `steps` must be between 1 and 100, but got 500.", len(items) - 1
    records = list(BatchRun(tiny_editor, items, tmp_path / "out"))
    status = {r["input"]: (r["status"], r["error"]) for r in records}
    assert status["big.png"] == ("failed", "The GPU ran out of memory even at the smallest max_size (256); memory was "
                                 "freed: close other notebooks or programs using the GPU, then try again.")
    assert status["broken.png"][0] == "failed" and status["broken.png"][1] == (
        "'broken.png' is not an image Pillow can read; use a JPEG, PNG, WebP, GIF, BMP or TIFF file.")
    assert [r["status"] for r in records if r["input"].startswith("p")] == ["failed", "done", "done", "done"]
    assert counter.calls == 6  # three photos edited, two steps each
    log = read_log(tmp_path / "out" / "batch-log.jsonl")
    assert len(log) == 6 and all("\n" not in (r["error"] or "") for r in log)
    assert sorted(p.name for p in (tmp_path / "out").glob("*.png")) == ["p0.png", "p1.png", "p2.png"]


def test_cli_batch_resumes_redoes_changed_settings_and_forced_items(tmp_path, capsys):
    src = _photos(tmp_path / "in")
    (src / "broken.jpg").write_bytes(b"")
    out = tmp_path / "out"
    args = ["batch", str(src), "make it snowy", "-o", str(out), "--model", "tiny", "--steps", "2", "--max-size", "256"]
    assert cli_main(args) == 1  # one item failed
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert last == f"4 edited, 0 skipped (already done), 1 failed; log: {out / 'batch-log.jsonl'}"
    first = {p: p.read_bytes() for p in out.rglob("*.png")}
    assert sorted(p.relative_to(out).as_posix() for p in first) == ["p0.png", "p1.png", "p2.png", "sub/q.png"]
    (out / ".p1.png.k1ll3d.tmp").write_bytes(b"half a picture")  # left by a killed run
    (out / "p1.png").unlink()
    assert cli_main(args) == 1
    assert capsys.readouterr().out.strip().endswith("1 edited, 3 skipped (already done), 1 failed; log: " + str(out / "batch-log.jsonl"))
    assert (out / "p1.png").read_bytes() == first[out / "p1.png"] and not list(out.glob(".*.tmp"))
    assert cli_main(args[:-4] + ["--steps", "3", "--max-size", "256", "--quiet"]) == 1  # other settings: all redone
    assert "4 edited, 0 skipped" in capsys.readouterr().out
    assert cli_main(args[:-4] + ["--steps", "3", "--max-size", "256", "--force"]) == 1
    assert "4 edited, 0 skipped" in capsys.readouterr().out
    records = read_log(out / "batch-log.jsonl")
    assert len(records) == 4 * 5 and {r["status"] for r in records} == {"done", "skipped", "failed"}
    assert all(set(r) >= {"input", "output", "seed", "prompt", "backend", "seconds", "status", "error"} for r in records)


def test_cli_same_seed_gives_every_frame_one_seed(tmp_path, capsys):
    src = _photos(tmp_path / "frames", count=3, sub=False)
    out = tmp_path / "out"
    code = cli_main(["batch", str(src / "*.png"), "make it snowy", "-o", str(out), "--model", "tiny", "--steps", "1",
                     "--max-size", "256", "--same-seed", "--seed", "42"])
    assert code == 0 and "3 edited, 0 skipped (already done), 0 failed" in capsys.readouterr().out
    assert {r["seed"] for r in read_log(out / "batch-log.jsonl")} == {42}
    with Image.open(out / "p1.png") as im:
        assert json.loads(im.info["ip2p_batch"])["seed"] == 42 and im.size == (256, 168)


def test_cli_batch_refuses_bad_input_in_one_line(tmp_path, capsys):
    assert cli_main(["batch", str(tmp_path / "nowhere"), "x", "-o", str(tmp_path / "o"), "--model", "tiny"]) == 2
    assert capsys.readouterr().err.strip().startswith("error: There is no folder, picture or manifest at")
    _photos(tmp_path / "in")
    assert cli_main(["batch", str(tmp_path / "in"), "-o", str(tmp_path / "o"), "--model", "tiny"]) == 2
    assert "Give the instruction after the input" in capsys.readouterr().err
    assert cli_main(["batch", str(tmp_path / "in"), "x", "-o", str(tmp_path / "o"), "--variants", "2", "--same-seed"]) == 2
    assert "--same-seed" in capsys.readouterr().err


@pytest.mark.parametrize("seed_batch", [1, 4])
def test_batch_variants_count_unet_calls(tmp_path, tiny_editor, seed_batch):
    src = _photos(tmp_path / "in", count=2, sub=False)
    counter = UNetCalls(tiny_editor.pipe.unet)
    items = collect_items(src, "make it snowy", variants=4, **FAST)
    records = list(BatchRun(tiny_editor, items, tmp_path / f"out{seed_batch}", seed_batch=seed_batch))
    assert [r["status"] for r in records] == ["done"] * 8
    assert counter.calls == 2 * 2 * (4 // seed_batch)  # photos x steps x groups per photo


# ---- outputs stay inside OUT_DIR, whatever a manifest says ----------------------------------------------
def _files(root):
    return {p for p in root.rglob("*") if p.is_file() or p.is_symlink()}


@pytest.mark.parametrize("kind", ["csv", "jsonl"])
def test_a_manifest_cannot_write_outside_the_output_folder(tmp_path, capsys, kind):
    """`..`, absolute paths and a symlinked subfolder pointing out: each row refused in one sentence naming its
    line, the other rows done, and not one file written anywhere outside OUT_DIR."""
    work = tmp_path / "a" / "b"
    src = _photos(work / "in", sub=False)
    out = work / "out"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out.mkdir()
    (out / "link").symlink_to(elsewhere, target_is_directory=True)   # a subfolder of OUT_DIR that leads out
    outputs = ["../../x.png", str(tmp_path / "abs.png"), "link/escaped.png", "fine/ok.png", "..\\..\\win.png", "sub/"]
    rows = [{"image": "in/p0.png", "instruction": "make it snowy", "output": o} for o in outputs]
    rows.append({"image": "../b/in/p1.png", "instruction": "make it snowy"})         # an input outside the manifest's folder
    manifest = work / f"m.{kind}"
    if kind == "csv":
        manifest.write_text("image,instruction,output\n" + "".join(f"{r['image']},{r['instruction']},{r.get('output', '')}\n"
                                                                   for r in rows))
    else:
        manifest.write_text("".join(json.dumps(r) + "\n" for r in rows))
    before = _files(tmp_path) - _files(out)
    code = cli_main(["batch", str(manifest), "-o", str(out), "--model", "tiny", "--steps", "1", "--max-size", "256"])
    assert code == 1
    assert "2 edited, 0 skipped (already done), 5 failed" in capsys.readouterr().out
    assert {p for p in _files(tmp_path) if out not in p.parents} == before          # nothing new outside OUT_DIR
    assert not list(elsewhere.iterdir())
    first = 2 if kind == "csv" else 1                                               # the CSV's line 1 is its header
    errors = {r["input"] + "#" + str(r["index"]): r["error"] for r in read_log(out / "batch-log.jsonl") if r["status"] == "failed"}
    assert len(errors) == 5 and all("\n" not in e and e.endswith(".") for e in errors.values()), errors
    lines = [f"Line {first + n} of m.{kind}" for n in (0, 1, 2, 4, 5)]
    assert sorted(e.split(" was skipped")[0] for e in errors.values()) == sorted(lines), errors
    assert "symbolic link" in errors["in/p0.png#2"]
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*.png") if not p.is_symlink()) == ["b/in/p1.png", "fine/ok.png"]
