"""The notebook opened alone, as "Open in Colab" gives it: its first cell installs what is missing and nothing else.

1. Alone: only notebooks/ip2p_app.ipynb in an empty folder, a fresh virtual environment with nothing but
   torch and ipykernel, IP2P_PACKAGE set to a wheel built from this checkout. nbclient runs it top to
   bottom on `tiny` in that environment's kernel: the first cell installs the package and its missing
   requirements, the app cell shows the app, the Python example edits. Then the same notebook in another empty
   folder with no model reachable (the tests' closed hub): the install cell does nothing, the app starts on `demo`.
2. Install economy: a "hosted-like" environment that already has torch, ipywidgets 7.7.1 (Colab's), numpy,
   Pillow 11 and an old tqdm. The first cell, run as a script with tqdm already imported, replaces nothing that
   satisfied our range (`pip list` before and after), upgrades only the out-of-range tqdm, and says to restart
   because tqdm was imported; run again, it installs nothing.

Real `python -m venv` environments and real pip from the package index, so this module takes minutes; the seconds
are printed (`pytest -s`) and recorded as properties. Torch stands for what a platform already has: rather than
unpacking its 900 MB wheel twice (minutes on a busy 2-core machine), each environment gets this environment's
torch and its dependencies as a `.pth` folder of links, which pip and importlib see as installed like any other.
"""
import contextlib
import json
import os
import shutil
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

import nbformat
import pytest
from packaging.requirements import Requirement

from test_install import build_wheel

nbclient = pytest.importorskip("nbclient")

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "ip2p_app.ipynb"
WIDGET = "application/vnd.jupyter.widget-view+json"


def _clean_env(**changes) -> dict:
    """This process's environment without what would show the checkout (PYTHONPATH, the test venv), plus `changes`."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "IP2P_SKIP_INSTALL")}
    return {**env, "OMP_NUM_THREADS": "1", **changes}


def _with_dependencies(name: str, found: dict) -> dict:
    """{name: Distribution} of `name` and everything it requires here (setuptools left to the venv's own)."""
    dist = metadata.distribution(name)
    key = dist.metadata["Name"].lower()
    if key not in found and key != "setuptools":
        found[key] = dist
        for text in dist.requires or []:
            req = Requirement(text)
            if req.marker is None or req.marker.evaluate({"extra": ""}):
                _with_dependencies(req.name, found)
    return found


def _make_venv(folder: Path, *packages: str) -> tuple[Path, float]:
    """A fresh virtual environment with this environment's torch (linked) and `packages` installed by its own pip:
    (its python, seconds taken)."""
    start = time.monotonic()
    # --upgrade-deps: today's pip and setuptools, as a hosted platform has (venv's bundled setuptools 65 is older
    # than some requirements accept)
    subprocess.run([sys.executable, "-m", "venv", "--upgrade-deps", str(folder)], check=True, timeout=300, env=_clean_env())
    python = folder / "bin" / "python"
    # What the platform has: torch and its dependencies, linked. Outside the venv's prefix, so its pip counts them
    # as not its own and would never uninstall them (which would reach through the links).
    platform = folder.parent / f"{folder.name}-platform-site"
    platform.mkdir()
    for dist in _with_dependencies("torch", {}).values():
        for top in {Path(str(f)).parts[0] for f in dist.files if not str(f).startswith("..")} - {"__pycache__"}:
            if not top.endswith(".pth") and not (platform / top).exists():
                (platform / top).symlink_to(Path(dist.locate_file(top)))
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    Path(purelib, "platform.pth").write_text(f"{platform}\n")
    done = subprocess.run([str(python), "-m", "pip", "install", "-q", *packages], capture_output=True, text=True,
                          timeout=900, env=_clean_env())
    assert done.returncode == 0, done.stderr[-3000:]
    return python, time.monotonic() - start


def _pip_list(python: Path) -> dict:
    out = subprocess.run([str(python), "-m", "pip", "list", "--format", "json"], capture_output=True, text=True,
                         check=True, env=_clean_env()).stdout
    return {p["name"].lower().replace("_", "-"): p["version"] for p in json.loads(out)}


def _install_cell() -> str:
    return next(c.source for c in nbformat.read(NOTEBOOK, as_version=4).cells if c.cell_type == "code")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    return build_wheel(tmp_path_factory.mktemp("alone") / "wheels")


@contextlib.contextmanager
def _environ(changes: dict):
    """os.environ with `changes` (None deletes) for the kernels nbclient starts; restored afterwards."""
    old = dict(os.environ)
    for key, value in changes.items():
        os.environ.pop(key, None) if value is None else os.environ.__setitem__(key, value)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(old)


def _run_timed(folder: Path, kernel: str, env: dict) -> tuple:
    """Execute folder/ip2p_app.ipynb cell by cell in `kernel`: (notebook, {cell index: seconds since the start})."""
    nb = nbformat.read(folder / NOTEBOOK.name, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=900, kernel_name=kernel, resources={"metadata": {"path": str(folder)}})
    marks, start = {}, time.monotonic()
    with _environ(env), client.setup_kernel():
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)
            marks[index] = time.monotonic() - start
    return nb, marks


def _text(cell) -> str:
    return "".join(o.get("text", "") for o in cell.outputs)


def test_the_notebook_alone_installs_itself_shows_the_app_and_edits(wheel, tmp_path_factory, record_property):
    work = tmp_path_factory.mktemp("alone_env")
    python, venv_seconds = _make_venv(work / "venv", "ipykernel")
    before = _pip_list(python)
    spec = work / "share" / "jupyter" / "kernels" / "ip2p-alone"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({"argv": [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                                                  "display_name": "ip2p alone", "language": "python"}))
    env = {"PYTHONPATH": None, "VIRTUAL_ENV": None, "IP2P_SKIP_INSTALL": None, "JUPYTER_PATH": str(work / "share" / "jupyter"),
           "IP2P_PACKAGE": str(wheel), "OMP_NUM_THREADS": "1"}

    # 1. the notebook alone in an empty folder, on tiny: installs, shows the app, edits
    folder = work / "opened"
    folder.mkdir()
    shutil.copy(NOTEBOOK, folder)
    nb, marks = _run_timed(folder, "ip2p-alone", {**env, "IP2P_MODEL": "tiny"})
    code = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    install, app_cell = code[0], next(i for i in code if "App(editor" in nb.cells[i].source)
    edit_cell = next(i for i in code if "editor.edit(photo" in nb.cells[i].source)
    said = _text(nb.cells[install])
    assert f"installing ip2p_nb from {wheel}" in said and "installing: " in said and "Restart" not in said, said
    assert any(WIDGET in o.get("data", {}) for o in nb.cells[app_cell].outputs)
    assert "platform: Jupyter" in _text(nb.cells[code[1]])
    assert (folder / "poster_from_python.png").is_file() and "seed 42" in _text(nb.cells[edit_cell])
    after = _pip_list(python)
    assert after["torch"] == before["torch"] and after["ip2p-nb"] == "0.1.0"     # torch kept, the package from the wheel
    where = subprocess.run([str(python), "-c", "import ip2p_nb; print(ip2p_nb.__file__)"], capture_output=True, text=True,
                           cwd=folder, env=_clean_env()).stdout
    assert where.startswith(str(work / "venv"))

    # 2. again, in another empty folder, with no model reachable: nothing to install, the demo app
    offline = work / "offline"
    offline.mkdir()
    shutil.copy(NOTEBOOK, offline)
    nb2, marks2 = _run_timed(offline, "ip2p-alone", {**env, "IP2P_MODEL": None})
    assert "everything is installed, nothing to do" in _text(nb2.cells[install])
    assert "running on the demo model" in "".join(_text(c) for c in nb2.cells if c.cell_type == "code")
    assert any(WIDGET in o.get("data", {}) for o in nb2.cells[app_cell].outputs)
    assert _pip_list(python) == after

    figures = {"venv_ipykernel_s": venv_seconds, "install_cell_s": marks[install], "open_to_app_tiny_s": marks[app_cell],
               "open_to_first_edit_tiny_s": marks[edit_cell], "installed_open_to_demo_app_offline_s": marks2[app_cell]}
    for name, seconds in figures.items():
        record_property(name, round(seconds, 1))
    print("\nnotebook alone (s): " + ", ".join(f"{k} {v:.1f}" for k, v in figures.items()))


def test_install_cell_keeps_what_a_hosted_platform_already_has(wheel, tmp_path_factory, record_property):
    work = tmp_path_factory.mktemp("hosted_like")
    python, _ = _make_venv(work / "venv", "ipywidgets==7.7.1", "numpy", "pillow>=10,<12", "tqdm==4.50.0")
    before = _pip_list(python)
    assert before["ipywidgets"] == "7.7.1" and before["pillow"].startswith("11.")
    (work / "install_cell.py").write_text(_install_cell())
    folder = work / "empty"
    folder.mkdir()
    run = [str(python), "-c", "import tqdm; exec(open('../install_cell.py').read())"]   # tqdm imported, as a platform may have
    start = time.monotonic()
    first = subprocess.run(run, cwd=folder, capture_output=True, text=True, timeout=900, env=_clean_env(IP2P_PACKAGE=str(wheel)))
    seconds = time.monotonic() - start
    assert first.returncode == 0, first.stderr[-3000:]
    after = _pip_list(python)
    changed = {name: (version, after.get(name)) for name, version in before.items() if after.get(name) != version}
    assert changed == {"tqdm": ("4.50.0", after["tqdm"])}, changed        # only the out-of-range one; torch, ipywidgets 7 stay
    assert "ipywidgets" not in first.stdout.split("installing:")[-1].splitlines()[0]   # the list of what was installed
    assert "Restart the kernel" in first.stdout and "tqdm" in first.stdout.split("Restart the kernel")[-1]
    again = subprocess.run(run, cwd=folder, capture_output=True, text=True, timeout=300, env=_clean_env(IP2P_PACKAGE=str(wheel)))
    assert "everything is installed, nothing to do" in again.stdout and "Restart" not in again.stdout
    assert _pip_list(python) == after
    record_property("hosted_like_install_cell_s", round(seconds, 1))
    print(f"\nhosted-like install cell: {seconds:.1f} s; added {len(after) - len(before)} packages, kept {len(before) - 1} as they were")


def test_install_cell_says_what_to_set_when_no_source_is_reachable(tmp_path):
    """No package and an unreachable source: one sentence naming IP2P_PACKAGE, no traceback (a bare venv: seconds)."""
    subprocess.run([sys.executable, "-m", "venv", str(tmp_path / "venv")], check=True, timeout=300)
    (tmp_path / "cell.py").write_text(_install_cell())   # packaging from pip's vendored copy: the bare venv has no other
    done = subprocess.run([str(tmp_path / "venv" / "bin" / "python"), "cell.py"], cwd=tmp_path, capture_output=True, text=True,
                          timeout=300, env=_clean_env(IP2P_PACKAGE=str(tmp_path / "missing" / "ip2p_nb-0.1.0-py3-none-any.whl")))
    assert done.returncode != 0
    assert "Could not install ip2p_nb from" in done.stderr and "Set IP2P_PACKAGE to a wheel file, a git URL or a package name" in done.stderr
    assert "Traceback" not in done.stderr
