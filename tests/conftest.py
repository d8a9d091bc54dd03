"""Shared fixtures: the offline `tiny` pipeline and test photos generated on the fly.

The network is off for every test: connections to anything but loopback addresses fail at once
(in this process), and the environment tells our translators and the hub client to stay offline
(for the subprocesses, kernels and servers the tests start). Tests of the loopback Google
endpoint and the loopback hub switch the relevant setting back on for themselves.
"""
import errno
import ipaddress
import os
import socket
import tempfile

import numpy as np
import pytest
from PIL import Image

# The translators stay offline, the model hub is a closed loopback port and no mirror is probed, also in
# the subprocesses, kernels and servers tests start. Tests of the loopback endpoints set their own.
OFFLINE_ENV = {"IP2P_TRANSLATE_OFFLINE": "1", "HF_ENDPOINT": "http://127.0.0.1:9", "IP2P_HUB_MIRRORS": "",
               "HF_HUB_DISABLE_TELEMETRY": "1"}
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
    """The translator's dictionary caches (ip2p_nb/translation/lexicon.py) go to a temporary folder,
    also for the subprocesses tests start, never to the user's ~/.cache."""
    import os

    if "IP2P_CACHE_DIR" not in os.environ:
        os.environ["IP2P_CACHE_DIR"] = str(tmp_path_factory.mktemp("ip2p_cache"))
    yield
