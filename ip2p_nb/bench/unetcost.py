"""`python -m ip2p_nb bench --unet-cost`: one full-size UNet call per runtime, precision and 8-bit recipe.

An edit on a CPU is almost all UNet calls (docs/BENCHMARK.md: the VAE and text encoder are a fixed
~15 s at 256 px), so the cheapest honest comparison of the 8-bit recipes is the UNet call itself:
SD 1.5 InstructPix2Pix's UNet (random weights, bench/fullsize.py), batch 3 (all guidance branches),
at each size. Every contestant runs in its own fresh process: it loads its model (torch: builds the
UNet; OpenVINO: reads the IR from a shared temporary cache and compiles it for the exact shape),
runs one warm-up call, then `repeats` timed calls; it reports the CPU seconds per call (the median),
wall seconds, and the process's peak resident memory. The output of each is compared with torch
float32's on the same inputs (signal-to-noise of the noise prediction, dB): random weights make
pictures meaningless, but a wrong graph shows as a low figure.
A first process converts the UNet and makes the 8-bit graphs, calibrated on 16 UNet calls of the
pipeline's own 4-step edits of the sample photos at 128 px (enough for speed: quality is measured on
the trained demo model by bench/int8.py).
"""
import json
import os
import sys
import tempfile
import time

import numpy as np
import torch

__all__ = ["ARMS", "unet_costs"]

# arm -> (runtime, precision, graph)
ARMS = {
    "torch_fp32": ("torch", "f32", None),
    "torch_bf16": ("torch", "bf16", None),
    "ov_f32": ("openvino", "f32", "float"),
    "ov_bf16": ("openvino", "bf16", "float"),
    "int8": ("openvino", "bf16", "int8"),
    "int8-hybrid": ("openvino", "bf16", "int8-hybrid"),
    "int8-weights": ("openvino", "bf16", "int8-weights"),
    "int8_f32": ("openvino", "f32", "int8"),
}


def _inputs(size: int):
    g = torch.Generator().manual_seed(0)
    side = size // 8
    return (torch.randn(3, 8, side, side, generator=g), torch.tensor(500.0), torch.randn(3, 77, 768, generator=g))


def _prepare(folder_file: str) -> dict:
    from ..models.quantize import use_int8  # noqa: PLC0415
    from ..models.runtime import use_openvino  # noqa: PLC0415
    from .fullsize import build_fullsize_pipeline  # noqa: PLC0415
    from .measure import PeakMemory  # noqa: PLC0415

    pipe = build_fullsize_pipeline(dtype=torch.float32)
    with PeakMemory(torch.device("cpu")) as memory:
        start = time.process_time()
        report = use_openvino(pipe)
        convert = time.process_time() - start
        made = {}
        for recipe in ("int8", "int8-hybrid", "int8-weights"):
            start = time.process_time()
            done = use_int8(pipe, recipe, size=128, steps=4, limit=16)
            made[recipe] = dict(path=done["path"], cpu_s=round(time.process_time() - start, 1), calls=done["calls"])
    with open(folder_file, "w") as f:
        f.write(report["folder"])
    return dict(arm="prepare", convert_cpu_s=round(convert, 1), made=made, peak_mb=round(memory.bytes / 2**20))


def _graph_path(folder: str, graph: str) -> str:
    from pathlib import Path  # noqa: PLC0415

    if graph == "float":
        return str(Path(folder) / "unet_whole.xml")
    return str(next(Path(folder).glob(f"unet_whole.{graph}-*.xml")))


def run_arm(arm: str, size: int, repeats: int, folder: str, out: str) -> dict:
    """One contestant in this process (the child side of `unet_costs`)."""
    from .measure import PeakMemory, timed  # noqa: PLC0415

    runtime, precision, graph = ARMS[arm]
    sample, t, states = _inputs(size)
    with PeakMemory(torch.device("cpu")) as memory:
        start = time.process_time()
        if runtime == "torch":
            from diffusers import UNet2DConditionModel  # noqa: PLC0415

            from .fullsize import UNET_CONFIG  # noqa: PLC0415

            torch.manual_seed(0)
            unet = UNet2DConditionModel(**UNET_CONFIG).eval().requires_grad_(False)
            dtype = torch.bfloat16 if precision == "bf16" else torch.float32
            unet.to(dtype)

            def call():
                with torch.no_grad():
                    return unet(sample.to(dtype), t, encoder_hidden_states=states.to(dtype), return_dict=False)[0].float().numpy()
        else:
            import openvino as ov  # noqa: PLC0415

            from ..models.speed import cpu_threads  # noqa: PLC0415

            core = ov.Core()
            model = core.read_model(_graph_path(folder, graph))
            arrays = [sample.numpy(), np.asarray(500.0, np.float32), states.numpy()]
            model.reshape({port: list(a.shape) for port, a in zip(model.inputs, arrays)})
            compiled = core.compile_model(model, "CPU", {"INFERENCE_PRECISION_HINT": precision, "PERFORMANCE_HINT": "LATENCY",
                                                          "INFERENCE_NUM_THREADS": cpu_threads()})
            del model
            request = compiled.create_infer_request()

            def call():
                request.infer(arrays)
                return np.array(request.get_output_tensor(0).data)
        load_cpu = time.process_time() - start
        call()   # warm-up: kernels chosen, memory allocated
        times = [timed(call) for _ in range(repeats)]
    np.save(out, times[-1][2])
    return dict(arm=arm, size=size, load_cpu_s=round(load_cpu, 1), cpu_s=round(float(np.median([c for _, c, _ in times])), 2),
                wall_s=round(float(np.median([w for w, _, _ in times])), 2), peak_mb=round(memory.bytes / 2**20),
                threads=torch.get_num_threads())


def _child(args: list, env: dict, log) -> dict:
    from .measure import run_child  # noqa: PLC0415

    return run_child("ip2p_nb.bench.unetcost", args, env, log)


def _snr(ref, x) -> float:
    return round(float(10 * np.log10((ref**2).mean() / max(((ref - x) ** 2).mean(), 1e-30))), 1)


def unet_costs(sizes=(256, 512), arms=tuple(ARMS), repeats: int = 2, cache: str | None = None, folder: str | None = None,
               log=lambda _m: None) -> dict:
    """Every arm at every size, each in a fresh process; CPU s per call, ratios to torch_fp32, peak MB, SNR to torch_fp32.

    `folder`: an IR folder converted (and quantized) before, to skip the preparing process."""
    from ..models.speed import cpu_flags  # noqa: PLC0415

    report = dict(cpu_flags=cpu_flags(), rows=[], settings=dict(sizes=list(sizes), repeats=repeats, batch=3,
                                                                  omp_num_threads=os.environ.get("OMP_NUM_THREADS")))
    with tempfile.TemporaryDirectory(prefix="ip2p-unetcost-") as tmp:
        env = dict(os.environ, IP2P_CACHE_DIR=cache or tmp)
        folder_file = os.path.join(tmp, "folder.txt")
        if folder is None:
            report["prepare"] = _child(["prepare", 0, 0, folder_file], env, log)
            with open(folder_file) as f:
                folder = f.read().strip()
        for size in sizes:
            outs = {}
            for arm in arms:
                outs[arm] = os.path.join(tmp, f"{arm}-{size}.npy")
                report["rows"].append(_child([arm, size, repeats, folder, outs[arm]], env, log))
            rows = {r["arm"]: r for r in report["rows"] if r["size"] == size}
            if "torch_fp32" in rows:
                ref = np.load(outs["torch_fp32"])
                for arm, r in rows.items():
                    r["cpu_vs_torch_fp32"] = round(r["cpu_s"] / rows["torch_fp32"]["cpu_s"], 3)
                    r["peak_vs_torch_fp32"] = round(r["peak_mb"] / rows["torch_fp32"]["peak_mb"], 3)
                    r["snr_db_vs_torch_fp32"] = _snr(ref, np.load(outs[arm]))
    return report


if __name__ == "__main__":
    import warnings

    warnings.simplefilter("ignore")
    if sys.argv[1] == "prepare":
        print(json.dumps(_prepare(sys.argv[4])))
    else:
        print(json.dumps(run_arm(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5])))
