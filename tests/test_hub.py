"""The first run against a loopback model hub: the real huggingface_hub and diffusers code, nothing patched.

Each test serves a tiny pipeline saved with the file layout of `timbrooks/instruct-pix2pix`
(tests/hub_server.py) on 127.0.0.1, points HF_ENDPOINT / IP2P_HUB_MIRRORS at it, and keeps the
cache in tmp_path (HF_HOME). What is checked: which requests reach the server, the bytes on disk,
and the one sentence a user reads.
"""
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hub_server import LoopbackHub, closed_port, ip2p_layout, silent_port

ROOT = Path(__file__).resolve().parent.parent
REPO = "timbrooks/instruct-pix2pix"
NEEDED = {"model_index.json", "scheduler/scheduler_config.json", "text_encoder/config.json", "text_encoder/model.safetensors",
          "tokenizer/tokenizer.json", "tokenizer/tokenizer_config.json", "unet/config.json",
          "unet/diffusion_pytorch_model.safetensors", "vae/config.json", "vae/diffusion_pytorch_model.safetensors"}


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory):
    """{repo path: bytes}: the tiny pipeline with a wider UNet (16 MB: more than huggingface_hub's 10 MB
    write chunk, so a cut in the middle of it leaves bytes on disk to resume from) in the real repo layout."""
    import warnings

    from diffusers import StableDiffusionInstructPix2PixPipeline, UNet2DConditionModel

    from ip2p_nb.models.tiny import tiny_components

    parts = tiny_components()
    parts["unet"] = UNet2DConditionModel(
        block_out_channels=(64, 128), layers_per_block=1, sample_size=32, in_channels=8, out_channels=4,
        down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"), up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
        cross_attention_dim=32, attention_head_dim=8, norm_num_groups=8)
    folder = tmp_path_factory.mktemp("checkpoint")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        StableDiffusionInstructPix2PixPipeline(**parts, requires_safety_checker=False).save_pretrained(folder, safe_serialization=True)
    return ip2p_layout(folder)


@pytest.fixture
def hub(checkpoint, tmp_path, monkeypatch):
    server = LoopbackHub({REPO: checkpoint}).start()
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.delenv("HF_HUB_CACHE", raising=False)
    monkeypatch.setenv("HF_ENDPOINT", server.url)
    monkeypatch.setenv("IP2P_HUB_MIRRORS", "")
    monkeypatch.setenv("IP2P_TRANSLATE_MARIAN", "off")   # the edit model alone here; the translator: tests/test_hub_translator.py
    monkeypatch.delenv("IP2P_HUB", raising=False)
    yield server
    server.stop()


def _load(**kwargs):
    from ip2p_nb.editing.load import load_editor

    return load_editor(REPO, device="cpu", dtype="float32", **kwargs)


def _files_requested(hub) -> set:
    """Repo paths the client asked the hub or its CDN for (HEAD or GET)."""
    found = set()
    for _, path, _ in hub.requests:
        m = re.fullmatch(rf"/{REPO}/resolve/[^/]+/(.+)", path)
        if m:
            found.add(m.group(1))
        elif path.startswith("/cdn/"):
            found.add(hub.path_of(path.rsplit("/", 1)[-1]))
    return found


def _snapshot(tmp_path) -> Path:
    return next((tmp_path / "hf" / "hub" / f"models--{REPO.replace('/', '--')}" / "snapshots").iterdir())


def test_first_download_fetches_only_what_the_pipeline_needs_with_progress(hub, checkpoint, tmp_path):
    from ip2p_nb.app import DownloadBar

    seen, notes, bar = [], [], DownloadBar()

    def progress(done, total):
        seen.append((done, total))
        bar.progress(done, total)

    editor = _load(download_progress=progress, notify=notes.append)
    print("\nrequests of a first load:\n" + "\n".join(f"{m} {p}" + (f" [{r}]" if r else "") for m, p, r in hub.requests))
    # 1. only the needed files: no root .ckpt or .safetensors, no .bin twins, no README
    assert _files_requested(hub) == NEEDED
    assert not [p for p in hub.paths() if p.endswith((".ckpt", ".bin"))]
    # 2. progress in bytes, ending at the total of everything but model_index.json (fetched to decide the rest)
    total = sum(len(checkpoint[p]) for p in NEEDED - {"model_index.json"})
    assert seen[-1] == (total, total)
    assert "MB/s" in bar.status.value and bar.bar.value == bar.bar.max
    # 3. two announcements: the endpoint and why, then what is fetched
    assert notes[0] == f"Model hub: {hub.url} (from HF_ENDPOINT)."
    assert notes[1].startswith(f"Downloading {REPO} from {hub.url}: 9 of 10 files, 16.0 MB of 16.0 MB, into ")
    # 4. the files on disk are the served bytes, and the pipeline edits
    for path in NEEDED:
        assert (_snapshot(tmp_path) / path).read_bytes() == checkpoint[path], path
    assert editor.edit(Path(ROOT, "assets", "samples", "cat.jpg"), "make it snowy", steps=1, max_size=256, seed=0).image.size == (256, 168)


def test_a_cached_model_loads_with_no_request(hub, tmp_path, capsys):
    _load()
    hub.requests.clear()
    start = time.perf_counter()
    _load()
    seconds = time.perf_counter() - start
    assert hub.requests == []
    hub.stop()   # and with the hub gone
    _load()
    with capsys.disabled():
        print(f"\ncached load: 0 requests, {seconds:.2f} s")


def test_doctor_names_the_endpoint_that_answers_and_the_cache(hub, monkeypatch):
    from ip2p_nb.doctor import doctor_lines

    monkeypatch.setenv("IP2P_MODEL", REPO)
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{closed_port()}")
    monkeypatch.setenv("IP2P_HUB_MIRRORS", hub.url)
    before = dict(doctor_lines())
    assert before["model"] == f"{REPO}: not cached (a download of several GB on first load)"
    assert re.fullmatch(rf"http://127.0.0.1:\d+ \(from HF_ENDPOINT\): connection refused; {hub.url} \(a mirror\): answers",
                        before["model hub"]), before["model hub"]
    _load()
    assert dict(doctor_lines())["model"] == f"{REPO}: cached (loads with no network call)"


def test_a_connection_cut_halfway_resumes_on_the_next_run(hub, checkpoint, tmp_path):
    from ip2p_nb.errors import UserError

    unet = "unet/diffusion_pytorch_model.safetensors"
    size = len(checkpoint[unet])
    hub.drop_after = {unet: size * 3 // 4}
    with pytest.raises(UserError) as e:
        _load()
    assert str(e.value) == (f"The download of {REPO} from {hub.url} stopped during {unet} (RemoteProtocolError: Server "
                            "disconnected without sending a response.); run the same command again to resume where it stopped.")
    parts = list((tmp_path / "hf").rglob("*.part"))
    assert len(parts) == 1 and 0 < parts[0].stat().st_size < size
    kept = parts[0].stat().st_size
    hub.broken, hub.drop_after = False, {}
    hub.requests.clear()
    _load()
    ranges = [r for m, p, r in hub.requests if p.startswith("/cdn/") and hub.path_of(p.rsplit("/", 1)[-1]) == unet]
    assert ranges == [f"bytes={kept}-"]   # one request, for the rest only
    for path in NEEDED:
        assert (_snapshot(tmp_path) / path).read_bytes() == checkpoint[path], path
    assert not list((tmp_path / "hf").rglob("*.part")) and not list((tmp_path / "hf").rglob("*.incomplete"))


@pytest.mark.slow
def test_a_stalled_download_is_given_up_with_one_sentence(hub, checkpoint, tmp_path):
    """huggingface_hub's own read timeout (HF_HUB_DOWNLOAD_TIMEOUT, 10 s by default, 2 s here) and its 5 retries."""
    unet = "unet/diffusion_pytorch_model.safetensors"
    hub.stall_after = {unet: 11_000_000}
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    env.update(HF_HUB_DOWNLOAD_TIMEOUT="2", PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])))
    start = time.perf_counter()
    run = subprocess.run([sys.executable, "-m", "ip2p_nb", "edit", str(ROOT / "assets" / "samples" / "cat.jpg"), "make it snowy",
                          "--model", REPO, "-o", str(tmp_path / "out.png")], capture_output=True, text=True, env=env, timeout=300)
    seconds = time.perf_counter() - start
    lines = run.stderr.strip().splitlines()
    assert run.returncode == 2 and lines[-1] == (f"error: The download of {REPO} from {hub.url} stopped during {unet} "
                                                 "(no answer); run the same command again to resume where it stopped."), lines
    assert [l for l in lines[:-1] if not l.startswith("note: ")] == []
    print(f"\nstalled download given up after {seconds:.0f} s (2 s read timeout, 5 retries)")


def test_a_refused_official_endpoint_falls_back_to_the_mirror_and_says_so(hub, monkeypatch):
    official = f"http://127.0.0.1:{closed_port()}"
    monkeypatch.setenv("HF_ENDPOINT", official)
    monkeypatch.setenv("IP2P_HUB_MIRRORS", f"{hub.url}")
    notes = []
    _load(notify=notes.append)
    assert notes[0] == f"Model hub: {hub.url} (a mirror; {official}: connection refused)."
    assert _files_requested(hub) == NEEDED


def test_a_hub_that_never_answers_is_one_sentence_within_seconds(hub, monkeypatch):
    from ip2p_nb.errors import UserError

    sock, port = silent_port()
    refused = closed_port()
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("IP2P_HUB_MIRRORS", f"http://127.0.0.1:{refused}")
    start = time.perf_counter()
    with pytest.raises(UserError) as e:
        _load()
    seconds = time.perf_counter() - start
    sock.close()
    assert str(e.value) == (
        f"Could not download '{REPO}' from the model hub (http://127.0.0.1:{port}: no answer within 3 s; "
        f"http://127.0.0.1:{refused}: connection refused) and it is not in the local cache: set a hub mirror (for example "
        "`export HF_ENDPOINT=https://hf-mirror.com`), pass a local model folder (--model /path/to/instruct-pix2pix), "
        "or use --model tiny for an offline dry run.")
    assert seconds < 10, seconds   # one 3 s probe, one refusal
    print(f"\nsilent hub + refusing mirror: one sentence after {seconds:.1f} s")


def test_an_unknown_repo_is_one_sentence(hub):
    from ip2p_nb.editing.load import load_editor
    from ip2p_nb.errors import UserError

    with pytest.raises(UserError) as e:
        load_editor("nobody/no-such-model", device="cpu")
    assert str(e.value) == (f"There is no model 'nobody/no-such-model' on the model hub ({hub.url}); check the spelling "
                            "(for example timbrooks/instruct-pix2pix) or pass a local model folder.")


def test_a_gated_repo_is_one_sentence(hub):
    from ip2p_nb.errors import UserError

    hub.gated.add(REPO)
    with pytest.raises(UserError) as e:
        _load()
    assert str(e.value) == (f"The model '{REPO}' is gated: accept its licence on its hub page and log in with "
                            "`hf auth login`, or choose another model.")


def test_a_weight_that_does_not_match_its_checksum_is_deleted(hub, tmp_path):
    from ip2p_nb.errors import UserError

    vae = "vae/diffusion_pytorch_model.safetensors"
    hub.corrupt.add(vae)
    with pytest.raises(UserError) as e:
        _load()
    assert str(e.value) == (f"{vae} from {hub.url} does not match the hub's checksum, so it was deleted; run the command "
                            "again, or use another endpoint (HF_ENDPOINT).")
    assert not list((tmp_path / "hf").rglob("*.part"))
    hub.corrupt.clear()
    _load()   # and the next run gets it right


@pytest.fixture
def small_disk(tmp_path):
    folder = tmp_path / "small"
    folder.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(folder)], capture_output=True).returncode:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    yield folder
    subprocess.run(["umount", str(folder)], check=True)


def test_a_disk_too_small_is_refused_before_downloading(hub, small_disk, monkeypatch):
    from ip2p_nb.errors import UserError

    monkeypatch.setenv("HF_HOME", str(small_disk / "hf"))
    with pytest.raises(UserError) as e:
        _load()
    m = re.fullmatch(rf"Not enough disk space to download {REPO}: it needs ([\d.]+) GB and only ([\d.]+) GB is free in "
                     rf"{small_disk}/hf/hub; free some space or set HF_HOME to a larger disk\.", str(e.value))
    assert m, str(e.value)
    print(f"\n{e.value}")
    assert float(m.group(1)) >= 0.015 and float(m.group(2)) <= 0.0042
    assert not [p for p in hub.paths() if p.startswith("/cdn/")]          # no weight was requested
    written = [p for p in (small_disk / "hf").rglob("*") if p.is_file() and not p.is_symlink()]
    assert sum(p.stat().st_size for p in written) < 2000, written           # model_index.json and lock files only
    assert not [p for p in written if p.name.endswith((".part", ".incomplete"))]


def test_the_command_line_keeps_its_one_sentence_and_never_falls_back(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy") and not k.startswith("HF_")}
    port = closed_port()
    env.update(HF_HOME=str(tmp_path / "hf"), HF_ENDPOINT=f"http://127.0.0.1:{port}", IP2P_HUB_MIRRORS="",
               PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])))
    run = subprocess.run([sys.executable, "-m", "ip2p_nb", "edit", str(ROOT / "assets" / "samples" / "cat.jpg"), "make it snowy",
                          "--model", REPO, "-o", str(tmp_path / "out.png")], capture_output=True, text=True, env=env, timeout=180)
    assert run.returncode == 2
    assert run.stderr.strip().splitlines() == [
        f"error: Could not download '{REPO}' from the model hub (http://127.0.0.1:{port}: connection refused) and it is not "
        "in the local cache: set a hub mirror (for example `export HF_ENDPOINT=https://hf-mirror.com`), pass a local model "
        "folder (--model /path/to/instruct-pix2pix), or use --model tiny for an offline dry run."]
    assert not (tmp_path / "out.png").exists()


def test_the_app_falls_back_to_demo_with_a_banner_and_generated_scenes(hub, monkeypatch, tmp_path):
    from ip2p_nb.app import App, fallback_banner, load_app_editor

    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{closed_port()}")
    editor, why = load_app_editor(REPO, display=False)
    assert editor.model_name == "demo" and why.startswith(f"Could not download '{REPO}'")
    app = App(editor, workdir=tmp_path, fallback=why)
    banner = app.banner.value
    assert app.banner in app.widget.children[0].children[:2]           # at the top of the page (after a room's link)
    assert "Demo mode" in banner and "cartoon scenes" in banner and "HF_ENDPOINT=https://hf-mirror.com" in banner
    assert "HF_HOME" in fallback_banner("Not enough disk space to download x: it needs 4.000 GB and only 1.000 GB is free in /c.")
    scenes = [value for _, value in app.sample.options if value]
    assert scenes and all(v.startswith("scene:") for v in scenes)
    app.sample.value = scenes[0]
    assert app.current_image.size == (64, 64)
    app.instruction.value = "加上雪"          # -> "add snow", which the demo knows
    assert app.prompt.value == "add snow"
    app.steps.value = 4
    app.start_edit()
    assert app.wait(120)
    assert app.results and app.results[-1].image.size == (64, 64), app.message.value


def test_the_fp16_variant_is_fetched_for_float16(tmp_path, monkeypatch):
    """On CUDA (float16) only the fp16 weights are downloaded when the repository has them; runs on a CPU in float16 too."""
    import warnings

    import torch
    from ip2p_nb.editing.load import load_editor
    from ip2p_nb.models.tiny import build_tiny_pipeline

    folder = tmp_path / "fp16"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pipe = build_tiny_pipeline(seed=1)
        pipe.save_pretrained(folder, safe_serialization=True)                       # the float32 weights
        pipe.to(torch.float16).save_pretrained(folder, safe_serialization=True, variant="fp16")
    files = ip2p_layout(folder)
    assert {"unet/diffusion_pytorch_model.safetensors", "unet/diffusion_pytorch_model.fp16.safetensors"} <= set(files)
    with LoopbackHub({REPO: files}) as server:
        monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
        monkeypatch.setenv("HF_ENDPOINT", server.url)
        monkeypatch.setenv("IP2P_HUB_MIRRORS", "")
        device = "cuda" if torch.cuda.is_available() else "cpu"
        editor = load_editor(REPO, device=device, dtype="float16", notify=lambda text: None)
        weights = {p for p in _files_requested(server) if p.endswith(".safetensors")}
    assert weights == {"text_encoder/model.fp16.safetensors", "unet/diffusion_pytorch_model.fp16.safetensors",
                       "vae/diffusion_pytorch_model.fp16.safetensors"}
    assert editor.pipe.unet.dtype == torch.float16 and editor.pipe.unet.config.block_out_channels == [32, 64]
    if device == "cuda":
        result = editor.edit(Path(ROOT, "assets", "samples", "cat.jpg"), "make it snowy", steps=2, max_size=256, seed=0)
        assert result.image.size == (256, 168)


def test_needed_files_pick_safetensors_and_the_fp16_variant_only_when_complete():
    from ip2p_nb.errors import UserError
    from ip2p_nb.models.hub import needed_files

    index = {"_class_name": "StableDiffusionInstructPix2PixPipeline", "unet": ["diffusers", "UNet2DConditionModel"],
             "vae": ["diffusers", "AutoencoderKL"], "safety_checker": [None, None]}
    paths = ["model_index.json", "x.ckpt", "unet/config.json", "unet/diffusion_pytorch_model.safetensors",
             "unet/diffusion_pytorch_model.fp16.safetensors", "unet/diffusion_pytorch_model.bin", "vae/config.json",
             "vae/diffusion_pytorch_model.safetensors", "vae/diffusion_pytorch_model.fp16.safetensors", "safety_checker/model.bin"]
    assert needed_files(paths, index, "fp16") == (["model_index.json", "unet/config.json", "vae/config.json",
                                                  "unet/diffusion_pytorch_model.fp16.safetensors",
                                                  "vae/diffusion_pytorch_model.fp16.safetensors"], "fp16")
    no_vae_fp16 = [p for p in paths if p != "vae/diffusion_pytorch_model.fp16.safetensors"]
    files, variant = needed_files(no_vae_fp16, index, "fp16")
    assert variant is None and "unet/diffusion_pytorch_model.safetensors" in files and not [f for f in files if ".fp16." in f]
    with pytest.raises(UserError, match="'unet' has no .safetensors weights"):
        needed_files(["model_index.json", "unet/config.json", "unet/diffusion_pytorch_model.bin"], index)
