"""The kinds of colloquial instruction that issue 33's second pass taught the built-in translator.

Each case is a sentence of one kind (none of them is in a reference or evaluation set); the English
is what the translator must give, word for word, so a change that garbles a kind fails here before
it shows in a chrF figure. The kinds are described in ip2p_nb/translation/colloquial.py.
"""

import pytest

from ip2p_nb.translation.builtin import translate_zh


def en(zh):
    english, complete = translate_zh(zh)
    assert complete, english
    return english


@pytest.mark.parametrize("zh, want", [
    # verb + result complement read as one verb
    ("让山上盖满积雪", "cover the mountain with snow"),
    ("地板上铺满玫瑰花瓣", "cover the floor with rose petals"),
    ("清理掉地上的垃圾", "remove the trash on the ground"),
    ("把桌子上的杂物清理掉", "remove the junk on the table"),
    ("把背景里的车都去掉", "remove all the cars in the background"),
    ("把嘴唇颜色加深一点", "make the lips darker"),
    ("把妆容弄淡一点", "make the makeup lighter"),
    ("让猫变大一倍", "make the cat twice as big"),
    # 加点 / 来点 / 多一点 / 少一点
    ("来点彩虹", "add some rainbows"),
    ("加些气球", "add some balloons"),
    ("多加几朵云", "add more clouds"),
    ("阳光再多一些", "add more sunlight"),
    ("给整个画面加点滤镜，要日系的", "add a Japanese-style filter to the whole image"),
    # numbers and measure words
    ("让妈妈看起来年轻二十岁", "make the mother look twenty years younger"),
    ("把他P老十岁", "make him look ten years older"),
    ("加一道彩虹", "add a rainbow"),
    ("在桌子上加一杯咖啡", "add a cup of coffee on the table"),
    ("把三个人换成两个人", "replace the three people with two people"),
    ("把我P瘦一点，腿拉长", "make me thinner and make the leg longer"),
    ("让她闭上眼睛微笑", "make her close her eyes and smile"),
    ("给金鱼缸里加点水草", "add some water plants in the fishbowl"),
    ("把饭菜P得更好吃一点", "make the food more delicious"),
    ("让这张证件照的背景变成蓝色", "make the background blue"),
    ("加3只小鸭子在池塘里", "add three small ducks in the pond"),
    ("给这只狗狗P一个墨镜和金链子", "add sunglasses and a golden chain to this dog"),
    ("能不能让她的笑容自然一点呀", "make her smile more natural"),
    ("这个背景太丑了，换个好看点的", "make this background prettier"),
    ("整张图太暗了，然后人脸也有点黄", "make it less dark and make the face less yellow"),
    ("我想把这张自拍弄成动漫头像", "make this selfie an anime-style portrait"),
    ("把天空的云去掉一些", "remove some of the clouds in the sky"),
    ("加一道彩虹和几朵白云", "add a rainbow and some white clouds"),
    ("让宝宝看起来大一岁", "make the baby look one year older"),
    # places and owners
    ("在他头上加一个光环", "add a halo on his head"),
    ("修复这张老照片上的划痕", "remove the scratches on this old photograph"),
    ("路边停一辆红色的跑车", "add a red sports car by the road"),
    ("把背景的人群P掉，只留下主角", "remove the crowd in the background and keep the main subject"),
    ("晚上的城市，加一点霓虹灯", "make it a city at night and add some neon lights"),
    ("把左边的人往右边移一点", "move the person on the left to the right"),
    ("让照片看起来像是在雪地里拍的", "make it look like it was taken in the snowfield"),
    ("让河面上漂着几只小船", "add some small boats floating on the river"),
    ("把人物P到埃菲尔铁塔前面", "put the person in front of the Eiffel Tower"),
    # styles
    ("宫崎骏动画风格", "make it a cartoon in the style of Studio Ghibli"),
    ("改成中国风的插画", "make it a Chinese-style illustration"),
    ("我想要赛博朋克风格的夜景", "make it a cyberpunk-style night scene"),
    ("弄成皮克斯动画的样子", "make it a Pixar 3D animation"),
    ("帮我换个发色，要粉色的", "make the hair color pink"),
    # openers, complaints, negation
    ("能把她的头发改短吗", "make her hair shorter"),
    ("给我整个下雪天", "make it a snowy day"),
    ("照片有点暗，调亮一点吧", "make it brighter"),
    ("颜色太艳了", "make the colors less vivid"),
    ("别让他闭眼", "do not make him close his eyes"),
    ("背景不要太亮", "do not make the background too bright"),
    ("别把脸修得太白", "do not make the face too white"),
    ("不要有文字", "remove the text"),
    ("人物脸部太暗，补一下光", "add light to the person's face"),
    # the nouns and verbs of photo editing
    ("把曝光调低一点，高光压一下", "reduce the exposure and tone down the highlights"),
    ("把画面整体色调调成暖黄色", "make the overall tone warm yellow"),
    ("加一束光从窗户照进来", "add a beam of light shining in through the window"),
    ("画面有点灰，去一下灰", "remove the haze"),
    ("增加一点对比度", "increase the contrast"),
    ("减少噪点", "reduce the noise"),
    ("加点电影感", "make it more cinematic"),
    ("让照片更有质感", "give it more texture"),
    ("瘦脸瘦身", "slim the face and slim the body"),
    ("给人物磨皮", "smooth the skin"),
    ("背景虚化一下", "blur the background"),
    ("让路灯全部亮起来", "turn on all the street lamps"),
])
def test_a_colloquial_kind_reads_like_a_person(zh, want):
    assert en(zh) == want


@pytest.mark.parametrize("zh", ["把她", "能把她", "在", "给", "把天空换成", "不要", "太", "加点", "要的", "，，要日系的"])
def test_fragments_do_not_raise(zh):
    """Half sentences (a user still typing) give some English or the text back, never an exception."""
    english, _complete = translate_zh(zh)
    assert isinstance(english, str) and english


def test_a_pattern_does_not_cut_a_word_when_a_longer_match_fits():
    """给整个画面加个滤镜: 整个画面 is one word; the pattern 给 X 加 Y must not read 整个 + 画 ("draw")."""
    assert en("给整个画面加个滤镜") == "add a filter to the whole image"
    assert en("把空调拆掉") == "remove the air conditioner"
