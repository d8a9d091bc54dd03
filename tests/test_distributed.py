"""Batches and training under real `accelerate launch` processes on the CPU (gloo), on `tiny`.

On a machine without a GPU, `accelerate launch --multi_gpu --num_processes 2` starts two processes
through torchrun and ip2p_nb joins them with gloo (`accelerate launch --cpu --num_processes 2`
starts only one process in accelerate 1.15). HF_HOME points into tmp_path, so no accelerate config
from the user's cache is read: the flags below are the whole configuration.
"""
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import psutil
import torch
from PIL import Image

from conftest import scene
from ip2p_nb.serving.batch import collect_items, read_log

ROOT = Path(__file__).resolve().parents[1]
BATCH = ["--model", "tiny", "--steps", "2", "--max-size", "256"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _launch_cmd(processes: int, *args) -> list[str]:
    cmd = [sys.executable, "-m", "accelerate.commands.launch", "--num_processes", str(processes), "--num_machines", "1",
           "--mixed_precision", "no", "--dynamo_backend", "no", "--main_process_port", str(_free_port())]
    cmd += ["--multi_gpu"] if processes > 1 else ["--cpu"]
    return cmd + ["-m", "ip2p_nb", *map(str, args)]


def _env(tmp_path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("IP2P_MODEL", "WORLD_SIZE", "LOCAL_RANK", "RANK")}
    path = os.pathsep.join([str(ROOT)] + [p for p in [os.environ.get("PYTHONPATH")] if p])  # this checkout first
    return dict(env, PYTHONPATH=path, OMP_NUM_THREADS="1", HF_HOME=str(tmp_path / "hf"), HF_HUB_OFFLINE="1")


def _run(tmp_path, processes, *args, check=0):
    done = subprocess.run(_launch_cmd(processes, *args), env=_env(tmp_path), capture_output=True, text=True, timeout=300)
    assert done.returncode == check, done.stdout[-3000:] + done.stderr[-3000:]
    return done


def _photos(folder: Path, count: int) -> Path:
    (folder / "b").mkdir(parents=True)
    for i in range(count):
        scene(96 + 8 * (i % 3), 64, seed=i).save(folder / ("b" if i % 2 else "") / f"p{i}.png")
    return folder


def _pixels(folder: Path) -> dict:
    return {p.relative_to(folder).as_posix(): np.asarray(Image.open(p)) for p in sorted(folder.rglob("*.png"))}


def _one_thread(work):
    """Run `work()` with one torch thread, as the launched processes have (OMP_NUM_THREADS=1): same float sums."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return work()
    finally:
        torch.set_num_threads(threads)


def test_two_processes_make_the_pixels_of_one(tmp_path):
    from ip2p_nb.cli import main as cli_main

    src = _photos(tmp_path / "in", 5)
    one = ["batch", str(src), "make it snowy", "-o", str(tmp_path / "one"), "--variants", "2", *BATCH]
    assert _one_thread(lambda: cli_main(one)) == 0  # this process: one process, not launched
    done = _run(tmp_path, 2, "batch", src, "make it snowy", "-o", tmp_path / "two", "--variants", "2", *BATCH)
    assert done.stdout.strip().splitlines()[-1] == (
        f"10 edited, 0 skipped (already done), 0 failed on 2 processes; log: {tmp_path / 'two' / 'batch-log.jsonl'}")
    one, two = _pixels(tmp_path / "one"), _pixels(tmp_path / "two")
    assert sorted(one) == sorted(two) and len(one) == 10
    assert all(np.array_equal(one[name], two[name]) for name in one)
    log = read_log(tmp_path / "two" / "batch-log.jsonl")
    assert {r["process"] for r in log} == {0, 1} and sorted(r["output"] for r in log) == sorted(two)
    assert all(r["batched"] == 2 for r in log)  # the two variants of a photo stayed together, in one UNet batch
    assert not list((tmp_path / "two").glob("*.part-*.jsonl"))  # the parts were merged


def test_a_killed_batch_resumes_with_another_number_of_processes(tmp_path):
    src = _photos(tmp_path / "in", 8)
    out = tmp_path / "out"
    args = ["batch", src, "make it snowy", "-o", out, "--model", "tiny", "--steps", "8", "--max-size", "256"]
    run = subprocess.Popen(_launch_cmd(2, *args), env=_env(tmp_path), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           start_new_session=True)
    logged = []
    try:
        deadline = time.time() + 120
        while len(logged) < 2 and time.time() < deadline and run.poll() is None:
            time.sleep(0.05)
            logged = [r for part in out.glob("*.part-*.jsonl") for r in read_log(part)]
    finally:  # the workers (torchrun puts them in their own sessions), then the launcher, without warning
        for process in psutil.Process(run.pid).children(recursive=True) + [psutil.Process(run.pid)]:
            process.send_signal(signal.SIGKILL)
        run.wait()
    assert 2 <= len(logged) < 8, f"{len(logged)} items were logged before the kill"
    _run(tmp_path, 1, *args)
    log = read_log(out / "batch-log.jsonl")
    items = collect_items(src, "make it snowy")
    done = [r["input"] for r in log if r["status"] == "done"]
    skipped = {r["input"] for r in log if r["status"] == "skipped"}
    assert {r["input"] for r in logged} <= skipped  # what the killed run logged was not edited again
    for item in items:  # every item exactly once (an item saved just before the kill, unlogged, is skipped)
        assert done.count(item.name) == 1 or (done.count(item.name) == 0 and item.name in skipped), item.name
    assert sorted(_pixels(out)) == sorted(i.output for i in items)  # every output, all readable
    assert not [p for p in out.rglob("*") if p.name.startswith(".") or ".part-" in p.name]  # no half-written file
    from ip2p_nb import load_editor

    editor = load_editor("tiny")
    for item in items[::4]:  # complete pictures: the pixels of an uninterrupted edit with the item's seed
        reference = _one_thread(lambda: editor.edit(item.source, "make it snowy", seed=item.seed, steps=8, max_size=256))
        assert np.array_equal(np.asarray(reference.image), np.asarray(Image.open(out / item.output))), item.name


def test_two_process_training_checkpoints_once_and_resumes(tmp_path):
    from safetensors.torch import load_file

    from ip2p_nb.train import SceneData, TrainConfig, load_training_components, train

    out = tmp_path / "run"
    common = ["train", "--pretrained", "tiny", "--output-dir", out, "--resolution", "32", "--batch-size", "2",
              "--lr", "1e-3", "--warmup-steps", "1", "--validate-every", "0", "--checkpoint-every", "2"]
    _run(tmp_path, 2, *common, "--max-steps", "2")
    assert sorted(p.name for p in out.glob("checkpoint-*")) == ["checkpoint-2"]
    assert json.loads((out / "checkpoint-2" / "trainer.json").read_text())["step"] == 2
    assert [r["step"] for r in read_log(out / "log.jsonl")] == [1, 2]  # one record per step, not one per process
    done = _run(tmp_path, 2, *common, "--max-steps", "3", "--resume", "latest")
    assert done.stdout.count("Saved the trained pipeline") == 1
    assert [r["step"] for r in read_log(out / "log.jsonl")] == [1, 2, 3]  # step 3 only was trained again
    # Two processes with their own micro-batches and averaged gradients = one process accumulating two micro-batches
    cfg = TrainConfig(output_dir=str(tmp_path / "alone"), resolution=32, batch_size=2, grad_accum=2, max_steps=2, lr=1e-3,
                      warmup_steps=1, validate_every=0, checkpoint_every=2)
    _one_thread(lambda: train(cfg, load_training_components("tiny"), SceneData(size=32)))
    cfg.max_steps = 3
    alone = _one_thread(lambda: train(cfg, load_training_components("tiny"), SceneData(size=32), resume="latest"))
    for step, unet in ((2, load_file(tmp_path / "alone" / "checkpoint-2" / "model.safetensors")), (3, alone["unet"].state_dict())):
        launched = load_file(out / f"checkpoint-{step}" / "model.safetensors")
        assert max((launched[k] - unet[k]).abs().max().item() for k in launched) < 1e-6, step


def test_a_failed_item_under_accelerate_launch_prints_no_launcher_traceback(tmp_path):
    """A broken photo in a launched batch: our one line for it and the summary, then no accelerate/torchrun
    traceback (CalledProcessError, ChildFailedError) after it; the failure is in the summary and the log."""
    src = _photos(tmp_path / "in", 2)
    (src / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n but then nothing")
    for processes in (1, 2):
        out = tmp_path / f"out{processes}"
        done = _run(tmp_path, processes, "batch", src, "make it snowy", "-o", out, *BATCH, "--quiet", check=0)
        text = done.stdout + done.stderr
        assert "Traceback" not in text and "CalledProcessError" not in text and "ChildFailedError" not in text, text[-3000:]
        assert "failed: broken.png: 'broken.png' is not an image Pillow can read" in done.stderr
        assert "2 edited, 0 skipped (already done), 1 failed" in done.stdout
        assert [r["status"] for r in read_log(out / "batch-log.jsonl")].count("failed") == 1


def test_pairs_split_across_two_processes_write_what_one_process_writes(tmp_path):
    """`pairs` under accelerate: the captions split between 2 processes give the same folders, pictures and scores as
    one process (each caption's samples follow from the run's seed and its line only), and one merged log."""
    captions = tmp_path / "captions.jsonl"       # two with their edits written (kinds the toy models keep), two for the writer
    rows = [dict(caption="a red house with a red roof, a tree, a car on a sunny day in winter, with snow",
                 instruction="turn the car into a dog",
                 edited_caption="a red house with a red roof, a tree, a dog on a sunny day in winter, with snow"),
            dict(caption="a blue house with a green roof, a cat at sunset in autumn"),
            dict(caption="a brown house with a grey roof, a tree, a car at night in winter, with snow", instruction="make it day",
                 edited_caption="a brown house with a grey roof, a tree, a car on a sunny day in winter, with snow"),
            dict(caption="a white house with a brown roof, a tree at night in spring")]
    captions.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    args = ["pairs", str(captions), "--samples", "3", "--keep", "2", "--steps", "20", "--quiet"]
    one, two = tmp_path / "one", tmp_path / "two"
    _run(tmp_path, 1, *args, "--out", str(one))
    done = _run(tmp_path, 2, *args, "--out", str(two))
    assert "on 2 processes" in done.stdout
    names = sorted(p.relative_to(one).as_posix() for p in one.rglob("*") if p.is_file() and "log" not in p.name)
    assert names == sorted(p.relative_to(two).as_posix() for p in two.rglob("*") if p.is_file() and "log" not in p.name)
    assert sum(n.endswith("prompt.json") for n in names) == 4 and sum(n.endswith(".jpg") for n in names) >= 4
    for name in names:
        assert (one / name).read_bytes() == (two / name).read_bytes(), name
    logged = read_log(two / "pairs-log.jsonl")
    assert sorted(r["line"] for r in logged) == [1, 2, 3, 4] and not list(two.glob("*.part-*.jsonl"))
