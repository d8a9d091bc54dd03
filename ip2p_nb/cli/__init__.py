"""The command line: `python -m ip2p_nb COMMAND ...` (also the console script `ip2p-nb`).

One argparse parser with a sub-command per job and one handler function per sub-command
(`cmd_<name>`), grouped by what they do: `editing` (edit, batch, explore), `tools` (translate,
poster, doctor), `serve` (app, worker), `develop` (bench, train), `datagen`
(pairs: the paper's data engine); `options` holds what they share.
A handler calls the public library API, which returns data and never prints, and prints one line
per result. Long jobs show a tqdm progress bar with the time left on stderr. Every user mistake
ends with one line on stderr and exit code 2; tracebacks only with `--debug`.
"""
import argparse
import sys
import warnings

from ..errors import Notice, UserError
from . import datagen, develop, editing, serve, tools

__all__ = ["main", "build_parser"]

COMMANDS = {"edit": editing.cmd_edit, "batch": editing.cmd_batch, "explore": editing.cmd_explore,
            "translate": tools.cmd_translate, "poster": tools.cmd_poster, "doctor": tools.cmd_doctor,
            "app": serve.cmd_app, "worker": serve.cmd_worker, "bench": develop.cmd_bench, "train": develop.cmd_train,
            "pairs": datagen.cmd_pairs}


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
    # the order of `--help`: edit, batch, explore, translate, poster, doctor, app, worker, bench, train
    editing.add_parsers(sub)
    tools.add_parsers(sub)
    serve.add_parsers(sub)
    develop.add_parsers(sub)
    datagen.add_parsers(sub)
    return parser


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
