"""What the data engine and the word maps cost: `bench --maps` and `bench --pairs`.

- `maps_overhead`: CPU seconds of one edit with word maps against the same edit without (interleaved
  repeats, medians), on the full-size SD 1.5 InstructPix2Pix architecture with random weights (its
  timings are the real model's) or any model; the pixels are compared too (they must be equal).
- `pair_cost`: the engine on a few captions: samples drawn, samples that passed the CLIP filter, pairs
  kept, CPU seconds per sample, per filtered sample and per kept pair (the paper keeps 4 of 100).
CPU seconds with one thread (`OMP_NUM_THREADS=1`) are the steady figure on a shared CPU (docs/BENCHMARK.md).
"""
import statistics
import tempfile

import numpy as np

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


# ---- what the toy engine shows (demo-t2i on held-out scenes) ---------------------------------------------
HELD_OUT = 10_000_000        # scene seeds from here on were never drawn in demo-t2i's training (assets/demo-t2i/README.md)
# Rows of a 64 px scene that an edit kind never touches (ip2p_nb/train/scenes.py's fixed geometry): a change of the
# time of day repaints only the sky and the sun (the bottom fifth is ground, the object, the trunk); the other kinds
# touch the house, roof, ground, crown or object, never the top quarter (sky and sun).
UNTOUCHED = {"time": (0.80, 1.0), "house_colour": (0.0, 0.25), "roof_colour": (0.0, 0.25), "season": (0.0, 0.25),
             "snow": (0.0, 0.25), "add": (0.0, 0.25), "remove": (0.0, 0.25)}


def drawn_labels(picture, scene):
    """A label map of the drawing itself: each pixel takes the part whose colour in the scene's own rendering is nearest
    (the drawing's layout is its own: a caption does not say where the house stands, and some drawings have two)."""
    from ..train.scenes import render  # noqa: PLC0415

    truth, labels = render(scene, picture.width)
    truth = np.asarray(truth, dtype=float)
    parts = [p for p in np.unique(labels) if p]
    palette = np.stack([np.median(truth[labels == p], axis=0) for p in parts])       # one colour per part
    drawn = np.asarray(picture.convert("RGB"), dtype=float)
    nearest = np.argmin(((drawn[:, :, None, :] - palette[None, None]) ** 2).sum(-1), axis=-1)
    return np.asarray(parts)[nearest]


def _ambiguous(scene, margin: float = 80.0) -> bool:
    """Whether the house's colour is too close to the sky's or the ground's for a colour map to tell them apart."""
    from ..train.scenes import COLOURS, GROUND, SKY  # noqa: PLC0415

    house = np.asarray(COLOURS[scene.house_colour][1], dtype=float)
    return any(np.linalg.norm(house - np.asarray(c, dtype=float)) < margin for c in (SKY[scene.time], GROUND[scene.season]))


def word_on_part(pipe, count: int = 20, word: str = "house", steps: int = 20, threshold: float = 0.4) -> dict:
    """For `count` held-out scenes: the share of `word`'s map inside the house (body, roof, door, windows) of the
    drawing (`drawn_labels`), against the share of the picture the house covers (what a map spread evenly would
    give); `mass_above` counts only the map above `threshold` of its peak (DAAM's binarising threshold is 0.4)."""
    import random  # noqa: PLC0415

    from ..datagen.pairs import draw  # noqa: PLC0415
    from ..train.scenes import PARTS, caption, random_scene  # noqa: PLC0415

    inside, above, area, skipped, k = [], [], [], 0, 0
    while len(inside) < count:
        scene = random_scene(random.Random(HELD_OUT + k))
        k += 1
        if _ambiguous(scene):       # a green house on green grass: the colours cannot say where the house is
            skipped += 1
            continue
        picture, maps = draw(pipe, caption(scene), seed=k, steps=steps, maps=True)
        house = np.isin(drawn_labels(picture, scene), [PARTS[p] for p in ("house", "roof", "door", "window")])
        house[round(0.8 * picture.height):] = False    # the house ends at 0.78 of the height (scenes.py): below is ground
        heat = maps.heat(word, picture.size)
        peak = np.where(heat >= threshold * heat.max(), heat, 0.0)
        inside.append(float(heat[house].sum() / max(heat.sum(), 1e-9)))
        above.append(float(peak[house].sum() / max(peak.sum(), 1e-9)))
        area.append(float(house.mean()))
    return dict(word=word, scenes=count, skipped_ambiguous=skipped, threshold=threshold, mass_inside=[round(v, 3) for v in inside],
                mass_above_inside=[round(v, 3) for v in above], mean_inside=round(float(np.mean(inside)), 3),
                mean_above_inside=round(float(np.mean(above)), 3), mean_area=round(float(np.mean(area)), 3),
                scenes_mostly_inside=int(sum(v > 0.5 for v in inside)),
                scenes_mostly_inside_above=int(sum(v > 0.5 for v in above)))


def share_effect(pipe, count: int = 12, p_values=(0.0, 0.2, 0.4, 0.6, 0.8, 1.0), steps: int = 20, share: str = "self") -> dict:
    """Mean pixel difference of a pair outside the edited part, per p, over `count` held-out scene edits (both pictures
    from one noise; the rows the edit kind never touches, `UNTOUCHED`)."""
    import random  # noqa: PLC0415

    from ..datagen.pairs import draw_pair  # noqa: PLC0415
    from ..train.scenes import available_edits, caption, make_edit, random_scene  # noqa: PLC0415

    rows = {p: [] for p in p_values}
    for k in range(count):
        rng = random.Random(HELD_OUT + 1000 + k)
        kind = available_edits()[k % len(available_edits())]
        before, after, *_ = make_edit(random_scene(rng), kind, rng)
        top, bottom = UNTOUCHED[kind]
        for p in p_values:
            pair = draw_pair(pipe, caption(before), caption(after), seed=k, p=p, steps=steps, share=share)
            a, b = np.asarray(pair.before, dtype=float), np.asarray(pair.after, dtype=float)
            band = slice(round(top * a.shape[0]), round(bottom * a.shape[0]))
            rows[p].append(float(np.abs(a[band] - b[band]).mean()))
    return dict(share=share, edits=count, steps=steps,
                outside_difference={f"{p:.1f}": round(float(np.mean(v)), 2) for p, v in rows.items()})
