"""Sentence patterns of photo retouching for the built-in translator (issue 33).

The verbs of a retouch, which the general patterns of `builtin.py` read word by word (提亮人脸 ->
"carry bright person's face", 让光线从左边打过来 -> "light left dozen"):
  - brighter / darker: 提亮人脸, 把背景调暗, 调暗天空 -> "make the face brighter", "make the sky darker";
  - light from a side: 让光线从左边打过来, 从右边打光 -> "light from the left"; 给人物打光/补光 ->
    "add light to the person";
  - repairs: 修复老照片 -> "restore the old photo", 修复划痕 -> "remove the scratches" (a flaw of
    `edit_vocab.DEFECTS` is taken away, anything else restored), 把破损的墙壁修好 -> "repair ...";
  - likeness: 保持颜色与原照片一致 -> "keep the colors the same as the original photo", 把颜色调得和原图
    一致 -> "make the colors match the original image";
  - blur and sharpen: 把背景虚化 -> "blur the background".
`PATTERNS` is a list of (regular expression, handler) tried before the general patterns; a handler
gets the clause's subject (or None) and the groups, and returns English or None (not its kind).
"""

import re

from .edit_vocab import DEFECTS
from .phrases import noun_phrase

__all__ = ["PATTERNS", "FOLLOWS", "CUTTERS"]

_BRIGHT = "提亮|调亮|加亮|弄亮|打亮|变亮|亮化|增亮|调高亮度|提高亮度"
_DARK = "调暗|压暗|弄暗|变暗|加暗|压低|调低亮度|降低亮度"
_REPAIR = "修复|修补|修理|修整|复原|还原|修好"
_LIGHT = {"光线": "light", "光源": "light", "灯光": "light", "主光": "light", "光": "light", "侧光": "light",
          "阳光": "sunlight", "太阳光": "sunlight", "日光": "sunlight", "月光": "moonlight"}
_SIDES = {"左边": "the left", "左侧": "the left", "左面": "the left", "左方": "the left",
          "右边": "the right", "右侧": "the right", "右面": "the right", "右方": "the right",
          "上面": "above", "上方": "above", "头顶": "above", "顶部": "above", "上边": "above", "天上": "above",
          "下面": "below", "下方": "below", "底部": "below", "下边": "below",
          "后面": "behind", "背后": "behind", "后方": "behind", "身后": "behind",
          "前面": "the front", "前方": "the front", "正面": "the front",
          "侧面": "the side", "旁边": "the side", "侧边": "the side",
          "左上方": "the upper left", "左上角": "the upper left", "右上方": "the upper right", "右上角": "the upper right"}
_ASPECTS = {"颜色": "the colors", "色彩": "the colors", "色调": "the tone", "整体色调": "the overall tone",
            "整体颜色": "the overall colors", "肤色": "the skin tone", "光线": "the lighting", "亮度": "the brightness",
            "风格": "the style", "构图": "the composition", "画风": "the style"}


def _re(words):
    return "|".join(sorted(words, key=len, reverse=True))


def _thing(subject, x):
    """The English of what an edit acts on: an aspect (颜色 -> the colors), a noun phrase, or the photo."""
    x = re.sub(r"^(把|将|给|让|使|对)|(再|更|更加|得)$", "", x or "")
    if not x:
        return subject or "it"
    if x in _ASPECTS:
        return _ASPECTS[x]
    owner = re.fullmatch(r"(.+?)的(颜色|色彩|色调|肤色|光线|亮度|风格)", x)
    if owner:  # 照片的颜色 -> the photo's colors
        return f"{noun_phrase(owner.group(1), 'old')}'s {_ASPECTS[owner.group(2)][4:]}"
    return noun_phrase(x, "old")


_IMAGE = ("画面", "整体", "整个画面", "整张图", "整张照片", "整张图片", "全图", "图", "图片", "照片", "图像", "这张图",
          "这张照片", "整幅画")  # the whole image: 把画面调暗 -> make it darker


def _lighter(subject, x, verb, _rest=""):
    more = "brighter" if re.fullmatch(_BRIGHT, verb) else "darker"
    return f"make {'it' if x in _IMAGE else _thing(subject, x)} {more}"


def _repair(subject, x, verb):
    """修复 X: a flaw is removed, something damaged repaired, anything else restored."""
    target = _thing(subject, x) if x else "the photo"
    damage = re.fullmatch(r"(.+?)的?(?:破损|损坏|损伤)(?:处|的地方|的部分|部分)?", x or "")
    if damage:  # 把照片的破损修复一下 -> repair the damage to the photo
        return f"repair the damage to {noun_phrase(damage.group(1), 'old')}"
    if verb == "修补":  # 把墙上的裂缝修补好 -> mend the crack on the wall
        return f"mend {target}"
    if re.search(f"({'|'.join(DEFECTS)})$", x or ""):
        return f"remove {target}"
    if re.search(r"破|损|撕|裂|坏", x or "") or verb in ("修理", "修好"):
        return f"repair {target}"
    return f"restore {target}"


def _alike(subject, x, verb, y, _word):
    """X 与 Y 一致: keep X the same as Y; with a verb of change (调得) make X match Y."""
    if verb:
        return f"make {_thing(subject, x)} match {noun_phrase(y, 'old')}"
    return f"keep {_thing(subject, x)} the same as {noun_phrase(y, 'old')}"


PATTERNS = [
    # light from a side: 让光线从左边打过来 (过来 is dropped by builtin._normalize), 从右边打光
    (rf"(?:让|使|把|将)?({_re(_LIGHT)})从({_re(_SIDES)})(?:打|照射|照|射|投射|投|洒|来|打光)?(?:进来|进|下来)?",
     lambda s, light, side: f"{_LIGHT[light]} from {_SIDES[side]}"),
    (rf"(?:在)?从({_re(_SIDES)})(?:打光|补光|打灯|照光|打|照)(?:光|光线)?", lambda s, side: f"light from {_SIDES[side]}"),
    (r"(?:给|为|对)(.+?)(?:打|补|加)(?:个|点|一点|一下)?光", lambda s, x: f"add light to {_thing(s, x)}"),
    (r"(?:打|补)(?:个|点|一点|一下)?光", lambda s: f"add light to {s}" if s and s != "it" else "add soft lighting"),
    # brighter, darker
    (rf"(?:把|将|给|让|使)?(.*?)({_BRIGHT}|{_DARK})(?:一点|一些|点|些|一下)?", _lighter),
    (rf"({_BRIGHT}|{_DARK})(?:一下)?(.+)", lambda s, verb, x: _lighter(s, x, verb)),
    # repairs
    (rf"(?:把|将|给)(.+?)({_REPAIR}|修)(?:一下)?", _repair),
    (rf"({_REPAIR})(?:一下)?(.*)", lambda s, verb, x: _repair(s, x, verb)),
    (rf"(老照片|旧照片|照片|这张照片|这张老照片|图片|人像|脸部|皮肤)({_REPAIR})(?:一下)?", lambda s, x, verb: _repair(s, x, verb)),
    # likeness
    (r"(?:保持|让|使|把|将)?(.+?)(调得|调成|弄得|改得|修得|变得)?(?:与|和|跟|同)(.+?)(?:保持)?(一致|一样|相同|统一)(?:的)?",
     _alike),
    (r"(?:保持|让|使)(.+?)(?:保持)?(?:一致|一样|相同|统一)", lambda s, x: f"keep {_thing(s, x)} the same"),
    # blur, sharpen
    (r"(?:把|将)(.+?)(虚化|模糊化|模糊掉|糊掉|弄模糊)", lambda s, x, v: f"blur {_thing(s, x)}"),
    (r"(虚化|模糊化)(.+)", lambda s, v, x: f"blur {_thing(s, x)}"),
    (r"(背景|前景|脸|人脸|天空|车牌|水印|路人)(虚化|模糊化|模糊掉|打码|糊掉)", lambda s, x, v: f"blur {_thing(s, x)}"),
    (r"(?:把|将)(.+?)(锐化)", lambda s, x, v: f"sharpen {_thing(s, x)}"),
    (r"(锐化)(.+)", lambda s, v, x: f"sharpen {_thing(s, x)}"),
]

# patterns that may cut a curated word: 把背景虚化 is 背景 + 虚化, though 背景虚化 is a word ("blurred background")
CUTTERS = {pattern for pattern, _handler in PATTERNS if "虚化" in pattern or "锐化" in pattern}

# A clause that goes on with the subject of the clause before (让她微笑，并且看向镜头; 把头发变成金色并且变长):
# it starts with one of these verbs and has no subject of its own.
FOLLOWS = r"(?:变|更|换成|改成|站|坐|躺|趴|走|跑|看|望|笑|微笑|哭|穿|戴|拿|抱|举|闭|睁|张|转|低头|抬头|挥手|跳)"
