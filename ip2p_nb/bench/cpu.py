"""`python -m ip2p_nb bench --cpu`: what a CPU user waits for one edit, per runtime, with and without reuse.

Each contestant edits the same synthetic photo with the full-size SD 1.5 InstructPix2Pix
architecture (random weights: the timings are the real model's, bench/fullsize.py), end to end:
text encoder, VAE encode, the steps, VAE decode. Each runs in its own fresh Python process, so
one's memory and caches cannot help or hurt the next; the process reports wall seconds, CPU
seconds and the peak resident memory during the edit. The OpenVINO conversion runs once first,
in its own process, into a temporary cache, and its time and peak are reported apart.
Contestants (dtype: what `load_editor` picks on this CPU, bfloat16 only where it is native):
- plain: the diffusers pipeline's own `__call__`;
- torch: our editor as it was before runtimes and reuse (the baseline of the ratios);
- torch_reuse, openvino, openvino_reuse: the runtime and feature reuse alone and together.
`reuse_quality` measures what reuse and OpenVINO do to the pictures on the trained `demo` model.
"""
import json
import os
import sys
import tempfile
import time

import numpy as np
import torch

__all__ = ["ARMS", "cpu_bench", "reuse_quality", "cpu_table"]

PROMPT = "make it snowy"


def _arms() -> dict:
    from ..defaults import CPU_DEFAULTS  # noqa: PLC0415

    n = CPU_DEFAULTS["cache_interval"]
    return {"plain": ("plain", "torch", 1), "torch": ("ours", "torch", 1), "torch_reuse": ("ours", "torch", n),
            "openvino": ("ours", "openvino", 1), "openvino_reuse": ("ours", "openvino", n)}


ARMS = ("torch", "openvino_reuse", "openvino", "torch_reuse", "plain")  # the baseline and the new default first


def _pipeline():
    from ..models.loading import pick_device_dtype  # noqa: PLC0415
    from .fullsize import build_fullsize_pipeline  # noqa: PLC0415

    _, dtype = pick_device_dtype("cpu", None, "fullsize")  # the dtype a real model gets on this CPU
    return build_fullsize_pipeline(dtype=dtype), dtype


def run_one(arm: str, size: int, steps: int, image_guidance: float, text_guidance: float, seed: int = 0) -> dict:
    """One contestant's edit in this process (the child side of `cpu_bench`)."""
    from ..editing.editor import Editor  # noqa: PLC0415
    from ..editing.images import resize_for_edit  # noqa: PLC0415
    from ..models.runtime import use_openvino  # noqa: PLC0415
    from .measure import PeakMemory, timed  # noqa: PLC0415
    from .run import sample_photo  # noqa: PLC0415

    pipe, dtype = _pipeline()
    if arm == "convert":
        with PeakMemory(torch.device("cpu")) as memory:
            report = use_openvino(pipe)
        return dict(arm=arm, conversion_s=report["seconds"], converted=report["converted"], peak_mb=round(memory.bytes / 2**20),
                    precision=report["precision"])
    kind, runtime, interval = _arms()[arm]
    if runtime == "openvino":
        use_openvino(pipe)
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
    return dict(arm=arm, size=size, runtime=runtime, cache_interval=interval, dtype=str(dtype).removeprefix("torch."),
                wall_s=round(seconds, 2), cpu_s=round(cpu, 2), peak_mb=round(memory.bytes / 2**20), image_size=list(image.size),
                threads=torch.get_num_threads())


def _child(args: list, env: dict, log) -> dict:
    from .measure import run_child  # noqa: PLC0415

    return run_child("ip2p_nb.bench.cpu", args, env, log)


def cpu_bench(sizes=(256, 512), steps: int = 20, image_guidance: float = 1.5, text_guidance: float = 7.5,
              arms=ARMS, log=lambda _msg: None) -> dict:
    """Run every contestant at every size, each in a fresh process; times, ratios to `torch` and `plain`, peaks."""
    from ..models.runtime import openvino_available  # noqa: PLC0415
    from .run import machine_info  # noqa: PLC0415

    arms = [a for a in arms if "openvino" not in a or openvino_available()]
    report = dict(settings=dict(sizes=list(sizes), steps=steps, image_guidance=image_guidance, text_guidance=text_guidance,
                                pipeline="fullsize (SD 1.5 InstructPix2Pix shapes, random weights)"),
                  machine_before=machine_info(), rows=[])
    with tempfile.TemporaryDirectory(prefix="ip2p-bench-") as cache:
        env = dict(os.environ, IP2P_CACHE_DIR=cache)
        if any("openvino" in a for a in arms):
            log("converting the full-size model for OpenVINO (once)...")
            report["conversion"] = _child(["convert", 0, 0, 0, 0], env, log)
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
    lines = ["| size | contestant | reuse | wall s | CPU s | CPU vs torch | CPU vs plain | peak MB | peak vs torch |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in report["rows"]:
        lines.append(f"| {r['size']} | {r['arm']} | {r['cache_interval']} | {r['wall_s']} | {r['cpu_s']} | {r.get('cpu_vs_torch', '-')} | "
                     f"{r.get('cpu_vs_plain', '-')} | {r['peak_mb']} | {r.get('peak_vs_torch', '-')} |")
    if "conversion" in report:
        c = report["conversion"]
        lines.append(f"\nOpenVINO conversion (once per model): {c['conversion_s']} s, peak {c['peak_mb']} MB, precision {c['precision']}.")
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
    arm, size, steps, s_i, s_t = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
    print(json.dumps(run_one(arm, size, steps, s_i, s_t)))
