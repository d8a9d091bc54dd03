"""A room's pages are light: the page's kernel imports neither torch nor diffusers nor transformers.

In a room (`app --shared`) the model lives in the worker; each page's kernel only sends the photo's bytes
and shows what comes back. The served notebook (notebooks/app.ipynb) runs here in a real ipykernel (nbclient),
connected to a real worker process on `tiny`, with two cells added at the end that read the kernel's own
`sys.modules` and memory: once with the app shown, once after an edit and a poster made through the app.
"""
import json

import nbformat
import pytest

from ip2p_nb.resources import APP_NOTEBOOK
from ip2p_nb.serving.process import start_worker, stop_worker
from test_app_stop import offline_app_env

nbclient = pytest.importorskip("nbclient")

HEAVY = ("torch", "diffusers", "transformers", "accelerate", "openvino")
PAGE_MB = 120   # the bound for a page's kernel with the app shown

REPORT = """
import json, sys
from pathlib import Path
_status = Path("/proc/self/status").read_text()
print(json.dumps({"heavy": [m for m in %r if m in sys.modules],
                  "rss_mb": int(_status.split("VmRSS:")[1].split()[0]) / 1024,
                  "editor": type(editor).__name__}))
""" % (HEAVY,)

EDIT_AND_POSTER = """
from PIL import Image
from ip2p_nb import App
page = App(editor, workdir=".")
page.set_input(Image.new("RGB", (451, 300), (200, 40, 40)), "Photo uploaded")
page.instruction.value = "把天空换成夜晚"
page.steps.value, page.max_size.value = 2, 256
page.start_edit()
assert page.wait(120), page.message.value
page.poster_button.click()
print(page.message.value)
"""


def _stdout(cell) -> str:
    return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream" and o.name == "stdout")


def test_a_room_page_kernel_imports_no_torch_and_stays_under_120_mb(tmp_path, monkeypatch):
    env = {**offline_app_env(tmp_path), "IP2P_ROOM_DIR": str(tmp_path / "room")}
    proc, shared = start_worker("tiny", tmp_path / "worker.jsonl", env)
    try:
        for key, value in {**env, **shared}.items():
            monkeypatch.setenv(key, value)        # the kernel inherits this environment, as Voila's kernels do
        nb = nbformat.read(APP_NOTEBOOK, as_version=4)
        nb.cells += [nbformat.v4.new_code_cell(REPORT), nbformat.v4.new_code_cell(EDIT_AND_POSTER),
                     nbformat.v4.new_code_cell(REPORT)]
        (tmp_path / "nb").mkdir()
        nbclient.NotebookClient(nb, timeout=180, kernel_name="python3",
                                resources={"metadata": {"path": str(tmp_path / "nb")}}).execute()
    finally:
        stop_worker(proc)
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors, errors
    shown, after = json.loads(_stdout(nb.cells[-3])), json.loads(_stdout(nb.cells[-1]))
    print(f"\nroom page kernel: {shown['rss_mb']:.0f} MB with the app shown, {after['rss_mb']:.0f} MB after an edit and a poster")
    assert shown["editor"] == "SharedEditor"                        # the page really is a room's page
    assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {})
               for c in nb.cells[:-3] if c.cell_type == "code" for o in c.outputs)   # the app was shown
    assert shown["heavy"] == [] and after["heavy"] == []
    assert shown["rss_mb"] <= PAGE_MB
    assert "Poster saved" in _stdout(nb.cells[-2])
    posters = list((tmp_path / "room").glob("*/poster.png"))
    assert len(posters) == 1 and not list((tmp_path / "nb").glob("*.png"))
