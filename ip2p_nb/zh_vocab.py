"""The vocabulary of the built-in Chinese -> English translator (`zh_en.py`).

Plain lookup tables, one per word kind, written as `zh=en|zh=en` strings so that a few
hundred entries stay readable. The kind decides how a word is used in a sentence:
  N countable noun ("a hat"), P plural noun ("sunglasses"), M mass noun ("snow"),
  A adjective, C colour, S scene (time of day, season, weather: "make it night"),
  T style (the words after "make it": "in the style of Van Gogh", "an oil painting"),
  V what a subject can be made to do ("make him smile").
Traditional characters are mapped to simplified ones first (`TRAD_TO_SIMP`).
"""

__all__ = ["WORDS", "TRAD_TO_SIMP", "PRONOUNS", "NUMBERS", "MEASURES", "QUANTITIES", "FILLERS", "PLACES",
           "POLITE_HEAD", "POLITE_TAIL", "IRREGULAR_PLURAL", "IRREGULAR_MORE"]

_NOUNS = """
人=person|男人=man|女人=woman|男孩=boy|女孩=girl|小孩=child|孩子=child|婴儿=baby|宝宝=baby|老人=old man|
老太太=old woman|老奶奶=old woman|老爷爷=old man|男子=man|女子=woman|少女=young girl|少年=teenage boy|
士兵=soldier|警察=police officer|医生=doctor|护士=nurse|厨师=chef|宇航员=astronaut|航天员=astronaut|
骑士=knight|国王=king|王后=queen|公主=princess|王子=prince|海盗=pirate|巫师=wizard|女巫=witch|
机器人=robot|僵尸=zombie|吸血鬼=vampire|天使=angel|恶魔=devil|小丑=clown|忍者=ninja|武士=samurai|
超人=Superman|蜘蛛侠=Spider-Man|钢铁侠=Iron Man|蝙蝠侠=Batman|外星人=alien|雪人=snowman|圣诞老人=Santa Claus|
演员=actor|歌手=singer|学生=student|老师=teacher|新娘=bride|新郎=groom|牛仔=cowboy|美人鱼=mermaid|
猫=cat|小猫=kitten|猫咪=cat|狗=dog|小狗=puppy|狗狗=dog|兔子=rabbit|小兔=bunny|老虎=tiger|狮子=lion|
熊=bear|熊猫=panda|北极熊=polar bear|狼=wolf|狐狸=fox|猴子=monkey|大象=elephant|长颈鹿=giraffe|
斑马=zebra|马=horse|独角兽=unicorn|牛=cow|奶牛=cow|猪=pig|小猪=piglet|羊=sheep|山羊=goat|鹿=deer|
老鼠=mouse|松鼠=squirrel|鸟=bird|小鸟=bird|鸭子=duck|鸡=chicken|企鹅=penguin|鹦鹉=parrot|老鹰=eagle|
猫头鹰=owl|天鹅=swan|鸽子=pigeon|鱼=fish|金鱼=goldfish|鲨鱼=shark|鲸鱼=whale|海豚=dolphin|乌龟=turtle|
青蛙=frog|蛇=snake|龙=dragon|恐龙=dinosaur|蝴蝶=butterfly|蜜蜂=bee|蜘蛛=spider|螃蟹=crab|章鱼=octopus|
帽子=hat|礼帽=top hat|棒球帽=baseball cap|草帽=straw hat|皇冠=crown|王冠=crown|头盔=helmet|
围巾=scarf|领带=tie|领结=bow tie|项链=necklace|耳环=earring|戒指=ring|手表=watch|口罩=face mask|
面具=mask|衣服=clothes|西装=suit|裙子=dress|连衣裙=dress|婚纱=wedding dress|外套=coat|大衣=coat|
夹克=jacket|毛衣=sweater|衬衫=shirt|T恤=T-shirt|雨衣=raincoat|盔甲=armor|斗篷=cape|披风=cape|
和服=kimono|汉服=hanfu|旗袍=qipao|校服=school uniform|制服=uniform|宇航服=spacesuit|背包=backpack|
包=bag|雨伞=umbrella|伞=umbrella|蝴蝶结=bow|花环=flower crown|
头=head|脸=face|鼻子=nose|嘴=mouth|嘴巴=mouth|手=hand|脚=foot|腿=leg|
尾巴=tail|角=horn|胡子=beard|胡须=beard|小胡子=mustache|发型=hairstyle|
桌子=table|椅子=chair|沙发=sofa|床=bed|灯=lamp|窗户=window|门=door|墙=wall|墙壁=wall|地板=floor|
杯子=cup|咖啡=coffee|茶杯=teacup|碗=bowl|盘子=plate|瓶子=bottle|花瓶=vase|书=book|电脑=computer|
手机=phone|电视=TV|钟=clock|镜子=mirror|蜡烛=candle|气球=balloon|风筝=kite|球=ball|足球=football|
篮球=basketball|吉他=guitar|钢琴=piano|剑=sword|枪=gun|魔杖=magic wand|礼物=gift|蛋糕=cake|
苹果=apple|香蕉=banana|橙子=orange|西瓜=watermelon|草莓=strawberry|汉堡=hamburger|披萨=pizza|
冰淇淋=ice cream|南瓜=pumpkin|圣诞树=Christmas tree|灯笼=lantern|
车=car|汽车=car|跑车=sports car|卡车=truck|公交车=bus|巴士=bus|自行车=bicycle|摩托车=motorcycle|
火车=train|飞机=airplane|船=boat|轮船=ship|帆船=sailboat|火箭=rocket|飞船=spaceship|直升机=helicopter|
坦克=tank|房子=house|房屋=house|城堡=castle|教堂=church|寺庙=temple|塔=tower|桥=bridge|路=road|
街道=street|马路=road|城市=city|村庄=village|大楼=building|建筑=building|摩天大楼=skyscraper|
天空=sky|天=sky|太阳=sun|月亮=moon|星星=star|云=cloud|云朵=cloud|彩虹=rainbow|闪电=lightning|
山=mountain|山峰=mountain|火山=volcano|河=river|河流=river|湖=lake|湖泊=lake|海=sea|大海=sea|
海洋=ocean|海滩=beach|沙滩=beach|沙漠=desert|森林=forest|树林=woods|丛林=jungle|草原=grassland|
草地=meadow|田野=field|花园=garden|公园=park|瀑布=waterfall|岛=island|岛屿=island|冰川=glacier|
树=tree|大树=big tree|花=flower|花朵=flower|玫瑰=rose|向日葵=sunflower|樱花树=cherry tree|
仙人掌=cactus|蘑菇=mushroom|叶子=leaves|石头=rock|房间=room|厨房=kitchen|教室=classroom|
舞台=stage|雕像=statue|画=painting|照片=photo|图片=picture|图=picture|画面=image|图像=image|
背景=background|前景=foreground|地面=ground|地上=ground|水面=water|湖面=lake|海面=sea|雪山=snowy mountain|冰雕=ice sculpture|窗外=view outside the window|
"""

_PLURALS = """
墨镜=sunglasses|太阳镜=sunglasses|眼镜=glasses|耳机=headphones|手套=gloves|鞋=shoes|鞋子=shoes|
靴子=boots|裤子=pants|牛仔裤=jeans|短裤=shorts|袜子=socks|雀斑=freckles|眼泪=tears|
烟花=fireworks|烟火=fireworks|星空=starry sky|樱花=cherry blossoms|鲜花=flowers|花草=flowers and plants|
气泡=bubbles|泡泡=bubbles|落叶=fallen leaves|树叶=leaves|废墟=ruins|枫叶=maple leaves|灯光=lights|霓虹灯=neon lights|
彩灯=fairy lights|人群=crowd|皱纹=wrinkles|翅膀=wings|眼睛=eyes|耳朵=ears|
"""

_MASS = """
雪=snow|白雪=snow|积雪=snow|雨=rain|雾=fog|烟=smoke|火=fire|火焰=flames|水=water|冰=ice|草=grass|
头发=hair|长发=long hair|短发=short hair|卷发=curly hair|金发=blonde hair|白发=white hair|
化妆=makeup|口红=lipstick|妆=makeup|纹身=tattoo|血=blood|光=light|阳光=sunlight|月光=moonlight|
沙子=sand|泥=mud|熔岩=lava|岩浆=lava|木头=wood|木材=wood|金子=gold|黄金=gold|白银=silver|铜=copper|
青铜=bronze|铁=iron|钢=steel|金属=metal|石=stone|大理石=marble|玻璃=glass|水晶=crystal|塑料=plastic|
纸=paper|布=cloth|毛线=yarn|羊毛=wool|皮革=leather|黏土=clay|粘土=clay|陶瓷=porcelain|瓷=porcelain|
巧克力=chocolate|糖果=candy|乐高=LEGO|积木=LEGO bricks|钻石=diamond|翡翠=jade|玉=jade|
"""

_ADJECTIVES = """
大=big|小=small|高=tall|矮=short|长=long|短=short|胖=fat|瘦=thin|老=old|年老=old|年轻=young|
新=new|旧=old|破旧=worn-out|漂亮=beautiful|美丽=beautiful|好看=pretty|帅=handsome|可爱=cute|
丑=ugly|开心=happy|高兴=happy|快乐=happy|伤心=sad|难过=sad|生气=angry|愤怒=angry|惊讶=surprised|
害怕=scared|可怕=scary|恐怖=creepy|吓人=scary|神秘=mysterious|梦幻=dreamy|浪漫=romantic|
温馨=cozy|安静=quiet|热闹=lively|明亮=bright|亮=bright|暗=dark|昏暗=dim|黑暗=dark|清晰=sharp|
模糊=blurry|鲜艳=vivid|复古=vintage|古老=ancient|古代=ancient|现代=modern|未来=futuristic|
未来感=futuristic|科幻=sci-fi|魔幻=magical|奇幻=fantasy|真实=realistic|逼真=photorealistic|
写实=realistic|毛茸茸=fluffy|湿=wet|干=dry|干净=clean|脏=dirty|冷=cold|热=hot|温暖=warm|
透明=transparent|发光=glowing|闪亮=shiny|闪闪发光=sparkling|金属质感=metallic|木质=wooden|
石质=stone|破碎=broken|燃烧=burning|冰冻=frozen|被冰冻=frozen|融化=melting|长满苔藓=mossy|
机械=mechanical|电子=electronic|中国=Chinese|日本=Japanese|美国=American|欧洲=European|
中式=Chinese-style|日式=Japanese-style|欧式=European-style|卡通=cartoon|3D=3D|立体=3D|
木制=wooden|金色的头发=blonde hair|严肃=serious|微笑的=smiling|哭泣的=crying|睡着的=sleeping|
饱和=saturated|高对比度=high-contrast|对比度高=high-contrast|柔和=soft|锐利=sharp|
"""

_COLOURS = """
红=red|橙=orange|橘=orange|黄=yellow|绿=green|青=cyan|蓝=blue|紫=purple|粉=pink|粉红=pink|
黑=black|白=white|灰=gray|棕=brown|褐=brown|咖啡=brown|金=golden|银=silver|米=beige|
天蓝=sky blue|深蓝=dark blue|浅蓝=light blue|深绿=dark green|浅绿=light green|墨绿=dark green|
深红=dark red|酒红=burgundy|玫红=rose pink|淡紫=lavender|藏青=navy blue|彩=colorful|
"""

_COLOUR_WORDS = """
黑白=black and white|彩色=colorful|五颜六色=colorful|五彩缤纷=colorful|单色=monochrome|
金黄=golden|金黄色=golden|雪白=snow-white|
"""

_SCENES = """
白天=daytime|白昼=daytime|夜晚=night|晚上=night|夜里=night|夜间=night|夜景=a night scene|深夜=midnight|
午夜=midnight|黄昏=dusk|傍晚=evening|日落=sunset|夕阳=sunset|日出=sunrise|清晨=early morning|
早晨=morning|早上=morning|中午=noon|黎明=dawn|
春天=spring|春季=spring|夏天=summer|夏季=summer|秋天=autumn|秋季=autumn|冬天=winter|冬季=winter|
雪天=a snowy day|雨天=a rainy day|晴天=a sunny day|阴天=a cloudy day|下雪=snowy|下雨=rainy|
下雪天=a snowy day|下雨天=a rainy day|雪景=a snowy scene|雨景=a rainy scene|多云=cloudy|有雾=foggy|
大雾=foggy|雾天=foggy|起雾=foggy|暴风雨=stormy|暴风雪=a blizzard|雷雨=a thunderstorm|打雷=stormy|
刮风=windy|晴朗=sunny|阴沉=gloomy|圣诞节=Christmas|万圣节=Halloween|春节=Chinese New Year|
新年=New Year|
"""

_STYLES = """
梵高=in the style of Van Gogh|莫奈=in the style of Monet|毕加索=in the style of Picasso|
达芬奇=in the style of Leonardo da Vinci|宫崎骏=in the style of Studio Ghibli|吉卜力=in the style of Studio Ghibli|
新海诚=in the style of Makoto Shinkai|齐白石=in the style of Qi Baishi|伦勃朗=in the style of Rembrandt|
迪士尼=a Disney cartoon|皮克斯=a Pixar 3D animation|
油画=an oil painting|水彩=a watercolor painting|水彩画=a watercolor painting|素描=a pencil sketch|
铅笔画=a pencil drawing|铅笔素描=a pencil sketch|彩铅=a colored pencil drawing|水墨=a Chinese ink painting|
水墨画=a Chinese ink painting|国画=a traditional Chinese painting|中国画=a traditional Chinese painting|
中国风=a traditional Chinese painting|工笔画=a gongbi painting|版画=a woodcut print|壁画=a mural|
涂鸦=graffiti|漫画=a comic book illustration|连环画=a comic strip|插画=an illustration|
动漫=anime style|动画=a cartoon|二次元=anime style|日漫=anime style|卡通=a cartoon|
赛博朋克=cyberpunk style|蒸汽朋克=steampunk style|像素=pixel art|像素风=pixel art|像素画=pixel art|
像素艺术=pixel art|浮世绘=a ukiyo-e woodblock print|波普=pop art|波普艺术=pop art|印象派=impressionist|
抽象=abstract art|极简=minimalist|超现实=surreal|超现实主义=surrealist|油画风=an oil painting|
马赛克=a mosaic|剪纸=a Chinese paper cut|黏土动画=claymation|粘土动画=claymation|
低多边形=low poly|3D渲染=a 3D render|电影感=cinematic|胶片=film photography|老照片=an old photograph|
复古照片=a vintage photograph|黑白照片=a black and white photograph|雕塑=a sculpture|
"""

_VERBS = """
微笑=smile|笑=smile|大笑=laugh|哭=cry|哭泣=cry|闭眼=close its eyes|闭上眼睛=close its eyes|
睁眼=open its eyes|睁开眼睛=open its eyes|张嘴=open its mouth|跳舞=dance|唱歌=sing|跑=run|飞=fly|
睡觉=sleep|放大=bigger|缩小=smaller|变大=bigger|变小=smaller|变老=older|变年轻=younger|
上色=colorized|着色=colorized|
"""

WORDS = {}  # simplified Chinese -> (kind, English); filled below from the tables above
for _kind, _table in (("N", _NOUNS), ("P", _PLURALS), ("M", _MASS), ("A", _ADJECTIVES),
                      ("C", _COLOUR_WORDS), ("S", _SCENES), ("T", _STYLES), ("V", _VERBS)):
    for _pair in _table.replace("\n", "").split("|"):
        if _pair:
            _zh, _en = _pair.split("=")
            WORDS[_zh] = (_kind, _en)
for _pair in _COLOURS.replace("\n", "").split("|"):
    if _pair:
        _zh, _en = _pair.split("=")
        for _form in (_zh, _zh + "色"):  # 红 and 红色 both mean red
            WORDS.setdefault(_form, ("C", _en))

PRONOUNS = {  # object form, possessive form
    "它": ("it", "its"), "他": ("him", "his"), "她": ("her", "her"), "我": ("me", "my"),
    "你": ("you", "your"), "他们": ("them", "their"), "她们": ("them", "their"),
    "它们": ("them", "their"), "我们": ("us", "our"), "大家": ("everyone", "everyone's"),
    "这张照片": ("the photo", "the photo's"), "这张图": ("the picture", "the picture's"),
    "这幅画": ("the painting", "the painting's"), "整张图": ("the whole image", "the image's"),
    "整个画面": ("the whole image", "the image's"), "整体": ("the whole image", "the image's"),
    "所有人": ("everyone", "everyone's"), "每个人": ("everyone", "everyone's"),
}

NUMBERS = {"一": "a", "两": "two", "二": "two", "三": "three", "四": "four", "五": "five",
           "六": "six", "七": "seven", "八": "eight", "九": "nine", "十": "ten", "几": "some",
           "这": "this", "那": "that", "每": "every", "满": "full of"}

MEASURES = "只个顶副件条张朵头匹棵辆座把支双位名群片道轮颗块杯枚架艘盏根本台面束串堆幅对份盆层滴粒株栋间尊"

QUANTITIES = {"所有的": "all", "所有": "all", "全部的": "all", "全部": "all", "一点点": "some",
              "一些": "some", "一点": "some", "些": "some", "点": "some", "很多": "many", "许多": "many",
              "好多": "many"}

# Polite words around an instruction, dropped before translating ("请帮我…一下").
POLITE_HEAD = ("请你", "请", "麻烦你", "麻烦", "帮我", "帮忙", "我想要", "我想", "我要", "想要",
                "能不能", "可以", "可不可以", "希望", "然后", "并且", "再", "也", "还要", "并")
POLITE_TAIL = ("一下吧", "一下", "好吗", "谢谢", "吧", "呀", "啊", "哦", "呢", "了", "的样子", "的感觉")

FILLERS = ("的时候", "时候", "时分", "天气", "的样子", "样子", "效果", "景象")
PLACES = {"上面": "on", "上": "on", "顶上": "on top of", "里面": "in", "里": "in", "中间": "in the middle of",
           "中": "in", "旁边": "next to", "前面": "in front of", "后面": "behind", "背后": "behind",
           "下面": "under", "周围": "around", "头上": "on the head of", "身上": "on"}
IRREGULAR_PLURAL = {"person": "people", "man": "men", "woman": "women", "child": "children",
                     "mouse": "mice", "sheep": "sheep", "fish": "fish", "deer": "deer", "foot": "feet"}
IRREGULAR_MORE = {"good": "better", "bad": "worse", "old": "older", "big": "bigger", "hot": "hotter",
                   "fat": "fatter", "thin": "thinner", "sad": "sadder", "wet": "wetter", "red": "redder"}

TRAD_TO_SIMP = dict(zip(
    "貓狗馬鳥魚龍雞鴨豬獅熊鹿蝴蝶兒孩嬰婦爺奶頭髮臉眼鏡帽戴衣褲裙襪鞋靴圍巾項鍊戒錶傘紅綠藍黃紫銀"
    "灰棕褐彩黑白顏色變換將把給讓使隻個頂副條張朵輛座雙幾這那們麼裡裏邊後面樣藝術風畫繪漫動陽"
    "雲陰晴雪雨霧夜晚冬秋夏春節聖誕燈樹葉林園場島灣陸橋樓車機船飛鐵鋼銅玻璃紙塊氣強亮暗開關"
    "讓來時東舊愛歡樂傷難過驚嚇電視腦筆鐘錶鏡戲劇賽蒸農宮騎國愛蘭飾長漢貝書師醫護兵軍廚員壞"
    "舉擊邊遠還進連運達處刪除移掉僅點錢實現體寫夢幻溫暖濕乾淨髒熱燒凍壓廣壯鄉醜轉為塗染漆",
    "猫狗马鸟鱼龙鸡鸭猪狮熊鹿蝴蝶儿孩婴妇爷奶头发脸眼镜帽戴衣裤裙袜鞋靴围巾项链戒表伞红绿蓝黄紫银"
    "灰棕褐彩黑白颜色变换将把给让使只个顶副条张朵辆座双几这那们么里里边后面样艺术风画绘漫动阳"
    "云阴晴雪雨雾夜晚冬秋夏春节圣诞灯树叶林园场岛湾陆桥楼车机船飞铁钢铜玻璃纸块气强亮暗开关"
    "让来时东旧爱欢乐伤难过惊吓电视脑笔钟表镜戏剧赛蒸农宫骑国爱兰饰长汉贝书师医护兵军厨员坏"
    "举击边远还进连运达处删除移掉仅点钱实现体写梦幻温暖湿干净脏热烧冻压广壮乡丑转为涂染漆"))
