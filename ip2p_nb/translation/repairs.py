"""Kinds of instruction read from the fresh reference set (issue 33, third pass).

  - a problem and a bare fix verb: 照片有划痕，修一下 -> "remove the scratches", 照片太暗，P一下 ->
    "make it brighter" (the fix verb alone says nothing: the problem names what to take away);
  - an instruction that is only an opener (修一下, 帮我P一下图) -> "enhance the photo" (`only_opener`);
  - a place first: 草地上再加三只猫 -> "add three cats on the grass" (再 does not start a clause here);
  - a problem clause that the next clause fixes is left out: 曝光不够，整体提亮一点 -> "make it brighter";
  - 个 as a measure word inside a verb phrase: 瘦个脸 -> 瘦脸 "slim the face", 洗个澡;
  - hair styles as a target: 换成短发 -> "make the hair short";
  - 布置成X风 -> "decorate it in a X style"; 整成X那种感觉 -> "make it look like X";
  - 调个X的色 -> "give it a X color grade"; 头发花白; 脸上多点皱纹 -> "add more wrinkles to the face";
  - 但X别变 -> "but keep X unchanged" (the negation survives);
  - `drop_chinese`: the last guard of the chain - Chinese that no rule understood is left out of the
    English (and listed as untranslated) rather than sent to a model that reads none.
`rewrite(text)` runs on a whole instruction before it is cut into clauses, `normalize(clause)` on a
clause; `PATTERNS` are (regular expression, handler) pairs as in `colloquial.py`.
"""

import re

from .edit_vocab import DEFECTS
from .lexicon import CHINESE_RUN
from .colloquial import years_phrase
from .phrases import kinds, noun_phrase
from .tokens import tokens

__all__ = ["rewrite", "normalize", "PATTERNS", "only_opener", "drop_chinese", "dedupe", "BUT", "ENHANCE", "CUTTERS"]

ENHANCE = "enhance the photo"  # what InstructPix2Pix is asked when the instruction only says "fix it"
_OPENER = (r"(?:请|麻烦|麻烦你|帮我|给我|帮忙|帮)*(?:P|p|PS|ps|修|修复|修图|处理|弄|搞|整|美化|优化|调|改|精修)"
           r"(?:一下|下|一修|好)?(?:图|照片|图片|这张图|这张照片|这张图片|一下图|一下照片)?(?:吧|呀|啊|哈|呢|谢谢)*")
_FIX = (r"(?:请|麻烦|帮我|给我|帮忙)?(?:修复一下|修复|修一下|修下|修|处理一下|处理下|处理|P一下|p一下|P下|p下|P掉|p掉|去掉|弄掉|"
        r"去一下|搞定|解决一下|解决|弄一下|搞一下|整一下|去除|修掉|消除)(?:吧|呀|啊|哈|呢)?")
_PHOTO = r"(?:这张|那张)?(?:照片|图片|画面|图像|图|相片|老照片)?(?:上|里|中)?(?:的)?"
_OPPOSITE = {"暗": "亮", "黑": "亮", "亮": "暗", "模糊": "清晰", "糊": "清晰", "虚": "清晰", "灰": "通透", "花": "清晰"}
_PLACE_AGAIN = r"(^|,)([^,]+?(?:上面|里面|上|里|中))(?:再|又|还)(?=[加放添摆画])"
_MEASURED = {"瘦个脸": "瘦脸", "洗个澡": "洗澡", "理个发": "理发", "剪个头": "剪头发", "化个妆": "化妆"}
_UP = "加强|增强|提高|提升|增加|调高|拉高|加大|加|提"
BUT = r"^(?:但是|但|不过|可是)(?=.)"


def only_opener(text):
    """True when the whole instruction only says 'fix it' (修一下, 帮我P一下图)."""
    return bool(re.fullmatch(rf"\s*{_OPENER}\s*[,.!?]*\s*", text))


def _defect(problem):
    found = [d for d in DEFECTS if d in problem]
    return max(found, key=len) if found else None


def _fix(m):
    """照片有划痕，修一下 -> 去掉划痕; 照片太暗，帮我P一下 -> 照片亮一点; 噪点太多，处理一下 -> 减少噪点."""
    lead, problem = m.group(1), m.group(2).strip()
    defect = _defect(problem)
    if defect:
        return f"{lead}{'减少' if defect == '噪点' else '去掉'}{defect}"
    dark = re.fullmatch(rf"{_PHOTO}(.*?)(?:太|有点|有些|过于|太过|很|偏|发)({'|'.join(_OPPOSITE)})(?:了|啦)?", problem)
    if dark:
        return f"{lead}{dark.group(1)}{_OPPOSITE[dark.group(2)]}一点"
    there = re.fullmatch(rf"{_PHOTO}(.+?)(里|上|中)?有(?:个|一个|些|一些|很多|好多|几个)?(.+?)(?:了)?", problem)
    if there and kinds(there.group(1)) & set("NPM") and kinds(there.group(3)) & set("NPMT"):  # 背景里有个路人
        return f"{lead}把{there.group(1)}{there.group(2) or '里'}的{there.group(3)}去掉"
    many = re.fullmatch(rf"{_PHOTO}(?:有|多了|多出)(?:个|一个|些|一些|很多|好多|几个)?(.+?)(?:了)?", problem) or \
        re.fullmatch(rf"{_PHOTO}(.+?)(?:太多|太明显|很多|好多|太重|严重|明显)(?:了|啦)?", problem)
    if many and kinds(many.group(1)) & set("NPM"):
        return f"{lead}去掉{many.group(1)}"
    return f"{lead}{problem}"  # the problem alone: a complaint is read as "make it less …"


def rewrite(text):
    """Whole-instruction rewrites, before `builtin` cuts clauses at 再 (the punctuation is ASCII)."""
    text = re.sub(rf"(^|,)([^,]+?),\s*{_FIX}\s*[.!]?\s*$", _fix, text)
    text = re.sub(_PLACE_AGAIN, r"\1\2", text)  # 草地上再加三只猫: one clause, the place first
    text = re.sub(rf"(^|,)([^,]{{1,6}}?)(?:不够|不足|太低|偏低)(?:了|啦)?\s*,\s*(?:再)?(?:{_UP})(?:一点|一些|点|些|一下)?(?=$|,)",
                  r"\1增加\2", text)  # 对比度不够，加强一点 -> increase the contrast
    text = re.sub(r"(^|,)([^,]{1,6}?)(?:不够|不足|太低|偏低)(?:了|啦)?\s*,(?=[^,]{2,})", r"\1", text)  # the next clause fixes it
    return text


def normalize(c):
    """Clause rewrites that the sentence patterns then read."""
    for long, short in _MEASURED.items():
        c = c.replace(long, short)
    c = re.sub(r"(?<=[瘦洗剪理化])个(?=[\u4e00-\u9fff]{1,2}$)", "", c)
    c = re.sub(r"(?:别|不要|不能|别让它|不许)(?:变|改变|变化|动|改)$", "不变", c)  # 五官别变 -> 五官不变
    return c


_HAIR = {"短发": "short", "长发": "long", "卷发": "curly", "直发": "straight", "波浪卷": "wavy", "大波浪": "wavy",
         "寸头": "buzzed", "平头": "buzzed", "金发": "blonde", "白发": "white", "黑发": "black", "红发": "red",
         "棕发": "brown", "银发": "silver", "蓝发": "blue", "粉发": "pink", "紫发": "purple", "灰发": "gray",
         "花白": "gray", "斑白": "gray", "光头": "bald", "秃头": "bald"}
_HAIR_RE = "|".join(sorted(_HAIR, key=len, reverse=True))


def _hair(subject, x, y):
    """换成短发 -> 'make the hair short'; 给她剪成短发 -> 'give her short hair'; 染成红发 -> 'make his hair red'."""
    owner = re.sub(r"(的)?(头发|发型|发色|发)$", "", x or "")
    who = noun_phrase(owner, "old") if owner else subject
    if _HAIR[y] == "bald":
        return f"make {who or 'the person'} bald"
    if who and _HAIR[y] in ("short", "long", "curly", "straight", "wavy"):
        return f"give {who} {_HAIR[y]} hair"  # 让这个男人留长发 -> give this man long hair
    hair = f"{who}'s hair" if who and who not in ("him", "her", "them", "it") else \
        {"him": "his hair", "her": "her hair", "them": "their hair"}.get(who, "the hair")
    return f"make {hair} {_HAIR[y]}"


def _decorate(subject, x, y, tail=""):
    """布置成圣诞风 -> 'decorate it in a Christmas style'; 布置成海洋主题 -> 'decorate it with an ocean theme'."""
    style = noun_phrase(y, "adj")
    if not kinds(y) or kinds(y) & set("V?"):
        return None
    style = re.sub(r"^(?:a|an|the) ", "", style)
    style = re.sub(r"[- ]style$", "", style)
    target = noun_phrase(x, "old") if x and x not in ("整体", "照片", "画面") else subject or "it"
    article = "an" if style[:1].lower() in "aeiou" else "a"
    return f"decorate {target} with {article} {style} theme" if tail == "主题" else f"decorate {target} in {article} {style} style"


def _feel(subject, x, y):
    """整成梵高星空那种感觉 -> 'make it look like Van Gogh's The Starry Night'."""
    if not kinds(y) or kinds(y) & set("V?"):
        return None
    look = _feel_of(y) or noun_phrase(y, "adj")
    if look.startswith("in the style of ") or look.endswith(" style"):
        return f"make {noun_phrase(x, 'old') if x and x not in ('整体', '照片', '图片', '画面') else subject or 'it'} {look}"
    target = noun_phrase(x, "old") if x and x not in ("整体", "照片", "图片", "画面") else (subject or "it")
    return f"make {target} look like {look}"


def _grade(subject, y):
    """调个日系小清新的色 -> 'give it a fresh Japanese-style color grade'."""
    found = kinds(y)
    if not found or found & set("V?NP"):
        return None
    words = []
    for part in re.findall(r"日系|韩系|港风|小清新|胶片|复古|电影|冷|暖|[\u4e00-\u9fff]{2,}", y):
        words.append({"日系": "Japanese-style", "韩系": "Korean-style", "港风": "Hong Kong-style", "小清新": "fresh",
                      "胶片": "film", "复古": "vintage", "电影": "cinematic", "冷": "cool", "暖": "warm"}.get(part)
                     or noun_phrase(part, "adj"))
    words.sort(key=lambda w: w != "fresh")  # opinion before origin: a fresh Japanese-style grade
    english = " ".join(words)
    return f"give {subject or 'it'} {'an' if english[:1] in 'aeiou' else 'a'} {english} color grade"


def _feel_of(y):
    """梵高星空 -> "Van Gogh's starry sky" (an artist before a thing owns it)."""
    toks = [t for t in tokens(y) if t[0] != "的"]
    if len(toks) == 2 and toks[0][0] == "T" and toks[0][1].startswith("in the style of ") and toks[1][0] in "NPM":
        return f"{toks[0][1][len('in the style of '):]}'s {toks[1][1]}"
    return None


def _older(subject, x, adj, n):
    """变老大概三十岁 -> 'make this person look about thirty years older'."""
    return years_phrase(subject, x, adj, n).replace(" look ", " look about ", 1)


def dedupe(english):
    """'add a car roof rack to the car' -> 'add a roof rack to the car': the thing does not name its owner again."""
    m = re.match(r"(add|put) (a |an |some |the )?([a-z]+) (.+?) (to|on) the ([a-z]+)$", english)
    if m and m.group(3) == m.group(6):
        article = m.group(2) or ""
        if article.strip() in ("a", "an"):
            article = ("an " if m.group(4)[:1] in "aeiou" else "a ")
        return f"{m.group(1)} {article}{m.group(4)} {m.group(5)} the {m.group(6)}"
    return english


def _more_on(subject, x, where, y):
    """脸上多点皱纹 -> 'add more wrinkles to the face'."""
    if not kinds(y) & set("NPM") or kinds(y) & set("VAC"):
        return None
    thing = noun_phrase(y, "adj")
    place = noun_phrase(x, "old")
    return f"add more {thing} to {place}"


PATTERNS = [
    (r"(.*?)(年轻|老|小|大)(?:了)?(?:大概|大约|约|差不多|将近|至少|起码)([0-9]+|[一两二三四五六七八九十]{1,3})岁", _older),
    (rf"(?:把|将|给)?([^从]*?)(?:换成|变成|剪成|改成|弄成|修成|P成|p成|烫成|染成|换|剪|留|弄|变)(?:个|一个|一头)?({_HAIR_RE})", _hair),
    (rf"(?:把|将)?([^从]*?)(头发|发)(?:变得|变成|变)?({_HAIR_RE})", lambda s, x, h, y: _hair(s, x + h, y)),
    (r"(?:把|将)?(.*?)(?:布置成|装饰成|布置得像|装扮成|布置一下|布置)(.+?)(风格|风|主题|的样子|样子|那样)?", _decorate),
    (r"(?:把|将)?(.*?)(?:整成|弄成|搞成|做成|变成|调成|P成|p成|修成|处理成)(.+?)的?(?:感觉|味道|味儿|氛围|氛围感|效果|样子)",
     _feel),
    (r"(?:调|弄|整|搞|来)(?:个|一个|一下)(.+?)的?(?:色|色调|调色|颜色|滤镜色)", _grade),
    (r"(?:给|在)?(.+?)(上|里)(?:再)?多(?:一点|一些|点|些|加点|加一些|加些|加)(.+)", _more_on),
]


_DANGLING = r"(?:\s+(?:and|the|a|an|of|to|into|in|on|with|at|by|for|from|as|some|its|his|her|their))+$"


def drop_chinese(english):
    """The English without the Chinese that no rule understood: 'turn the sky into 𪚥' -> 'turn the sky'."""
    english = CHINESE_RUN.sub("\0", english)  # the article before a piece and an "and" on one side go with it
    english = re.sub(r"(?:\b(?:a|an|the|some|and)\s+)*\0+(?:\s+and\b)?", " ", english)
    english = re.sub(r"\s+", " ", english).strip(" ,.;")
    english = re.sub(r"\s+and\s*$|^\s*and\s+", "", english)
    english = re.sub(_DANGLING, "", " " + english).strip()
    return re.sub(r"\s+", " ", english)

CUTTERS = {PATTERNS[0][0]}  # 变老大概三十岁: jieba's 变老 is cut on purpose
