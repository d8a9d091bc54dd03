"""Sentence handlers of the built-in translator: one function per kind of clause.

`builtin.py` matches a clause against its sentence patterns and calls the handler of the first
one that fits with the pattern's groups (Chinese text); a handler returns the English, None when
the clause is not of its kind after all (the next pattern is tried), or DROP for a clause left out
on purpose (其他不变: unchanged is the default). Changes (把 X 变成 Y, 从 A 变成 B, changes of state),
adjectives as commands (亮一点), keep-clauses, weather, places and verbs of holding live here.
"""

import re

from .lexicon import lookup, segment
from .phrases import (PLACE_RE, PLACES, SPOT_RE, adjective, is_verb_word, kinds, located_at, noun_phrase, participle, place_phrase,
                      split_at_verb, verb_phrase)
from .tokens import plural
from .vocab import PRONOUNS, WORDS

DROP = object()  # a handler's answer for a clause that is left out on purpose
PHOTO = {"the photo", "the picture", "the image", "the whole image", "the painting", "it",
          "this photo", "this picture", "this image", "this painting"}
PAINT = "涂成|染成|刷成|漆成|画成"


# ---- sentence handlers -------------------------------------------------------------------


def all_of(text, allowed):
    """True when `text` has words and all of them are of the `allowed` kinds ("AC": adjectives, colours)."""
    found = kinds(text)
    return bool(found) and found <= set(allowed)


def object_of(subject, x):
    return noun_phrase(x, "old") if x else (subject or "it")


def to_change(subject, x, verb, y):
    """把 X 变成/换成 Y: colours and adjectives -> make X Y; scenes -> make it Y; nouns -> turn/replace."""
    target = "it" if x and (kinds(x) <= {"S"} or x in _WHOLE) else object_of(subject, x)
    plural_target = re.match(r"(the (two|three|four|five|six|seven|eight|nine|ten)|all the) ", target)
    material = re.fullmatch(r"(.+?)(做的|制成的|制作的|材质的?|质感的?|材料)", y)
    if not material and y.endswith("的") and kinds(y[:-1]) == {"M"}:  # 把桌子换成木头的 -> out of wood
        material = re.fullmatch(r"(.+)(的)", y)
    if material:
        return f"make {target} out of {noun_phrase(material.group(1), 'adj')}"
    style = re.fullmatch(r"(.+?)的?(风格|(?<!漫)画风|风)", y)
    if style and (style.group(1)[-1:] + style.group(2) in WORDS or y in WORDS):  # 港风, ins风: a style of its own
        style = None
    found = kinds(style.group(1) if style else y)
    if style and "T" not in found:
        return f"make {target} {noun_phrase(style.group(1), 'adj')} style"
    if "T" in found or found <= set("AC?"):
        looks = noun_phrase(style.group(1) if style else y, "new" if found & set("NP") else "adj")  # an anime-style portrait
        if target.endswith("tone") and looks.endswith("-toned"):  # 色调调成冷色 -> make the tone cool
            looks = looks[:-len("-toned")]
        return f"make {target} {looks}"
    if found <= set("SAC"):
        return f"make it {noun_phrase(y)}" if target in PHOTO else f"turn {target} into {noun_phrase(y)}"
    thing = noun_phrase(y)
    if plural_target and "N" in kinds(y) and re.match(r"an? ", thing):  # 把两只鸟换成蝴蝶 -> with butterflies
        thing = plural(re.sub(r"^an? ", "", thing))
    if verb.startswith(("换", "替换", "改")) and target not in PHOTO:
        return f"replace {target} with {thing}"
    return f"turn {target} into {noun_phrase(y)}"


_WHOLE = ("季节", "时间", "天气", "天色", "时节", "场景", "季", "整体", "环境")  # 把季节改成秋天 -> make it autumn


def to_paint(subject, x, verb, y):
    word = {"染成": "dye", "涂成": "paint", "刷成": "paint", "漆成": "paint"}.get(verb, "make")
    return f"{word} {object_of(subject, x)} {noun_phrase(y, 'adj')}"


def to_become(subject, x, verb, y):
    if y in WORDS and WORDS[y][0] == "V":
        return to_verb(subject, x, WORDS[y][1])
    more = verb in ("变更", "变得更", "变得更加", "更", "更加") or verb == "变" and not (y in WORDS and WORDS[y][0] == "C")
    adj = adjective(("更" if more else "") + y)  # 树叶变红 -> make the leaves red; 变大 -> bigger
    return f"make {object_of(subject, x)} {adj}"


def to_verb(subject, x, en):
    return f"make {object_of(subject, x)} {en}"


def to_wear(subject, x, verb, y):
    on = re.fullmatch(rf"(.+?)({PLACE_RE})", x or "")
    if on and not verb.startswith(("戴", "穿", "披", "系", "围", "套", "佩", "换", "化")):
        return to_place(subject, on.group(1), on.group(2), verb, y)  # 给桌子上加一束花
    target = object_of(subject, x)
    if verb.startswith(("戴", "穿", "披", "系", "围", "套", "佩", "换", "化", "涂", "抹")):
        return f"put {noun_phrase(y)} on {target}"
    return f"add {noun_phrase(y)} to {target}"


def to_place(subject, x, where, said, y):
    """在 X 上 加/放/挂 Y: add (put, hang) Y on X; 在桌上摆一桌子菜 -> cover the table with food."""
    place = noun_phrase(x, "old")
    if x in PRONOUNS and where in ("头上", "身上"):  # 在他头上加一个光环 -> add a halo on his head
        return f"add {noun_phrase(y)} {place_phrase(x + where)}"
    if y.startswith(("一桌子", "一桌", "满")):
        return f"cover {place} with {noun_phrase(re.sub('^(一桌子|一桌|满)', '', y), 'adj')}"
    verb = "hang" if said.startswith("挂") else "put" if said.startswith(("放", "摆")) else "add"
    return f"{verb} {noun_phrase(y)} {located_at(where, place)}"


def to_look(subject, x, verb, y):
    target = object_of(subject, x)
    found = kinds(y)
    if "像" in verb or not found <= set("AC"):
        return f"make {target} look like {noun_phrase(y)}"
    return f"make {target} look {adjective(y)}"


def to_style(subject, x, _word=None):
    tail = noun_phrase(x, "adj")
    return f"make {subject or 'it'} {tail}" if "T" in kinds(x) else f"make {subject or 'it'} {tail} style"


def to_add(subject, _said, y):
    """加/出现 Y: a scene means 'make it Y'; with a subject (让天空出现极光) 'add Y to the sky';
    加一只小猫趴在沙发上 -> 'add a kitten lying on the sofa'."""
    doing = split_at_verb(y) if not subject and "的" not in y and "在" not in y[:2] else None
    if doing and doing[0] and kinds(doing[0]) & set("NPM") and not kinds(doing[0]) & set("V"):
        return f"add {noun_phrase(doing[0])} {participle(verb_phrase(doing[1], doing[2]))}"
    if y in ("夕阳", "日落", "日出", "落日", "朝阳") and _said.startswith(("加", "添", "增")):
        return f"add a {WORDS[y][1] if y in WORDS else 'sunset'}"  # 加上夕阳: a sun on the horizon, not the hour
    if kinds(y) <= {"S"}:
        return f"make {subject or 'it'} {noun_phrase(y)}"
    return f"add {noun_phrase(y)} to {subject}" if subject else f"add {noun_phrase(y)}"


def to_bare(c, subject):
    """A clause without a known verb: a scene, style or colour means 'make it ...'."""
    words = segment(c)
    if subject and words and is_verb_word(words[0]) and (len(words) > 1 or words[0] not in WORDS):
        return f"make {subject} {verb_phrase(words[0], c[len(words[0]):])}"  # 让他张开嘴巴
    found = kinds(c)
    if "S" in found and found & set("NPM") and found <= set("SNPMAC") and "的" in c:  # 晚上的城市 -> a city at night
        return f"make {subject or 'it'} {noun_phrase(c, 'new')}"
    if "T" in found and found & set("NM") and found <= set("NMTAC"):  # 韩系风格的头像 -> make it a Korean-style portrait
        return f"make {subject or 'it'} {noun_phrase(c, 'new')}"
    if found and found <= set("STC"):
        return f"make {subject or 'it'} {noun_phrase(c, 'adj')}"
    if found and found <= {"V"}:
        return to_verb(subject, None, WORDS[c][1]) if c in WORDS else noun_phrase(c)
    if found and found <= set("AC"):
        return f"make {subject or 'it'} {adjective(c)}"  # 颜色深一点 -> make it darker
    return noun_phrase(c, "adj")


# ---- clauses the older patterns did not know ---------------------------------------------------


ASPECTS = {"颜色": "colors", "色彩": "colors", "样子": "look", "风格": "style", "构图": "composition", "光线": "lighting",
           "气氛": "mood", "氛围": "mood"}


def to_keep(subject, x):
    """保持 X 不变 / 保留 X: 'keep X unchanged' (other things: dropped, they are the default)."""
    return f"keep {noun_phrase(x, 'old')} unchanged" if x else DROP


def to_keep_only(subject, x):
    return f"keep {noun_phrase(x, 'old')}"


def to_from_to(subject, x, a, verb, b):
    """把 X 从 A 变成 B: colours and styles change X itself; anything else replaces A on X."""
    state = _state(b)
    if state:  # 让他从坐着变成站着 -> make him stand; 把灯从关着变成开着 -> turn the lamp on
        target = object_of(subject, x)
        if state == "turn on" and re.search(_VEHICLES, target):  # 把车从停着变成开着: a car that 开 drives
            return f"make {target} drive"
        if state.startswith("turn ") and not re.search(_DEVICES, target):  # a door or a window opens
            return f"{'open' if state.endswith('on') else 'close'} {target}"
        return f"turn {target} {state[5:]}" if state.startswith("turn ") else f"make {target} {state}"
    if re.fullmatch(PAINT, verb):
        return to_paint(subject, x or a, verb, b)
    if not x and subject:
        return to_change(subject, None, verb, b)
    if x in ("季节", "时间", "天气", "时节", "颜色", "风格", "场景", "整体"):
        return to_change(subject, None, verb, b)  # 把季节从夏天变成秋天 -> make it autumn
    if x in PRONOUNS:
        return to_change(subject, x + "的" + a, verb, b)
    return to_change(subject, x or a, verb, b)


_SWITCH = {"开": "turn on", "打开": "turn on", "亮": "turn on", "关": "turn off", "关闭": "turn off", "关掉": "turn off",
           "灭": "turn off"}


_VEHICLES = r"\b(car|cars|bus|truck|train|taxi|tractor|tank|van|jeep|motorcycle)$"
_DEVICES = r"\b(lamp|light|lights|TV|television|computer|screen|phone|lantern|chandelier|headlights?|fan|radio)$"


def _state(b):
    """English for a state reached by a change (站 -> 'stand', 睁开眼睛 -> 'open its eyes'), or None for a thing."""
    if b in _SWITCH:
        return _SWITCH[b]
    if b in WORDS:
        return WORDS[b][1] if WORDS[b][0] == "V" else None
    words = segment(b)
    if words and is_verb_word(words[0]) and not kinds(b) & set("SCT"):
        return verb_phrase(words[0], b[len(words[0]):])
    return None


def to_weather(subject, where, size, what):
    """下雨 / 下起大雪 / 窗外下着小雨: make it rain or snow (heavily, lightly) there."""
    verb = {"雨": "rain", "雪": "snow", "冰雹": "hail"}[what]
    how = {"大": " heavily", "暴": " heavily", "鹅毛大": " heavily", "倾盆大": " heavily", "小": " lightly",
           "毛毛": " lightly"}.get(size, "")
    where = re.sub(r"^(让|使得|使|令)", "", where)
    if where in PRONOUNS or where in ("整个画面", "画面", "照片", "图片"):
        where = ""
    spot = {"": "", "外面": " outside", "天上": "", "天空": "", "窗外": " outside the window", "外边": " outside"}.get(where)
    if spot is None:
        spot = " " + noun_phrase(where, "old")
    return f"make it {verb}{how}{spot}"


def to_by(subject, x, y, verb):
    """X 被 Y 覆盖/淹没/包围: X covered with / flooded by / surrounded by Y."""
    return f"make {subject or object_of(None, x)} {_PASSIVE[verb]} {noun_phrase(y)}"


_PASSIVE = {"覆盖": "covered with", "盖住": "covered with", "淹没": "flooded with", "淹": "flooded with",
            "包围": "surrounded by", "围绕": "surrounded by", "填满": "filled with", "充满": "filled with",
            "照亮": "lit by", "点亮": "lit by", "遮住": "covered by", "挡住": "blocked by"}
PASSIVE_RE = "|".join(sorted(_PASSIVE, key=len, reverse=True))


_MAKE_MORE = r"(变|调|弄|修|剪|放|缩|偏|向|拉|提|整|搞|P|p|降|减|加|增|太)$"
_IMAGE = ("", "画面", "整体", "照片", "图片", "图像", "整个画面", "整张图", "整张照片", "全图", "图", "整个", "色调")


def to_more(subject, body):
    """X + adjective + 一点 (亮一点, 皮肤白一点, 颜色淡一点): 'make X brighter'; the photo is 'it'."""
    for n in (2, 1):
        adj, x = body[-n:], re.sub(r"(再|更加|更|稍微|得)+$", "", body[:-n])
        if re.match(r"(让|使|令|给|在|用)", x):
            continue  # 让花更红一些: a pattern of its own
        if x not in _IMAGE and x not in ASPECTS:
            x = re.sub(r"(再|更加|更|稍微|得)+$", "", re.sub(_MAKE_MORE, "", x))  # 色调调冷一点, 头发剪短一点
        x = re.sub(r"^(.+)的(色调|颜色|色彩)$", r"\1", x) if re.sub(r"^(.+)的(色调|颜色|色彩)$", r"\1", x) in _IMAGE else x
        if len(body) >= n and adj in WORDS and WORDS[adj][0] in "AC":
            target = subject or ("it" if x in _IMAGE else f"the {ASPECTS[x]}" if x in ASPECTS else noun_phrase(x, "old"))
            return f"make {target} {adjective('更' + adj)}"
    return None


def to_ba(subject, rest):
    """把 X + a verb the patterns do not know (拉开, 点亮, 打开, 瘦一点): 'VERB the X ...'."""
    split = split_at_verb(rest)
    if split and split[0]:
        x, verb, after = split
        result = re.sub(r"^得", "", after)
        if result and all_of(result, "AC"):  # 修得更清晰, 调亮: make X clearer
            return f"make {object_of(subject, x)} {adjective(result if result.startswith('更') else '更' + result)}"
        core = verb[:-1] if len(verb) > 1 and verb[-1] in "在到着" and not lookup(verb) else verb
        english = WORDS[core][1] if core in WORDS else (lookup(core) or noun_phrase(core, "adj"))
        if core in ("打开", "开", "开启", "关掉", "关上", "关") and re.search(_DEVICES, noun_phrase(x, "old")):
            english = "turn on" if "开" in core else "turn off"  # 把路灯打开 -> turn on the street lamp
        tail = (place_phrase("在" + after.lstrip("在到")) or noun_phrase(after, "adj")) if after else ""
        if verb.endswith("到") or after.startswith("到"):  # 移到左边 -> move ... to the left
            tail = re.sub(r"^(on|in|at) ", "to ", tail)
        return " ".join(part for part in (english, noun_phrase(x, "old"), tail) if part)
    adj = re.fullmatch(r"(.+?)((?:更加|更)?[\u4e00-\u9fff]{1,2}?(?:一点|一些|点|些)?)", rest)
    if adj and all_of(adj.group(2), "AC"):
        return f"make {object_of(subject, adj.group(1))} {adjective(adj.group(2))}"
    return None


def to_let(subject, rest):
    """让/使 + subject + verb phrase that the narrower 让 patterns did not catch (让狗坐在草地上)."""
    mouth = " in its mouth" if re.search(r"(?<=.)嘴里(?=.)", rest) else ""  # 让狗嘴里叼着骨头: carry a bone in its mouth
    rest = re.sub(r"(?<=.)(手里|手上|嘴里|怀里)(?=.)", "", rest)  # 让老人手里拿着拐杖: the hand goes without saying
    split = split_at_verb(rest)
    if not split or not split[0]:
        words = segment(rest)
        for n in range(1, len(words)):  # 让灯亮 -> make the lamp bright
            tail = "".join(words[n:])
            if all_of(tail, "AC"):
                return f"make {noun_phrase(''.join(words[:n]), 'old')} {adjective(tail)}"
        return None
    who, where = split[0], ""
    if "在" in who[1:]:  # 让小猫在毛线球旁边玩耍: the place goes after the verb
        who, where = who.split("在", 1)
        where = place_phrase("在" + where)
    return " ".join(p for p in (f"make {noun_phrase(who, 'old')}", verb_phrase(split[1], split[2]), where) if p) + mouth


def to_subject_verb(subject, x, verb, y):
    """X 戴上 Y (the subject first): put Y on X; X 加 Y: add Y to X, or at a place."""
    if verb + y[:1] in WORDS or verb + y[:2] in WORDS:  # 放大, 加强: a verb of its own, not 放/加
        return None
    if verb.startswith(("戴", "穿", "披", "系", "围", "套", "佩", "换上", "化")):
        return f"put {noun_phrase(y)} on {noun_phrase(x, 'old')}"
    where = place_phrase(x) if re.search(rf"({PLACE_RE}|{SPOT_RE})$", x) else ""
    return f"add {noun_phrase(y)} {where}" if where else f"add {noun_phrase(y)} to {noun_phrase(x, 'old')}"


def to_any_verb(rest, where):
    """在 X 上 + any verb + a thing (别一个发卡), 给 X + any verb + a thing (扎两个辫子): add the thing there."""
    if where is None:
        split = split_at_verb(rest)
        if not split:
            return None
        x, _said, y = split
        hand = re.fullmatch(r"(.+?)的?(手|嘴)(?:里|上)", x)  # 给小熊手里拿一束花 -> in the small bear's hand
        where = f"in {noun_phrase(hand.group(1) + hand.group(2), 'old')}" if hand else f"to {noun_phrase(x, 'old')}"
    else:
        words = segment(rest)
        if not words or not is_verb_word(words[0]):
            return None
        y = rest[len(words[0]):]
    return f"add {noun_phrase(y)} {where}" if y and kinds(y) & set("NPM") and kinds(y) <= set("NPMACD?") else None


def to_add_at(subject, verb, y, where):
    """加 Y 在 X 上 (the place after the thing): add Y on X; 加一个人站在她旁边 -> add a person standing next to her."""
    doing = split_at_verb(y)
    if doing and doing[0] and kinds(doing[0]) & set("NPM") and not kinds(doing[0]) & set("V") and not doing[2]:
        return f"add {noun_phrase(doing[0])} {participle(verb_phrase(doing[1] + '在', where))}"
    then = re.fullmatch(rf"(.+?(?:{PLACE_RE}|{SPOT_RE}))(.+)", where)
    if then and is_verb_word(segment(then.group(2))[0]):  # 加一只狗在草地上跑 -> add a dog running on the meadow
        return f"add {noun_phrase(y)} {participle(verb_phrase(then.group(2), ''))} {place_phrase('在' + then.group(1))}"
    return f"add {noun_phrase(y)} {place_phrase('在' + where) or 'in ' + noun_phrase(where, 'old')}"


def to_does(subject, c):
    """Noun + a curated verb, with no 让 (图中的猫咪闭上眼睛): 'make the cat close its eyes'."""
    split = split_at_verb(c)
    if not subject and split and split[1] in WORDS and WORDS[split[1]][0] == "V" and kinds(split[0]) & set("NPM"):
        return f"make {noun_phrase(split[0], 'old')} {verb_phrase(split[1], split[2])}"
    return None
