"""The main notebook runs top to bottom headless with the `tiny` model and shows the app.

nbclient executes notebooks/ip2p_app.ipynb in a fresh kernel inside a temporary copy of the
notebooks folder (so `poster_from_python.png` lands there), with IP2P_MODEL=tiny and the install
step skipped.
"""
import json
import os
import shutil
from pathlib import Path

import nbformat
from PIL import Image
import pytest

nbclient = pytest.importorskip("nbclient")

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "ip2p_app.ipynb"
WIDGET = "application/vnd.jupyter.widget-view+json"


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    folder = tmp_path_factory.mktemp("notebooks")
    shutil.copy(NOTEBOOK, folder / NOTEBOOK.name)
    nb = nbformat.read(folder / NOTEBOOK.name, as_version=4)
    env = {"IP2P_MODEL": "tiny", "IP2P_SKIP_INSTALL": "1", "IP2P_TRANSLATE_OFFLINE": "1",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(NOTEBOOK.parents[1]), os.environ.get("PYTHONPATH")]))}
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)  # the kernel inherits this process's environment
    try:
        nbclient.NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(folder)}}).execute()
    finally:
        for k, v in old.items():
            os.environ.pop(k) if v is None else os.environ.__setitem__(k, v)
    return nb, folder


def test_committed_notebook_has_no_outputs():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in nb.cells if c.cell_type == "code")


def test_every_step_has_a_bilingual_heading_and_a_parameters_cell():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            assert any(c.cell_type == "markdown" and c.source.lstrip().startswith("#") for c in nb.cells[:i])
    headings = [c.source.splitlines()[0] for c in nb.cells if c.cell_type == "markdown"]
    assert all(" / " in h for h in headings)  # 中文 / English
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1 and 'MODEL = "timbrooks/instruct-pix2pix"' in tagged[0].source


def test_runs_without_errors_and_shows_the_app(executed):
    nb, folder = executed
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    text = "".join(o.get("text", "") for o in outputs)
    assert "model loaded" in text and "tiny" in text and "suggested max_size" in text
    assert "platform: Jupyter" in text                     # where am I: nbclient's kernel is a plain Jupyter one
    app_cell = next(c for c in nb.cells if c.cell_type == "code" and "App(editor" in c.source)
    assert any(WIDGET in o.get("data", {}) for o in app_cell.outputs)
    assert (folder / "poster_from_python.png").is_file()
    grids = [Image.open(folder / name) for name in ("guidance_grid.png", "phrasing_grid.png")]  # the Explore section
    assert [len(json.loads(g.info["tiles"])) for g in grids] == [9, 3]                        # 3x3 and 1x3


TRAINING = NOTEBOOK.parent / "train_your_own.ipynb"


def test_training_notebook_runs_quickly_and_plots_the_loss(tmp_path, monkeypatch):
    """The workshop's "how it works" notebook, in its quick mode: pairs shown, a short training run, a loss plot."""
    shutil.copy(TRAINING, tmp_path / TRAINING.name)
    nb = nbformat.read(tmp_path / TRAINING.name, as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")   # committed without outputs
    for key, value in {"IP2P_QUICK": "1", "OMP_NUM_THREADS": "1",
                       "PYTHONPATH": os.pathsep.join(filter(None, [str(NOTEBOOK.parents[1]), os.environ.get("PYTHONPATH")]))}.items():
        monkeypatch.setenv(key, value)  # the kernel inherits this process's environment
    nbclient.NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert sum("image/png" in o.get("data", {}) for o in outputs) >= 3   # pairs, the loss plot, the edits


PAIRS = NOTEBOOK.parent / "make_pairs.ipynb"


def test_the_data_engine_notebook_runs_quickly_offline_and_shows_each_step(tmp_path, monkeypatch):
    """notebooks/make_pairs.ipynb in quick mode on demo-t2i and demo-clip: the instruction, the strip of pairs for p = 0..1
    with four scores each, self/cross/both, the word maps, the kept pairs in the paper's layout, read back for training."""
    from ip2p_nb.train import training_data

    shutil.copy(PAIRS, tmp_path / PAIRS.name)
    nb = nbformat.read(tmp_path / PAIRS.name, as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")   # committed without outputs
    assert any("parameters" in c.metadata.get("tags", []) for c in nb.cells)
    headings = [c.source.splitlines()[0] for c in nb.cells if c.cell_type == "markdown" and c.source.startswith("#")]
    assert len(headings) >= 8 and all(" / " in h for h in headings)              # bilingual, Chinese first
    for key, value in {"IP2P_QUICK": "1", "IP2P_SKIP_INSTALL": "1", "OMP_NUM_THREADS": "1", "IP2P_TRANSLATE_OFFLINE": "1",
                       "PYTHONPATH": os.pathsep.join(filter(None, [str(NOTEBOOK.parents[1]), os.environ.get("PYTHONPATH")]))}.items():
        monkeypatch.setenv(key, value)
    nbclient.NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = {i: c.outputs for i, c in enumerate(nb.cells) if c.cell_type == "code"}
    assert not [o for cell in outputs.values() for o in cell if o.output_type == "error"]
    text = "".join(o.get("text", "") for cell in outputs.values() for o in cell)
    assert "used below / 下面用这一条: make it day" in text and "Traceback" not in text and "torchvision" not in text

    def pictures(marker):
        cell = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code" and marker in c.source)
        import base64, io
        return [Image.open(io.BytesIO(base64.b64decode(o["data"]["image/png"]))) for o in outputs[cell] if "image/png" in o.get("data", {})]

    strip = pictures("P_VALUES = ")
    assert len(strip) == 1 and strip[0].width == 7 * 134 + 6                       # before + one per p
    assert len(pictures('for share in ("self", "cross", "both")')) == 3
    assert pictures("maps_grid(picture")[0].width > 5 * 128                       # a tile per word
    folder = tmp_path / "my-pairs" / "0000001"
    assert (folder / "prompt.json").is_file()
    kept = sorted(folder.glob("*_1.jpg"))
    assert len(training_data(str(tmp_path / "my-pairs"), 64)) == len(kept)
