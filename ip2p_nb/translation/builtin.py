"""The built-in offline Chinese -> English translator for photo-edit instructions.

It knows the sentence patterns people use to ask for an edit (把 X 变成 Y, 给 X 戴上 Y, 去掉 X,
让 X 变得 Y, 变成…风格, 在 X 上加 Y, ...) and a vocabulary of everyday subjects, objects,
colours, scenes and art styles (`zh_vocab.py`). Noun phrases are cut by longest match over that
vocabulary. English words inside the text are kept; Chinese it does not know is kept too, and the
result says the translation is incomplete. It is a fallback for when no online or neural
translator is reachable: the English is always shown to the user, who can correct it.
"""

import re

from .vocab import (FILLERS, IRREGULAR_MORE, IRREGULAR_PLURAL, MEASURES, NUMBERS, PLACES,
                       POLITE_HEAD, POLITE_TAIL, PRONOUNS, QUANTITIES, SPOTS, TRAD_TO_SIMP, WORDS)

__all__ = ["translate_zh", "to_simplified"]

_MAX_WORD = max(len(word) for word in list(WORDS) + list(PRONOUNS))
_LATIN_HEADED = tuple(w for w in WORDS if w[:1].isascii() and not w.isascii())  # T恤, 90年代
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]")
_PUNCT = str.maketrans("，。！？；：、（）“”‘’　", ",.!?;:,()\"\"'' ")
# Verb groups of the sentence patterns (longest first inside each group).
_CHANGE = "变成|变为|换成|换为|改成|改为|替换成|替换为|转换成|转换为|转变成|转成|改变成|变换成|做成"
_PAINT = "涂成|染成|刷成|漆成|画成"
_REMOVE = "去掉|去除|删掉|删除|移除|移走|拿掉|拿走|抹掉|擦掉|擦除|抹去|消除|除掉|清除|不要|去|删"
_ADD = "加上|添加|增加|添上|加入|画上|放上|放置|画|放|加|添|增添|装上|插上"
_WEAR = "戴上|穿上|披上|系上|围上|套上|佩戴|换上|化上|戴|穿|化"
_LOOK = "看起来像|看上去像|看着像|看起来|看上去|显得|像"
_BECOME = "变得更加|变得更|变得|变更|变"
_PLACE_RE = "|".join(sorted(PLACES, key=len, reverse=True))
_SPOT_RE = "|".join(sorted(SPOTS, key=len, reverse=True))
_PHOTO = {"the photo", "the picture", "the image", "the whole image", "the painting", "it",
          "this photo", "this picture", "this image", "this painting"}


def to_simplified(text):
    """Map the traditional characters common in edit instructions to simplified ones."""
    return "".join(TRAD_TO_SIMP.get(ch, ch) for ch in text)


def translate_zh(text):
    """Translate one Chinese edit instruction; returns `(english, complete)`.

    `complete` is False when some Chinese was not understood and was kept as is.
    """
    text = to_simplified(text).translate(_PUNCT)
    clauses = [c for c in re.split(r"[,.!?;]+|然后|并且|同时|接着", text) if c.strip()]
    parts = [_clause(_strip_polite(c)) for c in clauses]
    english = " and ".join(p for p in parts if p)
    english = re.sub(r"\s+", " ", english).strip()
    if not english:
        return text.strip(), not _CJK.search(text)
    return english, not _CJK.search(english)


def _strip_polite(clause):
    clause = clause.strip()
    changed = True
    while changed:
        changed = False
        for head in POLITE_HEAD:
            if clause.startswith(head) and len(clause) > len(head):
                clause, changed = clause[len(head):].strip(), True
        for tail in POLITE_TAIL:
            if clause.endswith(tail) and len(clause) > len(tail):
                clause, changed = clause[: -len(tail)].strip(), True
    return clause


def _clause(c, subject=None):
    """Translate one clause by the first sentence pattern that matches it."""
    for pattern, handler in _PATTERNS:
        m = re.fullmatch(pattern, c)
        if m:
            out = handler(subject, *[g.strip() for g in m.groups()])
            if out:
                return out
    return _bare(c, subject)


# ---- noun phrases -------------------------------------------------------------------------


def _tokens(text):
    """Cut a phrase into (kind, English) tokens by longest match; unknown Chinese kept as kind '?'."""
    out, i = [], 0
    while i < len(text):
        ch = text[i]
        latin = _prefix(text, i, _LATIN_HEADED)
        if latin:
            out.append(WORDS[latin])
            i += len(latin)
            continue
        m = re.match(r"[A-Za-z0-9][A-Za-z0-9 '\-]*", text[i:])
        if m:
            out.append(("E", m.group().strip()))
            i += m.end()
            continue
        if ch in NUMBERS and i + 1 < len(text) and text[i + 1] in MEASURES:
            out.append(("D", NUMBERS[ch]))
            i += 2
            continue
        filler = _prefix(text, i, FILLERS)
        if filler:
            i += len(filler)
            continue
        quantity = _prefix(text, i, QUANTITIES)
        if quantity:
            out.append(("D", QUANTITIES[quantity]))
            i += len(quantity)
            continue
        for size in range(min(_MAX_WORD, len(text) - i), 0, -1):
            word = text[i:i + size]
            if word in PRONOUNS:
                out.append(("R", word))
                break
            if word in WORDS:
                out.append(WORDS[word])
                break
        else:
            size = 1
            if ch == "的":
                out.append(("的", ""))
            elif ch in "和与跟及、":
                out.append(("&", "and"))
            elif ch in MEASURES and (not out or out[-1][0] in "&的"):
                out.append(("D", "a"))
            elif ch == "感" and out and out[-1][0] != "?":
                pass  # 电影感, 颗粒感: "a feel of X" is X
            elif ch in NUMBERS and len(text) > i + 1:
                out.append(("D", NUMBERS[ch]))
            elif out and out[-1][0] == "?" and not ch.isspace():
                out[-1] = ("?", out[-1][1] + ch)  # keep unknown Chinese together
            elif not ch.isspace() and ch not in "更很非常":
                out.append(("?", ch))
        i += size
    return out


def _prefix(text, i, words):
    """The longest of `words` that `text` has at position `i`, or None."""
    found = [w for w in words if text.startswith(w, i)]
    return max(found, key=len) if found else None


def _plural(noun):
    head, _, last = noun.rpartition(" ")
    if last in IRREGULAR_PLURAL:
        word = IRREGULAR_PLURAL[last]
    elif last.endswith(("s", "x", "ch", "sh")):
        word = last + "es"
    elif last.endswith("y") and last[-2:-1] not in "aeiou":
        word = last[:-1] + "ies"
    else:
        word = last + "s"
    return (head + " " + word).strip()


def _comparative(adj):
    if adj in IRREGULAR_MORE:
        return IRREGULAR_MORE[adj]
    if " " in adj or "-" in adj or len(adj) > 6:
        return "more " + adj
    if adj.endswith("e"):
        return adj + "r"
    if adj.endswith("y"):
        return adj[:-1] + "ier"
    return adj + "er"


def _article(word):
    vowel = word[:1].lower() in "aeiou" and not word.lower().startswith(("uni", "use", "eu", "one"))
    return "an" if vowel else "a"


def _np(text, role="new"):
    """English for a noun phrase. role: 'old' (already in the photo: 'the'), 'new' ('a')."""
    located = re.fullmatch(rf"(.+?)({_PLACE_RE})的(.+)", text)
    if located and located.group(1) not in ("", "在"):
        where = PLACES[located.group(2)]
        return f"{_np(located.group(3), role)} {where} {_np(located.group(1).lstrip('在'), 'old')}"
    toks = _tokens(text)
    if not toks:
        return "it" if role == "old" else ""
    if len(toks) == 1 and toks[0][0] == "R":
        return PRONOUNS[toks[0][1]][0]
    words, det, head_kind = [], None, None
    for i, (kind, en) in enumerate(toks):
        nxt = toks[i + 1][0] if i + 1 < len(toks) else None
        if kind == "D" and not words:
            det = en
        elif kind == "R":
            owner = nxt == "的" or (nxt is not None and nxt in "NPMAC")
            words.append(PRONOUNS[en][1 if owner else 0])
            det = "-" if owner else det
        elif kind in "NPM" and nxt == "的" and any(k in "NPM" for k, _ in toks[i + 2:]):
            words.append(en + "'s")
        elif kind in "的":
            continue
        else:
            words.append(en)
            head_kind = kind
    if not words:
        return ""
    if det and det not in ("a", "this", "that", "every", "-") and head_kind == "N":
        words[-1] = _plural(words[-1])
    phrase = " ".join(words)
    if det == "all":
        return "all the " + phrase
    if role == "old" and head_kind == "S" and not det and not phrase.startswith(("a ", "an ")):
        return "the " + phrase  # 让夕阳更红 -> make the sunset redder
    if det == "-" or head_kind in ("T", "S", "R") or phrase[:1].isupper():
        return phrase
    if det == "a":  # 一副墨镜 -> sunglasses, 一只猫 -> a cat
        return f"{_article(phrase)} {phrase}" if head_kind in "NE?" else phrase
    if det:
        return f"{det} {phrase}"
    if role == "old" and head_kind in "NPME?":
        return "the " + phrase
    if role == "new" and (head_kind == "N" or head_kind == "E" and not phrase.endswith("s")):
        return f"{_article(phrase)} {phrase}"
    return phrase


def _kinds(text):
    return {k for k, _ in _tokens(text)} - {"的", "D", "&"}


def _adj(text):
    """An adjective phrase; 更/一点 make it comparative ('brighter')."""
    more = bool(re.search(r"更|一点|一些|点$|些$", text))
    core = re.sub(r"更加|更|一点点|一点|一些|点$|些$|的$", "", text)
    very = core.startswith(("非常", "很", "超级"))
    core = re.sub(r"^(非常|很|超级)", "", core)
    phrase = _np(core, role="adj")
    if more and " " not in phrase and phrase.isascii():
        phrase = _comparative(phrase)
    return ("very " if very else "") + phrase


# ---- sentence handlers -------------------------------------------------------------------


def _obj(subject, x):
    return _np(x, "old") if x else (subject or "it")


def _change(subject, x, verb, y):
    """把 X 变成/换成 Y: colours and adjectives -> make X Y; scenes -> make it Y; nouns -> turn/replace."""
    target = "it" if x and _kinds(x) <= {"S"} else _obj(subject, x)
    material = re.fullmatch(r"(.+?)(做的|制成的|制作的|材质的?|质感的?|材料)", y)
    if material:
        return f"make {target} out of {_np(material.group(1), 'adj')}"
    style = re.fullmatch(r"(.+?)的?(风格|画风|风)", y)
    kinds = _kinds(style.group(1) if style else y)
    if style and "T" not in kinds:
        return f"make {target} {_np(style.group(1), 'adj')} style"
    if "T" in kinds or kinds <= set("AC?"):
        return f"make {target} {_np(style.group(1) if style else y, 'adj')}"
    if kinds <= set("SAC"):
        return f"make it {_np(y)}" if target in _PHOTO else f"turn {target} into {_np(y)}"
    if verb.startswith(("换", "替换", "改")) and target not in _PHOTO:
        return f"replace {target} with {_np(y)}"
    return f"turn {target} into {_np(y)}"


def _paint(subject, x, verb, y):
    word = {"染成": "dye", "涂成": "paint", "刷成": "paint", "漆成": "paint"}.get(verb, "make")
    return f"{word} {_obj(subject, x)} {_np(y, 'adj')}"


def _become(subject, x, verb, y):
    if y in WORDS and WORDS[y][0] == "V":
        return _verb(subject, x, WORDS[y][1])
    adj = _adj(("更" if verb in ("变", "变更", "变得更", "变得更加", "更", "更加") else "") + y)
    return f"make {_obj(subject, x)} {adj}"


def _verb(subject, x, en):
    return f"make {_obj(subject, x)} {en}"


def _wear(subject, x, verb, y):
    on = re.fullmatch(rf"(.+?)({_PLACE_RE})", x or "")
    if on and not verb.startswith(("戴", "穿", "披", "系", "围", "套", "佩", "换", "化")):
        return _place(subject, on.group(1), on.group(2), verb, y)  # 给桌子上加一束花
    target = _obj(subject, x)
    if verb.startswith(("戴", "穿", "披", "系", "围", "套", "佩", "换", "化")):
        return f"put {_np(y)} on {target}"
    return f"add {_np(y)} to {target}"


def _place(subject, x, where, _verb, y):
    return f"add {_np(y)} {PLACES[where]} {_np(x, 'old')}"


def _make(subject, x, rest):
    """让/使 X + verb phrase: translate the verb phrase with X as its object."""
    return _clause(rest, subject=_np(x, "old"))


def _look(subject, x, verb, y):
    target = _obj(subject, x)
    kinds = _kinds(y)
    if "像" in verb or not kinds <= set("AC"):
        return f"make {target} look like {_np(y)}"
    return f"make {target} look {_adj(y)}"


def _style(subject, x, _word=None):
    tail = _np(x, "adj")
    return f"make {subject or 'it'} {tail}" if "T" in _kinds(x) else f"make {subject or 'it'} {tail} style"


def _add(subject, _verb, y):
    """加/出现 Y: a scene means 'make it Y'; with a subject (让天空出现极光) 'add Y to the sky'."""
    if _kinds(y) <= {"S"}:
        return f"make {subject or 'it'} {_np(y)}"
    return f"add {_np(y)} to {subject}" if subject else f"add {_np(y)}"


def _bare(c, subject):
    """A clause without a known verb: a scene, style or colour means 'make it ...'."""
    kinds = _kinds(c)
    if kinds and kinds <= set("STC"):
        return f"make {subject or 'it'} {_np(c, 'adj')}"
    if kinds and kinds <= {"V"}:
        return _verb(subject, None, WORDS[c][1]) if c in WORDS else _np(c)
    if kinds and kinds <= set("AC"):
        return f"make {subject or 'it'} {_adj(c)}"  # 颜色深一点 -> make it darker
    return _np(c, "adj")


_PATTERNS = [
    (rf"(?:把|将)(.+?)({_CHANGE})(.+)", lambda s, x, v, y: _change(s, x, v, y)),
    (rf"(?:把|将)(.+?)({_PAINT})(.+)", _paint),
    (rf"(?:把|将)(.+?)(?:给)?({_REMOVE})(?:掉)?", lambda s, x, v: f"remove {_obj(s, x)}"),
    (rf"(?:把|将)(.+?)({_BECOME}|弄得|弄|调得|调)(.+)", _become),
    (r"(?:把|将)(.+?)(放大|缩小|上色|着色)", lambda s, x, v: _verb(s, x, WORDS[v][1])),
    (rf"给(.+?)({_WEAR}|{_ADD})(.+)", _wear),
    (r"给(.+?)(上色|着色)", lambda s, x, v: f"colorize {_obj(s, x)}"),
    (rf"(?:让|使得|使|令)(.+?)({_LOOK})(.+)", _look),
    (rf"(?:让|使得|使|令)({'|'.join(sorted(PRONOUNS, key=len, reverse=True))})(.+)", _make),
    (r"(?:让|使得|使|令)(.+?)((?:变|下|看|戴|穿|更|微笑|笑|哭|闭|睁|张|有|出现|长出|结|充满|布满|飘).*)", _make),
    (rf"在?({_SPOT_RE})(?:的地方)?({_ADD}|有|出现)(.+)", lambda s, where, v, y: f"add {_np(y)} {SPOTS[where]}"),
    (rf"在?(.+?)({_PLACE_RE})({_ADD}|有|长出|出现)(.+)", _place),
    (rf"在(.+?)({_ADD}|有|出现)(.+)", lambda s, x, v, y: f"add {_np(y)} in {_np(x, 'old')}"),
    (r"有(.+)", lambda s, y: _bare(y, s) if _kinds(y) <= set("STCA") else _add(s, "有", y)),
    (rf"(?:用|拿)(.+?)(?:来)?(?:替换|代替|取代|换掉)(.+)", lambda s, y, x: f"replace {_np(x, 'old')} with {_np(y)}"),
    (rf"(?:用|以|按照|按)(.+?)的?(?:风格|画风|风)(?:来)?(?:画|绘制|重绘|重新画|渲染|表现)?", _style),
    (rf"({_CHANGE})(.+)", lambda s, v, y: _change(s, None, v, y)),
    (rf"(.+?)({_CHANGE})(.+)", lambda s, x, v, y: _change(s, x, v, y)),
    (rf"({_REMOVE})(.+)", lambda s, v, x: f"remove {_np(x, 'old')}"),
    (rf"({_WEAR})(.+)", lambda s, v, y: f"put {_np(y)} on {s}" if s else f"add {_np(y)}"),
    (rf"({_ADD}|出现|长出|充满|布满)(.+)", _add),
    (rf"(.+?)(?:给)?({_REMOVE})(?:掉)?", lambda s, x, v: f"remove {_np(x, 'old')}"),
    (rf"(.+?)({_LOOK})(.+)", _look),
    (rf"({_BECOME}|更加|更)(.+)", lambda s, v, y: _become(s, None, v, y)),
    (rf"(.+?)({_BECOME}|更加|更)(.+)", _become),
    (r"(.+?)的?(风格|画风|风)", _style),
]
