"""The command line: `python -m ip2p_nb COMMAND ...` (also the console script `ip2p-nb`).

One argparse parser with a sub-command per job and one handler function per sub-command
(`cmd_<name>`): the handler calls the public library API, which returns data and never prints,
and prints one line per result. Long jobs show a tqdm progress bar with the time left on
stderr. Every user mistake ends with one line on stderr and exit code 2; tracebacks only with
`--debug`.
"""
import argparse
import json
import os
import signal
import subprocess
import sys
import warnings
from pathlib import Path

from .defaults import BATCH_DEFAULTS, BENCH_DEFAULTS, CPU_DEFAULTS, DEFAULTS, HINTS, RANGES, check_settings
from .errors import Notice, SettingError, UserError

__all__ = ["main"]


# ---- 1. the parser -------------------------------------------------------------------------------
def _model_names() -> str:
    from .models import model_names  # noqa: PLC0415  (a data module: no torch)

    return ", ".join(model_names())


_MODEL_HELP = (f"a short name ({_model_names()}; see `doctor` and the README's Models table), a hub id or a local "
               "folder (default: $IP2P_MODEL or instruct-pix2pix)")


def _fill_model_defaults(args) -> None:
    """Settings the user did not give take the model's own defaults (defaults.MODEL_DEFAULTS), else the general ones."""
    from .defaults import model_defaults  # noqa: PLC0415

    own = model_defaults(args.model)
    for name in ("image_guidance", "text_guidance", "steps"):
        if getattr(args, name) is None:
            setattr(args, name, getattr(own, name) if own else DEFAULTS[name])
    if args.max_size is None and own is not None:
        args.max_size = own.max_size


def _edit_options(p: argparse.ArgumentParser) -> None:
    """Options shared by `edit` and `explore`."""
    p.add_argument("--model", default=None, metavar="NAME", help=_MODEL_HELP)
    p.add_argument("--seed", type=int, default=None, help=f"{RANGES['seed'][0]}-{RANGES['seed'][1]}; random when omitted ({HINTS['seed']})")
    p.add_argument("--image-guidance", type=float, default=None,
                   help=f"{RANGES['image_guidance']}, default the model's ({DEFAULTS['image_guidance']} for SD 1.5): {HINTS['image_guidance']}")
    p.add_argument("--text-guidance", type=float, default=None,
                   help=f"{RANGES['text_guidance']}, default the model's ({DEFAULTS['text_guidance']} for SD 1.5): {HINTS['text_guidance']}")
    p.add_argument("--steps", type=int, default=None, help=f"{RANGES['steps']}, default the model's ({DEFAULTS['steps']} for SD 1.5): {HINTS['steps']}")
    p.add_argument("--max-size", type=int, default=None,
                   help=f"{RANGES['max_size']}, default the model's ({DEFAULTS['max_size']} for SD 1.5, 768 or 1024 for SDXL, 64 for demo): {HINTS['max_size']}")
    p.add_argument("--english", default=None, help="the English prompt to use instead of translating the instruction")
    p.add_argument("--device", default=None, help="cuda, mps or cpu (default: the best available)")
    p.add_argument("--dtype", default=None, help="float16, bfloat16 or float32 (default: float16 on CUDA, bfloat16 on CPUs that have it)")
    p.add_argument("--scheduler", default=None, metavar="NAME",
                   help="the sampler, by its SD web UI name: 'Euler a' (default), 'DPM++ 2M Karras', 'DDIM', 'UniPC', ...")
    p.add_argument("--runtime", default=None, choices=("torch", "openvino"),
                   help="what runs the model: openvino is ~0.7x of torch's time on a CPU (default: openvino on a CPU where "
                        "it is installed, else torch)")
    p.add_argument("--cache-interval", type=int, default=None, metavar="N",
                   help=f"{RANGES['cache_interval']}: run the UNet's deep layers every N steps and reuse them between; "
                        f"faster, slightly different (default: {CPU_DEFAULTS['cache_interval']} on a CPU, 1 on a GPU and for demo/tiny)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def _add_edit(sub) -> None:
    p = sub.add_parser("edit", help="edit one or several images")
    p.add_argument("images", nargs="+", metavar="IMAGE")
    p.add_argument("instruction", metavar="INSTRUCTION", help='what to change, e.g. "make it snowy" or "把天空换成夜晚"')
    p.add_argument("-o", "--output", default=None, help="output PNG file, or a folder (default: IMAGE_edited.png here)")
    p.add_argument("--poster", default=None, metavar="PATH", help="also write a before/after poster here")
    p.add_argument("--mask", default=None, metavar="MASK.png",
                   help="edit only where the mask is white (black is kept); the result keeps the photo's full size")
    p.add_argument("--region", default=None, metavar="X0,Y0,X1,Y1",
                   help="edit only this box of the photo (pixels), at the model's full resolution, pasted back into the "
                        "full-size photo; 'auto' = the mask's bounding box plus a margin")
    _edit_options(p)


def _add_batch(sub) -> None:
    p = sub.add_parser("batch", help="edit a folder, glob or CSV/JSONL manifest of photos; resumable; runs under accelerate launch",
                       epilog="Seeds: without --seed each photo's seed comes from 0 and its path, with --seed S from S and "
                              "its path, so reruns and any number of processes give the same pictures; --same-seed uses S "
                              "itself for every photo. Under `accelerate launch --multi_gpu --num_processes N -m ip2p_nb batch "
                              "...` the photos are split across the processes (see README, Many photos).")
    p.add_argument("input", metavar="INPUT", help="a folder (searched recursively), a glob such as 'photos/*.jpg', or a .csv/.jsonl manifest")
    p.add_argument("instruction", metavar="INSTRUCTION", nargs="?", default=None,
                   help="what to change; optional with a manifest that has an `instruction` column")
    p.add_argument("-o", "--output", required=True, metavar="OUT_DIR", help="output folder; mirrors the input's folders; holds batch-log.jsonl")
    p.add_argument("--force", action="store_true", help="redo items whose output already exists with the same settings")
    p.add_argument("--same-seed", action="store_true", help="the same seed on every photo (video frames); --seed sets it (default 0)")
    p.add_argument("--variants", type=int, default=1, help="outputs per photo, each with its own seed (NAME_v1.png, ...)")
    p.add_argument("--seed-batch", type=int, default=BATCH_DEFAULTS["seed_batch"],
                   help="seeds of one photo denoised as one UNet batch (1 = off)")
    _edit_options(p)


def _add_explore(sub) -> None:
    p = sub.add_parser("explore", help="a labelled grid of variations (guidance, seeds, steps, phrasings)")
    p.add_argument("image", metavar="IMAGE")
    p.add_argument("instruction", metavar="INSTRUCTION", nargs="?", default=None,
                   help="what to change; leave out when varying the instruction")
    p.add_argument("--vary", action="append", required=True, metavar="AXIS=V1,V2,...",
                   help="image-guidance, text-guidance, seed or steps with comma-separated values, or "
                        "instruction with values separated by |; once or twice (across, then down)")
    p.add_argument("-o", "--output", default=None, help="output PNG (default: IMAGE_grid.png here)")
    _edit_options(p)


def _add_poster(sub) -> None:
    p = sub.add_parser("poster", help="compose a before/after poster from two images")
    p.add_argument("original")
    p.add_argument("edited")
    p.add_argument("--instruction", default=None, help="the instruction as typed (default: read from the edited PNG's metadata)")
    p.add_argument("--prompt", default=None, help="the English prompt (default: read from the edited PNG's metadata)")
    p.add_argument("--title", default=None)
    p.add_argument("-o", "--output", default="poster.png")
    for option, kind in (("--seed", int), ("--image-guidance", float), ("--text-guidance", float), ("--steps", int)):
        p.add_argument(option, type=kind, default=None, help="shown in the settings line (default: from the metadata)")
    p.add_argument("--model", default=None, help="shown in the settings line (default: from the metadata)")
    p.add_argument("--date", default=None, help="date shown on the poster (default: today; '' for none)")


def _guidance_pair(text: str) -> tuple[float, float]:
    """'1.5' -> (1.5, 7.5); '5:5' -> (5.0, 5.0)."""
    try:
        parts = [float(x) for x in text.split(":")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number or two numbers as S_I:S_T, got {text!r}") from None
    if len(parts) > 2:
        raise argparse.ArgumentTypeError(f"expected S_I or S_I:S_T, got {text!r}")
    return (parts[0], parts[1] if len(parts) == 2 else DEFAULTS["text_guidance"])


def _add_bench(sub) -> None:
    d = BENCH_DEFAULTS
    p = sub.add_parser("bench", help="time the editor against plain diffusers")
    p.add_argument("--pipeline", default=d["pipeline"], help="tiny, fullsize (SD 1.5 shapes, random weights), demo, or a model id/folder")
    p.add_argument("--size", type=int, default=None, help=f"longest side in pixels (max_size; default {d['size']}, with --cpu 256 and 512)")
    p.add_argument("--steps", type=int, default=None, help=f"default {d['steps']}, with --cpu 20")
    p.add_argument("--repeats", type=int, default=d["repeats"], help="interleaved runs per contestant (medians)")
    p.add_argument("--image-guidance", type=_guidance_pair, nargs="+", default=d["guidance"], metavar="S_I[:S_T]",
                   help="settings to time: image guidance, optionally :text guidance (default 7.5); default 1.5 1.0 5:5")
    p.add_argument("--dtype", nargs="+", default=None, help="default: float32 bfloat16 on a CPU, float16 on CUDA")
    p.add_argument("--device", default=None, help="cuda, mps or cpu (default: the best available)")
    p.add_argument("--components", action="store_true", help="time each part of an edit (UNet per batch, VAE, text) instead")
    p.add_argument("--agreement", action="store_true", help="compare the dtypes' pixels on the trained demo model instead")
    p.add_argument("--preview", action="store_true", help="time live previews against the edit instead (first --dtype; try --pipeline fullsize)")
    p.add_argument("--cpu", action="store_true",
                   help="a CPU user's wait instead: full-size model end to end, torch and OpenVINO, with and without reuse, each "
                        "in a fresh process, at 256 and 512 px (or --size); about 30 min on 2 cores")
    p.add_argument("--reuse-quality", action="store_true",
                   help="what feature reuse and OpenVINO do to the pictures, on the trained demo model, instead")
    p.add_argument("--json", action="store_true", help="print the full report as JSON (default: a Markdown table)")


def _add_train(sub) -> None:
    p = sub.add_parser("train", help="train or evaluate a model (see docs/TRAINING.md)")
    p.add_argument("--pretrained", default="demo",
                   help="Stable Diffusion checkpoint (hub id or local folder, safetensors), or `demo`/`tiny` to start from scratch")
    p.add_argument("--data", default="scenes", help="`scenes` (synthetic), a folder with metadata.jsonl, or hub:NAME for a `datasets` dataset")
    p.add_argument("--output-dir", default=None, help="default: ip2p-train")
    for option, kind in (("--resolution", int), ("--batch-size", int), ("--grad-accum", int), ("--max-steps", int),
                         ("--lr", float), ("--warmup-steps", int), ("--ema-decay", float), ("--checkpoint-every", int),
                         ("--validate-every", int), ("--seed", int)):
        p.add_argument(option, type=kind, default=None, help="default: TrainConfig's (docs/TRAINING.md)")
    p.add_argument("--max-minutes", type=float, default=0, help="stop after this much wall time (0 = no limit)")
    p.add_argument("--mixed-precision", choices=["no", "fp16", "bf16"], default=None)
    p.add_argument("--train-text-encoder", action="store_true")
    p.add_argument("--resume", default=None, help="`latest` or a checkpoint folder")
    p.add_argument("--vae-minutes", type=float, default=0, help="with --pretrained demo: first train the autoencoder this long (it starts random)")
    p.add_argument("--evaluate", metavar="MODEL", default=None,
                   help="instead of training: measure MODEL (a pipeline folder) on held-out scenes and print a table")


def _with_parent(add_parser, parent):
    def add(name, **kwargs):
        return add_parser(name, parents=[parent], **kwargs)
    return add


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m ip2p_nb", description="InstructPix2Pix image editing, in Chinese or English.")
    parser.add_argument("--debug", action="store_true", help="show full tracebacks")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    debug = argparse.ArgumentParser(add_help=False)  # `--debug` also after the command
    debug.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help="show full tracebacks")
    sub.add_parser = _with_parent(sub.add_parser, debug)
    _add_edit(sub)
    _add_batch(sub)
    p = sub.add_parser("translate", help="show the English prompt a Chinese instruction becomes")
    p.add_argument("text")
    p.add_argument("--json", action="store_true", help='print {"text", "source", "backend", "untranslated"}')
    p.add_argument("--marian", choices=("auto", "download", "off"), default=None,
                   help="the neural zh->en model Helsinki-NLP/opus-mt-zh-en: use it when cached (auto), fetch it "
                        "once (download, ~300 MB, from the hub or $HF_ENDPOINT), or never (off); default $IP2P_TRANSLATE_MARIAN or auto")
    _add_poster(sub)
    _add_explore(sub)
    sub.add_parser("doctor", help="check GPU, memory, fonts, translation and the model cache")
    p = sub.add_parser("app", help="serve the notebook app with Voila (or open it in JupyterLab with --jupyter)")
    p.add_argument("--model", default=None, metavar="NAME", help=f"model for the app (sets IP2P_MODEL): {_MODEL_HELP}")
    p.add_argument("--port", type=int, default=8866)
    p.add_argument("--ip", default="127.0.0.1", help="address to listen on (0.0.0.0 to share on a network)")
    p.add_argument("--jupyter", action="store_true", help="open the notebook in JupyterLab instead of Voila")
    p.add_argument("--shared", action="store_true",
                   help="one model for every page: a worker loads it once and runs the pages' edits in a queue "
                        "(on by default with an --ip other than loopback); posters go to outputs/<visitor>/")
    _add_worker(sub)
    _add_bench(sub)
    _add_train(sub)
    return parser


def _add_worker(sub):
    p = sub.add_parser("worker", help="(started by `app --shared`) the process that holds the shared model")
    p.add_argument("--model", required=True)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--log", default=None, help="JSON lines: every load and edit")


# ---- 2. progress -----------------------------------------------------------------------------------
class _Bar:
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


class _DownloadBar:
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


# ---- 3. handlers -----------------------------------------------------------------------------------
def _output_for(image: str, output: str | None, several: bool) -> Path:
    stem = Path(image).stem + "_edited.png"
    if output is None:
        return Path(stem)
    out = Path(output)
    if several or out.is_dir() or output.endswith(("/", "\\")):
        return out / stem
    return out


def _check_before_loading(args, images, instruction=None) -> None:
    """Refuse bad settings, instructions, missing inputs and output folders at once, not after a long model load."""
    from .defaults import check_settings  # noqa: PLC0415
    from .editor import check_instruction  # noqa: PLC0415
    from .loading import check_scheduler  # noqa: PLC0415

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


def _check_part(args) -> None:
    """Refuse a bad --mask or --region against each photo before the model loads."""
    from . import regions  # noqa: PLC0415
    from .images import load_image  # noqa: PLC0415

    region = regions.parse_region(args.region)
    if region == "auto" and args.mask is None:
        raise UserError("--region auto needs --mask: it is the mask's bounding box plus a margin; give --mask or a box.")
    if args.mask is None and region is None:
        return
    for image in args.images:
        if "://" in image:
            continue
        size = load_image(image).size
        if args.mask is not None:
            regions.load_mask(args.mask, size)
        if isinstance(region, tuple):
            regions.check_region(region, size)


def _make_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise UserError(f"Could not create the output folder {str(folder)!r} ({e.strerror}); choose another output path.") from None


def _print_notes(notes) -> None:
    for note in notes:
        print(f"note: {note}", file=sys.stderr)


def cmd_edit(args) -> int:
    from . import load_editor, make_poster  # noqa: PLC0415
    from .metadata import save_png  # noqa: PLC0415

    _fill_model_defaults(args)
    _check_before_loading(args, args.images, args.instruction)
    _check_part(args)
    several = len(args.images) > 1
    if args.output and (several or args.output.endswith(("/", "\\"))):
        _make_folder(Path(args.output))  # given as a folder: made when missing
    for target in {_output_for(image, args.output, several).parent for image in args.images}:
        if not target.is_dir():
            raise UserError(f"The folder {str(target)!r} does not exist; create it first or choose another output path.")
    editor = _load_editor(args, device=args.device, dtype=args.dtype, scheduler=args.scheduler,
                         download_progress=_DownloadBar(args.quiet))
    bar = _Bar(args.steps * len(args.images), "editing", args.quiet)
    try:
        for image in args.images:
            result = editor.edit(image, args.instruction, image_guidance=args.image_guidance, text_guidance=args.text_guidance,
                                 steps=args.steps, seed=args.seed, max_size=args.max_size, english=args.english,
                                 progress=bar.callback, mask=args.mask, region=args.region)
            bar.next_item(args.steps)
            out = save_png(result.image, _output_for(image, args.output, several), result)
            bar.bar.clear()
            _print_notes(result.warnings)
            print(f"{out}: {result.summary()}")
            if args.poster:
                poster = Path(args.poster)
                if several or poster.is_dir():
                    poster = poster / (Path(image).stem + "_poster.png")
                print(f"{make_poster(result, poster)}: poster")
    finally:
        bar.close()
    return 0


def _load_editor(args, **options):
    """`load_editor` with the command's --model, --runtime and --cache-interval (checked before loading)."""
    from . import load_editor  # noqa: PLC0415

    interval = args.cache_interval
    if interval is not None:
        interval = check_settings(cache_interval=interval)["cache_interval"]
    editor = load_editor(args.model, runtime=args.runtime, **options)
    if interval is not None:
        editor.default_cache_interval = interval
    return editor


def cmd_batch(args) -> int:
    from . import load_editor  # noqa: PLC0415
    from .batch import BatchRun, collect_items, process_state, several_cpu_processes  # noqa: PLC0415
    from .defaults import check_settings  # noqa: PLC0415
    from .editor import check_instruction  # noqa: PLC0415

    # 1. Check everything that does not need the model
    _fill_model_defaults(args)
    if args.instruction is not None:
        check_instruction(args.instruction)
    sizes = {} if args.max_size is None else {"max_size": args.max_size}
    check_settings({"max_size": (64, RANGES["max_size"][1])}, image_guidance=args.image_guidance,
                   text_guidance=args.text_guidance, steps=args.steps, seed=args.seed, **sizes)
    if args.seed_batch < 1:
        raise SettingError(f"`--seed-batch` must be at least 1, but got {args.seed_batch}.")
    items = collect_items(args.input, args.instruction, english=args.english, seed=args.seed, same_seed=args.same_seed,
                          variants=args.variants, out_dir=args.output, image_guidance=args.image_guidance,
                          text_guidance=args.text_guidance, steps=args.steps, max_size=args.max_size)
    _make_folder(Path(args.output))
    # 2. One model per process; under `accelerate launch` each process takes its own device
    state = process_state()
    launched = state.num_processes > 1 or several_cpu_processes()  # `accelerate launch` chose the device
    device = args.device or (state.device if launched else None)
    editor = _load_editor(args, device=device, dtype=args.dtype)
    run = BatchRun(editor, items, args.output, force=args.force, seed_batch=args.seed_batch, state=state)
    # 3. Edit, one bar for the whole share of this process (the main one draws it)
    from tqdm.auto import tqdm  # noqa: PLC0415

    bar = tqdm(total=run.total, desc="batch", unit="photo", file=sys.stderr, leave=False,
               disable=True if args.quiet or not state.is_main_process else None,
               bar_format="{desc} {bar} {n_fmt}/{total_fmt} photos [{elapsed}<{remaining}, {rate_fmt}]")
    try:
        for record in run:
            bar.update(1)
            if record["status"] == "failed":
                bar.clear()
                print(f"failed: {record['input']}: {record['error']}", file=sys.stderr)
    finally:
        bar.close()
    c = run.counts
    if state.is_main_process:
        where = f" on {state.num_processes} processes" if state.num_processes > 1 else ""
        print(f"{c['done']} edited, {c['skipped']} skipped (already done), {c['failed']} failed{where}; "
              f"log: {run.log_path}")
    return 1 if c["failed"] else 0


def cmd_explore(args) -> int:
    from . import explore, load_editor  # noqa: PLC0415
    from .grids import parse_vary  # noqa: PLC0415

    vary = {}
    for text in args.vary:
        name, values = parse_vary(text)
        if name in vary:
            raise SettingError(f"`--vary {name.replace('_', '-')}` is given twice; put all its values in one --vary.")
        vary[name] = values
    _fill_model_defaults(args)
    _check_before_loading(args, [args.image], args.instruction)
    output = args.output or f"{Path(args.image).stem}_grid.png"
    editor = _load_editor(args, device=args.device, dtype=args.dtype, scheduler=args.scheduler,
                         download_progress=_DownloadBar(args.quiet))
    bar = _Bar(None, "grid", args.quiet)

    def progress(done, total):
        bar.bar.total = total
        bar.callback(done, total)

    try:
        grid = explore(editor, args.image, args.instruction, vary, output=output, image_guidance=args.image_guidance,
                       text_guidance=args.text_guidance, steps=args.steps, seed=args.seed, max_size=args.max_size,
                       english=args.english, progress=progress)
    finally:
        bar.close()
    _print_notes(grid.warnings)
    for r, row in enumerate(grid.tiles):
        for c, tile in enumerate(row):
            print(f"tile {r + 1},{c + 1}: {tile.summary()}")
    w, h = grid.image.size
    cols, rows = len(grid.tiles[0]), len(grid.tiles)
    print(f"{grid.path}: {cols} column{'s' * (cols > 1)} x {rows} row{'s' * (rows > 1)}, {w}x{h} px, {grid.seconds:.1f} s")
    return 0


def cmd_translate(args) -> int:
    from . import translate  # noqa: PLC0415

    if not args.text or not args.text.strip():
        raise UserError("The text to translate is empty: give an instruction such as 把天空换成夜晚.")
    result = translate(args.text, marian=args.marian)
    untranslated = list(getattr(result, "untranslated", ()) or ())
    if args.json:
        print(json.dumps({"text": result.text, "source": result.source, "backend": result.backend,
                          "untranslated": untranslated}, ensure_ascii=False))
    else:
        print(result.text)
    if not result.complete:
        detail = f": {', '.join(untranslated)}" if untranslated else ""
        print(f"warning: translation is partial ({result.backend}){detail}; check the English or type it yourself.", file=sys.stderr)
    return 0 if result.backend != "none" else 1


def cmd_poster(args) -> int:
    from . import make_poster  # noqa: PLC0415
    from .metadata import read_png_settings  # noqa: PLC0415
    from .poster import DEFAULT_TITLE  # noqa: PLC0415

    stored = read_png_settings(args.edited)  # settings not given on the command line come from the edited PNG
    given = {"seed": args.seed, "image_guidance": args.image_guidance, "text_guidance": args.text_guidance,
             "steps": args.steps, "model": args.model}
    settings = {k: v if v is not None else stored.get(k) for k, v in given.items()}
    written = make_poster(path=args.output, original=args.original, edited=args.edited,
                          instruction=args.instruction if args.instruction is not None else stored.get("instruction"),
                          prompt=args.prompt if args.prompt is not None else stored.get("prompt"), settings=settings,
                          title=args.title or DEFAULT_TITLE, date=args.date)
    print(f"Poster written to {written}")
    return 0


def cmd_doctor(args) -> int:
    from .doctor import doctor_lines  # noqa: PLC0415

    for label, value in doctor_lines():
        print(f"{label:>20}: {value}")
    return 0


def cmd_app(args) -> int:
    from .resources import APP_NOTEBOOK  # noqa: PLC0415

    if not APP_NOTEBOOK.is_file():
        raise UserError(f"The app notebook is missing ({APP_NOTEBOOK}); reinstall ip2p_nb or run from a full copy of the repository.")
    env = dict(os.environ, **({"IP2P_MODEL": args.model} if args.model else {}))
    if args.jupyter:
        cmd = [sys.executable, "-m", "jupyter", "lab", APP_NOTEBOOK.name, f"--ServerApp.ip={args.ip}", f"--ServerApp.port={args.port}"]
    else:
        cmd = [sys.executable, "-m", "voila", APP_NOTEBOOK.name, "--no-browser", f"--port={args.port}", f"--Voila.ip={args.ip}"]
    worker = None
    from .worker import wants_shared  # noqa: PLC0415

    if wants_shared(args.ip, args.shared):
        from .defaults import default_model  # noqa: PLC0415
        from .worker import start_worker  # noqa: PLC0415

        log = Path(os.environ.get("IP2P_WORKER_LOG") or APP_NOTEBOOK.parent / "outputs" / "worker-log.jsonl")
        worker, shared = start_worker(args.model or default_model(), log, env)
        env.update(shared)
        print(f"Shared mode: one model for every page (worker process {worker.pid}, log {log}); "
              "each visitor's posters go to outputs/<visitor>/.", file=sys.stderr)
    print(f"Starting the app on http://{args.ip}:{args.port}/ (Ctrl+C to stop) ...", file=sys.stderr)
    try:
        server = subprocess.Popen(cmd, cwd=APP_NOTEBOOK.parent, env=env, start_new_session=True)
    except FileNotFoundError:
        raise UserError("Voila is not installed; run `pip install -r requirements-app.txt` first.") from None
    try:
        return _wait_and_stop(server)
    finally:
        if worker is not None:
            from .worker import stop_worker  # noqa: PLC0415

            stop_worker(worker)


def cmd_worker(args) -> int:
    from .worker import serve  # noqa: PLC0415

    key = os.environ.get("IP2P_SHARED_KEY", "").encode()
    if not key:
        raise UserError("IP2P_SHARED_KEY is not set; the worker is started by `python -m ip2p_nb app --shared`.")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    serve(args.model, args.port, key, log_path=args.log)
    return 0


def _wait_and_stop(server: subprocess.Popen) -> int:
    """Wait for the server; when this command is stopped (Ctrl+C, SIGTERM), stop it and its kernels too."""
    def stop(_signum=None, _frame=None):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        return server.wait()
    except KeyboardInterrupt:
        try:
            os.killpg(server.pid, signal.SIGTERM)  # its own process group: Voila and the kernels it started
            server.wait(timeout=10)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(server.pid, signal.SIGKILL)
        print("stopped.", file=sys.stderr)
        return 130
    finally:
        signal.signal(signal.SIGTERM, previous)


def cmd_bench(args) -> int:
    from .bench import component_times, dtype_agreement, preview_overhead, run_bench, table  # noqa: PLC0415
    from .defaults import check_settings  # noqa: PLC0415
    from .loading import pick_device_dtype  # noqa: PLC0415

    def log(msg):
        print(msg, file=sys.stderr, flush=True)

    if args.cpu or args.reuse_quality:
        from .bench.cpu import cpu_bench, cpu_table, reuse_quality  # noqa: PLC0415

        if args.reuse_quality:
            print(json.dumps(reuse_quality(log=log), indent=1))
            return 0
        s = check_settings(steps=args.steps or 20)
        sizes = [check_settings(max_size=args.size)["max_size"]] if args.size else [256, 512]
        s_i, s_t = args.image_guidance[0]
        report = cpu_bench(sizes, s["steps"], s_i, s_t, log=log)
        print(json.dumps(report, indent=1) if args.json else cpu_table(report))
        return 0
    args.size = args.size or BENCH_DEFAULTS["size"]
    args.steps = args.steps or BENCH_DEFAULTS["steps"]
    device, _ = pick_device_dtype(args.device)
    dtypes = args.dtype or (["float32", "bfloat16"] if device.type == "cpu" else ["float16"])
    if args.components:
        print(json.dumps(component_times(args.pipeline, dtypes, args.size, args.repeats, log=log), indent=1))
        return 0
    if args.agreement:
        print(json.dumps(dtype_agreement(dtypes=dtypes), indent=1))
        return 0
    if args.preview:
        s = check_settings(max_size=args.size, steps=args.steps)
        report = preview_overhead(args.pipeline, s["max_size"], s["steps"], dtypes[0], device, log=log)
        print(json.dumps(report, indent=1))
        return 0
    s = check_settings(max_size=args.size, steps=args.steps)
    for s_i, s_t in args.image_guidance:
        check_settings(image_guidance=s_i, text_guidance=s_t)
    if args.repeats < 1:
        raise SettingError(f"`--repeats` must be at least 1, but got {args.repeats}.")
    cfg = dict(BENCH_DEFAULTS, pipeline=args.pipeline, size=s["max_size"], steps=s["steps"], repeats=args.repeats,
               guidance=args.image_guidance, dtypes=dtypes, device=device)
    report = run_bench(cfg, log=log)
    print(json.dumps(report, indent=1) if args.json else table(report))
    return 0


def cmd_train(args) -> int:
    if args.evaluate:
        from .train.quality import evaluation_report  # noqa: PLC0415
        from .loading import load_pipeline, pick_device_dtype  # noqa: PLC0415

        device, dtype = pick_device_dtype(None, None, "demo")
        print(evaluation_report(load_pipeline(args.evaluate, device, dtype)))
        return 0
    from .train import TrainConfig, run_training  # noqa: PLC0415

    fields = TrainConfig.__dataclass_fields__
    cfg = TrainConfig(**{k: v for k, v in vars(args).items() if k in fields and v is not None})
    cfg.train_text_encoder = args.train_text_encoder or args.pretrained == "demo"

    bar = _Bar(cfg.max_steps, "training", quiet=False)  # on a terminal: a bar with the time left; else log lines

    def log(record):
        if not bar.bar.disable and record.get("stage") != "vae":
            bar.callback(record["step"], cfg.max_steps)
            bar.bar.set_postfix(loss=f"{record['loss']:.4f}", refresh=False)
        elif record["step"] % 10 == 0:
            print(" ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in record.items()), flush=True)

    try:
        folder = run_training(cfg, args.pretrained, args.data, vae_minutes=args.vae_minutes, max_minutes=args.max_minutes,
                              resume=args.resume, log=log)
    finally:
        bar.close()
    from .batch import process_state  # noqa: PLC0415

    if process_state().is_main_process:  # under `accelerate launch`, one line, not one per process
        print(f"Saved the trained pipeline to {folder}; edit with: python -m ip2p_nb edit IMAGE \"make it night\" --model {folder}")
    return 0


COMMANDS = {"edit": cmd_edit, "batch": cmd_batch, "explore": cmd_explore, "translate": cmd_translate, "poster": cmd_poster,
            "doctor": cmd_doctor, "app": cmd_app, "worker": cmd_worker, "bench": cmd_bench, "train": cmd_train}


# ---- 4. entry point ---------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    args = build_parser().parse_args(argv)
    if not args.debug:  # library chatter is not for beginners; our own notices are
        warnings.simplefilter("ignore")
        warnings.simplefilter("always", Notice)
        warnings.showwarning = lambda message, *_args, **_kw: print(f"note: {message}", file=sys.stderr)
    try:
        return COMMANDS[args.command](args)
    except UserError as e:
        if args.debug:
            raise
        print(f"error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("stopped.", file=sys.stderr)
        return 130
    except Exception as e:  # noqa: BLE001
        if args.debug:
            raise
        print(f"error: unexpected {type(e).__name__}: {e} (run again with --debug for the details)", file=sys.stderr)
        return 1
