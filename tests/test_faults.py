"""Runtime faults, injected for real (no mocks of our code): out of memory, NaN, black results,
Stop mid-run, an unreachable hub, wrong or pickle-only checkpoints, unwritable or full folders,
a process killed mid-save. Each ends in one sentence and leaves the editor and the files intact.
"""
import os
import pickle
import signal
import socket
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from ip2p_nb.editing.editor import Editor, EditStopped, OutOfMemory
from ip2p_nb.editing.load import load_editor
from ip2p_nb.errors import UserError
from ip2p_nb.outputs.files import atomic_write, save_image_atomic
from ip2p_nb.models.tiny import build_tiny_pipeline, tiny_components

ROOT = Path(__file__).resolve().parent.parent
PHOTO = Image.new("RGB", (96, 64), (200, 120, 40))
RUN = dict(steps=3, seed=11, max_size=256)


class FaultyUNet(torch.nn.Module):
    """The real UNet, except that call number `at` raises out-of-memory or returns NaN (once)."""

    def __init__(self, unet, at, fault):
        super().__init__()
        self.inner, self.at, self.fault, self.calls = unet, at, fault, 0

    def __getattr__(self, name):  # .config, .dtype, .device ... come from the real UNet
        try:
            return super().__getattr__(name)
        except AttributeError:
            return getattr(self.inner, name)

    def forward(self, *args, **kwargs):
        self.calls += 1
        out = self.inner(*args, **kwargs)
        if self.calls == self.at and self.fault == "oom":
            raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")
        if self.calls == self.at and self.fault == "nan":
            return (out[0] * float("nan"),)
        return out


def quiet_tiny():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return build_tiny_pipeline()


@pytest.fixture(scope="module")
def reference():
    """The same edit on a fresh, untouched editor: what every recovered editor must reproduce."""
    return np.asarray(Editor(quiet_tiny(), "tiny").edit(PHOTO, "make it snowy", **RUN).image)


# ---------------------------------------------------------------- model faults
@pytest.mark.parametrize("max_size,message,suggested", [
    (512, "The GPU ran out of memory at max_size 512; memory was freed, try max_size 384.", 384),
    (256, "The GPU ran out of memory even at the smallest max_size (256); memory was freed: close other notebooks "
          "or programs using the GPU, then try again.", 256),
])
def test_out_of_memory_frees_caches_suggests_a_size_and_the_next_edit_works(reference, max_size, message, suggested):
    pipe = quiet_tiny()
    pipe.unet = FaultyUNet(pipe.unet, at=2, fault="oom")
    editor = Editor(pipe, "tiny")
    with pytest.raises(OutOfMemory) as e:
        editor.edit(PHOTO, "make it snowy", **dict(RUN, max_size=max_size))
    assert str(e.value) == message and e.value.suggested_max_size == suggested
    assert isinstance(torch.OutOfMemoryError("x"), torch.cuda.OutOfMemoryError)
    assert len(editor._image_cache) == 0 and len(editor._prompt_cache) == 0
    assert not editor._lock.locked()
    again = editor.edit(PHOTO, "make it snowy", **RUN)  # same editor, same faulty wrapper (it failed once)
    assert np.array_equal(np.asarray(again.image), reference)


def test_nan_from_the_model_is_one_clear_sentence(reference):
    pipe = quiet_tiny()
    pipe.unet = FaultyUNet(pipe.unet, at=2, fault="nan")
    editor = Editor(pipe, "tiny")
    with pytest.raises(UserError) as e:
        editor.edit(PHOTO, "make it snowy", **RUN)
    assert str(e.value) == ("The model produced invalid numbers (NaN), usually a float16 overflow; try another seed, "
                            "or load the model with dtype=torch.float32.")
    assert np.array_equal(np.asarray(editor.edit(PHOTO, "make it snowy", **RUN).image), reference)


def test_all_black_result_comes_with_a_note():
    pipe = quiet_tiny()
    with torch.no_grad():  # a decoder whose last layer outputs -50 everywhere: every pixel clamps to black
        pipe.vae.decoder.conv_out.weight.zero_()
        pipe.vae.decoder.conv_out.bias.fill_(-50.0)
    result = Editor(pipe, "tiny").edit(PHOTO, "make it snowy", **RUN)
    assert result.image.getextrema() == ((0, 0), (0, 0), (0, 0))
    assert result.warnings == ["The result is completely black; try another seed or lower the text guidance."]


def test_stop_mid_run_releases_the_editor_and_the_next_edit_is_unchanged(reference):
    editor = Editor(quiet_tiny(), "tiny")
    seen, refused = [], []

    def progress(step, total):
        seen.append((step, total))
        try:  # a second click while running must not start a second run
            editor.edit(PHOTO, "make it snowy", **RUN)
        except UserError as e:
            refused.append(str(e))
        if step == 2:
            raise RuntimeError("Stop pressed")

    with pytest.raises(EditStopped) as e:
        editor.edit(PHOTO, "make it snowy", progress=progress, **RUN)
    assert str(e.value) == "The edit was stopped after step 2 of 3."
    assert seen == [(1, 3), (2, 3)]
    assert refused == ["An edit is already running on this model; wait for it to finish or stop it first."] * 2
    assert not editor._lock.locked()
    assert np.array_equal(np.asarray(editor.edit(PHOTO, "make it snowy", **RUN).image), reference)


# ---------------------------------------------------------------- loading faults
HUB_PROBE = """
import time, warnings
warnings.simplefilter("ignore")
from ip2p_nb.editing.load import load_editor
from ip2p_nb.errors import UserError
import diffusers  # imported before the clock starts: we time the refusal, not the import
start = time.perf_counter()
try:
    load_editor("some-org/some-model")
except UserError as e:
    print(f"{time.perf_counter() - start:.3f}")
    print(e)
"""


def test_unreachable_hub_is_one_fast_sentence_naming_the_ways_out(tmp_path):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy") and not k.startswith("HF_")}
    env.update(HF_HOME=str(tmp_path / "hf"), HF_ENDPOINT=f"http://127.0.0.1:{port}", IP2P_HUB_MIRRORS="", PYTHONPATH=str(ROOT))
    run = subprocess.run([sys.executable, "-c", HUB_PROBE], capture_output=True, text=True, env=env, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    seconds, message = run.stdout.splitlines()[-2:]
    assert message == (
        f"Could not download 'some-org/some-model' from the model hub (http://127.0.0.1:{port}: connection refused) and it is not in the "
        "local cache: set a hub mirror (for example `export HF_ENDPOINT=https://hf-mirror.com`), pass a local model "
        "folder (--model /path/to/instruct-pix2pix), or use --model tiny for an offline dry run.")
    assert float(seconds) < 10.0, seconds  # measured 0.05 s (idle machine): no retries, no waiting on the network
    assert "Couldn't connect to the Hub" not in run.stderr


def _save(pipe, folder):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pipe.save_pretrained(folder)
    return folder


def test_text_to_image_checkpoint_is_refused_with_the_reason(tmp_path):
    from diffusers import StableDiffusionInstructPix2PixPipeline, UNet2DConditionModel

    parts = tiny_components()
    cfg = dict(parts["unet"].config)
    cfg["in_channels"] = 4  # what a plain Stable Diffusion UNet takes
    parts["unet"] = UNet2DConditionModel.from_config(cfg)
    folder = _save(StableDiffusionInstructPix2PixPipeline(**parts, requires_safety_checker=False), tmp_path / "sd")
    assert (folder / "unet" / "diffusion_pytorch_model.safetensors").is_file()
    with pytest.raises(UserError) as e:
        load_editor(str(folder))
    assert str(e.value) == (
        "This checkpoint's UNet takes 4 input channels, not 8: it is not an InstructPix2Pix model (a plain "
        "text-to-image model cannot edit); use timbrooks/instruct-pix2pix or another InstructPix2Pix checkpoint.")


class _Payload:
    """Unpickling this creates a file: proof that a pickle was (or was not) loaded."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_pickle_only_checkpoint_is_refused_and_never_unpickled(tmp_path):
    folder = _save(quiet_tiny(), tmp_path / "bin")
    marker = tmp_path / "pickle_was_loaded"
    for weights in folder.rglob("*.safetensors"):  # every weight file becomes a booby-trapped pickle
        weights.unlink()
        (weights.parent / ("pytorch_model.bin" if weights.name == "model.safetensors" else "diffusion_pytorch_model.bin")
         ).write_bytes(pickle.dumps(_Payload(str(marker))))
    assert not list(folder.rglob("*.safetensors")) and len(list(folder.rglob("*.bin"))) == 3
    with pytest.raises(UserError) as e:
        load_editor(str(folder))
    assert str(e.value) == f"{str(folder)!r} has no .safetensors weights; only safetensors are loaded (pickle files can run code)."
    assert not marker.exists()


def test_folder_that_is_not_a_model_is_refused(tmp_path):
    with pytest.raises(UserError) as e:
        load_editor(str(tmp_path))
    assert str(e.value).startswith(f"{str(tmp_path)!r} has no model_index.json: it is not a diffusers model folder;")
    with pytest.raises(UserError, match="^There is no model folder at '/no/such/model'"):
        load_editor("/no/such/model")


# ---------------------------------------------------------------- files
def _write_text(tmp):
    Path(tmp).write_text("new")


@pytest.mark.parametrize("target,message", [
    ("/no/such/folder/poster.png", "The folder '/no/such/folder' does not exist; create it first or choose another output path."),
    ("/etc/hostname/poster.png", "'/etc/hostname' is not a folder; choose another output path."),
    ("/proc/poster.png", "Cannot write into the folder '/proc' (No such file or directory); choose a folder you can write to."),
    ("/sys/poster.png", "Cannot write into the folder '/sys' (Permission denied); choose a folder you can write to."),
])
def test_unwritable_destination_is_one_sentence(target, message):
    if not Path(target).parent.exists() and "no/such" not in target:
        pytest.skip(f"{Path(target).parent} not on this system")
    with pytest.raises(UserError) as e:
        atomic_write(target, _write_text)
    assert str(e.value) == message


@pytest.fixture
def mount_tmpfs(tmp_path):
    """Mount small tmpfs folders (root only); unmounted afterwards."""
    mounted = []

    def mount(name, options):
        folder = tmp_path / name
        folder.mkdir()
        if subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)], capture_output=True).returncode:
            pytest.skip("cannot mount a tmpfs here (not root, or no mount permission)")
        mounted.append(folder)
        return folder

    yield mount
    for folder in mounted:
        subprocess.run(["umount", str(folder)], check=True)


def test_read_only_filesystem_is_one_sentence(mount_tmpfs):
    folder = mount_tmpfs("ro", "ro,size=1m")
    with pytest.raises(UserError) as e:
        save_image_atomic(PHOTO, folder / "poster.png")
    assert str(e.value) == f"Cannot write into the folder {str(folder)!r} (Read-only file system); choose a folder you can write to."


def test_full_disk_keeps_the_previous_file_and_leaves_no_temp(mount_tmpfs):
    folder = mount_tmpfs("full", "size=256k")
    old = folder / "poster.png"
    PHOTO.save(old)
    before = old.read_bytes()
    noise = Image.fromarray(np.random.default_rng(0).integers(0, 256, (512, 512, 3), dtype=np.uint8))  # ~790 KB as PNG
    with pytest.raises(UserError) as e:
        save_image_atomic(noise, old)
    assert str(e.value) == f"Could not write {str(old)!r} (No space left on device); the previous file, if any, is unchanged."
    assert old.read_bytes() == before and sorted(p.name for p in folder.iterdir()) == ["poster.png"]


KILLED_WRITER = """
import sys
import numpy as np
from PIL import Image
from ip2p_nb.outputs.files import save_image_atomic
noise = Image.fromarray(np.random.default_rng(1).integers(0, 256, (3000, 3000, 3), dtype=np.uint8))
save_image_atomic(noise, sys.argv[1], compress_level=9)
print("finished")
"""


def test_write_killed_midway_leaves_the_old_file_byte_identical(tmp_path):
    target = tmp_path / "poster.png"
    PHOTO.save(target)
    before = target.read_bytes()
    child = subprocess.Popen([sys.executable, "-c", KILLED_WRITER, str(target)], env=dict(os.environ, PYTHONPATH=str(ROOT)),
                             stdout=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and child.poll() is None:
        partial = [p for p in tmp_path.glob(".poster.png.*.tmp") if p.stat().st_size > 0]
        if partial:
            break
        time.sleep(0.01)
    assert child.poll() is None and partial, "the writer finished before it could be killed"
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    assert child.stdout.read() == b""
    assert target.read_bytes() == before  # the half-written temp file never replaced it
    Image.open(target).verify()


def test_command_line_missing_output_folder_is_one_line(tmp_path, capsys, monkeypatch):
    from ip2p_nb.cli import main

    monkeypatch.chdir(tmp_path)
    PHOTO.save("in.png")
    assert main(["edit", "in.png", "make it snowy", "--model", "tiny", "--steps", "1", "--max-size", "256",
                 "-o", "missing/out.png"]) == 2
    err = [ln for ln in capsys.readouterr().err.splitlines() if not ln.startswith("note: ")]
    assert err == ["error: The folder 'missing' does not exist; create it first or choose another output path."]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.png"]


# ---------------------------------------------------------------- security: safetensors only, no remote code
import ast  # noqa: E402

PACKAGE = sorted((ROOT / "ip2p_nb").glob("*.py"))


def _safetensors_only_dicts(tree) -> set:
    """Names assigned `dict(use_safetensors=True, ...)`, used as `**name` in calls."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) and getattr(node.value.func, "id", "") == "dict":
            if any(k.arg == "use_safetensors" and getattr(k.value, "value", None) is True for k in node.value.keywords):
                names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return names


def _unsafe_weight_loads(path: Path) -> list:
    """`Model.from_pretrained(...)` calls (not tokenizers or schedulers) that do not insist on safetensors."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    safe_dicts, unsafe = _safetensors_only_dicts(tree), []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "from_pretrained"):
            continue
        owner = ast.unparse(node.func.value)
        if "Tokenizer" in owner or "Scheduler" in owner:
            continue  # configuration and vocabulary files, no weights
        ok = any(k.arg == "use_safetensors" and getattr(k.value, "value", None) is True for k in node.keywords)
        ok |= any(k.arg is None and getattr(k.value, "id", None) in safe_dicts for k in node.keywords)
        if not ok:
            unsafe.append(f"{path.name}:{node.lineno} {owner}.from_pretrained")
    return unsafe


@pytest.mark.parametrize("path", PACKAGE, ids=lambda p: p.name)
def test_weights_load_from_safetensors_only(path):
    assert _unsafe_weight_loads(path) == []


def test_no_remote_code_is_ever_trusted():
    assert PACKAGE, "package source not found"
    offenders = [p.name for p in PACKAGE if "trust_remote_code" in p.read_text(encoding="utf-8")]
    assert offenders == []


def test_the_scan_itself_catches_an_unsafe_load(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("kw = dict(torch_dtype=1)\nA.from_pretrained('x', **kw)\nB.from_pretrained('y', use_safetensors=True)\n"
                   "CLIPTokenizer.from_pretrained('z')\n")
    assert _unsafe_weight_loads(bad) == ["bad.py:2 A.from_pretrained"]


def test_poster_into_a_missing_folder_is_one_sentence_and_keeps_an_old_poster(tmp_path):
    from ip2p_nb.outputs.poster import make_poster

    kwargs = dict(original=PHOTO, edited=PHOTO, instruction="把天空换成夜晚", prompt="turn the sky into night",
                  settings="seed 1", date="")
    with pytest.raises(UserError) as e:
        make_poster(path=tmp_path / "missing" / "poster.png", **kwargs)
    assert str(e.value) == f"The folder {str(tmp_path / 'missing')!r} does not exist; create it first or choose another output path."
    old = tmp_path / "poster.png"
    old.write_bytes(b"an earlier poster")
    with pytest.raises(UserError):  # the second image is not an image: the poster fails before writing
        make_poster(path=old, **dict(kwargs, edited=b"not an image"))
    assert old.read_bytes() == b"an earlier poster" and sorted(p.name for p in tmp_path.iterdir()) == ["poster.png"]
