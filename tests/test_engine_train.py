"""The whole engine offline, end to end: scene captions -> the rule writer -> pairs drawn by demo-t2i with shared
attention -> demo-clip's filter -> the paper's folder -> the training recipe (demo-t2i widened to 8 input channels,
as the paper starts from Stable Diffusion) -> a score on held-out scenes, beside the same recipe on procedural pairs.

In CI this is a few steps of each: it proves the plumbing and that both runs are scored the same way. The figures
of a real run (minutes of training each) are in docs/TRAINING.md."""
import random

import pytest

from ip2p_nb.datagen import Caption, EngineConfig, PairsRun, load_clip, load_t2i, load_writer
from ip2p_nb.models.engine import SHIPPED
from ip2p_nb.train import SceneData, TrainConfig, build_pipeline, evaluate, load_training_components, train, training_data
from ip2p_nb.train.scenes import caption, random_scene


@pytest.fixture(scope="module")
def engine_pairs(tmp_path_factory):
    out = tmp_path_factory.mktemp("engine")
    captions = [Caption(i + 1, caption(random_scene(random.Random(i)))) for i in range(3)]
    run = PairsRun(captions, out, EngineConfig(samples=4, keep=2, steps=8), pipe=load_t2i("demo-t2i"),
                   scorer=load_clip("demo-clip"), writer=load_writer("rules"))
    records = list(run)
    assert [r["status"] for r in records] == ["done"] * 3, records
    return out, records


def _train_and_score(data, tmp_path, name):
    parts = load_training_components(str(SHIPPED["demo-t2i"]), seed=0)
    assert parts["unet"].config.in_channels == 8                     # widened from the text-to-image model
    cfg = TrainConfig(output_dir=str(tmp_path / name), resolution=64, batch_size=2, max_steps=2, warmup_steps=1,
                      checkpoint_every=10**9, validate_every=0)
    return evaluate(build_pipeline(train(cfg, parts, data)), per_kind=1, size=64, steps=3)


def test_a_model_trained_on_the_engines_pairs_is_scored_beside_procedural_pairs(engine_pairs, tmp_path):
    out, records = engine_pairs
    data = training_data(str(out), 64)
    assert len(data) == sum(r["kept"] for r in records) > 0
    before, instruction, after = data[0]
    assert before.size == after.size == (64, 64) and instruction in {r["instruction"] for r in records}
    engine = _train_and_score(data, tmp_path, "engine")
    procedural = _train_and_score(SceneData(size=64), tmp_path, "procedural")
    for scores in (engine, procedural):
        assert scores["all"]["n"] == 7 and 0.0 <= scores["all"]["followed"] <= 1.0
