"""Chinese -> English for edit instructions: a chain of translators, each result naming its source.

InstructPix2Pix understands English only. `translate(text)` tries, in order:
  1. "googletrans" - Google Translate through googletrans 4 (async-only), in a private event
     loop on a worker thread, so it works in plain scripts and inside Jupyter's running loop;
     bounded by a wall-clock `timeout`; a failure is remembered for a while so a live demo does
     not wait again on every edit; successful replies are cached per text.
  2. "marian" - the local neural model Helsinki-NLP/opus-mt-zh-en, only when it is already in
     the Hugging Face cache, or when IP2P_TRANSLATE_MARIAN=download asks for a download.
  3. "builtin" - the offline pattern translator in `builtin.py` ("builtin-partial" when some
     Chinese was not understood and was kept as is).
  4. "none" - nothing worked: the text is returned unchanged.
Text without Chinese passes through untouched (backend "english"). Importing this module does
not import torch; only the marian backend does, when it runs.
"""

import asyncio
import dataclasses
import importlib.util
import os
import re
import threading
import time

from ..errors import SettingError
from .builtin import translate_zh
from .lexicon import to_simplified

__all__ = ["Translation", "translate", "has_chinese", "available_backends", "reset_cache", "BACKENDS"]

# ---- defaults (one place) -----------------------------------------------------------------
BACKENDS = ("googletrans", "marian", "builtin")  # the chain, in the order it is tried
DEFAULT_TIMEOUT = 3.0      # seconds for the online backend, all in: a live demo must not hang
MAX_TIMEOUT = 30.0         # beyond this a user would think the app froze
FAILURE_MEMORY = 60.0      # seconds to skip googletrans after a network failure
GOOGLE_HOST = "translate.googleapis.com"  # googletrans' token-free "gtx" API
MARIAN_MODEL = "Helsinki-NLP/opus-mt-zh-en"
ENV_PROXY = "IP2P_TRANSLATE_PROXY"      # e.g. http://127.0.0.1:7890 for users behind a firewall
ENV_OFFLINE = "IP2P_TRANSLATE_OFFLINE"  # 1: never touch the network
ENV_MARIAN = "IP2P_TRANSLATE_MARIAN"    # "download": allow fetching the model; "off": never use it

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]")
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]+")
_state = {"cache": {}, "down_until": 0.0, "last_error": None, "marian": None}
_lock = threading.Lock()


@dataclasses.dataclass(frozen=True)
class Translation:
    """An English prompt, the text it came from, and which backend produced it."""

    text: str      # English (or the input unchanged when backend is "english" or "none")
    source: str    # the input as typed
    backend: str   # "english", "googletrans", "marian", "builtin", "builtin-partial" or "none"
    untranslated: tuple = ()  # the Chinese fragments left in `text` (words no translator understood)

    @property
    def complete(self):
        """False when part (or all) of the Chinese was left untranslated."""
        return self.backend not in ("builtin-partial", "none")


def has_chinese(text):
    """True when `text` contains at least one Chinese character (simplified or traditional)."""
    return bool(_CJK.search(text))


def untranslated_fragments(text):
    """The runs of Chinese characters in `text`, in order, each once."""
    return tuple(dict.fromkeys(_CJK_RUN.findall(text)))


def reset_cache():
    """Forget cached translations and remembered network failures (for tests and `doctor`)."""
    with _lock:
        _state.update(cache={}, down_until=0.0, last_error=None)


def available_backends():
    """The backends that can answer on this machine now (googletrans may still be unreachable)."""
    names = []
    if not _offline() and importlib.util.find_spec("googletrans") is not None:
        names.append("googletrans")
    if _marian_mode() != "off" and (_marian_mode() == "download" or _marian_cached()):
        names.append("marian")
    return names + ["builtin"]


def translate(text, *, timeout=None, backends=None, proxy=None):
    """Translate a Chinese edit instruction to English; English text passes through unchanged.

    timeout: seconds the online backend may take in total (default 3). backends: names from
    `BACKENDS` to try, in order. proxy: URL for googletrans (default: $IP2P_TRANSLATE_PROXY).
    """
    if not isinstance(text, str):
        raise SettingError(f"`text` must be a string, got {type(text).__name__}.")
    timeout = DEFAULT_TIMEOUT if timeout is None else timeout
    if not isinstance(timeout, (int, float)) or not 0 < timeout <= MAX_TIMEOUT:
        raise SettingError(f"`timeout` must be a number of seconds in (0, {MAX_TIMEOUT:g}], got {timeout!r}.")
    names = BACKENDS if backends is None else tuple(backends)
    for name in names:
        if name not in BACKENDS:
            raise SettingError(f"`backends` has unknown backend {name!r}; available: {list(BACKENDS)}.")
    proxy = proxy or os.environ.get(ENV_PROXY) or None
    if proxy and not re.match(r"(https?|socks5h?)://", proxy):
        raise SettingError(f"`proxy` must be a URL such as http://127.0.0.1:7890, got {proxy!r}.")
    if not has_chinese(text):
        return Translation(text, text, "english")
    for name in names:
        english, backend = _RUNNERS[name](text, timeout, proxy)
        if english:
            return Translation(english, text, backend, untranslated_fragments(english))
    return Translation(text, text, "none", untranslated_fragments(text))


def _offline():
    return os.environ.get(ENV_OFFLINE, "").strip().lower() in ("1", "true", "yes", "on")


# ---- 1. googletrans ------------------------------------------------------------------------


def _google(text, timeout, proxy):
    """Google Translate in a worker thread with its own event loop, bounded by `timeout`."""
    with _lock:
        if text in _state["cache"]:
            return _state["cache"][text], "googletrans"
        if _offline() or time.monotonic() < _state["down_until"]:
            return None, "googletrans"
    if importlib.util.find_spec("googletrans") is None:
        return None, "googletrans"
    box = {}
    worker = threading.Thread(target=_google_worker, args=(text, timeout, proxy, box), daemon=True)
    worker.start()
    worker.join(timeout + 0.25)  # our own wall clock, in case the loop does not stop in time
    english = box.get("text")
    with _lock:
        if english and english.strip() != text.strip():
            _state["cache"][text] = english
            return english, "googletrans"
        if english is None:  # a network or server failure: do not wait on it again soon
            _state["down_until"] = time.monotonic() + FAILURE_MEMORY
        _state["last_error"] = box.get("error", "no reply in time" if english is None else "reply identical to input")
    return None, "googletrans"


def _google_worker(text, timeout, proxy, box):
    try:
        box["text"] = asyncio.run(asyncio.wait_for(_google_call(text, timeout, proxy), timeout))
    except BaseException as error:  # noqa: BLE001 - any failure means "try the next backend"
        box["error"] = f"{type(error).__name__}: {error}"


async def _google_call(text, timeout, proxy):
    from googletrans import Translator

    async with Translator(service_urls=(GOOGLE_HOST,), raise_exception=True, timeout=timeout,
                          proxy=proxy, http2=False) as translator:
        result = await translator.translate(text, src="auto", dest="en")
    return result.text.strip()


# ---- 2. MarianMT (local neural model) ----------------------------------------------------


def _marian_mode():
    """"off", "download" (allowed to fetch the model) or "auto" (use it only when cached)."""
    mode = os.environ.get(ENV_MARIAN, "auto").strip().lower()
    if mode in ("0", "off", "no", "false"):
        return "off"
    return "download" if mode == "download" and not _offline() else "auto"


def _marian_cached():
    """True when the model's files are already in the local Hugging Face cache."""
    if importlib.util.find_spec("huggingface_hub") is None:
        return False
    from huggingface_hub import try_to_load_from_cache

    def cached(name):
        return isinstance(try_to_load_from_cache(MARIAN_MODEL, name), str)

    return cached("config.json") and cached("source.spm") and (
        cached("model.safetensors") or cached("pytorch_model.bin"))


def _marian(text, timeout, proxy):
    mode = _marian_mode()
    if mode == "off" or (mode == "auto" and not _marian_cached()):
        return None, "marian"
    if any(importlib.util.find_spec(m) is None for m in ("torch", "transformers", "sentencepiece")):
        return None, "marian"
    try:
        if _state["marian"] is None:
            from transformers import MarianMTModel, MarianTokenizer

            local = mode != "download"
            _state["marian"] = (MarianTokenizer.from_pretrained(MARIAN_MODEL, local_files_only=local),
                                MarianMTModel.from_pretrained(MARIAN_MODEL, local_files_only=local, use_safetensors=True).eval())
        tokenizer, model = _state["marian"]
        batch = tokenizer([to_simplified(text)], return_tensors="pt")
        english = tokenizer.decode(model.generate(**batch, max_new_tokens=128)[0], skip_special_tokens=True)
    except Exception as error:  # noqa: BLE001 - a broken local model must not stop the chain
        _state["last_error"] = f"marian: {type(error).__name__}: {error}"
        return None, "marian"
    return english.strip() or None, "marian"


# ---- 3. built-in -----------------------------------------------------------------------------


def _builtin(text, timeout, proxy):
    english, complete = translate_zh(text)
    return english, "builtin" if complete else "builtin-partial"


_RUNNERS = {"googletrans": _google, "marian": _marian, "builtin": _builtin}
