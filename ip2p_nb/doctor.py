"""What this machine can do: the platform (platforms.py), GPU and memory, the max_size to suggest, an edit's predicted CPU time, fonts, translation, model cache, hub.

Used by `python -m ip2p_nb doctor` and by the notebook's hardware-check cell. Every check is
quick and none downloads anything (the hub probe is one model-info call per endpoint, seconds at most).
"""
import functools
import os
import platform

__all__ = ["hardware", "suggest_max_size", "estimate_seconds", "doctor_lines", "model_report", "cached_repos"]

# (GPU memory in GiB at least, max_size to suggest). Measured peak of the fp16 pipeline on an H100
# (docs/GPU.md): 2.7 GB at 512 px, 3.5 GB at 768, 4.5 GB at 1024 (untiled VAE). The margin leaves room
# for the CUDA context, other notebooks and other cards' kernels; larger sizes also take longer, so a
# T4 (15 GiB) is offered 768 and 1024 only cards of 16 GiB and more.
_VRAM_TO_SIZE = [(16, 1024), (10, 768), (4, 512), (0, 384)]

def hardware() -> dict:
    """Device, GPU name and memory (GiB), CPU count: what the notebook's first cell shows."""
    import torch  # noqa: PLC0415

    from .models.loading import pick_device_dtype  # noqa: PLC0415  (the device the editor would use)

    device, _ = pick_device_dtype()
    info = {"device": device.type, "gpu": None, "vram_gib": None, "cpus": os.cpu_count(), "python": platform.python_version(),
            "torch": torch.__version__}
    if device.type == "cuda":
        props = torch.cuda.get_device_properties(device)
        info.update(gpu=props.name, vram_gib=round(props.total_memory / 2**30, 1))
    elif device.type == "mps":
        info.update(gpu="Apple GPU (MPS)")
    return info


def suggest_max_size(info: dict | None = None) -> int:
    """A max_size this machine handles comfortably: by GPU memory; on a CPU the CPU default (defaults.CPU_DEFAULTS)."""
    from .defaults import CPU_DEFAULTS  # noqa: PLC0415

    info = info or hardware()
    if info["device"] == "cpu":
        return CPU_DEFAULTS["max_size"]
    if info["vram_gib"] is None:
        return 512
    return next(size for vram, size in _VRAM_TO_SIZE if info["vram_gib"] >= vram)


def estimate_seconds(max_size: int, steps: int, info: dict | None = None, *, image_guidance: float | None = None,
                     text_guidance: float | None = None, cache_interval: int | None = None,
                     runtime: str | None = None, size: tuple | None = None) -> float | None:
    """Predicted seconds of one edit on this CPU; None on a GPU, where it is seconds anyway.

    A short speed test (`machine_probe`, or `info["probe"]` when given: a room's worker measures it on its own
    machine) scales the full-size model's costs measured on a reference CPU (calibrate.REFERENCE). `cache_interval` and `runtime` default to what load_editor uses on a CPU
    (CPU_DEFAULTS["cache_interval"]; OpenVINO when installed); the guidance (None: DEFAULTS) decides the UNet branches;
    `size` is the edited (width, height) of a photo (images.edit_size), None for a square of `max_size`.
    """
    info = info or hardware()
    if info["device"] != "cpu":
        return None
    from .models.calibrate import predict_seconds  # noqa: PLC0415
    from .defaults import CPU_DEFAULTS, DEFAULTS  # noqa: PLC0415
    from .editing.guidance import branches  # noqa: PLC0415

    interval = CPU_DEFAULTS["cache_interval"] if cache_interval is None else cache_interval
    needed = branches(DEFAULTS["image_guidance"] if image_guidance is None else image_guidance,
                      DEFAULTS["text_guidance"] if text_guidance is None else text_guidance)
    return predict_seconds(max_size, steps, len(needed), interval,
                           runtime or default_runtime(), probe=info.get("probe") or machine_probe(), size=size)


def _ram_gib() -> float | None:
    """This machine's total memory (GiB), from the OS; None where it cannot be told."""
    try:
        return round(os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") / 2**30, 1)
    except (ValueError, OSError, AttributeError):
        return None


def cached_repos() -> dict:
    """{repo id: bytes on disk} of the models in the local Hugging Face cache with safetensors weights (no network)."""
    from huggingface_hub import scan_cache_dir  # noqa: PLC0415
    from huggingface_hub.errors import CacheNotFound  # noqa: PLC0415

    from .models.hub import hub_cache_dir  # noqa: PLC0415

    try:
        info = scan_cache_dir(hub_cache_dir())
    except CacheNotFound:
        return {}
    found = {}
    for repo in info.repos:
        names = {f.file_name for rev in repo.revisions for f in rev.files}
        if repo.repo_type == "model" and any(n.endswith(".safetensors") for n in names):
            found[repo.repo_id] = repo.size_on_disk
    return found


def model_report(info: dict | None = None, ram_gib: float | None = None) -> list[dict]:
    """For each catalogue model: does it fit this GPU (or this CPU's memory), and is it already downloaded?

    Rows: name, kind, need_gb (the catalogue's GPU or CPU figure), have_gb (total GPU memory or RAM), fits,
    cached (True/False; None for the models built or shipped here, which need no download)."""
    from .models.catalogue import available_models  # noqa: PLC0415

    info = info or hardware()
    gpu = info.get("vram_gib") is not None
    have = info["vram_gib"] if gpu else (ram_gib if ram_gib is not None else _ram_gib())
    try:
        cached = cached_repos()
    except Exception:  # noqa: BLE001  (a broken cache is reported as "not cached", never raised)
        cached = {}
    rows = []
    for m in available_models():
        need = m.gpu_gb if gpu else m.cpu_gb
        rows.append({"name": m.name, "kind": m.kind, "need_gb": need, "have_gb": have, "on": "GPU" if gpu else "CPU",
                     "fits": None if have is None else need * 1e9 <= have * 2**30,
                     "cached": None if m.hub_id is None else m.hub_id in cached})
    return rows


def _model_line(row: dict) -> str:
    where = f"{row['on']} memory" if row["on"] == "GPU" else "RAM"
    if row["fits"] is None:
        fit = f"needs ~{row['need_gb']:g} GB of {where}"
    else:
        fit = (f"fits (needs ~{row['need_gb']:g} GB of {row['have_gb']:g} GiB {where})" if row["fits"]
               else f"too big for this machine (needs ~{row['need_gb']:g} GB of {where}, has {row['have_gb']:g} GiB)")
    cache = {None: "no download needed", True: "cached", False: "not downloaded yet"}[row["cached"]]
    return f"{fit}; {cache}"


def _model_cache_line() -> str:
    from .defaults import default_model  # noqa: PLC0415

    name = default_model()
    if name in ("tiny", "demo") or os.path.isdir(name):
        return f"{name} (no download needed)"
    try:
        from .models.hub import cached_model  # noqa: PLC0415

        hit = cached_model(name)
    except Exception:  # noqa: BLE001  (a broken cache is reported, not raised)
        hit = None
    return f"{name}: {'cached (loads with no network call)' if hit else 'not cached (a download of several GB on first load)'}"


def _hub_line() -> str:
    """Which hub endpoint answers for the default model (a few seconds at most per endpoint)."""
    from .defaults import default_model  # noqa: PLC0415
    from .models.hub import probe_hubs  # noqa: PLC0415

    name = default_model()
    if name in ("tiny", "demo") or os.path.isdir(name):
        return "not needed"
    from .models.catalogue import resolve_model  # noqa: PLC0415

    try:
        name = resolve_model(name)[0]   # a short name's hub id
    except Exception:  # noqa: BLE001  (an unknown name is the model line's business)
        pass
    probes = probe_hubs(name)
    return "; ".join(f"{url} ({why}): {answer}" for url, why, answer in probes)


def _platform_line() -> str:
    from .platforms import detect_platform  # noqa: PLC0415

    where = detect_platform()
    return f"{where.label}: {where.advice}" if where.advice else where.label


def _font_line() -> str:
    from .outputs.fonts import font_report  # noqa: PLC0415

    return font_report()


def _translation_line() -> str:
    from .translation import translate  # noqa: PLC0415

    t = translate("把天空换成夜晚")
    return f"把天空换成夜晚 -> {t.text!r} via {t.backend}"


@functools.cache
def machine_probe() -> float:
    """This CPU's time for the calibration probe (calibrate.probe_seconds, ~0.3 s), measured once per process,
    in the dtype the editor would use here (bfloat16 where the CPU computes it natively, else float32)."""
    import torch  # noqa: PLC0415

    from .models.calibrate import probe_seconds  # noqa: PLC0415
    from .models.speed import cpu_has_native_bf16  # noqa: PLC0415

    return probe_seconds(torch.bfloat16 if cpu_has_native_bf16() else torch.float32)


def default_runtime() -> str:
    """The runtime load_editor picks for a real model on a CPU: OpenVINO when installed, else torch."""
    from .models.runtime import openvino_available  # noqa: PLC0415

    return "openvino" if openvino_available() else "torch"


def describe_seconds(seconds: float) -> str:
    """'about 40 s' or 'about 3 min' (rounded as a person would say it)."""
    if seconds < 90:
        return f"about {max(5, round(seconds / 5) * 5):.0f} s"
    return f"about {seconds / 60:.0f} min"


__all__ += ["describe_seconds", "machine_probe", "default_runtime"]


def _cpu_defaults_line(size: int, info: dict) -> str:
    from .defaults import CPU_DEFAULTS, DEFAULTS  # noqa: PLC0415

    steps, interval, runtime = CPU_DEFAULTS["steps"], CPU_DEFAULTS["cache_interval"], default_runtime()
    seconds = estimate_seconds(size, steps, info, cache_interval=interval, runtime=runtime)
    plain = estimate_seconds(size, DEFAULTS["steps"], info, cache_interval=1, runtime="torch")
    return (f"max_size {size}, {steps} steps of {CPU_DEFAULTS['scheduler']}, runtime {runtime}, fast: deep features reused "
            f"(cache_interval {interval}): {describe_seconds(seconds)} per edit (torch, {DEFAULTS['steps']} steps without reuse: "
            f"{describe_seconds(plain)}); "
            f"predicted from a {machine_probe() * 1000:.0f} ms speed test")


def _cpu_engine_line() -> str:
    """The UNet graph a full-size model gets on this CPU (editing/cpu.choose_unet: by the CPU's flags), and why."""
    from .editing.cpu import choose_unet  # noqa: PLC0415
    from .models.speed import cpu_flags  # noqa: PLC0415

    recipe, reason = choose_unet()
    flags = " ".join(cpu_flags()) or "none of AVX2/AVX-512/VNNI/AMX"
    return f"UNet {recipe} on {default_runtime()} ({reason}; `--unet float` turns 8 bits off); CPU flags: {flags}"


def doctor_lines() -> list[tuple[str, str]]:
    """(label, value) pairs for `python -m ip2p_nb doctor`."""
    info = hardware()
    size = suggest_max_size(info)
    gpu = f"{info['gpu']} ({info['vram_gib']} GiB)" if info["gpu"] else "none: CPU only, an edit takes minutes"
    from .platforms import widget_mismatch  # noqa: PLC0415

    mismatch = widget_mismatch()
    lines = [("platform", _platform_line())] + ([("widgets", mismatch)] if mismatch else []) + [("device", info["device"]), ("GPU", gpu), ("CPU cores", str(info["cpus"])),
             ("suggested max_size", str(size))]
    if info["device"] == "cpu":  # what load_editor and the app use here, and what it costs
        lines.append(("CPU defaults", _cpu_defaults_line(size, info)))
        lines.append(("CPU engine", _cpu_engine_line()))
    seconds = estimate_seconds(size, 20, info)
    if seconds:
        lines.append(("CPU time per edit", f"about {seconds / 60:.0f} min at max_size {size}, 20 steps"))
    lines += [("model", _model_cache_line()), ("model hub", _hub_line())]
    lines.append(("models", "which fit this machine, which are downloaded (short names for --model):"))
    lines += [(row["name"], _model_line(row)) for row in model_report(info)]
    lines += [("font", _font_line()), ("translation", _translation_line()), ("python / torch", f"{info['python']} / {info['torch']}")]
    return lines
