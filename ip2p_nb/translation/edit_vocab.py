"""Words of photo retouching for the built-in translator (issue 33), merged into `vocab.WORDS`.

The words of repairs, light and likeness that users type to an editing app (修复破损的照片, 提亮人脸,
保持颜色与原图一致) and whose CC-CEDICT sense misleads (原 "Hara", 破损 "become damaged", 一致
"unanimous", 浓浓 nothing). Kinds as in `vocab.py`. The verbs of these edits (提亮, 调暗, 打光, 修复)
are sentence patterns in `edits.py`, not words.
"""

__all__ = ["EDIT_WORDS", "DEFECTS", "COMMANDS", "ADJUSTABLE"]

_TABLES = {
    "A": "原=original|破损=damaged|损坏=damaged|破损的=damaged|受损=damaged|残缺=damaged|绚丽=gorgeous|灿烂=brilliant|"
         "浓浓=thick|浓密=thick|厚厚=thick|淡淡=light|暗淡=dull|亮丽=bright|通亮=bright|清爽=fresh|柔美=soft|"
         "陈旧=old|泛白=washed-out|发黄=yellowed|褪色=faded|鲜活=vivid|一样=the same|相同=the same|",
    "C": "亚麻色=ash blonde|亚麻=ash blonde|湛蓝=deep blue|湛蓝色=deep blue|蔚蓝=azure blue|蔚蓝色=azure blue|",
    "N": "原图=original image|原照片=original photo|原片=original photo|原相片=original photo|人脸=face|脸部=face|"
         "面部=face|镜头=camera|姿势=pose|姿态=pose|动作=pose|裂缝=crack|污点=stain|"
         "霉斑=mold spot|台=stage|地方=area|色调=tone|整体色调=overall tone|光源=light source|主光=key light|轮廓光=rim light|",
    "P": "暗部=shadows|亮部=highlights|高光=highlights|污渍=stains|折痕=creases|划痕=scratches|裂痕=cracks|褶皱=creases|"
         "瑕疵=blemishes|斑点=spots|",
    "M": "反光=glare|补光=fill light|逆光效果=backlight|破损处=damage|光影=light and shadow|"
         # issue 33, second pass: the nouns of photo editing and AI images
         "对比度=contrast|饱和度=saturation|曝光=exposure|曝光度=exposure|清晰度=sharpness|锐度=sharpness|"
         "色温=color temperature|氛围感=atmosphere|高级感=a high-end look|闪电=lightning|"
         "拉花=latte art|暗角=vignette|光泽=gloss|光泽感=glossy finish|",
}
_MORE_TABLES = {  # issue 33, second pass
    "N": "小姐姐=young woman|小哥哥=young man|包包=bag|双层巴士=double-decker bus|金鱼缸=fishbowl|主角=main subject|河面=river|江面=river|装饰=decoration|元素=element|海景=sea view|碗面=bowl of noodles|南瓜灯=jack-o'-lantern|香烟=cigarette|绿植=potted plant|爱心=heart|心形=heart|"
         "落地灯=floor lamp|木地板=wooden floor|",
    "P": "爆竹=firecrackers|鞭炮=firecrackers|水草=water plants|抱枕=throw pillows|火烧云=fiery sunset clouds|法令纹=smile lines|鱼尾纹=crow's feet|抬头纹=forehead lines|颈纹=neck lines|痘印=acne marks|色斑=dark spots|衣服=clothes|装饰品=decorations|路人=passersby|行人=pedestrians|游客=tourists|春联=spring couplets|对联=couplets|车灯=headlights|"
         "大灯=headlights|",
    "A": "电影色调=cinematic|电影感的=cinematic|空=empty|好吃=delicious|美味=delicious|压抑=oppressive|立体=three-dimensional|假=fake|假假的=fake|有食欲=appetizing|诱人=tempting|多余=extra|多余的=extra|高级=high-end|",
    "T": "动画风=a cartoon|动漫风=anime style|卡通风=a cartoon|ins风=Instagram style|INS风=Instagram style|Ins风=Instagram style|",
    "V": "伸出舌头=stick out its tongue|行驶=drive|开车=drive|开花=bloom|变形=look distorted|走形=look distorted|游来游去=swim around|跑来跑去=run around|飞来飞去=fly around|走来走去=walk around|突出=stand out|",
}
# one-word retouch commands (磨皮美白 -> "smooth and whiten the skin"): the command, and its object
COMMANDS = {"磨皮": ("smooth", "the skin"), "美白": ("whiten", "the skin"), "瘦脸": ("slim", "the face"),
            "美颜": ("beautify", "the face"), "大眼": ("enlarge", "the eyes"), "祛痘": ("remove", "the acne"),
            "去痘": ("remove", "the acne"), "去皱": ("remove", "the wrinkles"), "祛斑": ("remove", "the spots"),
            "瘦身": ("slim", "the body"), "瘦腿": ("slim", "the legs"), "瘦腰": ("slim", "the waist"),
            "瘦手臂": ("slim", "the arms"), "化妆": ("apply", "makeup"), "增高": ("lengthen", "the legs"), "亮肤": ("brighten", "the skin"),
            "去黑眼圈": ("remove", "the dark circles"), "去眼袋": ("remove", "the eye bags"),
            "补妆": ("touch up", "the makeup"), "去水印": ("remove", "the watermark"), "去噪": ("reduce", "the noise"),
            "降噪": ("reduce", "the noise"), "去灰": ("remove", "the haze"), "去模糊": ("remove", "the blur"), "上色": ("colorize", "the photo"), "去雾": ("remove", "the haze"), "调色": ("color grade", "the photo")}
# what a verb of raising or lowering acts on (增加一点对比度, 把饱和度调高): "increase the contrast"
ADJUSTABLE = ("噪点", "对比度", "饱和度", "曝光度", "曝光", "亮度", "清晰度", "锐度", "色温", "暗角", "颗粒感", "光泽",
              "光泽感", "氛围感", "质感", "电影感", "高级感", "层次感", "立体感", "通透感", "光感")
# the flaws of a photo that 修复/修补 takes away (修复划痕 -> remove the scratches); anything else is restored
DEFECTS = ("划痕", "污渍", "折痕", "裂痕", "裂缝", "污点", "霉斑", "噪点", "红眼", "瑕疵", "斑点", "褶皱", "痘痘", "水印",
           "破损", "破洞", "划伤", "污迹", "灰尘", "脏点", "黑点", "皱纹")

EDIT_WORDS = {}
for _kind, _table in list(_TABLES.items()) + list(_MORE_TABLES.items()):
    for _pair in _table.split("|"):
        if _pair:
            _zh, _en = _pair.split("=")
            EDIT_WORDS[_zh] = (_kind, _en)
