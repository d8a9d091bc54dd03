"""`pairs`: the paper's data engine from a file of captions to a folder that `train --data` reads."""
import os
import sys

from ..defaults import DATAGEN_DEFAULTS
from ..errors import UserError
from .options import DownloadBar

__all__ = ["add_parsers", "cmd_pairs"]


def _range(text: str) -> tuple[float, float]:
    """"0.1,0.9" or "0.5" (a fixed value) -> (low, high)."""
    try:
        values = [float(v) for v in text.split(",")]
    except ValueError:
        raise UserError(f"{text!r} is not a number or a range such as 0.1,0.9.") from None
    if len(values) not in (1, 2):
        raise UserError(f"{text!r} is not a number or a range such as 0.1,0.9.")
    return (values[0], values[-1])


def add_parsers(sub) -> None:
    d = DATAGEN_DEFAULTS
    p = sub.add_parser("pairs", help="the paper's data engine: captions -> instructions -> before/after pairs -> CLIP filter",
                       epilog="Offline, the defaults draw the demo scenes (demo-t2i, demo-clip, the rule writer) in seconds "
                              "a caption. Resumable: a rerun skips captions whose folder is finished. Under `accelerate "
                              "launch --num_processes N -m ip2p_nb pairs ...` the captions are split across processes.")
    p.add_argument("captions", metavar="CAPTIONS", help="a text file, one caption a line (Chinese or English), or a .jsonl "
                   "file with `caption` (and optionally `instruction` and `edited_caption`)")
    p.add_argument("--out", "-o", required=True, metavar="FOLDER", help="where the pairs go, one folder per caption "
                   "(the paper's layout: prompt.json, SEED_0.jpg, SEED_1.jpg, metadata.jsonl) and pairs-log.jsonl")
    p.add_argument("--model", default=d["t2i_model"], metavar="NAME", help=f"the text-to-image model (default {d['t2i_model']}; "
                   "sd15 is the paper's, a 4 GB download; a hub id or a folder)")
    p.add_argument("--clip", default=d["clip_model"], metavar="NAME", help=f"the CLIP of the filter (default {d['clip_model']}; "
                   "clip-vit-l-14 is the paper's, clip-vit-b-32 lighter)")
    p.add_argument("--writer", default=d["writer"], metavar="NAME", help="who writes the instructions: rules (offline), or a "
                   "language model (qwen2.5-0.5b-instruct, a hub id or a folder)")
    p.add_argument("--samples", type=int, default=d["samples"], metavar="N", help=f"pairs drawn per caption (the paper: {d['samples']})")
    p.add_argument("--keep", type=int, default=d["keep"], metavar="K", help=f"pairs kept per caption (the paper: {d['keep']})")
    p.add_argument("--steps", type=int, default=d["steps"], metavar="S", help=f"sampler steps (default {d['steps']}; the paper: 100)")
    p.add_argument("--size", type=int, default=None, metavar="PX", help="picture size (default: the model's own)")
    p.add_argument("--share", default=d["share"], choices=("self", "cross", "both"),
                   help="which attention the after picture takes from the before picture (the paper's code: self)")
    p.add_argument("--p", default=None, metavar="LO,HI", help="the share of the steps with shared attention, drawn per sample "
                   f"from LO-HI (default {d['p_range'][0]},{d['p_range'][1]}; one number: fixed)")
    p.add_argument("--guidance", default=None, metavar="LO,HI", help="text guidance, drawn per sample "
                   f"(default {d['cfg_range'][0]},{d['cfg_range'][1]})")
    p.add_argument("--seed", type=int, default=0, help="the run's seed (each caption's samples follow from it and its line)")
    p.add_argument("--device", default=None, help="cuda or cpu (default: the best available; under accelerate, its choice)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def cmd_pairs(args) -> int:
    from ..datagen.engine import EngineConfig, PairsRun, read_captions  # noqa: PLC0415
    from ..serving.batch import process_state, several_cpu_processes  # noqa: PLC0415

    # 1. Everything that needs no model: the captions, the settings, the folder
    captions = read_captions(args.captions)
    config = EngineConfig(samples=args.samples, keep=args.keep, steps=args.steps, size=args.size, share=args.share,
                          seed=args.seed, p_range=_range(args.p) if args.p else DATAGEN_DEFAULTS["p_range"],
                          cfg_range=_range(args.guidance) if args.guidance else DATAGEN_DEFAULTS["cfg_range"])
    config.check()
    if os.path.exists(args.out) and not os.path.isdir(args.out):
        raise UserError(f"{args.out!r} is a file, not a folder; choose a folder for the pairs.")
    # 2. The models: text-to-image, CLIP, writer (downloads announced, with a bar)
    from ..datagen.clip_filter import load_clip  # noqa: PLC0415
    from ..datagen.writer import load_writer  # noqa: PLC0415
    from ..models.engine import load_t2i  # noqa: PLC0415

    state = process_state()
    device = args.device or (state.device if state.num_processes > 1 or several_cpu_processes() else None)
    download = DownloadBar(args.quiet)
    pipe = load_t2i(args.model, device=device, progress=download)
    scorer = load_clip(args.clip, device=pipe.device, progress=download)
    writer = load_writer(args.writer, progress=download)
    # 3. The run, one bar over this process's samples (the main process draws it)
    from tqdm.auto import tqdm  # noqa: PLC0415

    bar = tqdm(total=None, desc="pairs", unit="pair", file=sys.stderr, leave=False,
               disable=True if args.quiet or not state.is_main_process else None)
    run = PairsRun(captions, args.out, config, pipe=pipe, scorer=scorer, writer=writer, state=state,
                   progress=lambda done, total: bar.update(1))
    bar.total = len(run.mine) * config.samples
    try:
        for record in run:
            if record["status"] == "failed":
                bar.clear()
                print(f"failed: line {record['line']}: {record['caption']!r}: {record['error']}", file=sys.stderr)
            elif record["status"] == "done" and not args.quiet and state.is_main_process:
                bar.clear()
                print(f"{record['folder']}: {record['instruction']!r} -> {record['kept']} kept of {record['samples']} "
                      f"({record['passed']} passed the filter), {record['seconds']:.1f} s")
    finally:
        bar.close()
    c = run.counts
    if state.is_main_process:
        where = f" on {state.num_processes} processes" if state.num_processes > 1 else ""
        print(f"{c['done']} captions done, {c['skipped']} skipped (already done), {c['failed']} failed{where}; "
              f"log: {run.log_path}")
    return 1 if c["failed"] and "ACCELERATE_MIXED_PRECISION" not in os.environ else 0
