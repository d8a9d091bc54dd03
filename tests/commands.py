"""Run `python -m ip2p_nb ...` and `python -c ...` command lines as separate processes, without paying for
torch's, diffusers' and transformers' imports (7-8 CPU seconds) in every one.

A command line the docs print is still run as written: its own process, its own working folder, the
environment it would get, `sys.argv` as the interpreter would set it, `ip2p_nb` imported fresh, stdin
closed, stdout and stderr captured, the exit status of `SystemExit` or 1 with Python's traceback for an
uncaught exception, atexit handlers run. What is shared is only the third-party libraries already
imported: a "zygote" process per distinct environment, started with exactly that environment (so what
huggingface_hub, torch and the others read from it at import is what a fresh process would read), imports
them once and forks one child per command.

Tests that need a truly fresh interpreter (an installed command, a server, `accelerate launch`) start
one themselves; tests/test_cli.py runs its error lines in a fresh interpreter too.
"""
import atexit
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

PRELOAD = ("torch", "numpy", "PIL.Image", "diffusers", "transformers")
_ZYGOTES: dict = {}
_LOCK = threading.Lock()


def _serve() -> None:  # the zygote: one JSON request per line on stdin, one JSON answer per line on stdout
    import importlib

    sys.path.pop(0)   # tests/, this script's folder: a command's sys.path[0] is its own (set in _child)
    for name in PRELOAD:
        importlib.import_module(name)
    sys.modules["diffusers"].StableDiffusionInstructPix2PixPipeline  # noqa: B018 (diffusers' lazy pipeline import)
    answers = os.fdopen(os.dup(1), "w")
    for line in sys.stdin:
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            _child(request)
        answers.write(json.dumps({"pid": pid}) + "\n")
        answers.flush()
        _, status = os.waitpid(pid, 0)
        answers.write(json.dumps({"returncode": os.waitstatus_to_exitcode(status)}) + "\n")
        answers.flush()


def _child(request: dict) -> None:
    code = 1
    try:
        os.setsid()
        os.chdir(request["cwd"])
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        for fd, path in ((1, request["stdout"]), (2, request["stderr"])):
            out = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            os.dup2(out, fd)
        # as a fresh interpreter opens them on files: the locale's encoding, stderr line-buffered and lenient
        sys.stdin = open(0, closefd=False)
        sys.stdout = open(1, "w", closefd=False)
        sys.stderr = open(2, "w", buffering=1, errors="backslashreplace", closefd=False)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        argv = request["argv"]
        try:
            if argv[0] == "-m":
                import runpy

                sys.path.insert(0, os.getcwd())   # as `python -m` sets it; runpy puts the module's path in argv[0]
                sys.argv = [argv[1], *argv[2:]]
                runpy.run_module(argv[1], run_name="__main__", alter_sys=True)
            else:                                 # ["-c", code, args...]
                sys.path.insert(0, "")
                sys.argv = ["-c", *argv[2:]]
                exec(compile(argv[1], "<string>", "exec"), {"__name__": "__main__", "__builtins__": __builtins__})
            code = 0
        except SystemExit as e:
            if e.code is None or isinstance(e.code, int):
                code = e.code or 0
            else:                                 # sys.exit("message"): printed, status 1
                print(e.code, file=sys.stderr)
                code = 1
        except BaseException:
            import traceback

            traceback.print_exc()
            code = 1
        atexit._run_exitfuncs()
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:
                pass
        os._exit(code)


class _Zygote:
    def __init__(self, env: dict):
        self.process = subprocess.Popen([sys.executable, __file__], env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.DEVNULL,   # its imports' notices: a command's own go to its stderr
                                        text=True, start_new_session=True)
        self.lock = threading.Lock()

    def run(self, argv: list, cwd, timeout: float) -> subprocess.CompletedProcess:
        with self.lock, tempfile.TemporaryDirectory(prefix="ip2p-cmd-") as tmp:
            out, err = Path(tmp, "stdout"), Path(tmp, "stderr")
            self.process.stdin.write(json.dumps(dict(argv=argv, cwd=str(cwd), stdout=str(out), stderr=str(err))) + "\n")
            self.process.stdin.flush()
            pid = json.loads(self.process.stdout.readline())["pid"]
            expired = threading.Event()
            timer = threading.Timer(timeout, lambda: (expired.set(), _kill_group(pid)))
            timer.start()
            try:
                line = self.process.stdout.readline()
            finally:
                timer.cancel()
            if not line:
                raise RuntimeError(f"the command zygote died running {argv}")
            code = json.loads(line)["returncode"]
            if expired.is_set():
                raise subprocess.TimeoutExpired(["python", *argv], timeout)
            read = lambda p: p.read_text(encoding="utf-8", errors="replace") if p.exists() else ""  # noqa: E731
            return subprocess.CompletedProcess(["python", *argv], code, read(out), read(err))

    def close(self):
        try:
            self.process.stdin.close()
            self.process.wait(timeout=30)
        except Exception:
            self.process.kill()


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def run_python(argv: list, cwd, env: dict, timeout: float = 600) -> subprocess.CompletedProcess:
    """`python ARGV...` (ARGV starting with "-m MODULE" or "-c CODE") in `cwd` with exactly `env`, as its own process."""
    if argv[0] not in ("-m", "-c"):
        raise ValueError(f"run_python runs `-m MODULE` or `-c CODE`, not {argv[:1]}")
    env = {k: v for k, v in env.items() if k != "PYTEST_CURRENT_TEST"}   # pytest's per-test name: not the command's business
    key = json.dumps(sorted(env.items()))
    with _LOCK:
        zygote = _ZYGOTES.get(key)
        if zygote is None or zygote.process.poll() is not None:
            zygote = _ZYGOTES[key] = _Zygote(env)
    return zygote.run(argv, cwd, timeout)


@atexit.register
def _close_all():
    for zygote in _ZYGOTES.values():
        zygote.close()


if __name__ == "__main__":
    _serve()
