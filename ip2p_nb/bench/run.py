"""`python -m ip2p_nb bench`: time the editor against the plain diffusers pipeline, as JSON.

Both run on the same pipeline object, the same picture, seed and settings, interleaved (ours,
plain, ours, plain, ...) so that a neighbour's load on a shared machine hits both alike; the
medians and their ratio are reported for each guidance setting and dtype, with the peak memory,
the largest pixel difference ours vs plain, the times to import, load and make a first image,
and what a re-edit (same picture and prompt: cached latents and embeddings) saves. "Ours" is a
fresh `Editor` per run, so its caches start empty, as in a first edit. `--agreement` instead
compares the dtypes' pixels on the trained `demo` model (random weights say nothing about quality).
"""
import os
import platform
import random
import statistics
import subprocess
import sys
import time

import numpy as np
import torch

from ..editing.editor import Editor, branches
from ..editing.images import resize_for_edit
from ..models.loading import load_pipeline, pick_device_dtype
from ..models.speed import attention_processors
from .measure import PeakMemory, timed

__all__ = ["run_bench", "component_times", "dtype_agreement", "table", "preview_overhead", "sample_photo", "machine_info", "load_bench_pipeline"]



def sample_photo(size: int = 512):
    """A deterministic synthetic 'photo' (a scene from `scenes.py`) at `size` x `size`."""
    from ..train.scenes import random_scene, render  # noqa: PLC0415

    return render(random_scene(random.Random(0)), size=size)[0]


def load_bench_pipeline(name: str, device, dtype):
    """(pipeline, seconds to build or load it)."""
    start = time.perf_counter()
    if name == "fullsize":
        from .fullsize import build_fullsize_pipeline  # noqa: PLC0415

        pipe = build_fullsize_pipeline(dtype=dtype).to(device)
    else:
        pipe = load_pipeline(name, device, dtype)
    return pipe, time.perf_counter() - start


def _import_seconds() -> float:
    """Seconds a fresh Python takes to import the editor and the diffusers pipeline class."""
    code = ("import time; t = time.perf_counter(); import ip2p_nb.editing.editor; "
            "from diffusers import StableDiffusionInstructPix2PixPipeline; print(time.perf_counter() - t)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def _max_diff(a, b) -> int:
    return int(np.abs(np.asarray(a, np.int16) - np.asarray(b, np.int16)).max())


def _run(fn, device):
    """(seconds, CPU seconds, peak bytes, image) of one edit."""
    with PeakMemory(device) as memory:
        seconds, cpu, image = timed(fn)
    return seconds, cpu, memory.bytes, image


def _arms(pipe, photo, cfg, s_i, s_t):
    """The interleaved contestants for one setting: name -> a no-argument function returning a PIL image."""
    steps, seed, prompt, size = cfg["steps"], cfg["seed"], cfg["prompt"], cfg["size"]
    resized = resize_for_edit(photo, size)
    ours_args = dict(image_guidance=s_i, text_guidance=s_t, steps=steps, seed=seed, max_size=size, english=prompt)
    primed = Editor(pipe, model_name=cfg["pipeline"])
    arms = {
        "ours": lambda: Editor(pipe, model_name=cfg["pipeline"]).edit(photo, prompt, **ours_args).image,
        "plain": lambda: pipe(prompt, image=resized, num_inference_steps=steps, image_guidance_scale=s_i,
                              guidance_scale=s_t, generator=torch.Generator("cpu").manual_seed(seed)).images[0],
    }
    if cfg.get("reedit"):
        primed.edit(photo, prompt, **ours_args)  # fills the caches; the timed runs are re-edits
        arms["ours_reedit"] = lambda: primed.edit(photo, prompt, **ours_args).image
    return arms


def _bench_setting(pipe, photo, cfg, s_i, s_t, device, log) -> dict:
    """Interleaved repeats of every arm for guidance (`s_i`, `s_t`); medians, ratio, memory, pixel difference."""
    arms = _arms(pipe, photo, cfg, s_i, s_t)
    times = {name: [] for name in arms}
    cpu_times = {name: [] for name in arms}
    peaks = {name: 0 for name in arms}
    images = {}
    for r in range(cfg["repeats"]):
        for name, fn in arms.items():
            seconds, cpu, peak, image = _run(fn, device)
            times[name].append(round(seconds, 3))
            cpu_times[name].append(round(cpu, 3))
            peaks[name] = max(peaks[name], peak)
            images.setdefault(name, image)
            log(f"  guidance {s_i:g}/{s_t:g}, run {r + 1}: {name} {seconds:.2f} s (CPU {cpu:.2f} s), peak {peak / 2**20:.0f} MB")
    log(f"  guidance {s_i:g}/{s_t:g}: max pixel difference ours vs plain {_max_diff(images['ours'], images['plain'])}")
    med = {name: statistics.median(t) for name, t in times.items()}
    cpu_med = {name: statistics.median(t) for name, t in cpu_times.items()}
    row = dict(image_guidance=s_i, text_guidance=s_t, unet_batch=len(branches(s_i, s_t)),
               plain_s=round(med["plain"], 3), ours_s=round(med["ours"], 3), ratio=round(med["ours"] / med["plain"], 3),
               plain_cpu_s=round(cpu_med["plain"], 3), ours_cpu_s=round(cpu_med["ours"], 3),
               cpu_ratio=round(cpu_med["ours"] / cpu_med["plain"], 3), runs=times, cpu_runs=cpu_times, peak_mb={k: round(v / 2**20) for k, v in peaks.items()},
               max_pixel_diff=_max_diff(images["ours"], images["plain"]))
    if "ours_reedit" in arms:
        row["reedit_s"] = round(med["ours_reedit"], 3)
        row["reedit_saving_s"] = round(med["ours"] - med["ours_reedit"], 3)
        row["reedit_cpu_s"] = round(cpu_med["ours_reedit"], 3)
        row["reedit_identical"] = _max_diff(images["ours"], images["ours_reedit"]) == 0
    return row


def _bench_dtype(cfg, dtype_name, device, log) -> tuple[dict, dict]:
    """Everything for one dtype: load, first image, each guidance setting. Returns (summary, first images)."""
    device, dtype = pick_device_dtype(device, dtype_name)
    pipe, load_s = load_bench_pipeline(cfg["pipeline"], device, dtype)
    log(f"{dtype_name}: loaded in {load_s:.1f} s; attention {attention_processors(pipe)}")
    photo = sample_photo()
    first_s, _cpu, first_peak, first = _run(lambda: Editor(pipe).edit(
        photo, cfg["prompt"], image_guidance=cfg["guidance"][0][0], text_guidance=cfg["guidance"][0][1],
        steps=cfg["steps"], seed=cfg["seed"], max_size=cfg["size"], english=cfg["prompt"]).image, device)
    log(f"{dtype_name}: first image in {first_s:.1f} s")
    rows = [_bench_setting(pipe, photo, dict(cfg, reedit=(i == 0)), s_i, s_t, device, log)
            for i, (s_i, s_t) in enumerate(cfg["guidance"])]
    summary = dict(dtype=dtype_name, device=str(device), load_s=round(load_s, 2), first_image_s=round(first_s, 2),
                   first_image_peak_mb=round(first_peak / 2**20), attention=attention_processors(pipe), settings=rows)
    del pipe
    return summary, first


def machine_info() -> dict:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    load = [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None
    import diffusers  # noqa: PLC0415

    return dict(cpu=cpu, torch_threads=torch.get_num_threads(), gpu=torch.cuda.get_device_name() if torch.cuda.is_available() else None,
                load_average=load, python=platform.python_version(), torch=torch.__version__, diffusers=diffusers.__version__)


def run_bench(cfg: dict, log=lambda _msg: None) -> dict:
    """Run the benchmark described by `cfg` (keys of `BENCH_DEFAULTS` plus `dtypes`, `device`); return the report."""
    report = dict(settings={k: cfg[k] for k in ("pipeline", "size", "steps", "repeats", "guidance", "seed", "prompt")},
                  machine_before=machine_info(), import_s=round(_import_seconds(), 2), dtypes=[])
    firsts = []
    for name in cfg["dtypes"]:
        summary, first = _bench_dtype(cfg, name, cfg.get("device"), log)
        report["dtypes"].append(summary)
        firsts.append(first)
    if len(report["dtypes"]) > 1:  # each later dtype's "ours" against the first's, setting by setting
        base = report["dtypes"][0]["settings"]
        for summary, first in zip(report["dtypes"][1:], firsts[1:]):
            summary["vs_first_dtype"] = [round(row["ours_s"] / b["ours_s"], 3) for row, b in zip(summary["settings"], base)]
            summary["first_image_max_diff_vs_first_dtype"] = _max_diff(first, firsts[0])
    report["load_average_after"] = machine_info()["load_average"]
    return report


def dtype_agreement(name: str = "demo", dtypes=("float32", "bfloat16"), seeds=(0, 1, 2, 3), steps: int = 20, size: int = 64) -> dict:
    """Pixels of each dtype against the first, and each against the edit's true target, on a trained model.

    Uses the plain pipeline on the `demo` model's own scenes at its own size (64 px: below the
    editor's 256 px minimum), so what is compared is only the arithmetic of the dtypes.
    """
    from ..train.scenes import make_pair  # noqa: PLC0415

    pairs = [make_pair(seed, size=size) for seed in seeds]
    outputs = {}
    for dtype_name in dtypes:
        device, dtype = pick_device_dtype("cpu", dtype_name)
        pipe, _ = load_bench_pipeline(name, device, dtype)
        outputs[dtype_name] = [pipe(p.instruction, image=p.before, num_inference_steps=steps,
                                    generator=torch.Generator("cpu").manual_seed(seed)).images[0]
                               for p, seed in zip(pairs, seeds)]
        del pipe

    def mean_abs(a, b):
        return round(float(np.abs(np.asarray(a, np.float32) - np.asarray(b, np.float32)).mean()), 2)

    first = dtypes[0]
    return dict(model=name, size=size, steps=steps, seeds=list(seeds), instructions=[p.instruction for p in pairs], dtypes={
        d: dict(max_diff_vs_first=[_max_diff(a, b) for a, b in zip(outputs[d], outputs[first])],
                mean_abs_diff_vs_first=[mean_abs(a, b) for a, b in zip(outputs[d], outputs[first])],
                mean_abs_error_vs_target=[mean_abs(a, p.after) for a, p in zip(outputs[d], pairs)])
        for d in dtypes})


def component_times(name: str = "fullsize", dtypes=("float32", "bfloat16"), size: int = 256, repeats: int = 3, log=print) -> dict:
    """Median CPU seconds of each part of an edit (UNet at batch 3/2/1, VAE encode/decode, text encoder), per dtype.

    The parts are interleaved across dtypes and repeats, so a busy neighbour slows all alike. An
    edit is text encoder x2 + VAE encode + steps x UNet + VAE decode; the editor changes only the
    UNet batch (3 -> 2 -> 1) and, on a re-edit, skips the encoders.
    """
    pipes = {d: load_bench_pipeline(name, *pick_device_dtype("cpu", d))[0] for d in dtypes}
    ids = torch.ones(1, 77, dtype=torch.long)

    def unet(p, n):
        lat, width = size // p.vae_scale_factor, p.unet.config.cross_attention_dim
        return p.unet(torch.randn(n, 8, lat, lat, dtype=p.unet.dtype), 500,
                      encoder_hidden_states=torch.randn(n, 77, width, dtype=p.unet.dtype))
    parts = {
        "unet_batch3": lambda p: unet(p, 3),
        "unet_batch2": lambda p: unet(p, 2),
        "unet_batch1": lambda p: unet(p, 1),
        "vae_encode": lambda p: p.vae.encode(torch.randn(1, 3, size, size, dtype=p.vae.dtype)),
        "vae_decode": lambda p: p.vae.decode(torch.randn(1, 4, size // p.vae_scale_factor, size // p.vae_scale_factor, dtype=p.vae.dtype)),
        "text_encoder": lambda p: p.text_encoder(ids),
    }
    times = {d: {k: [] for k in parts} for d in dtypes}
    for r in range(repeats + 1):  # the first round warms up (oneDNN picks its kernels) and is not counted
        for d, pipe in pipes.items():
            for part, fn in parts.items():
                with torch.no_grad():
                    _seconds, cpu, _ = timed(fn, pipe)
                if r:
                    times[d][part].append(round(cpu, 3))
            log(f"round {r}: {d} " + (str({k: v[-1] for k, v in times[d].items()}) if r else "warm-up"))
    return dict(model=name, size=size, repeats=repeats, runs=times,
                median_s={d: {k: statistics.median(v) for k, v in t.items()} for d, t in times.items()})


def preview_overhead(name: str = "fullsize", size: int = 256, steps: int = 8, dtype_name: str = "float32", device=None,
                     repeats: int = 20, log=print) -> dict:
    """What live previews cost against the edit they watch: CPU seconds of one edit (no previews), of one
    preview (clean-latent estimate + linear map + resize, and the PNG the app makes of it), of fitting the map.

    The preview's parts are timed `repeats` times on a latent of the edit's shape (medians); the edit once,
    because on the full-size model one edit is long and the preview is thousands of times shorter.
    """
    import io  # noqa: PLC0415

    import math  # noqa: PLC0415

    from ..defaults import PREVIEW  # noqa: PLC0415
    from ..editing.preview import estimate_x0, preview_size  # noqa: PLC0415

    device, dtype = pick_device_dtype(device, dtype_name)
    pipe, _ = load_bench_pipeline(name, device, dtype)
    editor = Editor(pipe, model_name=name)
    photo = sample_photo()
    fit_s, fit_cpu, _ = timed(editor.latent_rgb, torch.zeros(1, 4, 8, 8, device=device), (8, 8))
    log(f"map fitted in {fit_s:.2f} s (CPU {fit_cpu:.2f} s)")
    edit_s, edit_cpu, result = timed(editor.edit, photo, "x", english="make it snowy", steps=steps, seed=0, max_size=size)
    log(f"edit of {steps} steps at {size} px: {edit_s:.2f} s (CPU {edit_cpu:.2f} s)")
    factor = pipe.vae_scale_factor
    shape = (1, pipe.vae.config.latent_channels, result.image.height // factor, result.image.width // factor)
    latent, noise = torch.randn(shape, device=device, dtype=dtype), torch.randn(shape, device=device, dtype=dtype)
    pipe.scheduler.set_timesteps(steps, device=device)
    t = pipe.scheduler.timesteps[steps // 2]
    out_size = preview_size(result.image.size, PREVIEW["longest"])

    def one_preview():
        return editor.latent_rgb(estimate_x0(pipe.scheduler, latent, noise, t), out_size)[0]

    def png(image):
        image.save(io.BytesIO(), format="PNG")
    walls, cpus, png_cpus = [], [], []
    for _ in range(repeats):
        wall, cpu, image = timed(one_preview)
        walls.append(wall)
        cpus.append(cpu)
        png_cpus.append(timed(png, image)[1])
    # on a CPU the process's CPU seconds (steady on a shared machine); on a GPU the wall time (the CPU waits)
    on_cpu = device.type == "cpu"
    per = (statistics.median(cpus) if on_cpu else statistics.median(walls)) + statistics.median(png_cpus)
    step_cpu = (edit_cpu if on_cpu else edit_s) / steps
    every = max(1, math.ceil(per / (PREVIEW["budget"] * step_cpu)))  # what the default cadence settles at
    return dict(model=name, size=size, steps=steps, dtype=dtype_name, device=str(device), edit_s=round(edit_s, 3),
                edit_cpu_s=round(edit_cpu, 3), step_s=round(step_cpu, 4), fit_s=round(fit_s, 3), fit_cpu_s=round(fit_cpu, 3),
                preview_cpu_ms=round(1000 * statistics.median(cpus), 3), preview_wall_ms=round(1000 * statistics.median(walls), 3),
                png_cpu_ms=round(1000 * statistics.median(png_cpus), 3), preview_size=list(out_size),
                measured="cpu seconds" if on_cpu else "wall seconds",
                overhead_every_step=round(per / step_cpu, 5),
                default_every=every, overhead_default=round(per / (every * step_cpu), 5),
                fit_vs_edit=round((fit_cpu / edit_cpu) if on_cpu else (fit_s / edit_s), 4))


def table(report: dict) -> str:
    """The report as a Markdown table (one row per dtype and guidance setting); times are medians."""
    lines = ["| dtype | guidance image / text | UNet batch | plain CPU s | ours CPU s | ours / plain (CPU) | "
             "plain / ours wall s | re-edit CPU s | peak RSS plain / ours MB | max pixel diff |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for d in report["dtypes"]:
        for row in d["settings"]:
            lines.append(f"| {d['dtype']} | {row['image_guidance']:g} / {row['text_guidance']:g} | {row['unet_batch']} | "
                         f"{row['plain_cpu_s']:.1f} | {row['ours_cpu_s']:.1f} | {row['cpu_ratio']:.3f} | "
                         f"{row['plain_s']:.1f} / {row['ours_s']:.1f} | {row.get('reedit_cpu_s', '')} | "
                         f"{row['peak_mb']['plain']} / {row['peak_mb']['ours']} | {row['max_pixel_diff']} |")
    return "\n".join(lines)
