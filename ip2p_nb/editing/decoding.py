"""The last step of an edit and the memory it takes: latents to pictures, tiles when memory is short,
and running out of memory said as one sentence with a smaller size to try.

- `needs_vae_tiling` / `vae_tiling`: encode and decode in tiles only when the whole picture would not fit.
- `decode`: the NaN check, the VAE (conditioning.decode), the safety checker where the pipeline has
  one, PIL pictures, and a note when a picture came out completely black.
- `OutOfMemory` / `out_of_memory`: the error the editor raises after freeing its caches.
"""
from contextlib import contextmanager

import torch

from ..errors import OutOfMemory, UserError
from . import conditioning

__all__ = ["VAE_BYTES_1024", "OutOfMemory", "needs_vae_tiling", "vae_tiling", "decode", "next_max_size", "out_of_memory"]

# Extra GPU memory of a whole (untiled) fp16 VAE decode of one 1024x1024 picture (docs/GPU.md: 4.5 GB peak
# minus 2.06 GB of weights).
VAE_BYTES_1024 = 2.5e9


def needs_vae_tiling(pipe, size, batch: int) -> bool:
    """Whether to encode and decode in tiles: only when the whole picture would not fit comfortably.

    On CUDA, from the free memory: a whole fp16 decode of a 1024x1024 picture needs about 2.5 GB
    (measured on an H100, docs/GPU.md), scaling with pixels, batch and bytes per number; tiling costs
    ~10% more time there and changes pixels slightly, so it is used only when memory is short. On a
    CPU or MPS memory is shared with everything else: tile above 768 px, which keeps memory flat.
    """
    if pipe.vae.device.type != "cuda":
        return max(size) > 768
    need = VAE_BYTES_1024 * size[0] * size[1] / 1024**2 * batch * conditioning.vae_itemsize(pipe) / 2
    free, _ = torch.cuda.mem_get_info(pipe.vae.device)
    free += torch.cuda.memory_reserved(pipe.vae.device) - torch.cuda.memory_allocated(pipe.vae.device)
    return need > 0.8 * free


def _set_vae_tiling(pipe, on: bool) -> None:
    if on:
        pipe.vae.enable_tiling()
    else:
        pipe.vae.disable_tiling()


@contextmanager
def vae_tiling(pipe, on: bool):
    """The VAE tiled (or not) for one run; the caller's own setting is restored afterwards."""
    before = getattr(pipe.vae, "use_tiling", False)
    try:
        _set_vae_tiling(pipe, on)
        yield
    finally:
        _set_vae_tiling(pipe, before)


def decode(pipe, latents, dtype, notes: list) -> list:
    """PIL pictures of the final latents; the safety checker's and an all-black picture's notes go to `notes`."""
    if not torch.isfinite(latents).all():
        raise UserError("The model produced invalid numbers (NaN), usually a float16 overflow; try another seed, "
                        "or load the model with dtype=torch.float32.")
    pixels = conditioning.decode(pipe, latents)
    flagged = None  # SDXL pipelines have no safety checker
    if hasattr(pipe, "run_safety_checker"):
        pixels, flagged = pipe.run_safety_checker(pixels, pipe._execution_device, dtype)
    if flagged is not None and any(flagged):
        notes.append("The safety checker flagged the result and blacked it out; try another instruction or seed.")
    denormalize = [True] * pixels.shape[0] if flagged is None else [not f for f in flagged]
    images = pipe.image_processor.postprocess(pixels, output_type="pil", do_denormalize=denormalize)
    if flagged is None and all(im.getextrema() == ((0, 0), (0, 0), (0, 0)) for im in images):
        notes.append("The result is completely black; try another seed or lower the text guidance.")
    return images


def next_max_size(max_size: int) -> int:
    """The size to suggest after running out of memory: about 3/4 of the area lost, on a 64 px step."""
    return max(256, (int(max_size * 0.75) // 64) * 64)


def out_of_memory(max_size: int) -> OutOfMemory:
    """The error for running out of GPU memory at `max_size` (the setting the user chose), memory already freed."""
    smaller = next_max_size(max_size)
    if smaller >= max_size:  # already the smallest size: a smaller image will not help
        return OutOfMemory(f"The GPU ran out of memory even at the smallest max_size ({max_size}); memory was freed: "
                           "close other notebooks or programs using the GPU, then try again.", smaller)
    return OutOfMemory(f"The GPU ran out of memory at max_size {max_size}; memory was freed, try max_size {smaller}.", smaller)
