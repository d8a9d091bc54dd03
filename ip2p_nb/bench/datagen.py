"""What the data engine and the word maps cost: `bench --maps` and `bench --pairs`.

- `maps_overhead`: CPU seconds of one edit with word maps against the same edit without (interleaved
  repeats, medians), on the full-size SD 1.5 InstructPix2Pix architecture with random weights (its
  timings are the real model's) or any model; the pixels are compared too (they must be equal).
- `pair_cost`: the engine on a few captions: samples drawn, samples that passed the CLIP filter, pairs
  kept, CPU seconds per sample, per filtered sample and per kept pair (the paper keeps 4 of 100).
What the toy engine shows on held-out scenes (`word_on_part`, `share_effect`) lives in ip2p_nb/datagen/toy.py, so the
notebook can show it too. CPU seconds with one thread (`OMP_NUM_THREADS=1`) are the steady figure on a shared CPU (docs/BENCHMARK.md).
"""
import statistics
import tempfile

import numpy as np

from ..datagen.toy import HELD_OUT, drawn_labels, share_effect, word_on_part
from .measure import timed
from .run import load_bench_pipeline, machine_info, sample_photo

__all__ = ["maps_overhead", "pair_cost", "cpu_flags", "word_on_part", "share_effect", "drawn_labels", "HELD_OUT"]



def cpu_flags() -> list[str]:
    """The CPU's vector flags that decide its speed (printed beside every CPU figure)."""
    try:
        with open("/proc/cpuinfo") as f:
            flags = next(line.split(":", 1)[1].split() for line in f if line.startswith("flags"))
    except (OSError, StopIteration):
        return []
    return sorted(f for f in flags if f.startswith(("avx", "amx")))


def maps_overhead(name: str = "fullsize", size: int = 256, steps: int = 4, repeats: int = 3, log=print) -> dict:
    """CPU seconds of an edit with and without word maps (median of `repeats` interleaved pairs)."""
    import torch  # noqa: PLC0415

    from ..editing.editor import Editor  # noqa: PLC0415

    pipe, _ = load_bench_pipeline(name, torch.device("cpu"), torch.float32)
    editor = Editor(pipe, model_name=name)
    photo = sample_photo()
    kwargs = dict(english="make it snowy", steps=steps, seed=0, max_size=size)
    editor.edit(photo, "x", **kwargs)   # warm-up: first-call allocations are not the maps' cost
    off, on, same = [], [], True
    for k in range(repeats):
        _, cpu_off, plain = timed(editor.edit, photo, "x", **kwargs)
        _, cpu_on, mapped = timed(editor.edit, photo, "x", maps=True, **kwargs)
        same &= np.array_equal(np.asarray(plain.image), np.asarray(mapped.image))
        off.append(cpu_off)
        on.append(cpu_on)
        log(f"repeat {k + 1}/{repeats}: {cpu_off:.2f} CPU s without maps, {cpu_on:.2f} with")
    return dict(model=name, size=size, steps=steps, repeats=repeats, cpu_s_without=round(statistics.median(off), 3),
                cpu_s_with=round(statistics.median(on), 3), ratio=round(statistics.median(on) / statistics.median(off), 4),
                same_pixels=bool(same), machine=machine_info(), cpu_flags=cpu_flags())


def pair_cost(captions: list[str], model: str = "demo-t2i", clip: str = "demo-clip", writer: str = "rules",
              samples: int = 20, keep: int = 4, steps: int = 20, log=print) -> dict:
    """The engine's cost per kept pair on `captions` (one process; CPU seconds)."""
    from ..datagen.clip_filter import load_clip  # noqa: PLC0415
    from ..datagen.engine import Caption, EngineConfig, PairsRun  # noqa: PLC0415
    from ..datagen.writer import load_writer  # noqa: PLC0415
    from ..models.engine import load_t2i  # noqa: PLC0415

    pipe = load_t2i(model)
    scorer, write = load_clip(clip), load_writer(writer)
    config = EngineConfig(samples=samples, keep=keep, steps=steps)
    with tempfile.TemporaryDirectory() as out:
        run = PairsRun([Caption(i + 1, c) for i, c in enumerate(captions)], out, config, pipe=pipe, scorer=scorer, writer=write)
        wall, cpu, records = timed(lambda: list(run))
    done = [r for r in records if r["status"] == "done"]
    drawn, passed, kept = (sum(r[k] for r in done) for k in ("samples", "passed", "kept"))
    log(f"{len(done)} of {len(captions)} captions: {drawn} samples, {passed} passed, {kept} kept, {cpu:.1f} CPU s")
    return dict(model=model, clip=clip, writer=writer, captions=len(captions), captions_done=len(done), samples=drawn,
                passed=passed, kept=kept, steps=steps, cpu_s=round(cpu, 2), wall_s=round(wall, 2),
                cpu_s_per_sample=round(cpu / max(drawn, 1), 3), samples_per_kept=round(drawn / max(kept, 1), 2),
                cpu_s_per_kept=round(cpu / max(kept, 1), 3), failed=[r.get("error") for r in records if r["status"] == "failed"],
                machine=machine_info(), cpu_flags=cpu_flags())
