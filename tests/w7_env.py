"""Where the ipywidgets-7 environment (Colab's widget versions) is, for the tests that run in it.

`tests/make_w7_env.sh [DIR]` builds it once (default `.venv-w7` at the repository root); `IP2P_W7_VENV`
points at another one. Tests that need it skip with the command to build it when it is missing.
"""
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def w7_venv() -> Path:
    """The ipywidgets-7 environment's folder, or a skip saying how to build it."""
    venv = Path(os.environ.get("IP2P_W7_VENV") or ROOT / ".venv-w7")
    if not (venv / ".ip2p-w7-ready").exists():
        pytest.skip(f"no ipywidgets-7 environment at {venv}: build it with `bash tests/make_w7_env.sh {venv}`")
    return venv
