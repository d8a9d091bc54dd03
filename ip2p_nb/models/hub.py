"""Getting a model from the hub: which endpoint answers, which files, enough disk, a visible download.

`fetch_model(repo_id)` returns the local folder of a diffusers pipeline, in five steps:
1. the cache first: a model downloaded before loads with no network call at all;
2. the endpoint: `HF_ENDPOINT` when set, else https://huggingface.co, then the mirrors of
   `IP2P_HUB_MIRRORS` (default https://hf-mirror.com; empty for none), each probed with one
   model-info call that must answer within `HUB_DEFAULTS["probe_seconds"]`;
3. the files: `model_index.json` and, for each component it names, its configs and its
   `.safetensors` weights only (never the root `.ckpt`, never the `.bin` twins), the `fp16`
   variant when asked for and present for every weight;
4. the disk: refused in one sentence, before any weight is fetched, when it cannot hold them;
5. the download, through huggingface_hub itself: weights into `blobs/<etag>.part` with its
   `http_get` (so a cut connection resumes from the last byte on the next run; huggingface_hub 2.4
   deletes its own partial files), checked against the hub's sha256, then `snapshot_download`
   with exactly those files. Progress comes from its `tqdm_class` hook as `progress(done, total)`.
One-line announcements (which endpoint and why, what is fetched) go to `notify(text)`.

Safe with mirrors because only safetensors are read (a pickle can run code) and remote code is
never trusted: a mirror can serve wrong weights, not run anything.
"""
import hashlib
import json
import os
import re
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..defaults import HUB_DEFAULTS
from ..errors import UserError

__all__ = ["hub_endpoints", "hub_cache_dir", "find_endpoint", "probe_endpoints", "needed_files", "repo_files", "cached_model", "plan_download",
           "check_free_space", "download", "fetch_model", "fetch_file", "DownloadPlan"]

_VARIANTS = ("fp16", "bf16", "fp32", "ema", "non_ema")   # infixes diffusers uses: unet/diffusion_pytorch_model.fp16.safetensors
_CONFIG_SUFFIXES = (".json", ".txt", ".model")          # configs, tokenizer vocabularies and merges, sentencepiece models


def _network_errors() -> tuple:
    """The exceptions a failed or stalled connection raises through huggingface_hub (httpx2 in 2.x, OSError always)."""
    try:
        import httpx2  # noqa: PLC0415

        return (OSError, httpx2.HTTPError)
    except ImportError:
        return (OSError,)


def hub_endpoints() -> list[tuple[str, str]]:
    """[(url, why)] in the order they are tried: HF_ENDPOINT or the official hub, then the mirrors."""
    first = os.environ.get("HF_ENDPOINT", "").strip().rstrip("/")
    found = [(first, "from HF_ENDPOINT")] if first else [(HUB_DEFAULTS["official"], "the official hub")]
    listed = os.environ.get("IP2P_HUB_MIRRORS")
    mirrors = HUB_DEFAULTS["mirrors"] if listed is None else [m for m in re.split(r"[,\s]+", listed) if m]
    for url in mirrors:
        if url.rstrip("/") not in [u for u, _ in found]:
            found.append((url.rstrip("/"), "a mirror"))
    return found


def hub_cache_dir() -> Path:
    """The huggingface_hub cache, read from the environment now (HF_HUB_CACHE, HF_HOME), not at import time."""
    if os.environ.get("HF_HUB_CACHE"):
        return Path(os.environ["HF_HUB_CACHE"]).expanduser()
    if os.environ.get("HF_HOME"):
        return Path(os.environ["HF_HOME"]).expanduser() / "hub"
    from huggingface_hub import constants  # noqa: PLC0415

    return Path(constants.HF_HUB_CACHE)


def _why(error, timeout: float | None = None) -> str:
    """A few words on why a connection failed: no answer, refused, unknown address, or the error itself."""
    text = " ".join(str(error).split())
    low = text.lower()
    if "timeout" in type(error).__name__.lower() or "timed out" in low:
        return f"no answer within {timeout:g} s" if timeout else "no answer"
    if "refused" in low:
        return "connection refused"
    if "name or service not known" in low or "nodename nor servname" in low or "getaddrinfo" in low:
        return "address not found"
    return f"{type(error).__name__}: {text[:80]}" if text else type(error).__name__


def _not_found(repo_id: str, url: str, error) -> UserError:
    from huggingface_hub.errors import GatedRepoError  # noqa: PLC0415

    if isinstance(error, GatedRepoError):
        from .catalogue import access_sentence, find_model  # noqa: PLC0415

        known = find_model(repo_id)
        if known is not None and known.gated:   # logged in, but the licence is not accepted (or the token lacks access)
            return UserError(access_sentence(known))
        return UserError(f"The model {repo_id!r} is gated: accept its licence on its hub page and log in with "
                         "`hf auth login`, or choose another model.")
    return UserError(f"There is no model {repo_id!r} on the model hub ({url}); check the spelling "
                     "(for example timbrooks/instruct-pix2pix) or pass a local model folder.")


def find_endpoint(repo_id: str, timeout: float | None = None, revision: str | None = None):
    """(url, model info with file sizes, announcement): the first endpoint that answers for `repo_id` (at `revision`)."""
    from huggingface_hub import HfApi  # noqa: PLC0415
    from huggingface_hub.errors import RepositoryNotFoundError  # noqa: PLC0415

    timeout = timeout or HUB_DEFAULTS["probe_seconds"]
    failed = []
    for url, why in hub_endpoints():
        try:
            info = HfApi(endpoint=url).model_info(repo_id, revision=revision, files_metadata=True, timeout=timeout)
        except RepositoryNotFoundError as e:
            raise _not_found(repo_id, url, e) from None
        except _network_errors() as e:
            failed.append(f"{url}: {_why(e, timeout)}")
            continue
        note = f"Model hub: {url} ({why}" + (f"; {'; '.join(failed)}" if failed else "") + ")."
        return url, info, note
    raise UserError(f"Could not download {repo_id!r} from the model hub ({'; '.join(failed)}) and it is not in the local "
                    "cache: set a hub mirror (for example `export HF_ENDPOINT=https://hf-mirror.com`), pass a local model "
                    "folder (--model /path/to/instruct-pix2pix), or use --model tiny for an offline dry run.")


def probe_endpoints(repo_id: str, timeout: float | None = None) -> list[tuple[str, str, str]]:
    """[(url, why it is tried, "answers" or why not)] for every endpoint, for `doctor`; stops at the first that answers."""
    from huggingface_hub import HfApi  # noqa: PLC0415
    from huggingface_hub.errors import RepositoryNotFoundError  # noqa: PLC0415

    timeout = timeout or HUB_DEFAULTS["probe_seconds"]
    found = []
    for url, why in hub_endpoints():
        try:
            HfApi(endpoint=url).model_info(repo_id, timeout=timeout)
            found.append((url, why, "answers"))
            break
        except RepositoryNotFoundError:
            found.append((url, why, f"answers, but has no {repo_id}"))
            break
        except _network_errors() as e:
            found.append((url, why, _why(e, timeout)))
    return found


def _variant_of(path: str) -> str | None:
    name = path.rsplit("/", 1)[-1]
    return next((v for v in _VARIANTS if re.search(rf"\.{v}[.-]", name)), None)


def needed_files(paths: list[str], index: dict, variant: str | None = None) -> tuple[list[str], str | None]:
    """(files, variant used): what a diffusers pipeline needs from a repository listing `paths`.

    `index` is its model_index.json. Only the components it names, their configs and their
    `.safetensors` weights; `variant` only when every weight has it. Raises UserError when a
    component has weights but none in safetensors."""
    components = [k for k, v in index.items() if not k.startswith("_") and isinstance(v, list) and None not in v]
    configs, weights = ["model_index.json"], {}
    for comp in components:
        inside = [p for p in paths if p.startswith(comp + "/") and "/" not in p[len(comp) + 1:]]
        configs += [p for p in inside if p.endswith(_CONFIG_SUFFIXES) and not p.endswith(".safetensors.index.json")]
        safe = [p for p in inside if p.endswith((".safetensors", ".safetensors.index.json"))]
        if not safe and any(p.endswith((".bin", ".ckpt", ".pt", ".pth")) for p in inside):
            raise UserError(f"The component {comp!r} has no .safetensors weights; only safetensors are loaded "
                            "(pickle files can run code).")
        if safe:
            weights[comp] = safe
    use = variant if variant and all(any(_variant_of(p) == variant for p in w) for w in weights.values()) else None
    chosen = [p for w in weights.values() for p in w if _variant_of(p) == use]
    return configs + chosen, use


def repo_files(paths: list[str]) -> list[str]:
    """What a transformers model needs (no model_index.json: CLIP, a language model): its top-level configs and
    tokenizer files and its `.safetensors` weights. Raises UserError when its weights are only pickle files."""
    top = [p for p in paths if "/" not in p]
    weights = [p for p in top if p.endswith((".safetensors", ".safetensors.index.json"))]
    if not weights:
        raise UserError("This model has no .safetensors weights; only safetensors are loaded (pickle files can run code).")
    return [p for p in top if p.endswith(_CONFIG_SUFFIXES) and p not in weights] + weights


@dataclass
class DownloadPlan:
    """What `download` will do; `notify` shows `summary()` before it starts."""
    repo_id: str
    endpoint: str
    commit: str
    files: list                      # repo paths, all needed
    sizes: dict                      # {path: bytes}
    sha256: dict                     # {path: sha256} of LFS files (the weights)
    variant: str | None = None
    cache_dir: Path = field(default_factory=hub_cache_dir)
    revision: str | None = None      # the branch or PR ref asked for (None: main); `commit` is what it points at

    def blob_path(self, etag: str) -> Path:
        return self.cache_dir / ("models--" + self.repo_id.replace("/", "--")) / "blobs" / etag

    def missing(self) -> dict:
        """{path: bytes still to fetch} (a resumed `.part` counts what it already holds)."""
        left = {}
        for path in self.files:
            sha = self.sha256.get(path)
            blob = self.blob_path(sha) if sha else None
            if sha and blob.is_file():
                continue
            if not sha and _cached_file(self.repo_id, path, self.commit, self.cache_dir):
                continue
            part = blob.with_name(blob.name + ".part") if sha else None
            left[path] = self.sizes.get(path, 0) - (part.stat().st_size if part and part.is_file() else 0)
        return left

    def summary(self) -> str:
        left = self.missing()
        total = sum(self.sizes.get(p, 0) for p in self.files)
        return (f"Downloading {self.repo_id} from {self.endpoint}: {len(left)} of {len(self.files)} files, "
                f"{_size(sum(left.values()))} of {_size(total)}" + (f" ({self.variant} weights)" if self.variant else "")
                + f", into {self.cache_dir}.")


def _size(n: float) -> str:
    return f"{n / 1e9:.2f} GB" if n >= 1e8 else f"{n / 1e6:.1f} MB"


def _cached_file(repo_id, path, commit, cache_dir) -> str | None:
    from huggingface_hub import try_to_load_from_cache  # noqa: PLC0415

    hit = try_to_load_from_cache(repo_id, path, cache_dir=str(cache_dir), revision=commit)
    return hit if isinstance(hit, str) else None


def cached_model(repo_id: str, variant: str | None = None, revision: str | None = None) -> tuple[Path, str | None] | None:
    """(snapshot folder, variant) when every needed file (of `revision`, default main) is in the cache; no network call."""
    from huggingface_hub import get_cached_repo_tree  # noqa: PLC0415

    cache = hub_cache_dir()
    index_file = _cached_file(repo_id, "model_index.json", revision, cache)
    marker = index_file or _cached_file(repo_id, "config.json", revision, cache)  # a transformers model has no index
    if marker is None:
        return None
    try:
        paths = [f.path for f in get_cached_repo_tree(repo_id, revision=revision, cache_dir=str(cache))]
    except Exception:  # noqa: BLE001  (no listing cached: downloaded by another tool; the folder decides)
        folder = Path(marker).parent
        paths = [p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()]
    try:
        if index_file is None:
            files, used = repo_files(paths), None
        else:
            files, used = needed_files(paths, json.loads(Path(index_file).read_text(encoding="utf-8")), variant)
    except (UserError, ValueError):
        return None
    index_file = marker
    folder = Path(index_file).parent
    return (folder, used) if all((folder / p).is_file() for p in files) else None


def plan_download(repo_id: str, endpoint: str, info, variant: str | None = None, revision: str | None = None) -> DownloadPlan:
    """Fetch model_index.json (a few hundred bytes) and decide which files the pipeline needs; a transformers
    model (CLIP, a language model: no model_index.json, a config.json) needs its top-level files (`repo_files`)."""
    from huggingface_hub import hf_hub_download  # noqa: PLC0415

    cache = hub_cache_dir()
    siblings = info.siblings or []
    names = [s.rfilename for s in siblings]
    sizes = {s.rfilename: (s.lfs.size if s.lfs else s.size) or 0 for s in siblings}
    sha = {s.rfilename: s.lfs.sha256 for s in siblings if s.lfs}
    if "model_index.json" not in names and "config.json" in names:
        return DownloadPlan(repo_id, endpoint, info.sha, repo_files(names), sizes, sha, None, cache, revision)
    try:
        index_file = hf_hub_download(repo_id, "model_index.json", revision=info.sha, endpoint=endpoint, cache_dir=str(cache),
                                     etag_timeout=HUB_DEFAULTS["probe_seconds"])
    except _network_errors() as e:
        if "404" in str(e) or "EntryNotFound" in type(e).__name__:
            raise UserError(f"{repo_id!r} has no model_index.json: it is not a diffusers pipeline; choose an "
                            "InstructPix2Pix model such as timbrooks/instruct-pix2pix.") from None
        raise UserError(f"The model hub {endpoint} stopped answering while listing {repo_id!r} ({_why(e)}); "
                        "run the command again.") from None
    index = json.loads(Path(index_file).read_text(encoding="utf-8"))
    files, used = needed_files(names, index, variant)
    return DownloadPlan(repo_id, endpoint, info.sha, files, sizes, sha, used, cache, revision)


def check_free_space(plan: DownloadPlan, free_bytes=None) -> None:
    """Refuse, in one sentence, a download the disk under the cache cannot hold (with the margin of HUB_DEFAULTS)."""
    need = sum(plan.missing().values())
    folder = plan.cache_dir
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    free = shutil.disk_usage(folder).free if free_bytes is None else free_bytes
    if need * (1 + HUB_DEFAULTS["disk_margin"]) > free:
        spare = f" and {HUB_DEFAULTS['disk_margin']:.0%} to spare" if need <= free else ""
        raise UserError(f"Not enough disk space to download {plan.repo_id}: it needs {need / 1e9:.3g} GB{spare} and only "
                        f"{free / 1e9:.3g} GB is free in {plan.cache_dir}; free some space or set HF_HOME to a larger disk.")


class _Meter:
    """Adds up the bytes huggingface_hub reports through its tqdm hook; calls progress(done, total) ~10 times a second."""

    def __init__(self, total: int, progress):
        self.total, self.done, self.progress, self.last = total, 0, progress, 0.0

    def add(self, n: int) -> None:
        self.done += n
        now = time.monotonic()
        if self.progress and (now - self.last > 0.1 or self.done >= self.total):
            self.last = now
            self.progress(min(self.done, self.total), self.total)

    def tqdm_class(self):
        from tqdm.auto import tqdm  # noqa: PLC0415

        meter = self

        class _Hook(tqdm):
            """A silent bar: huggingface_hub calls update(bytes) on it; the bytes go to the meter."""

            def __init__(self, *args, **kwargs):
                self._counts = kwargs.get("unit") == "B" and kwargs.get("desc") != "Downloading bytes"
                kwargs["disable"] = True
                super().__init__(*args, **kwargs)

            def update(self, n=1):
                if self._counts and n:
                    meter.add(int(n))

        return _Hook


def _fetch_weight(plan: DownloadPlan, path: str, hook) -> None:
    """One weight file into blobs/<etag>: appended to its `.part` from where the last run stopped, checked, renamed."""
    from huggingface_hub import get_hf_file_metadata, hf_hub_url  # noqa: PLC0415
    from huggingface_hub.file_download import http_get  # noqa: PLC0415

    meta = get_hf_file_metadata(hf_hub_url(plan.repo_id, path, revision=plan.commit, endpoint=plan.endpoint),
                                timeout=HUB_DEFAULTS["probe_seconds"], endpoint=plan.endpoint)
    blob = plan.blob_path(meta.etag)
    if blob.is_file():
        return
    blob.parent.mkdir(parents=True, exist_ok=True)
    part = blob.with_name(blob.name + ".part")
    with open(part, "ab") as f:
        http_get(meta.location, f, resume_size=f.tell(), expected_size=meta.size, displayed_filename=path, tqdm_class=hook)
    digest = hashlib.sha256()
    with open(part, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    if plan.sha256.get(path) and digest.hexdigest() != plan.sha256[path]:
        part.unlink()
        raise UserError(f"{path} from {plan.endpoint} does not match the hub's checksum, so it was deleted; "
                        "run the command again, or use another endpoint (HF_ENDPOINT).")
    os.replace(part, blob)


def download(plan: DownloadPlan, progress=None) -> Path:
    """Fetch what `plan.missing()` lists, with progress(done_bytes, total_bytes); the snapshot folder."""
    from huggingface_hub import snapshot_download  # noqa: PLC0415

    left = plan.missing()
    meter = _Meter(sum(left.values()), progress)
    hook = meter.tqdm_class()
    current = None
    try:
        for path in [p for p in plan.files if p in left and p in plan.sha256]:
            current = path
            _fetch_weight(plan, path, hook)
        current = None
        folder = snapshot_download(plan.repo_id, revision=plan.revision, endpoint=plan.endpoint, cache_dir=str(plan.cache_dir),
                                   allow_patterns=plan.files, tqdm_class=hook, etag_timeout=HUB_DEFAULTS["probe_seconds"])
    except UserError:
        raise
    except _network_errors() as e:
        where = f" during {current}" if current else ""
        raise UserError(f"The download of {plan.repo_id} from {plan.endpoint} stopped{where} ({_why(e)}); run the same "
                        "command again to resume where it stopped.") from None
    if progress:
        progress(meter.total, meter.total)
    return Path(folder)


def fetch_file(repo_id: str, filename: str, progress=None, notify=None, revision: str | None = None) -> Path:
    """The local path of one `.safetensors` file of hub repository `repo_id` (a single-file checkpoint such as CosXL's
    `cosxl_edit.safetensors`): from the cache with no network call, else downloaded like a model's weights
    (endpoint probe, free-disk check, resumable, checked against the hub's sha256, progress and announcements)."""
    if not filename.endswith(".safetensors"):
        raise UserError(f"{filename!r} is not a .safetensors file; only safetensors are loaded (pickle files can run code).")
    notify = notify or (lambda text: None)
    hit = _cached_file(repo_id, filename, revision, hub_cache_dir())
    if hit:
        return Path(hit)
    endpoint, info, note = find_endpoint(repo_id, revision=revision)
    notify(note)
    sibling = next((s for s in info.siblings or [] if s.rfilename == filename), None)
    if sibling is None:
        raise UserError(f"The model {repo_id!r} has no file {filename!r} on {endpoint}; check the name on its hub page.")
    size = (sibling.lfs.size if sibling.lfs else sibling.size) or 0
    sha = {filename: sibling.lfs.sha256} if sibling.lfs else {}
    plan = DownloadPlan(repo_id, endpoint, info.sha, [filename], {filename: size}, sha, None, hub_cache_dir(), revision)
    check_free_space(plan)
    if plan.missing():
        notify(plan.summary())
    return download(plan, progress) / filename


def fetch_model(repo_id: str, variant: str | None = None, progress=None, notify=None,
                revision: str | None = None) -> tuple[Path, str | None]:
    """(local folder, variant used) of hub model `repo_id` at `revision` (a branch or PR ref such as "refs/pr/2";
    default main): from the cache, else downloaded (see the module docstring)."""
    notify = notify or (lambda text: None)
    hit = cached_model(repo_id, variant, revision)
    if hit:
        return hit
    endpoint, info, note = find_endpoint(repo_id, revision=revision)
    notify(note)
    plan = plan_download(repo_id, endpoint, info, variant, revision)
    check_free_space(plan)
    if plan.missing():
        notify(plan.summary())
    return download(plan, progress), plan.variant
