"""`bench` (speed against named baselines) and `train` (the training recipe): the developers' commands."""
import argparse
import json
import sys

from ..defaults import BENCH_DEFAULTS, DEFAULTS
from ..errors import SettingError
from .options import Bar


def add_parsers(sub) -> None:
    _add_bench(sub)
    _add_train(sub)


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
                   help="a CPU user's wait instead: full-size model end to end, torch, OpenVINO and the 8-bit UNets, with and "
                        "without reuse, each in a fresh process, at 256 and 512 px (or --size); about an hour on one core")
    p.add_argument("--contestants", default=None, metavar="A,B",
                   help="with --cpu: only these contestants, comma-separated (default: all; `torch` is the baseline of the ratios)")
    p.add_argument("--reuse-quality", action="store_true",
                   help="what feature reuse and OpenVINO do to the pictures, on the trained demo model, instead")
    p.add_argument("--step-economy", action="store_true",
                   help="how many steps each sampler needs for Euler a's 20-step picture, on the demo model, instead")
    p.add_argument("--int8-quality", action="store_true",
                   help="what the 8-bit UNet recipes do to the demo model's pictures (needs nncf), instead")
    p.add_argument("--unet-cost", action="store_true",
                   help="one full-size UNet call per runtime, precision and 8-bit recipe, each in a fresh process, instead")
    p.add_argument("--maps", action="store_true",
                   help="CPU seconds of an edit with word maps against without (default --pipeline fullsize, 256 px, 4 steps)")
    p.add_argument("--pairs", default=None, metavar="CAPTIONS",
                   help="the data engine's cost per kept pair on a captions file (demo-t2i, demo-clip, rules; --steps)")
    p.add_argument("--room", type=int, default=None, metavar="PAGES",
                   help="a workshop room on `tiny` under load: PAGES pages, 10 of them in Chromium editing at once (memory, "
                        "time to the app, queue waits, posters)")
    p.add_argument("--json", action="store_true", help="print the full report as JSON (default: a Markdown table)")


def _add_train(sub) -> None:
    p = sub.add_parser("train", help="train or evaluate a model (see docs/TRAINING.md)")
    p.add_argument("--pretrained", default="demo",
                   help="Stable Diffusion checkpoint (hub id or local folder, safetensors), `demo-t2i` (the engine's toy text-to-image model), or `demo`/`tiny` to start from scratch")
    p.add_argument("--data", default="scenes", help="`scenes` (synthetic), a folder with metadata.jsonl, a folder of the paper's prompt "
                   "folders (prompt.json, SEED_0.jpg, SEED_1.jpg; seeds.json optional), or hub:NAME for a `datasets` dataset")
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



def _bench_cpu_levers(args, log) -> int:
    """`bench --step-economy`, `--int8-quality`, `--unet-cost` (issue 25's levers), as JSON."""
    if args.step_economy:
        from ..bench.samplers import step_economy  # noqa: PLC0415

        report = step_economy(log=log)
    elif args.int8_quality:
        from ..bench.int8 import int8_quality  # noqa: PLC0415

        report = int8_quality(steps=args.steps or 20, log=log)
    else:
        from ..bench.unetcost import unet_costs  # noqa: PLC0415

        report = unet_costs(sizes=[args.size] if args.size else (256, 512), log=log)
    print(json.dumps(report, indent=1))
    return 0


def cmd_bench(args) -> int:
    from ..bench import component_times, dtype_agreement, preview_overhead, run_bench, table  # noqa: PLC0415
    from ..defaults import check_settings  # noqa: PLC0415
    from ..models.loading import pick_device_dtype  # noqa: PLC0415

    def log(msg):
        print(msg, file=sys.stderr, flush=True)

    if args.step_economy or args.int8_quality or args.unet_cost:
        return _bench_cpu_levers(args, log)
    if args.room:
        from ..bench.room import room_load  # noqa: PLC0415

        shown = min(10, args.room)
        print(json.dumps(room_load(pages=args.room, browsers=shown, editing=shown, steps=args.steps or 4, log=log), indent=1))
        return 0
    if args.maps or args.pairs:
        from ..bench.datagen import maps_overhead, pair_cost  # noqa: PLC0415

        if args.maps:
            report = maps_overhead(args.pipeline, args.size or 256, args.steps or 4, max(args.repeats, 1), log=log)
        else:
            from ..datagen.engine import read_captions  # noqa: PLC0415

            report = pair_cost([c.caption for c in read_captions(args.pairs)], steps=args.steps or 20, log=log)
        print(json.dumps(report, indent=1))
        return 0
    if args.cpu or args.reuse_quality:
        from ..bench.cpu import ARMS, cpu_bench, cpu_table, reuse_quality  # noqa: PLC0415

        if args.reuse_quality:
            print(json.dumps(reuse_quality(log=log), indent=1))
            return 0
        s = check_settings(steps=args.steps or 20)
        sizes = [check_settings(max_size=args.size)["max_size"]] if args.size else [256, 512]
        s_i, s_t = args.image_guidance[0]
        arms = [a.strip() for a in args.contestants.split(",") if a.strip()] if args.contestants else ARMS
        report = cpu_bench(sizes, s["steps"], s_i, s_t, arms=arms, log=log)
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
        from ..train.quality import evaluation_report  # noqa: PLC0415
        from ..models.loading import load_pipeline, pick_device_dtype  # noqa: PLC0415

        device, dtype = pick_device_dtype(None, None, "demo")
        print(evaluation_report(load_pipeline(args.evaluate, device, dtype)))
        return 0
    from ..train import TrainConfig, run_training  # noqa: PLC0415

    fields = TrainConfig.__dataclass_fields__
    cfg = TrainConfig(**{k: v for k, v in vars(args).items() if k in fields and v is not None})
    cfg.train_text_encoder = args.train_text_encoder or args.pretrained == "demo"

    bar = Bar(cfg.max_steps, "training", quiet=False)  # on a terminal: a bar with the time left; else log lines

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
    from ..serving.batch import process_state  # noqa: PLC0415

    if process_state().is_main_process:  # under `accelerate launch`, one line, not one per process
        print(f"Saved the trained pipeline to {folder}; edit with: python -m ip2p_nb edit IMAGE \"make it night\" --model {folder}")
    return 0


