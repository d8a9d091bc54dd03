"""Speed helpers: check the attention kernels, opt in to `torch.compile` on a GPU, detect native bfloat16.

What already makes an edit fast needs no call here: the editor skips guidance branches whose
weight is zero (image guidance 1.0 runs the UNet on 2 inputs instead of 3), caches image latents
and prompt embeddings, and tiles the VAE above 768 px; diffusers uses PyTorch's fused
scaled-dot-product attention (`AttnProcessor2_0`) by default on torch 2. `optimize(pipe,
compile=True)` adds `torch.compile` for CUDA GPUs: the first edit then compiles for a minute or
two (and again for each new image size or batch), later ones run faster. It is opt-in because a
workshop demo cannot wait through the compile, and it cannot be measured on a CPU-only machine.
"""
import os

import torch

from ..errors import UserError

__all__ = ["attention_processors", "optimize", "cpu_has_native_bf16", "pick_threads", "cpu_threads", "cpu_flags", "pick_unet"]


def attention_processors(pipe) -> dict:
    """How many attention layers of the UNet use each processor class, e.g. {'AttnProcessor2_0': 16}."""
    counts = {}
    for processor in pipe.unet.attn_processors.values():
        name = type(processor).__name__
        counts[name] = counts.get(name, 0) + 1
    return counts


def optimize(pipe, compile: bool = False):
    """Make sure attention uses PyTorch's fused kernel; with `compile=True` (CUDA only) compile the UNet.

    Returns the same pipeline, changed in place. The UNet keeps its class and config (the editor
    reads them); only its `forward` is compiled.
    """
    from diffusers.models.attention_processor import AttnProcessor2_0  # noqa: PLC0415

    if set(attention_processors(pipe)) != {"AttnProcessor2_0"}:
        pipe.unet.set_attn_processor(AttnProcessor2_0())
    if compile:
        device = pipe.unet.device
        if device.type != "cuda":
            raise UserError(f"`compile=True` speeds up CUDA GPUs only, but this model is on {device.type}; "
                            "leave compile off here (on a CPU it would spend minutes compiling for little gain).")
        pipe.unet.to(memory_format=torch.channels_last)  # the layout the compiled convolutions are fastest in
        pipe.unet.compile(fullgraph=False)
    return pipe


def cpu_has_native_bf16() -> bool:
    """Whether this CPU computes bfloat16 in hardware (x86 AVX512-BF16 or AMX; Arm BF16), read from /proc/cpuinfo.

    Only then is bfloat16 faster than float32 on a CPU (2-2.5x for the UNet on an AMD EPYC with
    AVX512-BF16, see docs/BENCHMARK.md); without it PyTorch emulates bfloat16 and is slower. Not
    Linux, or unreadable: False (float32 is the safe choice).
    """
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith(("flags", "Features")):
                    flags = set(line.split(":", 1)[1].split())
                    return bool(flags & {"avx512_bf16", "amx_bf16", "bf16"})
    except OSError:
        pass
    return False


def pick_threads(cpus: int | None = None, load: float | None = None) -> int:
    """Threads worth giving the model: the cores this process may use (`os.sched_getaffinity`), less the ones other
    programs keep busy (the 1-minute load average), rounded, at least 1.

    On an idle machine every core pays (a UNet call parallelises well). On a busy one, OpenMP threads that wait on
    each other cost more than they bring: on this project's shared 2-core VM at load 5-11, one UNet call took 26 s
    wall with 2 threads against 2.75 s on the idle machine (docs/BENCHMARK.md), so there 1 thread is the answer.
    """
    if cpus is None:
        try:
            cpus = len(os.sched_getaffinity(0))
        except (AttributeError, OSError):   # not Linux
            cpus = os.cpu_count() or 1
    if load is None:
        try:
            load = os.getloadavg()[0]
        except (AttributeError, OSError):   # Windows
            load = 0.0
    return max(1, min(cpus, int(cpus - load + 0.5)))


def cpu_threads() -> int:
    """The thread count for the model on a CPU: `$OMP_NUM_THREADS` when set (the user's or accelerate's), else
    `pick_threads()`."""
    asked = os.environ.get("OMP_NUM_THREADS", "")
    return max(1, int(asked)) if asked.isdigit() else pick_threads()


def cpu_flags() -> list:
    """The CPU's instruction-set flags that decide its speed here (AVX2, AVX-512 and its VNNI/BF16, AMX), sorted:
    8-bit gains need VNNI or AMX, bfloat16 needs AVX512_BF16 or AMX. Empty when unknown (not Linux)."""
    wanted = ("avx2", "avx512", "avx_vnni", "amx")
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    return sorted(flag for flag in line.split(":", 1)[1].split() if flag.startswith(wanted))
    except OSError:
        pass
    return []


INT8_FLAGS = ("avx512_vnni", "avx_vnni", "amx_int8")   # 8-bit dot products in hardware: what makes an 8-bit UNet fast
BF16_FLAGS = ("avx512_bf16", "amx_bf16")               # native bfloat16: the float path's own fast arithmetic


# Memory a machine needs before the 8-bit UNet is made for it unasked: at full size the editor holds about 5 GB while
# the children that convert (5.2 GB peak) and then quantize (5.7 GB peak) run beside it, one at a time
# (docs/BENCHMARK.md, issue 32): 10.7 GB at most, so a free hosted runtime's 12.7 GB is enough.
INT8_MIN_RAM_GIB = 12


def _ram_gib() -> float | None:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError, AttributeError):
        return None


def pick_unet(flags=None, have_nncf: bool | None = None, ram_gib: float | None = None) -> tuple:
    """(recipe, reason): the UNet graph OpenVINO should run on this CPU, "int8" or "float", and why, naming the flags.

    Where the bench measured it (docs/BENCHMARK.md, full-size model, 256 px, 20 steps, reuse 2, one thread):
    - 8-bit dot products (`INT8_FLAGS`) without native bfloat16: "int8", the only fast arithmetic there (0.262x of
      torch float32 against float32 OpenVINO's 0.553x, measured with OpenVINO held to float32 on an AMX CPU);
    - AVX-512 VNNI with AVX-512 BF16 but no AMX: "int8", measured faster than bfloat16 (0.212x against 0.246x at
      256 px, 0.194x against 0.265x at 512 px);
    - AMX (amx_bf16): "float", bfloat16 on AMX was as fast (0.187x against int8's 0.192x) and needs no quantization;
    - no 8-bit dot products (AVX2 only): "float", 8 bits are no faster.
    Making the 8-bit UNet takes about 6 GB beside the editor's 5, so with less than `INT8_MIN_RAM_GIB` it stays "float".
    `flags`: the CPU's flags (None: `cpu_flags()`); `have_nncf`: whether nncf is installed (None: try importing it);
    `ram_gib`: the machine's memory (None: read it).
    """
    flags = set(cpu_flags() if flags is None else flags)
    int8 = [f for f in INT8_FLAGS if f in flags]
    bf16 = [f for f in BF16_FLAGS if f in flags]
    if not int8:
        return "float", (f"no 8-bit dot-product instructions ({', '.join(INT8_FLAGS)}) on this CPU"
                         f"{', which has ' + ', '.join(bf16) if bf16 else ''}: an 8-bit UNet would be no faster here")
    has = f"this CPU has {', '.join(int8)} (8-bit dot products)"
    if "amx_bf16" in flags:
        return "float", f"{has} and amx_bf16: bfloat16 on AMX measured as fast as 8 bits, without making an 8-bit model"
    if have_nncf is None:
        from .quantize import nncf_available  # noqa: PLC0415

        have_nncf = nncf_available()
    if not have_nncf:
        return "float", f"{has}, but the nncf package that makes the 8-bit UNet is missing (`pip install nncf`)"
    ram_gib = _ram_gib() if ram_gib is None else ram_gib
    if ram_gib is not None and ram_gib < INT8_MIN_RAM_GIB:
        return "float", (f"{has}, but making the 8-bit UNet needs about 6 GB beside the editor's 5 GB and this machine has "
                         f"{ram_gib:.0f} GB (`--unet int8` asks for it anyway)")
    if bf16:
        return "int8", f"{has} and {', '.join(bf16)} without AMX: the 8-bit UNet measured faster than bfloat16 on such CPUs"
    return "int8", f"{has} and no native bfloat16 ({', '.join(BF16_FLAGS)}): 8 bits are its fast arithmetic"
