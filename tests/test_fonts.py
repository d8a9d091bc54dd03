"""The poster's Chinese font: found on the system or in the pinned package, never tofu."""
import os
import shutil

import pytest
from PIL import Image, ImageChops, ImageDraw, ImageFont

from ip2p_nb.outputs import fonts

CHINESE = "把天空换成夜晚"


def _system_cjk_fonts() -> list:
    """The CJK fonts fontconfig knows (empty without fontconfig or without such fonts)."""
    return fonts._fontconfig_candidates() if shutil.which("fc-list") else []


needs_system_cjk = pytest.mark.skipif(not _system_cjk_fonts(), reason="no system CJK font (apt-get install fonts-noto-cjk)")


def _render(font, text, size=(360, 60)):
    image = Image.new("L", size, 255)
    ImageDraw.Draw(image).text((4, size[1] / 2), text, font=font, fill=0, anchor="lm")
    return image


@needs_system_cjk
def test_finds_a_system_font_that_has_chinese_glyphs():
    info = fonts.find_cjk_font()
    assert info is not None
    assert info.source == "system" and os.path.isfile(info.path)
    assert fonts.font_covers(info, CHINESE + "原图编辑后") == []
    assert fonts.find_cjk_font() is info  # cached


@needs_system_cjk
def test_fontconfig_ranks_simplified_chinese_sans_first():
    path, index = fonts._fontconfig_candidates()[0]
    assert fonts._name_record(path, index, 1) in ("Noto Sans CJK SC", "WenQuanYi Micro Hei")


def test_package_fallback_is_the_ofl_noto_font():
    pytest.importorskip("noto_cjk_sans_otc")
    info = fonts._package_font()
    assert info.source == "package" and info.name == "Noto Sans CJK SC"
    assert info.licence == "SIL Open Font License 1.1"
    assert fonts.font_covers(info, CHINESE) == []


def test_font_covers_lists_missing_characters_once_in_order():
    builtin = ImageFont.load_default(size=20)
    assert fonts.font_covers(builtin, "Hello 世界世") == ["世", "界"]
    assert fonts.font_covers(builtin, "Hello, world!") == []


def test_chinese_renders_as_real_glyphs_not_boxes():
    cjk, builtin = fonts.get_font(40), fonts.get_font(40, font=False)
    # With the CJK font different characters look different ...
    assert ImageChops.difference(_render(cjk, "天"), _render(cjk, "空")).getbbox() is not None
    # ... while a font without CJK glyphs draws them all as the same box (tofu).
    assert ImageChops.difference(_render(builtin, "天"), _render(builtin, "空")).getbbox() is None
    assert ImageChops.difference(_render(cjk, CHINESE), _render(builtin, CHINESE)).getbbox() is not None


def test_get_font_sizes_and_bold_face():
    info = fonts.find_cjk_font()
    regular, bold = fonts.get_font(30), fonts.get_font(30, bold=True)
    assert regular.size == bold.size == 30
    if info.bold_path:
        assert bold.path == info.bold_path and regular.path == info.path
        assert bold.getlength(CHINESE) >= regular.getlength(CHINESE)


def test_font_report_names_the_font_and_licence():
    info = fonts.find_cjk_font()
    report = fonts.font_report()
    assert info.name in report and info.path in report
    if info.licence:
        assert info.licence in report


def test_register_matplotlib_font():
    import matplotlib
    name = fonts.register_matplotlib_font()
    assert name and name in matplotlib.rcParams["font.sans-serif"]
    from matplotlib import font_manager
    found = font_manager.findfont(font_manager.FontProperties(family=name), fallback_to_default=False)
    assert os.path.samefile(found, fonts.find_cjk_font().path)


def test_a_fonts_coverage_is_read_once_per_machine(tmp_path):
    """The first process reads the font's cmap with fontTools and keeps a bitmap in the cache folder; the next
    process (a room's next page) answers from that file without parsing the cmap again, with the same answers."""
    import json
    import subprocess
    import sys

    info = fonts.find_cjk_font()
    if info is None:
        pytest.skip("no CJK font on this machine")
    probe = ("import json, sys; from ip2p_nb.outputs import fonts; "
             f"missing = fonts.font_covers(fonts.FontInfo({info.path!r}, {info.index}, 'x', 'system'), '把天空换成夜晚 A 𠀀'); "
             "print(json.dumps([missing, 'fontTools.ttLib.tables._c_m_a_p' in sys.modules]))")
    env = {**os.environ, "IP2P_CACHE_DIR": str(tmp_path)}
    first, second = (json.loads(subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True,
                                               check=True).stdout) for _ in range(2))
    assert first == [["𠀀"], True] and second == [["𠀀"], False]
    assert [p.stat().st_size for p in (tmp_path / "fonts").iterdir()] == [0x110000 // 8]
