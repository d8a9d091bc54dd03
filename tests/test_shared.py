"""The shared model without a browser: the worker (ip2p_nb/serving/worker.py) and the pages' `SharedEditor`.

A real worker on the `tiny` model (in a thread of the test process, or as the process that
`app --shared` starts), real sockets, real edits: queue order, queue places, Stop of a queued edit,
a page that disconnects mid-edit, the limits' sentences, one load for many pages, the memory guard.
Nothing waits on the clock: the tests follow the worker's log and the messages the pages get.
"""
import datetime
import io
import json
import os
import secrets
import threading
import time
from multiprocessing.connection import Client
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from ip2p_nb.app.shared import SharedEditor
from ip2p_nb.editing.editor import EditStopped
from ip2p_nb.editing.load import load_editor
from ip2p_nb.errors import UserError
from ip2p_nb.models.memory import check_memory, loaded_copies, register_loaded
from ip2p_nb.serving.process import start_worker, stop_worker
from ip2p_nb.serving.worker import Worker, queue_full_message, upload_too_big_message
from voila_server import free_port

LONG = dict(steps=100, max_size=256, seed=1)    # ~5 s on this CPU: long enough for others to queue behind it
SHORT = dict(steps=2, max_size=256, seed=2)


def _photo(color):
    picture = Image.new("RGB", (300, 200), color)
    picture.paste((255 - color[0], 255 - color[1], 255 - color[2]), (100, 50, 200, 150))
    return picture


def _events(log):
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


def _wait_for(condition, timeout=60):
    end = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.05)


@pytest.fixture(scope="module")
def tiny():
    return load_editor("tiny")


@pytest.fixture
def worker(tiny, tmp_path):
    """A worker on `tiny` in this process (max 2 waiting, 0.2 MB uploads), and a way to open pages on it."""
    w = Worker(tiny, max_queue=2, max_upload_mb=0.2, log_path=tmp_path / "worker.jsonl")
    port, key = free_port(), secrets.token_hex(16).encode()
    listener = w.listen(port, key)
    thread = threading.Thread(target=w.run_forever, daemon=True)
    thread.start()
    pages = []

    def page(name=None):
        pages.append(SharedEditor(("127.0.0.1", port), key, visitor=name, timeout=30))
        return pages[-1]

    w.page, w.address, w.key = page, ("127.0.0.1", port), key
    yield w
    for p in pages:
        p.close()
    w.closed = True
    listener.close()
    thread.join(10)


def _edit_in_thread(page, photo, settings, out, **callbacks):
    def run():
        try:
            out["result"] = page.edit(photo, "make it snowy", **settings, **callbacks)
        except Exception as e:  # noqa: BLE001
            out["error"] = e
    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t


def test_edits_run_in_arrival_order_and_pages_see_their_place(worker):
    a, b, c = worker.page("a"), worker.page("b"), worker.page("c")
    assert (a.model_name, a.size_range, a.default_max_size, a.sampler) == ("tiny", (256, 1024), 512, "Euler a")
    started, outs, threads = threading.Event(), [{}, {}, {}], []
    places = {"b": [], "c": []}
    threads.append(_edit_in_thread(a, _photo((200, 40, 40)), LONG, outs[0], progress=lambda s, t: started.set()))
    started.wait(60)
    threads.append(_edit_in_thread(b, _photo((40, 200, 40)), SHORT, outs[1], waiting=lambda p, s: places["b"].append(p)))
    _wait_for(lambda: places["b"])
    threads.append(_edit_in_thread(c, _photo((40, 40, 200)), SHORT, outs[2], waiting=lambda p, s: places["c"].append(p)))
    for t in threads:
        t.join(120)
    assert all("result" in o for o in outs), outs
    assert places["b"][0] == 1 and places["c"][0] == 2       # c was told it waits behind b
    order = [e["visitor"] for e in _events(worker.log_path) if e["event"] == "started"]
    assert order == ["a", "b", "c"]
    # each page got its own picture back: the input's dominant colour survives in `original`
    for out, channel in zip(outs, range(3)):
        original = np.asarray(out["result"].original)
        assert original.reshape(-1, 3).mean(0).argmax() == channel
        assert out["result"].image.size == (256, 168) and out["result"].seed in (1, 2)
    assert worker.done == 3 and worker.seconds_per_unit > 0


def test_stop_takes_a_queued_edit_out_and_leaves_the_others(worker):
    a, b, c = worker.page("a"), worker.page("b"), worker.page("c")
    started, outs = threading.Event(), [{}, {}, {}]
    stop_b = threading.Event()
    ta = _edit_in_thread(a, _photo((200, 40, 40)), SHORT | {"steps": 60}, outs[0], progress=lambda s, t: started.set())
    started.wait(60)

    def b_waiting(position, seconds):
        if stop_b.is_set():
            raise RuntimeError("Stop pressed")
    tb = _edit_in_thread(b, _photo((40, 200, 40)), SHORT, outs[1], waiting=b_waiting)
    _wait_for(lambda: b.positions)
    tc = _edit_in_thread(c, _photo((40, 40, 200)), SHORT, outs[2])
    _wait_for(lambda: c.positions)
    stop_b.set()
    for t in (ta, tb, tc):
        t.join(120)
    assert isinstance(outs[1].get("error"), EditStopped)
    assert str(outs[1]["error"]) == "The edit was taken out of the queue before it started."
    assert "result" in outs[0] and "result" in outs[2]
    started_by = [e["visitor"] for e in _events(worker.log_path) if e["event"] == "started"]
    assert started_by == ["a", "c"]
    assert c.positions[:2] == [2, 1]        # c moved up when b left the queue


def test_stop_of_the_running_edit_stops_only_that_one(worker):
    a, b = worker.page("a"), worker.page("b")
    outs = [{}, {}]

    def a_progress(step, total):
        if step >= 3:
            raise RuntimeError("Stop pressed")
    ta = _edit_in_thread(a, _photo((200, 40, 40)), LONG, outs[0], progress=a_progress)
    tb = _edit_in_thread(b, _photo((40, 200, 40)), SHORT, outs[1])
    ta.join(120)
    tb.join(120)
    assert isinstance(outs[0]["error"], EditStopped) and "stopped after step" in str(outs[0]["error"])
    assert "result" in outs[1]


def test_a_page_that_disconnects_mid_edit_stops_its_edit_and_the_worker_carries_on(worker):
    raw = Client(worker.address, authkey=worker.key)
    raw.send({"op": "hello", "visitor": "leaver"})
    assert raw.recv()["op"] == "info"

    buf = io.BytesIO()
    _photo((200, 40, 40)).save(buf, format="PNG")
    raw.send({"op": "edit", "id": 1, "image": buf.getvalue(), "instruction": "make it snowy", "english": None,
              "sampler": "Euler a", "settings": LONG})
    while raw.recv()["op"] != "progress":
        pass
    raw.close()                                          # the browser tab closed mid-edit
    _wait_for(lambda: any(e["event"] == "stopped" for e in _events(worker.log_path)))
    stopped = [e for e in _events(worker.log_path) if e["event"] == "stopped"][0]
    assert stopped["visitor"] == "leaver" and stopped["gone"] is True
    result = worker.page("stayer").edit(_photo((40, 200, 40)), "make it snowy", **SHORT)
    assert result.image.size == (256, 168)


def test_the_limits_refuse_in_one_sentence(worker):
    a, b, c, d = (worker.page(n) for n in "abcd")
    started, outs = threading.Event(), [{}, {}, {}]
    ta = _edit_in_thread(a, _photo((200, 40, 40)), LONG, outs[0], progress=lambda s, t: started.set())
    started.wait(60)
    tb = _edit_in_thread(b, _photo((40, 200, 40)), SHORT, outs[1])
    _wait_for(lambda: b.positions)
    tc = _edit_in_thread(c, _photo((40, 40, 200)), SHORT, outs[2])
    _wait_for(lambda: c.positions)
    with pytest.raises(UserError) as full:                # max_queue=2 are waiting already
        d.edit(_photo((90, 90, 90)), "make it snowy", **SHORT)
    assert str(full.value) == queue_full_message(2)
    assert str(full.value).startswith("The shared app's queue is full (2 edits are waiting); try again in a minute")
    noise = Image.fromarray(np.random.default_rng(0).integers(0, 255, (400, 400, 3), dtype=np.uint8))
    with pytest.raises(UserError) as big:                 # refused by the page before sending
        d.edit(noise, "make it snowy", **SHORT)
    assert str(big.value).startswith("This photo is 0.5 MB and the shared app takes photos up to 0.2 MB; use a smaller photo")
    with pytest.raises(UserError):
        d.check_upload(300_000)
    assert upload_too_big_message(480_000, 0.2) == str(big.value)
    a.conn.send({"op": "stop", "id": 1})                  # end the long one early; nothing else is stopped
    for t in (ta, tb, tc):
        t.join(120)
    assert isinstance(outs[0]["error"], EditStopped) and "result" in outs[1] and "result" in outs[2]


def test_app_shared_starts_one_worker_that_loads_the_model_once(tmp_path):
    """The process `app --shared` starts: three pages connect, one load in the log, three edits."""
    env = {**os.environ, "IP2P_RUN_DIR": str(tmp_path / "run"), "IP2P_TRANSLATE_OFFLINE": "1"}
    log = tmp_path / "outputs" / "worker-log.jsonl"
    proc, shared = start_worker("tiny", log, env)
    try:
        host, port = shared["IP2P_SHARED"].split(":")
        pages = [SharedEditor((host, int(port)), shared["IP2P_SHARED_KEY"].encode(), visitor=f"p{i}", timeout=120)
                 for i in range(3)]
        outs = [{}, {}, {}]
        threads = [_edit_in_thread(p, _photo(c), SHORT, o) for p, c, o in
                   zip(pages, [(200, 40, 40), (40, 200, 40), (40, 40, 200)], outs)]
        for t in threads:
            t.join(120)
        assert all("result" in o for o in outs), outs
        events = _events(log)
        assert [e["event"] for e in events].count("loaded") == 1
        assert {e["visitor"] for e in events if e["event"] == "done"} == {"p0", "p1", "p2"}
        assert pages[0].worker_pid == proc.pid
        os.environ["IP2P_RUN_DIR"], saved = str(tmp_path / "run"), os.environ.get("IP2P_RUN_DIR")
        try:   # the worker registered its copy: the memory guard sees it
            copies = loaded_copies()
            assert [(c["pid"], c["model"], c["role"]) for c in copies] == [(proc.pid, "tiny", "shared worker")]
        finally:
            os.environ.pop("IP2P_RUN_DIR") if saved is None else os.environ.__setitem__("IP2P_RUN_DIR", saved)
        for p in pages:
            p.close()
    finally:
        stop_worker(proc)
    assert proc.returncode is not None


def test_the_memory_guard_names_the_other_copies(tmp_path, monkeypatch):
    monkeypatch.setenv("IP2P_RUN_DIR", str(tmp_path))
    (tmp_path / "1.json").write_text(json.dumps({"pid": 1, "model": "timbrooks/instruct-pix2pix", "device": "cuda",
                                                   "role": "kernel"}))    # pid 1 is alive: another holder
    (tmp_path / "999999999.json").write_text(json.dumps({"pid": 999999999, "model": "x", "device": "cpu", "role": "kernel"}))
    assert [c["pid"] for c in check_memory("timbrooks/instruct-pix2pix", "cuda", free=int(10e9))] == [1]
    assert not (tmp_path / "999999999.json").exists()     # a dead process's record is removed
    with pytest.raises(UserError) as e:
        check_memory("timbrooks/instruct-pix2pix", "cuda", free=int(1.5e9))
    assert str(e.value) == (
        "Not enough free GPU memory to load timbrooks/instruct-pix2pix: it needs about 2.7 GB and only 1.5 GB are free "
        "because 1 other copy of a model is already loaded (timbrooks/instruct-pix2pix in process 1 (kernel)); close the "
        "other notebooks or pages that hold a model, or serve the app with `python -m ip2p_nb app --shared` so that "
        "every page uses one copy.")
    register_loaded("tiny", "cpu")
    assert all(c["pid"] != os.getpid() for c in loaded_copies())   # its own copy is not "another"
    assert check_memory("tiny", "cpu") is not None                   # a toy model fits in this machine's RAM


def test_apps_on_a_shared_model_queue_stop_and_keep_their_posters_apart(worker, tmp_path, monkeypatch):
    """Two apps (two pages' kernels) on one worker: b waits its turn, a Stop on a stops only a, two posters,
    each in its visitor's folder in the room folder (outside the notebook folder, which the server serves)."""
    from ip2p_nb.app import App

    monkeypatch.setenv("IP2P_ROOM_DIR", str(tmp_path / "room"))
    a = App(worker.page("visitor-a"), workdir=tmp_path)
    b = App(worker.page("visitor-b"), workdir=tmp_path)
    assert len(a.widget.children) == 1                     # no Explore tab: its grids need the model in the kernel
    for app, color, steps in ((a, (200, 40, 40), 100), (b, (40, 200, 40), 2)):
        app.set_input(_photo(color), "Photo uploaded")
        app.instruction.value = "make it snowy"
        app.steps.value, app.max_size.value = steps, 256
    a.start_edit()
    _wait_for(lambda: a.progress.value >= 1)
    b.start_edit()
    _wait_for(lambda: b.queue_places)
    assert b.queue_places[0] == 1 and b.status.value.startswith("place 1 in the queue")
    a.stop_button.click()
    assert a.wait(60) and b.wait(60)
    assert "stopped after step" in a.message.value and "Done: 256x168" in b.message.value
    a.steps.value = 2
    a.start_edit()
    assert a.wait(60) and "Done: 256x168" in a.message.value
    for app in (a, b):
        app.poster_button.click()
    pa, pb = tmp_path / "room" / "visitor-a" / "poster.png", tmp_path / "room" / "visitor-b" / "poster.png"
    assert pa.is_file() and pb.is_file() and pa.read_bytes() != pb.read_bytes()
    assert not (tmp_path / "poster.png").exists() and not (tmp_path / "outputs").exists()
    assert "room/visitor-a/poster.png" in a.download.value and "data:image/png;base64," in a.download.value


def test_in_a_room_the_uploaded_photo_is_never_written_to_disk(worker, tmp_path, monkeypatch):
    """Upload, edit (a masked one too: its full-size result is saved), poster: no file anywhere holds the upload's
    bytes or its pixels, and the visitor's folder holds only what the app made for them."""
    import tempfile

    from ip2p_nb.app import App

    monkeypatch.setenv("IP2P_ROOM_DIR", str(tmp_path / "room"))
    started = time.time()
    app = App(worker.page(), workdir=tmp_path / "notebooks")
    assert len(app.visitor) >= 22 and (tmp_path / "room" / app.visitor).is_dir()      # random, unguessable
    photo = _photo((12, 34, 56))
    photo.putpixel((7, 7), (1, 2, 3))                      # one pixel no edit makes: a fingerprint
    buf = io.BytesIO()
    photo.save(buf, format="PNG")
    upload = buf.getvalue()
    app.upload.value = ({"name": "private.png", "type": "image/png", "size": len(upload), "content": memoryview(upload),
                         "last_modified": datetime.datetime(2025, 1, 1)},)   # as ipywidgets 8 holds it
    app.instruction.value = "make it snowy"
    app.steps.value, app.max_size.value = 2, 256
    app.start_edit()
    assert app.wait(60) and "Done" in app.message.value
    app.poster_button.click()
    assert "data:image/png;base64," in app.download.value
    tmp = [p for p in Path(tempfile.gettempdir()).iterdir() if _newer(p, started) and not p.is_symlink()]
    new = [p for root in (tmp_path, *tmp) for p in ([root] if root.is_file() else root.rglob("*"))
           if p.is_file() and _newer(p, started)]
    assert not any(upload in p.read_bytes() for p in new if p.stat().st_size < 50e6)
    assert sorted(p.relative_to(tmp_path / "room").as_posix() for p in (tmp_path / "room").rglob("*") if p.is_file()) \
        == [f"{app.visitor}/poster.png"]
    assert not (tmp_path / "notebooks").exists()


def _newer(path, since):
    try:
        return path.stat().st_mtime >= since - 1
    except OSError:
        return False


@pytest.mark.parametrize("visitor", ["../escape", "a/b", "..", "", "x" * 65, "bad name!"])
def test_a_visitor_id_that_is_not_a_plain_folder_name_is_refused(tmp_path, visitor):
    from ip2p_nb.serving.room import visitor_folder

    with pytest.raises(UserError) as e:
        visitor_folder(visitor, {"IP2P_ROOM_DIR": str(tmp_path / "room")})
    assert "own folder" in str(e.value) and not (tmp_path / "escape").exists()


def test_app_shared_command_starts_and_stops_the_worker(tmp_path):
    """`python -m ip2p_nb app --shared`: the worker loads the model before any page opens; Ctrl+C ends both."""
    import signal
    import subprocess
    import sys

    from ip2p_nb.serving.worker import wants_shared
    from test_app_stop import offline_app_env, wait_for_port

    assert wants_shared("0.0.0.0") and wants_shared("127.0.0.1", True) and not wants_shared("127.0.0.1")
    log = tmp_path / "worker.jsonl"
    env = {**offline_app_env(tmp_path), "IP2P_WORKER_LOG": str(log), "IP2P_RUN_DIR": str(tmp_path / "run"),
           "IP2P_ROOM_DIR": str(tmp_path / "room")}
    port = free_port()
    app = subprocess.Popen([sys.executable, "-m", "ip2p_nb", "app", "--shared", "--model", "tiny", "--port", str(port)],
                           env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_for_port(port, app, 90)
        _wait_for(lambda: any(e["event"] == "loaded" for e in _events(log)), 90)
        loaded = [e for e in _events(log) if e["event"] == "loaded"]
        assert [(e["model"], e["fallback"]) for e in loaded] == [("tiny", None)]
        worker_pid = loaded[0]["pid"]
        app.send_signal(signal.SIGTERM)
        assert app.wait(30) == 130
        out = app.stdout.read().decode()
        assert f"Shared mode: one copy of the model per GPU (one on a CPU) for every page, one queue (worker process {worker_pid}" in out
        _wait_for(lambda: not Path(f"/proc/{worker_pid}").exists() or "Z" in Path(f"/proc/{worker_pid}/stat").read_text().split()[2], 20)
    finally:
        if app.poll() is None:
            os.killpg(app.pid, signal.SIGKILL)


def test_the_estimated_wait_follows_the_edits_timed_so_far(worker):
    a, b = worker.page("a"), worker.page("b")
    a.edit(_photo((200, 40, 40)), "make it snowy", **SHORT)          # 2 steps at 256 px: the worker times it
    per_unit = worker.seconds_per_unit
    started, outs = threading.Event(), [{}, {}]
    ta = _edit_in_thread(a, _photo((200, 40, 40)), SHORT | {"steps": 40}, outs[0], progress=lambda s, t: started.set())
    started.wait(60)
    tb = _edit_in_thread(b, _photo((40, 200, 40)), SHORT, outs[1])
    _wait_for(lambda: b.waits)
    # b waits for what is left of a's 40 steps at 256 px (a quarter of a 512 px step each), at the measured speed
    assert 0 < b.waits[0] <= 40 * 0.25 * per_unit + 0.1
    ta.join(120)
    tb.join(120)
    assert "result" in outs[0] and "result" in outs[1]


def test_load_app_editor_registers_its_copy_or_uses_the_shared_worker(worker, tmp_path, monkeypatch):
    from ip2p_nb.app import load_app_editor

    monkeypatch.setenv("IP2P_RUN_DIR", str(tmp_path / "run"))
    monkeypatch.delenv("IP2P_SHARED", raising=False)
    editor, reason = load_app_editor("tiny", display=False)          # single-user: its own copy, on record
    assert reason is None and editor.model_name == "tiny"
    record = json.loads((tmp_path / "run" / f"{os.getpid()}.json").read_text())
    assert (record["model"], record["role"]) == ("tiny", "kernel")
    monkeypatch.setenv("IP2P_SHARED", f"{worker.address[0]}:{worker.address[1]}")
    monkeypatch.setenv("IP2P_SHARED_KEY", worker.key.decode())
    shared, reason = load_app_editor("tiny", display=False)
    assert shared.shared and reason is None and shared.model_name == "tiny"
    shared.close()


def test_a_masked_edit_goes_through_the_shared_worker_at_full_size(worker):
    """The brush works in a workshop room too: mask and region travel to the worker, the photo comes back whole."""
    page = worker.page("m")
    photo = _photo((200, 40, 40))
    mask = np.zeros((200, 300), bool)
    mask[50:150, 100:200] = True
    result = page.edit(photo, "make it snowy", mask=mask, steps=2, max_size=256, seed=3)
    assert result.image.size == (300, 200)  # the original photo's size, not the edit's
    before, after = np.asarray(photo, np.int16), np.asarray(result.image, np.int16)
    assert (before[:20] == after[:20]).all() and (before[:, :60] == after[:, :60]).all()  # far from the mask: untouched


def test_the_fast_switch_reaches_the_shared_worker(worker, tmp_path):
    """A page learns the worker's device, runtime and reuse default, and its Fast switch sets the worker's cache_interval."""
    from ip2p_nb.app import App, available_samples
    from ip2p_nb.defaults import CPU_DEFAULTS

    page = worker.page("f")
    assert (page.device, page.runtime, page.default_cache_interval) == ("cpu", "torch", 1)  # `tiny`: a toy model
    app = App(page, workdir=tmp_path)
    assert app.fast.value is False and "few seconds" in app.estimate.value
    app.fast.value = True
    app.steps.value, app.max_size.value = 3, 256
    app.sample.value = str(available_samples()["cat"])
    app.instruction.value = "make it snowy"
    app.edit_button.click()
    assert app.wait(60)
    assert app.results[-1].cache_interval == CPU_DEFAULTS["cache_interval"]


def test_two_workers_serve_four_pages_with_the_pictures_of_one_and_stop_on_both(worker, tmp_path):
    """`--workers 2` (two copies of `tiny` in the worker process, two slots, one queue): four pages get the pictures
    one worker gives them, pixel for pixel; both slots run; a Stop reaches whichever slot runs the page's edit."""
    env = {**os.environ, "IP2P_RUN_DIR": str(tmp_path / "run"), "IP2P_TRANSLATE_OFFLINE": "1"}
    log = tmp_path / "worker-log.jsonl"
    proc, shared = start_worker("tiny", log, env, workers=2)
    colours = [(200, 40, 40), (40, 200, 40), (40, 40, 200), (200, 200, 40)]
    try:
        host, port = shared["IP2P_SHARED"].split(":")
        pages = [SharedEditor((host, int(port)), shared["IP2P_SHARED_KEY"].encode(), visitor=f"p{i}", timeout=120)
                 for i in range(4)]
        assert [e["slot"] for e in _events(log) if e["event"] == "loaded"] == [0, 1]
        # 1. four pages at once, on two slots
        outs = [{} for _ in pages]
        threads = [_edit_in_thread(p, _photo(c), dict(SHORT, seed=10 + i, steps=6), o)
                   for i, (p, c, o) in enumerate(zip(pages, colours, outs))]
        for t in threads:
            t.join(120)
        assert all("result" in o for o in outs), outs
        assert {e["slot"] for e in _events(log) if e["event"] == "done"} == {0, 1}
        # 2. a long edit on each slot, each page stops its own (its progress callback raises, as the app's Stop does)
        started, pressed, stops = [threading.Event(), threading.Event()], [threading.Event(), threading.Event()], [{}, {}]

        def progress(step, total, i):
            started[i].set()
            if pressed[i].is_set():
                raise RuntimeError("Stop pressed")
        long_threads = [_edit_in_thread(pages[i], _photo(colours[i]), LONG, stops[i],
                                        progress=lambda s, t, i=i: progress(s, t, i)) for i in range(2)]
        for event in started:
            assert event.wait(60)
        running = {e["visitor"]: e["slot"] for e in _events(log) if e["event"] == "started" and e["id"] == 2}
        assert sorted(running.values()) == [0, 1]                       # both slots busy: one edit each
        for i in range(2):
            pressed[i].set()
            long_threads[i].join(60)
            assert isinstance(stops[i].get("error"), EditStopped), stops[i]
        stopped = {e["visitor"]: e["slot"] for e in _events(log) if e["event"] == "stopped"}
        assert stopped == {"p0": running["p0"], "p1": running["p1"]}
        for p in pages:
            p.close()
    finally:
        stop_worker(proc)
    # 3. the same four edits on one worker (the in-process fixture): the same pixels
    for i, (colour, out) in enumerate(zip(colours, outs)):
        one = worker.page(f"q{i}").edit(_photo(colour), "make it snowy", **dict(SHORT, seed=10 + i, steps=6))
        assert np.array_equal(np.asarray(one.image), np.asarray(out["result"].image))
