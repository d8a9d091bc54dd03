"""Shared fixtures: the offline `tiny` pipeline and test photos generated on the fly.

The network is off for every test: connections to anything but loopback addresses fail at once
(in this process), and the environment tells our translators and the hub client to stay offline
(for the subprocesses, kernels and servers the tests start). Tests of the loopback Google
endpoint and the loopback hub switch the relevant setting back on for themselves.

The suite runs in pytest-xdist workers (`-n 2 --dist loadgroup`, pyproject's addopts). Each worker
gets its share of the CPU cores for torch (set before numpy and torch are imported), its own cache
and run folders, and `pytest_xdist_make_scheduler` groups the tests: the browser tests and the
tests that start servers or process groups run one after another on one worker (the `serial`
group); every other module stays whole on one worker, so its module fixtures are built once.
"""
import os

if os.environ.get("PYTEST_XDIST_WORKER") and "OMP_NUM_THREADS" not in os.environ:
    # Two workers on two cores, each with torch's default of one thread per core, would fight for them.
    _workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    os.environ["OMP_NUM_THREADS"] = str(max(1, (os.cpu_count() or 1) // _workers))

import errno  # noqa: E402
import ipaddress  # noqa: E402
import socket  # noqa: E402
import tempfile  # noqa: E402

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

# The translators stay offline, the model hub is a closed loopback port and no mirror is probed, also in
# the subprocesses, kernels and servers tests start. Tests of the loopback endpoints set their own.
OFFLINE_ENV = {"IP2P_TRANSLATE_OFFLINE": "1", "HF_ENDPOINT": "http://127.0.0.1:9", "IP2P_HUB_MIRRORS": "",
               "IP2P_MODELSCOPE_ENDPOINT": "http://127.0.0.1:9", "HF_HUB_DISABLE_TELEMETRY": "1"}
os.environ.update(OFFLINE_ENV)
# A workshop room's visitors' folders (ip2p_nb/serving/room.py) go to a temporary folder, never ~/ip2p-room.
os.environ.setdefault("IP2P_ROOM_DIR", tempfile.mkdtemp(prefix="ip2p-test-room-"))


def _is_loopback(address) -> bool:
    if not isinstance(address, tuple):  # AF_UNIX paths and the like
        return True
    try:
        return ipaddress.ip_address(address[0].split("%")[0]).is_loopback
    except ValueError:  # a host name: only localhost is ours
        return address[0] == "localhost"


_connect, _connect_ex = socket.socket.connect, socket.socket.connect_ex


def _guarded_connect(self, address):
    if not _is_loopback(address):
        raise OSError(errno.ENETUNREACH, f"the network is off in tests (tried {address!r})")
    return _connect(self, address)


def _guarded_connect_ex(self, address):
    if not _is_loopback(address):
        return errno.ENETUNREACH
    return _connect_ex(self, address)


socket.socket.connect, socket.socket.connect_ex = _guarded_connect, _guarded_connect_ex


@pytest.fixture
def tiny_pipe():
    """A fresh tiny pipeline (0.03 s to build), so a test may alter it freely."""
    from ip2p_nb.models.tiny import build_tiny_pipeline

    return build_tiny_pipeline()


@pytest.fixture
def tiny_editor(tiny_pipe):
    from ip2p_nb.editing.editor import Editor

    return Editor(tiny_pipe, model_name="tiny")


def scene(width=640, height=480, seed=0) -> Image.Image:
    """A synthetic 'photo': sky, ground, a sun and a house, with a little noise."""
    rng = np.random.default_rng(seed)
    a = np.zeros((height, width, 3), np.float32)
    a[: height // 2] = (110, 160, 235)
    a[height // 2:] = (70, 150, 70)
    yy, xx = np.mgrid[:height, :width]
    sun = (yy - height * 0.2) ** 2 + (xx - width * 0.8) ** 2 < (min(width, height) * 0.08) ** 2
    a[sun] = (250, 220, 80)
    a[int(height * 0.4): int(height * 0.7), int(width * 0.2): int(width * 0.4)] = (180, 60, 50)
    a += rng.normal(0, 6, a.shape)
    return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8), "RGB")


@pytest.fixture
def photo():
    return scene()


@pytest.fixture
def photo_path(tmp_path):
    path = tmp_path / "photo.png"
    scene().save(path)
    return path


@pytest.fixture(autouse=True, scope="session")
def _dictionary_cache_in_tmp(tmp_path_factory):
    """The translator's dictionary caches (ip2p_nb/translation/lexicon.py) and converted models go to a
    temporary folder, also for the subprocesses tests start, never to the user's ~/.cache; the records
    of loaded copies (models/memory.py) too, so that another worker's or another run's copies are not
    counted as this machine's other notebooks."""
    if "IP2P_CACHE_DIR" not in os.environ:
        os.environ["IP2P_CACHE_DIR"] = str(tmp_path_factory.mktemp("ip2p_cache"))
    if "IP2P_RUN_DIR" not in os.environ:
        os.environ["IP2P_RUN_DIR"] = str(tmp_path_factory.mktemp("ip2p_run"))
    yield


# Modules whose tests start servers, kernels or groups of processes: with the browser tests, they run one
# after another on one worker rather than beside each other. (test_docs, whose README commands are one
# process at a time, stays out: with it the serial worker would hold most of the suite's time.)
SERIAL_MODULES = {"test_app_stop", "test_distributed", "test_first_screen", "test_install", "test_notebook", "test_shared"}


def _group(nodeid: str) -> str:
    """The xdist group of a test: `serial` for the browser tests (test_browser*.py) and SERIAL_MODULES, else its module."""
    module = nodeid.split("::", 1)[0]
    stem = module.rsplit("/", 1)[-1].removesuffix(".py")
    return "serial" if stem.startswith("test_browser") or stem in SERIAL_MODULES else module


# Seconds per group in the last CI run (its "time per worker" summary), for the order only; any other group counts
# one second per test.
_EXPECTED_SECONDS = {"serial": 500, "tests/test_notebook_alone.py": 165, "tests/test_docs.py": 140,
                     "tests/test_runtime.py": 120, "tests/test_python_versions.py": 70, "tests/test_cpu_defaults.py": 58,
                     "tests/test_schedulers.py": 47, "tests/test_regions.py": 32, "tests/test_cli.py": 31}


def pytest_xdist_make_scheduler(config, log):
    """`--dist loadgroup` by `_group`. (xdist 3.8's own loadgroup renames `item._nodeid`, which pytest 9 no longer
    reads, so its `xdist_group` marks have no effect; this scheduler groups by the test's file instead.)"""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class Grouped(LoadScopeScheduling):
        def _split_scope(self, nodeid):
            return _group(nodeid)

        def _assign_work_unit(self, node):
            # Longest first: the group expected to take longest goes to the next free worker, so the two long
            # ones (serial, the notebook alone) start at once on different workers instead of one after another.
            heaviest = max(self.workqueue, key=lambda scope: _EXPECTED_SECONDS.get(scope, len(self.workqueue[scope])))
            self.workqueue.move_to_end(heaviest, last=False)
            super()._assign_work_unit(node)

    return Grouped(config, log)


@pytest.fixture(scope="session")
def voila_app(tmp_path_factory):
    """One Voila server of the app notebook on the `tiny` model for every browser test of the run:
    (server, folder of the served copy). Each test module opens its own page (its own kernel) on it."""
    import shutil
    from pathlib import Path

    from voila_server import VoilaServer

    root = Path(__file__).resolve().parent.parent
    folder = tmp_path_factory.mktemp("voila") / "notebooks"
    folder.mkdir()
    shutil.copy(root / "notebooks" / "ip2p_app.ipynb", folder)
    env = {"IP2P_MODEL": "tiny", "IP2P_SKIP_INSTALL": "1", "IP2P_TRANSLATE_OFFLINE": "1",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")]))}
    server = VoilaServer(folder / "ip2p_app.ipynb", env)
    server.start()
    yield server, folder
    server.stop()


# Where the suite's time goes, per xdist worker and per group (printed at the end of every run): the
# run's wall time is about the busiest worker's, so a cut helps only on the worker that finishes last.
_WORK: dict = {}


def pytest_runtest_logreport(report):
    node = getattr(report, "node", None)   # set on the controller for a worker's report
    if node is not None:
        worker = node.gateway.id
        group = _group(report.nodeid)
        seconds = _WORK.setdefault(worker, {})
        seconds[group] = seconds.get(group, 0.0) + report.duration


def pytest_terminal_summary(terminalreporter):
    if not _WORK:
        return
    terminalreporter.section("time per worker (setup + call + teardown, seconds)")
    for worker, groups in sorted(_WORK.items()):
        top = sorted(groups.items(), key=lambda kv: -kv[1])[:6]
        terminalreporter.write_line(f"{worker}: {sum(groups.values()):.0f} s; " + ", ".join(f"{g.rsplit('/', 1)[-1]} {s:.0f}" for g, s in top))
