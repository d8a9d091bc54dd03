"""Which files of a hub repository a model needs, whether they are cached, and whether the disk can hold them.

`needed_files` (a diffusers pipeline: the components model_index.json names) and `repo_files` (a transformers
model: its top-level configs and tokenizer files) keep only `.safetensors` weights. `plan_download` turns an
endpoint's model info into a `DownloadPlan` (files, sizes, sha256); `cached_model` finds a complete copy in
the local cache with no network call; `check_free_space` refuses a download the disk cannot hold.
"""
import json
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from ..defaults import HUB_DEFAULTS
from ..errors import UserError
from .hub_endpoints import hub_cache_dir, network_errors, why_failed

__all__ = ["needed_files", "repo_files", "DownloadPlan", "cached_model", "cached_file", "plan_download", "check_free_space", "size_text"]

_VARIANTS = ("fp16", "bf16", "fp32", "ema", "non_ema")   # infixes diffusers uses: unet/diffusion_pytorch_model.fp16.safetensors
_CONFIG_SUFFIXES = (".json", ".txt", ".model", ".spm")  # configs, tokenizer vocabularies and merges, sentencepiece models


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
    source: str = "huggingface"      # "huggingface" (the hub or a mirror: hub_download) or "modelscope" (modelscope.py)
    remote_id: str | None = None     # the repository's name on that hub when it differs from `repo_id` (ModelScope's)

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
            if not sha and cached_file(self.repo_id, path, self.commit, self.cache_dir):
                continue
            part = blob.with_name(blob.name + ".part") if sha else None
            left[path] = self.sizes.get(path, 0) - (part.stat().st_size if part and part.is_file() else 0)
        return left

    def summary(self) -> str:
        left = self.missing()
        total = sum(self.sizes.get(p, 0) for p in self.files)
        where = self.endpoint + (f" (ModelScope {self.remote_id})" if self.source == "modelscope" else "")
        return (f"Downloading {self.repo_id} from {where}: {len(left)} of {len(self.files)} files, "
                f"{size_text(sum(left.values()))} of {size_text(total)}" + (f" ({self.variant} weights)" if self.variant else "")
                + f", into {self.cache_dir}.")


def size_text(n: float) -> str:
    return f"{n / 1e9:.2f} GB" if n >= 1e8 else f"{n / 1e6:.1f} MB"


def cached_file(repo_id, path, commit, cache_dir) -> str | None:
    from huggingface_hub import try_to_load_from_cache  # noqa: PLC0415

    hit = try_to_load_from_cache(repo_id, path, cache_dir=str(cache_dir), revision=commit)
    return hit if isinstance(hit, str) else None


def cached_model(repo_id: str, variant: str | None = None, revision: str | None = None) -> tuple[Path, str | None] | None:
    """(snapshot folder, variant) when every needed file (of `revision`, default main) is in the cache; no network call."""
    from huggingface_hub import get_cached_repo_tree  # noqa: PLC0415

    cache = hub_cache_dir()
    index_file = cached_file(repo_id, "model_index.json", revision, cache)
    marker = index_file or cached_file(repo_id, "config.json", revision, cache)  # a transformers model has no index
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
    except network_errors() as e:
        if "404" in str(e) or "EntryNotFound" in type(e).__name__:
            raise UserError(f"{repo_id!r} has no model_index.json: it is not a diffusers pipeline; choose an "
                            "InstructPix2Pix model such as timbrooks/instruct-pix2pix.") from None
        raise UserError(f"The model hub {endpoint} stopped answering while listing {repo_id!r} ({why_failed(e)}); "
                        "run the command again.") from None
    index = json.loads(Path(index_file).read_text(encoding="utf-8"))
    files, used = needed_files(names, index, variant)
    return DownloadPlan(repo_id, endpoint, info.sha, files, sizes, sha, used, cache, revision)


def check_free_space(plan, free_bytes=None) -> None:
    """Refuse, in one sentence, a download (a plan, or a list of plans fetched together) the disk under the cache cannot
    hold (with the margin of HUB_DEFAULTS)."""
    plans = plan if isinstance(plan, list) else [plan]
    plan = plans[0]
    need = sum(sum(p.missing().values()) for p in plans)
    folder = plan.cache_dir
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    free = shutil.disk_usage(folder).free if free_bytes is None else free_bytes
    if need * (1 + HUB_DEFAULTS["disk_margin"]) > free:
        spare = f" and {HUB_DEFAULTS['disk_margin']:.0%} to spare" if need <= free else ""
        raise UserError(f"Not enough disk space to download {' and '.join(p.repo_id for p in plans)}: it needs {need / 1e9:.3g} GB{spare} and only "
                        f"{free / 1e9:.3g} GB is free in {plan.cache_dir}; free some space or set HF_HOME to a larger disk.")
