"""The rule writer's edits: every edit a small table knows for one caption, with its instruction.

Two kinds of caption:
- the toy scenes' captions (`ip2p_nb/train/scenes.py`, e.g. "a yellow house with a red roof, a tree,
  a dog on a sunny day in summer"): `parse_scene_caption` reads one back into a `Scene`, and
  `scene_edits` changes one field of it, so every edited caption is `caption()` of a real scene,
  in exactly the grammar a model trained on those scenes has seen;
- everyday English captions: `general_edits` changes the time of day, the weather, the season,
  the style, a colour, an object, a person's or an animal's look, or adds or removes a thing,
  each from a small table below.
Both return {kind: [Edit, ...]}; `writer.RuleWriter` picks from them with a seeded generator.
"""
import re
from dataclasses import dataclass, replace

from ..train.scenes import COLOURS, SEASONS_ZH, THINGS, TIMES_ZH, Scene, caption

__all__ = ["Edit", "SCENE_KINDS", "GENERAL_KINDS", "parse_scene_caption", "scene_edits", "general_edits"]

SCENE_KINDS = ("house_colour", "roof_colour", "time", "snow", "season", "add", "remove", "swap")
GENERAL_KINDS = ("time", "weather", "season", "style", "colour", "swap", "wear", "mood", "age", "material", "remove",
                 "add")


@dataclass(frozen=True)
class Edit:
    """One edit of one caption."""
    kind: str                          # which rule made it: one of SCENE_KINDS or GENERAL_KINDS
    instruction: str                   # English, in the paper's short imperative style
    edited_caption: str                # the caption after the edit
    instruction_zh: str | None = None  # the instruction in Chinese, where the rule has one


# ---- tables (data: the ~400-line budget is for the code below them) -----------------------------

# Time of day: key -> (phrase in the caption, instruction, Chinese instruction).
TIMES = {
    "night": ("at night", "make it night", "变成夜晚"),
    "sunset": ("at sunset", "make it sunset", "变成日落时分"),
    "morning": ("in the early morning", "make it early morning", "变成清晨"),
    "day": ("during the day", "make it daytime", "变成白天"),
}
# Phrases that already say the time of day (replaced, not doubled).
TIME_PHRASES = re.compile(r"\b(at night|at sunset|at dusk|at dawn|at sunrise|at noon|in the (?:early )?morning|"
                          r"in the evening|during the day|on a sunny day)\b", re.I)
# Weather: key -> (phrase appended, instruction, Chinese instruction, words that mean it is already there).
WEATHER = {
    "snow": ("in the snow", "make it snowy", "让它下雪", r"snow"),
    "rain": ("in the rain", "make it rain", "让它下雨", r"rain"),
    "fog": ("in thick fog", "make it foggy", "让它起雾", r"fog|mist"),
    "storm": ("during a thunderstorm", "make it stormy", "变成暴风雨天气", r"storm|thunder"),
}
SEASONS = {"spring": "变成春天", "summer": "变成夏天", "autumn": "变成秋天", "winter": "变成冬天"}
# Styles and media: (prefix of the edited caption, instruction, Chinese instruction).
STYLES = [
    ("a watercolor painting of", "make it a watercolor painting", "把它变成水彩画"),
    ("an oil painting of", "make it an oil painting", "把它变成油画"),
    ("a pencil sketch of", "turn it into a pencil sketch", "把它变成铅笔素描"),
    ("a Van Gogh painting of", "make it a Van Gogh painting", "把它变成梵高风格的画"),
    ("pixel art of", "make it pixel art", "把它变成像素画"),
    ("a Chinese ink painting of", "make it a Chinese ink painting", "把它变成中国水墨画"),
    ("a cartoon of", "make it a cartoon", "把它变成卡通画"),
    ("a black and white photo of", "make it a black and white photo", "把它变成黑白照片"),
    ("a mosaic of", "make it a mosaic", "把它变成马赛克拼贴画"),
]
ALREADY_ART = re.compile(r"\b(painting|drawing|sketch|illustration|cartoon|pixel art|print|mosaic|photo of|"
                         r"photograph of)\b", re.I)
# Colours a caption may name, with their Chinese.
COLOUR_WORDS = {"red": "红色", "orange": "橙色", "yellow": "黄色", "green": "绿色", "blue": "蓝色", "purple": "紫色",
                "pink": "粉色", "brown": "棕色", "black": "黑色", "white": "白色", "grey": "灰色", "gray": "灰色",
                "golden": "金色", "silver": "银色"}
NEW_COLOURS = ("red", "yellow", "green", "blue", "purple", "pink", "black", "white")  # what a colour becomes
# Things that can be painted another colour when the caption names no colour.
PAINTABLE = ("car", "dress", "door", "umbrella", "bicycle", "sofa", "bus", "boat", "shirt", "hat", "balloon", "house",
             "jacket", "kite", "truck", "chair", "bird", "flower", "flowers", "scarf", "tent")
# Object swaps: noun -> what it becomes (singular and plural rows).
SWAPS = {
    "dog": "cat", "cat": "tiger", "puppy": "kitten", "kitten": "puppy", "horse": "zebra", "cow": "elephant",
    "sheep": "goat", "bird": "parrot", "duck": "swan", "bear": "panda", "car": "horse carriage", "bus": "tram",
    "bicycle": "motorcycle", "motorcycle": "bicycle", "boat": "pirate ship", "train": "steam train",
    "apple": "orange", "banana": "cucumber", "cake": "pizza", "pizza": "cake", "coffee": "tea", "tea": "coffee",
    "hamburger": "sandwich", "burger": "sandwich", "house": "castle", "tree": "palm tree", "flower": "sunflower",
    "rose": "tulip", "chair": "throne", "guitar": "violin", "book": "newspaper", "laptop": "typewriter",
    "man": "robot", "woman": "statue",
    "dogs": "cats", "cats": "tigers", "horses": "zebras", "ducks": "swans", "birds": "parrots", "cars": "buses",
    "apples": "oranges", "flowers": "sunflowers", "roses": "tulips", "trees": "palm trees",
}
# Chinese names of the nouns the tables know (for Chinese instructions).
NOUNS_ZH = {
    "dog": "狗", "cat": "猫", "puppy": "小狗", "kitten": "小猫", "tiger": "老虎", "horse": "马", "zebra": "斑马",
    "cow": "牛", "elephant": "大象", "sheep": "羊", "goat": "山羊", "bird": "鸟", "parrot": "鹦鹉", "duck": "鸭子",
    "swan": "天鹅", "bear": "熊", "panda": "熊猫", "car": "汽车", "horse carriage": "马车", "bus": "公交车",
    "tram": "有轨电车", "bicycle": "自行车", "motorcycle": "摩托车", "boat": "船", "pirate ship": "海盗船",
    "train": "火车", "steam train": "蒸汽火车", "apple": "苹果", "orange": "橙子", "banana": "香蕉",
    "cucumber": "黄瓜", "cake": "蛋糕", "pizza": "披萨", "coffee": "咖啡", "tea": "茶", "hamburger": "汉堡",
    "burger": "汉堡", "sandwich": "三明治", "house": "房子", "castle": "城堡", "tree": "树", "palm tree": "棕榈树",
    "flower": "花", "sunflower": "向日葵", "rose": "玫瑰", "tulip": "郁金香", "chair": "椅子", "throne": "王座",
    "guitar": "吉他", "violin": "小提琴", "book": "书", "newspaper": "报纸", "laptop": "笔记本电脑",
    "typewriter": "打字机", "man": "男人", "robot": "机器人", "woman": "女人", "statue": "雕像", "boy": "男孩",
    "girl": "女孩", "child": "孩子", "baby": "婴儿", "person": "人", "lady": "女士", "teddy bear": "泰迪熊",
    "table": "桌子", "vase": "花瓶", "bench": "长椅", "bowl": "碗", "bridge": "桥", "cup": "杯子", "sofa": "沙发",
    "dress": "裙子", "umbrella": "伞", "door": "门", "shirt": "衬衫", "hat": "帽子", "balloon": "气球",
    "jacket": "夹克", "kite": "风筝", "truck": "卡车", "scarf": "围巾", "tent": "帐篷", "bottle": "瓶子",
    "sunglasses": "墨镜", "bag": "包", "lamp": "灯", "beard": "胡子", "glasses": "眼镜", "backpack": "背包",
    "clouds": "云", "people": "人群", "candles": "蜡烛",
}
PEOPLE = ("man", "woman", "boy", "girl", "child", "baby", "person", "lady")
ANIMALS = ("dog", "cat", "puppy", "kitten", "bear", "horse", "teddy bear")
# Accessories: (words added after the wearer, instruction, Chinese instruction; {n}/{zh} = the wearer).
WEAR = [
    ("wearing a hat", "give the {n} a hat", "给{zh}戴一顶帽子"),
    ("wearing sunglasses", "make the {n} wear sunglasses", "让{zh}戴上墨镜"),
    ("wearing a red scarf", "add a red scarf", "给{zh}围上红围巾"),
    ("wearing a golden crown", "put a crown on the {n}", "给{zh}戴上王冠"),
]
# Emotions: (adjective, instruction, Chinese instruction, for people only).
MOODS = [("smiling", "make the {n} smile", "让{zh}笑起来", False), ("crying", "make the {n} cry", "让{zh}哭起来", True),
         ("angry", "make the {n} angry", "让{zh}看起来很生气", False),
         ("surprised", "make the {n} look surprised", "让{zh}看起来很惊讶", True)]
AGES = [("old", "make the {n} old", "让{zh}变老"), ("young", "make the {n} young", "让{zh}变年轻")]
AGED = ("man", "woman", "lady", "person")  # "an old boy" is not a thing
# Materials (objects): (adjective, instruction, Chinese instruction).
MATERIALS = [("wooden", "make the {n} wooden", "把{zh}变成木头的"), ("glass", "make the {n} out of glass", "把{zh}变成玻璃的"),
             ("golden", "make the {n} gold", "把{zh}变成金子的"), ("marble", "make the {n} marble", "把{zh}变成大理石的")]
MADE_OF = ("table", "chair", "vase", "statue", "bench", "bowl", "cup", "bridge", "door", "bottle", "boat")
MATERIAL_WORDS = {"wooden", "wood", "glass", "golden", "gold", "marble", "stone", "metal", "plastic", "iron", "steel",
                  "bronze", "silver", "ceramic"}
# Things a "with/and/holding ... X" phrase may hold, which "remove the X" takes away.
REMOVABLE = ("hat", "umbrella", "sunglasses", "glasses", "flowers", "balloon", "balloons", "bag", "backpack", "dog",
             "cat", "bird", "birds", "tree", "trees", "car", "boat", "lamp", "book", "cup", "vase", "candles",
             "clouds", "scarf", "beard", "guitar", "people")
# Additions: (phrase, instruction, Chinese instruction, words the caption needs for it to make sense).
OUTDOOR = r"sky|mountain|beach|field|street|park|lake|sea|river|road|garden|city|forest|hill|meadow|valley|coast"
ADDITIONS = [
    ("a rainbow in the sky", "add a rainbow", "加一道彩虹", OUTDOOR),
    ("fireworks in the sky", "add fireworks", "加上烟花", OUTDOOR),
    ("birds flying in the sky", "add birds in the sky", "在天空中加几只鸟", OUTDOOR),
    ("a boat on the water", "add a boat", "加一艘船", r"lake|sea|river|ocean|pond|harbor|harbour"),
    ("a cat", "add a cat", "加一只猫", r"room|sofa|couch|bed|kitchen|table|desk|window|floor"),
    ("a vase of flowers", "add a vase of flowers", "加一瓶花", r"room|table|desk|kitchen|window|shelf"),
]
# Words that end a noun phrase: an adjective goes no further back than these.
PHRASE_BREAKS = ("in", "on", "at", "with", "of", "and", "or", "by", "to", "from", "near", "under", "over", "the", "a",
                 "an", "is", "are", "looks", "sitting", "standing")
ARTICLES = {"a", "an", "the", "two", "three", "four", "some", "many", "several", "one", "this", "that", "my", "his",
            "her", "their", "our"}


# ---- the toy scenes -------------------------------------------------------------------------------

_SCENE = re.compile(r"an? (\w+) house with a (\w+) roof((?:, a \w+)*) (on a sunny day|at sunset|at night) "
                    r"in (\w+)(, with snow)?")
_WHEN = {"on a sunny day": "day", "at sunset": "sunset", "at night": "night"}
_THING_WORDS = {"dog": "dog", "puppy": "dog", "cat": "cat", "kitten": "cat", "ball": "ball", "car": "car", "duck": "duck"}


def parse_scene_caption(text: str, lenient: bool = False) -> Scene | None:
    """The `Scene` whose `caption()` is `text` (any case, a final "." allowed), or None.

    lenient: also read a looser description (a translated Chinese caption such as "a red roof's
    yellow house and a tree and a dog at night"): it needs a colour before "house" and one before "roof".
    """
    low = " ".join(text.lower().split()).rstrip(".")
    scene = _parse_exact(low)
    if scene is None and lenient:
        scene = _parse_loose(low)
    return scene


def _parse_exact(low):
    m = _SCENE.fullmatch(low)
    if not m:
        return None
    house, roof, items, when, season, snow = m.groups()
    items = [item[len(", a "):] for item in re.findall(r", a \w+", items)]
    things = [item for item in items if item in THINGS]
    if house not in COLOURS or roof not in COLOURS or season not in SEASONS_ZH or len(things) > 1:
        return None
    scene = Scene(time=_WHEN[when], season=season, house_colour=house, roof_colour=roof, tree="tree" in items,
                  thing=things[0] if things else None)
    return scene if caption(scene) == low else None  # anything out of the grammar's order is not a scene


def _parse_loose(low):
    low = re.sub(r"\bgray\b", "grey", low)  # American spelling, the translators' habit
    colours = "|".join(COLOURS)
    house = re.search(rf"\b({colours})(?:\s+colou?red)?\s+house", low)
    roof = re.search(rf"\b({colours})(?:\s+colou?red)?\s+roof", low)
    if not house or not roof:
        return None
    time = "night" if re.search(r"\b(night|evening)\b", low) else "sunset" if re.search(r"\b(sunset|dusk)\b", low) else "day"
    season = re.search(r"\b(spring|summer|autumn|winter)\b", low)
    season = season.group(1) if season else ("winter" if "snow" in low else "summer")
    thing = re.search(r"\b(" + "|".join(_THING_WORDS) + r")\b", low)
    return Scene(time=time, season=season, house_colour=house.group(1), roof_colour=roof.group(1),
                 tree=bool(re.search(r"\btrees?\b", low)), thing=_THING_WORDS[thing.group(1)] if thing else None)


def scene_edits(scene: Scene) -> dict[str, list[Edit]]:
    """{kind: edits} of a toy scene; every edited caption is `caption()` of the edited scene."""
    found = {kind: [] for kind in SCENE_KINDS}

    def add(kind, en, zh, **fields):
        found[kind].append(Edit(kind, en, caption(replace(scene, **fields)), zh))

    for colour, (zh, _) in COLOURS.items():
        if colour != scene.house_colour:
            add("house_colour", f"make the house {colour}", f"把房子变成{zh}", house_colour=colour)
        if colour != scene.roof_colour:
            add("roof_colour", f"make the roof {colour}", f"把屋顶变成{zh}", roof_colour=colour)
    for time, zh in TIMES_ZH.items():
        if time != scene.time:
            add("time", f"make it {time}", f"变成{zh}", time=time)
    if scene.season != "winter":
        add("snow", "add snow", "让它下雪", season="winter")
    for season, zh in SEASONS_ZH.items():
        if season != scene.season:
            add("season", f"make it {season}", f"变成{zh}", season=season)
    if not scene.tree:
        add("add", "add a tree", "加一棵树", tree=True)
    else:
        add("remove", "remove the tree", "去掉那棵树", tree=False)
    if scene.thing is None:
        for thing, zh in THINGS.items():
            add("add", f"add a {thing}", f"加{zh}", thing=thing)
    else:
        add("remove", f"remove the {scene.thing}", f"去掉那{THINGS[scene.thing][1:]}", thing=None)
        for thing, zh in THINGS.items():
            if thing != scene.thing:
                add("swap", f"turn the {scene.thing} into a {thing}", f"把{THINGS[scene.thing][2:]}变成{zh[2:]}",
                    thing=thing)
    return {kind: edits for kind, edits in found.items() if edits}


# ---- everyday captions ----------------------------------------------------------------------------

def general_edits(text: str) -> dict[str, list[Edit]]:
    """{kind: edits} of an everyday English caption (kinds without an edit that fits are left out)."""
    text = " ".join(text.split()).rstrip(".")
    found = {kind: [] for kind in GENERAL_KINDS}
    for rule in (_time, _weather, _season, _style, _colour, _swap, _wear, _mood, _age, _material, _remove, _add):
        for edit in rule(text):
            if edit.edited_caption.lower() != text.lower():
                found[edit.kind].append(edit)
    return {kind: edits for kind, edits in found.items() if edits}


def _appended(text, phrase):
    return f"{text} {phrase}"


def _time(text):
    said = TIME_PHRASES.search(text)
    for phrase, en, zh in TIMES.values():
        if said and said.group(0).lower() == phrase:
            continue
        edited = text[:said.start()] + phrase + text[said.end():] if said else _appended(text, phrase)
        yield Edit("time", en, edited, zh)


def _weather(text):
    for phrase, en, zh, words in WEATHER.values():
        if not re.search(rf"\b({words})", text, re.I):
            yield Edit("weather", en, _appended(text, phrase), zh)


def _season(text):
    said = re.search(r"\b(spring|summer|autumn|winter)\b", text, re.I)
    for season, zh in SEASONS.items():
        if said and said.group(1).lower() == season:
            continue
        edited = text[:said.start()] + season + text[said.end():] if said else _appended(text, f"in {season}")
        yield Edit("season", f"make it {season}", edited, zh)


def _style(text):
    if ALREADY_ART.search(text):
        return
    first, _, rest = text.partition(" ")
    body = f"{first.lower()} {rest}" if first.lower() in ARTICLES else text
    for prefix, en, zh in STYLES:
        edited = f"{prefix} {body}"
        yield Edit("style", en, edited[0].upper() + edited[1:] if text[0].isupper() else edited, zh)


def _colour(text):
    said = re.search(r"\b(" + "|".join(COLOUR_WORDS) + r")\s+([a-z]+)\b", text, re.I)
    if said and said.group(2).lower() not in COLOUR_WORDS and said.group(2).lower() not in ("and", "or", "with"):
        old, noun = said.group(1).lower(), said.group(2).lower()
        for colour in NEW_COLOURS:
            if colour != old and COLOUR_WORDS[colour] != COLOUR_WORDS[old]:
                edited = _fix_article(text[:said.start(1)], colour) + _cased(colour, said.group(1)) + text[said.end(1):]
                yield Edit("colour", f"make the {noun} {colour}", edited, _zh("把{zh}变成" + COLOUR_WORDS[colour], noun))
        return
    for noun in PAINTABLE:
        for colour in NEW_COLOURS[:4]:
            edited = _adjective(text, noun, colour, set(COLOUR_WORDS))
            if edited:
                yield Edit("colour", f"make the {noun} {colour}", edited, _zh("把{zh}变成" + COLOUR_WORDS[colour], noun))
        if _find(text, noun):
            return  # one noun is enough


def _swap(text):
    for old, new in SWAPS.items():
        if _find(text, old):
            phrasing = ("turn the {a} into a {b}", "replace the {a} with a {b}", "make the {a} a {b}")[len(old) % 3]
            if old.endswith("s") and new.endswith("s"):
                phrasing = "turn the {a} into {b}"
            a, b = _zh_name(old), _zh_name(new)
            yield Edit("swap", _fix_article(phrasing.format(a=old, b=new), new, inside=True),
                       _swap_word(text, old, new), f"把{a}变成{b}" if a and b else None)


def _wear(text):
    if re.search(r"\bwearing\b", text, re.I):
        return
    noun = _first_of(text, PEOPLE + ANIMALS)
    if noun:
        for words, en, zh in WEAR:
            m = _find(text, noun)
            yield Edit("wear", en.format(n=noun), f"{text[:m.end()]} {words}{text[m.end():]}", _zh(zh, noun))


def _mood(text):
    noun = _first_of(text, PEOPLE + ANIMALS)
    for adjective, en, zh, people_only in MOODS if noun else ():
        if people_only and noun not in PEOPLE:
            continue
        edited = _adjective(text, noun, adjective, {m[0] for m in MOODS} | {"happy", "sad"})
        if edited:
            yield Edit("mood", en.format(n=noun), edited, _zh(zh, noun))


def _age(text):
    noun = _first_of(text, AGED)
    for adjective, en, zh in AGES if noun else ():
        edited = _adjective(text, noun, adjective, {"old", "young", "elderly", "little"})
        if edited:
            yield Edit("age", en.format(n=noun), edited, _zh(zh, noun))


def _material(text):
    noun = _first_of(text, MADE_OF)
    for adjective, en, zh in MATERIALS if noun else ():
        edited = _adjective(text, noun, adjective, MATERIAL_WORDS)
        if edited:
            yield Edit("material", en.format(n=noun), edited, _zh(zh, noun))


def _remove(text):
    for noun in REMOVABLE:
        m = re.search(rf",?\s+\b(?:with|and|holding|carrying|next to)\s+(?:(?:a|an|the|some|two|his|her)\s+)?"
                      rf"(?:[a-z-]+\s+)?{noun}\b", text, re.I)
        if m and len(re.findall(r"[A-Za-z]+", text[:m.start()] + text[m.end():])) >= 2:
            yield Edit("remove", f"remove the {noun}", text[:m.start()] + text[m.end():], _zh("去掉{zh}", noun))


def _add(text):
    joiner = "and" if re.search(r"\bwith\b", text, re.I) else "with"
    for phrase, en, zh, needs in ADDITIONS:
        head = phrase.split(" in the ")[0].split(" on the ")[0].split()[-1]
        if re.search(rf"\b({needs})", text, re.I) and not re.search(rf"\b{head}", text, re.I):
            yield Edit("add", en, _appended(text, f"{joiner} {phrase}"), zh)


# ---- small helpers --------------------------------------------------------------------------------

def _find(text, noun):
    """The first whole-word match of `noun` in `text` (any case), or None."""
    return re.search(rf"\b{re.escape(noun)}\b", text, re.I)


def _first_of(text, nouns):
    """The noun of `nouns` that comes first in `text`, or None."""
    hits = [(m.start(), noun) for noun in nouns if (m := _find(text, noun))]
    return min(hits)[1] if hits else None


def _zh_name(noun):
    """The Chinese name of `noun` (a plural read as its singular), or None."""
    for name in (noun, noun[:-2] if noun.endswith("es") else noun, noun[:-1] if noun.endswith("s") else noun):
        if name in NOUNS_ZH:
            return NOUNS_ZH[name]
    return None


def _zh(template, noun):
    """A Chinese instruction for `noun`, or None when the noun has no Chinese name here."""
    name = _zh_name(noun)
    return template.format(zh=name) if name else None


def _cased(word, like):
    return word[0].upper() + word[1:] if like[:1].isupper() else word


def _fix_article(before, word, inside=False):
    """`before` with a final "a"/"an" made right for `word` ("a apple" -> "an apple").

    inside: fix every " a <word>" inside `before` instead (for an instruction that ends in `word`).
    """
    article = "an" if word[:1].lower() in "aeiou" else "a"
    if inside:
        return re.sub(rf"\ban? (?={re.escape(word)}\b)", article + " ", before)
    m = re.search(r"\b(an?|An?)\s+$", before)
    return before[:m.start()] + _cased(article, m.group(1)) + " " if m else before


def _swap_word(text, old, new):
    m = _find(text, old)
    return _fix_article(text[:m.start()], new) + _cased(new, m.group(0)) + text[m.end():]


def _adjective(text, noun, adjective, replaces):
    """`text` with `adjective` before `noun` (after its article), replacing a word of `replaces`; None if no article."""
    between = rf"(?:(?!(?:{'|'.join(PHRASE_BREAKS)})\b)[a-z-]+\s+)"
    m = re.search(rf"\b(a|an|the)\s+({between}{{0,2}}?)({re.escape(noun)})\b", text, re.I)
    if not m:
        return None
    words = m.group(2).split()
    words = [adjective if w.lower() in replaces else w for w in words]
    if adjective not in words:
        words.insert(0, adjective)
    article = m.group(1)
    if article.lower() != "the":
        article = _cased("an" if words[0][0] in "aeiou" else "a", article)
    return text[:m.start()] + article + " " + " ".join(words) + " " + m.group(3) + text[m.end():]
