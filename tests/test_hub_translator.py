"""The neural translator comes with a hub editing model: one loopback hub (tests/hub_server.py) serves a tiny edit
pipeline and a tiny Marian model (tests/tiny_marian.py, safetensors), the real huggingface_hub and transformers code
download and load them, and the next Chinese translation names its backend.

googletrans is switched off (IP2P_TRANSLATE_OFFLINE=1: it is tested against its own loopback elsewhere), so the chain
is marian, then the built-in translator.
"""

import pytest

import tiny_marian
from hub_server import LoopbackHub, closed_port, pipeline_layout
from ip2p_nb.translation import chain as tr

REPO = "timbrooks/instruct-pix2pix"
MARIAN = "Helsinki-NLP/opus-mt-zh-en"


@pytest.fixture(scope="module")
def repos(tmp_path_factory):
    from ip2p_nb.models.tiny import build_tiny_pipeline

    edit = pipeline_layout(build_tiny_pipeline(), tmp_path_factory.mktemp("edit"))
    marian = tiny_marian.build(tmp_path_factory.mktemp("marian"), force="sky")
    files = {p.name: p.read_bytes() for p in marian.iterdir() if p.is_file() and p.name != "sp.model"}
    files["pytorch_model.bin"] = b"PK-not-a-real-pickle"     # the real repository's pickle twin: never fetched
    files["README.md"] = b"# loopback copy\n"
    return {REPO: edit, MARIAN: files}


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    for name in ("HF_HUB_CACHE", "HF_HUB_OFFLINE", "IP2P_HUB", tr.ENV_MARIAN):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("IP2P_HUB_MIRRORS", "")
    monkeypatch.setenv(tr.ENV_OFFLINE, "1")
    tr.reset_cache()
    tr.forget_marian()
    yield monkeypatch
    tr.forget_marian()


def _load(**kwargs):
    from ip2p_nb.editing.load import load_editor

    return load_editor(REPO, device="cpu", dtype="float32", **kwargs)


def test_a_fresh_cache_gets_both_listed_with_sizes_and_translates_with_marian(env, repos):
    assert "marian" not in tr.available_backends()
    notes, seen = [], []
    with LoopbackHub(repos) as hub:
        env.setenv("HF_ENDPOINT", hub.url)
        _load(notify=notes.append, download_progress=lambda d, t: seen.append((d, t)))
        fetched = {hub.path_of(p.rsplit("/", 1)[-1]) for p in hub.paths() if p.startswith("/cdn/")}
    # 1. both announced before the download, each with its size
    assert notes[0] == f"Model hub: {hub.url} (from HF_ENDPOINT)."
    assert notes[1].startswith(f"Downloading {REPO} from {hub.url}: ")
    needed = {"config.json", "generation_config.json", "tokenizer_config.json", "vocab.json", "source.spm", "target.spm",
              "model.safetensors"}
    size = sum(len(repos[MARIAN][p]) for p in needed)
    assert notes[2].startswith(f"Downloading {MARIAN} from {hub.url}: 7 of 7 files, {size / 1e6:.1f} MB of {size / 1e6:.1f} MB, ")
    # 2. one progress bar over both, safetensors only
    assert seen[-1][0] == seen[-1][1] and all(t == seen[-1][1] for _, t in seen)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert "model.safetensors" in fetched and "pytorch_model.bin" not in fetched
    # 3. the next Chinese instruction uses the neural model, by default
    assert "marian" in tr.available_backends()
    result = tr.translate("把天空换成夜晚")
    assert (result.text, result.backend) == ("sky", "marian")


def test_the_hub_down_leaves_the_built_in_translator_and_one_sentence(env, repos):
    env.setenv(tr.ENV_MARIAN, "off")                       # 1. the edit model alone, earlier
    with LoopbackHub({REPO: repos[REPO]}) as hub:
        env.setenv("HF_ENDPOINT", hub.url)
        _load(notify=lambda text: None)
    env.delenv(tr.ENV_MARIAN)                              # 2. now the hub is down
    refused = closed_port()
    env.setenv("HF_ENDPOINT", f"http://127.0.0.1:{refused}")
    notes = []
    _load(notify=notes.append)
    assert notes == [f"The neural translator {MARIAN} was not downloaded (no hub answers: http://127.0.0.1:{refused}: "
                     "connection refused); Chinese is translated by the built-in translator."]
    result = tr.translate("把天空换成夜晚")
    assert (result.text, result.backend) == ("turn the sky into night", "builtin")
    later = []
    _load(notify=later.append)                             # 3. not asked again at every load
    assert later == []


def test_marian_off_fetches_no_translator(env, repos):
    env.setenv(tr.ENV_MARIAN, "off")
    with LoopbackHub(repos) as hub:
        env.setenv("HF_ENDPOINT", hub.url)
        _load(notify=lambda text: None)
        assert not [p for p in hub.paths() if MARIAN in p]


def test_the_catalogue_knows_the_translator():
    from ip2p_nb.models.catalogue import available_models, find_engine_model

    assert [m.hub_id for m in available_models("translator")] == [MARIAN] and MARIAN == tr.MARIAN_MODEL
    assert find_engine_model("opus-mt-zh-en", "translator").hub_id == MARIAN


def test_importing_the_translation_package_imports_no_torch():
    import subprocess
    import sys

    code = "import sys, ip2p_nb.translation; print('torch' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == "False"
