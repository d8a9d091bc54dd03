"""Deep-feature reuse (reuse.py) and the OpenVINO runtime (runtime.py), on the real tiny pipeline.

Work is counted, not timed: whole UNet calls are the ones that run the middle block.
"""
import subprocess
import sys
import warnings

import numpy as np
import pytest
import torch

from ip2p_nb import load_editor
from ip2p_nb.editing.editor import Editor, EditStopped
from ip2p_nb.errors import SettingError, UserError
from ip2p_nb.editing.reuse import ReuseSchedule, UNetParts
from ip2p_nb.models.runtime import OpenVINOUNet, pick_runtime, use_openvino
from ip2p_nb.models.tiny import build_tiny_pipeline
from conftest import scene

EDIT = dict(english="make it snowy", seed=3, steps=10, max_size=256)


def _psnr(a, b) -> float:
    mse = ((np.asarray(a, np.float64) - np.asarray(b, np.float64)) ** 2).mean()
    return 99.0 if mse == 0 else 10 * np.log10(255.0**2 / mse)


def _count_calls(module):
    calls = []
    module.register_forward_hook(lambda *_: calls.append(1))
    return calls


# ------------------------------------------------------------------------------------------- reuse (torch)
@pytest.mark.parametrize("model", ["tiny", "tiny-xl", "demo"])
def test_parts_match_the_unet_on_real_inputs(model, photo):
    """The family: SD (tiny, demo) and SDXL (tiny-xl, with its added text and time inputs), inputs as the editor passes them."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        editor = load_editor(model)
    unet = editor.pipe.unet
    seen = []
    unet.register_forward_pre_hook(lambda m, args, kwargs: seen.append((args, kwargs)), with_kwargs=True)
    editor.edit(photo, "x", english="make it snowy", seed=0, steps=1, max_size=editor.size_range[0])
    (x, t), kwargs = seen[0]
    states, added = kwargs["encoder_hidden_states"], kwargs.get("added_cond_kwargs")
    with torch.no_grad():
        ref = unet(x, t, encoder_hidden_states=states, added_cond_kwargs=added, return_dict=False)[0]
        whole, deep = UNetParts(unet)(x, t, states, added_cond_kwargs=added)
        outer = UNetParts(unet)(x, t, states, deep=deep, added_cond_kwargs=added)
    assert torch.equal(whole, ref) and torch.equal(outer, ref)


def test_parts_give_the_unets_own_output(tiny_pipe):
    unet = tiny_pipe.unet
    x, t, states = torch.randn(3, 8, 24, 24), torch.tensor(437), torch.randn(3, 77, unet.config.cross_attention_dim)
    with torch.no_grad():
        ref = unet(x, t, encoder_hidden_states=states, return_dict=False)[0]
        whole, deep = UNetParts(unet)(x, t, states)
        outer = UNetParts(unet)(x, t, states, deep=deep)
    assert torch.equal(whole, ref)
    assert torch.equal(outer, ref)  # the outer blocks with this step's own deep features are the whole UNet
    with torch.no_grad():
        stale = UNetParts(unet)(torch.randn_like(x), t, states, deep=deep)
    assert not torch.equal(stale, ref)


def test_reuse_runs_the_deep_layers_one_step_in_n(tiny_editor, photo):
    unet = tiny_editor.pipe.unet
    whole, every = _count_calls(unet.mid_block), _count_calls(unet.conv_in)
    plain = tiny_editor.edit(photo, "x", **EDIT)
    assert (len(whole), len(every)) == (10, 10)
    whole.clear(), every.clear()
    fast = tiny_editor.edit(photo, "x", **EDIT, cache_interval=3)
    assert (len(whole), len(every)) == (4, 10)  # calls 1, 4, 7, 10 whole; the other 6 outer blocks only
    assert fast.cache_interval == 3 and plain.cache_interval == 1
    assert fast.image.size == plain.image.size and fast.image.tobytes() != plain.image.tobytes()
    again = tiny_editor.edit(photo, "x", **EDIT, cache_interval=3)
    assert again.image.tobytes() == fast.image.tobytes()  # same seed + settings = same picture


def test_interval_one_is_the_diffusers_picture(tiny_editor, photo):
    a = tiny_editor.edit(photo, "x", **EDIT)
    b = tiny_editor.edit(photo, "x", **EDIT, cache_interval=1)
    assert a.image.tobytes() == b.image.tobytes()


def test_reuse_with_mask_preview_and_several_seeds(tiny_editor, photo):
    mask = np.zeros(photo.size[::-1], bool)
    mask[:, : photo.size[0] // 2] = True
    seen = []
    result = tiny_editor.edit(photo, "x", **EDIT, cache_interval=2, mask=mask, preview=lambda s, n, im: seen.append(s),
                              preview_every=1)  # the default cadence depends on time: the last step may not preview
    right = (slice(None), slice(photo.size[0] * 3 // 4, None))
    assert np.array_equal(np.asarray(result.image)[right], np.asarray(photo)[right])
    assert seen and seen[-1] == 10
    results = list(tiny_editor.edit_many([dict(image=photo, instruction="x", english="make it snowy", seed=s, steps=4,
                                               max_size=256) for s in (1, 2)], seed_batch=2))
    assert all(r.ok for r in results)


def test_cache_interval_out_of_range_is_one_sentence(tiny_editor, photo):
    for bad in (0, 11, 2.5, "3"):
        with pytest.raises(SettingError, match="cache_interval"):
            tiny_editor.edit(photo, "x", **EDIT, cache_interval=bad)


def test_reuse_schedule_counts():
    runs = []

    def run(sample, t, states, deep, added):
        runs.append(deep is None)
        return (sample, "deep") if deep is None else sample

    schedule = ReuseSchedule(4)
    for i in range(9):
        schedule.call(run, i, i, None)
    assert runs == [True, False, False, False, True, False, False, False, True]
    assert (schedule.calls, schedule.whole) == (9, 3)


# ------------------------------------------------------------------------------------------- choosing
def test_pick_runtime():
    cpu = torch.device("cpu")
    assert pick_runtime(None, cpu, "tiny") == "torch"          # toy models stay exact
    assert pick_runtime(None, cpu, "timbrooks/instruct-pix2pix") == "openvino"
    assert pick_runtime("torch", cpu, "x/y") == "torch"
    assert pick_runtime(None, torch.device("cuda"), "x/y") == "torch"
    with pytest.raises(UserError, match="GPU"):
        pick_runtime("openvino", torch.device("cuda"), "x/y")
    with pytest.raises(UserError, match="Unknown runtime"):
        pick_runtime("onnx", cpu, "x/y")


def test_toy_models_stay_exact_on_a_cpu(tiny_pipe):
    """Auto choices (OpenVINO, reuse) are for full-size models only; a toy model, under any name, stays as diffusers runs it."""
    from ip2p_nb.models.runtime import heavy

    assert not heavy(tiny_pipe)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        editor = load_editor("demo")
    assert (editor.runtime, editor.default_cache_interval) == ("torch", 1)


def test_without_openvino_torch_is_used():
    """A Python where `import openvino` fails: the default falls back to torch, asking for it says how to install."""
    code = ("import sys; sys.modules['openvino'] = None\n"
            "import torch\nfrom ip2p_nb.models.runtime import pick_runtime\nfrom ip2p_nb.errors import UserError\n"
            "print(pick_runtime(None, torch.device('cpu'), 'timbrooks/instruct-pix2pix'))\n"
            "try:\n    pick_runtime('openvino', torch.device('cpu'), 'x/y')\nexcept UserError as e:\n    print(e)\n"
            "from ip2p_nb import load_editor\ne = load_editor('tiny')\nprint(e.runtime, e.default_cache_interval)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.strip().splitlines()
    assert lines[0] == "torch"
    assert "pip install openvino" in lines[1] and lines[1].count(".") <= 3
    assert lines[2] == "torch 1"


# ------------------------------------------------------------------------------------------- OpenVINO
from ip2p_nb.models.runtime import openvino_available  # noqa: E402

needs_openvino = pytest.mark.skipif(not openvino_available(), reason="the openvino package is not installed")


@pytest.fixture(scope="module")
def ov_editor(tmp_path_factory):
    """The tiny model converted once for the module (the conversion is part of what is tested)."""
    import os

    before = os.environ.get("IP2P_CACHE_DIR")
    os.environ["IP2P_CACHE_DIR"] = str(tmp_path_factory.mktemp("ov_cache"))
    said = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        editor = load_editor("tiny", runtime="openvino", notify=said.append)
    yield editor, said
    if before is None:
        os.environ.pop("IP2P_CACHE_DIR", None)
    else:
        os.environ["IP2P_CACHE_DIR"] = before


@needs_openvino
def test_openvino_converts_once_and_agrees_with_torch(ov_editor, photo, tmp_path):
    editor, said = ov_editor
    assert isinstance(editor.pipe.unet, OpenVINOUNet) and editor.runtime == "openvino"
    assert len(said) == 5 and all("OpenVINO" in line for line in said) and "kept in" in said[-1]
    torch_result = Editor(build_tiny_pipeline(), model_name="tiny").edit(photo, "x", **EDIT)
    ov_result = editor.edit(photo, "x", **EDIT)
    assert ov_result.runtime == "openvino" and ov_result.image.size == torch_result.image.size
    assert _psnr(ov_result.image, torch_result.image) >= 35
    rows = []
    original = editor.pipe.unet.whole
    editor.pipe.unet.whole = lambda *args, **kw: rows.append(args[0].shape[0]) or original(*args, **kw)
    try:
        skipped = editor.edit(photo, "x", **dict(EDIT, image_guidance=1.0))  # branch skipping: 2 UNet rows, not 3
    finally:
        editor.pipe.unet.whole = original
    assert set(rows) == {2}
    torch_skipped = Editor(build_tiny_pipeline(), model_name="tiny").edit(photo, "x", **dict(EDIT, image_guidance=1.0))
    assert _psnr(skipped.image, torch_skipped.image) >= 35
    # a second load finds the converted files: nothing converted, nothing announced
    pipe = build_tiny_pipeline()
    report = use_openvino(pipe, notify=said.append)
    assert report["converted"] is False and len(said) == 5
    # and so does another process (a notebook restarted): the key of a model is the same in every process
    code = ("from ip2p_nb.models.tiny import build_tiny_pipeline\nfrom ip2p_nb.models.runtime import use_openvino\n"
            "print(use_openvino(build_tiny_pipeline())['converted'])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.stdout.strip().splitlines()[-1] == "False", out.stderr[-500:]
    assert Editor(pipe, model_name="tiny").edit(photo, "x", **EDIT).image.tobytes() == ov_result.image.tobytes()


@needs_openvino
@pytest.mark.parametrize("size, max_size", [((451, 300), 256), ((451, 300), 512), ((300, 451), 384)])
def test_openvino_edits_photos_whose_latent_sides_are_not_divisible(ov_editor, size, max_size):
    """A 451x300 photo at 256/512 px (256x168, 512x344): latent sides not divisible by the UNet's 2**num_upsamplers.
    The traced graph once fixed its square example's upsample sizes and failed there ("Argument shapes are
    inconsistent"), so most real photos failed on a CPU with OpenVINO. Now it follows the input and agrees with
    torch, whole and with reuse."""
    editor, _ = ov_editor
    photo = scene(*size)
    settings = dict(EDIT, max_size=max_size)
    for interval in (1, 2):
        ov = editor.edit(photo, "x", **settings, cache_interval=interval)
        ref = Editor(build_tiny_pipeline(), model_name="tiny").edit(photo, "x", **settings, cache_interval=interval)
        assert ov.image.size == ref.image.size
        assert _psnr(ov.image, ref.image) >= 35


@needs_openvino
def test_openvino_reuse_counts_and_agrees(ov_editor, photo):
    editor, _ = ov_editor
    unet = editor.pipe.unet
    counts = {"whole": 0, "outer": 0}
    originals = {name: getattr(unet, name) for name in counts}

    def counter(name):
        def call(*args, **kwargs):
            counts[name] += 1
            return originals[name](*args, **kwargs)
        return call

    try:
        for name in counts:
            setattr(unet, name, counter(name))
        fast = editor.edit(photo, "x", **EDIT, cache_interval=3)
    finally:
        for name, compiled in originals.items():
            setattr(unet, name, compiled)
    assert counts == {"whole": 4, "outer": 6}
    assert fast.cache_interval == 3
    torch_fast = Editor(build_tiny_pipeline(), model_name="tiny").edit(photo, "x", **EDIT, cache_interval=3)
    assert _psnr(fast.image, torch_fast.image) >= 35


@needs_openvino
def test_openvino_mask_preview_stop(ov_editor, photo):
    editor, _ = ov_editor
    mask = np.zeros(photo.size[::-1], bool)
    mask[:, : photo.size[0] // 2] = True
    seen = []
    result = editor.edit(photo, "x", **EDIT, mask=mask, preview=lambda s, n, im: seen.append(im.size))
    right = (slice(None), slice(photo.size[0] * 3 // 4, None))
    assert np.array_equal(np.asarray(result.image)[right], np.asarray(photo)[right])
    assert seen

    def stop(step, total):
        if step == 2:
            raise KeyboardInterrupt

    with pytest.raises(EditStopped, match="step 2 of 10"):
        editor.edit(photo, "x", **EDIT, progress=stop)
    assert editor.edit(photo, "x", **EDIT).image.size == (256, 192)  # usable after a stop


@needs_openvino
def test_interrupted_conversion_leaves_nothing_half_written(tmp_path, monkeypatch):
    monkeypatch.setenv("IP2P_CACHE_DIR", str(tmp_path))
    pipe = build_tiny_pipeline()

    def interrupt(text):
        if "2/4" in text:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        use_openvino(pipe, notify=interrupt)
    assert list((tmp_path / "openvino").iterdir()) == []
    assert not isinstance(pipe.unet, OpenVINOUNet) and pipe.unet.dtype == torch.float32  # torch model intact


@needs_openvino
def test_unwritable_cache_is_one_sentence(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("IP2P_CACHE_DIR", str(blocker))
    pipe = build_tiny_pipeline()
    with pytest.raises(UserError, match="IP2P_CACHE_DIR"):
        use_openvino(pipe)
    assert not isinstance(pipe.unet, OpenVINOUNet)


def test_reuse_is_written_into_the_png(tiny_editor, photo, tmp_path):
    from ip2p_nb.outputs.metadata import read_png_settings, save_png

    fast = tiny_editor.edit(photo, "x", **dict(EDIT, steps=2), cache_interval=3)
    plain = tiny_editor.edit(photo, "x", **dict(EDIT, steps=2))
    assert read_png_settings(save_png(fast.image, tmp_path / "fast.png", fast))["cache_interval"] == 3
    assert "cache_interval" not in read_png_settings(save_png(plain.image, tmp_path / "plain.png", plain))
