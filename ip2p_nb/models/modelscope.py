"""ModelScope (www.modelscope.cn) as a model hub: the same files, size check, progress, resume and sha256 checks.

Used when `IP2P_HUB=modelscope`, and automatically when neither the Hugging Face hub nor its mirrors answer,
for the catalogue models that have a ModelScope copy (`ModelInfo.modelscope`). Plain HTTP with `requests`
(already installed with diffusers), not the `modelscope` package (6 MB plus its `modelscope-hub` client, for
two GET requests). The API, read from ModelScope's own client (modelscope 1.40 `hub/file_download.py`,
modelscope-hub 0.5 `_legacy_api.py` and `_download.py`):
- `GET {endpoint}/api/v1/models/{owner}/{name}/repo/files?Revision=master&Recursive=True`: the file list, as
  `{"Code": 200, "Success": true, "Data": {"Files": [{"Path", "Type": "blob"|"tree", "Size", "Sha256", ...}]}}`
  (`Data` may also be the list itself); an unknown model answers 404 or `"Success": false`;
- `GET {endpoint}/api/v1/models/{owner}/{name}/repo?Revision=master&FilePath={path}`: the file's bytes;
  `Range: bytes=N-` is answered with a 206 and `Content-Range` (a 200 means "from the start").
Files land in the Hugging Face cache layout under the model's Hugging Face id (`blobs/<sha256>`,
`snapshots/<revision>/<path>`, `refs/main`), so `cached_model`, diffusers and transformers find them later
with no network call, wherever they came from. `IP2P_MODELSCOPE_ENDPOINT` replaces the endpoint (tests).
"""
import hashlib
import json
import os
import shutil
from pathlib import Path

from ..defaults import HUB_DEFAULTS
from ..errors import UserError
from .hub_download import Meter, check_sha256
from .hub_endpoints import hub_cache_dir, why_failed
from .hub_plan import DownloadPlan, needed_files, repo_files

__all__ = ["modelscope_endpoint", "modelscope_name", "no_copy_sentence", "plan_modelscope", "download_modelscope",
           "probe_modelscope"]

_REVISION = "master"   # ModelScope's default branch


def modelscope_endpoint() -> str:
    """IP2P_MODELSCOPE_ENDPOINT, else HUB_DEFAULTS["modelscope"]."""
    return (os.environ.get("IP2P_MODELSCOPE_ENDPOINT", "").strip() or HUB_DEFAULTS["modelscope"]).rstrip("/")


def modelscope_name(repo_id: str) -> str | None:
    """The ModelScope name of the catalogue model whose Hugging Face id is `repo_id`, or None (no copy known)."""
    from .catalogue import find_any_model  # noqa: PLC0415

    info = find_any_model(repo_id)
    return info.modelscope if info is not None else None


def no_copy_sentence(repo_id: str) -> str:
    return (f"The model {repo_id!r} has no ModelScope copy in the catalogue; unset IP2P_HUB (or set IP2P_HUB=huggingface) "
            "to download it from the Hugging Face hub or a mirror, or pass a local model folder.")


def _errors() -> tuple:
    import requests  # noqa: PLC0415

    return (OSError, requests.RequestException)


def _list(name: str, timeout: float) -> list[dict]:
    """The repository's files (blobs only) from the listing endpoint; UserError when ModelScope has no such model."""
    import requests  # noqa: PLC0415

    url = f"{modelscope_endpoint()}/api/v1/models/{name}/repo/files"
    answer = requests.get(url, params={"Revision": _REVISION, "Recursive": "True"}, timeout=timeout)
    try:
        body = answer.json()
    except ValueError:   # not JSON: an error page
        body = {}
    if answer.status_code == 404 or (isinstance(body, dict) and body.get("Success") is False):
        raise UserError(f"ModelScope ({modelscope_endpoint()}) has no model {name!r}; unset IP2P_HUB to use the Hugging "
                        "Face hub, or pass a local model folder.")
    answer.raise_for_status()
    data = body.get("Data", body) if isinstance(body, dict) else body
    files = data.get("Files") or [] if isinstance(data, dict) else data
    return [f for f in files if (f.get("Type") or "blob") != "tree" and f.get("Path")]


def probe_modelscope(repo_id: str, timeout: float | None = None) -> str:
    """"answers", "answers, but has no ..." or why not: one listing call, for `doctor`."""
    name = modelscope_name(repo_id)
    if name is None:
        return "has no copy of this model"
    try:
        _list(name, timeout or HUB_DEFAULTS["probe_seconds"])
    except UserError:
        return f"answers, but has no {name}"
    except _errors() as e:
        return why_failed(e, timeout or HUB_DEFAULTS["probe_seconds"])
    return "answers"


def _url(name: str, path: str) -> str:
    from urllib.parse import quote_plus  # noqa: PLC0415

    return f"{modelscope_endpoint()}/api/v1/models/{name}/repo?Revision={_REVISION}&FilePath={quote_plus(path)}"


def plan_modelscope(repo_id: str, variant: str | None = None, revision: str | None = None) -> DownloadPlan:
    """The files `repo_id` needs, from its ModelScope copy: a diffusers pipeline's (read from its model_index.json, a few
    hundred bytes) or a transformers model's; raises HubUnreachable-like network errors from `requests` to the caller."""
    import requests  # noqa: PLC0415

    name = modelscope_name(repo_id)
    if name is None:
        raise UserError(no_copy_sentence(repo_id))
    entries = _list(name, HUB_DEFAULTS["probe_seconds"])
    names = [f["Path"] for f in entries]
    sizes = {f["Path"]: int(f.get("Size") or 0) for f in entries}
    sha = {f["Path"]: f["Sha256"] for f in entries if f.get("Sha256")}
    # a revision name for the snapshot folder: the listing's content, so a changed repository gets a new folder
    commit = hashlib.sha1(json.dumps(sorted(sha.items())).encode()).hexdigest()
    endpoint, cache = modelscope_endpoint(), hub_cache_dir()
    if "model_index.json" not in names:
        files, used = repo_files(names), None
    else:
        answer = requests.get(_url(name, "model_index.json"), timeout=HUB_DEFAULTS["probe_seconds"])
        answer.raise_for_status()
        files, used = needed_files(names, answer.json(), variant)
    return DownloadPlan(repo_id, endpoint, commit, files, sizes, sha, used, cache, revision, "modelscope", name)


def _fetch(plan: DownloadPlan, path: str, meter: Meter) -> Path:
    """One file into blobs/<sha256>: appended to its `.part` from where the last run stopped, checked, renamed."""
    import requests  # noqa: PLC0415

    sha = plan.sha256.get(path)
    blob = plan.blob_path(sha) if sha else plan.blob_path("unchecked-" + hashlib.sha1(path.encode()).hexdigest())
    if blob.is_file():
        return blob
    blob.parent.mkdir(parents=True, exist_ok=True)
    part = blob.with_name(blob.name + ".part")
    start = part.stat().st_size if part.is_file() else 0
    headers = {"Range": f"bytes={start}-"} if start else {}
    timeout = (HUB_DEFAULTS["probe_seconds"], float(os.environ.get("HF_HUB_DOWNLOAD_TIMEOUT", 10)))
    with requests.get(_url(plan.remote_id, path), headers=headers, stream=True, timeout=timeout) as answer:
        answer.raise_for_status()
        if start and answer.status_code != 206:   # the server sent the whole file: start again
            meter.add(-start)
            start = 0
        with open(part, "ab" if start else "wb") as f:
            for chunk in answer.iter_content(1 << 20):
                f.write(chunk)
                meter.add(len(chunk))
    check_sha256(part, sha, f"{path} from ModelScope ({plan.endpoint})", "set IP2P_HUB=huggingface to use the Hugging Face hub")
    os.replace(part, blob)
    return blob


def _link(blob: Path, target: Path) -> None:
    """snapshots/<rev>/<path> -> blobs/<sha256>, a relative symlink like huggingface_hub's (a copy where links fail)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.is_symlink() or target.exists():
        target.unlink()
    try:
        target.symlink_to(os.path.relpath(blob, target.parent))
    except OSError:
        shutil.copyfile(blob, target)


def download_modelscope(plan: DownloadPlan, progress=None) -> Path:
    """Fetch what `plan.missing()` lists from ModelScope, with progress(done_bytes, total_bytes); the snapshot folder."""
    left = plan.missing()
    meter = Meter(sum(left.values()), progress)
    repo = plan.cache_dir / ("models--" + plan.repo_id.replace("/", "--"))
    folder = repo / "snapshots" / plan.commit
    current = None
    try:
        for path in plan.files:
            current = path
            _link(_fetch(plan, path, meter), folder / path)
    except UserError:
        raise
    except _errors() as e:
        raise UserError(f"The download of {plan.repo_id} from ModelScope ({plan.endpoint}) stopped during {current} "
                        f"({why_failed(e)}); run the same command again to resume where it stopped.") from None
    ref = repo / "refs" / (plan.revision or "main")
    ref.parent.mkdir(parents=True, exist_ok=True)
    ref.write_text(plan.commit)
    if progress:
        progress(meter.total, meter.total)
    return folder
