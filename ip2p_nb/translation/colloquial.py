"""Colloquial edit instructions for the built-in translator (issue 33, second pass).

What users of photo apps type and the general patterns of `builtin.py` read word by word:
  - quantities: 加点/来点/整点/搞点/弄点草莓 -> "add some strawberries" (jieba's 加点 is "overtime",
    整点 "on the hour"); 多一点阳光 -> "add more sunlight", 少一点云 -> "fewer clouds";
  - numbers with a comparison: 年轻十岁 -> "look ten years younger", 放大一倍 -> "twice as big";
  - raising and lowering a setting: 增加一点对比度, 把饱和度调高 -> "increase the contrast/saturation";
  - one-word retouch commands: 磨皮美白 -> "smooth and whiten the skin" (`edit_vocab.COMMANDS`);
  - negation: 别让天空太亮 -> "do not make the sky too bright", 别把猫去掉 -> "keep the cat",
    海滩上不要有人 -> "remove the people on the beach";
  - lights: 让车灯亮起来, 路灯都亮着 -> "turn on the headlights/street lamps";
  - clause joins: 把沙发换掉，换成皮沙发 -> one change; 加点滤镜，要日系的 -> "a Japanese-style filter";
    画面太暗了，提亮一点 -> the complaint names what the next clause acts on (`complaint`).
`rewrite(text)` rewrites a whole instruction before it is cut into clauses, `normalize(clause)` a
clause; `PATTERNS` are (regular expression, handler) pairs as in `edits.py`.
"""

import re

from .edit_vocab import ADJUSTABLE, COMMANDS, DEFECTS
from .handlers import DROP
from .lexicon import segment
from .phrases import PLACE_RE, SPOT_RE, adjective, is_verb_word, kinds, noun_phrase, place_phrase
from .tokens import plural
from .vocab import MEASURES, WORDS

__all__ = ["PATTERNS", "rewrite", "normalize", "complaint", "with_clause", "CUTTERS", "years_phrase"]

_SOME = r"(?:加|添|来|整|搞|弄|放|画|撒|增加|添加)(?:一点|一些|点|些)(?=[\u4e00-\u9fff])"
_EFFECTS = "滤镜|特效|光效|效果|光晕|暗角|胡子|胡须|小胡子"  # 加点滤镜 is one filter, not "some filters"
_STYLE_TAIL = r"要(?:个|一个|那种)?([\u4e00-\u9fffA-Za-z]{1,6}?)(?:风格|风)?的?(?:感觉|风格|那种|样子)?"


def rewrite(text):
    """Whole-instruction rewrites (the punctuation is ASCII by now)."""
    text = re.sub(rf"(?:加|添|来|整|搞|弄)(?:一点|点|些|一些)(?={_EFFECTS})", "加个", text)
    text = re.sub(_SOME, "加一些", text)
    text = re.sub(rf"多(?:加|放|画|添|来)(?:一些|一点|点|些|[几两三四五][{MEASURES}]?)?(?=[\u4e00-\u9fff])", "多一点", text)  # 多加几朵云 -> add more clouds
    text = re.sub(r"下(?:一点|点|些)(?=[大小暴毛]?[雨雪])", "下", text)  # 下点小雨 -> make it rain lightly
    text = re.sub(r"(换|去|删|拿|撤)掉\s*,?\s*(?:再)?(?=换成|换为|改成|变成)", "", text)  # 把沙发换掉，换成皮沙发
    text = re.sub(r"(?:增加|添加|加|弄|来|整|搞|添)(?:一点|点|一些|些)?([\u4e00-\u9fff]{1,8}?)的(?:氛围感|氛围|气氛|感觉|味道|味儿)(?=$|,)",
                  _feel, text)  # 弄点过年的氛围 -> make it Chinese New Year
    text = re.sub(r"^(?:给我|帮我)(?:整|搞|弄|来)(?:个|一个|张|一张)(?=.)|^(?:搞|弄|来)(?:个|一个|张|一张)(?=.)", "", text)
    styled = re.match(rf"^(.*?(?:{_EFFECTS}|[加添换]个?.{{1,4}}))\s*,\s*{_STYLE_TAIL}\s*$", text)
    if styled and kinds(styled.group(2)) & set("TAC") and not kinds(styled.group(2)) & set("NPMV"):
        head, style = styled.group(1), styled.group(2)
        noun = segment(head)[-1]  # 给照片加个滤镜，要韩系的 -> 给照片加个韩系的滤镜
        change = re.fullmatch(r"(.*?)(?:换|改)(?:个|一个|下|一下)?(.+)", head)
        if change and change.group(2) == noun and kinds(style) <= set("AC"):  # 换个发色，要粉色的 -> 把发色换成粉色
            text = f"{change.group(1)}把{noun}换成{style}"
        elif kinds(noun) & set("NPM"):
            text = f"{head[:-len(noun)]}{style}的{noun}"
    return text


def _feel(m):
    """增加一些阳光洒进来的感觉: the clause itself when it has a verb; 弄点过年的氛围: 'make it …'."""
    inner = m.group(1)
    verb = any(kind == "V" or is_verb_word(word) for word in segment(inner)[1:] for kind in kinds(word))
    return ("让" + inner) if verb else ("弄成" + inner)


def normalize(c):
    """Clause rewrites that the sentence patterns then read."""
    c = re.sub(r"(?:看起来|看上去)?像是?在(.+?(?:拍的|拍摄的|拍出来的|拍|里|上|中|下|边))$",
               lambda m: "像在" + re.sub("(拍的|拍摄的|拍出来的|拍)$", "", m.group(1)) + "拍", c)
    c = re.sub(r"一下(?!子)(?=.)", "", c)                                  # 降低一下饱和度 -> 降低饱和度
    c = re.sub(r"(?<=.)(?:能不能|可不可以|能否|可否)", "", c)               # 天空能不能蓝一点 -> 天空蓝一点
    c = re.sub(r"^(把|将)((?:.+的)?)(.+?)(?:都|全都|全部|全(?=去掉|删掉|删除|去除|移除|抹掉|擦掉|P掉|p掉|清理))(?=[\u4e00-\u9fff])",
               r"\1\2所有\3", c)                                            # 把背景里的车都去掉 -> all the cars in …
    c = re.sub(r"^([^让使把将给在]{1,6}?)(嘴里|手里|手上|怀里)(?=叼|拿|握|捧|抱|举|含)", r"让\1\2", c)  # 狗狗嘴里叼…
    c = re.sub(r"(?<=[盖铺堆挂落撒洒飘贴摆停站坐挤种])满了", "满", c)
    c = re.sub(r"(手里的|手上的|手中的|嘴里的|叼着|叼根|叼个|抽着|抽)烟(?![花火雾囱])", r"\1香烟", c)  # a cigarette, not smoke
    c = re.sub(rf"(?:这张)?(?:照片|图片|画面|图像)的(?=(?:{'|'.join(DEFECTS)})$|天空|背景|前景)", "", c)  # 照片的噪点 -> the noise
    c = re.sub(r"(?:画面|照片|图片|整张图|整张照片)(?=整体|色调|亮度|色彩)", "", c)  # 把画面整体色调调成… -> the overall tone
    c = re.sub(r"(?:去掉|去除)(?=模糊|灰|雾$)", "去", c)
    c = re.sub(r"(?<=.)也(?=有点|有些|太)", "", c)
    c = re.sub(r"(?:这张|那张)?(?:证件照|老照片|旧照片|自拍|合照|全家福|写真|头像|照片|图片)的(?=背景|天空|底色)", "", c)
    return c


def complaint(c):
    """'画面太暗了' before a fix: (what it says is wrong, the adjective), or None."""
    m = re.fullmatch(r"(.+?)(?:太|有点|有些|过于|太过)(.{1,3}?)(?:了|啦)?", c)
    if m and kinds(m.group(2)) and kinds(m.group(2)) <= set("AC") and kinds(m.group(1)) & set("NPMSR"):
        return m.group(1), m.group(2)
    return None


# ---- numbers -------------------------------------------------------------------------------------

_DIGITS = {"一": 1, "两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_WORDS_EN = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
             "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty"]
_TENS = {30: "thirty", 40: "forty", 50: "fifty", 60: "sixty", 70: "seventy", 80: "eighty", 90: "ninety"}
_NUM = r"[0-9]+|[一两二三四五六七八九十]{1,3}"


def _number(text):
    """'二十' -> 'twenty', '十五' -> 'fifteen', '35' -> '35'."""
    if text.isdigit():
        value = int(text)
    else:
        tens, _, ones = text.partition("十")
        value = (_DIGITS.get(tens, 1) * 10 + _DIGITS.get(ones, 0)) if "十" in text else _DIGITS.get(text, 0)
    return _WORDS_EN[value] if value <= 20 else _TENS.get(value, str(value))


def _target(subject, x):
    x = re.sub(r"^(让|使|把|将|给)|(看起来|看上去|显得|变得|变|P得|p得|修得|弄得|调得|显|P|p|修|弄|调|变)$", "", x or "")
    colour = re.fullmatch(r"(.+?)的(.+?)色?", x)
    if colour and kinds(colour.group(2)) == {"C"}:  # 天空的蓝色 -> the blue of the sky
        return f"the {noun_phrase(colour.group(2), 'adj')} of {noun_phrase(colour.group(1), 'old')}"
    return noun_phrase(x, "old") if x else (subject or "it")


def years_phrase(subject, x, adj, n):
    more = {"年轻": "younger", "小": "younger", "老": "older", "大": "older"}[adj]
    return f"make {_target(subject, x)} look {_number(n)} year{'' if _number(n) == 'one' else 's'} {more}"


def _times(subject, x, verb, n):
    small = verb in ("缩小", "变小", "小")
    if n == "半" or small:
        return f"make {_target(subject, x)} half the size"
    count = 2 if n == "一" else int(n) if n.isdigit() else _DIGITS.get(n, 2)
    how = "twice" if count == 2 else f"{_number(str(count))} times"
    return f"make {_target(subject, x)} {how} as big"


# ---- settings, commands, negation, lights ----------------------------------------------------------

def _setting(word):
    found = WORDS.get(word)
    return "the " + (found[1] if found else noun_phrase(word, "adj"))


def _raise(verb, word):
    """加点电影感 -> 'make it more cinematic', 搞点氛围感 -> 'add some atmosphere', 增加对比度 -> 'increase the contrast'."""
    kind, english = WORDS.get(word, ("M", noun_phrase(word, "adj")))
    if kind in "TA":
        return f"make it more {english}"
    if verb.startswith("加") and word.endswith("感"):
        return f"add {'' if english.startswith(('a ', 'an ')) else 'some '}{english}"
    return f"increase {_setting(word)}"


def with_clause(c, before=""):
    """要短发 after 换个发型: ' with short hair', or None (the clause is a sentence of its own)."""
    m = re.fullmatch(r"(?:要|想要|需要)(.+)" if not before.startswith(("change ", "give ")) else r"(?:要|想要|需要)?(.+)", c)
    found = kinds(m.group(1)) if m else set()
    return f" with {noun_phrase(m.group(1), 'new')}" if found and found <= set("NPMAC") and found & set("NPM") else None


def _give(subject, y):
    """要日系的色调, 要有高级感: 'give it a Japanese-style tone', 'give it a high-end look'."""
    found = kinds(y)
    if not found or found & set("VR?") or not found & set("NM") or found <= set("STCA"):
        return None
    return f"give {subject or 'it'} {noun_phrase(y, 'new')}"


_UP = "增加|提高|提升|加强|增强|调高|拉高|加大|加|提|拉满|加重"
_DOWN = "降低|减少|减弱|调低|拉低|减小|减|降|减轻|去掉一些"
_ADJ_RE = "|".join(sorted(ADJUSTABLE, key=len, reverse=True))
_LITTLE = r"(?:一点点|一点儿|一点|一些|点儿|点|些)?"


def _commands(subject, text):
    """磨皮美白 -> 'smooth and whiten the skin'; 瘦脸 -> 'slim the face'."""
    words, i = [], 0
    names = sorted(COMMANDS, key=len, reverse=True)
    while i < len(text):
        word = next((n for n in names if text.startswith(n, i)), None)
        if not word:
            return None
        words.append(COMMANDS[word])
        i += len(word)
    parts = []
    for verb, thing in words:
        if parts and parts[-1][1] == thing:
            parts[-1] = (f"{parts[-1][0]} and {verb}", thing)
        else:
            parts.append((verb, thing))
    return " and ".join(f"{verb} {thing}" for verb, thing in parts)


_DEVICES = r"\b(lamps?|lights?|headlights|street lamps?|lanterns?|TV|screen|neon lights|fairy lights|chandelier|candles?)$"


def _switch(subject, x, verb):
    thing = noun_phrase(re.sub("(都|也|全)$", "", x), "old")
    if not re.search(_DEVICES, thing):
        return None
    thing = plural(thing) if re.search("(都|全)$", x) and not thing.endswith("s") else thing
    return f"{'turn off' if verb in ('灭', '关', '关掉', '关上') else 'turn on'} {thing}"


def _do_not(subject, x, too, y):
    if not kinds(y) or not kinds(y) <= set("AC"):
        return None
    return f"do not make {_target(subject, x)} {'too ' if too else ''}{adjective(y)}"


def _nobody(subject, where, y):
    place = place_phrase(where) if where and re.search(rf"({PLACE_RE}|{SPOT_RE})$", where) else ""
    thing = noun_phrase(y, "old")
    thing = plural(thing) if "N" in kinds(y) and not thing.endswith("s") else thing
    return f"remove {thing}{' ' + place if place else ''}"


def _more_of_it(subject, x, y):
    """让照片更有质感 -> 'give it more texture'; 更有食欲 -> 'make it more appetizing'."""
    y = "有" + y if "有" + y in WORDS else y  # 有食欲 "appetizing" is one word
    found = kinds(y)
    if not found or found & set("V?R"):
        return None
    look = re.search("(看起来|看上去|显得)$", x)
    x = x[:look.start()] if look else x
    target = _target(subject, x) if x not in _PHOTO else "it"
    english = noun_phrase(y, "adj")
    if found <= set("ACT"):
        return f"make {target} {'look ' if look else ''}more {english}"
    return f"give {target} more {english}"


_PHOTO = ("", "照片", "图片", "画面", "图像", "整体", "整个画面", "这张照片", "这张图", "整张图", "整张照片", "整张图片", "全图")


_THERE = {"漂": "floating", "飘": "floating", "停": "parked", "挂": "hanging", "站": "standing", "坐": "sitting",
          "躺": "lying", "趴": "lying", "长": "growing", "开": "blooming", "游": "swimming"}


def _there(subject, x, where, verb, y):
    """河面上漂着几只小船 -> 'add some small boats floating on the river' (着 is dropped by then)."""
    found = kinds(y)
    if not found or not found & set("NPM") or found & set("VAC?"):
        return None
    return f"add {noun_phrase(y)} {_THERE[verb]} {place_phrase(x + where)}"


def _less(subject, x, y):
    """颜色太艳了 (a complaint on its own): 'make the colors less vivid'."""
    if not kinds(y) or not kinds(y) <= set("AC") or not (kinds(x) & set("NPMSR") or x in _PHOTO or x in _LOOKS):
        return None
    target = "it" if x in _PHOTO else _LOOKS[x] if x in _LOOKS else _target(subject, x)
    return f"make {target} less {adjective(y)}"


_LOOKS = {"颜色": "the colors", "色彩": "the colors", "色调": "the tone", "光线": "the lighting"}


_WAYS = {"上": "up", "下": "down", "左": "to the left", "右": "to the right", "前": "forward", "后": "back",
         "中间": "to the middle", "左边": "to the left", "右边": "to the right", "上面": "up", "下面": "down"}


def _move(x, way):
    """把左边的人往右边移一点 -> 'move the person on the left to the right'."""
    return f"move {noun_phrase(x, 'old')} {_WAYS[way]}" if way in _WAYS else None


_LONGER = {"拉长": "longer", "拉高": "taller", "加长": "longer", "变长": "longer", "拉宽": "wider", "加宽": "wider",
           "变宽": "wider", "缩短": "shorter", "变短": "shorter", "变窄": "narrower", "拉细": "slimmer"}


def _plural_head(phrase):
    """'the cloud in the sky' -> 'the clouds in the sky'."""
    m = re.match(r"(.+?)( (?:in|on|at|by|under|next to|behind) .+)$", phrase)
    return plural(m.group(1)) + m.group(2) if m else plural(phrase)


def _put(x, where):
    """把人物P到埃菲尔铁塔前面 -> 'put the person in front of the Eiffel Tower'."""
    place = place_phrase("在" + where)
    return f"put {noun_phrase(x, 'old')} {place}" if place and kinds(x) & set("NPMR") else None


def _more_look(subject, x, y):
    """给画面加一点暖色调 -> 'make it more warm-toned': a look is not a thing to add."""
    if not kinds(y) or not kinds(y) <= set("AC"):
        return None
    return f"make {_target(subject, x) if x not in _PHOTO else 'it'} {adjective('更' + y)}"


def _more_of(subject, how, y):
    if not kinds(y) & set("NPM") or kinds(y) & set("VAC"):
        return None
    thing = noun_phrase(y, "adj")
    if how == "多":
        return f"add more {plural(thing) if 'N' in kinds(y) else thing}"
    return f"{'fewer' if 'N' in kinds(y) or 'P' in kinds(y) else 'less'} {plural(thing) if 'N' in kinds(y) else thing}"


PATTERNS = [
    (rf"(.*?)(年轻|老|小|大)({_NUM})岁", years_phrase),
    (rf"(.*?)(瘦|胖)(?:了)?(?:{_NUM})(?:斤|公斤|kg|KG)", lambda s, x, a: f"make {_target(s, x)} look {'slimmer' if a == '瘦' else 'heavier'}"),
    (rf"(?:把|将)?(.+?)(放大|变大|扩大|大|缩小|变小|小)(一|两|二|三|四|五|[0-9]+)?(?:倍|半)",
     lambda s, x, v, n: _times(s, x, v, n or "半")),
    (rf"(?:把|将)?(.*?)(?:的)?({_UP}){_LITTLE}(?:画面的|照片的|图片的|整体的)?({_ADJ_RE})", lambda s, x, v, a: _raise(v, a)),
    (rf"(?:把|将)?(.*?)(?:的)?({_DOWN}){_LITTLE}(?:画面的|照片的|图片的|整体的)?({_ADJ_RE})",
     lambda s, x, v, a: f"reduce {_setting(a)}"),
    (rf"(?:把|将)?({_ADJ_RE})(?:再|更)?(?:调|提|拉|降|减|加|弄)?(?:得)?(?:再|更)?(高|低|大|小|强|弱|重|多|少|足){_LITTLE}",
     lambda s, a, v: f"{'increase' if v in '高大强重多足' else 'reduce'} {_setting(a)}"),
    (r"(?:给|帮|把|将)?(?:我|她|他|人物|人像|照片|脸)?(?:的)?([\u4e00-\u9fff]{2,12})", lambda s, c: _commands(s, c)),
    (r"(?:不要|别|不能)(?:让|使)(.+?)(太|过于|那么|这么)([\u4e00-\u9fff]{1,3})", _do_not),
    (r"(?:不要|别|不能)(?:把|将)(.+?)(?:去掉|删掉|删除|去除|移除|抹掉|P掉|p掉|擦掉)", lambda s, x: f"keep {noun_phrase(x, 'old')}"),
    (rf"(.*?)(?:不要|别|不能)(?:有|出现)(.+)", _nobody),
    (r"(.+?)(?:不要|别|不能)(太|过于|那么|这么)([\u4e00-\u9fff]{1,3})", _do_not),
    (r"(?:让|使)?(.*?)(?:更加|更|很)有(.+)", _more_of_it),
    (r"(多|少)(?:一点点|一点|一些|点|些)(.+)", _more_of),
    (r"(.+?)(多|少)(?:一点点|一点|一些|点|些)", lambda s, y, how: _more_of(s, how, y)),
    (r"(?:让|使|把|将)?(.+?)(亮|打开|开|灭|关掉|关上|关)(?:着|起)?", _switch),
    (r"(?:把|将)?(.+?)(加深|变深|调深|加浓)", lambda s, x, v: f"make {_target(s, x)} deeper"),
    (r"(?:把|将)?(.+?)(减淡|变淡|调淡|淡化)(?:一点|一些|点|些)?", lambda s, x, v: f"make {_target(s, x)} lighter"),
    (r"(?:把|将)?(.+?)(拉长|拉高|加长|变长|拉宽|加宽|变宽|缩短|变短|变窄|拉细)(?:一点|一些|点|些)?",
     lambda s, x, v: f"make {_target(s, x)} {_LONGER[v]}"),
    (r"(高光|亮部|过曝|曝光|亮度|阴影|暗部)(?:压一压|压一下|压低|压)", lambda s, x: f"tone down {_setting(x)}"),
    (r"给(.+?)(?:P|p|PS|ps)(?:一个|个|一只|只|一副|副|上)?(.+)", lambda s, x, y: f"add {noun_phrase(y)} to {noun_phrase(x, 'old')}"
     if kinds(y) & set("NPM") else None),
    (r"(?:换|改)(?:个|一个|成|下)(.+?)(?:一点|一些|点|些)?的?",
     lambda s, y: f"make {s or 'it'} {adjective('更' + y)}" if kinds(y) and kinds(y) <= set("AC") else None),
    (r"(?:把|将)(.+?)(?:去掉|删掉|去除|删除|拿掉|P掉|p掉)(?:一些|一点|点|些|几个|一部分|部分)",
     lambda s, x: f"remove some of {_plural_head(noun_phrase(x, 'old')) if 'N' in kinds(x) else noun_phrase(x, 'old')}"),
    (r"突出(.+)", lambda s, x: f"make {noun_phrase(x, 'old')} stand out"),
    (r"(?:要|想要|需要)有?(.+)", _give),
    (r"(?:好像|仿佛|像是|像)(?:快|要|快要|就要|马上)(.+)", lambda s, x: DROP),  # 像快落山了: a simile of the edit before
    (r"(?:把|将)(.+?)(?:往|向|朝)(.+?)(?:移动|挪动|移|挪|靠|放|转)(?:一点|一些|点|些)?", lambda s, x, way: _move(x, way)),
    (r"(?:让|使)?(.*?)像在(.+?)拍", lambda s, x, where: f"make {_target(s, x) if x not in _PHOTO else 'it'} look like it was taken "
     f"{place_phrase('在' + where)}" if place_phrase("在" + where) else None),
    (r"(?:把|将)?(.+?)(?:抠出来|抠出|抠图|抠下来)", lambda s, x: f"cut out {noun_phrase(x, 'old')}"),
    (r"(?:P|p|PS|ps)(?:一个|个|一只|只|一些|些|上|进去|进)(.+)", lambda s, y: f"add {noun_phrase(y)}" if kinds(y) & set("NPM") else None),
    (r"(?:换|改)(?:个|一个|下|一下)(.+?)的?(背景|天空|发色|颜色|衣服|墙|墙壁|头发)",
     lambda s, y, x: f"make {noun_phrase(x, 'old')} {adjective(y)}" if kinds(y) and kinds(y) <= set("AC") else None),
    (r"(?:把|将)(.+?)(?:P|p|放|移|挪|搬|弄|合成|开|停)(?:到|在|进)(.+)", lambda s, x, where: _put(x, where)),
    (r"(?:不要|别)(?:把|将)(.+?)(?:修|弄|调|P|p|搞|整|变)得?(太|过于|那么|这么)([\u4e00-\u9fff]{1,3})", _do_not),
    (r"(?:不要|别)(太|过于)([\u4e00-\u9fff]{1,3})", lambda s, too, y: _do_not(s, "", too, y)),
    (rf"(?:让|使)?(.+?)(上面|里面|上|里|中)(漂|飘|停|挂|站|坐|躺|趴|长|开|游)(?!满)(.+)", _there),
    (r"(?:给)?(.*?)(?:加|添|增加|添加)(?:一点点|一点|一些|点|些)(.+?)的?", lambda s, x, y: _more_look(s, x, y)),
]
PATTERNS.append((r"(?!不要|别|不能)(.+?)(?:太|过于|有点太|太过|有点|有些)([\u4e00-\u9fff]{1,3}?)", lambda s, x, y: _less(s, x, y)))
CUTTERS = {PATTERNS[0][0]}  # 年轻十岁: jieba's 十岁 may join what the pattern cuts
