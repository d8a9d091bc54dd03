"""What this machine can do: GPU and memory, the max_size to suggest, fonts, translation, model cache, hub.

Used by `python -m ip2p_nb doctor` and by the notebook's hardware-check cell. Every check is
quick and none downloads anything (the hub probe is one model-info call per endpoint, seconds at most).
"""
import os
import platform

__all__ = ["hardware", "suggest_max_size", "estimate_seconds", "doctor_lines", "model_report", "cached_repos"]

# (GPU memory in GiB at least, max_size to suggest). Measured peak of the fp16 pipeline on an H100
# (docs/GPU.md): 2.7 GB at 512 px, 3.5 GB at 768, 4.5 GB at 1024 (untiled VAE). The margin leaves room
# for the CUDA context, other notebooks and other cards' kernels; larger sizes also take longer, so a
# T4 (15 GiB) is offered 768 and 1024 only cards of 16 GiB and more.
_VRAM_TO_SIZE = [(16, 1024), (10, 768), (4, 512), (0, 384)]

# Seconds per UNet evaluation of a batch of 3 on this project's 2-core CPU (fp32, see README
# benchmark): 256 px ~2.75 s, 512 px ~10 s. Used to warn CPU users before they wait.
_CPU_SECONDS_PER_STEP = {256: 2.75, 384: 5.5, 512: 10.0, 768: 24.0, 1024: 45.0}


def hardware() -> dict:
    """Device, GPU name and memory (GiB), CPU count: what the notebook's first cell shows."""
    import torch  # noqa: PLC0415

    from .loading import pick_device_dtype  # noqa: PLC0415  (the device the editor would use)

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
    """A max_size this machine handles comfortably: by GPU memory, 256 on a CPU (minutes per edit)."""
    info = info or hardware()
    if info["device"] == "cpu":
        return 256
    if info["vram_gib"] is None:
        return 512
    return next(size for vram, size in _VRAM_TO_SIZE if info["vram_gib"] >= vram)


def estimate_seconds(max_size: int, steps: int, info: dict | None = None) -> float | None:
    """Rough CPU time of one edit (None on a GPU, where it is seconds anyway)."""
    info = info or hardware()
    if info["device"] != "cpu":
        return None
    from .speed import cpu_has_native_bf16  # noqa: PLC0415

    size = min(_CPU_SECONDS_PER_STEP, key=lambda s: abs(s - max_size))
    seconds = _CPU_SECONDS_PER_STEP[size] * steps * (2 / max(1, info["cpus"] or 1)) + 0.05 * max_size
    return seconds * (0.5 if cpu_has_native_bf16() else 1.0)  # bfloat16 halves it (docs/BENCHMARK.md)


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

    from .hub import hub_cache_dir  # noqa: PLC0415

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
    from .models import available_models  # noqa: PLC0415

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
        from .hub import cached_model  # noqa: PLC0415

        hit = cached_model(name)
    except Exception:  # noqa: BLE001  (a broken cache is reported, not raised)
        hit = None
    return f"{name}: {'cached (loads with no network call)' if hit else 'not cached (a download of several GB on first load)'}"


def _hub_line() -> str:
    """Which hub endpoint answers for the default model (a few seconds at most per endpoint)."""
    from .defaults import default_model  # noqa: PLC0415
    from .hub import probe_endpoints  # noqa: PLC0415

    name = default_model()
    if name in ("tiny", "demo") or os.path.isdir(name):
        return "not needed"
    probes = probe_endpoints(name)
    return "; ".join(f"{url} ({why}): {answer}" for url, why, answer in probes)


def _font_line() -> str:
    from .fonts import font_report  # noqa: PLC0415

    return font_report()


def _translation_line() -> str:
    from .translation import translate  # noqa: PLC0415

    t = translate("把天空换成夜晚")
    return f"把天空换成夜晚 -> {t.text!r} via {t.backend}"


def doctor_lines() -> list[tuple[str, str]]:
    """(label, value) pairs for `python -m ip2p_nb doctor`."""
    info = hardware()
    size = suggest_max_size(info)
    gpu = f"{info['gpu']} ({info['vram_gib']} GiB)" if info["gpu"] else "none: CPU only, an edit takes minutes"
    lines = [("device", info["device"]), ("GPU", gpu), ("CPU cores", str(info["cpus"])),
             ("suggested max_size", str(size))]
    seconds = estimate_seconds(size, 20, info)
    if seconds:
        lines.append(("CPU time per edit", f"about {seconds / 60:.0f} min at max_size {size}, 20 steps"))
    lines += [("model", _model_cache_line()), ("model hub", _hub_line())]
    lines.append(("models", "which fit this machine, which are downloaded (short names for --model):"))
    lines += [(row["name"], _model_line(row)) for row in model_report(info)]
    lines += [("font", _font_line()), ("translation", _translation_line()), ("python / torch", f"{info['python']} / {info['torch']}")]
    return lines
