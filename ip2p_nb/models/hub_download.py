"""Downloading a `DownloadPlan` through huggingface_hub: resumable weights checked against their sha256, with progress.

Weights go into `blobs/<etag>.part` with huggingface_hub's `http_get` (a cut connection resumes from the last
byte on the next run; huggingface_hub 2.4 deletes its own partial files), are checked against the hub's
sha256 and renamed; then `snapshot_download` fetches exactly the planned files. Progress comes from its
`tqdm_class` hook as `progress(done, total)` through a `Meter`.
"""
import hashlib
import os
import time
from pathlib import Path

from ..defaults import HUB_DEFAULTS
from ..errors import UserError
from .hub_endpoints import network_errors, why_failed
from .hub_plan import DownloadPlan

__all__ = ["download", "Meter", "check_sha256"]


class Meter:
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
    check_sha256(part, plan.sha256.get(path), f"{path} from {plan.endpoint}", "use another endpoint (HF_ENDPOINT)")
    os.replace(part, blob)


def check_sha256(part: Path, expected: str | None, what: str, other: str) -> None:
    """Delete `part` and refuse in one sentence when its sha256 is not `expected` (None: nothing to check)."""
    if not expected:
        return
    digest = hashlib.sha256()
    with open(part, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    if digest.hexdigest() != expected:
        part.unlink()
        raise UserError(f"{what} does not match the hub's checksum, so it was deleted; run the command again, or {other}.")


def download(plan: DownloadPlan, progress=None) -> Path:
    """Fetch what `plan.missing()` lists, with progress(done_bytes, total_bytes); the snapshot folder."""
    from huggingface_hub import snapshot_download  # noqa: PLC0415

    left = plan.missing()
    meter = Meter(sum(left.values()), progress)
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
    except network_errors() as e:
        where = f" during {current}" if current else ""
        raise UserError(f"The download of {plan.repo_id} from {plan.endpoint} stopped{where} ({why_failed(e)}); run the same "
                        "command again to resume where it stopped.") from None
    if progress:
        progress(meter.total, meter.total)
    return Path(folder)
