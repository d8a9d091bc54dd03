"""The built-in offline translator on realistic edit instructions, scored by key English words.

CASES is the development set (the vocabulary was tuned on it); HELD_OUT was written after the
vocabulary was finished and never tuned against, so its score is an honest estimate. Both scores
and their misses are printed (run with `-s`) and written to `out/zh_en_score.json`.
First measurement: development 91/93 before tuning, 93/93 after; held-out 13/20 (all 7 misses are
words missing from the vocabulary; 6/20 came out with no Chinese left). Two generic fixes made
after seeing it (measure words 幅/对 etc., "the" before a scene as object) changed no key-word score.

Second round (vocabulary broadened by category from ~720 to ~2,400 words, traditional table from
~213 to ~600 characters). HELD_OUT_2 (40 everyday instructions) was written before any change and
scored 15/40 usable (17/40 with no Chinese left) with the old code. After: 40/40 (40/40 complete),
but that number is not clean: its misses were seen while the vocabulary was written, and some
words and three pattern fixes (让 X 出现/结冰, 远处/左边 spots, 化妆) were prompted by them. The
first held-out set went from 13/20 to 20/20 (its misses were listed to the author beforehand).
HELD_OUT_3 (15 instructions) was written after everything else was finished and never tuned
against: its score is the honest one: 14/15 usable, 12/15 with no Chinese left (the old code:
8/15 and 6/15). Its miss: 暖黄色调 (warm yellow tone); leftovers: 桌 alone, 照片右边的 (on the right
of the photo); "a sleep cat" for 睡觉的猫.
"""

import json
import pathlib
import re

import pytest
from hypothesis import given, settings, strategies as st

from ip2p_nb.translation.builtin import translate_zh
from ip2p_nb.translation.lexicon import to_simplified
from ip2p_nb.translation.vocab import WORDS

# (instruction, key English words that must all appear, case-insensitive substrings)
CASES = [
    # colours
    ("把汽车变成红色", ["car", "red"]),
    ("把墙涂成蓝色", ["wall", "blue"]),
    ("把她的头发染成金色", ["hair", "gold"]),
    ("把猫变成黑色的", ["cat", "black"]),
    ("让天空更蓝一点", ["sky", "blue"]),
    ("把裙子换成粉红色", ["dress", "pink"]),
    ("把照片变成黑白", ["black and white"]),
    ("把眼睛变成绿色", ["eyes", "green"]),
    ("把树叶变成黄色", ["leaves", "yellow"]),
    ("把房子刷成白色", ["house", "white"]),
    # seasons, weather, time of day
    ("把天空换成夜晚", ["sky", "night"]),
    ("让它下雪", ["snow"]),
    ("变成冬天", ["winter"]),
    ("换成秋天", ["autumn"]),
    ("变成春天", ["spring"]),
    ("变成夏天的样子", ["summer"]),
    ("让它下雨", ["rain"]),
    ("变成日落时分", ["sunset"]),
    ("改成黄昏", ["dusk"]),
    ("把白天变成晚上", ["night"]),
    ("加上大雾", ["fog"]),
    ("变成暴风雨天气", ["storm"]),
    ("变成雪景", ["snow"]),
    ("让画面变成清晨", ["morning"]),
    # add objects
    ("加一只狗", ["add", "dog"]),
    ("在天空中加一道彩虹", ["rainbow", "sky"]),
    ("在桌子上放一个苹果", ["apple", "table"]),
    ("添加烟花", ["add", "fireworks"]),
    ("天空中有很多星星", ["star", "sky"]),
    ("在草地上加几朵花", ["flower", "meadow"]),
    ("加上一轮月亮", ["moon"]),
    ("在湖面上加一只天鹅", ["swan", "lake"]),
    ("加一个雪人", ["snowman"]),
    ("在背景里加一座城堡", ["castle", "background"]),
    # remove objects
    ("去掉背景里的人", ["remove", "person", "background"]),
    ("删除所有的树", ["remove", "tree"]),
    ("把帽子去掉", ["remove", "hat"]),
    ("移除路上的汽车", ["remove", "car", "road"]),
    ("去掉他的眼镜", ["remove", "glasses"]),
    ("拿掉桌子上的杯子", ["remove", "cup", "table"]),
    # clothing and accessories
    ("给猫戴上帽子", ["hat", "cat"]),
    ("给他穿上西装", ["suit"]),
    ("给女孩戴上一顶红色的帽子", ["red", "hat", "girl"]),
    ("给狗戴上墨镜", ["sunglasses", "dog"]),
    ("让她穿上婚纱", ["wedding dress"]),
    ("给他戴上皇冠", ["crown"]),
    ("给男人加上胡子", ["beard", "man"]),
    ("把他的衣服换成红色的西装", ["red", "suit"]),
    ("给小狗穿上毛衣", ["sweater", "puppy"]),
    ("给她戴上项链", ["necklace"]),
    # styles
    ("变成梵高风格", ["Van Gogh"]),
    ("把照片变成油画", ["oil painting"]),
    ("水彩画风格", ["watercolor"]),
    ("变成素描", ["sketch"]),
    ("动漫风格", ["anime"]),
    ("变成二次元", ["anime"]),
    ("赛博朋克风格", ["cyberpunk"]),
    ("变成像素风", ["pixel"]),
    ("变成浮世绘", ["ukiyo-e"]),
    ("皮克斯风格", ["Pixar"]),
    ("用莫奈的风格画", ["Monet"]),
    ("变成水墨画", ["ink"]),
    ("变成宫崎骏的画风", ["Ghibli"]),
    ("变成乐高", ["LEGO"]),
    # people and animals
    ("把猫变成老虎", ["tiger"]),
    ("把狗换成一只熊猫", ["panda"]),
    ("让他微笑", ["smile"]),
    ("把这个男人变老", ["man", "old"]),
    ("让她看起来更年轻", ["young"]),
    ("让她看起来像一个机器人", ["robot"]),
    ("把人变成僵尸", ["zombie"]),
    ("把马变成独角兽", ["unicorn"]),
    # materials
    ("把房子变成木头做的", ["house", "wood"]),
    ("把雕像变成金子做的", ["statue", "gold"]),
    ("把杯子变成玻璃材质", ["cup", "glass"]),
    ("让它变成冰雕", ["ice"]),
    # backgrounds and places
    ("把背景换成海滩", ["background", "beach"]),
    ("把背景改成森林", ["background", "forest"]),
    ("背景换成雪山", ["background", "snow", "mountain"]),
    ("把城市变成废墟", ["city", "ruins"]),
    ("把草地变成沙漠", ["desert"]),
    # light and adjectives
    ("让画面更亮一点", ["bright"]),
    ("变暗一点", ["dark"]),
    ("让它看起来更可怕", ["scar"]),
    ("让照片更清晰", ["sharp"]),
    # traditional characters
    ("把貓變成狗", ["cat", "dog"]),
    ("給他戴上眼鏡", ["glasses"]),
    ("變成雪景", ["snow"]),
    ("把天空換成夜晚", ["sky", "night"]),
    # mixed Chinese / English
    ("把 cat 变成 dog", ["cat", "dog"]),
    ("变成 Van Gogh 风格", ["Van Gogh"]),
    ("给他戴上 Ray-Ban 墨镜", ["Ray-Ban", "sunglasses"]),
    ("把背景换成 Paris", ["background", "Paris"]),
]

# Written after the vocabulary was finished; not tuned against.
HELD_OUT = [
    ("把天空变成粉色的晚霞", ["sky", "pink"]),
    ("给小女孩戴上一个花环", ["flower crown", "girl"]),
    ("让这只狗穿上雨衣", ["raincoat", "dog"]),
    ("把湖水变成冰", ["lake", "ice"]),
    ("去掉照片里的电线杆", ["remove", "pole"]),
    ("把他变成一个老爷爷", ["old man"]),
    ("加上飘落的樱花", ["cherry blossoms"]),
    ("变成一幅中国水墨画", ["ink"]),
    ("让夕阳更红一些", ["sunset", "red"]),
    ("把沙发换成皮沙发", ["sofa", "leather"]),
    ("在窗户上加一些雨滴", ["window", "rain"]),
    ("把街道变成威尼斯的运河", ["street", "canal"]),
    ("让猫看起来很生气", ["cat", "angry"]),
    ("把衬衫变成格子衬衫", ["plaid", "shirt"]),
    ("變成秋天的楓葉", ["autumn", "maple"]),
    ("给这个人加上一对翅膀", ["wings"]),
    ("把公路变成一条河", ["road", "river"]),
    ("让画面看起来像老电影", ["old", "film"]),
    ("把 teddy bear 变成真的熊", ["teddy bear", "bear"]),
    ("把背景换成外太空", ["background", "space"]),
]

# Written before the second vocabulary round; scored 15/40 then (see the docstring).
HELD_OUT_2 = [
    ("让他笑一笑", ["smil"]),
    ("把她变老", ["her", "old"]),
    ("让这个女人变年轻", ["woman", "young"]),
    ("把她的头发染成红色", ["hair", "red"]),
    ("给她化一个浓妆", ["makeup"]),
    ("给他戴上一副圆框眼镜", ["round", "glasses"]),
    ("把狗变成一只狼", ["dog", "wolf"]),
    ("给小猫戴上蝴蝶结", ["bow", "kitten"]),
    ("把盘子里的牛排换成寿司", ["steak", "sushi"]),
    ("在蛋糕上加几根蜡烛", ["candle", "cake"]),
    ("把咖啡变成奶茶", ["coffee", "milk tea"]),
    ("去掉路边的垃圾桶", ["remove", "trash"]),
    ("把路灯换成灯笼", ["street lamp", "lantern"]),
    ("去掉红绿灯", ["remove", "traffic light"]),
    ("把背景换成东京的街头", ["background", "Tokyo", "street"]),
    ("背景换成埃菲尔铁塔", ["background", "Eiffel Tower"]),
    ("在远处加上长城", ["Great Wall"]),
    ("把山变成火山", ["mountain", "volcano"]),
    ("让湖面结冰", ["lake", "fro"]),
    ("把房间变成图书馆", ["room", "library"]),
    ("把墙纸换成砖墙", ["wall", "brick"]),
    ("把木地板换成地毯", ["floor", "carpet"]),
    ("把汽车变成一辆老爷车", ["car", "vintage car"]),
    ("把自行车换成摩托车", ["bicycle", "motorcycle"]),
    ("让天空出现极光", ["aurora"]),
    ("把晴天变成阴天", ["cloudy"]),
    ("加上闪电和乌云", ["lightning", "dark cloud"]),
    ("变成深秋的景色", ["autumn"]),
    ("变成赛博朋克的夜景", ["cyberpunk", "night"]),
    ("变成宝丽来照片", ["Polaroid"]),
    ("加上胶片颗粒感", ["film", "grain"]),
    ("变成九十年代的照片", ["1990s"]),
    ("把照片变成铅笔素描", ["pencil", "sketch"]),
    ("变成莫奈的睡莲风格", ["Monet", "water lil"]),
    ("把她的裙子变成丝绸的", ["dress", "silk"]),
    ("把夹克换成牛仔夹克", ["denim jacket"]),
    ("给他戴上一条金项链", ["gold", "necklace"]),
    ("把他的T恤换成条纹衬衫", ["striped", "shirt"]),
    ("把头发变成紫色的短发", ["purple", "short hair"]),
    ("去掉脸上的痘痘", ["remove", "acne"]),
]

# Written after the second round was finished and committed; never tuned against.
HELD_OUT_3 = [
    ("把这张自拍变成漫画风格", ["comic"]),
    ("让奶奶的头发变成黑色", ["grandmother", "hair", "black"]),
    ("给小狗戴上一条红色的围巾", ["red", "scarf", "puppy"]),
    ("把桌上的手机换成一本书", ["phone", "book"]),
    ("把街道变成下雨的夜晚", ["street", "night", "rain"]),
    ("去掉照片右边的路人", ["remove", "passerby"]),
    ("把金鱼变成锦鲤", ["goldfish", "koi"]),
    ("让他戴上耳机", ["headphones"]),
    ("给蛋糕加上草莓和奶油", ["cake", "strawberr", "cream"]),
    ("把她的口红换成深红色", ["lipstick", "dark red"]),
    ("把老房子变成现代的玻璃建筑", ["house", "modern", "glass"]),
    ("把整张图变成暖黄色调", ["warm", "yellow"]),
    ("在窗台上放一只睡觉的猫", ["windowsill", "cat"]),
    ("让这个男孩看起来像个海盗", ["boy", "pirate"]),
    ("把雪地换成金色的麦田", ["golden", "wheat field"]),
]


def _score(cases):
    misses = []
    for zh, keys in cases:
        english, _complete = translate_zh(zh)
        if not all(k.lower() in english.lower() for k in keys):
            misses.append({"zh": zh, "english": english, "keys": keys})
    return misses


def _record(name, cases, misses):
    usable = len(cases) - len(misses)
    print(f"\n{name}: {usable}/{len(cases)} usable")
    for miss in misses:
        print(f"  MISS {miss['zh']} -> {miss['english']!r} (needs {miss['keys']})")
    out = pathlib.Path(__file__).resolve().parent.parent / "out"
    out.mkdir(exist_ok=True)
    path = out / "zh_en_score.json"
    scores = json.loads(path.read_text()) if path.exists() else {}
    scores[name] = {"usable": usable, "total": len(cases), "misses": misses}
    path.write_text(json.dumps(scores, ensure_ascii=False, indent=1))
    return usable


def test_development_set_is_at_least_90_percent_usable():
    assert len(CASES) >= 80
    misses = _score(CASES)
    usable = _record("development", CASES, misses)
    assert usable >= 0.9 * len(CASES), misses


def test_held_out_score_is_recorded():
    if not HELD_OUT:
        pytest.skip("no held-out set")
    misses = _score(HELD_OUT)
    usable = _record("held_out", HELD_OUT, misses)
    assert usable >= 0.6 * len(HELD_OUT), misses  # a floor, not a target: the score is reported


def test_second_held_out_score_is_recorded():
    misses = _score(HELD_OUT_2)
    usable = _record("held_out_2", HELD_OUT_2, misses)
    assert usable >= 0.8 * len(HELD_OUT_2), misses  # a floor, not a target: the score is reported


def test_third_held_out_score_is_recorded():
    misses = _score(HELD_OUT_3)
    usable = _record("held_out_3", HELD_OUT_3, misses)
    assert usable >= 0.6 * len(HELD_OUT_3), misses  # a floor, not a target: the score is reported


@pytest.mark.parametrize("zh, english", [
    ("把天空换成夜晚", "turn the sky into night"),
    ("给猫戴上帽子", "put a hat on the cat"),
    ("让它下雪", "make it snow"),
    ("变成梵高风格", "make it in the style of Van Gogh"),
    ("把 cat 变成 dog", "turn the cat into a dog"),
    ("把背景换成海滩", "replace the background with a beach"),
    ("两只猫", "two cats"),
])
def test_exact_sentences(zh, english):
    assert translate_zh(zh) == (english, True)


def test_unknown_chinese_is_kept_and_flagged():
    # 𪚥 (four dragons) is in neither the curated vocabulary nor CC-CEDICT
    english, complete = translate_zh("把天空变成𪚥")
    assert not complete
    assert "sky" in english and "𪚥" in english


@pytest.mark.parametrize("text", ["", "   ", "，。！", "的的的", "把", "给给", "让", "变成", "𠀀𠀁", "abc"])
def test_odd_input_does_not_crash(text):
    english, complete = translate_zh(text)
    assert isinstance(english, str) and isinstance(complete, bool)


_PIECES = st.sampled_from(list("把将给让在用的了一只个上里变成换去掉加戴风格更点，。 ") + ["cat", "Ray-Ban", "魑", "𠀀"]
                          + list(WORDS)[:200])


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=12).map("".join))
def test_any_mix_of_pieces_translates_without_crashing(text):
    english, complete = translate_zh(text)
    assert isinstance(english, str)
    if complete and text.strip(" ，。"):
        assert not re.search(r"[\u3400-\u9fff\U00020000-\U0002fa1f]", english)


def test_traditional_text_maps_to_simplified_words():
    assert to_simplified("把貓變成龍") == "把猫变成龙"
    assert to_simplified("把白天改為夜晚，路燈都亮起來") == "把白天改为夜晚，路灯都亮起来"


def test_english_words_are_kept_verbatim():
    english, complete = translate_zh("给他戴上 Ray-Ban 墨镜")
    assert "Ray-Ban" in english and complete
    assert not re.search(r"[\u4e00-\u9fff]", english)
