"""The memory guard: is there room for one more copy of a model, and who already holds one?

Every process that loads a model for the app (a notebook kernel, the shared worker) registers it
with `register_loaded(model, device)`: a small JSON file named after its process id in
`loaded_dir()` (`$IP2P_RUN_DIR`, else a folder in the system temp dir), gone when the process
ends. `check_memory(model, device)` is called before loading: it compares the free GPU memory (on a
CPU: the available RAM) with what one copy needs (`SHARED_DEFAULTS["model_bytes"]`) and, when it
does not fit, raises one sentence that names the other copies already loaded and what to do,
instead of running out of memory in the middle of someone's edit later.
"""
import atexit
import json
import os
import tempfile
from pathlib import Path

from ..defaults import SHARED_DEFAULTS
from ..errors import UserError

__all__ = ["loaded_dir", "register_loaded", "loaded_copies", "free_bytes", "needed_bytes", "check_memory"]


def loaded_dir() -> Path:
    """Where processes that hold a model register it."""
    return Path(os.environ.get("IP2P_RUN_DIR") or Path(tempfile.gettempdir()) / f"ip2p_nb-{os.getuid()}-loaded")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def register_loaded(model: str, device: str, role: str = "kernel") -> Path:
    """Record that this process holds `model` on `device`; the record goes when the process exits."""
    folder = loaded_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{os.getpid()}.json"
    path.write_text(json.dumps({"pid": os.getpid(), "model": model, "device": str(device), "role": role}))
    atexit.register(lambda: path.unlink(missing_ok=True))
    return path


def loaded_copies(exclude_self: bool = True) -> list[dict]:
    """The live processes that registered a loaded model (dead ones' records are removed)."""
    found = []
    folder = loaded_dir()
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            record = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        if not _alive(record.get("pid", -1)):
            path.unlink(missing_ok=True)
        elif not (exclude_self and record["pid"] == os.getpid()):
            found.append(record)
    return found


def free_bytes(device: str) -> int | None:
    """Free memory for a model on `device` ("cuda..." or "cpu"); None where it cannot be told (MPS)."""
    if str(device).startswith("cuda"):
        import torch  # noqa: PLC0415

        return torch.cuda.mem_get_info(torch.device(device))[0]
    if str(device) == "cpu":
        try:
            for line in Path("/proc/meminfo").read_text().splitlines():
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
        except OSError:
            return None
    return None


def needed_bytes(model: str, device: str) -> float:
    """Peak memory of one copy of `model` on `device` (see SHARED_DEFAULTS["model_bytes"])."""
    from .catalogue import find_model  # noqa: PLC0415

    table = SHARED_DEFAULTS["model_bytes"]
    if model in ("tiny", "demo", "tiny-xl"):
        return table["toy"]
    known = find_model(model)
    if known is not None and known.hub_id is not None:   # the catalogue's figure: SDXL needs several times SD 1.5's
        return (known.gpu_gb if str(device).startswith("cuda") else known.cpu_gb) * 1e9
    return table["cuda"] if str(device).startswith("cuda") else table["cpu"]


def check_memory(model: str, device: str, free: int | None = None) -> list[dict]:
    """Raise one sentence when one more copy of `model` does not fit on `device`; else the other copies loaded."""
    others = loaded_copies()
    free = free_bytes(device) if free is None else free
    need = needed_bytes(model, device)
    if free is None or free >= need:
        return others
    where = "GPU memory" if str(device).startswith("cuda") else "memory (RAM)"
    held = ""
    if others:
        names = ", ".join(f"{o['model']} in process {o['pid']} ({o['role']})" for o in others)
        held = f" because {len(others)} other cop{'ies' if len(others) > 1 else 'y'} of a model {'are' if len(others) > 1 else 'is'} already loaded ({names})"
    raise UserError(f"Not enough free {where} to load {model}: it needs about {need / 1e9:.1f} GB and only "
                    f"{free / 1e9:.1f} GB are free{held}; close the other notebooks or pages that hold a model, or "
                    "serve the app with `python -m ip2p_nb app --shared` so that every page uses one copy.")
