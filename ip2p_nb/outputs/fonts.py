"""Finding a font that draws Chinese, so posters never show boxes ("tofu").

Search order (the first font that really has Chinese glyphs wins):
1. the system: fontconfig (`fc-list :lang=zh-cn`) when present, then well-known font files on
   Linux, macOS and Windows;
2. a font shipped by a pinned PyPI package: `noto-cjk-sans-otc` (Noto Sans CJK, SIL Open Font
   License 1.1, a 15.5 MB wheel);
3. nothing: `get_font` falls back to Pillow's built-in font, which draws Latin text only, and
   `font_covers` tells the caller which characters would be missing so it can warn.
"""
import functools
import hashlib
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from PIL import ImageFont

from ..errors import UserError
from ..resources import cache_dir
from .files import atomic_write

__all__ = ["FontInfo", "find_cjk_font", "font_covers", "font_report", "get_font", "register_matplotlib_font"]

# Characters a usable Chinese font must have (the poster's own labels plus common instruction words).
_PROBE = "原图编辑后把天空换成夜晚"

# Well-known CJK font files: (path, face index). Face 2 of the Noto CJK collections is Simplified Chinese.
_KNOWN_PATHS = [
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),    # Debian/Ubuntu fonts-noto-cjk
    ("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc", 2),         # Arch, Fedora
    ("/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc", 2),  # older Fedora
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),            # fonts-wqy-microhei
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),              # fonts-wqy-zenhei
    ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", 0),  # fonts-droid-fallback
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),                # fonts-arphic-uming
    ("/usr/share/fonts/truetype/arphic/ukai.ttc", 0),                 # fonts-arphic-ukai
    ("/System/Library/Fonts/PingFang.ttc", 0),                        # macOS 10.11+
    ("/System/Library/Fonts/STHeiti Medium.ttc", 0),                  # older macOS
    ("/System/Library/Fonts/Hiragino Sans GB.ttc", 0),                # macOS
    ("/Library/Fonts/Arial Unicode.ttf", 0),                          # macOS with Office
    ("C:/Windows/Fonts/msyh.ttc", 0),                                 # Windows: Microsoft YaHei
    ("C:/Windows/Fonts/simhei.ttf", 0),                               # Windows: SimHei
    ("C:/Windows/Fonts/simsun.ttc", 0),                               # Windows: SimSun
]

# Family names fontconfig lists, best first: Simplified Chinese sans faces before the rest.
_PREFERRED_FAMILIES = ["Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei",
                       "Noto Sans CJK", "Droid Sans Fallback", "AR PL UMing"]

_PACKAGE = "noto-cjk-sans-otc"
_PACKAGE_LICENCE = "SIL Open Font License 1.1"


@dataclass(frozen=True)
class FontInfo:
    path: str               # font file (.ttf, .otf or a .ttc collection)
    index: int              # face inside a collection (0 for single fonts)
    name: str               # family name from the font's name table
    source: str             # "system" or "package"
    licence: str = ""       # licence text from the font (name ID 13), shortened; "" if unknown
    bold_path: str = ""     # a bold face of the same family, "" if none was found
    bold_index: int = 0


class _Coverage:
    """The code points a font face draws, as a bitmap of all of Unicode (139 KB): `codepoint in coverage`."""

    def __init__(self, bits: bytes):
        self.bits = bits

    def __contains__(self, codepoint: int) -> bool:
        return 0 <= codepoint < len(self.bits) * 8 and bool(self.bits[codepoint >> 3] & (1 << (codepoint & 7)))


@functools.lru_cache(maxsize=64)
def _cmap(path: str, index: int) -> _Coverage:
    """What `path`'s face `index` draws, read once per machine: fontTools' whole cmap of a CJK font takes about
    30 MB of a process while it is read (a room's every page would pay it for its first poster), so the bitmap is
    kept in the cache folder, keyed by the file's path, size and time; a cache that cannot be written is skipped."""
    stat = os.stat(path)
    key = hashlib.sha1(f"{os.path.abspath(path)}|{index}|{stat.st_size}|{stat.st_mtime_ns}".encode()).hexdigest()[:24]
    cached = cache_dir() / "fonts" / f"{key}.cmap"
    try:
        bits = cached.read_bytes()
        if len(bits) == 0x110000 // 8:
            return _Coverage(bits)
    except OSError:
        pass
    from fontTools.ttLib import TTFont
    font = TTFont(path, fontNumber=index, lazy=True) if path.lower().endswith((".ttc", ".otc")) else TTFont(path, lazy=True)
    bits = bytearray(0x110000 // 8)
    for codepoint in font.getBestCmap():
        bits[codepoint >> 3] |= 1 << (codepoint & 7)
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(cached, lambda tmp: Path(tmp).write_bytes(bytes(bits)))
    except (OSError, UserError):   # a read-only home: read the font again next time
        pass
    return _Coverage(bytes(bits))


def _name_record(path: str, index: int, name_id: int) -> str:
    from fontTools.ttLib import TTFont
    try:
        font = TTFont(path, fontNumber=index, lazy=True) if path.lower().endswith((".ttc", ".otc")) else TTFont(path, lazy=True)
        return font["name"].getDebugName(name_id) or ""
    except Exception:
        return ""


def _usable(path: str, index: int) -> bool:
    try:
        return Path(path).is_file() and all(ord(c) in _cmap(path, index) for c in _PROBE)
    except Exception:  # a broken or unreadable font file is simply skipped
        return False


def _bold_sibling(path: str) -> str:
    for a, b in (("Regular", "Bold"), ("-Regular", "-Medium")):
        if a in Path(path).name:
            candidate = str(Path(path).with_name(Path(path).name.replace(a, b)))
            if Path(candidate).is_file():
                return candidate
    return ""


def _short_licence(text: str) -> str:
    """A licence name from a font's licence description (name ID 13)."""
    for needle, name in (("Open Font License", "SIL Open Font License 1.1"), ("Apache License", "Apache License 2.0"),
                         ("GNU General Public License", "GNU GPL (see the font)")):
        if needle in text:
            return name
    return text if len(text) <= 80 else text[:77].rstrip() + "..."


def _info(path: str, index: int, source: str, licence: str = "") -> FontInfo:
    licence = licence or _short_licence(_name_record(path, index, 13))
    return FontInfo(path=path, index=index, name=_name_record(path, index, 1) or Path(path).stem,
                    source=source, licence=licence, bold_path=_bold_sibling(path), bold_index=index)


def _fontconfig_candidates() -> list:
    """(path, index) of fonts fontconfig says support Simplified Chinese, best first."""
    if not shutil.which("fc-list"):
        return []
    try:
        out = subprocess.run(["fc-list", "-f", "%{file}|%{index}|%{family[0]}|%{style[0]}\n", ":lang=zh-cn"],
                             capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    rows = [line.split("|") for line in out.splitlines() if line.count("|") == 3]

    def rank(row):
        family, style = row[2], row[3]
        pref = next((i for i, f in enumerate(_PREFERRED_FAMILIES) if family.startswith(f)), len(_PREFERRED_FAMILIES))
        return (pref, "Mono" in family, "Serif" in family, style not in ("Regular", "Book", "Medium"), family)

    return [(row[0], int(row[1] or 0)) for row in sorted(rows, key=rank)]


def _system_font():
    for path, index in _fontconfig_candidates() + _KNOWN_PATHS:
        if _usable(path, index):
            return _info(path, index, "system")
    return None


def _package_font():
    try:
        import noto_cjk_sans_otc
    except ImportError:
        return None
    path = str(noto_cjk_sans_otc.FONT_PATH)
    return _info(path, 2, "package", _PACKAGE_LICENCE) if _usable(path, 2) else None


@functools.lru_cache(maxsize=1)
def find_cjk_font():
    """The best font that draws Simplified Chinese, as a `FontInfo`, or None. Cached."""
    return _system_font() or _package_font()


def _font_source(font):
    """(path or None, font bytes or None, face index) for a FontInfo, a path or a Pillow font."""
    if isinstance(font, FontInfo):
        return font.path, None, font.index
    if isinstance(font, ImageFont.FreeTypeFont):
        if getattr(font, "font_bytes", None):
            return None, font.font_bytes, font.index
        return str(font.path), None, font.index
    return str(font), None, 0


def font_covers(font, text: str) -> list:
    """Characters of `text` that `font` has no glyph for (each once, in order; spaces ignored).

    `font` is a `FontInfo`, a font file path or a Pillow `FreeTypeFont` (also Pillow's default font).
    """
    path, data, index = _font_source(font)
    if data is not None:
        import io
        from fontTools.ttLib import TTFont
        cmap = frozenset(TTFont(io.BytesIO(data)).getBestCmap())   # a font in memory (Pillow's default): small
    else:
        cmap = _cmap(path, index)
    missing = []
    for char in text:
        if not char.isspace() and ord(char) not in cmap and char not in missing:
            missing.append(char)
    return missing


def get_font(size: int, bold: bool = False, font=None):
    """A Pillow font of `size` px: `font` (a FontInfo or a path) or the found CJK font.

    With no CJK font anywhere, Pillow's built-in font at `size` (Latin only). `font=False`
    forces that built-in font.
    """
    if font is None:
        font = find_cjk_font()
    if font is None or font is False:
        return ImageFont.load_default(size=size)
    if isinstance(font, FontInfo):
        if bold and font.bold_path:
            return ImageFont.truetype(font.bold_path, size, index=font.bold_index)
        return ImageFont.truetype(font.path, size, index=font.index)
    return ImageFont.truetype(str(font), size)


def font_report() -> str:
    """One line for `doctor`: which Chinese font posters use, where it came from, its licence."""
    info = find_cjk_font()
    if info is None:
        return ("No Chinese font found: posters will draw Chinese as boxes. Install one "
                f"(apt-get install fonts-noto-cjk, or pip install {_PACKAGE}).")
    where = "system font" if info.source == "system" else f"from the Python package {_PACKAGE}"
    licence = f"; licence: {info.licence}" if info.licence else ""
    return f"Chinese font: {info.name} ({where}) at {info.path}, face {info.index}{licence}"


def register_matplotlib_font():
    """Make the CJK font available to matplotlib; returns its family name, or None if no font."""
    info = find_cjk_font()
    if info is None:
        return None
    import matplotlib
    from matplotlib import font_manager
    font_manager.fontManager.addfont(info.path)  # matplotlib reads the first face of a collection
    name = font_manager.FontProperties(fname=info.path).get_name()
    if name not in matplotlib.rcParams["font.sans-serif"]:
        matplotlib.rcParams["font.sans-serif"].insert(0, name)
    return name
