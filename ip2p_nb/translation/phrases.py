"""Noun, verb and place phrases of the built-in translator: Chinese words in, English words out.

`tokens(text)` (`tokens.py`) cuts a phrase into words and reads each one from the curated edit
vocabulary (`vocab.py`) or else CC-CEDICT (`lexicon.lookup`). `noun_phrase` puts
them in English order: articles and plurals, position words (左边的人 -> the person on the left),
relative clauses (穿红衣服的人 -> the person wearing red clothes), postpositions (桌子上的杯子 ->
the cup on the table). `adjective`, `verb_phrase` and `place_phrase` do the same for the other
parts of a clause; `builtin.py` fits them into sentence patterns.
"""

import re

from .lexicon import is_verb, lookup, segment, word_tag
from .tokens import FUNCTION_CHARS, plural, tokens, word_starts
from .vocab import BEINGS, IRREGULAR_MORE, MEASURES, PLACES, PRONOUNS, SPOTS, WORDS

__all__ = ["tokens", "located_at", "noun_phrase", "adjective", "kinds", "verb_phrase", "place_phrase", "split_at_verb",
           "is_verb_word", "participle", "POSITIONS", "SPOTS", "PLACES", "SPOT_RE", "PLACE_RE", "FUNCTION_CHARS"]

# body parts a person or an animal owns (熊猫手里 -> in the panda's hand)
_BODY = {"head", "face", "hand", "hands", "mouth", "nose", "eyes", "eye", "hair", "neck", "ear", "ears", "leg", "legs",
         "foot", "feet", "back", "arm", "arms", "body", "shoulder", "paw", "paws"}

_CURATED_EN = {en for _kind, en in WORDS.values()}  # a dictionary word before 的 describes (丰盛的饭菜), not owns


def _comparative(adj):
    if adj in IRREGULAR_MORE:
        return IRREGULAR_MORE[adj]
    if " " in adj or "-" in adj or len(adj) > 6 or not adj.islower():  # 3D -> more 3D
        return "more " + adj
    if adj.endswith("e"):
        return adj + "r"
    if adj.endswith("y"):
        return adj[:-1] + "ier"
    return adj + "er"


def _article(word):
    vowel = word[:1].lower() in "aeiou" and not word.lower().startswith(("uni", "use", "eu", "one"))
    return "an" if vowel else "a"


def noun_phrase(text, role="new"):
    """English for a noun phrase. role: 'old' (already in the photo: 'the'), 'new' ('a')."""
    when = re.fullmatch(r"([^的]+)的([^的]+)", text)
    at = _at(noun_phrase(when.group(1), "adj")) if when and kinds(when.group(1)) == {"S"} else None
    if at and kinds(when.group(2)) <= set("NPM") and kinds(when.group(2)):
        return f"{noun_phrase(when.group(2), role)} {at}"  # 晚上的城市 -> a city at night
    located = re.fullmatch(rf"(.+?)({PLACE_RE})的(.+)", text)
    if located and located.group(1).lstrip("在") + located.group(2) in SPOTS:  # 天上的电线 -> the wires in the sky
        return f"{noun_phrase(located.group(3), role)} {SPOTS[located.group(1).lstrip('在') + located.group(2)]}"
    if located and located.group(1).lstrip("在") + located.group(2) in WORDS:  # 地上的垃圾: 地上 is "ground"
        return f"{noun_phrase(located.group(3), role)} on the {WORDS[located.group(1).lstrip('在') + located.group(2)][1]}"
    if located and located.group(1) in IMAGE_WORDS and located.group(2) in POSITIONS:  # 画面中间的女孩
        return f"{noun_phrase(located.group(3), role)} {POSITIONS[located.group(2)][0]}"
    if located and located.group(1) not in ("", "在"):
        return f"{noun_phrase(located.group(3), role)} {located_at(located.group(2), noun_phrase(located.group(1).lstrip('在'), 'old'))}"
    scene = re.fullmatch(r"(背景|前景|天空|远处)的(.+)", text)
    if scene and kinds(scene.group(2)) and kinds(scene.group(2)) <= set("NPM") and scene.group(2) not in _ASPECT_WORDS:
        return f"{noun_phrase(scene.group(2), role)} {_IN_SCENE[scene.group(1)]}"  # 背景的人群 -> the crowd in the background
    made = re.fullmatch(r"(?:用)?(.+?)(?:做的|制成的|制作的|做成的)(.+)", text)
    if made:  # 木板做的桌子 -> a table made of wooden boards
        return f"{noun_phrase(made.group(2), role)} made of {noun_phrase(made.group(1), 'adj')}"
    lacking = re.fullmatch(r"(?:[一两三四五几][{MEASURES}])?没有(.+?)的(.+)".replace("{MEASURES}", MEASURES), text)
    if lacking:  # 一个没有人的海滩 -> a beach without people
        return f"{noun_phrase(lacking.group(2), role)} without {plural(noun_phrase(lacking.group(1), 'adj'))}"
    both = re.fullmatch(r"([^的和与跟]+)[和与跟]([^的和与跟]+)", text) if role == "new" else None
    if both and all(kinds(part) and kinds(part) <= set("NPMAC") and kinds(part) & set("NPM") for part in both.groups()):
        return f"{noun_phrase(both.group(1), role)} and {noun_phrase(both.group(2), role)}"  # a rainbow and some clouds
    having = re.fullmatch(r"有(.+?)的(.+)", text)
    if having:  # 有星星的夜空 -> a night sky with stars
        return f"{noun_phrase(having.group(2), role)} with {plural(noun_phrase(having.group(1), 'adj'))}"
    doing = _holding(text) if "的" not in text else None
    if doing:  # 骑着自行车的男孩 is above; 男孩骑着自行车 -> a boy riding a bicycle
        return f"{noun_phrase(doing[0], role)} {doing[1]} {noun_phrase(doing[2], 'new')}"
    acting = re.fullmatch(rf"((?:[一两三四五几][{MEASURES}])?)在(.+?)({PLACE_RE}|{SPOT_RE})?(.+?)的(.+)", text)
    if acting and is_verb_word(acting.group(4)):  # 一只在天上飞的风筝 -> a kite flying in the sky
        where = place_phrase("在" + acting.group(2) + (acting.group(3) or ""))
        return f"{noun_phrase(acting.group(1) + acting.group(5), role)} {participle(verb_phrase(acting.group(4), ''))} {where}"
    able = re.fullmatch(r"会(.+?)的(.+)", text)
    if able:  # 会飞的汽车 -> a car that can fly
        return f"{noun_phrase(able.group(2), role)} that can {verb_phrase(able.group(1), '')}"
    wearing = re.fullmatch(r"(穿|戴|拿|抱|骑|背|牵)(?:着)?(.+?)的(.+)", text)
    if wearing and not word_tag(segment(text)[0])[1].startswith("n") and kinds(wearing.group(3)) & set("NPM?"):  # 穿红衣服的人 -> the person wearing red clothes
        verb = {"穿": "wearing", "戴": "wearing", "拿": "holding", "抱": "holding", "骑": "riding",
                "背": "carrying", "牵": "walking"}[wearing.group(1)]
        return f"{noun_phrase(wearing.group(3), role)} {verb} {noun_phrase(wearing.group(2), 'adj')}"
    doer = re.fullmatch(rf"((?:[一两三四五几][{MEASURES}])?)([^的]+?)的([^的]+)", text)
    first = str(next(iter(word_starts(doer.group(2)).values()), "")) if doer else ""
    if first and is_verb_word(first) and kinds(doer.group(3)) & set("NPM"):  # 钓鱼的老人 -> an old man fishing
        return f"{noun_phrase(doer.group(1) + doer.group(3), role)} {participle(verb_phrase(first, doer.group(2)[len(first):]))}"
    placed = re.fullmatch(rf"(.*?)({POSITION_RE})(?:的|那个|那只|那位|那条|那辆|那棵|那张|那些|这个)(.+)", text)
    if placed and placed.group(3):
        alone, of = POSITIONS[placed.group(2)]
        if placed.group(1) in IMAGE_WORDS:
            return f"{noun_phrase(placed.group(3), role)} {alone}"
        return f"{noun_phrase(placed.group(3), role)} {of} {noun_phrase(placed.group(1).lstrip('在'), 'old')}"
    toks = _styles(tokens(text))
    if not toks:
        return "it" if role == "old" else ""
    if len(toks) == 1 and toks[0][0] == "R":
        return PRONOUNS[toks[0][1]][0]
    words, det, head_kind = [], None, None
    for i, (kind, en) in enumerate(toks):
        nxt = toks[i + 1][0] if i + 1 < len(toks) else None
        if kind == "D" and words and en in ("all", "many", "some"):  # 人全部 -> all the people
            det = det or en
        elif kind == "D" and not words:
            det = en
        elif kind == "R":
            owner = nxt == "的" or (nxt is not None and nxt in "NPMAC")
            words.append(PRONOUNS[en][1 if owner else 0])
            det = "-" if owner else det
            head_kind = head_kind if owner else "R"  # 把她 alone: "her", no article
        elif kind in "NP" and en.split()[-1] in BEINGS and nxt in ("N", "P") and toks[i + 1][1] in _BODY:  # 熊猫手里 -> in the panda's hand
            words.append(en + "'s")
        elif kind in "NPM" and nxt == "的" and any(k in "NPM" for k, _ in toks[i + 2:]) and en in _CURATED_EN:
            words.append(en + "'s")
        elif kind in "的":
            continue
        else:
            words.append(en)
            head_kind = kind
    if not words:
        return ""
    if det and det not in ("a", "this", "that", "every", "-") and head_kind == "N":
        words[-1] = plural(words[-1])
    phrase = re.sub(r"\b(\w+) \1\b", r"\1", " ".join(words))  # 复古的老爷车: not "vintage vintage car"
    if det == "a glass of" and re.match(r"(coffee|tea|latte|milk tea|hot chocolate|cappuccino)\b", phrase):
        det = "a cup of"
    if det == "a bunch of" and re.fullmatch(r"(light|sunlight|moonlight|lights)", phrase):
        det, phrase = "a beam of", phrase.rstrip("s")  # 一束光 -> a beam of light
    if det in _COUNTS and role == "old":
        return f"the {det} {phrase}"  # 把两只鸟换成蝴蝶 -> replace the two birds
    if det == "a" and head_kind == "S" and phrase.split()[-1] in _COUNTABLE_SCENES and not phrase.startswith(("a ", "an ")):
        return f"{_article(phrase)} {phrase}"  # 一个下雪的夜晚 -> a snowy night
    if det == "all":
        return "all the " + phrase
    if role == "old" and head_kind == "S" and not det and not phrase.startswith(("a ", "an ")):
        return "the " + phrase  # 让夕阳更红 -> make the sunset redder
    proper = (phrase[:1].isupper() and next((k for k, _ in toks if k not in "D的"), "") not in "AST"  # a Korean-style filter
              and all(w[:1].isupper() or w in ("of", "the", "de", "and", "in") for w in words[-1].split())  # a Christmas tree
              and not words[-1].isupper())  # the TV
    if role == "old" and head_kind == "T" and len(toks) == 1 and phrase.startswith(("a ", "an ")):
        return "the " + phrase.split(" ", 1)[1]  # 修复老照片 -> restore the old photograph
    if proper and role == "old" and phrase.split()[-1] in _LANDMARKS and not det:
        return "the " + phrase  # 埃菲尔铁塔前面 -> in front of the Eiffel Tower
    if det == "-" or head_kind in ("T", "S", "R") or proper:
        return phrase
    if phrase.startswith(("both ", "all ", "the ", "some ", "many ", "a ", "an ")):
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


def _at(when):
    """'night' -> 'at night', 'winter' -> 'in winter', 'a rainy day' -> 'on a rainy day'; None for others
    (早晨的阳光 stays 'morning sunlight', 中秋节的月亮 'the Mid-Autumn Festival moon')."""
    if re.fullmatch(r"an? [a-z]+ day", when):
        return "on " + when
    if when in ("night", "dusk", "dawn", "midnight"):
        return "at " + when
    return "in " + when if when in ("spring", "summer", "autumn", "winter") else None


_IN_SCENE = {"背景": "in the background", "前景": "in the foreground", "天空": "in the sky", "远处": "in the distance"}
_ASPECT_WORDS = {"颜色", "色彩", "色调", "亮度", "光线", "饱和度", "对比度", "风格", "氛围", "部分", "样子"}
_LANDMARKS = {"Tower", "Bridge", "Wall", "China", "City", "Palace", "Gate", "Temple", "House", "Colosseum", "Louvre",
              "Bund", "Sphinx", "Way", "Pisa", "Army", "Liberty", "Triomphe", "Square", "Lake", "River", "Mahal"}
_COUNTS = ("two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
_COUNTABLE_SCENES = ("night", "day", "morning", "evening", "afternoon", "scene", "sunset", "sunrise", "dusk")


def _styles(toks):
    """Styles inside a noun phrase: 宫崎骏动画 -> 'a cartoon in the style of Studio Ghibli'; 日系滤镜 ->
    'Japanese-style filter'; 这张老照片 -> 'this old photograph' (a style's article goes before a noun)."""
    out, kept = [], []
    for kind, en in toks:  # 皮克斯动画: a Pixar 3D animation, not "... a cartoon"
        last = next((t for t in reversed(kept) if t[0] != "的"), ("", ""))
        if not (kind == "T" and last[0] == "T" and last[1].startswith(("a ", "an ")) and en.startswith(("a ", "an "))):
            kept.append((kind, en))
    toks = kept
    for n, (kind, en) in enumerate(toks):
        if kind == "T" and len(out) > 1 and out[-1][0] == "的" and out[-2][1].startswith("in the style of "):
            out.pop()  # 梵高的油画风格 -> an oil painting in the style of Van Gogh
        if kind == "T" and out and out[-1][0] == "T" and out[-1][1].startswith("in the style of "):
            if en.startswith(("a ", "an ")):
                out[-1] = ("T", f"{en} {out[-1][1]}")
            continue  # 宫崎骏动画风格: the artist says it
        before = next((k for k, _ in toks[n + 1:] if k != "的"), "")  # what the style describes
        if kind == "T" and out and out[-1][0] == "T" and out[-1][1].startswith(("a ", "an ")) and en.startswith(("a ", "an ")):
            continue  # 皮克斯动画: a Pixar 3D animation, not "... a cartoon"
        if kind in "TS" and out and out[-1][0] == "的" and len(out) > 1 and out[-2][1].endswith("-style"):
            out.pop()  # 中国风的插画: the style describes the next style
        if kind == "T" and en.startswith(("a ", "an ")) and out and out[-1][0] in "CA" and not out[-1][1].endswith("-style"):
            out[-1] = ("T", f"{_article(out[-1][1])} {out[-1][1]} {en.split(' ', 1)[1]}")  # 红色剪纸 -> a red paper cut
            continue
        if kind in "TS" and out and out[-1][0] == "A" and out[-1][1].endswith("-style"):
            if en.startswith(("a ", "an ")):  # 中国风的插画 -> a Chinese-style illustration
                out[-1] = ("T", f"{_article(out[-1][1])} {out[-1][1]} {en.split(' ', 1)[1]}")
            else:  # 日系小清新 -> Japanese style, fresh and airy
                out[-1] = ("T", f"{out[-1][1][:-6]} style, {en}")
            continue
        if kind == "T" and not en.startswith("in the style of ") and (before and before in "NPMTS" or out and out[-1][0] == "D"):
            en = re.sub(r"^(a|an) ", "", en)
            en = re.sub(r" style$", "-style", en) if before and before in "NPMTS" else en
            kind = "A"
        out.append((kind, en))
    return out


_PARTICIPLES = {"穿": "wearing", "戴": "wearing", "拿": "holding", "抱": "holding", "捧": "holding", "举": "holding up",
                "骑": "riding", "背": "carrying", "牵": "walking", "叼": "holding in its mouth"}


_STRESSED_LAST = {"transfer", "refer", "prefer", "occur", "admit", "omit", "begin", "regret", "forget", "permit",
                  "control", "submit", "commit", "upset", "patrol", "compel", "equip", "deter"}


def participle(verb):
    """'fly' -> 'flying', 'sit down' -> 'sitting down', 'make' -> 'making'."""
    head, _, rest = verb.partition(" ")
    if head.endswith("ie"):
        head = head[:-2] + "y"
    elif head.endswith("e") and not head.endswith(("ee", "ye")):
        head = head[:-1]
    elif re.fullmatch(r"[^aeiou]*[aeiou][bdgmnprt]", head) or head in _STRESSED_LAST:
        head += head[-1]  # sit -> sitting, transfer -> transferring
    return (head + "ing " + rest).strip()


def _holding(text):
    """(who, participle, what) for 'noun + 骑/抱/牵… + noun' (着 already dropped), or None."""
    words, at = segment(text), 0
    for n, word in enumerate(words):
        if n and word in _PARTICIPLES:
            who, what = text[:at], text[at + len(word):]
            if kinds(who) & set("NPM") and kinds(what) & set("NPM") and not kinds(what) & set("V"):
                return who, _PARTICIPLES[word], what
        at += len(word)
    return None


# position words: (alone, before an object): 左边的人 -> the person on the left; 桌子左边的杯子 -> ... to the left of the table
POSITIONS = {
    "左边": ("on the left", "to the left of"), "左侧": ("on the left", "to the left of"),
    "左面": ("on the left", "to the left of"), "右边": ("on the right", "to the right of"),
    "右侧": ("on the right", "to the right of"), "右面": ("on the right", "to the right of"),
    "中间": ("in the middle", "in the middle of"), "中央": ("in the center", "in the center of"),
    "正中间": ("in the center", "in the center of"), "上方": ("at the top", "above"),
    "下方": ("at the bottom", "below"), "顶部": ("at the top", "on top of"), "底部": ("at the bottom", "at the bottom of"),
    "前面": ("in front", "in front of"), "前方": ("in front", "in front of"), "后面": ("in the back", "behind"),
    "后方": ("in the back", "behind"), "背后": ("in the background", "behind"), "身后": ("behind", "behind"),
    "旁边": ("nearby", "next to"), "远处": ("in the distance", "in the distance behind"),
    "左上角": ("in the top left corner", "in the top left corner of"),
    "右上角": ("in the top right corner", "in the top right corner of"),
    "左下角": ("in the bottom left corner", "in the bottom left corner of"),
    "右下角": ("in the bottom right corner", "in the bottom right corner of"),
    "角落": ("in the corner", "in the corner of"),
}
POSITION_RE = "|".join(sorted(POSITIONS, key=len, reverse=True))
SPOTS = {**{word: alone for word, (alone, _of) in POSITIONS.items()}, **SPOTS}  # new dicts: vocab's stay as they are
PLACES = {**{word: of for word, (_alone, of) in POSITIONS.items()}, "上方": "above", "下方": "below", **PLACES}
SPOTS.update({"路边": "by the road", "街边": "by the street", "马路边": "by the road", "门口": "at the door", "床头": "above the bed", "地上": "on the ground", "地面上": "on the ground", "天上": "in the sky", "天空中": "in the sky",
              "水里": "in the water", "水中": "in the water", "水面上": "on the water",
              "海边": "by the sea", "湖边": "by the lake", "河边": "by the river", "窗边": "by the window"})
SPOT_RE = "|".join(sorted(SPOTS, key=len, reverse=True))
PLACE_RE = "|".join(sorted(PLACES, key=len, reverse=True))


IMAGE_WORDS = ("", "在", "最", "图片", "照片", "画面", "图像", "图", "图中", "画面中", "照片中", "画面的", "图片的", "照片的")


def kinds(text):
    return {k for k, _ in tokens(text)} - {"的", "D", "&"}


def adjective(text):
    """An adjective phrase; 更/一点 make it comparative ('brighter')."""
    more = bool(re.search(r"更|一点|一些|点$|些$", text))
    core = re.sub(r"更加|更|一点点|一点|一些|点$|些$|的$", "", text)
    very = core.startswith(("非常", "很", "超级"))
    core = re.sub(r"^(非常|很|超级)", "", core)
    phrase = noun_phrase(core, role="adj")
    words = [en for kind, en in tokens(core) if kind != "的"]
    if len(words) > 1 and all(kind in "AC" for kind, _ in tokens(core) if kind != "的"):  # 温暖明亮, 又大又圆
        words = list(dict.fromkeys(_comparative(w) if more and " " not in w else w for w in words))
        return ("very " if very else "") + " and ".join(words)
    if more and " " not in phrase and phrase.isascii():
        phrase = _comparative(phrase)
    return ("very " if very else "") + phrase


def split_at_verb(text):
    """(before, verb, after) at the first verb after the first word of `text`, or None."""
    words, at = [str(word) for word in word_starts(text).values()], 0
    for n, word in enumerate(words):
        if n and is_verb_word(word):
            return text[:at], word, text[at + len(word):]
        at += len(word)
    return None


def is_verb_word(word):
    if word in FUNCTION_CHARS or word in ("得到", "出来", "起来", "下来"):
        return False
    if word in WORDS:
        return WORDS[word][0] == "V"
    if len(word) > 1 and word[-1] in "在到着上进出成" and is_verb_word(word[:-1]):
        return True  # 坐在, 放到, 叼着
    return len(word) <= 3 and is_verb(word) and word not in ("的", "是")


def verb_phrase(verb, after):
    """A verb and what follows it: 坐在 + 草地上 -> 'sit on the meadow'; 拉开 -> 'pull open'."""
    core = verb[:-1] if len(verb) > 1 and verb[-1] in "在到着" and not lookup(verb) else verb
    english = WORDS[core][1] if core in WORDS else (lookup(core) or noun_phrase(core, "adj"))
    there = re.fullmatch(rf"(.+?)在(.+)({PLACE_RE})(.*)", after)
    if there and kinds(there.group(1)) & set("NPM"):  # 抱着兔子在地里玩 -> hold a rabbit and play in the field
        place = located_at(there.group(3), noun_phrase(there.group(2), 'old'))
        then = verb_phrase(there.group(4), "") if there.group(4) else ""
        return f"{english} {noun_phrase(there.group(1), 'new')}{' and ' + then if then else ''} {place}"
    then = re.fullmatch(rf"在?(.+?)({PLACE_RE})(.+)", after) if core != verb or after.startswith("在") else None
    if then and is_verb_word(segment(then.group(3))[0]):  # 趴在窗台上晒太阳 -> lie on the windowsill and sunbathe
        place = located_at(then.group(2), noun_phrase(then.group(1), 'old'))
        return f"{english} {place} and {verb_phrase(segment(then.group(3))[0], then.group(3)[len(segment(then.group(3))[0]):])}"
    if core != verb or after.startswith("在"):
        return f"{english} {place_phrase('在' + after.lstrip('在'))}".strip()
    if after in WORDS and WORDS[after][0] == "V":  # 闭上眼睛微笑 -> close her eyes and smile
        return f"{english} and {WORDS[after][1]}"
    return f"{english} {noun_phrase(after, 'new')}".strip()


def place_phrase(text):
    """在 X 上/里/中/旁边: an English place phrase ('on the table'), or '' when `text` is not one."""
    m = re.fullmatch(rf"在?({SPOT_RE})", text)
    if m:
        return SPOTS[m.group(1)]
    body = re.fullmatch(rf"在?(.+?)的?({'|'.join(_BODY_PARTS)}|身)(上|里|中)", text)
    if body and body.group(1) in PRONOUNS:  # 在他头上 -> on his head; 在她身上 -> on her
        owner, whose = PRONOUNS[body.group(1)]
        if body.group(2) == "身":
            return f"on {owner}"
        return f"{'in' if body.group(3) != '上' or body.group(2) == '手' else 'on'} {whose} {_BODY_PARTS[body.group(2)]}"
    m = re.fullmatch(rf"在?(.+)({PLACE_RE})", text)  # the longest place first: 房顶 + 上, not 房 + 顶上
    if m:
        return located_at(m.group(2), noun_phrase(m.group(1), 'old'))
    if text.startswith("在") and len(text) > 1:
        thing = noun_phrase(text[1:], "old")
        return f"{'on' if thing.split()[-1:] and thing.split()[-1] in _SURFACES else 'in'} {thing}"  # 在山顶 -> on the mountaintop
    return ""


def located_at(where, thing):
    """PLACES[where] before `thing`, the preposition English uses: 盘子里 -> 'on the plate', 天上 -> 'in the sky'."""
    prep = PLACES[where]
    head = thing.split()[-1] if thing.split() else ""
    if prep == "in" and head in _FLAT:
        prep = "on"
    elif prep == "on" and head in _OPEN:
        prep = "in"
    return f"{prep} {thing}"


_FLAT = {"plate", "plates", "tray", "table", "desk", "shelf", "windowsill", "counter", "dish", "palm", "shoulder", "lawn",
         "grass", "meadow", "cake", "pizza", "tablecloth", "page", "screen"}  # 里/中 of a surface is "on"
_OPEN = {"sky", "air", "heavens"}  # 上 of the sky is "in"
_BODY_PARTS = {"脖子": "neck", "肩膀": "shoulder", "耳朵": "ears", "鼻子": "nose", "头": "head", "脸": "face", "手": "hand",
               "背": "back"}
_SURFACES = {"mountaintop", "roof", "table", "desk", "windowsill", "ground", "floor", "wall", "beach", "lawn", "meadow",
             "grass", "road", "street", "sidewalk", "bed", "sofa", "hillside", "bridge", "stage", "balcony", "shelf",
             "door", "cake", "plate", "head", "face", "shoulder", "snowfield", "ice", "lake", "sea", "river"}
