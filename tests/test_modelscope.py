"""ModelScope as a model hub: a loopback server speaking its download API (tests/modelscope_server.py), our own plain-HTTP
client (ip2p_nb/models/modelscope.py), the files in the Hugging Face cache layout, nothing patched.

The catalogue model with a ModelScope copy is `sd15` (stable-diffusion-v1-5/stable-diffusion-v1-5 there as
AI-ModelScope/stable-diffusion-v1-5); a tiny text-to-image pipeline stands in for its weights.
"""
import hashlib
import re

import pytest

from hub_server import closed_port, pipeline_layout
from modelscope_server import LoopbackModelScope

HF_ID = "stable-diffusion-v1-5/stable-diffusion-v1-5"
MS_NAME = "AI-ModelScope/stable-diffusion-v1-5"
WEIGHT = "unet/diffusion_pytorch_model.safetensors"


@pytest.fixture(scope="module")
def tiny_t2i(tmp_path_factory):
    """{path: bytes}: a tiny StableDiffusionPipeline in the real layout (plus .bin twins and a root checkpoint)."""
    from ip2p_nb.models.tiny import build_tiny_t2i_pipeline

    return pipeline_layout(build_tiny_t2i_pipeline(), tmp_path_factory.mktemp("t2i"))


@pytest.fixture
def big_weight():
    """A pipeline layout whose one weight is 3 MB (more than the client's 1 MB write chunk: a cut leaves bytes to resume)."""
    data = hashlib.sha256(b"seed").digest() * (3_000_000 // 32)
    return {"model_index.json": b'{"_class_name": "StableDiffusionPipeline", "unet": ["diffusers", "UNet2DConditionModel"]}',
            "unet/config.json": b"{}", WEIGHT: data, "unet/diffusion_pytorch_model.bin": b"pickle"}


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.delenv("HF_HUB_CACHE", raising=False)
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{closed_port()}")
    monkeypatch.setenv("IP2P_HUB_MIRRORS", "")
    monkeypatch.setenv("IP2P_HUB", "modelscope")
    return monkeypatch


def _serve(env, files):
    ms = LoopbackModelScope({MS_NAME: files}).start()
    env.setenv("IP2P_MODELSCOPE_ENDPOINT", ms.url)
    return ms


def test_a_catalogue_model_downloads_from_modelscope_and_loads(env, tiny_t2i, tmp_path):
    from ip2p_nb.models.engine import load_t2i
    from ip2p_nb.models.hub import cached_model

    ms = _serve(env, tiny_t2i)
    notes, seen = [], []
    try:
        pipe = load_t2i("sd15", device="cpu", notify=notes.append, progress=lambda d, t: seen.append((d, t)))
    finally:
        ms.stop()
    assert type(pipe).__name__ == "StableDiffusionPipeline"
    fetched = set(ms.files_fetched())
    assert "model_index.json" in fetched and not [p for p in fetched if p.endswith((".bin", ".ckpt"))]
    assert notes[0] == f"Model hub: {ms.url} (ModelScope, from IP2P_HUB)."
    assert notes[1].startswith(f"Downloading {HF_ID} from {ms.url} (ModelScope {MS_NAME}): ")
    total = sum(len(tiny_t2i[p]) for p in fetched)
    assert seen[-1] == (total, total)
    folder, _ = cached_model(HF_ID)                       # in the Hugging Face cache layout: found with no network
    assert (folder / WEIGHT).read_bytes() == tiny_t2i[WEIGHT]
    assert (folder / WEIGHT).is_symlink() and (folder / WEIGHT).resolve().name == hashlib.sha256(tiny_t2i[WEIGHT]).hexdigest()
    load_t2i("sd15", device="cpu")                        # the server is gone: the cache is enough


def test_a_cut_connection_resumes_on_the_next_run(env, big_weight, tmp_path):
    from ip2p_nb.errors import UserError
    from ip2p_nb.models.hub import fetch_model

    ms = _serve(env, big_weight)
    try:
        ms.drop_after = {WEIGHT: 2_500_000}
        with pytest.raises(UserError) as e:
            fetch_model(HF_ID)
        assert re.fullmatch(rf"The download of {HF_ID} from ModelScope \({ms.url}\) stopped during {WEIGHT} \(.+\); run the "
                            r"same command again to resume where it stopped\.", str(e.value)), str(e.value)
        parts = list((tmp_path / "hf").rglob("*.part"))
        assert len(parts) == 1 and 0 < parts[0].stat().st_size < 3_000_000
        kept = parts[0].stat().st_size
        ms.broken, ms.drop_after = False, {}
        ms.requests.clear()
        folder, _ = fetch_model(HF_ID)
        assert [r for _, _, f, r in ms.requests if f == WEIGHT] == [f"bytes={kept}-"]   # the rest only
        assert (folder / WEIGHT).read_bytes() == big_weight[WEIGHT]
        assert not list((tmp_path / "hf").rglob("*.part"))
    finally:
        ms.stop()


def test_a_sha256_mismatch_is_refused_in_one_sentence(env, big_weight, tmp_path):
    from ip2p_nb.errors import UserError
    from ip2p_nb.models.hub import fetch_model

    ms = _serve(env, big_weight)
    try:
        ms.corrupt.add(WEIGHT)
        with pytest.raises(UserError) as e:
            fetch_model(HF_ID)
        assert str(e.value) == (f"{WEIGHT} from ModelScope ({ms.url}) does not match the hub's checksum, so it was deleted; "
                                "run the command again, or set IP2P_HUB=huggingface to use the Hugging Face hub.")
        assert not list((tmp_path / "hf").rglob("*.part"))
        ms.corrupt.clear()
        folder, _ = fetch_model(HF_ID)
        assert (folder / WEIGHT).read_bytes() == big_weight[WEIGHT]
    finally:
        ms.stop()


def test_a_model_without_a_copy_says_so(env, big_weight):
    from ip2p_nb.errors import UserError
    from ip2p_nb.models.hub import fetch_model

    ms = _serve(env, big_weight)
    try:
        with pytest.raises(UserError) as e:
            fetch_model("timbrooks/instruct-pix2pix")
    finally:
        ms.stop()
    assert str(e.value) == ("The model 'timbrooks/instruct-pix2pix' has no ModelScope copy in the catalogue; unset IP2P_HUB "
                            "(or set IP2P_HUB=huggingface) to download it from the Hugging Face hub or a mirror, or pass a "
                            "local model folder.")
    assert ms.requests == []


def test_modelscope_is_used_when_no_hugging_face_endpoint_answers_and_doctor_names_it(env, big_weight, monkeypatch):
    from ip2p_nb.doctor import doctor_lines
    from ip2p_nb.models.hub import fetch_model

    env.delenv("IP2P_HUB")
    refused = closed_port()
    env.setenv("HF_ENDPOINT", f"http://127.0.0.1:{refused}")
    ms = _serve(env, big_weight)
    notes = []
    try:
        fetch_model(HF_ID, notify=notes.append)
        assert notes[0] == f"Model hub: {ms.url} (ModelScope; http://127.0.0.1:{refused}: connection refused)."
        env.setenv("IP2P_MODEL", HF_ID)
        assert dict(doctor_lines())["model hub"] == (f"http://127.0.0.1:{refused} (from HF_ENDPOINT): connection refused; "
                                                     f"{ms.url} (ModelScope): answers")
        env.setenv("IP2P_HUB", "modelscope")
        assert dict(doctor_lines())["model hub"] == f"{ms.url} (ModelScope, from IP2P_HUB): answers"
    finally:
        ms.stop()


def test_a_bad_hub_choice_is_one_sentence(env):
    from ip2p_nb.errors import SettingError
    from ip2p_nb.models.hub import fetch_model

    env.setenv("IP2P_HUB", "gitee")
    with pytest.raises(SettingError, match=r"^IP2P_HUB must be one of auto, huggingface, modelscope, got 'gitee'\.$"):
        fetch_model(HF_ID)
