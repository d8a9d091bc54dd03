"""Words of a phrase for the built-in translator: `tokens(text)` -> [(kind, English)].

jieba (`lexicon.segment`) decides where a word ends; a word that no dictionary knows (jieba's own
楼梯扶手 or 小兔子) is cut again into the fewest words the dictionaries know (`word_starts`). Each
word is read from the curated edit vocabulary (`vocab.py`) first, then from CC-CEDICT
(`lexicon.lookup`; the noun sense after a number or an adjective); numbers, measure words,
fillers and English stay as the sentence patterns made them. Kinds: see `vocab.py`; 'D' a
determiner, '?' Chinese no dictionary knows.
"""

import re

from .lexicon import lookup, lookup_noun, segment, word_tag
from .vocab import FILLERS, IRREGULAR_PLURAL, MEASURES, NUMBERS, PRONOUNS, QUANTITIES, WORDS

__all__ = ["tokens", "word_starts", "plural", "FUNCTION_CHARS"]

_MAX_WORD = max(len(word) for word in list(WORDS) + list(PRONOUNS))
_LATIN_HEADED = tuple(w for w in WORDS if w[:1].isascii() and not w.isascii())  # T恤, 90年代


def tokens(text):
    """Cut a phrase into (kind, English) tokens; unknown Chinese kept as kind '?'.

    jieba's words decide where a word ends; a word is read from the curated vocabulary first,
    then from CC-CEDICT. Numbers, measure words, fillers and English stay as the patterns made them.
    """
    starts = word_starts(text)
    out, i = [], 0
    while i < len(text):
        ch = text[i]
        latin = _prefix(text, i, _LATIN_HEADED)
        if latin:
            out.append(WORDS[latin])
            i += len(latin)
            continue
        count = re.match(rf"([0-9]{{1,2}})\s*[{MEASURES}]", text[i:])
        if count:  # 加3只小鸭子 -> three ducklings
            out.append(("D", _COUNT_WORDS[int(count.group(1))] if int(count.group(1)) < len(_COUNT_WORDS) else count.group(1)))
            i += count.end()
            continue
        m = re.match(r"[A-Za-z0-9][A-Za-z0-9 '\-]*", text[i:])
        if m:
            out.append(("E", m.group().strip()))
            i += m.end()
            continue
        if ch in NUMBERS and i + 1 < len(text) and text[i + 1] in MEASURES:
            group = _GROUPS.get(text[i + 1]) if ch == "一" else None
            out.append(("D", group or NUMBERS[ch]))  # 一排路灯 -> a row of street lamps
            i += 2
            continue
        filler = _prefix(text, i, FILLERS)
        if filler and len(_curated(text, i) or "") <= len(filler):  # 氛围感 "atmosphere" is a word, 氛围 filler
            i += len(filler)
            continue
        quantity = _prefix(text, i, QUANTITIES)
        if quantity:
            out.append(("D", QUANTITIES[quantity]))
            i += len(quantity)
            continue
        curated = _curated(text, i, starts)
        if curated and curated.endswith("风") and text.startswith("格", i + len(curated)) and curated[:-1] in WORDS:
            curated = curated[:-1]  # 油画风格: 油画 + 风格, not 油画风 + 格 "square"
        word = starts.get(i)
        if word and len(word) > 1 and len(word) > len(curated or "") and word not in WORDS:
            as_noun = bool(out) and out[-1][0] in "D的NPMCA" or i + len(word) == len(text) and len(text) > len(word)
            # 一个发卡, 圣诞装饰, the last word of a phrase: the noun sense
            found = lookup_noun(word) if as_noun else lookup(word)
            if found:
                out.append(("A", found) if _adjective(word) else _kind_of(_material(word, found)))
                i += len(word)
                continue
        if curated:
            out.append(("R", curated) if curated in PRONOUNS else WORDS[curated])
            i += len(curated)
            continue
        size = 1
        if ch == "的":
            out.append(("的", ""))
        elif ch in "和与跟及、":
            out.append(("&", "and"))
        elif ch in MEASURES and (not out or out[-1][0] in "&的"):
            out.append(("D", "a"))
        elif ch == "地" and i == len(text) - 1 and out and out[-1][0] in "NPM":
            out[-1] = ("N", out[-1][1] + " field")  # 胡萝卜地 -> carrot field (地 alone is an adverb mark)
        elif ch == "们" and out and out[-1][0] == "N":
            out[-1] = ("P", plural(out[-1][1]))  # 孩子们 -> children
        elif ch in _SUFFIXES and out and out[-1][0] in _SUFFIXES[ch]:
            pass  # 电影感 (a feel of film), 港风/漫画风 (style), 粉色调 (tone): the word before says it
        elif ch in NUMBERS and len(text) > i + 1:
            out.append(("D", NUMBERS[ch]))
        elif ch in FUNCTION_CHARS or ch.isspace() or ch in "更很非常":
            pass
        elif out and out[-1][0] == "?":
            out[-1] = ("?", out[-1][1] + ch)  # keep unknown Chinese together
        else:
            out.append(("?", ch))
        i += size
    return [t for run in out for t in (_unknown_run(run[1]) if run[0] == "?" else [run])]


_COUNT_WORDS = ["no", "a", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"]
_SUFFIXES = {"感": "NPMACSTVE", "风": "TENAC", "调": "CA", "系": "TENAC"}  # suffix: after which token kinds it is dropped
# grammatical characters that carry no content in an edit instruction: dropped when left alone
FUNCTION_CHARS = set("了着过吧呢吗啊呀哦嘛么就都也还又再才太最被从向往对为或而但是之其所以得地要会能可想啦哈嗯"
                      "让使成在起进出到来把将给用上下里中方边面内外场")


_MATERIALS = "木铁钢铜竹石"
_GROUPS = {"排": "a row of", "群": "a group of", "束": "a bunch of", "串": "a string of", "堆": "a pile of",
           "杯": "a glass of", "碗": "a bowl of", "盘": "a plate of", "瓶": "a bottle of", "罐": "a can of", "袋": "a bag of"}


def _material(word, english):
    """A compound headed by its material keeps it: 木板 'slab' -> 'wooden slab', as CC-CEDICT's sense drops it."""
    if word[0] in _MATERIALS and word[0] in WORDS and " " not in english:
        material = WORDS[word[0]][1]
        if material[:4] not in english:
            return f"{material} {english}"
    return english


def word_starts(text):
    """{position: word} for the words jieba cuts `text` into; a word that no dictionary knows
    (jieba's 楼梯扶手, 小兔子) is cut again into the fewest words the dictionaries know (楼梯 + 扶手)."""
    starts, at = {}, 0
    for word in segment(text):
        if len(word) > 1 and "的" not in word and not _known(word):
            for piece in _best_cut(word):
                starts[at] = _Piece(piece)
                at += len(piece)
        else:
            starts[at] = word
            at += len(word)
    return starts


class _Piece(str):
    """A word of a re-cut (楼梯扶手 -> 楼梯 + 扶手): a curated word may not end inside it."""


def _known(word):
    return word in WORDS or word in PRONOUNS or bool(lookup(word))


def _best_cut(word):
    """The fewest known words that make `word`, curated ones preferred (小兔子 is 小 + 兔子, a small
    rabbit, not 小兔 + 子 'bunny son'), then the longest first (马路边: 马路 + 边)."""
    best = {0: (0, ())}
    for i in range(len(word)):
        if i not in best:
            continue
        for j in range(i + 1, min(len(word), i + 6) + 1):
            piece = word[i:j]
            if j - i > 1 and not _known(piece):
                continue
            cost, pieces = best[i][0] + 1, best[i][1] + (piece,)
            if j not in best or _cut_key(cost, pieces) < _cut_key(*best[j]):
                best[j] = (cost, pieces)
    return list(best[len(word)][1])


def _cut_key(cost, pieces):
    """Fewer words; then more curated words (or grammar characters); then the longer words first."""
    curated = sum(p in WORDS or p in PRONOUNS or p in FUNCTION_CHARS for p in pieces)
    return cost, -curated, [-len(p) for p in pieces]


def _curated(text, i, starts=None):
    """The longest curated word (or pronoun) at position `i` that does not end inside a word of a
    re-cut in `starts` (小兔子 -> 小 + 兔子, so not 小兔 + 子 'bunny son'), or None."""
    inside = set()
    for at, word in (starts or {}).items():
        if isinstance(word, _Piece) and len(word) > 1:
            inside.update(range(at + 1, at + len(word)))
    for size in range(min(_MAX_WORD, len(text) - i), 0, -1):
        word = text[i:i + size]
        if (word in WORDS or word in PRONOUNS) and (i + size not in inside or size == 1 and i + 1 not in inside):
            return word
    return None


def _adjective(word):
    """True for a word jieba tags as an adjective (a, an) or a descriptive word (z: 湛蓝, 破旧): 绚丽的极光 is
    "gorgeous aurora", not "gorgeous's aurora" as a noun before 的 would be."""
    return word_tag(word)[1] in ("a", "an", "z")


def _kind_of(english):
    """A token for a CC-CEDICT sense: a verb, a plural noun or a noun."""
    if english.endswith("s") and not english.endswith(("ss", "us", "is")) and " " not in english:
        return ("P", english)
    return ("N", english)


def _unknown_run(run):
    """Unknown Chinese cut by longest match over CC-CEDICT; what it does not know stays Chinese ('?')."""
    out, i = [], 0
    while i < len(run):
        for size in range(min(6, len(run) - i), 0, -1):
            english = lookup(run[i:i + size])
            if english:
                out.append(_kind_of(english))
                i += size
                break
        else:
            if out and out[-1][0] == "?":
                out[-1] = ("?", out[-1][1] + run[i])
            else:
                out.append(("?", run[i]))
            i += 1
    return out


def _prefix(text, i, words):
    """The longest of `words` that `text` has at position `i`, or None."""
    found = [w for w in words if text.startswith(w, i)]
    return max(found, key=len) if found else None


def plural(noun):
    head, _, last = noun.rpartition(" ")
    if last in IRREGULAR_PLURAL:
        word = IRREGULAR_PLURAL[last]
    elif last.endswith("s") and not last.endswith(("ss", "us", "is", "as", "os")):
        word = last  # water plants, stars: plural already
    elif last.endswith(("s", "x", "ch", "sh")):
        word = last + "es"
    elif last.endswith("y") and last[-2:-1] not in "aeiou":
        word = last[:-1] + "ies"
    else:
        word = last + "s"
    return (head + " " + word).strip()
