"""Which Chinese word an English prompt word came from, so the word maps can say "sky 天空" to a reader of Chinese.

`source_words(chinese, words)` segments the instruction as the built-in translator does (jieba), translates each
word alone (the built-in translator, then the dictionary's first sense) and gives each English word of `words` the
Chinese word whose translation holds it, or the same stem ("photo" / "photograph", "snow" / "snowy"). Small words
("the", "it", "make") and the words no Chinese word explains (often the verb a sentence pattern chose) get none.
It works whatever backend made the prompt, because it only reads the prompt's words. No torch.
"""
import re

from .builtin import translate_zh
from .lexicon import lookup, segment, to_simplified

__all__ = ["source_words"]

# English words that carry no picture of their own, and the Chinese words that only shape a sentence.
_SMALL = {"a", "an", "the", "it", "its", "to", "of", "and", "or", "on", "in", "at", "for", "with", "into", "make",
          "turn", "be", "is", "are", "as", "by", "from", "top", "her", "his", "him", "she", "he", "them", "they"}
_SHAPING = {"把", "将", "给", "让", "使", "的", "了", "着", "在", "和", "与", "并", "成", "一个", "一顶", "一只", "请"}


def _same(a: str, b: str) -> bool:
    """The same word, or one starting the other ("sea" / "seaside", "photo" / "photograph"; three letters at least)."""
    return a == b or (min(len(a), len(b)) >= 3 and (a.startswith(b) or b.startswith(a)))


def source_words(chinese: str, words) -> dict:
    """{English word: the Chinese word it came from} for the words of `words` that one explains (see the docstring)."""
    explained = []
    for word in segment(to_simplified(chinese)):
        if word in _SHAPING or not re.search(r"[\u4e00-\u9fff]", word):
            continue
        english, _ = translate_zh(word)
        tokens = set(re.findall(r"[a-z]+", f"{english or ''} {lookup(word) or ''}".lower())) - _SMALL
        explained.append((word, tokens))
    found = {}
    for word in words:
        low = word.lower()
        if low in _SMALL or len(low) < 2 or word in found:
            continue
        source = next((zh for zh, tokens in explained if any(_same(low, t) for t in tokens)), None)
        if source is not None:
            found[word] = source
    return found
