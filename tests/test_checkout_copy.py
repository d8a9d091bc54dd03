"""A copy of the checkout that is not the installed one (issue 34): `app` and notebooks/app.ipynb use the copy they
run from, never the package installed elsewhere (here: the editable install of this repository).

The copy is this repository's package and notebooks in a temporary folder, with a mark in its __init__.py."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

nbclient = pytest.importorskip("nbclient")
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def copy(tmp_path_factory):
    folder = tmp_path_factory.mktemp("checkout") / "ip2p_nb-copy"
    shutil.copytree(ROOT / "ip2p_nb", folder / "ip2p_nb", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "notebooks", folder / "notebooks", ignore=shutil.ignore_patterns("*.png", ".ipynb_checkpoints"))
    (folder / "assets").symlink_to(ROOT / "assets")
    shutil.copy(ROOT / "pyproject.toml", folder)
    with (folder / "ip2p_nb" / "__init__.py").open("a", encoding="utf-8") as f:
        f.write('\nCOPY_MARK = "the copy"\n')
    return folder


def _clean_env(**extra):
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return {**env, **extra}


def test_the_app_commands_kernels_import_the_copy_it_runs_from(copy, tmp_path):
    """What `app` starts Voila with (resources.with_this_package): a process in another folder imports the copy."""
    code = ("import os, subprocess, sys; from ip2p_nb.resources import with_this_package; "
            "env = with_this_package(dict(os.environ)); "
            "print(subprocess.run([sys.executable, '-c', 'import ip2p_nb; print(ip2p_nb.COPY_MARK, ip2p_nb.__file__)'], "
            f"cwd={str(tmp_path)!r}, env=env, capture_output=True, text=True).stdout)")
    done = subprocess.run([sys.executable, "-c", code], cwd=copy, env=_clean_env(), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("the copy " + str(copy / "ip2p_nb"))


def test_without_it_the_kernel_would_import_the_installed_package(copy, tmp_path):
    """The failure the fix is for: a plain child process in another folder finds the installed package, not the copy."""
    done = subprocess.run([sys.executable, "-c", "import ip2p_nb; print(getattr(ip2p_nb, 'COPY_MARK', 'installed'))"],
                          cwd=tmp_path, env=_clean_env(), capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "installed"


def test_the_app_notebook_opened_from_the_copy_runs_the_copy(copy):
    nb = nbformat.read(copy / "notebooks" / "app.ipynb", as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("import ip2p_nb; print(ip2p_nb.COPY_MARK)"))
    old = {k: os.environ.get(k) for k in ("IP2P_MODEL", "PYTHONPATH", "IP2P_TRANSLATE_OFFLINE")}
    os.environ.pop("PYTHONPATH", None)
    os.environ.update(IP2P_MODEL="tiny", IP2P_TRANSLATE_OFFLINE="1")
    try:
        nbclient.NotebookClient(nb, timeout=180, kernel_name="python3",
                                resources={"metadata": {"path": str(copy / "notebooks")}}).execute()
    finally:
        for k, v in old.items():
            os.environ.pop(k, None) if v is None else os.environ.__setitem__(k, v)
    outputs = nb.cells[-1].outputs
    assert "the copy" in "".join(o.get("text", "") for o in outputs)
    assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in nb.cells[1].outputs)
