"""The rule writer's edits: every edit a small table knows for one caption, with its instruction.

Two kinds of caption:
- the toy scenes' captions (`ip2p_nb/train/scenes.py`, e.g. "a yellow house with a red roof, a tree,
  a dog on a sunny day in summer"): `parse_scene_caption` reads one back into a `Scene`, and
  `scene_edits` changes one field of it, so every edited caption is `caption()` of a real scene,
  in exactly the grammar a model trained on those scenes has seen;
- everyday English captions: `general_edits` changes the time of day, the weather, the season,
  the style, a colour, an object, a person's or an animal's look, or adds or removes a thing,
  each from a small table of edit_words.py.
Both return {kind: [Edit, ...]}; `writer.RuleWriter` picks from them with a seeded generator.
"""
import re
from dataclasses import dataclass, replace

from ..train.scenes import COLOURS, SEASONS_ZH, THINGS, TIMES_ZH, Scene, caption
from .edit_words import (ADDITIONS, AGED, AGES, ALREADY_ART, ANIMALS, ARTICLES, COLOUR_WORDS, MADE_OF, MATERIAL_WORDS,
                         MATERIALS, MOODS, NEW_COLOURS, NOUNS_ZH, PAINTABLE, PEOPLE, PHRASE_BREAKS, REMOVABLE,
                         SEASONS, STYLES, SWAPS, TIME_PHRASES, TIMES, WEAR, WEATHER)

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
