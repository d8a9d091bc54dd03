"""`load_editor()`: an InstructPix2Pix model for this machine, wrapped in an `Editor` (ip2p_nb/editing/editor.py).

It picks the device, dtype and runtime, loads the pipeline (models/loading.py), puts a catalogue model's own
size and steps on the editor, and on a CPU the CPU's defaults and the faster engine (editing/cpu.py).
"""
import warnings

from ..defaults import default_model, model_defaults
from ..errors import Notice, UserError
from ..models.loading import load_pipeline, pick_device_dtype
from .cpu import apply_cpu_defaults, prepare_engine
from .editor import Editor

__all__ = ["load_editor"]


def _announce(text: str) -> None:
    warnings.warn(text, Notice, stacklevel=4)


def load_editor(model: str | None = None, device=None, dtype=None, scheduler: str | None = None,
                download_progress=None, notify=None, runtime: str | None = None, unet: str | None = None,
                background: bool | None = None) -> Editor:
    """Load an InstructPix2Pix model and wrap it in an `Editor`.

    `model`: a hub id (default `timbrooks/instruct-pix2pix`, or `$IP2P_MODEL`), a local directory,
    `demo` (the toy model trained in this repo) or `tiny` (random weights, for offline dry runs).
    `device`: CUDA, then Apple MPS, then CPU when not given. `dtype`: float16 on CUDA; on a CPU bfloat16
    where it is native (about twice as fast; `tiny` and `demo` stay float32), else float32.
    `scheduler`: a sampler by its SD web UI name (`available_schedulers()`); default "Euler a".
    `download_progress(done_bytes, total_bytes)` follows a first download from the hub; `notify(text)` gets its
    one-line announcements (endpoint, files and size; default: a `Notice` warning).
    `runtime`: "torch" or "openvino" (ip2p_nb/models/runtime.py); None picks OpenVINO on a CPU where it is installed
    (converted once per model, about a minute, then kept on disk), torch on GPUs and for the toy models.
    A full-size model on a CPU gets the CPU defaults (defaults.CPU_DEFAULTS: sampler, steps, feature reuse; editing/cpu.py)
    unless `scheduler` is given, which keeps that sampler; `edit()` without settings then uses them.
    `unet`: the UNet graph on OpenVINO, "float", an 8-bit recipe (models/quantize.RECIPES) or "auto" (None: the CPU
    default, `CPU_DEFAULTS["unet"]`: "auto" picks 8 bits by the CPU's flags, speed.pick_unet, and says why).
    `background`: make what OpenVINO needs (conversion, 8-bit UNet) in the background while the editor edits on torch,
    swapping it in at the start of a later edit (`editor.engine_status` says how far it is; models/prepare.py);
    None: in the background when OpenVINO was chosen for you, now when `runtime="openvino"` was asked for.
    """
    from ..models.quantize import RECIPES  # noqa: PLC0415
    from ..models.runtime import heavy, pick_runtime, supports_openvino, use_openvino  # noqa: PLC0415

    if unet not in (None, "auto", "float", *RECIPES):
        raise UserError(f"Unknown UNet graph {unet!r}; use one of {['auto', 'float', *RECIPES]}.")
    name = model or default_model()
    device, dtype = pick_device_dtype(device, dtype, name)
    asked, runtime = runtime, pick_runtime(runtime, device, name)  # a bad choice fails before anything is loaded
    if unet in RECIPES and runtime != "openvino":
        raise UserError(f"The 8-bit UNet ({unet}) runs on OpenVINO, but this model runs on {runtime}; add runtime "
                        "\"openvino\" (--runtime openvino) on a CPU, or leave the UNet in float.")
    pipe = load_pipeline(name, device, dtype, scheduler=scheduler, progress=download_progress, notify=notify)
    full_size_cpu = device.type == "cpu" and heavy(pipe)  # the toy models take a second anyway: kept exact
    on_openvino = runtime == "openvino" and (asked or (full_size_cpu and supports_openvino(pipe)))  # chosen for you: where it helps
    background = (asked is None) if background is None else background
    if on_openvino and not background:
        use_openvino(pipe, notify=notify or _announce)
    editor = Editor(pipe, model_name=name)
    own = model_defaults(name)  # a catalogue model's own size (SDXL 768: 768 px; defaults.MODEL_DEFAULTS has the reasons)
    if own is not None:
        editor.size_range, editor.default_max_size, editor.default_steps = tuple(own.size_range), own.max_size, own.steps
    if full_size_cpu:
        apply_cpu_defaults(editor, keep_sampler=scheduler is not None, notify=notify or _announce, unet=unet,
                           prepare=on_openvino and background)
    elif on_openvino:   # a toy model on OpenVINO because it was asked for: the UNet graph only when asked too
        recipe = "float" if unet in (None, "auto") else unet
        if background:
            prepare_engine(editor, recipe, "asked for", notify or _announce)
        elif recipe != "float":
            from ..models.quantize import use_int8  # noqa: PLC0415

            use_int8(pipe, recipe, notify=notify or _announce)
    return editor
