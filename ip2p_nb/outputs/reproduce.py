"""Make a picture again from its PNG metadata: `edit --like PICTURE.png`.

`like_settings(path)` reads what `save_png` wrote (outputs/metadata.py) as the command line's option names;
`torch_threads(n)` runs a block with torch's CPU thread count set to `n` and restores it after.
On a CPU the same seed and settings give the same bytes only with the same thread count (the sums in
the model's layers are split between threads, and floating-point addition is not associative), which
`accelerate launch` (OMP_NUM_THREADS=1) and a notebook kernel may set differently; the PNG records
the count, and `--like` reproduces it. What still differs: another CPU type or instruction set,
another torch version, and a GPU (its kernels are not bit-reproducible across cards or drivers).
"""
from contextlib import contextmanager

from ..errors import UserError
from .metadata import read_png_settings

__all__ = ["like_settings", "torch_threads"]

# PNG settings -> the command line's option names
_OPTIONS = {"seed": "seed", "steps": "steps", "image_guidance": "image_guidance", "text_guidance": "text_guidance",
            "sampler": "scheduler", "model": "model", "cache_interval": "cache_interval", "threads": "threads",
            "max_size": "max_size", "region": "region"}


def like_settings(path) -> dict:
    """The settings a picture was made with, by option name (seed, steps, scheduler, model, threads, ...)."""
    found = read_png_settings(path)
    if "seed" not in found:
        raise UserError(f"{str(path)!r} has no edit settings in its metadata (no seed); give a PNG written by ip2p_nb.")
    out = {option: found[key] for key, option in _OPTIONS.items() if found.get(key) not in (None, "")}
    if "max_size" not in out and "size" in found and "region" not in found:
        try:
            out["max_size"] = max(int(v) for v in str(found["size"]).split("x"))
        except ValueError:
            pass
    if isinstance(out.get("region"), tuple):
        out["region"] = ",".join(str(v) for v in out["region"])
    out["prompt"], out["instruction"] = found.get("prompt"), found.get("instruction")
    return out


@contextmanager
def torch_threads(n):
    """Run the block with `torch.set_num_threads(n)` (None: unchanged); the previous count is restored after."""
    import torch  # noqa: PLC0415

    before = torch.get_num_threads()
    if n is not None and int(n) != before:
        if int(n) < 1:
            raise UserError(f"The thread count must be at least 1, but got {n}.")
        torch.set_num_threads(int(n))
    try:
        yield
    finally:
        if torch.get_num_threads() != before:
            torch.set_num_threads(before)
