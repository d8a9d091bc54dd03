"""The model catalogue: complete entries, short names, the gated check, per-model defaults, doctor's report, README.

Hub behaviour is checked against the loopback hub of tests/hub_server.py with the real huggingface_hub
client (the requests it sees, the files in the cache), never by patching the client.
"""
import re
from pathlib import Path

import pytest

from hub_server import LoopbackHub, pipeline_layout

ROOT = Path(__file__).resolve().parent.parent


# ---- the catalogue ---------------------------------------------------------------------------------
def test_every_entry_is_complete():
    from ip2p_nb.defaults import MODEL_DEFAULTS, RANGES
    from ip2p_nb.models.catalogue import KINDS, available_models

    models = available_models()
    assert [m.name for m in models] == ["instruct-pix2pix", "magicbrush", "sdxl-instructpix2pix-768", "cosxl-edit",
                                        "demo", "tiny", "tiny-xl"]
    assert len({m.name for m in models}) == len(models)
    for m in models:
        for field in ("name", "kind", "licence", "good_at", "measured"):
            assert isinstance(getattr(m, field), str) and getattr(m, field).strip(), (m.name, field)
        assert m.kind in KINDS, m.name
        assert m.native_size >= 64 and m.native_size % 8 == 0, m.name
        assert m.gpu_gb > 0 and m.cpu_gb > 0, m.name
        if m.hub_id is None:        # built or shipped here: nothing to download, nothing gated
            assert m.download_gb < 0.1 and not m.gated and m.revision is None, m.name
        else:
            assert re.fullmatch(r"[\w.-]+/[\w.-]+", m.hub_id) and m.download_gb > 1, m.name
        if m.weights_file:
            assert m.weights_file.endswith(".safetensors"), m.name     # never a pickle
        # one row of defaults per model, inside the general ranges, its size range around its default
        own = MODEL_DEFAULTS[m.name]
        low, high = own.size_range
        assert RANGES["max_size"][1] >= high >= own.max_size >= low >= 64, m.name
        assert RANGES["steps"][0] <= own.steps <= RANGES["steps"][1], m.name
        assert RANGES["image_guidance"][0] <= own.image_guidance <= RANGES["image_guidance"][1], m.name
        assert RANGES["text_guidance"][0] <= own.text_guidance <= RANGES["text_guidance"][1], m.name
    assert set(MODEL_DEFAULTS) == {m.name for m in models}
    by_name = {m.name: m for m in models}
    assert by_name["magicbrush"].revision == "refs/pr/2"          # main has no safetensors
    assert by_name["cosxl-edit"].gated and by_name["cosxl-edit"].weights_file == "cosxl_edit.safetensors"
    assert [m.name for m in models if m.gated] == ["cosxl-edit"]


def test_a_gated_entry_says_how_to_accept_the_licence_and_log_in():
    from ip2p_nb.models.catalogue import access_sentence, available_models

    for m in [m for m in available_models() if m.gated]:
        text = access_sentence(m)
        assert f"https://huggingface.co/{m.hub_id}" in text and "hf auth login" in text and "HF_TOKEN" in text
        assert text.count(". ") == 0 and text.endswith(".")        # one sentence


def test_the_public_api_and_the_old_name_list():
    import ip2p_nb
    from ip2p_nb import ModelInfo, available_models
    from ip2p_nb.models.loading import available_models as names

    assert "available_models" in ip2p_nb.__all__ and "ModelInfo" in ip2p_nb.__all__
    assert all(isinstance(m, ModelInfo) for m in available_models())
    assert names() == [m.name for m in available_models()]   # demo ships in this checkout


# ---- short names -----------------------------------------------------------------------------------
def test_short_names_and_hub_ids_resolve(tmp_path):
    from ip2p_nb.models.catalogue import resolve_model

    assert resolve_model("MagicBrush")[0] == "vinesmsuic/magicbrush-jul7"
    assert resolve_model("magicbrush")[1].revision == "refs/pr/2"
    assert resolve_model("instruct-pix2pix")[0] == "timbrooks/instruct-pix2pix"
    assert resolve_model("timbrooks/instruct-pix2pix")[1].name == "instruct-pix2pix"
    assert resolve_model("sdxl-instructpix2pix-768")[0] == "diffusers/sdxl-instructpix2pix-768"
    assert resolve_model("tiny") == ("tiny", resolve_model("tiny")[1]) and resolve_model("demo")[0] == "demo"
    assert resolve_model("someone/their-model") == ("someone/their-model", None)   # any hub id
    assert resolve_model(str(tmp_path)) == (str(tmp_path), None)                    # any folder


def test_an_unknown_short_name_is_one_sentence_listing_the_names():
    from ip2p_nb.editing.load import load_editor
    from ip2p_nb.errors import UserError

    with pytest.raises(UserError) as e:
        load_editor("magicbrsh", device="cpu")
    assert str(e.value) == ("Unknown model 'magicbrsh'; use one of: instruct-pix2pix, magicbrush, sdxl-instructpix2pix-768, "
                            "cosxl-edit, demo, tiny, tiny-xl, a hub id such as timbrooks/instruct-pix2pix, or a local model folder.")


def test_the_command_line_lists_the_names_and_refuses_an_unknown_one(capsys, tmp_path):
    from ip2p_nb.cli import main

    with pytest.raises(SystemExit):
        main(["edit", "--help"])
    help_text = "".join(capsys.readouterr().out.split())   # argparse wraps lines, also at hyphens
    assert "instruct-pix2pix,magicbrush,sdxl-instructpix2pix-768,cosxl-edit,demo,tiny,tiny-xl" in help_text
    from PIL import Image

    Image.new("RGB", (64, 48), "white").save(tmp_path / "a.png")
    assert main(["edit", str(tmp_path / "a.png"), "make it snowy", "--model", "nosuchmodel", "-o", str(tmp_path / "b.png")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: Unknown model 'nosuchmodel'; use one of: instruct-pix2pix,") and err.count("\n") == 1


def test_the_command_line_takes_the_models_own_defaults(capsys, tmp_path):
    from PIL import Image

    from ip2p_nb.cli import main
    from ip2p_nb.outputs.metadata import read_png_settings

    Image.new("RGB", (96, 64), "white").save(tmp_path / "a.png")
    assert main(["edit", str(tmp_path / "a.png"), "make it snowy", "--model", "tiny", "--steps", "2", "--seed", "1",
                 "-o", str(tmp_path / "b.png"), "--quiet"]) == 0
    stored = read_png_settings(tmp_path / "b.png")
    assert (stored["steps"], stored["image_guidance"], stored["text_guidance"]) == (2, 1.5, 7.5)
    assert max(Image.open(tmp_path / "b.png").size) == 512    # tiny's own max_size


# ---- the gated check -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory):
    """{repo path: bytes}: the tiny pipeline in the hub's file layout."""
    from ip2p_nb.models.tiny import build_tiny_pipeline

    return pipeline_layout(build_tiny_pipeline(), tmp_path_factory.mktemp("checkpoint"))


@pytest.fixture
def hub(checkpoint, tmp_path, monkeypatch):
    from huggingface_hub import constants

    server = LoopbackHub({"stabilityai/cosxl": checkpoint, "vinesmsuic/magicbrush-jul7": checkpoint,
                          "timbrooks/instruct-pix2pix": checkpoint}).start()
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.delenv("HF_HUB_CACHE", raising=False)
    monkeypatch.setenv("HF_ENDPOINT", server.url)
    monkeypatch.setenv("IP2P_HUB_MIRRORS", "")
    monkeypatch.setenv("IP2P_TRANSLATE_MARIAN", "off")   # the edit models alone here (the translator: test_hub_translator.py)
    monkeypatch.delenv("HF_TOKEN", raising=False)
    monkeypatch.setattr(constants, "HF_TOKEN_PATH", str(tmp_path / "hf" / "token"))   # no stored login either
    yield server
    server.stop()


def test_a_gated_model_without_a_login_is_refused_before_any_request(hub):
    from huggingface_hub import get_token

    from ip2p_nb.editing.load import load_editor
    from ip2p_nb.errors import UserError

    assert get_token() is None
    with pytest.raises(UserError) as e:
        load_editor("cosxl-edit", device="cpu")
    assert str(e.value) == (
        "The model 'cosxl-edit' (stabilityai/cosxl) is gated: accept its licence on https://huggingface.co/stabilityai/cosxl "
        "while logged in, then log in here with `hf auth login` (or set HF_TOKEN to an access token), or choose another model.")
    with pytest.raises(UserError):
        load_editor("stabilityai/cosxl", device="cpu")     # the hub id is the same model
    assert hub.requests == []


def test_a_login_without_the_accepted_licence_gets_the_same_sentence_from_the_hub(hub, monkeypatch):
    from ip2p_nb.editing.load import load_editor
    from ip2p_nb.errors import UserError

    monkeypatch.setenv("HF_TOKEN", "hf_loopbacktesttoken")
    hub.gated.add("stabilityai/cosxl")        # the hub answers 401 GatedRepo
    with pytest.raises(UserError) as e:
        load_editor("cosxl-edit", device="cpu")
    assert str(e.value).startswith("The model 'cosxl-edit' (stabilityai/cosxl) is gated: accept its licence on "
                                   "https://huggingface.co/stabilityai/cosxl while logged in")
    assert hub.paths("GET") == ["/api/models/stabilityai/cosxl"]   # asked once, refused, nothing downloaded


# ---- revisions, the cache and doctor ---------------------------------------------------------------
def test_magicbrush_comes_from_its_pr_revision_and_then_from_the_cache(hub):
    from ip2p_nb.editing.load import load_editor

    editor = load_editor("magicbrush", device="cpu", dtype="float32")
    assert editor.pipe.unet.config.in_channels == 8
    infos = [p for p in hub.paths("GET") if p.startswith("/api/models/") and "/tree/" not in p]   # model info calls
    assert infos and all(p == "/api/models/vinesmsuic/magicbrush-jul7/revision/refs/pr/2" for p in infos), infos
    assert not any(p.endswith((".bin", ".ckpt")) for p in hub.paths())          # safetensors only
    seen = len(hub.requests)
    load_editor("magicbrush", device="cpu", dtype="float32")
    assert len(hub.requests) == seen                                             # cached: no request at all


def test_doctor_says_which_models_fit_and_which_are_cached(hub):
    from ip2p_nb.doctor import doctor_lines, model_report
    from ip2p_nb.editing.load import load_editor

    load_editor("instruct-pix2pix", device="cpu", dtype="float32")
    cpu = {"device": "cpu", "gpu": None, "vram_gib": None, "cpus": 2}
    rows = {r["name"]: r for r in model_report(cpu, ram_gib=8)}
    assert list(rows) == ["instruct-pix2pix", "magicbrush", "sdxl-instructpix2pix-768", "cosxl-edit", "demo", "tiny", "tiny-xl"]
    assert rows["instruct-pix2pix"]["fits"] and not rows["sdxl-instructpix2pix-768"]["fits"] and rows["tiny"]["fits"]
    assert rows["instruct-pix2pix"]["cached"] is True and rows["magicbrush"]["cached"] is False
    assert rows["demo"]["cached"] is None
    gpu = {"device": "cuda", "gpu": "T4", "vram_gib": 15.0, "cpus": 4}
    rows = {r["name"]: r for r in model_report(gpu)}
    assert all(r["fits"] for r in rows.values()) and rows["cosxl-edit"]["on"] == "GPU"
    rows = {r["name"]: r for r in model_report({**gpu, "vram_gib": 6.0})}
    assert rows["magicbrush"]["fits"] and not rows["cosxl-edit"]["fits"]
    lines = dict(doctor_lines())
    assert lines["instruct-pix2pix"].endswith("; cached") and lines["magicbrush"].endswith("; not downloaded yet")
    assert lines["tiny"].endswith("; no download needed")


# ---- the README -------------------------------------------------------------------------------------
def test_the_readme_models_table_is_the_catalogue():
    from ip2p_nb.models.catalogue import model_table

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Models", 1)[1].split("\n## ", 1)[0]
    assert model_table() in section


def test_a_single_file_checkpoint_is_fetched_alone_and_then_from_the_cache(tmp_path, monkeypatch):
    """CosXL Edit is one file in a repository of several: only that file is downloaded, then read from the cache."""
    from ip2p_nb.errors import UserError
    from ip2p_nb.models.hub import fetch_file

    edit, other = b"\x08" * 3_000_000, b"\x09" * 2_000_000
    files = {"cosxl_edit.safetensors": edit, "cosxl.safetensors": other, "README.md": b"---\nlicense: other\n---\n",
             ".gitattributes": b"*.safetensors filter=lfs diff=lfs merge=lfs -text\n"}
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.delenv("HF_HUB_CACHE", raising=False)
    monkeypatch.setenv("IP2P_HUB_MIRRORS", "")
    with LoopbackHub({"stabilityai/cosxl": files}) as hub:
        monkeypatch.setenv("HF_ENDPOINT", hub.url)
        notes, seen = [], []
        path = fetch_file("stabilityai/cosxl", "cosxl_edit.safetensors", progress=lambda d, t: seen.append((d, t)),
                          notify=notes.append)
        assert path.read_bytes() == edit
        assert not any(p.startswith("/cdn/") and hub.path_of(p.rsplit("/", 1)[-1]) == "cosxl.safetensors" for p in hub.paths())
        assert seen[-1] == (len(edit), len(edit)) and "1 of 1 files, 3.0 MB" in notes[-1]
        before = len(hub.requests)
        assert fetch_file("stabilityai/cosxl", "cosxl_edit.safetensors") == path
        assert len(hub.requests) == before                      # cached: no request
        with pytest.raises(UserError, match="only safetensors are loaded"):
            fetch_file("stabilityai/cosxl", "cosxl_edit.ckpt")
