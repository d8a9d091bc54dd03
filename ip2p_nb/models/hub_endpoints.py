"""Which model hub answers: `HF_ENDPOINT` or the official hub, then the mirrors, each probed within seconds.

`find_endpoint(repo_id)` gives the first endpoint whose model-info call answers (with the file list, sizes and
sha256 of the weights); `probe_endpoints` is the same for `doctor`, one line per endpoint. `network_errors()`
and `why_failed(error)` say what a failed connection raises and, in a few words, why it failed.
"""
import os
import re
from pathlib import Path

from ..defaults import HUB_DEFAULTS
from ..errors import UserError

__all__ = ["hub_endpoints", "hub_cache_dir", "find_endpoint", "probe_endpoints", "network_errors", "why_failed", "HubUnreachable",
           "hub_choice", "HUB_CHOICES"]

HUB_CHOICES = ("auto", "huggingface", "modelscope")   # IP2P_HUB: auto = Hugging Face and its mirrors, then ModelScope


class HubUnreachable(UserError):
    """No endpoint answered; `failed` holds one "url: why" per endpoint tried."""

    def __init__(self, repo_id: str, failed: list[str]):
        self.failed = failed
        super().__init__(f"Could not download {repo_id!r} from the model hub ({'; '.join(failed)}) and it is not in the local "
                         "cache: set a hub mirror (for example `export HF_ENDPOINT=https://hf-mirror.com`), pass a local model "
                         "folder (--model /path/to/instruct-pix2pix), or use --model tiny for an offline dry run.")


def hub_choice() -> str:
    """IP2P_HUB: "auto" (default), "huggingface" (HF_ENDPOINT, the official hub and its mirrors only) or "modelscope"."""
    from ..errors import SettingError  # noqa: PLC0415

    choice = os.environ.get("IP2P_HUB", "").strip().lower() or "auto"
    if choice not in HUB_CHOICES:
        raise SettingError(f"IP2P_HUB must be one of {', '.join(HUB_CHOICES)}, got {choice!r}.")
    return choice


def network_errors() -> tuple:
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


def why_failed(error, timeout: float | None = None) -> str:
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
        except network_errors() as e:
            failed.append(f"{url}: {why_failed(e, timeout)}")
            continue
        note = f"Model hub: {url} ({why}" + (f"; {'; '.join(failed)}" if failed else "") + ")."
        return url, info, note
    raise HubUnreachable(repo_id, failed)


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
        except network_errors() as e:
            found.append((url, why, why_failed(e, timeout)))
    return found
