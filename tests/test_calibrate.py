"""The time estimate: the speed probe, the prediction's shape, and doctor's line that shows it (no wall-clock comparisons)."""
import math

import pytest
import torch

from ip2p_nb.models.calibrate import REFERENCE, edit_work, predict_seconds, probe_seconds
from ip2p_nb.defaults import CPU_DEFAULTS


def test_reference_constants_are_filled_and_positive():
    for key in ("probe", "attention_growth", "vae_encode", "vae_decode", "text_encoder", "openvino_factor"):
        assert REFERENCE[key] > 0, key
    for table in ("unet", "outer"):
        assert set(REFERENCE[table]) == {1, 2, 3} and all(v > 0 for v in REFERENCE[table].values())
    for batch in (1, 2, 3):  # reuse only pays if the outer blocks are cheaper than a whole call
        assert REFERENCE["outer"][batch] < REFERENCE["unet"][batch]


def test_probe_is_a_positive_finite_time():
    seconds = probe_seconds(rounds=1)
    assert 0 < seconds < math.inf


def test_prediction_grows_with_size_steps_and_branches_and_shrinks_with_reuse():
    base = dict(max_size=384, steps=20, n_branches=3, cache_interval=1, probe=REFERENCE["probe"])
    t = predict_seconds(**base)
    assert 0 < t < math.inf
    assert predict_seconds(**{**base, "max_size": 512}) > t > predict_seconds(**{**base, "max_size": 256})
    assert predict_seconds(**{**base, "steps": 30}) > t > predict_seconds(**{**base, "steps": 10})
    assert predict_seconds(**{**base, "n_branches": 3}) > predict_seconds(**{**base, "n_branches": 2}) > predict_seconds(**{**base, "n_branches": 1})
    reused = predict_seconds(**{**base, "cache_interval": CPU_DEFAULTS["cache_interval"]})
    assert reused < t and predict_seconds(**{**base, "cache_interval": 5}) < reused
    assert predict_seconds(**base, runtime="openvino") == pytest.approx(
        t * REFERENCE["openvino_factor"] + REFERENCE["text_encoder"] * (1 - REFERENCE["openvino_factor"]))
    assert predict_seconds(**{**base, "probe": 2 * REFERENCE["probe"]}) == pytest.approx(2 * t)  # a machine half as fast
    assert predict_seconds(**base, size=(384, 288)) < t  # a 4:3 photo has fewer pixels than the square
    assert predict_seconds(**base, size=(384, 384)) == pytest.approx(t)


def test_work_counts_whole_and_outer_calls_as_the_reuse_schedule_does():
    from ip2p_nb.editing.reuse import ReuseSchedule

    schedule = ReuseSchedule(3)
    for _ in range(20):
        schedule.call(lambda x, t, s, deep, added: (x, x) if deep is None else x, 0, 0, None)
    whole, outer = schedule.whole, 20 - schedule.whole
    work = edit_work(256, 20, 3, 3)["unet"]
    assert work == pytest.approx(whole * REFERENCE["unet"][3] + outer * REFERENCE["outer"][3])


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="positive"):
        edit_work(0, 20, 3)


def test_probe_runs_in_bfloat16_too():
    assert probe_seconds(torch.bfloat16, rounds=1) > 0


def test_doctor_lines_include_the_prediction_at_the_cpu_defaults(monkeypatch):
    from ip2p_nb.doctor import doctor_lines, estimate_seconds

    monkeypatch.setenv("IP2P_MODEL", "tiny")
    lines = dict(doctor_lines())
    assert lines["device"] == "cpu"  # this project's CI machine has no GPU
    assert lines["suggested max_size"] == str(CPU_DEFAULTS["max_size"])
    cpu = lines["CPU defaults"]
    assert f"cache_interval {CPU_DEFAULTS['cache_interval']}" in cpu and "runtime " in cpu
    assert "per edit" in cpu and "without reuse: about " in cpu and "speed test" in cpu
    assert lines["CPU time per edit"].startswith("about ")
    fast = estimate_seconds(CPU_DEFAULTS["max_size"], CPU_DEFAULTS["steps"], {"device": "cpu"})
    plain = estimate_seconds(CPU_DEFAULTS["max_size"], CPU_DEFAULTS["steps"], {"device": "cpu"}, cache_interval=1, runtime="torch")
    assert 0 < fast < plain
    assert estimate_seconds(512, 20, {"device": "cuda"}) is None
