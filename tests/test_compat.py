"""The app under ipywidgets 8 (this environment) and 7.7.1 (Colab's, in its own environment): app/compat.py.

The FileUpload value differs (8: a tuple of dicts with memoryview content; 7: a dict keyed by file name,
filled when the front end bumps `_counter`), and so do Tab/Accordion titles. Each test sets the widgets
as the front end would and checks the app's own state: the photo it took, the titles, a finished edit.
"""
import datetime
import io
import os
import subprocess
import textwrap

from PIL import Image

from w7_env import ROOT, w7_venv


def _png(color=(200, 30, 30), size=(96, 64)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, "PNG")
    return buf.getvalue()


def test_upload_value_and_clear_under_ipywidgets_8():
    import ipywidgets

    from ip2p_nb.app.compat import IPYWIDGETS_MAJOR, accordion, clear_upload, tab, uploaded_files

    assert IPYWIDGETS_MAJOR == int(ipywidgets.__version__[0]) == 8
    upload = ipywidgets.FileUpload()
    data = _png()
    upload.value = ({"name": "a.png", "type": "image/png", "size": len(data), "last_modified": datetime.datetime.now(datetime.timezone.utc), "content": memoryview(data)},)
    assert uploaded_files(upload) == [("a.png", data)]
    clear_upload(upload)
    assert uploaded_files(upload) == [] and upload.value == ()
    assert tab([ipywidgets.HTML(), ipywidgets.HTML()], ["a", "b"]).titles == ("a", "b")
    assert accordion([ipywidgets.HTML()], ["c"]).titles == ("c",) and accordion([ipywidgets.HTML()], ["c"]).selected_index is None


# Runs in the ipywidgets-7 environment: an upload as 7's front end sends it, an edit and a poster on `tiny`.
W7_SCRIPT = textwrap.dedent("""
    import io, sys
    from PIL import Image
    import ipywidgets
    from ip2p_nb import load_editor
    from ip2p_nb.app import App
    from ip2p_nb.app.compat import uploaded_files
    assert ipywidgets.__version__ == "7.7.1", ipywidgets.__version__
    app = App(load_editor("tiny"), workdir=sys.argv[1])
    print("tabs", [app.widget.get_title(i) for i in range(len(app.widget.children))], app.advanced.get_title(0))
    buf = io.BytesIO(); Image.new("RGB", (96, 64), (200, 30, 30)).save(buf, "PNG")
    up = app.upload   # what the 7.x front end does: metadata and data, then the counter
    up.set_trait("metadata", [{"name": "a.png", "type": "image/png", "size": len(buf.getvalue())}])
    up.set_trait("data", [buf.getvalue()])
    up.set_trait("_counter", up._counter + 1)
    print("photo", app.current_image.size, "left", uploaded_files(up))
    app.instruction.value = "把天空换成夜晚"
    app.steps.value = 2
    app.edit_button.click()
    assert app.wait(120)
    app.poster_button.click()
    print("message", app.message.value)
""")


def test_the_app_under_ipywidgets_7(tmp_path):
    venv = w7_venv()
    env = dict(os.environ, PYTHONPATH=str(ROOT), OMP_NUM_THREADS="1", IP2P_OFFLINE="1")
    out = subprocess.run([str(venv / "bin" / "python"), "-c", W7_SCRIPT, str(tmp_path)], capture_output=True,
                         text=True, env=env, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "tabs ['编辑 Edit', '探索 Explore'] 高级设置 Advanced settings" in out.stdout
    assert "photo (96, 64) left []" in out.stdout                     # read, then emptied for the next pick
    assert (tmp_path / "poster.png").is_file() and "Poster saved" in out.stdout
