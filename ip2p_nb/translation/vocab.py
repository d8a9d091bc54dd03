"""The vocabulary of the built-in Chinese -> English translator (`zh_en.py`).

Plain lookup tables, one per word kind, written as `zh=en|zh=en` strings so that a few
hundred entries stay readable. The kind decides how a word is used in a sentence:
  N countable noun ("a hat"), P plural noun ("sunglasses"), M mass noun ("snow"),
  A adjective, C colour, S scene (time of day, season, weather: "make it night"),
  T style (the words after "make it": "in the style of Van Gogh", "an oil painting"),
  V what a subject can be made to do ("make him smile").
Traditional characters are mapped to simplified ones first (OpenCC, in `lexicon.py`).
"""

from .edit_vocab import EDIT_WORDS

__all__ = ["WORDS", "BEINGS", "PRONOUNS", "NUMBERS", "MEASURES", "QUANTITIES", "FILLERS", "PLACES",
           "SPOTS", "POLITE_HEAD", "POLITE_TAIL", "IRREGULAR_PLURAL", "IRREGULAR_MORE"]

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
杯子=cup|茶杯=teacup|碗=bowl|盘子=plate|瓶子=bottle|花瓶=vase|书=book|电脑=computer|
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
背景=background|前景=foreground|地面=ground|地上=ground|水面=water|湖面=lake|海面=sea|雪山=snowy mountain|车身=car body|窗=window|绿萝=pothos|积水=puddle|保温杯=thermos|淋浴=shower|项圈=collar|平板=tablet|痣=mole|房顶=roof|冰瀑=frozen waterfall|玻璃窗=glass window|鞋柜=shoe cabinet|防盗网=security grille|发色=hair color|纱帘=sheer curtain|冰雕=ice sculpture|窗外=view outside the window|
"""

_PLURALS = """
冬装=winter clothes|墨镜=sunglasses|太阳镜=sunglasses|眼镜=glasses|耳机=headphones|手套=gloves|鞋=shoes|鞋子=shoes|
靴子=boots|裤子=pants|牛仔裤=jeans|短裤=shorts|袜子=socks|雀斑=freckles|眼泪=tears|
烟花=fireworks|烟火=fireworks|星空=starry sky|樱花=cherry blossoms|鲜花=flowers|花草=flowers and plants|
气泡=bubbles|泡泡=bubbles|落叶=fallen leaves|树叶=leaves|废墟=ruins|枫叶=maple leaves|灯光=lights|霓虹灯=neon lights|
彩灯=fairy lights|人群=crowd|皱纹=wrinkles|翅膀=wings|眼睛=eyes|耳朵=ears|
"""

_MASS = """
咖啡=coffee|清水=clear water|文字=text|雪=snow|白雪=snow|积雪=snow|雨=rain|雾=fog|烟=smoke|火=fire|火焰=flames|水=water|冰=ice|草=grass|
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
锐=sharp|淡=light|简洁=simple|简单=simple|醒=awake|暖=warm|清楚=clear|通透=clear|艳=vivid|浓=intense|白皙=fair|细=thin|粗=thick|自然=natural|
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
新年=New Year|过年=Chinese New Year|年味=Chinese New Year|
"""

_STYLES = """
梵高=in the style of Van Gogh|莫奈=in the style of Monet|毕加索=in the style of Picasso|
达芬奇=in the style of Leonardo da Vinci|宫崎骏=in the style of Studio Ghibli|吉卜力=in the style of Studio Ghibli|
新海诚=in the style of Makoto Shinkai|齐白石=in the style of Qi Baishi|伦勃朗=in the style of Rembrandt|
迪士尼=a Disney cartoon|皮克斯=a Pixar 3D animation|
油画=an oil painting|水彩=a watercolor painting|水彩画=a watercolor painting|素描=a pencil sketch|
铅笔画=a pencil drawing|铅笔素描=a pencil sketch|彩铅=a colored pencil drawing|水墨=a Chinese ink painting|
水墨画=a Chinese ink painting|国画=a traditional Chinese painting|中国画=a traditional Chinese painting|
中国风=Chinese style|工笔画=a gongbi painting|版画=a woodcut print|壁画=a mural|
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
点亮=light up|消失=disappear|飞上天=fly up into the sky|扎=tie|张开嘴巴=open its mouth|张开翅膀=spread its wings|摇尾巴=wag its tail|喂=feed|发出=give off|落山=set|留=grow|结冰=freeze|拉上=close|叼=carry|晒太阳=bask in the sun|站=stand|站立=stand|坐=sit|坐下=sit down|趴=lie down|躺=lie down|躺下=lie down|走=walk|走路=walk|抬头=look up|低头=look down|盛开=bloom|开花=bloom|转身=turn around|回头=look back|
"""

# ---- more vocabulary, by category (kind first: N countable, P plural, M mass, A adjective, ...) ---------
_MORE = [
    # common nouns with the 子 suffix (a bare 车 is known; 车子 must not become "car 子")
    ("N", """车子=car|果子=fruit|院子=yard|村子=village|池子=pond|扇子=fan|刀子=knife|李子=plum|栗子=chestnut|
柿子=persimmon|虫子=bug|蚊子=mosquito|儿子=son|妻子=wife|"""),
    # everyday objects
    ("N", """钥匙=key|钱包=wallet|手提包=handbag|挎包=shoulder bag|公文包=briefcase|行李箱=suitcase|箱子=box|盒子=box|
纸箱=cardboard box|篮子=basket|桶=bucket|扫帚=broom|梯子=ladder|绳子=rope|链子=chain|锁=lock|笔=pen|铅笔=pencil|
笔记本=notebook|本子=notebook|笔记本电脑=laptop|键盘=keyboard|鼠标=computer mouse|相机=camera|照相机=camera|
收音机=radio|电话=telephone|平板电脑=tablet|显示器=monitor|麦克风=microphone|话筒=microphone|音箱=speaker|
遥控器=remote control|玩具=toy|泰迪熊=teddy bear|玩具熊=teddy bear|娃娃=doll|洋娃娃=doll|布娃娃=rag doll|
毛绒玩具=plush toy|报纸=newspaper|杂志=magazine|信封=envelope|地图=map|旗子=flag|旗帜=flag|国旗=national flag|
海报=poster|相框=picture frame|画框=picture frame|奖杯=trophy|奖牌=medal|硬币=coin|纸币=banknote|刀=knife|
叉子=fork|勺子=spoon|锅=pot|平底锅=frying pan|水壶=kettle|茶壶=teapot|酒杯=wine glass|玻璃杯=glass|马克杯=mug|
罐子=jar|易拉罐=can|吸管=straw|餐巾=napkin|桌布=tablecloth|毛巾=towel|牙刷=toothbrush|梳子=comb|时钟=clock|
闹钟=alarm clock|挂钟=wall clock|风扇=fan|电风扇=electric fan|空调=air conditioner|冰箱=fridge|洗衣机=washing machine|
微波炉=microwave|烤箱=oven|炉子=stove|壁炉=fireplace|垃圾桶=trash can|垃圾箱=trash can|枕头=pillow|被子=quilt|
毯子=blanket|地毯=carpet|帘子=curtain|坐垫=cushion|靠垫=cushion|花盆=flower pot|盆栽=potted plant|植物=plant|
绿植=houseplant|鱼缸=fish tank|鸟笼=birdcage|笼子=cage|帐篷=tent|睡袋=sleeping bag|篝火=campfire|火把=torch|
手电筒=flashlight|灯泡=light bulb|台灯=desk lamp|吊灯=chandelier|烛台=candlestick|香水=perfume|铃铛=bell|鼓=drum|
小提琴=violin|萨克斯=saxophone|喇叭=trumpet|画笔=paintbrush|画架=easel|调色板=palette|书架=bookshelf|书包=schoolbag|
礼盒=gift box|气球串=bunch of balloons|风铃=wind chime|雨棚=awning|遮阳伞=parasol|太阳伞=parasol|"""),
    # words whose CC-CEDICT first sense is wrong for photos (木 "tree", 角落 "nook")
    ("N", "角落=corner|布偶猫=ragdoll cat|侧脸=face in profile|柴犬=Shiba Inu dog|天上=sky|签名=signature|车顶行李架=roof rack|行李架=luggage rack|黑点=black spots|脏点=dirty spots|"),
    ("P", "东西=things|"),
    ("N", "拐杖=walking stick|"),
    ("M", "颗粒感=film grain|质感=texture|亮度=brightness|饱和度=saturation|"),
    # photo retouching and words whose dictionary sense misleads (磨皮 "rub leather", 滤镜 "strain mirror")
    ("V", "磨皮=smooth skin|美白=whiter skin|美颜=beautified|瘦脸=slimmer face|"),
    ("N", "滤镜=filter|牛角包=croissant|双下巴=double chin|装修=interior|动画=animation|云端=clouds|人像=portrait|"),
    ("A", "渐变=gradient|"),
    ("N", "光圈=halo|毛色=fur|"),
    ("T", "港风=Hong Kong style|日系=Japanese style|韩系=Korean style|小清新=fresh and airy|"),
    ("V", "举起=raise|举=raise|"),
    ("A", "木=wooden|"),
    ("P", "筷子=chopsticks|窗帘=curtains|雨靴=rain boots|化妆品=cosmetics|书本=books|"),
    ("M", "垃圾=trash|钱=money|纸巾=tissue|"),
    # furniture and rooms
    ("N", """柜子=cabinet|衣柜=wardrobe|书柜=bookcase|抽屉=drawer|凳子=stool|长椅=bench|长凳=bench|摇椅=rocking chair|
躺椅=lounge chair|办公桌=desk|书桌=desk|餐桌=dining table|茶几=coffee table|床头柜=nightstand|架子=shelf|
天花板=ceiling|屋顶=roof|阳台=balcony|窗台=windowsill|走廊=hallway|客厅=living room|卧室=bedroom|浴室=bathroom|
卫生间=bathroom|厕所=toilet|马桶=toilet|浴缸=bathtub|水槽=sink|洗手池=washbasin|门口=doorway|大门=gate|
围栏=fence|栅栏=fence|篱笆=fence|砖墙=brick wall|木地板=wooden floor|楼梯间=stairwell|电梯=elevator|"""),
    ("P", "楼梯=stairs|台阶=steps|瓷砖=tiles|家具=furniture|"),
    ("M", "墙纸=wallpaper|壁纸=wallpaper|"),
    # food and drink
    ("N", """牛排=steak|包子=steamed bun|馒头=steamed bun|月饼=mooncake|粽子=zongzi|沙拉=salad|三明治=sandwich|
热狗=hot dog|饼干=cookie|甜甜圈=donut|甜点=dessert|布丁=pudding|马卡龙=macaron|鸡蛋=egg|蛋=egg|煎蛋=fried egg|
香肠=sausage|虾=shrimp|龙虾=lobster|柠檬=lemon|桃子=peach|梨=pear|菠萝=pineapple|芒果=mango|椰子=coconut|
猕猴桃=kiwi|橘子=tangerine|胡萝卜=carrot|番茄=tomato|西红柿=tomato|土豆=potato|洋葱=onion|辣椒=chili pepper|
黄瓜=cucumber|白菜=cabbage|茄子=eggplant|鸡尾酒=cocktail|拿铁=latte|生日蛋糕=birthday cake|饭团=rice ball|
便当=bento box|火锅=hotpot|可颂=croissant|羊角包=croissant|华夫饼=waffle|煎饼=pancake|松饼=pancake|糖葫芦=tanghulu|"""),
    ("P", "面条=noodles|饺子=dumplings|薯条=fries|葡萄=grapes|樱桃=cherries|蓝莓=blueberries|蔬菜=vegetables|"),
    ("M", """菜=food|饭菜=food|食物=food|美食=food|零食=snacks|寿司=sushi|拉面=ramen|米饭=rice|饭=rice|汤=soup|炸鸡=fried chicken|面包=bread|吐司=toast|果冻=jelly|
奶酪=cheese|培根=bacon|肉=meat|水果=fruit|玉米=corn|牛奶=milk|奶茶=milk tea|珍珠奶茶=bubble tea|茶=tea|
绿茶=green tea|果汁=juice|橙汁=orange juice|可乐=cola|啤酒=beer|红酒=red wine|葡萄酒=wine|酒=wine|香槟=champagne|
蜂蜜=honey|糖=sugar|盐=salt|早餐=breakfast|午餐=lunch|晚餐=dinner|棉花糖=cotton candy|奶油=cream|"""),
    # vehicles
    ("N", """出租车=taxi|的士=taxi|警车=police car|救护车=ambulance|消防车=fire truck|校车=school bus|吉普车=jeep|
越野车=SUV|面包车=van|货车=truck|拖拉机=tractor|电动车=e-bike|电瓶车=e-bike|滑板车=scooter|滑板=skateboard|
轮椅=wheelchair|婴儿车=stroller|马车=horse carriage|老爷车=vintage car|古董车=vintage car|敞篷车=convertible|
赛车=race car|豪车=luxury car|汽艇=speedboat|游艇=yacht|独木舟=canoe|皮划艇=kayak|潜水艇=submarine|潜艇=submarine|
热气球=hot air balloon|飞艇=airship|无人机=drone|战斗机=fighter jet|客机=airliner|高铁=high-speed train|
电车=tram|有轨电车=tram|缆车=cable car|车轮=wheel|轮子=wheel|轮胎=tire|车牌=license plate|方向盘=steering wheel|
法拉利=Ferrari|保时捷=Porsche|兰博基尼=Lamborghini|特斯拉=Tesla|宝马=BMW|奔驰=Mercedes-Benz|甲壳虫=Volkswagen Beetle|小船=small boat|渔船=fishing boat|木船=wooden boat|龙舟=dragon boat|蒸汽火车=steam train|"""),
    # buildings and street furniture
    ("N", """电线杆=utility pole|路灯=street lamp|街灯=street lamp|红绿灯=traffic light|信号灯=traffic light|
交通灯=traffic light|招牌=shop sign|广告牌=billboard|路牌=street sign|指示牌=sign|标志=sign|牌子=sign|停车场=parking lot|
人行道=sidewalk|斑马线=crosswalk|十字路口=intersection|路口=intersection|高速公路=highway|公路=road|小路=path|
小巷=alley|巷子=alley|胡同=hutong alley|隧道=tunnel|天桥=footbridge|立交桥=overpass|街头=street|街角=street corner|
广场=square|喷泉=fountain|邮筒=mailbox|消防栓=fire hydrant|公交站=bus stop|电话亭=phone booth|纪念碑=monument|
钟楼=clock tower|灯塔=lighthouse|风车=windmill|烟囱=chimney|工地=construction site|起重机=crane|高楼=tall building|
楼房=building|楼=building|公寓=apartment building|别墅=villa|小屋=cottage|木屋=log cabin|茅屋=hut|宫殿=palace|
皇宫=palace|城墙=city wall|宝塔=pagoda|亭子=pavilion|凉亭=pavilion|牌坊=memorial archway|大教堂=cathedral|
清真寺=mosque|神社=shrine|鸟居=torii gate|金字塔=pyramid|竞技场=arena|体育场=stadium|摩天轮=Ferris wheel|
游乐园=amusement park|过山车=roller coaster|旋转木马=carousel|动物园=zoo|水族馆=aquarium|市场=market|
菜市场=market|夜市=night market|商业街=shopping street|餐厅=restaurant|饭店=restaurant|咖啡馆=café|咖啡厅=café|
办公室=office|酒吧=bar|商店=shop|小店=small shop|超市=supermarket|商场=shopping mall|图书馆=library|博物馆=museum|
美术馆=art gallery|画廊=gallery|医院=hospital|学校=school|大学=university|健身房=gym|电影院=cinema|剧院=theater|
车站=station|火车站=train station|地铁=subway|地铁站=subway station|机场=airport|港口=harbor|码头=pier|
加油站=gas station|工厂=factory|农场=farm|谷仓=barn|仓库=warehouse|车库=garage|游泳池=swimming pool|泳池=swimming pool|
城=city|小镇=small town|镇=town|乡村=countryside|农村=countryside|窗口=window|"""),
    ("P", "电线=power lines|"),
    # places and landmarks
    ("N", """巴黎=Paris|伦敦=London|纽约=New York|东京=Tokyo|京都=Kyoto|大阪=Osaka|首尔=Seoul|北京=Beijing|
上海=Shanghai|香港=Hong Kong|台北=Taipei|广州=Guangzhou|深圳=Shenzhen|杭州=Hangzhou|西湖=West Lake|成都=Chengdu|
重庆=Chongqing|西安=Xi'an|苏州=Suzhou|威尼斯=Venice|罗马=Rome|米兰=Milan|佛罗伦萨=Florence|巴塞罗那=Barcelona|
马德里=Madrid|柏林=Berlin|阿姆斯特丹=Amsterdam|莫斯科=Moscow|迪拜=Dubai|开罗=Cairo|悉尼=Sydney|洛杉矶=Los Angeles|
旧金山=San Francisco|拉斯维加斯=Las Vegas|芝加哥=Chicago|新加坡=Singapore|曼谷=Bangkok|冰岛=Iceland|瑞士=Switzerland|
圣托里尼=Santorini|马尔代夫=Maldives|夏威夷=Hawaii|长城=Great Wall of China|万里长城=Great Wall of China|
故宫=Forbidden City|紫禁城=Forbidden City|天安门=Tiananmen Gate|埃菲尔铁塔=Eiffel Tower|艾菲尔铁塔=Eiffel Tower|
巴黎铁塔=Eiffel Tower|自由女神像=Statue of Liberty|自由女神=Statue of Liberty|金门大桥=Golden Gate Bridge|
大本钟=Big Ben|伦敦塔桥=Tower Bridge|泰姬陵=Taj Mahal|富士山=Mount Fuji|珠穆朗玛峰=Mount Everest|珠峰=Mount Everest|
狮身人面像=Great Sphinx|斗兽场=Colosseum|罗马斗兽场=Colosseum|比萨斜塔=Leaning Tower of Pisa|
悉尼歌剧院=Sydney Opera House|凯旋门=Arc de Triomphe|卢浮宫=Louvre|巴黎圣母院=Notre-Dame|东方明珠=Oriental Pearl Tower|
外滩=Bund|兵马俑=Terracotta Army|布达拉宫=Potala Palace|黄山=Huangshan|桂林=Guilin|漓江=Li River|天坛=Temple of Heaven|
颐和园=Summer Palace|时代广场=Times Square|火星=Mars|地球=Earth|月球=moon|银河=Milky Way|星河=Milky Way|"""),
    ("M", "太空=outer space|外太空=outer space|宇宙=outer space|"),
    ("A", """法国=French|英国=British|意大利=Italian|德国=German|西班牙=Spanish|韩国=Korean|俄罗斯=Russian|印度=Indian|
泰国=Thai|埃及=Egyptian|希腊=Greek|墨西哥=Mexican|阿拉伯=Arabian|北欧=Nordic|地中海=Mediterranean|江南=Jiangnan|
海底=underwater|水下=underwater|"""),
    # nature
    ("N", """悬崖=cliff|峡谷=canyon|山谷=valley|山坡=hillside|山顶=mountaintop|小山=hill|山丘=hill|山脉=mountain range|
高原=plateau|平原=plain|洞穴=cave|山洞=cave|溪流=stream|小溪=creek|池塘=pond|水池=pool|湿地=wetland|沼泽=swamp|
海岸=coast|海边=seaside|湖边=lakeside|河边=riverside|珊瑚礁=coral reef|冰山=iceberg|雪地=snowfield|雪原=snowfield|
稻田=rice paddy|麦田=wheat field|花田=flower field|花海=sea of flowers|薰衣草田=lavender field|竹林=bamboo forest|
树枝=branch|树干=tree trunk|岩石=rock|沙丘=sand dune|绿洲=oasis|地平线=horizon|天际线=skyline|云海=sea of clouds|
流星=shooting star|流星雨=meteor shower|日食=solar eclipse|满月=full moon|新月=crescent moon|弯月=crescent moon|
光束=light beam|阴影=shadow|影子=shadow|倒影=reflection|龙卷风=tornado|台风=typhoon|飓风=hurricane|风暴=storm|
星系=galaxy|星球=planet|行星=planet|黑洞=black hole|小岛=small island|海湾=bay|河岸=riverbank|"""),
    ("P", """丘陵=hills|海浪=waves|波浪=waves|浪=waves|浪花=waves|梯田=terraced fields|鹅卵石=pebbles|乌云=dark clouds|
白云=white clouds|云层=clouds|露珠=dewdrops|雨滴=raindrops|雨点=raindrops|水滴=water drops|雪花=snowflakes|
冰柱=icicles|光芒=rays of light|"""),
    ("M", """珊瑚=coral|荒野=wilderness|苔藓=moss|泥土=soil|晚霞=sunset glow|朝霞=morning glow|彩霞=rosy clouds|
极光=aurora|北极光=aurora borealis|光线=light|雾气=mist|薄雾=mist|露水=dew|冰雹=hail|霜=frost|洪水=flood|
沙尘暴=sandstorm|大风=strong wind|微风=breeze|蓝天=blue sky|蓝天白云=blue sky and white clouds|烛光=candlelight|火光=firelight|
星光=starlight|日光=daylight|自然光=natural light|柔光=soft light|暖光=warm light|冷光=cold light|"""),
    # plants and flowers
    ("N", """郁金香=tulip|百合=lily|百合花=lily|荷花=lotus flower|莲花=lotus flower|菊花=chrysanthemum|雏菊=daisy|
牡丹=peony|兰花=orchid|康乃馨=carnation|茉莉=jasmine|杜鹃花=azalea|绣球花=hydrangea|蒲公英=dandelion|
四叶草=four-leaf clover|荷叶=lotus leaf|松树=pine tree|柳树=willow tree|枫树=maple tree|橡树=oak tree|
棕榈树=palm tree|椰子树=coconut palm tree|椰树=palm tree|桃树=peach tree|苹果树=apple tree|银杏=ginkgo tree|
银杏树=ginkgo tree|灌木=bush|花束=bouquet|花圈=wreath|花篮=flower basket|多肉=succulent|仙人球=cactus|
松果=pine cone|树桩=tree stump|玫瑰花=rose|红玫瑰=red rose|白玫瑰=white rose|花蕾=flower bud|草坪=lawn|
圣诞花环=Christmas wreath|竹笋=bamboo shoot|"""),
    ("P", """睡莲=water lilies|梅花=plum blossoms|桃花=peach blossoms|杏花=apricot blossoms|梨花=pear blossoms|
油菜花=rapeseed flowers|桂花=osmanthus flowers|银杏叶=ginkgo leaves|藤蔓=vines|野花=wildflowers|芦苇=reeds|
花瓣=petals|种子=seeds|绿叶=green leaves|黄叶=yellow leaves|红叶=red leaves|秋叶=autumn leaves|三叶草=clovers|"""),
    ("M", "薰衣草=lavender|常春藤=ivy|草丛=tall grass|麦子=wheat|稻谷=rice|"),
    ("N", "运河=canal|水渠=canal|河道=river channel|溪水=stream|"),
    ("A", "路边=roadside|街边=roadside|真=real|真的=real|真实的=real|飘落=falling|落下=falling|飞舞=flying|"),
    # animals
    ("N", """小猫咪=kitten|猫猫=cat|柯基=corgi|柴犬=Shiba Inu dog|哈士奇=husky|金毛=golden retriever|拉布拉多=labrador|
泰迪=poodle|贵宾犬=poodle|斗牛犬=bulldog|法斗=French bulldog|牧羊犬=shepherd dog|吉娃娃=chihuahua|狗熊=bear|
棕熊=brown bear|考拉=koala|树袋熊=koala|袋鼠=kangaroo|骆驼=camel|河马=hippo|犀牛=rhino|猩猩=orangutan|
大猩猩=gorilla|黑猩猩=chimpanzee|豹子=leopard|豹=leopard|猎豹=cheetah|黑豹=black panther|雪豹=snow leopard|
羊驼=alpaca|驴=donkey|牦牛=yak|公牛=bull|小牛=calf|羊羔=lamb|小羊=lamb|刺猬=hedgehog|仓鼠=hamster|豚鼠=guinea pig|
蝙蝠=bat|浣熊=raccoon|水獭=otter|海豹=seal|海狮=sea lion|海龟=sea turtle|水母=jellyfish|海星=starfish|海马=seahorse|
鳄鱼=crocodile|蜥蜴=lizard|变色龙=chameleon|蜗牛=snail|蚂蚁=ant|瓢虫=ladybug|蜻蜓=dragonfly|飞蛾=moth|
孔雀=peacock|火烈鸟=flamingo|鹤=crane|仙鹤=crane|麻雀=sparrow|燕子=swallow|乌鸦=crow|喜鹊=magpie|海鸥=seagull|
蜂鸟=hummingbird|啄木鸟=woodpecker|鸵鸟=ostrich|公鸡=rooster|母鸡=hen|小鸡=chick|鹅=goose|小鸭=duckling|
锦鲤=koi fish|宠物=pet|动物=animal|凤凰=phoenix|麒麟=qilin|狮鹫=griffin|飞马=pegasus|怪兽=monster|怪物=monster|
哥斯拉=Godzilla|精灵=elf|仙女=fairy|小精灵=fairy|鬼=ghost|幽灵=ghost|骷髅=skeleton|狼人=werewolf|木乃伊=mummy|
老鼠夹=mousetrap|"""),
    ("P", "萤火虫=fireflies|热带鱼=tropical fish|"),
    # people
    ("N", """男生=boy|女生=girl|小男孩=little boy|小女孩=little girl|小朋友=child|儿童=child|老头=old man|
老婆婆=old woman|大叔=middle-aged man|阿姨=middle-aged woman|妈妈=mother|爸爸=father|奶奶=grandmother|
爷爷=grandfather|外婆=grandmother|外公=grandfather|朋友=friend|情侣=couple|夫妻=couple|家人=family|模特=model|
运动员=athlete|画家=painter|艺术家=artist|科学家=scientist|工人=worker|农民=farmer|渔夫=fisherman|
消防员=firefighter|服务员=waiter|司机=driver|飞行员=pilot|船长=captain|水手=sailor|侦探=detective|魔术师=magician|
法师=mage|皇帝=emperor|女王=queen|皇后=empress|将军=general|和尚=monk|僧人=monk|修女=nun|牧师=priest|舞者=dancer|
明星=celebrity|游客=tourist|路人=passerby|行人=pedestrian|乘客=passenger|美女=beautiful woman|帅哥=handsome man|
超级英雄=superhero|芭蕾舞者=ballet dancer|皮卡丘=Pikachu|哆啦A梦=Doraemon|米老鼠=Mickey Mouse|小黄人=Minion|孙悟空=Sun Wukong|奥特曼=Ultraman|马里奥=Mario|女孩子=girl|男孩子=boy|老头子=old man|"""),
    # clothing and accessories
    ("N", """连帽衫=hoodie|卫衣=hoodie|背心=tank top|马甲=vest|羽绒服=down jacket|风衣=trench coat|皮衣=leather jacket|
皮夹克=leather jacket|牛仔夹克=denim jacket|牛仔外套=denim jacket|西服=suit|燕尾服=tuxedo|礼服=gown|
晚礼服=evening gown|长裙=long dress|短裙=skirt|半身裙=skirt|迷你裙=miniskirt|百褶裙=pleated skirt|泳衣=swimsuit|
比基尼=bikini|球衣=jersey|围裙=apron|披肩=shawl|丝巾=silk scarf|口袋=pocket|腰带=belt|皮带=belt|发夹=hair clip|
发箍=headband|发带=headband|头巾=headscarf|头饰=headdress|鸭舌帽=baseball cap|贝雷帽=beret|毛线帽=knit beanie|
渔夫帽=bucket hat|牛仔帽=cowboy hat|圣诞帽=Santa hat|生日帽=party hat|巫师帽=wizard hat|厨师帽=chef's hat|
安全帽=hard hat|面纱=veil|头纱=bridal veil|手镯=bracelet|手链=bracelet|胸针=brooch|珍珠项链=pearl necklace|
金项链=gold necklace|发簪=hairpin|眼罩=eye patch|单片眼镜=monocle|手杖=walking cane|拐杖=crutch|权杖=scepter|
盾牌=shield|弓箭=bow and arrow|斧头=axe|锤子=hammer|光剑=lightsaber|光环=halo|红领巾=red scarf|蓑衣=straw cape|
旗袍裙=qipao dress|T恤衫=T-shirt|短袖=short-sleeved shirt|长袖=long-sleeved shirt|毛衣外套=cardigan|开衫=cardigan|"""),
    ("P", """睡衣=pajamas|袖子=sleeves|纽扣=buttons|高跟鞋=high heels|运动鞋=sneakers|球鞋=sneakers|凉鞋=sandals|
拖鞋=slippers|皮鞋=leather shoes|帆布鞋=canvas shoes|马丁靴=combat boots|雪地靴=snow boots|长靴=tall boots|
丝袜=stockings|连裤袜=tights|耳钉=stud earrings|圆框眼镜=round glasses|黑框眼镜=black-framed glasses|
护目镜=goggles|猫耳=cat ears|猫耳朵=cat ears|兔耳=bunny ears|兔耳朵=bunny ears|鹿角=antlers|"""),
    ("M", "珍珠=pearl|运动服=sportswear|首饰=jewelry|珠宝=jewelry|"),
    # materials and patterns
    ("M", """皮=leather|真皮=leather|牛皮=cowhide|皮毛=fur|毛皮=fur|皮草=fur|丝绸=silk|绸缎=satin|缎子=satin|
天鹅绒=velvet|丝绒=velvet|棉=cotton|棉花=cotton|亚麻=linen|牛仔布=denim|丹宁=denim|灯芯绒=corduroy|蕾丝=lace|
毛呢=wool|雪纺=chiffon|格子=plaid|格纹=plaid|苏格兰格子=tartan|豹纹=leopard print|迷彩=camouflage|扎染=tie-dye|
砖=brick|砖头=brick|水泥=concrete|混凝土=concrete|石膏=plaster|竹子=bamboo|竹=bamboo|藤=rattan|稻草=straw|
纸板=cardboard|橡胶=rubber|铝=aluminum|锡=tin|不锈钢=stainless steel|黄铜=brass|白金=platinum|宝石=gemstone|
红宝石=ruby|蓝宝石=sapphire|绿宝石=emerald|祖母绿=emerald|琥珀=amber|象牙=ivory|冰块=ice cubes|毛毡=felt|
羊毛毡=needle felt|油漆=paint|颜料=paint|墨水=ink|墨=ink|粉笔=chalk|霓虹=neon|铬=chrome|"""),
    ("P", "羽毛=feathers|斑点=spots|波点=polka dots|圆点=polka dots|虎纹=tiger stripes|砖块=bricks|"),
    ("N", "图案=pattern|花纹=pattern|"),
    ("A", "条纹=striped|碎花=floral|印花=printed|针织=knitted|毛绒=plush|刺绣=embroidered|镀金=gold-plated|格子的=plaid|"),
    # body, face and hair
    ("N", """身体=body|额头=forehead|下巴=chin|舌头=tongue|脖子=neck|胳膊=arm|手臂=arm|手指=finger|肚子=belly|
后背=back|膝盖=knee|表情=expression|笑容=smile|疤=scar|伤疤=scar|辫子=braid|马尾=ponytail|马尾辫=ponytail|
丸子头=bun|盘发=updo|光头=bald head|寸头=buzz cut|爆炸头=afro|脸蛋=face|眼神=gaze|鼻梁=nose bridge|"""),
    ("P", """眉毛=eyebrows|睫毛=eyelashes|双眼皮=double eyelids|脸颊=cheeks|嘴唇=lips|牙齿=teeth|牙=teeth|
肩膀=shoulder|指甲=nails|五官=facial features|酒窝=dimples|黑眼圈=dark circles|眼袋=eye bags|刘海=bangs|
麻花辫=braids|脏辫=dreadlocks|挑染=highlights|"""),
    ("M", """皮肤=skin|肤色=skin tone|痘痘=acne|青春痘=acne|痘=acne|大波浪=wavy hair|波浪卷=wavy hair|直发=straight hair|
黑发=black hair|红发=red hair|银发=silver hair|灰发=gray hair|棕发=brown hair|蓝发=blue hair|粉发=pink hair|
胡茬=stubble|络腮胡=full beard|山羊胡=goatee|八字胡=mustache|眼妆=eye makeup|烟熏妆=smoky eye makeup|
浓妆=heavy makeup|淡妆=light makeup|眼影=eyeshadow|腮红=blush|指甲油=nail polish|妆容=makeup|美甲=manicure|
"""),
    # expressions, age and character
    ("A", """笑眯眯=smiling|笑着=smiling|面带微笑=smiling|惊恐=terrified|吃惊=surprised|震惊=shocked|困=sleepy|
困倦=sleepy|疲惫=tired|累=tired|无聊=bored|害羞=shy|酷=cool|冷酷=cool|自信=confident|温柔=gentle|调皮=playful|
淘气=naughty|沮丧=upset|悲伤=sad|痛苦=in pain|平静=calm|冷静=calm|兴奋=excited|激动=excited|紧张=nervous|
疯狂=crazy|邪恶=evil|友好=friendly|凶=fierce|凶猛=fierce|威严=majestic|优雅=elegant|成熟=mature|年长=older|
衰老=aged|年迈=elderly|苍老=aged|中年=middle-aged|老年=elderly|健康=healthy|强壮=strong|肌肉=muscular|
苗条=slim|高大=tall|娇小=petite|秃头=bald|秃=bald|满脸皱纹=wrinkled|幸福=happy|得意=smug|委屈=aggrieved|"""),
    ("V", """眨眼=wink|挥手=wave|招手=wave|跳=jump|跳起来=jump|奔跑=run|走路=walk|坐下=sit down|站起来=stand up|
躺下=lie down|游泳=swim|看书=read a book|睁大眼睛=open its eyes wide|闭嘴=close its mouth|皱眉=frown|
吐舌头=stick out its tongue|脸红=blush|流泪=cry|做鬼脸=make a funny face|转头=turn its head|看镜头=look at the camera|
看向镜头=look at the camera|变胖=fatter|变瘦=thinner|变高=taller|变矮=shorter|开心地笑=laugh happily|笑一笑=smile|笑笑=smile|笑一个=smile|露齿笑=grin|"""),
    # weather, seasons and light
    ("S", """深秋=late autumn|初秋=early autumn|初春=early spring|早春=early spring|盛夏=midsummer|隆冬=deep winter|
寒冬=harsh winter|金秋=golden autumn|下午=afternoon|午后=afternoon|凌晨=before dawn|半夜=midnight|
蓝调时刻=blue hour|黄金时刻=golden hour|魔幻时刻=golden hour|月夜=a moonlit night|星夜=a starry night|
雪夜=a snowy night|雨夜=a rainy night|小雨=light rain|大雨=heavy rain|暴雨=a downpour|毛毛雨=drizzle|
大雪=heavy snow|小雪=light snow|暴雪=a blizzard|冰天雪地=a frozen snowy landscape|烟雨=misty rain|
阳光明媚=sunny|晴空万里=a clear blue sky|雨后=after the rain|情人节=Valentine's Day|中秋节=Mid-Autumn Festival|
中秋=Mid-Autumn Festival|元宵节=Lantern Festival|端午节=Dragon Boat Festival|复活节=Easter|感恩节=Thanksgiving|
婚礼=a wedding|派对=a party|聚会=a party|仙境=a fairyland|天堂=heaven|地狱=hell|废土=a wasteland|下冰雹=hailing|"""),
    ("A", """逆光=backlit|侧光=side-lit|暖色调=warm-toned|冷色调=cool-toned|暖色=warm-toned|冷色=cool-toned|
过曝=overexposed|曝光过度=overexposed|欠曝=underexposed|阴暗=gloomy|朦胧=hazy|雾蒙蒙=misty|灯火通明=brightly lit|
结冰=frozen|冰封=frozen|被雪覆盖=snow-covered|白雪覆盖=snow-covered|湿漉漉=wet|淋湿=soaked|着火=on fire|
冒烟=smoking|阳光充足=sunlit|"""),
    # photo and film looks
    ("T", """老电影=an old film still|电影=a movie still|电影画面=a cinematic movie still|电影质感=cinematic|
电影截图=a movie still|黑白电影=a black and white film still|默片=a silent film still|无声电影=a silent film still|
好莱坞=a Hollywood movie still|宝丽来=a Polaroid photo|宝丽来照片=a Polaroid photo|拍立得=a Polaroid photo|
胶片照片=a film photograph|胶卷=film photography|胶片感=film photography|柯达=Kodak film photography|
旧照片=an old photograph|移轴=a tilt-shift photo|微距=a macro photo|鱼眼=a fisheye lens photo|
长曝光=a long exposure photo|航拍=an aerial photo|俯视=a top-down view|俯拍=a top-down view|鸟瞰=a bird's-eye view|
特写=a close-up|全景=a panorama|证件照=an ID photo|人像=a portrait|肖像=a portrait|肖像画=a portrait painting|
自拍=a selfie|明信片=a postcard|杂志封面=a magazine cover|电影海报=a movie poster|写真=a portrait photo|
蒸汽波=vaporwave|故障艺术=glitch art|港风=1980s Hong Kong film style|"""),
    ("M", "景深=shallow depth of field|浅景深=shallow depth of field|散景=bokeh|焦外=bokeh|胶片颗粒=film grain|颗粒=grain|噪点=noise|镜头光晕=lens flare|背景虚化=blurred background|"),
    ("A", """虚化=blurred|颗粒感=grainy|泛黄=yellowed|怀旧=nostalgic|广角=wide-angle|高清=high definition|
锐化=sharp|九十年代=1990s|八十年代=1980s|七十年代=1970s|六十年代=1960s|五十年代=1950s|二十年代=1920s|
90年代=1990s|80年代=1980s|70年代=1970s|60年代=1960s|50年代=1950s|民国=1930s Chinese|维多利亚=Victorian|
维多利亚时代=Victorian|中世纪=medieval|文艺复兴=Renaissance|古埃及=ancient Egyptian|古希腊=ancient Greek|
古罗马=ancient Roman|唐朝=Tang dynasty|宋朝=Song dynasty|明朝=Ming dynasty|清朝=Qing dynasty|哥特=gothic|
巴洛克=baroque|北欧风=Scandinavian|工业风=industrial|田园=rustic|田园风=rustic|日系=Japanese-style|
韩系=Korean-style|手绘=hand-drawn|手工=handmade|童话=fairy-tale|童话般=fairy-tale|末日=post-apocalyptic|
末世=post-apocalyptic|荒废=abandoned|废弃=abandoned|闹鬼=haunted|全息=holographic|古典=classical|"""),
    # art styles and artists
    ("T", """达利=in the style of Salvador Dali|蒙克=in the style of Edvard Munch|克林姆特=in the style of Gustav Klimt|
克里姆特=in the style of Gustav Klimt|马蒂斯=in the style of Henri Matisse|塞尚=in the style of Cezanne|
雷诺阿=in the style of Renoir|米开朗基罗=in the style of Michelangelo|拉斐尔=in the style of Raphael|
维米尔=in the style of Vermeer|葛饰北斋=in the style of Hokusai|北斋=in the style of Hokusai|
安迪沃霍尔=in the style of Andy Warhol|沃霍尔=in the style of Andy Warhol|草间弥生=in the style of Yayoi Kusama|
蒙德里安=in the style of Mondrian|康定斯基=in the style of Kandinsky|弗里达=in the style of Frida Kahlo|
徐悲鸿=in the style of Xu Beihong|张大千=in the style of Zhang Daqian|吴冠中=in the style of Wu Guanzhong|
丰子恺=in the style of Feng Zikai|蒂姆伯顿=in the style of Tim Burton|韦斯安德森=in the style of Wes Anderson|
王家卫=in the style of Wong Kar-wai|鸟山明=in the style of Akira Toriyama|
星月夜=in the style of Van Gogh's Starry Night|漫威=a Marvel comic|辛普森=a Simpsons cartoon|
水粉=a gouache painting|水粉画=a gouache painting|丙烯=an acrylic painting|丙烯画=an acrylic painting|
粉彩=a pastel drawing|色粉画=a pastel drawing|蜡笔=a crayon drawing|蜡笔画=a crayon drawing|炭笔=a charcoal drawing|
炭笔画=a charcoal drawing|钢笔画=a pen and ink drawing|线稿=line art|简笔画=a simple line drawing|
儿童画=a child's drawing|街头艺术=street art|雕刻=an engraving|木刻=a woodcut|木雕=a wood carving|
石雕=a stone sculpture|铜像=a bronze statue|蜡像=a wax figure|手办=a figurine|折纸=origami|十字绣=cross-stitch|
彩色玻璃=stained glass|彩绘玻璃=stained glass|拼贴=a collage|拼贴画=a collage|剪影=a silhouette|矢量=vector art|
扁平=a flat illustration|扁平化=a flat illustration|等距=isometric art|体素=voxel art|定格动画=stop-motion animation|
游戏=a video game screenshot|我的世界=Minecraft style|表现主义=expressionist|立体主义=cubist|点彩=pointillism|
野兽派=fauvist|风景画=a landscape painting|静物=a still life|静物画=a still life|素描画=a pencil sketch|
速写=a quick sketch|黑板画=a chalkboard drawing|沙画=sand art|油画棒=an oil pastel drawing|写实主义=realism|
赛璐璐=cel-shaded|卡通化=a cartoon|手绘风=hand-drawn|吉卜力风=in the style of Studio Ghibli|"""),
    # colour words that are whole (the _COLOURS below get a 色 form too)
    ("C", """彩虹色=rainbow-colored|马卡龙色=pastel|莫兰迪色=muted Morandi colors|糖果色=candy-colored|渐变=gradient|
半透明=translucent|哑光=matte|亮面=glossy|磨砂=frosted|荧光=fluorescent|驼色=camel|"""),
    # adjectives
    ("A", """干燥=dry|潮湿=damp|拥挤=crowded|空旷=empty|空荡荡=empty|荒凉=desolate|繁华=bustling|宁静=peaceful|
壮观=spectacular|壮丽=majestic|雄伟=majestic|华丽=gorgeous|奢华=luxurious|豪华=luxurious|简约=minimalist|
精致=exquisite|粗糙=rough|光滑=smooth|柔软=soft|蓬松=fluffy|厚=thick|薄=thin|宽=wide|窄=narrow|深=dark|
浅=light|圆=round|圆形=round|方形=square|尖=pointed|巨大=giant|微小=tiny|迷你=mini|破烂=ragged|
生锈=rusty|锈迹斑斑=rusty|崭新=brand-new|闪耀=shining|耀眼=dazzling|暗淡=dull|灰暗=gloomy|阴森=eerie|
诡异=eerie|萌=cute|搞笑=funny|有趣=fun|滑稽=comical|酷炫=cool|帅气=handsome|丑陋=ugly|
肮脏=filthy|整洁=tidy|凌乱=messy|乱=messy|杂乱=cluttered|干枯=withered|枯萎=withered|茂盛=lush|
郁郁葱葱=lush|绿油油=lush green|盛开=blooming|开花=blooming|漂浮=floating|飞翔=flying|倒过来=upside down|
颠倒=upside down|对称=symmetrical|自然=natural|夸张=exaggerated|晶莹=crystal-clear|清澈=clear|浑浊=murky|
鲜亮=bright|明媚=bright|阴郁=gloomy|温暖的=warm|凉爽=cool|寒冷=freezing|炎热=scorching|湿润=moist|"""),
]

_MORE_COLOURS = """
橘红=orange-red|橘黄=orange-yellow|柠檬黄=lemon yellow|土黄=ochre|卡其=khaki|米黄=beige|奶白=cream|乳白=milky white|
象牙白=ivory|深灰=dark gray|浅灰=light gray|银灰=silver gray|深紫=dark purple|浅紫=light purple|紫罗兰=violet|
玫瑰金=rose gold|宝蓝=royal blue|湖蓝=lake blue|孔雀蓝=peacock blue|海军蓝=navy blue|蒂芙尼蓝=Tiffany blue|
克莱因蓝=Klein blue|靛蓝=indigo|蓝绿=teal|青绿=turquoise|碧绿=emerald green|翠绿=emerald green|草绿=grass green|
军绿=olive green|橄榄绿=olive green|薄荷绿=mint green|荧光绿=neon green|嫩绿=light green|大红=bright red|
鲜红=bright red|朱红=vermilion|中国红=Chinese red|血红=blood red|砖红=brick red|枣红=maroon|桃红=peach pink|
粉紫=pinkish purple|樱花粉=sakura pink|浅粉=light pink|深粉=deep pink|古铜=bronze|浅黄=light yellow|
深黄=dark yellow|淡黄=pale yellow|淡蓝=pale blue|淡绿=pale green|淡粉=pale pink|深棕=dark brown|浅棕=light brown|
焦糖=caramel|巧克力=chocolate brown|香槟=champagne|珊瑚=coral|奶油=cream|纯白=pure white|纯黑=pure black|
"""

WORDS = {}  # simplified Chinese -> (kind, English); filled below from the tables above
for _kind, _table in (("N", _NOUNS), ("P", _PLURALS), ("M", _MASS), ("A", _ADJECTIVES),
                      ("C", _COLOUR_WORDS), ("S", _SCENES), ("T", _STYLES), ("V", _VERBS)):
    for _pair in _table.replace("\n", "").split("|"):
        if _pair:
            _zh, _en = _pair.split("=")
            WORDS[_zh] = (_kind, _en)
for _kind, _table in _MORE:
    for _pair in _table.replace("\n", "").split("|"):
        if _pair:
            _zh, _en = _pair.split("=")
            WORDS.setdefault(_zh, (_kind, _en))  # the first tables win: the dev set was tuned on them
for _pair in (_COLOURS + _MORE_COLOURS).replace("\n", "").split("|"):
    if _pair:
        _zh, _en = _pair.split("=")
        for _form in (_zh, _zh + "色"):  # 红 and 红色 both mean red
            WORDS.setdefault(_form, ("C", _en))
WORDS.update(EDIT_WORDS)  # photo retouching (edit_vocab.py): its senses win over the general tables

# people and animals (the nouns before 帽子): what can own a hand or a mouth (熊猫手里 -> in the panda's hand)
BEINGS = {_pair.split("=")[1] for _pair in _NOUNS.split("帽子=")[0].replace("\n", "").split("|") if "=" in _pair}

PRONOUNS = {  # object form, possessive form
    "它": ("it", "its"), "他": ("him", "his"), "她": ("her", "her"), "我": ("me", "my"),
    "你": ("you", "your"), "他们": ("them", "their"), "她们": ("them", "their"),
    "它们": ("them", "their"), "我们": ("us", "our"), "大家": ("everyone", "everyone's"),
    "这张照片": ("the photo", "the photo's"), "这张图": ("the picture", "the picture's"),
    "这幅画": ("the painting", "the painting's"), "整张图": ("the whole image", "the image's"),
    "整个画面": ("the whole image", "the image's"), "整体": ("the whole image", "the image's"),
    "整张照片": ("the whole photo", "the photo's"), "整张图片": ("the whole picture", "the picture's"),
    "整幅画": ("the whole painting", "the painting's"), "全图": ("the whole image", "the image's"),
    "所有人": ("everyone", "everyone's"), "每个人": ("everyone", "everyone's"),
}

NUMBERS = {"一": "a", "两": "two", "二": "two", "三": "three", "四": "four", "五": "five",
           "六": "six", "七": "seven", "八": "eight", "九": "nine", "十": "ten", "几": "some",
           "这": "this", "那": "that", "每": "every", "满": "full of"}

MEASURES = "排只个顶副件条张朵头匹棵辆座把支双位名群片道轮颗块杯枚架艘盏根本台面束串堆幅对份盆层滴粒株栋间尊"

QUANTITIES = {"一桌子": "a table full of", "一桌": "a table full of", "所有的": "all", "所有": "all", "全部的": "all", "全部": "all", "一点点": "some",
              "一些": "some", "一点": "some", "些": "some", "点": "some", "很多": "many", "许多": "many",
              "好多": "many"}

# Polite words around an instruction, dropped before translating ("请帮我…一下").
POLITE_HEAD = ("请你", "请", "麻烦你", "麻烦", "帮我", "帮忙", "我想要", "我想", "我要", "想要", "给我来个",
                "给我来一个", "给我来张", "来一个", "来一张", "来个", "搞个", "弄个", "要一张", "一张",
                "能不能", "可以", "可不可以", "希望", "然后", "并且", "再", "也", "还要", "并", "但是", "但", "不过",
                "而且", "另外", "还有", "顺便", "你能", "你可以", "能否", "可否", "能")
POLITE_TAIL = ("就行了", "就行", "就好", "就可以了", "就可以", "即可", "一下吧", "一下", "好吗", "行吗", "可以吗", "吗", "谢谢啦", "谢谢", "吧", "呀", "啊", "哦", "呢", "了", "啦", "哈", "嘛", "的样子", "的感觉",
               "拍摄的", "拍的", "拍出来的")

FILLERS = ("那种", "这种", "的时候", "时候", "时分", "天气", "的样子", "样子", "效果", "景象", "景色", "的氛围", "氛围", "气氛",
           "风格的", "风格", "的颜色", "颜色")
PLACES = {"上面": "on", "上": "on", "顶上": "on top of", "里面": "in", "里": "in", "中间": "in the middle of",
           "中": "in", "旁边": "next to", "前面": "in front of", "后面": "behind", "背后": "behind",
           "下面": "under", "下": "under", "周围": "around", "头上": "on the head of", "身上": "on"}
SPOTS = {"远处": "in the distance", "远方": "in the distance", "天边": "on the horizon", "角落": "in the corner",
         "左边": "on the left", "右边": "on the right", "左侧": "on the left", "右侧": "on the right",
         "中央": "in the center", "正中间": "in the center", "空中": "in the air", "半空中": "in the air"}
IRREGULAR_PLURAL = {"clothes": "clothes", "zongzi": "zongzi", "sushi": "sushi", "bacon": "bacon", "person": "people", "man": "men", "woman": "women", "child": "children",
                     "mouse": "mice", "sheep": "sheep", "fish": "fish", "deer": "deer", "foot": "feet"}
IRREGULAR_MORE = {"good": "better", "bad": "worse", "old": "older", "big": "bigger", "hot": "hotter",
                   "fat": "fatter", "thin": "thinner", "sad": "sadder", "wet": "wetter", "red": "redder",
                   "vivid": "more vivid", "golden": "more golden", "rusty": "rustier"}
