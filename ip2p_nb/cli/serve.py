"""`app` (the notebook app served by Voila or JupyterLab, alone or as a shared room) and `worker` (the
process that holds the shared model)."""
import os
import signal
import subprocess
import sys
from pathlib import Path

from ..errors import UserError
from .options import MODEL_HELP


def add_parsers(sub) -> None:
    p = sub.add_parser("app", help="serve the notebook app with Voila (or open it in JupyterLab with --jupyter)")
    p.add_argument("--model", default=None, metavar="NAME", help=f"model for the app (sets IP2P_MODEL): {MODEL_HELP}")
    p.add_argument("--port", type=int, default=8866)
    p.add_argument("--ip", default="127.0.0.1", help="address to listen on (0.0.0.0 to share on a network)")
    p.add_argument("--jupyter", action="store_true", help="open the notebook in JupyterLab instead of Voila")
    p.add_argument("--shared", action="store_true",
                   help="one model for every page: a worker loads it once and runs the pages' edits in a queue "
                        "(on by default with an --ip other than loopback): a room with a key (a link with a random "
                        "token, and its QR code); posters go to --room-dir/<visitor>/")
    p.add_argument("--no-token", action="store_true",
                   help="a room without a key: anyone who can reach the address may use it (a warning is printed)")
    p.add_argument("--room-dir", default=None, metavar="DIR",
                   help="a room's visitors' folders, outside the notebook folder (default: IP2P_ROOM_DIR or ~/ip2p-room)")
    p.add_argument("--workers", type=int, default=None, metavar="N",
                   help="a room's copies of the model, each on a GPU of its own, all serving one queue "
                        "(default: one per visible GPU; one on a CPU)")
    p = sub.add_parser("worker", help="(started by `app --shared`) the process that holds the shared model")
    p.add_argument("--model", required=True)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--log", default=None, help="JSON lines: every load and edit")
    p.add_argument("--workers", type=int, default=None, metavar="N", help="copies of the model (default: one per GPU)")


def cmd_app(args) -> int:
    from ..resources import APP_NOTEBOOK, TUTORIAL_NOTEBOOK, with_this_package  # noqa: PLC0415

    for notebook in (APP_NOTEBOOK, TUTORIAL_NOTEBOOK):
        if not notebook.is_file():
            raise UserError(f"The app notebook is missing ({notebook}); reinstall ip2p_nb or run from a full copy of the repository.")
    # the kernels (and the room's worker) import this very package, also from a checkout that is not installed
    env = with_this_package(dict(os.environ, **({"IP2P_MODEL": args.model} if args.model else {})))
    if args.jupyter:   # JupyterLab opens the walkthrough (its install cell skips what is there); Voila serves the app alone
        cmd = [sys.executable, "-m", "jupyter", "lab", TUTORIAL_NOTEBOOK.name, f"--ServerApp.ip={args.ip}", f"--ServerApp.port={args.port}"]
    else:
        cmd = [sys.executable, "-m", "voila", APP_NOTEBOOK.name, "--no-browser", f"--port={args.port}", f"--Voila.ip={args.ip}"]
    worker = None
    from ..serving.worker import wants_shared  # noqa: PLC0415

    if args.workers is not None and (args.workers < 1 or not wants_shared(args.ip, args.shared)):
        raise UserError(f"`--workers` is the number of copies of the model in a room: a whole number of 1 or more, with "
                        f"--shared (got {args.workers}{'' if wants_shared(args.ip, args.shared) else ' without --shared'}).")
    if wants_shared(args.ip, args.shared):
        from ..defaults import default_model  # noqa: PLC0415
        from ..serving.process import start_worker  # noqa: PLC0415

        link = _open_room(args, cmd, env, APP_NOTEBOOK.parent)
        log = Path(os.environ.get("IP2P_WORKER_LOG") or Path(env["IP2P_ROOM_DIR"]) / "worker-log.jsonl")
        worker, shared = start_worker(args.model or default_model(), log, env, workers=args.workers)
        env.update(shared)
        copies = f"{args.workers} copies of the model" if args.workers else "one copy of the model per GPU (one on a CPU)"
        print(f"Shared mode: {copies} for every page, one queue (worker process {worker.pid}, log {log}); "
              f"each visitor's posters go to {env['IP2P_ROOM_DIR']}/<visitor>/.", file=sys.stderr)
        print(f"Starting the room on {link} (Ctrl+C to stop) ...", file=sys.stderr)
    else:
        print(f"Starting the app on http://{args.ip}:{args.port}/ (Ctrl+C to stop) ...", file=sys.stderr)
    try:
        server = subprocess.Popen(cmd, cwd=APP_NOTEBOOK.parent, env=env, start_new_session=True)
    except FileNotFoundError:
        raise UserError("Voila is not installed; run `pip install -r requirements-app.txt` first.") from None
    try:
        return _wait_and_stop(server)
    finally:
        if worker is not None:
            from ..serving.process import stop_worker  # noqa: PLC0415

            stop_worker(worker)


def _open_room(args, cmd, env, served) -> str:
    """A room's key and folder: the token on the server's command, the room folder and link in the kernels'
    environment (ip2p_nb/serving/room.py); prints the link and its QR code. Returns the link."""
    from ..serving import room  # noqa: PLC0415

    folder = Path(args.room_dir) if args.room_dir else room.room_dir(env)
    room.check_outside(folder, served)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    token = None if args.no_token else room.room_token()
    cmd += room.jupyter_room_args(token) if args.jupyter else room.voila_room_args(token)
    link = room.room_link(args.ip, args.port, token)
    env.update({room.ROOM_DIR_ENV: str(folder.resolve()), room.ROOM_LINK_ENV: link})
    if token is None:
        print(f"Warning: --no-token: the room has no key; anyone who can reach {link} can use it and its model. "
              "Use it only on a network you trust.", file=sys.stderr)
    qr = room.qr_terminal(link)
    print(f"Room link (share it, or let attendees scan the code): {link}", flush=True)
    print(qr if qr else "(pip install segno to show a QR code of the link here)", flush=True)
    return link


def cmd_worker(args) -> int:
    from ..serving.process import serve  # noqa: PLC0415

    key = os.environ.get("IP2P_SHARED_KEY", "").encode()
    if not key:
        raise UserError("IP2P_SHARED_KEY is not set; the worker is started by `python -m ip2p_nb app --shared`.")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    serve(args.model, args.port, key, log_path=args.log, workers=args.workers)
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


