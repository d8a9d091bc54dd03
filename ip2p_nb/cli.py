"""The command line: `python -m ip2p_nb edit | translate | poster | explore | app | bench | doctor | train`.

Every user mistake ends with one line on stderr and a non-zero exit; tracebacks only with
`--debug`. Each command is a short function that parses nothing itself: argparse reads the
arguments, the function calls the public API and prints one line per result.
"""
import argparse
import sys
import warnings
from pathlib import Path

from .defaults import DEFAULTS, HINTS, RANGES
from .errors import Notice, UserError

__all__ = ["main", "build_parser"]


def _edit_options(p: argparse.ArgumentParser) -> None:
    """Options shared by `edit` and `explore`."""
    p.add_argument("--model", default=None, help="hub id, local folder, 'demo' or 'tiny' (default: $IP2P_MODEL or timbrooks/instruct-pix2pix)")
    p.add_argument("--seed", type=int, default=None, help=f"{RANGES['seed'][0]}-{RANGES['seed'][1]}; random when omitted ({HINTS['seed']})")
    p.add_argument("--image-guidance", type=float, default=DEFAULTS["image_guidance"], help=f"{RANGES['image_guidance']}: {HINTS['image_guidance']}")
    p.add_argument("--text-guidance", type=float, default=DEFAULTS["text_guidance"], help=f"{RANGES['text_guidance']}: {HINTS['text_guidance']}")
    p.add_argument("--steps", type=int, default=DEFAULTS["steps"], help=f"{RANGES['steps']}: {HINTS['steps']}")
    p.add_argument("--max-size", type=int, default=None, help=f"{RANGES['max_size']}, default {DEFAULTS['max_size']} (64 for --model demo): {HINTS['max_size']}")
    p.add_argument("--english", default=None, help="the English prompt to use instead of translating the instruction")
    p.add_argument("--device", default=None, help="cuda, mps or cpu (default: the best available)")
    p.add_argument("--dtype", default=None, help="float16, bfloat16 or float32 (default: float16 on CUDA, else float32)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m ip2p_nb", description="InstructPix2Pix image editing, in Chinese or English.")
    parser.add_argument("--debug", action="store_true", help="show full tracebacks")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("edit", help="edit one or several images")
    p.add_argument("images", nargs="+", metavar="IMAGE")
    p.add_argument("instruction", metavar="INSTRUCTION", help='what to change, e.g. "make it snowy" or "把天空换成夜晚"')
    p.add_argument("-o", "--output", default=None, help="output PNG file, or a folder (default: IMAGE_edited.png here)")
    p.add_argument("--poster", default=None, metavar="PATH", help="also write a before/after poster here")
    _edit_options(p)

    p = sub.add_parser("translate", help="show the English prompt a Chinese instruction becomes")
    p.add_argument("text")
    p.add_argument("--json", action="store_true", help='print {"text", "source", "backend"}')

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

    p = sub.add_parser("doctor", help="check GPU, memory, fonts, translation and the model cache")

    p = sub.add_parser("app", help="serve the notebook app with Voila (or open it in JupyterLab with --jupyter)")
    p.add_argument("--model", default=None, help="model for the app (sets IP2P_MODEL; e.g. tiny or demo offline)")
    p.add_argument("--port", type=int, default=8866)
    p.add_argument("--ip", default="127.0.0.1", help="address to listen on (0.0.0.0 to share on a network)")
    p.add_argument("--jupyter", action="store_true", help="open the notebook in JupyterLab instead of Voila")
    sub.add_parser("bench", help="time the editor against plain diffusers (JSON)", add_help=False)
    sub.add_parser("explore", help="a labelled grid of variations (guidance, seeds, phrasings)", add_help=False)
    sub.add_parser("train", help="train or evaluate a model (see docs/TRAINING.md)", add_help=False)
    return parser


def _output_for(image: str, output: str | None, several: bool) -> Path:
    stem = Path(image).stem + "_edited.png"
    if output is None:
        return Path(stem)
    out = Path(output)
    if several or out.is_dir() or output.endswith(("/", "\\")):
        return out / stem
    return out


def _save_edit(result, path: Path) -> Path:
    from .metadata import save_png  # noqa: PLC0415

    return save_png(result.image, path, result)


def _check_before_loading(args) -> None:
    """Refuse bad settings, missing inputs and output folders at once, not after a long model load."""
    from .defaults import check_settings  # noqa: PLC0415

    widest = {"max_size": (64, RANGES["max_size"][1])}  # the demo model's range; the editor checks the model's own
    sizes = {} if args.max_size is None else {"max_size": args.max_size}
    check_settings(widest, image_guidance=args.image_guidance, text_guidance=args.text_guidance, steps=args.steps,
                   seed=args.seed, **sizes)
    for image in args.images:
        if "://" not in image and not Path(image).is_file():
            raise UserError(f"There is no file at {image!r}; check the path and try again.")
    several = len(args.images) > 1
    for target in {_output_for(image, args.output, several).parent for image in args.images}:
        if not target.is_dir():
            raise UserError(f"The folder {str(target)!r} does not exist; create it first or choose another output path.")


def cmd_edit(args) -> int:
    from .editor import load_editor  # noqa: PLC0415

    _check_before_loading(args)
    editor = load_editor(args.model, device=args.device, dtype=args.dtype)
    several = len(args.images) > 1
    for image in args.images:
        result = editor.edit(image, args.instruction, image_guidance=args.image_guidance, text_guidance=args.text_guidance,
                             steps=args.steps, seed=args.seed, max_size=args.max_size, english=args.english)
        out = _save_edit(result, _output_for(image, args.output, several))
        for note in result.warnings:
            print(f"note: {note}", file=sys.stderr)
        print(f"{out}: {result.summary()}")
        if args.poster:
            from .poster import make_poster  # noqa: PLC0415

            poster = Path(args.poster)
            if several or poster.is_dir():
                poster = poster / (Path(image).stem + "_poster.png")
            print(f"{make_poster(result, poster)}: poster")
    return 0


def cmd_translate(args) -> int:
    from .translation import cli_translate  # noqa: PLC0415

    return cli_translate(args.text, args.json)


def cmd_poster(args) -> int:
    from .poster import cli_poster  # noqa: PLC0415

    return cli_poster(args.original, args.edited, args.instruction, output=args.output, prompt=args.prompt, title=args.title,
                      seed=args.seed, image_guidance=args.image_guidance, text_guidance=args.text_guidance,
                      steps=args.steps, model=args.model, date=args.date)


def cmd_doctor(args) -> int:
    from .doctor import doctor_lines  # noqa: PLC0415

    for label, value in doctor_lines():
        print(f"{label:>20}: {value}")
    return 0


NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "ip2p_app.ipynb"


def cmd_app(args) -> int:
    import os  # noqa: PLC0415
    import subprocess  # noqa: PLC0415

    if not NOTEBOOK.is_file():
        raise UserError(f"The app notebook is missing ({NOTEBOOK}); run this from a full copy of the repository.")
    env = dict(os.environ, **({"IP2P_MODEL": args.model} if args.model else {}))
    if args.jupyter:
        cmd = [sys.executable, "-m", "jupyter", "lab", NOTEBOOK.name, f"--ServerApp.ip={args.ip}", f"--ServerApp.port={args.port}"]
    else:
        cmd = [sys.executable, "-m", "voila", NOTEBOOK.name, "--no-browser", f"--port={args.port}", f"--Voila.ip={args.ip}"]
    print(f"Starting the app on http://{args.ip}:{args.port}/ (Ctrl+C to stop) ...", file=sys.stderr)
    try:
        return subprocess.call(cmd, cwd=NOTEBOOK.parent, env=env)
    except FileNotFoundError:
        raise UserError("Voila is not installed; run `pip install -r requirements.txt` first.") from None


def _delegate(command: str, argv: list[str]) -> int:
    """Commands with their own parser (bench, explore, train)."""
    module = {"bench": "bench", "explore": "grids", "train": "train"}[command]
    from importlib import import_module  # noqa: PLC0415

    return getattr(import_module(f".{module}", __package__), f"cli_{command}")(argv)


COMMANDS = {"edit": cmd_edit, "translate": cmd_translate, "poster": cmd_poster, "doctor": cmd_doctor, "app": cmd_app}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    debug = "--debug" in argv
    if not debug:  # library chatter is not for beginners; our own notices are
        warnings.simplefilter("ignore")
        warnings.simplefilter("always", Notice)
        warnings.showwarning = lambda message, *_args, **_kw: print(f"note: {message}", file=sys.stderr)
    args, rest = build_parser().parse_known_args(argv)
    try:
        if args.command in COMMANDS:
            if rest:
                build_parser().error(f"unrecognized arguments: {' '.join(rest)}")
            return COMMANDS[args.command](args)
        return _delegate(args.command, [a for a in argv if a not in ("--debug", args.command)])
    except UserError as e:
        if debug:
            raise
        print(f"error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("stopped.", file=sys.stderr)
        return 130
    except Exception as e:  # noqa: BLE001
        if debug:
            raise
        print(f"error: unexpected {type(e).__name__}: {e} (run again with --debug for the details)", file=sys.stderr)
        return 1
