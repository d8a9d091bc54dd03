"""`python -m ip2p_nb bench --cpu`: what a CPU user waits for one edit, per runtime, with and without reuse.

Each contestant edits the same synthetic photo with the full-size SD 1.5 InstructPix2Pix
architecture (random weights: the timings are the real model's, bench/fullsize.py), end to end:
text encoder, VAE encode, the steps, VAE decode. Each runs in its own fresh Python process, so
one's memory and caches cannot help or hurt the next; the process reports wall seconds, CPU
seconds and the peak resident memory during the edit. The OpenVINO conversion (and the 8-bit graphs,
calibrated on 16 UNet calls of 4-step edits at 128 px: enough for speed, quality is bench/int8.py's)
runs once first, in its own process, into a temporary cache, and its time and peak are reported apart.
Contestants ("native": the dtype `load_editor` picks on this CPU, bfloat16 only where it is native):
- plain: the diffusers pipeline's own `__call__`, float32;
- torch: our editor in float32 without reuse (the baseline of the ratios, issue 25's "torch float32");
- torch_reuse, openvino, openvino_reuse: the runtime and feature reuse alone and together (native dtype);
  openvino_reuse is the CPU default (`defaults.CPU_DEFAULTS`, UNet "float");
- int8_reuse, int8-hybrid_reuse, int8-weights_reuse: the default with the UNet as an 8-bit graph of
  models/quantize.py's recipe (the rest of the graph in the native dtype).
`reuse_quality` measures what reuse and OpenVINO do to the pictures on the trained `demo` model.
"""
import gc
import json
import os
import sys
import tempfile
import time

import numpy as np
import torch

from ..errors import SettingError

__all__ = ["ARMS", "cpu_bench", "reuse_quality", "cpu_table"]

PROMPT = "make it snowy"


def _arms() -> dict:
    """arm -> (kind, runtime, cache_interval, dtype "f32" or "native", UNet graph on OpenVINO)."""
    from ..defaults import CPU_DEFAULTS  # noqa: PLC0415

    n = CPU_DEFAULTS["cache_interval"]
    arms = {"plain": ("plain", "torch", 1, "f32", None), "torch": ("ours", "torch", 1, "f32", None),
            "torch_reuse": ("ours", "torch", n, "native", None), "openvino": ("ours", "openvino", 1, "native", "float"),
            "openvino_reuse": ("ours", "openvino", n, "native", "float")}
    for recipe in ("int8", "int8-hybrid", "int8-weights"):
        arms[f"{recipe}_reuse"] = ("ours", "openvino", n, "native", recipe)
    # OpenVINO computing in float32 what is not 8-bit, as it does on a CPU without native bfloat16 (the 8-bit
    # parts still use this CPU's own 8-bit instructions: AMX where it has them, faster than VNNI alone)
    arms["openvino_reuse_f32"] = ("ours", "openvino", n, "ov-f32", "float")
    arms["int8_reuse_f32"] = ("ours", "openvino", n, "ov-f32", "int8")
    return arms


# the baseline and the CPU default first; the 8-bit contestants need nncf
ARMS = ("torch", "openvino_reuse", "int8_reuse", "openvino_reuse_f32", "int8_reuse_f32", "int8-weights_reuse", "int8-hybrid_reuse",
        "openvino", "torch_reuse", "plain")


def _pipeline(precision: str = "native"):
    from ..models.loading import pick_device_dtype  # noqa: PLC0415
    from .fullsize import build_fullsize_pipeline  # noqa: PLC0415

    _, dtype = pick_device_dtype("cpu", None, "fullsize")  # the dtype a real model gets on this CPU
    dtype = torch.float32 if precision == "f32" else dtype
    return build_fullsize_pipeline(dtype=dtype), dtype


def convert(recipes: list) -> dict:
    """The converting process: the OpenVINO IR of the full-size model, the calibration calls (saved to an .npz),
    then the 8-bit graphs of `recipes`, each made by a child process (quantize.quantize_in_child) after this
    process has dropped the pipeline. Peaks: this process's, and each child's."""
    from pathlib import Path  # noqa: PLC0415

    from ..models.quantize import quantize_in_child, sample_edits, save_calls  # noqa: PLC0415
    from ..models.runtime import use_openvino  # noqa: PLC0415
    from .measure import PeakMemory  # noqa: PLC0415

    pipe, _ = _pipeline()
    made = {}
    with PeakMemory(torch.device("cpu")) as memory:
        report = use_openvino(pipe)
        folder = Path(report["folder"])
        start = time.process_time()
        calls = sample_edits(pipe, 128, 4, 16) if recipes else []   # recorded on the float graph, one set for every recipe
        calibration_cpu_s = round(time.process_time() - start, 1)
        calls_path = save_calls(folder / "calibration-bench.npz", calls) if calls else None
        label, n_calls = f"samples-{len(calls)}-128px", len(calls)
        del pipe, calls
        gc.collect()
    for recipe in recipes:
        start = time.perf_counter()
        child = quantize_in_child(folder, recipe, calls_path if recipe != "int8-weights" else None, label)
        made[recipe] = dict(wall_s=round(time.perf_counter() - start, 1), seconds=child["seconds"], peak_mb=child["peak_mb"],
                            calls=n_calls if recipe != "int8-weights" else 0)
    return dict(arm="convert", conversion_s=report["seconds"], converted=report["converted"], peak_mb=round(memory.bytes / 2**20),
                precision=report["precision"], calibration_cpu_s=calibration_cpu_s, int8=made)


def run_one(arm: str, size: int, steps: int, image_guidance: float, text_guidance: float, seed: int = 0) -> dict:
    """One contestant's edit in this process (the child side of `cpu_bench`)."""
    from ..editing.editor import Editor  # noqa: PLC0415
    from ..editing.images import resize_for_edit  # noqa: PLC0415
    from ..models.runtime import use_openvino  # noqa: PLC0415
    from .measure import PeakMemory, timed  # noqa: PLC0415
    from .run import sample_photo  # noqa: PLC0415

    kind, runtime, interval, precision, graph = _arms()[arm]
    pipe, dtype = _pipeline(precision)
    if runtime == "openvino":
        use_openvino(pipe, precision="f32" if precision == "ov-f32" else None)
        if graph != "float":
            from ..models.quantize import use_int8  # noqa: PLC0415

            use_int8(pipe, graph)   # the graph the converting process made
    photo = sample_photo(size)
    if kind == "plain":
        resized = resize_for_edit(photo, size)
        fn = lambda: pipe(PROMPT, image=resized, num_inference_steps=steps, image_guidance_scale=image_guidance,  # noqa: E731
                          guidance_scale=text_guidance, generator=torch.Generator("cpu").manual_seed(seed)).images[0]
    else:
        editor = Editor(pipe, model_name="fullsize")
        fn = lambda: editor.edit(photo, PROMPT, english=PROMPT, image_guidance=image_guidance, text_guidance=text_guidance,  # noqa: E731
                                 steps=steps, seed=seed, max_size=size, cache_interval=interval).image
    with PeakMemory(torch.device("cpu")) as memory:
        seconds, cpu, image = timed(fn)
    dtype = "float32 (OpenVINO)" if precision == "ov-f32" else str(dtype).removeprefix("torch.")
    return dict(arm=arm, size=size, runtime=runtime, unet=graph or "float", cache_interval=interval, dtype=dtype,
                wall_s=round(seconds, 2), cpu_s=round(cpu, 2), peak_mb=round(memory.bytes / 2**20), image_size=list(image.size),
                threads=torch.get_num_threads())


def _child(args: list, env: dict, log) -> dict:
    from .measure import run_child  # noqa: PLC0415

    return run_child("ip2p_nb.bench.cpu", args, env, log)


def cpu_bench(sizes=(256, 512), steps: int = 20, image_guidance: float = 1.5, text_guidance: float = 7.5,
              arms=ARMS, log=lambda _msg: None) -> dict:
    """Run every contestant at every size, each in a fresh process; times, ratios to `torch` and `plain`, peaks."""
    from ..models.quantize import nncf_available  # noqa: PLC0415
    from ..models.runtime import openvino_available  # noqa: PLC0415
    from ..models.speed import cpu_flags  # noqa: PLC0415
    from .run import machine_info  # noqa: PLC0415

    table = _arms()
    unknown = [a for a in arms if a not in table]
    if unknown:
        raise SettingError(f"Unknown contestant(s) {', '.join(unknown)}; choose from {', '.join(table)}.")
    arms = [a for a in arms if (table[a][1] != "openvino" or openvino_available())
            and (table[a][4] in (None, "float") or nncf_available())]
    report = dict(settings=dict(sizes=list(sizes), steps=steps, image_guidance=image_guidance, text_guidance=text_guidance,
                                pipeline="fullsize (SD 1.5 InstructPix2Pix shapes, random weights)",
                                omp_num_threads=os.environ.get("OMP_NUM_THREADS")),
                  cpu_flags=cpu_flags(), machine_before=machine_info(), rows=[])
    with tempfile.TemporaryDirectory(prefix="ip2p-bench-") as cache:
        env = dict(os.environ, IP2P_CACHE_DIR=cache)
        if any(table[a][1] == "openvino" for a in arms):
            recipes = sorted({table[a][4] for a in arms} - {None, "float"})
            log("converting the full-size model for OpenVINO (once)" + (f", making {', '.join(recipes)}" if recipes else "") + "...")
            report["conversion"] = _child(["convert", ",".join(recipes) or "-"], env, log)
        for size in sizes:
            for arm in arms:
                log(f"{size} px: {arm}...")
                report["rows"].append(_child([arm, size, steps, image_guidance, text_guidance], env, log))
    for size in sizes:
        rows = {r["arm"]: r for r in report["rows"] if r["size"] == size}
        for r in rows.values():
            for base in ("torch", "plain"):
                if base in rows:
                    r[f"cpu_vs_{base}"] = round(r["cpu_s"] / rows[base]["cpu_s"], 3)
                    r[f"wall_vs_{base}"] = round(r["wall_s"] / rows[base]["wall_s"], 3)
                    r[f"peak_vs_{base}"] = round(r["peak_mb"] / rows[base]["peak_mb"], 3)
    report["load_average_after"] = machine_info()["load_average"]
    return report


def cpu_table(report: dict) -> str:
    """The report as a Markdown table (ratios of CPU seconds, as docs/BENCHMARK.md compares them)."""
    lines = [f"CPU flags: {' '.join(report.get('cpu_flags', [])) or 'none of AVX2/AVX512/VNNI/AMX'}; "
             f"OMP_NUM_THREADS={report['settings'].get('omp_num_threads')}", "",
             "| size | contestant | dtype | UNet | reuse | wall s | CPU s | CPU vs torch | CPU vs plain | peak MB | peak vs torch |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in report["rows"]:
        lines.append(f"| {r['size']} | {r['arm']} | {r['dtype']} | {r['unet']} | {r['cache_interval']} | {r['wall_s']} | {r['cpu_s']} | "
                     f"{r.get('cpu_vs_torch', '-')} | "
                     f"{r.get('cpu_vs_plain', '-')} | {r['peak_mb']} | {r.get('peak_vs_torch', '-')} |")
    if "conversion" in report:
        c = report["conversion"]
        lines.append(f"\nOpenVINO conversion (once per model): {c['conversion_s']} s, peak {c['peak_mb']} MB, precision {c['precision']}"
                     + "".join(f"; {k}: {v['wall_s']} s wall on {v['calls']} calls, child peak {v['peak_mb']} MB"
                               for k, v in c.get("int8", {}).items()) + ".")
    return "\n".join(lines)


def _psnr(a, b) -> float:
    mse = ((np.asarray(a, np.float64) - np.asarray(b, np.float64)) ** 2).mean()
    return 99.0 if mse == 0 else float(10 * np.log10(255.0**2 / mse))


def reuse_quality(intervals=(1, 2, 3, 4, 5), per_kind: int = 8, steps: int = 20, openvino: bool = True, log=lambda _m: None) -> dict:
    """On the trained `demo` model's held-out scenes (64 px): for each cache_interval, the PSNR of the edit
    to the true edited picture and to the interval-1 edit; with `openvino`, OpenVINO against torch."""
    from ..editing.editor import Editor  # noqa: PLC0415
    from ..models.loading import load_pipeline  # noqa: PLC0415
    from ..models.runtime import openvino_available, use_openvino  # noqa: PLC0415
    from ..train.quality import held_out_pairs, score  # noqa: PLC0415

    pairs = held_out_pairs(per_kind)
    editor = Editor(load_pipeline("demo", torch.device("cpu"), torch.float32), model_name="demo")

    def run(ed, n):
        start = time.process_time()
        images = [ed.edit(p.before, p.instruction, english=p.instruction, seed=i, steps=steps, max_size=64, cache_interval=n).image
                  for i, p in enumerate(pairs)]
        return images, time.process_time() - start

    outputs, rows = {}, []
    for n in intervals:
        outputs[n], cpu = run(editor, n)
        scored = score(pairs, outputs[n])["all"]
        rows.append(dict(cache_interval=n, psnr_to_truth=round(float(np.mean([_psnr(o, p.after) for o, p in zip(outputs[n], pairs)])), 2),
                         followed=round(scored["followed"], 3), kept_psnr=round(scored["kept"], 2),
                         psnr_to_interval_1=round(float(np.mean([_psnr(o, b) for o, b in zip(outputs[n], outputs[intervals[0]])])), 2),
                         cpu_s=round(cpu, 2)))
        log(f"  {rows[-1]}")
    report = dict(model="demo", pairs=len(pairs), steps=steps, input_psnr_to_truth=round(float(np.mean([_psnr(p.before, p.after) for p in pairs])), 2),
                  rows=rows)
    if openvino and openvino_available():
        pipe = load_pipeline("demo", torch.device("cpu"), torch.float32)
        use_openvino(pipe)
        ov = Editor(pipe, model_name="demo")
        report["openvino_vs_torch"] = []
        for n in sorted({intervals[0], *[r["cache_interval"] for r in rows if r["cache_interval"] in (2, 3)]}):
            images, _ = run(ov, n)
            report["openvino_vs_torch"].append(dict(cache_interval=n, psnr=round(float(np.mean([_psnr(a, b) for a, b in zip(images, outputs[n])])), 2),
                                                    min_psnr=round(min(_psnr(a, b) for a, b in zip(images, outputs[n])), 2)))
            log(f"  openvino {report['openvino_vs_torch'][-1]}")
    return report


if __name__ == "__main__":  # the child process of `cpu_bench`
    import warnings

    warnings.simplefilter("ignore")
    if sys.argv[1] == "convert":
        print(json.dumps(convert([r for r in sys.argv[2].split(",") if r != "-"])))
    else:
        arm, size, steps, s_i, s_t = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
        print(json.dumps(run_one(arm, size, steps, s_i, s_t)))
