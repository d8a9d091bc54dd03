"""The built-in offline Chinese -> English translator for photo-edit instructions.

1. The text is made simplified (OpenCC), emoji dropped, and cut into clauses at punctuation.
2. Each clause is normalised (complements such as 笑起来/下起, 了/着, 图中的X -> X) and matched
   against sentence patterns: keep-clauses (保持…不变 -> "keep … unchanged"; 其他不变 is dropped:
   unchanged is the default), 从X变成Y, weather (下起大雪), 把 X 变成 Y, 给 X 戴上 Y, 去掉 X,
   让 X + verb, 在 X 上加 Y, 变成…风格, and fall-backs for 把/让 + any verb the dictionary knows.
3. Noun phrases are cut into words by jieba (`lexicon.segment`); a word is read from the curated
   edit vocabulary (`vocab.py`) first, then from CC-CEDICT (`lexicon.lookup`). Position words
   (左边的人 -> the person on the left), relative clauses (穿红衣服的人) and postpositions
   (桌子上 -> on the table) are placed after the noun, as English does.
The handlers of the patterns are in `handlers.py`. A pattern may not cut a compound: when its
groups begin or end inside a common word (空调, 大笑), the next pattern is tried.
English words inside the text are kept. Grammatical filler is dropped; a content word that no
dictionary knows stays in Chinese and the result says the translation is incomplete (the chain
lists those words in `Translation.untranslated`). The English is always shown to the user, who
can correct it.
"""

import re

from .handlers import (ASPECTS, DROP, PAINT, PASSIVE_RE, PHOTO, all_of, object_of, to_add, to_add_at, to_any_verb, to_ba,
                       to_bare, to_become, to_by, to_change, to_does, to_from_to, to_keep, to_keep_only, to_let,
                       to_look, to_more, to_paint, to_place, to_style, to_subject_verb, to_verb, to_wear, to_weather)
from .colloquial import CUTTERS as _COLLOQUIAL_CUTTERS
from .colloquial import PATTERNS as COLLOQUIAL_PATTERNS
from .colloquial import complaint, normalize, rewrite, with_clause
from .repairs import BUT as _BUT
from .repairs import CUTTERS as _REPAIR_CUTTERS
from .repairs import ENHANCE, dedupe, only_opener
from .repairs import PATTERNS as REPAIR_PATTERNS
from .repairs import normalize as repair_normalize
from .repairs import rewrite as repair_rewrite
from .edits import CUTTERS as _EDIT_CUTTERS
from .edits import FOLLOWS
from .edits import PATTERNS as EDIT_PATTERNS
from .lexicon import CHINESE as _CJK
from .lexicon import segment, to_simplified, word_tag
from .phrases import (PLACE_RE, PLACES, SPOT_RE, SPOTS, adjective, is_verb_word, kinds, located_at, noun_phrase, participle, place_phrase,
                      split_at_verb)
from .tokens import plural
from .vocab import POLITE_HEAD, POLITE_TAIL, PRONOUNS, WORDS

__all__ = ["translate_zh", "to_simplified"]

_EMOJI = re.compile("[\U0001F000-\U0001FAFF\u2600-\u27BF\uFE0F\u200D\u20E3～~]+")  # 😊❄️: no words for the model
_PUNCT = str.maketrans("，。！？；：、（）“”‘’　", ",.!?;:,()\"\"'' ")
# Verb groups of the sentence patterns (longest first inside each group).
_CHANGE = ("变成|变为|换成|换为|改成|改为|改為|替换成|替换为|转换成|转换为|转变成|转成|改变成|变换成|做成|调成|弄成|搞成|"
           "修成|修复成|处理成|P成|p成|整成|画成|渲染成")
_REMOVE = ("清理掉|清理干净|清除干净|清除掉|去除掉|删除掉|移除掉|清掉|清理|抹除|去掉|拆掉|拆除|去除|删掉|删除|移除|移走|拿掉|拿走|抹掉|擦掉|擦除|抹去|消除|除掉|清除|P掉|p掉|砍掉|剪掉|撕掉|抠掉|"
           "修掉|弄掉|涂掉|扔掉|不要|去|删")
_ADD = ("加上|添加|增加|添上|加入|画上|放上|放置|画|放|加|添|增添|装上|插上|挂上|挂|摆上|摆|停|种上|种|贴上|贴|插|铺上|铺")
_WEAR = "戴上|穿上|披上|系上|围上|套上|佩戴|换上|化上|涂上|抹上|戴|穿|化"
_LOOK = "看起来像|看上去像|看着像|看起来|看上去|显得|像"
_BECOME = "变得更加|变得更|变得|变更|变"
_OTHERS = r"(?:其他|其它|其余|别的|剩下|剩余|其他的|其它的|其余的|剩下的)(?:部分|地方|东西|内容|元素)?(?:的)?(?:都|全部|全都|也)?"
_UNCHANGED = r"(?:原来的样子|原来的颜色|原本的样子|原貌|原状|保持不变|保持原样|保持原状|维持不变|维持原样|不变|原样|不动|不要动|别动|不要改|别改|不要变|保持原来的样子|保持原貌)"
_LITTLE = "(?:一点点|一点儿|一点|一些|点儿|点|些)"  # 亮一点, 暖一些: a little more so


def translate_zh(text):
    """Translate one Chinese edit instruction; returns `(english, complete)`.

    `complete` is False when some Chinese was not understood and was kept as is.
    """
    text = _EMOJI.sub(" ", to_simplified(text).translate(_PUNCT))
    if only_opener(text):
        return ENHANCE, True  # 修一下, 帮我P一下图: nothing but "fix it"
    text = repair_rewrite(text)
    text = re.sub(_THEN, ",", text)
    text = re.sub(_WEAR_THEN, r"\1,", text)  # 让她穿上汉服站在海边: two clauses, one subject
    text = rewrite(text)
    clauses = [c for c in re.split(r"[,.!?;]+|然后|并且|同时|接着|顺便", text) if c.strip()]
    parts, subject, said = [], None, None
    for n, c in enumerate(clauses):
        but = re.match(_BUT, c.strip())
        c = _strip_polite(c)
        wrong = complaint(_normalize(c)) if n + 1 < len(clauses) else None
        if wrong and complaint(_normalize(_strip_polite(clauses[n + 1]))):
            wrong = None  # 整张图太暗了，人脸也有点黄: two complaints, each says what to fix
        if wrong:  # 画面太暗了，提亮一点: what is wrong is what the next clause fixes
            said = noun_phrase(wrong[0], "old")
            said = "it" if said in PHOTO else said
            continue
        joined = with_clause(_normalize(c), parts[-1]) if parts else None
        if joined:  # 给他换个发型，要短发 -> give him a new hairstyle with short hair
            parts[-1] += joined
            continue
        follows = subject and re.match(FOLLOWS, _normalize(c))
        if said and not follows:
            subject, follows, said = said, True, None
        part = dedupe(_whose(_clause(c, subject=subject if follows else None)))
        if follows and parts and part.startswith(f"make {subject} ") and parts[-1].startswith(f"make {subject} "):
            part = part[len(f"make {subject} "):]  # make her smile and look at the camera
        again = re.match(r"(remove|add) ", part)
        if again and parts and parts[-1].startswith(again.group()):
            part = part[len(again.group()):]  # remove the scratches and the stains
        parts.append(f"but {part}" if but and part.startswith(("keep ", "do not ")) else part)
        subject = _topic(_normalize(c))
    english = " and ".join(p for p in parts if p).replace(" and but ", " but ")
    english = re.sub(r"\s+", " ", english).strip()
    if not english:
        return text.strip(), not _CJK.search(text)
    return english, not _CJK.search(english)


_THEN = r"(?<=[\u4e00-\u9fff])(?:并|再)(?=[把将让给加添去删修保使调换在用放])"  # 去掉杯子并加上一本书
_WEAR_THEN = r"^((?:让|使)[^,]+?(?:穿|戴|披|拿|抱|举)上?[^,]{1,8}?)(?=(?:站|坐|躺|趴|走|跑)(?:在|到))"


def _topic(c):
    """The English of what a clause acts on (让她…, 把她的头发…), for a next clause without one."""
    m = re.match(r"(?:让|使|把|将)(.+?)(?=变|换|改|穿|戴|微笑|笑|站|坐|看|更|调|涂|染|闭|睁|哭|拿|抱|举)", c)
    return noun_phrase(m.group(1), "old") if m else None


_HIS = r"him|man|men|boy|boys|father|dad|grandfather|grandpa|king|prince|groom|gentleman"
_HER = r"her|woman|women|girl|girls|mother|mom|grandmother|grandma|queen|princess|lady|bride"
_THEIR = r"them|person|people|child|children|baby|kid|kids|everyone|student|students|couple"


def _whose(english):
    """'make the girl close its eyes' -> 'her eyes': a person's eyes are not 'its'."""
    m = re.match(rf"(?:do not )?make (?:.*? )?({_HIS}|{_HER}|{_THEIR})\b(?: [a-z]+){{1,3}}? its\b", english)
    if not m:
        return english
    owner = "his" if re.fullmatch(_HIS, m.group(1)) else "her" if re.fullmatch(_HER, m.group(1)) else "their"
    return english[:m.end() - 3] + owner + english[m.end():]


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


def _normalize(c):
    """Complements and particles that add nothing to an edit; 'in the picture' before a noun."""
    c = repair_normalize(normalize(c))
    c = re.sub(r"(?<![为除])了(?!解)", "", c)                    # 下起了雨 -> 下起雨
    c = re.sub(r"(?<![看])起来", "", c)                            # 笑起来 -> 笑 (看起来 is a verb of its own)
    c = re.sub(r"(下|刮|飘|燃)起", r"\1", c)                       # 下起雨 -> 下雨
    c = re.sub(r"(?<=[\u4e00-\u9fff])着(?![火色装急])", "", c)    # 拿着, 下着 (着火, 着色 are words)
    c = re.sub(r"(这张|这个)?(?<![老旧黑白原])(图片|照片|图像|画面|相片|图|画)(中|里|上|内)(面)?(的|(?=所有|全部|每))", "", c)  # 图中的X -> X
    c = re.sub(r"(图片|照片|图像|画面|图)(中|里)(?![间央的面])(?=.+的)", "", c)  # 照片中人物的表情
    c = re.sub(r"(图片|照片|图像|图)\s*[0-9０-９一二三四五六七八九]\s*(?:(中|里|上|内)面?的?|的)", "", c)  # 图1的X -> X
    c = re.sub(r"(图片|照片|图像|图)\s*[0-9０-９]+", r"\1", c)                                         # 把图2变成… -> the picture
    c = re.sub(r"^给我(?=[把将加换去P弄变来整搞做])", "", c)                   # 给我把…: for me
    c = re.sub(r"(去|删)一下", r"\1掉", c)
    c = re.sub(r"(?<=[修补复装弄做堆画摆放理])好(?=$|的)", "", c)            # 修补好 -> 修补: done, not "good"
    c = re.sub(r"再(?=[\u4e00-\u9fff]{1,2}(一点|一些|点|些))", "更", c)     # 再大一点 -> 更大一点
    c = re.sub(r"(?<=[\u4e00-\u9fff])(下来|下去|上来|过来)", "", c)          # 暗下来 -> 暗
    c = re.sub(r"^只(?=[把将给让在])", "", c)                        # 其他不变，只把… -> 把…
    c = re.sub(r"下(一场|场|一阵|阵)", "下", c)
    c = re.sub(r"转过(头|身)来?", r"转\1", c)
    c = re.sub(r"骑在(.+?)背?上", r"骑\1", c)                           # 骑在马上: 马上 is not "at once" here
    c = re.sub(r"突然|忽然|渐渐地?|慢慢地?|稍微|稍稍|轻轻地?|一下子|那种|这种", "", c)
    c = re.sub(r"(?<=.)(也|都|还)(?=要|会|有|是|变|换|加|保持|不变|保留|不要)", "", c)
    c = re.sub(r"(\d)\s+(?=年代|年|后)", r"\1", c)                     # 90 年代 -> 90年代
    c = re.sub(r"^(?:只)?(换|改|变)(?!成|为)(.+?)(为|成)(.+)$", r"把\2\1成\4", c)  # 换背景为森林 -> 把背景换成森林
    return c


def _clause(c, subject=None):
    """Translate one clause by the first sentence pattern that matches it."""
    c = _normalize(c)
    inside = _inside_words(c)
    for pattern, handler in _PATTERNS:
        m = re.fullmatch(pattern, c)
        if m and pattern not in _CUTTERS and _cuts_a_word(m, inside):
            m = _longer(pattern, c, m, inside)
        if m and (pattern in _CUTTERS or not _cuts_a_word(m, inside)):
            out = handler(subject, *[(g or "").strip() for g in m.groups()])
            if out is DROP:
                return ""  # a clause left out on purpose ("其他不变": unchanged is the default)
            if out:
                return out
    return to_bare(c, subject)


def _do_not(english):
    """不要让人物变形 / 别加太多东西: 'do not …' before a command, None when the clause is not one."""
    return f"do not {english}" if re.match(r"(make|add|put|turn|change|replace|paint|dye|remove)\b", english) else None


def _inside_words(c):
    """Positions strictly inside a compound that a pattern must not cut: a curated word of two or
    more characters, or a common word of jieba's dictionary (a noun, verb or adjective, not a name:
    jieba also knows 里加 "Riga" and 加点 "overtime", which 盘子里加 and 加点烟花 are not)."""
    inside, at = set(), 0
    for word in segment(c):
        if len(word) > 1 and _CJK.match(word) and _compound(word):
            inside.update(range(at + 1, at + len(word)))
        at += len(word)
    return inside


def _compound(word):
    if word in PRONOUNS:
        return True  # 给整个画面加个滤镜 is not 给整个 + 画 ("draw") + 面…
    if word in WORDS:
        return WORDS[word][0] not in "AC"  # 对比度高 is 对比度 + 高 to a pattern, 大笑 is one verb
    freq, tag = word_tag(word)
    return freq >= _COMMON and tag[:1] in ("n", "v", "a") and tag not in ("nr", "nrt", "nrfg", "ns", "nt", "nz")


_COMMON = 200  # jieba frequency from which a dictionary word counts as common (空调 614, 木板 653; 加点 68)


def _cuts_a_word(m, inside):
    """True when a pattern's groups begin or end inside a word: 把空调拆掉 is not 把 X 调 Y, 人物大笑 not 人物大 + 笑."""
    return any(m.start(g) in inside or m.end(g) in inside
               for g in range(1, len(m.groups()) + 1) if m.start(g) >= 0 and m.start(g) < m.end(g))


def _longer(pattern, c, m, inside, tries=3):
    """The match whose first lazy group (.+?) ends after the word it cut: 给整个画面加个滤镜 is 给 + 整个画面 + 加,
    not 给 + 整个 + 画 ("draw"); None when there is none."""
    for _ in range(tries):
        cut = next((g for g in range(1, len(m.groups()) + 1) if m.end(g) in inside and m.start(g) < m.end(g)), None)
        at = _group_at(pattern, cut) if cut else -1
        if at < 0 or not pattern.startswith("(.+?)", at):
            return None
        end = m.end(cut)
        while end in inside:
            end += 1
        pattern = f"{pattern[:at]}(.{{{end - m.start(cut)},}}?){pattern[at + 5:]}"
        m = re.fullmatch(pattern, c)
        if not m or not _cuts_a_word(m, inside):
            return m
    return None


def _group_at(pattern, number):
    """Where the `number`th capturing group opens in `pattern` (-1 when it cannot be told)."""
    seen, i = 0, 0
    while i < len(pattern):
        if pattern[i] == "\\":
            i += 2
            continue
        if pattern[i] == "(" and not pattern.startswith("(?", i):
            seen += 1
            if seen == number:
                return i
        i += 1
    return -1


def _through(x, y, v, d):
    """阳光从窗户照进来 -> 'make the sunlight shine in through the window'; 加一束光从窗户照进来 -> 'add a beam of
    light shining in through the window'."""
    how = f"{'in ' if d.startswith('进') else ''}through {noun_phrase(y, 'old')}"
    added = re.match(r"(?:加上|加|添加|添)(.+)", x)
    if added:
        return f"add {noun_phrase(added.group(1))} {participle(_THROUGH[v])} {how}"
    return f"make {noun_phrase(x, 'old')} {_THROUGH[v]} {how}"


def _off(subject, body):
    """把 X + verb + 掉: 'remove X' (关掉 switches off: left to the other patterns)."""
    words = segment(body)
    verb = words[-1] if words else ""
    if len(words) > 1 and verb != "关" and (verb in _VERB_OFF or is_verb_word(verb)):
        return f"remove {object_of(subject, body[:-len(verb)])}"
    return None


_VERB_OFF = set("扫刮摘剪砍撕抠拔吃擦抹扔拿移删去除")


def _make(subject, x, rest):
    """让/使 X + verb phrase: translate the verb phrase with X as its object."""
    if x.endswith("的"):
        return None  # 让她的笑容自然一点: 她的 owns 笑容, it does not 笑
    if x not in PRONOUNS and re.search(r"[在到]", x) and split_at_verb(x):
        return None  # 让男孩坐在树下看书: X has a verb of its own, the first verb leads
    return _clause(rest, subject=f"the {ASPECTS[x]}" if x in ASPECTS else noun_phrase(x, "old"))  # 让颜色更鲜艳


_WEATHER = r"(.*?)(?:下|飘)(大|小|暴|毛毛|鹅毛大|倾盆大)?(雨|雪|冰雹)(?:花)?"
_WEATHER_AFTER = r"(.*?)(雨|雪)(?:下|飘)得?(?:更)?(大|小)(?:一点|一些|点|些)?"
_THROUGH = {"照": "shine", "洒": "pour", "射": "shine", "透": "shine", "吹": "blow", "飘": "drift", "飞": "fly", "走": "walk",
            "跑": "run", "流": "flow", "钻": "crawl"}  # 阳光从窗户照进来 -> make the sunlight shine in through the window
_COVER = (rf"(?:让|使|在|把|将)?([^从]+?)(?:上面|里面|上|里|中)?(?:结满|长满|开满|布满|挂满|铺满|堆满|落满|爬满|盖满|撒满|洒满|飘满|"
          rf"贴满|摆满|停满|站满|坐满|挤满|种满|覆盖满|都是|全是|满是)(.+)")
_CUTTERS = {_WEATHER, _WEATHER_AFTER, _COVER} | _EDIT_CUTTERS | _COLLOQUIAL_CUTTERS | _REPAIR_CUTTERS  # patterns that cut words on purpose: 下大雨 -> 下 + 大 + 雨

_EARLY = [
    (r"(?:帮我|给我)?(?:P|p|修|处理|弄)(?:一下|下)?(?:图|照片|这张图|这张照片)?", lambda s: DROP),
    (r"除了(.+?)(?:之外|以外)?", lambda s, x: DROP),
    (r"(?:谢谢|多谢|感谢|辛苦)(?:你|您|啦|了|啊|呀)*|thx|thanks|thank you", lambda s: DROP),  # 除了天空，其他不变: the next clause says what changes
    (r"(?:不要|别|不)(?:改变|改动|修改|动|改)(.+)", to_keep),
    (r"(?:不要|别|不能|不许)(?=[加放画添换动让使把将变弄调])(.+)", lambda s, rest: _do_not(_clause(rest, s))),
    (r"给(.+?)换(?:个|一个|一下|上个|一件|件|一身|身|一条|条|一双|双|一顶|顶)(.+)", lambda s, x, y: f"give {object_of(s, x)} {'' if 'P' in kinds(y) else 'a '}new {noun_phrase(y, 'adj')}"),
    (r"(?:换|改)(?:个|一个|下|一下)(.+)", lambda s, x: f"change {noun_phrase(x, 'old')}"),
    (rf"(?:让|使|在)?(.+?)(?:{PLACE_RE})?(?:插满|装满|放满|摆满|倒满|加满)(.+)",  # 让花瓶里插满玫瑰 -> fill the vase with roses
     lambda s, x, y: f"fill {noun_phrase(x, 'old')} with {plural(noun_phrase(y, 'adj')) if 'N' in kinds(y) else noun_phrase(y, 'adj')}"),
    (_COVER, lambda s, x, y: f"cover {noun_phrase(re.sub(rf'({PLACE_RE})$', '', x), 'old')} with "
                            f"{plural(noun_phrase(y, 'adj')) if 'N' in kinds(y) else noun_phrase(y, 'adj')}"),
    (r"(?:把|将)?(.+?度)(?:再|更)?(?:调|提|拉|降|减)?(?:得)?(?:再|更)?(高|低|大|小|强|弱)(?:一点|一些|点|些)?",  # 亮度调高 -> increase the brightness
     lambda s, x, v: f"{'increase' if v in '高大强' else 'lower'} {object_of(s, x)}"),
    (r"(.+?)一下(.+)", lambda s, v, x: _clause("把" + x + v, s) if all_of(v, "ACV") else None),
    (r"(?:像是|好像|像)?用(.+?)(?:做|捏|拼|折|雕|刻|织|搭)(?:出来|成)?的?", lambda s, x: f"make {s or 'it'} out of {noun_phrase(x, 'adj')}"),
    (r"(?:调|弄|搞|修|整|P|p)(?![成为])得?(.+)", lambda s, y: f"make {s or 'it'} {adjective('更' + y)}" if all_of(y, "AC") else None),
    (r"(.+?)(?:要|都)?(?:保留|留下|留着)", to_keep_only),

    (rf"{_OTHERS}{_UNCHANGED}", lambda s: DROP),
    (r"(?:保持|维持|保留)(?:原来|原本|原有)的?(.+)", lambda s, x: f"keep the original {ASPECTS.get(x) or noun_phrase(x, 'adj')}"),
    (rf"(?:保持|维持|保留)(.+?)(?:的)?{_UNCHANGED}", to_keep),
    (rf"(.+?)(?:都|也)?{_UNCHANGED}", lambda s, x: DROP if re.fullmatch(_OTHERS, x) else to_keep(s, x)),
    (r"(?:只|仅)?(?:保留|留下|只留|留着)(.+)", to_keep_only),
    (rf"(?:把|将)?(.*?)从(.+?)({_CHANGE}|{PAINT})(.+)", to_from_to),
    (r"(?:让|使得|使|令)?(.+?)从(.+?)(开|走|跑|飞|游|驶)(?:过来|来)?",  # 火车从远处开过来 -> come from the distance
     lambda s, x, y, v: f"make {noun_phrase(x, 'old')} come from {re.sub('^(in|on|at) ', '', SPOTS[y]) if y in SPOTS else noun_phrase(y, 'old')}"),
    (r"(?:让|使得|使|令)?(.+?)从(.+?)(照|射|透|洒|吹|飘|飞|走|跑|流|钻)(进来|进去|进|出来|出去|出|过来|过)?",
     lambda s, x, y, v, d: _through(x, y, v, d)),
    (_WEATHER, to_weather),
    (_WEATHER_AFTER, lambda s, where, what, size: to_weather(s, where, size, what)),
    (rf"(?:把|将)?(.*?){_LITTLE}", lambda s, body: to_more(s, body)),
    (rf"(?:再|更加|更)?([\u4e00-\u9fff]{{1,2}}?){_LITTLE}的(.+)", lambda s, a, x: to_more(s, x + a)),
    (rf"(?:让|使得|使|令)?(.+?)被(.+?)({PASSIVE_RE})", lambda s, x, y, v: to_by(s, x, y, v)),
    (rf"(?:加|添加|增加|放|放上|挂|画)(.+?)在([^的]+)", lambda s, y, x: to_add_at(s, "加", y, x)),
]
_BA_LET = [
    (rf"(.+?)({PAINT})(.+)", to_paint),
    (r"(?:把|将)?(.+?)(放大|缩小|变大|变小|变老|变年轻)(?:一点|一些|点|些)?", lambda s, x, v: to_verb(s, x, WORDS[v][1])),
    (r"(?:把|将)(.+)", to_ba),
    (r"(?:让|使得|使|令)(.+)", to_let),
]
_LATE = [
    (r"(.+?)(?:上|里)(?:全|满)?是(.+)", lambda s, x, y: f"cover {noun_phrase(x, 'old')} with {noun_phrase(y, 'adj')}"),
    (r"(.+?)是(.+?)的?", lambda s, x, y: f"make {object_of(s, x)} {adjective(y)}" if all_of(y, "AC") else None),
    (r"(.+?)(?:偏|偏向)(.+)", lambda s, x, y: f"make {object_of(s, x)} {adjective('更' + y)}" if all_of(y, "AC") else None),
    (r"(.+?)(降低|调低|减少|减弱|减小|提高|调高|增加|增强|加强|加大)(?:一点|一些|点|些)?",
     lambda s, x, v: f"{'lower' if v[0] in '降减' or v == '调低' else 'increase'} {object_of(s, x)}"),
    (r"(?:要)?(.+?)(?:要|会|还)?有(.+)",
     lambda s, x, y: f"add {noun_phrase(y)} {place_phrase(x)}" if place_phrase(x) else f"add {noun_phrase(y)} to {noun_phrase(x, 'old')}" if kinds(x) & set("NPMR") else None),
    (r"(?:要)?(.+?)在(.+)", lambda s, y, x: f"add {noun_phrase(y)} {place_phrase('在' + x)}" if kinds(y) & set("NPM") else None),
    (rf"在(.+?)({PLACE_RE})(.+)", lambda s, x, where, rest: to_any_verb(rest, located_at(where, noun_phrase(x, 'old')))),
    (r"给(.+)", lambda s, rest: to_any_verb(rest, None)),
    (rf"(.+?)({_WEAR})(.+)", to_subject_verb),
    (rf"(.+?)({_ADD}|挂|摆|停|放一)(.+)", to_subject_verb),
    (r"(.+?)(?:剪|剃|修|弄|调|搞|整)得?(.+)",
     lambda s, x, y: f"make {object_of(s, x)} {adjective('更' + y)}" if all_of(y, "AC") else None),
]

_LATE.append((r"(.+)", to_does))


_PATTERNS = REPAIR_PATTERNS + COLLOQUIAL_PATTERNS + EDIT_PATTERNS + _EARLY + [
    (rf"(?:把|将)(.+?)({_CHANGE})(.+)", lambda s, x, v, y: to_change(s, x, v, y)),
    (rf"(?:把|将)(.+?)({PAINT})(.+)", to_paint),
    (rf"(?:把|将)(.+?)(?:给)?({_REMOVE})(?:掉)?", lambda s, x, v: f"remove {object_of(s, x)}"),
    (r"(?:把|将)(.+)掉", lambda s, body: _off(s, body)),  # 扫掉, 刮掉, 摘掉: any verb + 掉 takes the thing away
    (rf"(?:把|将)(.+?)({_BECOME}|弄得|弄|调得|调)(.+)", to_become),
    (r"(?:把|将)(.+?)(放大|缩小|上色|着色)", lambda s, x, v: to_verb(s, x, WORDS[v][1])),
    (rf"给(.+?)({_WEAR}|{_ADD})(.+)", to_wear),
    (r"给(.+?)(上色|着色)", lambda s, x, v: f"colorize {object_of(s, x)}"),
    (rf"(?:让|使得|使|令)(.+?)({_LOOK})(.+)", to_look),
    (rf"(?:让|使得|使|令)({'|'.join(sorted(PRONOUNS, key=len, reverse=True))})(?!的)(.+)", _make),
    (r"(?:让|使得|使|令)(.+?)((?:变|下(?=[雨雪大小暴起冰])|看|戴|穿|更|微笑|笑|哭|闭|睁|张|有|出现|长出|结|充满|布满|飘).*)", _make),
    (rf"在?({SPOT_RE})(?:的地方)?({_ADD}|有|出现)(.+)", lambda s, where, v, y: f"add {noun_phrase(y)} {SPOTS[where]}"),
    (rf"在?(.+?)({PLACE_RE})({_ADD}|有|长出|出现)(.+)", to_place),
    (rf"在(.+?)({_ADD}|有|出现)(.+)", lambda s, x, v, y: f"add {noun_phrase(y)} {place_phrase('在' + x)}"),
    (r"有(.+)", lambda s, y: to_bare(y, s) if kinds(y) <= set("STCA") else to_add(s, "有", y)),
    (rf"(?:用|拿)(.+?)(?:来)?(?:替换|代替|取代|换掉)(.+)", lambda s, y, x: f"replace {noun_phrase(x, 'old')} with {noun_phrase(y)}"),
    (rf"(?:用|以|按照|按)(.+?)的?(?:风格|画风|风)(?:来)?(?:画|绘制|重绘|重新画|渲染|表现)?", to_style),
] + _BA_LET + [
    (rf"({_CHANGE})(.+)", lambda s, v, y: to_change(s, None, v, y)),
    (rf"(.+?)({_CHANGE})(.+)", lambda s, x, v, y: to_change(s, x, v, y)),
    (rf"({_REMOVE})(.+)", lambda s, v, x: f"remove {noun_phrase(x, 'old')}"),
    (rf"({_WEAR})(.+)", lambda s, v, y: f"put {noun_phrase(y)} on {s}" if s else f"add {noun_phrase(y)}"),
    (rf"({_ADD}|出现|长出|充满|布满)(.+)", to_add),
    (rf"(.+?)(?:给)?({_REMOVE})(?:掉)?", lambda s, x, v: f"remove {noun_phrase(x, 'old')}"),
    (rf"(.+?)({_LOOK})(.+)", to_look),
    (rf"({_BECOME}|更加|更)(.+)", lambda s, v, y: to_become(s, None, v, y)),
    (rf"(.+?)({_BECOME}|更加|更)(.+)", to_become),
    (r"(.+?)的?(风格|(?<!漫)画风|风)", to_style),
] + _LATE
