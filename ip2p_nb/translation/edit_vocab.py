"""Words of photo retouching for the built-in translator (issue 33), merged into `vocab.WORDS`.

The words of repairs, light and likeness that users type to an editing app (修复破损的照片, 提亮人脸,
保持颜色与原图一致) and whose CC-CEDICT sense misleads (原 "Hara", 破损 "become damaged", 一致
"unanimous", 浓浓 nothing). Kinds as in `vocab.py`. The verbs of these edits (提亮, 调暗, 打光, 修复)
are sentence patterns in `edits.py`, not words.
"""

__all__ = ["EDIT_WORDS", "DEFECTS"]

_TABLES = {
    "A": "原=original|破损=damaged|损坏=damaged|破损的=damaged|受损=damaged|残缺=damaged|绚丽=gorgeous|灿烂=brilliant|"
         "浓浓=thick|浓密=thick|厚厚=thick|淡淡=light|暗淡=dull|亮丽=bright|通亮=bright|清爽=fresh|柔美=soft|"
         "陈旧=old|泛白=washed-out|发黄=yellowed|褪色=faded|鲜活=vivid|一样=the same|相同=the same|",
    "C": "湛蓝=deep blue|湛蓝色=deep blue|蔚蓝=azure blue|蔚蓝色=azure blue|",
    "N": "原图=original image|原照片=original photo|原片=original photo|原相片=original photo|人脸=face|脸部=face|"
         "面部=face|镜头=camera|姿势=pose|姿态=pose|动作=pose|裂缝=crack|污点=stain|"
         "霉斑=mold spot|台=stage|地方=area|色调=tone|整体色调=overall tone|光源=light source|主光=key light|轮廓光=rim light|",
    "P": "暗部=shadows|亮部=highlights|高光=highlights|污渍=stains|折痕=creases|划痕=scratches|裂痕=cracks|褶皱=creases|"
         "瑕疵=blemishes|斑点=spots|",
    "M": "补光=fill light|逆光效果=backlight|破损处=damage|光影=light and shadow|",
}
# the flaws of a photo that 修复/修补 takes away (修复划痕 -> remove the scratches); anything else is restored
DEFECTS = ("划痕", "污渍", "折痕", "裂痕", "裂缝", "污点", "霉斑", "噪点", "红眼", "瑕疵", "斑点", "褶皱", "痘痘", "水印",
           "破损", "破洞", "划伤", "污迹", "灰尘", "脏点", "黑点", "皱纹")

EDIT_WORDS = {}
for _kind, _table in _TABLES.items():
    for _pair in _table.split("|"):
        if _pair:
            _zh, _en = _pair.split("=")
            EDIT_WORDS[_zh] = (_kind, _en)
