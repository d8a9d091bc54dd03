"""What the commands share: the model option and its defaults, the edit options of `edit`/`batch`/`explore`,
the progress bars on stderr, and the checks made before a model loads."""
import argparse
import sys
from pathlib import Path

from ..defaults import CPU_DEFAULTS, DEFAULTS, HINTS, RANGES, check_settings
from ..errors import UserError

def _model_names() -> str:
    from ..models.catalogue import model_names  # noqa: PLC0415  (a data module: no torch)

    return ", ".join(model_names())


MODEL_HELP = (f"a short name ({_model_names()}; see `doctor` and the README's Models table), a hub id or a local "
               "folder (default: $IP2P_MODEL or instruct-pix2pix)")



def fill_model_defaults(args) -> None:
    """Settings the user did not give take the model's own defaults (defaults.MODEL_DEFAULTS), else the general ones."""
    from ..defaults import model_defaults  # noqa: PLC0415

    own = model_defaults(args.model)
    args.steps_given = args.steps is not None   # else the loaded editor's steps (load_editor_for): a CPU's are fewer
    for name in ("image_guidance", "text_guidance", "steps"):
        if getattr(args, name) is None:
            setattr(args, name, getattr(own, name) if own else DEFAULTS[name])
    if args.max_size is None and own is not None:
        args.max_size = own.max_size


def edit_options(p: argparse.ArgumentParser) -> None:
    """Options shared by `edit` and `explore`."""
    p.add_argument("--model", default=None, metavar="NAME", help=MODEL_HELP)
    p.add_argument("--seed", type=int, default=None, help=f"{RANGES['seed'][0]}-{RANGES['seed'][1]}; random when omitted ({HINTS['seed']})")
    p.add_argument("--image-guidance", type=float, default=None,
                   help=f"{RANGES['image_guidance']}, default the model's ({DEFAULTS['image_guidance']} for SD 1.5): {HINTS['image_guidance']}")
    p.add_argument("--text-guidance", type=float, default=None,
                   help=f"{RANGES['text_guidance']}, default the model's ({DEFAULTS['text_guidance']} for SD 1.5): {HINTS['text_guidance']}")
    p.add_argument("--steps", type=int, default=None, help=f"{RANGES['steps']}, default the model's ({DEFAULTS['steps']} for SD 1.5; on a CPU "
                        f"{CPU_DEFAULTS['steps']} with {CPU_DEFAULTS['scheduler']}): {HINTS['steps']}")
    p.add_argument("--max-size", type=int, default=None,
                   help=f"{RANGES['max_size']}, default the model's ({DEFAULTS['max_size']} for SD 1.5, 768 or 1024 for SDXL, 64 for demo): {HINTS['max_size']}")
    p.add_argument("--english", default=None, help="the English prompt to use instead of translating the instruction")
    p.add_argument("--device", default=None, help="cuda, mps or cpu (default: the best available)")
    p.add_argument("--dtype", default=None, help="float16, bfloat16 or float32 (default: float16 on CUDA, bfloat16 on CPUs that have it)")
    p.add_argument("--scheduler", default=None, metavar="NAME",
                   help=f"the sampler, by its SD web UI name: 'Euler a' (default; on a CPU {CPU_DEFAULTS['scheduler']!r}), "
                        "'DPM++ 2M Karras', 'DDIM', 'UniPC', ...")
    p.add_argument("--runtime", default=None, choices=("torch", "openvino"),
                   help="what runs the model: openvino is ~0.7x of torch's time on a CPU (default: openvino on a CPU where "
                        "it is installed, else torch)")
    p.add_argument("--unet", default=None, choices=("auto", "float", "int8", "int8-hybrid", "int8-weights"),
                   help="on OpenVINO with the nncf package: the UNet in 8 bits (int8: static, int8-hybrid: weights "
                        "and attention, int8-weights: weights only, for a machine short of memory), made once per model; "
                        "float turns 8 bits off; auto: int8 where the CPU has 8-bit dot products (VNNI, AMX), said with "
                        f"its reason (default: {CPU_DEFAULTS['unet']} on a CPU)")
    p.add_argument("--cache-interval", type=int, default=None, metavar="N",
                   help=f"{RANGES['cache_interval']}: run the UNet's deep layers every N steps and reuse them between; "
                        f"faster, slightly different (default: {CPU_DEFAULTS['cache_interval']} on a CPU, 1 on a GPU and for demo/tiny)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")




class Bar:
    """A tqdm bar on stderr fed by the library's `progress(done, total)` callbacks; silent with --quiet."""

    def __init__(self, total: int, desc: str, quiet: bool):
        from tqdm.auto import tqdm  # noqa: PLC0415

        # disable=None: no bar when stderr is not a terminal (a log file, a test), so errors stay one line
        self.bar = tqdm(total=total, desc=desc, unit="step", disable=True if quiet else None, file=sys.stderr, leave=False,
                        bar_format="{desc} {bar} {n_fmt}/{total_fmt} steps [{elapsed}<{remaining}{postfix}]")
        self.base = 0

    def callback(self, done: int, _total: int) -> None:
        self.bar.update(self.base + done - self.bar.n)

    def next_item(self, steps: int) -> None:
        self.base += steps

    def close(self) -> None:
        self.bar.close()


class DownloadBar:
    """A tqdm bar in MB on stderr for a first model download; drawn only once bytes arrive (never for a cached model)."""

    def __init__(self, quiet: bool):
        self.quiet, self.bar = quiet, None

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            from tqdm.auto import tqdm  # noqa: PLC0415

            self.bar = tqdm(total=total, desc="downloading the model", unit="B", unit_scale=True, unit_divisor=1000,
                            disable=True if self.quiet else None, file=sys.stderr, leave=False)
        self.bar.update(done - self.bar.n)
        if done >= total:
            self.bar.close()



def check_before_loading(args, images, instruction=None) -> None:
    """Refuse bad settings, instructions, missing inputs and output folders at once, not after a long model load."""
    from ..defaults import check_settings  # noqa: PLC0415
    from ..editing.editor import check_instruction  # noqa: PLC0415
    from ..models.loading import check_scheduler  # noqa: PLC0415

    if args.scheduler is not None:
        check_scheduler(args.scheduler)
    if instruction is not None or not getattr(args, "vary", None):
        check_instruction(instruction)

    widest = {"max_size": (64, RANGES["max_size"][1])}  # the demo model's range; the editor checks the model's own
    sizes = {} if args.max_size is None else {"max_size": args.max_size}
    check_settings(widest, image_guidance=args.image_guidance, text_guidance=args.text_guidance, steps=args.steps,
                   seed=args.seed, **sizes)
    for image in images:
        if "://" not in image and not Path(image).is_file():
            raise UserError(f"There is no file at {image!r}; check the path and try again.")




def make_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise UserError(f"Could not create the output folder {str(folder)!r} ({e.strerror}); choose another output path.") from None


def print_notes(notes) -> None:
    for note in notes:
        print(f"note: {note}", file=sys.stderr)



def load_editor_for(args, **options):
    """`load_editor` with the command's --model, --runtime and --cache-interval (checked before loading)."""
    from .. import load_editor  # noqa: PLC0415

    interval = args.cache_interval
    if interval is not None:
        interval = check_settings(cache_interval=interval)["cache_interval"]
    editor = load_editor(args.model, runtime=args.runtime, unet=getattr(args, "unet", None), **options)
    if interval is not None:
        editor.default_cache_interval = interval
    if not getattr(args, "steps_given", True):
        args.steps = editor.default_steps   # the model's, or on a CPU the CPU sampler's (editing/cpu.py)
    return editor

