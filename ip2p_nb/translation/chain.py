"""Chinese -> English for edit instructions: a chain of translators, each result naming its source.

InstructPix2Pix understands English only. `translate(text)` tries, in order:
  1. "googletrans" - Google Translate through googletrans 4 (async-only), in a private event
     loop on a worker thread, so it works in plain scripts and inside Jupyter's running loop;
     bounded by a wall-clock `timeout`; a failure is remembered for a while so a live demo does
     not wait again on every edit; successful replies are cached per text.
  2. "marian" - the local neural model Helsinki-NLP/opus-mt-zh-en when it is in the Hugging Face
     cache: it is fetched by default with an editing model that comes from a hub (models/hub.py,
     the same hub, mirror or ModelScope, listed with its size first; `marian_wanted()` says whether),
     or here when IP2P_TRANSLATE_MARIAN=download (or `marian="download"`, the command line's
     `--marian download`); IP2P_TRANSLATE_MARIAN=off never uses it; safetensors only. A failure or
     a reply that is empty, repeats itself or still holds Chinese is not used: the chain goes on to
     the built-in translator, and `last_error()` says why in one sentence.
  3. "builtin" - the offline pattern translator in `builtin.py` ("builtin-partial" when some
     Chinese was not understood: it is left out of the English and listed in `untranslated`).
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
from .lexicon import CHINESE as _CJK
from .lexicon import CHINESE_RUN as _CJK_RUN
from .lexicon import to_simplified
from .repairs import drop_chinese
from .rephrase import rephrase

__all__ = ["Translation", "translate", "has_chinese", "available_backends", "reset_cache", "BACKENDS",
           "MARIAN_MODES", "marian_wanted", "neural_reply_problem", "untranslated_fragments", "last_error", "forget_marian"]

# ---- defaults (one place) -----------------------------------------------------------------
BACKENDS = ("googletrans", "marian", "builtin")  # the chain, in the order it is tried
DEFAULT_TIMEOUT = 3.0      # seconds for the online backend, all in: a live demo must not hang
MAX_TIMEOUT = 30.0         # beyond this a user would think the app froze
FAILURE_MEMORY = 60.0      # seconds to skip googletrans after a network failure
GOOGLE_HOST = "translate.googleapis.com"  # googletrans' token-free "gtx" API
MARIAN_MODEL = "Helsinki-NLP/opus-mt-zh-en"
MARIAN_MODES = ("auto", "download", "off")
ENV_PROXY = "IP2P_TRANSLATE_PROXY"      # e.g. http://127.0.0.1:7890 for users behind a firewall
ENV_OFFLINE = "IP2P_TRANSLATE_OFFLINE"  # 1: never touch the network
ENV_MARIAN = "IP2P_TRANSLATE_MARIAN"    # "download": allow fetching the model; "off": never use it

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


def last_error():
    """Why the last backend that failed did so (one line), or None."""
    return _state["last_error"]


def forget_marian():
    """Unload the neural model (the next marian translation loads it again from the cache)."""
    with _lock:
        _state["marian"] = None


def available_backends(marian=None):
    """The backends that can answer on this machine now (googletrans may still be unreachable)."""
    names = []
    if not _offline() and importlib.util.find_spec("googletrans") is not None:
        names.append("googletrans")
    if _marian_mode(marian) != "off" and (_marian_mode(marian) == "download" or _marian_cached()):
        names.append("marian")
    return names + ["builtin"]


def translate(text, *, timeout=None, backends=None, proxy=None, marian=None):
    """Translate a Chinese edit instruction to English; English text passes through unchanged.

    timeout: seconds the online backend may take in total (default 3). backends: names from
    `BACKENDS` to try, in order. proxy: URL for googletrans (default: $IP2P_TRANSLATE_PROXY).
    marian: "auto" (use the neural model when it is cached), "download" (fetch it, ~300 MB, from the
    hub or the $HF_ENDPOINT mirror), "off" (default: $IP2P_TRANSLATE_MARIAN, else "auto").
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
    if marian is not None and marian not in MARIAN_MODES:
        raise SettingError(f"`marian` must be one of {list(MARIAN_MODES)}, got {marian!r}.")
    proxy = proxy or os.environ.get(ENV_PROXY) or None
    if proxy and not re.match(r"(https?|socks5h?)://", proxy):
        raise SettingError(f"`proxy` must be a URL such as http://127.0.0.1:7890, got {proxy!r}.")
    if not has_chinese(text):
        return Translation(text, text, "english")
    for name in names:
        english, backend = _RUNNERS[name](text, timeout, proxy, marian)
        left = untranslated_fragments(english or "")
        if left and backend == "builtin-partial":  # the model reads no Chinese: leave it out, list it as untranslated
            english = drop_chinese(english)
        if english:  # every reply as a short edit prompt ("Please make the sky become night" -> "make the sky night")
            return Translation(rephrase(english), text, backend, left)
    return Translation(text, text, "none", untranslated_fragments(text))


def _offline():
    return os.environ.get(ENV_OFFLINE, "").strip().lower() in ("1", "true", "yes", "on")


# ---- 1. googletrans ------------------------------------------------------------------------


def _google(text, timeout, proxy, marian=None):
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


def _marian_mode(marian=None):
    """"off", "download" (allowed to fetch the model) or "auto" (use it only when cached)."""
    mode = (marian or os.environ.get(ENV_MARIAN, "auto")).strip().lower()
    if mode in ("0", "off", "no", "false"):
        return "off"
    return "download" if mode == "download" and not _offline() else "auto"


def marian_wanted(marian=None):
    """False when the neural model is switched off (IP2P_TRANSLATE_MARIAN=off): then it is never fetched with a model."""
    return _marian_mode(marian) != "off"


def _hub_cache():
    """The Hugging Face cache folder, read from the environment now (huggingface_hub reads it once, at import)."""
    return os.environ.get("HF_HUB_CACHE") or os.path.join(
        os.environ.get("HF_HOME") or os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "huggingface"),
        "hub")


def _marian_cached():
    """True when the model's files are already in the local Hugging Face cache.

    Read from the cache folder itself: importing huggingface_hub would cost half a second of
    every offline `translate` call, where the model is usually absent anyway.
    """
    snapshots = os.path.join(_hub_cache(), "models--" + MARIAN_MODEL.replace("/", "--"), "snapshots")
    if not os.path.isdir(snapshots):
        return False
    for snapshot in os.listdir(snapshots):
        names = set(os.listdir(os.path.join(snapshots, snapshot)))
        if {"config.json", "source.spm", "target.spm", "model.safetensors"} <= names:
            return True
    return False


def _marian(text, timeout, proxy, marian=None):
    mode = _marian_mode(marian)
    if mode == "off" or (mode == "auto" and not _marian_cached()):
        return None, "marian"
    if any(importlib.util.find_spec(m) is None for m in ("torch", "transformers", "sentencepiece")):
        return None, "marian"
    try:
        if _state["marian"] is None:
            from transformers import MarianMTModel, MarianTokenizer

            # downloads (mode "download") go through huggingface_hub: $HF_ENDPOINT's mirror and its progress bars
            where = {"local_files_only": mode != "download", "cache_dir": _hub_cache()}
            _state["marian"] = (MarianTokenizer.from_pretrained(MARIAN_MODEL, **where),
                                MarianMTModel.from_pretrained(MARIAN_MODEL, use_safetensors=True, **where).eval())
        tokenizer, model = _state["marian"]
        batch = tokenizer([to_simplified(text)], return_tensors="pt")
        english = tokenizer.decode(model.generate(**batch, max_new_tokens=128)[0], skip_special_tokens=True)
    except Exception as error:  # noqa: BLE001 - a broken local model must not stop the chain
        first = (str(error).strip().splitlines() or [""])[0][:120]
        _state["last_error"] = (f"marian: the neural translator {MARIAN_MODEL} failed ({type(error).__name__}"
                                + (f": {first}" if first else "") + "); the next translator was used.")
        return None, "marian"
    problem = neural_reply_problem(english)
    if problem:  # the built-in translator does better than a broken sentence
        _state["last_error"] = f"marian: reply {problem}: {english[:80]!r}"
        return None, "marian"
    return english.strip(), "marian"


def neural_reply_problem(english):
    """Why a neural translation cannot be used ("is empty", "repeats itself", "still holds Chinese"), or None."""
    words = re.findall(r"[\w'-]+", english.lower())
    if not words:
        return "is empty"
    if has_chinese(english):
        return "still holds Chinese"
    for size in (1, 2, 3, 4):  # the same word or phrase three times in a row: a decoding loop
        for start in range(len(words) - 3 * size + 1):
            piece = words[start:start + size]
            if piece == words[start + size:start + 2 * size] == words[start + 2 * size:start + 3 * size]:
                return "repeats itself"
    if len(words) >= 8 and len(set(words)) < len(words) / 3:
        return "repeats itself"
    return None


# ---- 3. built-in -----------------------------------------------------------------------------


def _builtin(text, timeout, proxy, marian=None):
    english, complete = translate_zh(text)
    return english, "builtin" if complete else "builtin-partial"


_RUNNERS = {"googletrans": _google, "marian": _marian, "builtin": _builtin}
