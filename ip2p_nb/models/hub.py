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
from pathlib import Path

from ..errors import UserError
from .hub_download import download
from .hub_endpoints import find_endpoint, hub_cache_dir, hub_endpoints, probe_endpoints
from .hub_plan import DownloadPlan, cached_file, cached_model, check_free_space, needed_files, plan_download, repo_files

__all__ = ["hub_endpoints", "hub_cache_dir", "find_endpoint", "probe_endpoints", "needed_files", "repo_files", "cached_model", "plan_download",
           "check_free_space", "download", "fetch_model", "fetch_file", "DownloadPlan"]


def fetch_file(repo_id: str, filename: str, progress=None, notify=None, revision: str | None = None) -> Path:
    """The local path of one `.safetensors` file of hub repository `repo_id` (a single-file checkpoint such as CosXL's
    `cosxl_edit.safetensors`): from the cache with no network call, else downloaded like a model's weights
    (endpoint probe, free-disk check, resumable, checked against the hub's sha256, progress and announcements)."""
    if not filename.endswith(".safetensors"):
        raise UserError(f"{filename!r} is not a .safetensors file; only safetensors are loaded (pickle files can run code).")
    notify = notify or (lambda text: None)
    hit = cached_file(repo_id, filename, revision, hub_cache_dir())
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
