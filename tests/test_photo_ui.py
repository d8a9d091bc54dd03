"""The photo panel's other ways in and the poster's ways out, without a browser (widgets set as the page would).

The box that stands in for the brush (app/fallback.py) edits only the box; a mask uploaded as an image
becomes the edit's mask; the path/URL box reads files and a loopback web server; an empty upload (Colab's
1 MB bug) says so in one sentence; the poster's download link carries poster.png's own bytes; on Kaggle a
copy lands in the kept folder. All on `tiny`.
"""
import base64
import datetime
import http.server
import io
import os
import re
import subprocess
import sys
import threading

import numpy as np
import pytest
from PIL import Image

from ip2p_nb import load_editor
from ip2p_nb.app import App
from ip2p_nb.app.hosted import keep_output
from ip2p_nb.editing.regions import context_box

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(scope="module")
def editor():
    return load_editor("tiny")


def _photo(size=(320, 240)):
    rng = np.random.default_rng(0)
    return Image.fromarray(rng.integers(0, 255, (size[1], size[0], 3), dtype=np.uint8))


def _png(image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, "PNG")
    return buf.getvalue()


def _upload_value(data: bytes, name="a.png"):
    """The ipywidgets 8 FileUpload value, as its front end sends it."""
    return ({"name": name, "type": "image/png", "size": len(data), "content": memoryview(data),
             "last_modified": datetime.datetime.now(datetime.timezone.utc)},)


def test_the_box_edits_only_the_box(editor, tmp_path):
    app = App(editor, workdir=tmp_path)
    app.photo_panel.use_boxes("no canvas in this test")
    photo = _photo()
    app.set_input(photo, "Photo")
    boxes = app.painter
    assert boxes is app.photo_panel.boxes and "no canvas in this test" in boxes.note.value
    assert app.photo_panel.boxes.widget.layout.display is None and app.photo_panel.brush_area.layout.display == "none"
    boxes.use_box.value = True
    boxes.across.value, boxes.down.value = (50, 90), (20, 80)
    region = (160, 48, 288, 192)
    assert boxes.edit_options(photo.size) == {"mask": None, "region": region}
    app.instruction.value, app.steps.value = "make it snowy", 2
    app.edit_button.click()
    assert app.wait(120) and app.results[-1].image.size == photo.size, app.message.value
    out = np.asarray(Image.open(tmp_path / "edited.png").convert("RGB"))
    diff = (out != np.asarray(photo)).any(axis=2)
    left, top, right, bottom = context_box(region, photo.size)
    outside = np.ones_like(diff)
    outside[top:bottom, left:right] = False
    assert not diff[outside].any()                                          # only the box (and its feathered margin) changed
    assert diff[region[1] + 10:region[3] - 10, region[0] + 10:region[2] - 10].mean() > 0.9


def test_a_mask_uploaded_as_an_image(editor, tmp_path):
    app = App(editor, workdir=tmp_path)
    app.photo_panel.use_boxes("test")
    app.set_input(_photo(), "Photo")
    mask = Image.new("L", (160, 120), 0)
    mask.paste(255, (0, 0, 40, 30))                                        # top-left quarter of each side, half size
    app.painter.mask_upload.value = _upload_value(_png(mask), "mask.png")
    options = app.painter.edit_options((320, 240))
    assert options["region"] is None and options["mask"].shape == (240, 320)
    assert options["mask"][:60, :80].all() and not options["mask"][60:, :].any()
    assert app.painter.mask_upload.value == ()                             # emptied for the next pick
    app.painter.mask_upload.value = _upload_value(b"not an image", "x.png")
    assert "mask could not be read" in app.message.value                    # one sentence, the app goes on


def test_without_ipycanvas_the_box_is_there_from_the_start(tmp_path):
    code = ("import sys; sys.modules['ipycanvas'] = None\n"
            "from ip2p_nb import load_editor\nfrom ip2p_nb.app import App\n"
            "app = App(load_editor('tiny'))\nprint(type(app.painter).__name__, app.photo_panel.brush)\n"
            "print(app.photo_panel.boxes.note.value)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=300,
                         env=dict(os.environ, PYTHONPATH=ROOT, IP2P_OFFLINE="1"))
    assert out.returncode == 0, out.stderr[-1500:]
    assert out.stdout.startswith("BoxPainter None") and "ipycanvas is not installed" in out.stdout


def test_a_path_or_a_web_address(editor, tmp_path):
    app = App(editor, workdir=tmp_path)
    _photo((200, 100)).save(tmp_path / "p.png")
    app.path.value = str(tmp_path / "p.png")
    assert app.current_image.size == (200, 100) and "Photo p.png" in app.message.value
    handler = lambda *a, **k: http.server.SimpleHTTPRequestHandler(*a, directory=str(tmp_path), **k)  # noqa: E731
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        _photo((120, 90)).save(tmp_path / "q.png")
        app.path.value = f"http://127.0.0.1:{server.server_port}/q.png"
        assert app.current_image.size == (120, 90), app.message.value
    finally:
        server.shutdown()
    app.path.value = str(tmp_path / "missing.png")
    assert app.current_image.size == (120, 90) and "missing.png" in app.message.value


def test_an_empty_upload_explains_the_1_mb_limit(editor, tmp_path):
    app = App(editor, workdir=tmp_path)
    app.upload.value = _upload_value(b"", "big.jpg")
    assert "1 MB" in app.message.value and "path or web address" in app.message.value
    assert app.current_image is None and app.upload.value == ()


def test_the_download_link_carries_the_posters_bytes(editor, tmp_path):
    app = App(editor, workdir=tmp_path)
    app.set_input(_photo(), "Photo")
    app.instruction.value, app.steps.value = "make it snowy", 2
    app.edit_button.click()
    assert app.wait(120)
    app.poster_button.click()
    link = re.search(r"<a download='poster.png' href='data:image/png;base64,([^']+)'", app.download.value)
    assert base64.b64decode(link.group(1)) == (tmp_path / "poster.png").read_bytes()
    assert app.result_panel.colab_button.layout.display == "none"          # not on Colab


def test_on_kaggle_a_copy_is_kept_in_the_working_folder(tmp_path):
    poster, working = tmp_path / "poster.png", tmp_path / "kaggle-working"
    poster.write_bytes(b"png")
    assert keep_output(poster, env={}, working=working) is None           # not on Kaggle
    working.mkdir()
    kept = keep_output(poster, env={"KAGGLE_KERNEL_RUN_TYPE": "Interactive"}, working=working)
    assert kept == working / "poster.png" and kept.read_bytes() == b"png"


COLAB_STUB = {   # Colab's own modules cannot run here: a stand-in that records what the app calls
    "google/__init__.py": "",
    "google/colab/__init__.py": "",
    "google/colab/output.py": "def enable_custom_widget_manager():\n    open('calls.txt', 'a').write('widgets\\n')\n",
    "google/colab/files.py": ("def download(path):\n    open('calls.txt', 'a').write('download ' + path + '\\n')\n"
                              "def upload():\n    return {'big.png': open('big.png', 'rb').read()}\n"),
}


def test_on_colab_the_app_uses_colabs_widget_manager_upload_and_download(tmp_path):
    for name, text in COLAB_STUB.items():
        (tmp_path / "stub" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "stub" / name).write_text(text)
    _photo((1400, 1000)).save(tmp_path / "big.png")
    code = ("from ip2p_nb import load_editor\nfrom ip2p_nb.app import App\n"
            "app = App(load_editor('tiny'))\n"
            "assert app.photo_panel.colab_button.layout.display is None\n"
            "app.photo_panel.colab_button.click()\nprint(app.message.value)\n"
            "app.instruction.value, app.steps.value = 'make it snowy', 2\n"
            "app.edit_button.click(); app.wait(120); app.poster_button.click()\n"
            "assert app.result_panel.colab_button.layout.display is None\n"
            "app.result_panel.colab_button.click()\n")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(tmp_path / "stub"), ROOT]), IP2P_OFFLINE="1")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=300, env=env)
    assert out.returncode == 0, out.stderr[-1500:]
    assert "Photo uploaded (1400x1000)" in out.stdout                       # Colab's own dialog: any size
    calls = (tmp_path / "calls.txt").read_text().splitlines()
    assert calls[0] == "widgets" and calls[1].startswith("download") and calls[1].endswith("poster.png") and len(calls) == 2
    assert (tmp_path / calls[1].split(" ", 1)[1]).is_file()
