"""What an edit on a CPU defaults to: the sampler, steps and feature reuse of `defaults.CPU_DEFAULTS`, and the UNet graph.

`load_editor` applies them to a full-size model on a CPU (the toy `tiny` and `demo` models stay
exact: they take a second anyway, and tests compare their pixels with diffusers'), so that
`editor.edit(photo, instruction)` with no other settings runs the CPU's choice; the command line
and the app start from the editor's values. A settings argument given to `edit` still wins.
The UNet graph ("auto": `speed.pick_unet` from the CPU's flags) is said with its reason through `notify`.
"""
import torch

from ..defaults import CPU_DEFAULTS, DEFAULT_SCHEDULER
from ..models.loading import scheduler_name, set_scheduler
from ..models.speed import cpu_threads, pick_unet

__all__ = ["apply_cpu_defaults", "choose_unet", "prepare_engine"]


def choose_unet(unet: str | None = None) -> tuple:
    """(recipe, reason) for `unet` ("float", an 8-bit recipe, "auto"; None: `CPU_DEFAULTS["unet"]`)."""
    unet = unet or CPU_DEFAULTS["unet"]
    if unet == "auto":
        return pick_unet()
    return unet, "chosen" if unet != CPU_DEFAULTS["unet"] else "the CPU default"


def apply_cpu_defaults(editor, keep_sampler: bool = False, notify=lambda _text: None, unet: str | None = None,
                       prepare: bool = False) -> dict:
    """Set `editor`'s default sampler, steps and cache_interval and torch's threads to the CPU's; returns what was set.

    The sampler and steps go together (the steps were measured for that sampler): they change only
    when the editor samples with the general default ("Euler a") and `keep_sampler` is False; a
    sampler the user chose, or a model's own (CosXL's EDM Euler, SDXL's), keeps its steps. Feature
    reuse applies in every case. The UNet graph (`unet`, see `choose_unet`) is said with its reason. With
    `prepare`, OpenVINO (and that graph) is made in the background (models/prepare.py) while the editor edits on
    torch, and swapped in at the start of a later edit; otherwise, on a UNet already on OpenVINO, the 8-bit
    graph is made now (models/quantize.py, in a child process; once per model).
    """
    done = dict(cache_interval=CPU_DEFAULTS["cache_interval"], threads=cpu_threads())
    torch.set_num_threads(done["threads"])   # OpenVINO takes the same count (runtime.use_openvino)
    editor.default_cache_interval = CPU_DEFAULTS["cache_interval"]
    if not keep_sampler and scheduler_name(editor.pipe.scheduler) == DEFAULT_SCHEDULER:
        set_scheduler(editor.pipe, CPU_DEFAULTS["scheduler"])
        editor.default_steps = CPU_DEFAULTS["steps"]
        done.update(scheduler=CPU_DEFAULTS["scheduler"], steps=CPU_DEFAULTS["steps"])
    recipe, reason = choose_unet(unet)
    done["unet"] = recipe
    if prepare:
        prepare_engine(editor, recipe, reason, notify)
    elif recipe != "float" and getattr(editor.pipe.unet, "runtime", "torch") == "openvino":
        from ..models.quantize import nncf_available, use_int8  # noqa: PLC0415

        notify(f"UNet: {recipe} ({reason}).")
        if nncf_available():
            use_int8(editor.pipe, recipe, notify=notify)
    return done


def prepare_engine(editor, recipe: str, reason: str, notify) -> None:
    """OpenVINO and the UNet graph now when both are on disk, else in the background (models/prepare.py)."""
    from ..models.prepare import Preparer, prepared  # noqa: PLC0415
    from ..models.runtime import ir_folder, use_openvino  # noqa: PLC0415

    pipe = editor.pipe
    notify(f"UNet: {recipe} on OpenVINO ({reason}; `--unet float` / unet=\"float\" turns 8 bits off)." if recipe != "float"
           else f"UNet: float on OpenVINO ({reason}).")
    folder = ir_folder(pipe)
    if prepared(folder, recipe):   # made by an earlier run: reading it takes a second
        use_openvino(pipe, notify=notify, folder=folder)
        if recipe != "float":
            from ..models.quantize import use_int8  # noqa: PLC0415

            use_int8(pipe, recipe, notify=notify)
        return
    editor.preparer = Preparer(pipe, editor.model_name, pipe.unet.dtype, recipe, notify).start()
    notify(editor.preparer.status)
