"""Getting a model from a hub: which hub answers, which files, enough disk, a visible download.

`fetch_model(repo_id)` returns the local folder of a diffusers pipeline (or a transformers model), in five steps:
1. the cache first: a model downloaded before loads with no network call at all;
2. the hub (hub_endpoints.py): `HF_ENDPOINT` when set, else https://huggingface.co, then the mirrors of
   `IP2P_HUB_MIRRORS` (default https://hf-mirror.com; empty for none), each probed with one
   model-info call that must answer within `HUB_DEFAULTS["probe_seconds"]`; then ModelScope
   (modelscope.py) for a catalogue model with a copy there. `IP2P_HUB=modelscope` goes to ModelScope
   only, `IP2P_HUB=huggingface` never to it;
3. the files (hub_plan.py): `model_index.json` and, for each component it names, its configs and its
   `.safetensors` weights only (never the root `.ckpt`, never the `.bin` twins), the `fp16`
   variant when asked for and present for every weight;
4. the disk: refused in one sentence, before any weight is fetched, when it cannot hold them;
5. the download (hub_download.py, or modelscope.py from ModelScope): weights into `blobs/<sha256>.part`,
   so a cut connection resumes from the last byte on the next run, checked against the hub's sha256.
   Progress comes as `progress(done, total)`.
`companions` (the neural translator, `catalogue.translator_repos()`) come with the model from the same hub:
listed with their sizes before the download starts, on the same progress bar, skipped with one sentence
when they cannot be fetched. One-line announcements (which hub and why, what is fetched) go to `notify(text)`.

Safe with mirrors because only safetensors are read (a pickle can run code) and remote code is
never trusted: a mirror can serve wrong weights, not run anything.
"""
import json
import os
import time
from pathlib import Path

from ..defaults import HUB_DEFAULTS
from ..errors import UserError
from .hub_download import download
from .hub_endpoints import (HubUnreachable, find_endpoint, hub_cache_dir, hub_choice, hub_endpoints, network_errors, probe_endpoints,
                            why_failed)
from .hub_plan import DownloadPlan, cached_file, cached_model, check_free_space, needed_files, plan_download, repo_files

__all__ = ["hub_endpoints", "hub_cache_dir", "find_endpoint", "probe_endpoints", "needed_files", "repo_files", "cached_model", "plan_download",
           "check_free_space", "download", "fetch_model", "fetch_file", "DownloadPlan", "probe_hubs", "hub_choice"]


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
    if hub_choice() == "modelscope":
        from .modelscope import no_copy_sentence  # noqa: PLC0415

        raise UserError(no_copy_sentence(repo_id))
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

_SKIP_FILE = ".ip2p-companions-skipped.json"   # in the hub cache: {repo id: when a companion was last left out}


def probe_hubs(repo_id: str) -> list[tuple[str, str, str]]:
    """[(url, why it is tried, "answers" or why not)] of the hubs tried for `repo_id` in IP2P_HUB's order, for `doctor`:
    the Hugging Face endpoints (`probe_endpoints`), then ModelScope where the model has a copy and nothing else answers."""
    from .modelscope import modelscope_endpoint, modelscope_name, probe_modelscope  # noqa: PLC0415

    choice = hub_choice()
    found = [] if choice == "modelscope" else probe_endpoints(repo_id)
    if choice != "huggingface" and not any(answer.startswith("answers") for _, _, answer in found):
        if modelscope_name(repo_id) is not None or choice == "modelscope":
            why = "ModelScope, from IP2P_HUB" if choice == "modelscope" else "ModelScope"
            found.append((modelscope_endpoint(), why, probe_modelscope(repo_id)))
    return found


def _plan(repo_id: str, variant=None, revision=None, notify=None, like: DownloadPlan | None = None) -> DownloadPlan:
    """The download plan of `repo_id` from the hub in use (IP2P_HUB), announced through `notify`; `like`: a plan already
    made (the editing model's), whose hub and endpoint a companion (the translator) comes from, with no new probe."""
    from .modelscope import modelscope_endpoint, modelscope_name, no_copy_sentence, plan_modelscope  # noqa: PLC0415

    notify = notify or (lambda text: None)
    if like is not None and like.source == "modelscope":
        return plan_modelscope(repo_id, variant, revision)
    if like is not None:
        from huggingface_hub import HfApi  # noqa: PLC0415

        info = HfApi(endpoint=like.endpoint).model_info(repo_id, revision=revision, files_metadata=True,
                                                         timeout=HUB_DEFAULTS["probe_seconds"])
        return plan_download(repo_id, like.endpoint, info, variant, revision)
    choice, ms = hub_choice(), modelscope_endpoint()
    if choice == "modelscope" and modelscope_name(repo_id) is None:
        raise UserError(no_copy_sentence(repo_id))
    if choice == "modelscope":
        failed, note = [], f"Model hub: {ms} (ModelScope, from IP2P_HUB)."
    else:
        try:
            endpoint, info, note = find_endpoint(repo_id, revision=revision)
        except HubUnreachable as e:
            if choice == "huggingface" or modelscope_name(repo_id) is None:
                raise
            failed, note = e.failed, f"Model hub: {ms} (ModelScope; {'; '.join(e.failed)})."
        else:
            notify(note)
            return plan_download(repo_id, endpoint, info, variant, revision)
    try:
        plan = plan_modelscope(repo_id, variant, revision)
    except _ms_errors() as e:
        raise HubUnreachable(repo_id, failed + [f"{ms} (ModelScope): {why_failed(e, HUB_DEFAULTS['probe_seconds'])}"]) from None
    notify(note)
    return plan


def _ms_errors() -> tuple:
    import requests  # noqa: PLC0415

    return (OSError, requests.RequestException)


def _download(plan: DownloadPlan, progress=None) -> Path:
    """The plan's snapshot folder, fetched from its hub (huggingface_hub's machinery, or ModelScope's file API)."""
    if plan.source == "modelscope":
        from .modelscope import download_modelscope  # noqa: PLC0415

        return download_modelscope(plan, progress)
    return download(plan, progress)


def _skipped(repo_id: str, error) -> str:
    """The one sentence for a companion left out; remembered a while (`_skipped_lately`) so that a cached model's loads do
    not wait on the hubs again each time."""
    why = "no hub answers: " + "; ".join(error.failed) if isinstance(error, HubUnreachable) else str(error).rstrip(".")
    memory = hub_cache_dir() / _SKIP_FILE
    try:
        seen = json.loads(memory.read_text(encoding="utf-8")) if memory.is_file() else {}
        memory.parent.mkdir(parents=True, exist_ok=True)
        memory.write_text(json.dumps({**seen, repo_id: time.time()}), encoding="utf-8")
    except (OSError, ValueError):
        pass
    return f"The neural translator {repo_id} was not downloaded ({why}); Chinese is translated by the built-in translator."


def _skipped_lately(repo_id: str) -> bool:
    """True when `repo_id` was left out less than HUB_DEFAULTS["companion_retry_hours"] ago."""
    try:
        when = json.loads((hub_cache_dir() / _SKIP_FILE).read_text(encoding="utf-8")).get(repo_id, 0)
    except (OSError, ValueError):
        return False
    return time.time() - when < HUB_DEFAULTS["companion_retry_hours"] * 3600


def fetch_model(repo_id: str, variant: str | None = None, progress=None, notify=None,
                revision: str | None = None, companions=()) -> tuple[Path, str | None]:
    """(local folder, variant used) of hub model `repo_id` at `revision` (a branch or PR ref such as "refs/pr/2";
    default main): from the cache, else downloaded (see the module docstring). `companions`: hub ids of models fetched
    with it from the same hub (the neural translator), listed before the download and on the same progress bar; one
    that cannot be fetched is skipped with one sentence to `notify`, never failing the model itself."""
    # 1. what is cached (no network call); companions only where a hub may be reached
    notify = notify or (lambda text: None)
    hit = cached_model(repo_id, variant, revision)
    offline = os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on")
    wanted = [c for c in companions if c != repo_id and not offline and cached_model(c) is None
              and not (hit and _skipped_lately(c))]   # with a cached model, no wait on the hubs at every load
    if hit and not wanted:
        return hit
    # 2. the plans: the model's (its failure is the user's error), then each companion's on the same hub
    plans = [] if hit else [_plan(repo_id, variant, revision, notify)]
    for companion in wanted:
        try:
            plans.append(_plan(companion, notify=notify, like=plans[0] if plans else None))
        except (UserError, *_ms_errors(), *network_errors()) as e:
            notify(_skipped(companion, e))
    # 3. the disk, for the model alone first (a companion that does not fit is left out), then all together
    if not hit:
        check_free_space(plans[0])
    try:
        check_free_space(plans) if plans else None
    except UserError as e:
        for left_out in plans[0 if hit else 1:]:
            notify(_skipped(left_out.repo_id, e))
        plans = plans[:0 if hit else 1]
    # 4. everything listed with its size before the first byte, then one progress bar over all of it
    for plan in plans:
        if plan.missing():
            notify(plan.summary())
    total = sum(sum(p.missing().values()) for p in plans)
    done, folders = 0, []
    for plan in plans:
        size = sum(plan.missing().values())
        step = (lambda d, t, base=done: progress(base + d, total)) if progress else None
        try:
            folders.append(_download(plan, step))
        except UserError as e:
            if plan.repo_id == repo_id:
                raise
            notify(_skipped(plan.repo_id, e))
        done += size
    return hit or (folders[0], plans[0].variant)
