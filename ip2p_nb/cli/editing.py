"""`edit`, `batch` and `explore`: the commands that run the model on photos."""
import os
import sys
from pathlib import Path

from ..defaults import BATCH_DEFAULTS, RANGES
from ..errors import SettingError, UserError
from .options import Bar, DownloadBar, check_before_loading, edit_options, fill_model_defaults, load_editor_for, make_folder, print_notes


def add_parsers(sub) -> None:
    _add_edit(sub)
    _add_batch(sub)
    _add_explore(sub)


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
    p.add_argument("--like", default=None, metavar="PICTURE.png",
                   help="the settings of a picture made before (seed, steps, guidances, sampler, model, size, threads, "
                        "and its English prompt when the instruction is the same), read from its PNG metadata; options "
                        "given here win. With the same photo this makes the same picture again, byte for byte, on this machine")
    p.add_argument("--threads", type=int, default=None, metavar="N",
                   help="torch's CPU threads for the edit (default: as set; on a CPU another count changes the pixels slightly)")
    p.add_argument("--maps", action="store_true",
                   help="also write NAME_maps.png beside each output: where each word of the English prompt acted "
                        "(cross-attention; the edited picture is the same with or without it)")
    edit_options(p)


def _apply_like(args) -> None:
    """Fill the options not given on the command line from --like's PNG (ip2p_nb/outputs/reproduce.py)."""
    from ..outputs.reproduce import like_settings  # noqa: PLC0415

    if not args.like:
        return
    found = like_settings(args.like)
    for option in ("seed", "steps", "image_guidance", "text_guidance", "scheduler", "model", "cache_interval", "threads",
                   "max_size", "region"):
        if option in found and getattr(args, option, None) is None:
            setattr(args, option, found[option])
    if args.english is None and found["prompt"] and found["instruction"] == args.instruction:
        args.english = found["prompt"]


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
    edit_options(p)


def _add_explore(sub) -> None:
    p = sub.add_parser("explore", help="a labelled grid of variations (guidance, seeds, steps, phrasings)")
    p.add_argument("image", metavar="IMAGE")
    p.add_argument("instruction", metavar="INSTRUCTION", nargs="?", default=None,
                   help="what to change; leave out when varying the instruction")
    p.add_argument("--vary", action="append", required=True, metavar="AXIS=V1,V2,...",
                   help="image-guidance, text-guidance, seed or steps with comma-separated values, or "
                        "instruction with values separated by |; once or twice (across, then down)")
    p.add_argument("-o", "--output", default=None, help="output PNG (default: IMAGE_grid.png here)")
    edit_options(p)


def _output_for(image: str, output: str | None, several: bool) -> Path:
    stem = Path(image).stem + "_edited.png"
    if output is None:
        return Path(stem)
    out = Path(output)
    if several or out.is_dir() or output.endswith(("/", "\\")):
        return out / stem
    return out


def _check_part(args) -> None:
    """Refuse a bad --mask or --region against each photo before the model loads."""
    from ..editing import regions  # noqa: PLC0415
    from ..editing.images import load_image  # noqa: PLC0415

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


def cmd_edit(args) -> int:
    from .. import make_poster  # noqa: PLC0415
    from ..outputs.metadata import save_png  # noqa: PLC0415
    from ..outputs.reproduce import torch_threads  # noqa: PLC0415

    _apply_like(args)
    fill_model_defaults(args)
    check_before_loading(args, args.images, args.instruction)
    _check_part(args)
    several = len(args.images) > 1
    if args.output and (several or args.output.endswith(("/", "\\"))):
        make_folder(Path(args.output))  # given as a folder: made when missing
    for target in {_output_for(image, args.output, several).parent for image in args.images}:
        if not target.is_dir():
            raise UserError(f"The folder {str(target)!r} does not exist; create it first or choose another output path.")
    editor = load_editor_for(args, device=args.device, dtype=args.dtype, scheduler=args.scheduler,
                         download_progress=DownloadBar(args.quiet))
    bar = Bar(args.steps * len(args.images), "editing", args.quiet)
    try:
        for image in args.images:
            with torch_threads(args.threads):   # --threads, or the count --like's picture was made with
                result = editor.edit(image, args.instruction, image_guidance=args.image_guidance,
                                     text_guidance=args.text_guidance, steps=args.steps, seed=args.seed,
                                     max_size=args.max_size, english=args.english, progress=bar.callback,
                                     mask=args.mask, region=args.region, maps=args.maps)
            bar.next_item(args.steps)
            out = save_png(result.image, _output_for(image, args.output, several), result)
            bar.bar.clear()
            print_notes(result.warnings)
            print(f"{out}: {result.summary()}")
            if args.maps:
                print(f"{_save_maps(result, out)}: where each word acts")
            if args.poster:
                poster = Path(args.poster)
                if several or poster.is_dir():
                    poster = poster / (Path(image).stem + "_poster.png")
                print(f"{make_poster(result, poster)}: poster")
    finally:
        bar.close()
    return 0


def _save_maps(result, out) -> Path:
    """NAME_maps.png beside NAME.png: the edited picture (or the part the model saw) under each word's map."""
    from ..outputs.wordmaps import maps_path, save_maps_grid  # noqa: PLC0415

    picture = result.image if result.maps_box is None else result.image.crop(result.maps_box)
    return save_maps_grid(picture, result.maps, maps_path(out), title=result.prompt)


def cmd_batch(args) -> int:
    from ..serving.batch import BatchRun, collect_items, process_state, several_cpu_processes  # noqa: PLC0415
    from ..defaults import check_settings  # noqa: PLC0415
    from ..editing.editor import check_instruction  # noqa: PLC0415

    # 1. Check everything that does not need the model
    fill_model_defaults(args)
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
    make_folder(Path(args.output))
    # 2. One model per process; under `accelerate launch` each process takes its own device
    state = process_state()
    launched = state.num_processes > 1 or several_cpu_processes()  # `accelerate launch` chose the device
    device = args.device or (state.device if launched else None)
    editor = load_editor_for(args, device=device, dtype=args.dtype)
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
    # Failed items are counted above and logged; the exit code says so (1) when run directly. Under `accelerate
    # launch` a non-zero exit makes accelerate print a long traceback of its own after that line, so there the
    # batch exits 0 once it has run to its end (README, Many photos): read the summary line or the log.
    return 1 if c["failed"] and "ACCELERATE_MIXED_PRECISION" not in os.environ else 0


def cmd_explore(args) -> int:
    from .. import explore  # noqa: PLC0415
    from ..outputs.grids import parse_vary  # noqa: PLC0415

    vary = {}
    for text in args.vary:
        name, values = parse_vary(text)
        if name in vary:
            raise SettingError(f"`--vary {name.replace('_', '-')}` is given twice; put all its values in one --vary.")
        vary[name] = values
    fill_model_defaults(args)
    check_before_loading(args, [args.image], args.instruction)
    output = args.output or f"{Path(args.image).stem}_grid.png"
    editor = load_editor_for(args, device=args.device, dtype=args.dtype, scheduler=args.scheduler,
                         download_progress=DownloadBar(args.quiet))
    bar = Bar(None, "grid", args.quiet)

    def progress(done, total):
        bar.bar.total = total
        bar.callback(done, total)

    try:
        grid = explore(editor, args.image, args.instruction, vary, output=output, image_guidance=args.image_guidance,
                       text_guidance=args.text_guidance, steps=args.steps, seed=args.seed, max_size=args.max_size,
                       english=args.english, progress=progress)
    finally:
        bar.close()
    print_notes(grid.warnings)
    for r, row in enumerate(grid.tiles):
        for c, tile in enumerate(row):
            print(f"tile {r + 1},{c + 1}: {tile.summary()}")
    w, h = grid.image.size
    cols, rows = len(grid.tiles[0]), len(grid.tiles)
    print(f"{grid.path}: {cols} column{'s' * (cols > 1)} x {rows} row{'s' * (rows > 1)}, {w}x{h} px, {grid.seconds:.1f} s")
    return 0


