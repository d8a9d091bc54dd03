"""`translate`, `poster` and `doctor`: the commands that need no model."""
import json
import sys

from ..errors import UserError


def add_parsers(sub) -> None:
    p = sub.add_parser("translate", help="show the English prompt a Chinese instruction becomes")
    p.add_argument("text")
    p.add_argument("--json", action="store_true", help='print {"text", "source", "backend", "untranslated"}')
    p.add_argument("--marian", choices=("auto", "download", "off"), default=None,
                   help="the neural zh->en model Helsinki-NLP/opus-mt-zh-en: use it when cached (auto), fetch it "
                        "once (download, ~300 MB, from the hub or $HF_ENDPOINT), or never (off); default $IP2P_TRANSLATE_MARIAN or auto")
    _add_poster(sub)
    sub.add_parser("doctor", help="check GPU, memory, fonts, translation and the model cache")


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




def cmd_translate(args) -> int:
    from .. import translate  # noqa: PLC0415

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
    from .. import make_poster  # noqa: PLC0415
    from ..outputs.metadata import read_png_settings  # noqa: PLC0415
    from ..outputs.poster import DEFAULT_TITLE  # noqa: PLC0415

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
    from ..doctor import doctor_lines  # noqa: PLC0415

    for label, value in doctor_lines():
        print(f"{label:>20}: {value}")
    return 0


