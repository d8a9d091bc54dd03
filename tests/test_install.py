"""A wheel built from this checkout, installed into a fresh virtual environment and used from another
folder, edits with the demo model, finds its sample photos and notebook, and serves the app.

The fresh environment gets the already-installed dependencies through a `.pth` line (no download,
and the checkout's own editable install is not visible there); ip2p_nb itself comes only from
the wheel. The notebook opened alone, and its install cell's economy on a hosted-like environment,
are in tests/test_notebook_alone.py (real virtual environments, real pip).
"""
import os
import signal
import site
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent


def build_wheel(folder: Path) -> Path:
    """The wheel of this checkout (no dependencies), built into `folder`."""
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                            "-w", str(folder), str(ROOT)], capture_output=True, text=True, timeout=300, cwd=folder.parent)
    assert built.returncode == 0, built.stderr[-2000:]
    (wheel,) = folder.glob("ip2p_nb-*.whl")
    return wheel


@pytest.fixture(scope="module")
def venv(tmp_path_factory):
    work = tmp_path_factory.mktemp("install")
    wheel = build_wheel(work / "wheels")
    env_dir = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env_dir)], check=True, timeout=120)
    python = env_dir / "bin" / "python"
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    Path(purelib, "deps.pth").write_text("\n".join(site.getsitepackages()) + "\n")  # dependencies, not ip2p_nb
    # without PYTHONPATH: a checkout on it (with the egg-info a wheel build leaves) reads as ip2p_nb already installed
    done = subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)],
                          capture_output=True, text=True, timeout=300, env=_env())
    assert done.returncode == 0, done.stderr[-2000:]
    return env_dir, work / "elsewhere"


def _env():
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return dict(env, OMP_NUM_THREADS="1", IP2P_TRANSLATE_OFFLINE="1")


def test_installed_wheel_edits_with_the_demo_model_from_another_folder(venv):
    env_dir, elsewhere = venv
    elsewhere.mkdir(exist_ok=True)
    python = env_dir / "bin" / "python"
    where = subprocess.run([str(python), "-c", "import ip2p_nb, ip2p_nb.resources as r; print(ip2p_nb.__file__);"
                            "print(r.DEMO_DIR.is_dir(), r.APP_NOTEBOOK.is_file(), len(list(r.SAMPLES_DIR.glob('*.jpg'))))"],
                           cwd=elsewhere, env=_env(), capture_output=True, text=True, timeout=120)
    assert where.returncode == 0, where.stderr
    module_file, found = where.stdout.splitlines()
    assert str(env_dir) in module_file and str(ROOT) not in module_file  # the wheel's copy, not the checkout
    assert found.split() == ["True", "True", "4"]
    Image.new("RGB", (96, 64), (90, 140, 220)).save(elsewhere / "photo.png")
    done = subprocess.run([str(env_dir / "bin" / "ip2p-nb"), "edit", "photo.png", "make it night", "--model", "demo",
                           "--seed", "3", "--steps", "2"], cwd=elsewhere, env=_env(), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    with Image.open(elsewhere / "photo_edited.png") as out:
        assert out.size == (64, 40) and "seed 3" in done.stdout  # demo's own size: 64 px on the long side


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to count the server's processes")
def test_installed_app_command_serves_the_notebook_and_stops_with_its_server(venv):
    pytest.importorskip("voila")
    env_dir, elsewhere = venv
    elsewhere.mkdir(exist_ok=True)
    port = _free_port()
    # Voila's page templates are data files under the prefix of the environment that installed it; the fresh
    # environment borrows the installed packages through a .pth line, so it is told where their data lives.
    env = dict(_env(), JUPYTER_PATH=str(Path(sys.prefix) / "share" / "jupyter"))
    log = open(elsewhere / "app.log", "w")
    app = subprocess.Popen([str(env_dir / "bin" / "ip2p-nb"), "app", "--model", "tiny", "--port", str(port)],
                           cwd=elsewhere, env=env, stdout=log, stderr=subprocess.STDOUT, text=True)
    try:
        deadline, page = time.time() + 120, ""
        while time.time() < deadline and not page:
            try:
                page = urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=60).read().decode()
            except OSError:
                time.sleep(1)
        assert "ip2p" in page.lower() or "voila" in page.lower(), (elsewhere / "app.log").read_text()[-2000:]
        server = _children_of(app.pid)
        assert server, "the app command started no server process"
        app.send_signal(signal.SIGTERM)
        assert app.wait(timeout=30) != 0
        time.sleep(1)
        assert not [p for p in server if Path(f"/proc/{p}").exists() and _state(p) != "Z"]
    finally:
        if app.poll() is None:
            app.kill()
        log.close()


def _children_of(pid: int) -> list:
    """Processes whose parent chain leads to `pid`."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                parents[int(entry.name)] = int(fields[1])
            except (OSError, IndexError, ValueError):
                pass
    found, frontier = [], [pid]
    while frontier:
        current = frontier.pop()
        kids = [p for p, parent in parents.items() if parent == current]
        found += kids
        frontier += kids
    return found


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "gone"
