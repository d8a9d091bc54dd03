"""What an edit on a CPU defaults to: the sampler, steps and feature reuse of `defaults.CPU_DEFAULTS`.

`load_editor` applies them to a full-size model on a CPU (the toy `tiny` and `demo` models stay
exact: they take a second anyway, and tests compare their pixels with diffusers'), so that
`editor.edit(photo, instruction)` with no other settings runs the CPU's choice; the command line
and the app start from the editor's values. A settings argument given to `edit` still wins.
"""
import torch

from ..defaults import CPU_DEFAULTS, DEFAULT_SCHEDULER
from ..models.loading import scheduler_name, set_scheduler
from ..models.speed import cpu_threads

__all__ = ["apply_cpu_defaults"]


def apply_cpu_defaults(editor, keep_sampler: bool = False, notify=lambda _text: None) -> dict:
    """Set `editor`'s default sampler, steps and cache_interval and torch's threads to the CPU's; returns what was set.

    The sampler and steps go together (the steps were measured for that sampler): they change only
    when the editor samples with the general default ("Euler a") and `keep_sampler` is False; a
    sampler the user chose, or a model's own (CosXL's EDM Euler, SDXL's), keeps its steps. Feature
    reuse applies in every case. On OpenVINO with `nncf` installed, the UNet becomes the 8-bit graph of
    `CPU_DEFAULTS["unet"]` when that is not "float" (models/quantize.py; made once per model, `notify` says so).
    """
    done = dict(cache_interval=CPU_DEFAULTS["cache_interval"], threads=cpu_threads())
    torch.set_num_threads(done["threads"])   # OpenVINO takes the same count (runtime.use_openvino)
    editor.default_cache_interval = CPU_DEFAULTS["cache_interval"]
    if not keep_sampler and scheduler_name(editor.pipe.scheduler) == DEFAULT_SCHEDULER:
        set_scheduler(editor.pipe, CPU_DEFAULTS["scheduler"])
        editor.default_steps = CPU_DEFAULTS["steps"]
        done.update(scheduler=CPU_DEFAULTS["scheduler"], steps=CPU_DEFAULTS["steps"])
    recipe = CPU_DEFAULTS["unet"]
    if recipe != "float" and getattr(editor.pipe.unet, "runtime", "torch") == "openvino":
        from ..models.quantize import nncf_available, use_int8  # noqa: PLC0415

        if nncf_available():
            done["unet"] = use_int8(editor.pipe, recipe, notify=notify)["recipe"]
    return done
