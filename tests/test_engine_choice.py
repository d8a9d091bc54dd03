"""The CPU's engine: the UNet graph chosen from the CPU's flags, the 8-bit UNet made in a child process that
leaves nothing half-made behind, and the faster engine prepared in the background while the first edits run on torch."""
import os
import signal
import time
import warnings

import numpy as np
import pytest

from ip2p_nb import load_editor
from ip2p_nb.editing.cpu import choose_unet
from ip2p_nb.errors import UserError
from ip2p_nb.models.speed import pick_unet


# ------------------------------------------------------------------------------------------- the choice
@pytest.mark.parametrize("flags, nncf, want, named", [
    (["avx2"], True, "float", "avx512_vnni"),                                      # AVX2 only: 8 bits no faster
    (["avx2", "avx512f", "avx512_bf16"], True, "float", "avx512_bf16"),            # bfloat16 but no 8-bit dot products
    (["avx2", "avx512f", "avx512_vnni"], True, "int8", "no native bfloat16"),     # VNNI without bfloat16: the CPU
    (["avx2", "avx_vnni"], True, "int8", "avx_vnni"),                              # a laptop's AVX-VNNI
    (["avx2", "avx512f", "avx512_vnni", "avx512_bf16"], True, "int8", "without AMX"),   # measured faster than bfloat16
    (["avx512_vnni", "avx512_bf16", "amx_int8", "amx_bf16"], True, "float", "amx_bf16"),  # AMX bfloat16 as fast: no quantizing
    (["avx2", "avx512f", "avx512_vnni"], False, "float", "nncf"),                 # nncf missing: said, not failed
])
def test_unet_choice_from_cpu_flags(flags, nncf, want, named):
    recipe, reason = pick_unet(flags, have_nncf=nncf, ram_gib=64)
    assert recipe == want and named in reason


def test_unet_choice_needs_the_memory_to_make_it():
    recipe, reason = pick_unet(["avx2", "avx512_vnni"], have_nncf=True, ram_gib=8)
    assert recipe == "float" and "6 GB" in reason and "has 8 GB" in reason
    assert pick_unet(["avx2", "avx512_vnni"], have_nncf=True, ram_gib=12.7)[0] == "int8"   # a free hosted runtime


def test_float_turns_the_choice_off():
    assert choose_unet("float")[0] == "float"
    assert choose_unet("auto") == pick_unet()
    with pytest.raises(UserError, match="Unknown UNet graph 'int4'"):
        load_editor("tiny", unet="int4")
    with pytest.raises(UserError, match="runs on OpenVINO"):
        load_editor("tiny", runtime="torch", unet="int8")


pytest.importorskip("openvino")
pytest.importorskip("nncf")


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("IP2P_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def _psnr(a, b) -> float:
    mse = ((np.asarray(a, np.float64) - np.asarray(b, np.float64)) ** 2).mean()
    return 99.0 if mse == 0 else 10 * np.log10(255.0**2 / mse)


EDIT = dict(english="make it snowy", seed=3, steps=3, max_size=256, cache_interval=1)


# ------------------------------------------------------------------------------------------- a killed quantization
def test_a_killed_quantization_leaves_no_file_that_is_used(cache, tiny_editor, photo):
    """Calibration calls recorded on torch (as the background child records them: no compiled graph beside the
    weights) are what the whole graph takes; a child killed mid-quantization leaves nothing that is read."""
    import torch

    from ip2p_nb.models.quantize import quantize_in_child, quantized_path, record_calls, save_calls, use_int8
    from ip2p_nb.models.runtime import use_openvino

    pipe = tiny_editor.pipe
    with record_calls(pipe.unet, limit=4) as calls:   # on torch
        tiny_editor.edit(photo, "x", **EDIT)
    assert len(calls) == 3 and calls[0][0].shape[1] == 8 and calls[0][1].shape == () and calls[0][2].ndim == 3
    assert [float(t) for _s, t, _e in calls] == sorted((float(t) for _s, t, _e in calls), reverse=True)  # the steps, in order
    sample, t, states = calls[1]
    with torch.no_grad():
        want = pipe.unet(torch.from_numpy(sample), torch.tensor(float(t)), encoder_hidden_states=torch.from_numpy(states))[0]
    use_openvino(pipe)
    unet = pipe.unet
    got, _deep = unet.run_parts(torch.from_numpy(sample), t, torch.from_numpy(states))   # the graph answers as torch did
    assert np.abs(got.numpy() - want.numpy()).max() < 1e-3 * max(1.0, np.abs(want.numpy()).max())
    label = "samples-4-test"
    calls_path = save_calls(unet.folder / "calls.npz", calls)
    final = quantized_path(unet.folder, "int8", calls, label)
    killed = []

    def kill_mid_way(process):   # once the child says it is quantizing
        assert process.stdout.readline().strip() == "quantizing"
        time.sleep(1.0)
        assert process.poll() is None, "the child finished before it could be killed mid-way"
        os.kill(process.pid, signal.SIGKILL)
        killed.append(process.pid)

    with pytest.raises(UserError, match="failed"):
        quantize_in_child(unet.folder, "int8", calls_path, label, started=kill_mid_way)
    assert killed
    assert not final.exists() and not final.with_suffix(".bin").exists()   # what is read is never half-made
    # what the killed child may have half-written is hidden under its pid; one is made sure of here
    (unet.folder / f".{final.stem}-{killed[0]}-weights.bin").write_bytes(b"half")
    # the next run makes it whole (sweeping the dead child's hidden files), and the one after reuses it (no quantization)
    said = []
    first = use_int8(tiny_editor.pipe, "int8", calibration=calls, label=label, notify=said.append)
    assert first["path"] == str(final) and final.is_file() and any("Quantizing" in s for s in said)
    assert sorted(p.name for p in unet.folder.glob(".unet_whole.*")) == []
    said.clear()
    assert use_int8(tiny_editor.pipe, "int8", calibration=calls, label=label, notify=said.append)["seconds"] == 0.0
    assert not any("Quantizing" in s for s in said)


# ------------------------------------------------------------------------------------------- the background engine
def test_first_edits_run_on_torch_while_the_engine_is_prepared(cache, photo, tmp_path):
    """Through the app: its first edit runs on torch at once, the app answers while the engine is made (its estimate
    line says how far), and the next edit runs on the 8-bit OpenVINO UNet, close to torch's picture."""
    from ip2p_nb.app import App

    said = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        editor = load_editor("tiny", runtime="openvino", background=True, unet="int8", notify=said.append)
    app = App(editor, workdir=tmp_path)
    try:
        assert editor.runtime == "torch" and "being prepared (1/3" in app.speed_panel.estimate.value
        app.set_input(photo, "Photo uploaded")
        app.instruction.value = "make it snowy"
        app.steps.value, app.max_size.value, app.seed.value, app.random_seed.value = 3, 256, 3, False
        app.start_edit()                                  # never waits for the conversion
        assert app.wait(120) and "Done" in app.message.value, app.message.value
        first = app.results[-1]
        assert first.runtime == "torch"
        seen, answered = {editor.engine_status}, 0
        while not editor.preparer.wait(0.2):              # the app answers while the engine is made
            seen.add(editor.engine_status)
            before = app.speed_panel.shown
            app.steps.value = 4 if app.steps.value == 3 else 3
            answered += app.speed_panel.shown > before
        assert answered >= 1 and editor.engine_status.startswith("faster engine: ready"), editor.engine_status
        assert any("(3/3: making the 8-bit UNet)" in s for s in seen | set(said))
        app.steps.value = 3
        app.start_edit()                                  # swapped at the start of this run
        assert app.wait(120) and "Done" in app.message.value, app.message.value
        after = app.results[-1]
        assert after.runtime == "openvino" and editor.pipe.unet.graph == "int8"
        # the word maps were asked for on torch: this edit says why it has none, and the switch goes off with the reason
        assert after.maps is None and any("Word maps were not recorded" in w for w in after.warnings)
        assert app.maps_panel.switch.disabled and not app.maps_panel.switch.value and "OpenVINO" in app.maps_panel.note.value
        assert editor.engine_status == "faster engine: in use (OpenVINO, int8 UNet)"
        assert "in use (OpenVINO, int8 UNet)" in app.speed_panel.estimate.value
        assert after.seed == first.seed == 3 and _psnr(after.image, first.image) > 25
    finally:
        editor.preparer.stop()
    # a second load finds everything made: OpenVINO and the 8-bit UNet at once, nothing prepared, nothing quantized
    said.clear()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        again = load_editor("tiny", runtime="openvino", background=True, unet="int8", notify=said.append)
    assert again.preparer is None and again.runtime == "openvino" and again.pipe.unet.graph == "int8"
    assert not any("being prepared" in s or "Quantizing" in s or "Converting" in s for s in said)


def test_a_failed_preparation_leaves_torch_running_and_says_why(tmp_path, monkeypatch, photo):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.setenv("IP2P_CACHE_DIR", str(blocker))
    said = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        editor = load_editor("tiny", runtime="openvino", background=True, notify=said.append)
    assert editor.preparer.wait(60)
    status = editor.engine_status
    assert status.startswith("faster engine: failed (") and status.endswith("edits go on with torch") and "\n" not in status
    assert said[-1] == status
    assert editor.edit(photo, "x", **EDIT).runtime == "torch"
