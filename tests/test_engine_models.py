"""The data engine's models come the way the editing models do: catalogue names, hub ids through the real
huggingface_hub client against a loopback hub (only safetensors and configs fetched, then the cache with no
network call), shipped folders, local folders, and one sentence for anything else."""
import warnings

import numpy as np
import pytest
import torch

from hub_server import LoopbackHub
from ip2p_nb.errors import UserError
from ip2p_nb.models.catalogue import available_models, find_engine_model


def _files(folder) -> dict:
    files = {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
    for path in [p for p in files if p.endswith(".safetensors")]:   # the pickle twins a real repo has: never fetched
        files[path.replace("model.safetensors", "pytorch_model.bin").replace(".safetensors", ".bin")] = b"PK-not-a-pickle"
    files["README.md"] = b"# loopback copy\n"
    return files


@pytest.fixture
def hub(tmp_path, monkeypatch):
    from ip2p_nb.models.tiny import build_tiny_t2i_pipeline
    from ip2p_nb.models.tiny_lm import build_tiny_lm

    from ip2p_nb.models.tiny_clip import build_tiny_clip

    model, tokenizer = build_tiny_lm()
    model.save_pretrained(tmp_path / "lm")
    tokenizer.save_pretrained(tmp_path / "lm")
    clip, processor = build_tiny_clip()
    clip.save_pretrained(tmp_path / "clip")
    processor.save_pretrained(tmp_path / "clip")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        build_tiny_t2i_pipeline().save_pretrained(tmp_path / "t2i", safe_serialization=True)
    server = LoopbackHub({"someone/tiny-lm": _files(tmp_path / "lm"), "someone/tiny-t2i": _files(tmp_path / "t2i"),
                          "someone/tiny-clip": _files(tmp_path / "clip")}).start()
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.delenv("HF_HUB_CACHE", raising=False)
    monkeypatch.setenv("HF_ENDPOINT", server.url)
    monkeypatch.setenv("IP2P_HUB_MIRRORS", "")
    yield server
    server.stop()


def _fetched(server) -> set:
    """The repository files asked for (weights are asked with HEAD, then fetched from the "CDN" port)."""
    return {path.split("/resolve/", 1)[1].split("/", 1)[1] for _, path, _ in server.requests if "/resolve/" in path}


def test_a_language_model_downloads_its_safetensors_only_then_loads_from_the_cache(hub):
    from ip2p_nb.datagen.writer import LMWriter, load_writer

    notes = []
    writer = load_writer("someone/tiny-lm", notify=notes.append)
    assert isinstance(writer, LMWriter) and writer.model.config.num_hidden_layers == 2
    fetched = _fetched(hub)
    assert "model.safetensors" in fetched and "config.json" in fetched
    assert not any(p.endswith(".bin") or p == "README.md" for p in fetched)
    assert any("Model hub:" in n for n in notes)
    before = len(hub.requests)
    load_writer("someone/tiny-lm")
    assert len(hub.requests) == before          # the cache, with no network call at all


def test_a_text_to_image_model_from_the_hub_draws_like_the_one_saved(hub):
    from ip2p_nb.datagen.pairs import draw
    from ip2p_nb.models.engine import load_t2i
    from ip2p_nb.models.tiny import build_tiny_t2i_pipeline

    pipe = load_t2i("someone/tiny-t2i")
    assert type(pipe).__name__ == "StableDiffusionPipeline" and pipe.safety_checker is None
    assert not any(p.endswith(".bin") for p in _fetched(hub))
    ours, _ = draw(pipe, "a red house", seed=3, steps=3, size=64)
    theirs, _ = draw(build_tiny_t2i_pipeline(), "a red house", seed=3, steps=3, size=64)
    assert np.array_equal(np.asarray(ours), np.asarray(theirs))


def test_a_clip_from_the_hub_scores_like_the_one_saved(hub):
    from ip2p_nb.datagen.clip_filter import load_clip
    from ip2p_nb.train.scenes import make_pair

    scorer = load_clip("someone/tiny-clip", device="cpu")
    assert not any(p.endswith(".bin") for p in _fetched(hub)) and "model.safetensors" in _fetched(hub)
    pair = make_pair(1)
    got = scorer.score(pair.before, pair.after, pair.caption_before, pair.caption_after)
    expected = load_clip("tiny-clip").score(pair.before, pair.after, pair.caption_before, pair.caption_after)
    assert list(vars(got).values()) == pytest.approx(list(vars(expected).values()), abs=1e-6)


def test_the_catalogue_has_the_engines_models_and_names_them_in_errors(tmp_path):
    from ip2p_nb.models.engine import engine_source, load_t2i

    assert {m.name for m in available_models("t2i")} == {"sd15", "demo-t2i", "tiny-t2i"}
    assert find_engine_model("clip-vit-l-14", "clip").hub_id == "openai/clip-vit-large-patch14"
    assert find_engine_model("Qwen/Qwen2.5-0.5B-Instruct", "lm").name == "qwen2.5-0.5b-instruct"
    assert [m.name for m in available_models()][0] == "instruct-pix2pix"      # the editing models are unchanged
    assert all(m.kind in ("sd", "sdxl") for m in available_models())
    with pytest.raises(UserError, match="Unknown t2i model 'nonsense'; use one of: sd15, demo-t2i, tiny-t2i"):
        engine_source("nonsense", "t2i")
    (tmp_path / "model_index.json").write_text('{"_class_name": "StableDiffusionInstructPix2PixPipeline"}')
    with pytest.raises(UserError, match="not a Stable Diffusion text-to-image one"):
        load_t2i(str(tmp_path))
    assert type(load_t2i("tiny-t2i")).__name__ == "StableDiffusionPipeline"
    assert torch.get_num_threads() >= 1
