"""CPU speed-ups: the CPU defaults reaching `editor.edit`, the 8-bit OpenVINO UNet and the thread count.

Work is counted, not timed: UNet calls are counted at the input convolution (every call runs it),
whole calls at the middle block (only whole calls run it).
"""
import math
import os
import warnings

import numpy as np
import pytest

from ip2p_nb import load_editor
from ip2p_nb.defaults import CPU_DEFAULTS, DEFAULT_SCHEDULER, DEFAULTS
from ip2p_nb.editing.cpu import apply_cpu_defaults
from ip2p_nb.models.loading import SCHEDULERS
from ip2p_nb.models.speed import cpu_threads, pick_threads


def _psnr(a, b) -> float:
    mse = ((np.asarray(a, np.float64) - np.asarray(b, np.float64)) ** 2).mean()
    return 99.0 if mse == 0 else 10 * np.log10(255.0**2 / mse)


def _count(module):
    calls = []
    module.register_forward_hook(lambda *_: calls.append(1))
    return calls


# ------------------------------------------------------------------------------------------- defaults
def test_cpu_defaults_reach_a_bare_edit(tiny_editor, photo):
    """After apply_cpu_defaults (what load_editor does for a full-size model on a CPU), edit() with no settings runs
    the CPU's sampler, its steps and feature reuse."""
    unet = tiny_editor.pipe.unet
    every, whole = _count(unet.conv_in), _count(unet.mid_block)
    done = apply_cpu_defaults(tiny_editor)
    result = tiny_editor.edit(photo, "make it snowy", english="make it snowy", max_size=256)
    cls, settings = SCHEDULERS[CPU_DEFAULTS["scheduler"]]
    assert type(tiny_editor.pipe.scheduler).__name__ == cls
    assert all(tiny_editor.pipe.scheduler.config[k] == v for k, v in settings.items())
    assert done["steps"] == result.steps == CPU_DEFAULTS["steps"]
    assert result.sampler == CPU_DEFAULTS["scheduler"] and result.cache_interval == CPU_DEFAULTS["cache_interval"] > 1
    assert len(every) == CPU_DEFAULTS["steps"]
    assert len(whole) == math.ceil(CPU_DEFAULTS["steps"] / CPU_DEFAULTS["cache_interval"])
    # a setting given to edit() still wins
    every.clear()
    assert tiny_editor.edit(photo, "x", english="make it snowy", max_size=256, steps=3, cache_interval=1).steps == 3
    assert len(every) == 3


def test_another_cpu_sampler_and_steps_reach_a_bare_edit(tiny_editor, photo, monkeypatch):
    """Were the measurements to pick another sampler and fewer steps, a bare edit would run exactly those."""
    monkeypatch.setitem(CPU_DEFAULTS, "scheduler", "DPM++ 2M Karras")
    monkeypatch.setitem(CPU_DEFAULTS, "steps", 7)
    every = _count(tiny_editor.pipe.unet.conv_in)
    assert apply_cpu_defaults(tiny_editor)["steps"] == 7
    result = tiny_editor.edit(photo, "make it snowy", english="make it snowy", max_size=256)
    assert type(tiny_editor.pipe.scheduler).__name__ == "DPMSolverMultistepScheduler"
    assert tiny_editor.pipe.scheduler.config["use_karras_sigmas"] is True
    assert result.steps == 7 and result.sampler == "DPM++ 2M Karras" and len(every) == 7


def test_a_chosen_sampler_keeps_its_steps(tiny_editor, photo):
    tiny_editor.use_scheduler("DDIM")
    done = apply_cpu_defaults(tiny_editor, keep_sampler=False)   # not the general default: the user's, kept
    assert "steps" not in done and tiny_editor.sampler == "DDIM" and tiny_editor.default_steps == DEFAULTS["steps"]
    assert tiny_editor.default_cache_interval == CPU_DEFAULTS["cache_interval"]


def test_toy_models_stay_exact_on_a_cpu():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        editor = load_editor("tiny", device="cpu")
    assert editor.sampler == DEFAULT_SCHEDULER and editor.default_steps == DEFAULTS["steps"]
    assert editor.default_cache_interval == 1


# ------------------------------------------------------------------------------------------- threads
@pytest.mark.parametrize("cpus, load, want", [
    (2, 0.1, 2),     # an idle 2-core notebook (Colab): both
    (2, 7.0, 1),     # this project's shared VM: threads would wait on each other
    (8, 3.2, 5),     # ModelScope's 8 cores, 3 busy
    (8, 0.0, 8),
    (1, 0.0, 1),
    (4, 2.6, 1),     # 1.4 free cores round to 1
])
def test_pick_threads(cpus, load, want):
    assert pick_threads(cpus, load) == want


def test_cpu_threads_follows_omp_num_threads(monkeypatch):
    monkeypatch.setenv("OMP_NUM_THREADS", "3")
    assert cpu_threads() == 3
    monkeypatch.delenv("OMP_NUM_THREADS")
    assert 1 <= cpu_threads() <= len(os.sched_getaffinity(0))


# ------------------------------------------------------------------------------------------- 8-bit UNet
pytest.importorskip("openvino")


@pytest.fixture
def ov_tiny(tmp_path, monkeypatch, tiny_editor):
    from ip2p_nb.models.runtime import use_openvino

    monkeypatch.setenv("IP2P_CACHE_DIR", str(tmp_path))
    use_openvino(tiny_editor.pipe)
    return tiny_editor


EDIT = dict(english="make it snowy", seed=3, steps=4, max_size=256, cache_interval=1)


def test_int8_recipes_convert_cache_and_stay_close(ov_tiny, photo):
    pytest.importorskip("nncf")
    from ip2p_nb.models.quantize import quantize_ir, record_calls, use_int8

    unet = ov_tiny.pipe.unet
    with record_calls(unet, limit=12) as calls:
        for seed in range(3):
            ov_tiny.edit(photo, "x", **dict(EDIT, seed=seed))
    assert len(calls) == 12 and calls[0][0].shape[0] == 3   # (sample, t, states) of whole calls, 3 guidance rows
    reference = ov_tiny.edit(photo, "x", **EDIT).image
    made = {}
    for recipe in ("int8", "int8-weights"):   # int8-hybrid: through use_int8 below
        path, seconds = quantize_ir(unet.folder, recipe, calls, label="test")
        assert path.is_file() and path.with_suffix(".bin").is_file() and recipe in path.name and seconds > 0
        assert quantize_ir(unet.folder, recipe, calls, label="test") == (path, 0.0)   # cached: not made again
        unet.use_whole_graph(path, recipe)
        made[recipe] = ov_tiny.edit(photo, "x", **EDIT).image
        assert unet.graph == recipe
        assert _psnr(made[recipe], reference) > 25, recipe
    assert not np.array_equal(np.asarray(made["int8"]), np.asarray(reference))   # it did change the arithmetic
    # use_int8 without inputs calibrates on the sample photos' edits once, then finds its file
    first = use_int8(ov_tiny.pipe, "int8-hybrid", steps=2, limit=4)
    assert first["calls"] == 4 and "int8-hybrid-samples-4" in first["path"] and unet.graph == "int8-hybrid"
    assert _psnr(ov_tiny.edit(photo, "x", **EDIT).image, reference) > 25
    assert use_int8(ov_tiny.pipe, "int8-hybrid")["seconds"] == 0.0
    assert len({p.name for p in unet.folder.glob("unet_whole.*.xml")}) == 3   # one file per recipe and calibration
