"""The rule writer's vocabulary: what each kind of everyday edit may say and write (data tables, one per kind).

rules.py holds the logic; these tables say, for instance, which objects a colour edit may repaint, what a swap turns a
thing into, and the Chinese of each instruction.
"""
import re

__all__ = ["TIMES", "TIME_PHRASES", "WEATHER", "SEASONS", "STYLES", "ALREADY_ART", "COLOUR_WORDS", "NEW_COLOURS", "PAINTABLE", "SWAPS", "NOUNS_ZH", "PEOPLE", "ANIMALS", "WEAR", "MOODS", "AGES", "AGED", "MATERIALS", "MADE_OF", "MATERIAL_WORDS", "REMOVABLE", "OUTDOOR", "ADDITIONS", "PHRASE_BREAKS", "ARTICLES"]


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
