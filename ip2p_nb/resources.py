"""Where the package's data lives: the demo model, the sample photos and the notebooks.

In a checkout (or an editable install) they are the repository's `assets/` and `notebooks/`
folders. A wheel ships the same folders inside the package as `ip2p_nb/_assets` and
`ip2p_nb/_notebooks` (pyproject.toml maps them), so an installed copy finds them too.
"""
import os
from pathlib import Path

__all__ = ["DEMO_DIR", "DEMO_T2I_DIR", "DEMO_CLIP_DIR", "SAMPLES_DIR", "APP_NOTEBOOK", "TUTORIAL_NOTEBOOK", "with_this_package",
           "cache_dir"]

_PACKAGE = Path(__file__).resolve().parent


def _find(packaged: str, in_checkout: str) -> Path:
    """The wheel's copy when installed, else the checkout's folder beside the package."""
    inside = _PACKAGE / packaged
    return inside if inside.is_dir() else _PACKAGE.parent / in_checkout


ASSETS_DIR = _find("_assets", "assets")
NOTEBOOKS_DIR = _find("_notebooks", "notebooks")
DEMO_DIR = ASSETS_DIR / "demo"                 # the toy model trained in this repository (docs/TRAINING.md)
DEMO_T2I_DIR = ASSETS_DIR / "demo-t2i"         # the toy text-to-image model of the data engine (ip2p_nb/train/t2i.py)
DEMO_CLIP_DIR = ASSETS_DIR / "demo-clip"       # the toy CLIP of the data engine's filter (ip2p_nb/train/clip.py)
SAMPLES_DIR = ASSETS_DIR / "samples"           # photos with open licences (assets/samples/SOURCES.md)
TUTORIAL_NOTEBOOK = NOTEBOOKS_DIR / "ip2p_app.ipynb"   # the walkthrough: install, hardware, the app, examples, tips
APP_NOTEBOOK = NOTEBOOKS_DIR / "app.ipynb"             # what `app` serves with Voila: the title, then the app (first screen)


def with_this_package(env: dict) -> dict:
    """`env` for a process this one starts (Voila's kernels, the room's worker): in a checkout, PYTHONPATH begins at
    the checkout, so that process imports this very package, also where it is not installed or another copy is.
    An installed package needs nothing (its site-packages is on every interpreter's path)."""
    root = _PACKAGE.parent
    if not (root / "pyproject.toml").is_file():
        return dict(env)
    rest = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p and Path(p) != root]
    return {**env, "PYTHONPATH": os.pathsep.join([str(root), *rest])}


def cache_dir() -> Path:
    """The package's cache folder (dictionaries, font coverage): $IP2P_CACHE_DIR, else $XDG_CACHE_HOME/ip2p_nb, else
    ~/.cache/ip2p_nb."""
    if os.environ.get("IP2P_CACHE_DIR"):
        return Path(os.environ["IP2P_CACHE_DIR"])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "ip2p_nb"
