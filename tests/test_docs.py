"""Every command and code block the README and the notebooks show is run here, as written.

The only change is the model: `IP2P_MODEL=demo` (the toy model trained in this repository, at its
own 64 px size) stands in for the real checkpoint, which cannot be downloaded here. The pictures the commands name
(photo.jpg, cat.jpg, ...) are sample photos copied into a scratch folder first. Long-running or
set-up commands (`app`, the install line, `bash .ci/run`) are covered elsewhere: the browser test,
tests/test_install.py and CI itself. `accelerate launch` lines run for real with CPU processes; the
two-machine launch cannot run here (it waits for a second machine) and is only checked to parse.
`python -m ...` and `python -c ...` lines run as their own processes forked from one that has already
imported torch, diffusers and transformers (tests/commands.py): the same argv, folder and environment,
without 7-8 CPU seconds of imports each.
"""
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from commands import run_python

ROOT = Path(__file__).resolve().parent.parent
SKIPPED = ("ip2p_nb app", "bash .ci/run", "python3 -m venv", "pip install")
TWO_MACHINES = "--num_machines 2"


def _blocks(markdown: str, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", markdown, flags=re.S)


def _commands(markdown: str) -> list[str]:
    """The shell lines of the ```bash blocks, with trailing comments and line continuations resolved."""
    commands = []
    for block in _blocks(markdown, "bash"):
        for line in block.replace("\\\n", " ").splitlines():
            line = line.strip()
            if not line or line.startswith("#") or any(s in line for s in SKIPPED):
                continue
            commands.append(line)
    return commands


def _notebook_markdown(name: str) -> str:
    cells = json.loads((ROOT / "notebooks" / name).read_text(encoding="utf-8"))["cells"]
    return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")


README = (ROOT / "README.md").read_text(encoding="utf-8")
README_COMMANDS = _commands(README)
NOTEBOOK_COMMANDS = [c for c in _commands(_notebook_markdown("ip2p_app.ipynb")) if "ip2p_nb" in c]


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    """A scratch folder with the pictures the docs name."""
    from ip2p_nb.resources import SAMPLES_DIR

    folder = tmp_path_factory.mktemp("docs")
    for name in ("photo.jpg", "a.jpg", "b.jpg"):
        shutil.copy(SAMPLES_DIR / "coffee.jpg", folder / name)
    shutil.copy(SAMPLES_DIR / "cat.jpg", folder / "cat.jpg")
    (folder / "photos" / "trip").mkdir(parents=True)  # `batch photos/`: a folder searched recursively
    shutil.copy(SAMPLES_DIR / "cat.jpg", folder / "photos" / "cat.jpg")
    shutil.copy(SAMPLES_DIR / "rocket.jpg", folder / "photos" / "trip" / "rocket.jpg")
    (folder / "frames").mkdir()  # `batch "frames/*.png"`: video frames
    for i in range(3):
        Image.open(SAMPLES_DIR / "coffee.jpg").rotate(i * 5).save(folder / "frames" / f"{i:04d}.png")
    (folder / "captions.txt").write_text(  # `pairs captions.txt`: captions the offline engine can draw
        "a yellow house with a red roof, a tree, a dog on a sunny day in summer\n黄色的房子，蓝色的屋顶，一棵树，夏天的夜晚\n",
        encoding="utf-8")
    (folder / "jobs.csv").write_text("image,instruction,seed\nphotos/cat.jpg,把猫变成老虎,1\nphoto.jpg,make it snowy,2\n",
                                     encoding="utf-8")
    return folder


def _env():
    env = dict(os.environ, IP2P_MODEL="demo", IP2P_TRANSLATE_OFFLINE="1", OMP_NUM_THREADS="1")
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    return env


def _run_shell(line: str, cwd: Path) -> subprocess.CompletedProcess:
    code = line.split("  #")[0].strip()  # the README's trailing comments
    argv = shlex.split(code)
    if argv[0] in ("python", "python3") and argv[1] in ("-m", "-c"):
        return run_python(argv[1:], cwd, _env(), timeout=600)
    if argv[0] in ("python", "python3"):
        argv[0] = sys.executable
    if argv[:2] == ["accelerate", "launch"]:  # the venv's accelerate, on CPU processes joined with gloo
        argv = [sys.executable, "-m", "accelerate.commands.launch", "--main_process_port", str(_free_port()), *argv[2:]]
    return subprocess.run(argv, cwd=cwd, env=_env(), capture_output=True, text=True, timeout=600)


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_docs_show_commands_at_all():
    assert len(README_COMMANDS) >= 10 and len(NOTEBOOK_COMMANDS) >= 2
    assert any(c.startswith("python -m ip2p_nb explore") and "--max-size" not in c for c in README_COMMANDS)


@pytest.mark.parametrize("index", range(len(README_COMMANDS)), ids=[c[:60] for c in README_COMMANDS])
def test_readme_command_runs_as_written(index, workdir):
    line = README_COMMANDS[index]
    if TWO_MACHINES in line:  # would wait for the second machine: check that accelerate accepts the arguments
        from accelerate.commands.launch import launch_command_parser

        launch_command_parser().parse_args(shlex.split(line)[2:])
        return
    done = _run_shell(line, workdir)
    assert done.returncode == 0, f"{line}\n{done.stderr[-2000:]}"
    assert "Traceback" not in done.stderr
    for output in re.findall(r"(?:-o|--poster)\s+(\S+\.png)", line):  # every picture it promises exists
        assert (workdir / output).is_file(), output


@pytest.mark.parametrize("index", range(len(NOTEBOOK_COMMANDS)), ids=[c[:60] for c in NOTEBOOK_COMMANDS])
def test_notebook_command_runs_as_written(index, workdir):
    line = NOTEBOOK_COMMANDS[index]
    done = _run_shell(line, workdir)
    assert done.returncode == 0, f"{line}\n{done.stderr[-2000:]}"
    for output in re.findall(r"-o\s+(\S+\.png)", line):
        assert (workdir / output).is_file(), output


def test_readme_python_blocks_run(workdir):
    """The README's Python blocks in order, in one interpreter, as a reader pastes them into one notebook."""
    blocks = _blocks(README, "python")
    assert len(blocks) >= 2
    script = "\n".join(blocks)
    done = subprocess.run([sys.executable, "-c", script], cwd=workdir, env=_env(), capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, f"{script}\n{done.stderr[-2000:]}"
