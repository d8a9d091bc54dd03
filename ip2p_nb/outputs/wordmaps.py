"""Pictures of where each word acts: one word's heat map over a picture, and a grid of all the words.

`heat_overlay(image, heat)` colours a picture by a map (0..1, any size: resized to the picture);
`maps_grid(image, maps, title)` is the picture followed by one captioned tile per word (a `WordMaps` of
ip2p_nb/attention/maps.py), the way Prompt-to-Prompt shows its cross-attention; `save_maps_grid` writes
it atomically (`edit --maps` writes NAME_maps.png beside NAME.png). Captions render Chinese too.
"""
import math

import numpy as np
from PIL import Image, ImageDraw

from .files import save_image_atomic
from .fonts import get_font

__all__ = ["heat_overlay", "maps_grid", "save_maps_grid", "maps_path"]

_COLUMNS = 6          # tiles per row of the grid
_MIN_TILE = 128       # small pictures (the 64 px toy models) are enlarged to at least this
_MAX_TILE = 256       # and large ones shrunk to at most this


def heat_overlay(image: Image.Image, heat: np.ndarray, alpha: float = 0.55) -> Image.Image:
    """`image` with `heat` (0..1) laid over it in the "jet" colours: blue where the word is absent, red where it acts."""
    from matplotlib import colormaps  # noqa: PLC0415

    image = image.convert("RGB")
    heat = np.asarray(Image.fromarray((np.clip(heat, 0, 1) * 255).astype(np.uint8)).resize(image.size, Image.BILINEAR))
    colours = (colormaps["jet"](heat / 255.0)[..., :3] * 255).astype(np.uint8)
    return Image.blend(image, Image.fromarray(colours), alpha)


def _tile_size(image: Image.Image) -> tuple[int, int]:
    w, h = image.size
    longest = max(w, h)
    scale = _MIN_TILE / longest if longest < _MIN_TILE else min(1.0, _MAX_TILE / longest)
    return max(1, round(w * scale)), max(1, round(h * scale))


def maps_grid(image: Image.Image, maps, title: str | None = None, labels: dict | None = None) -> Image.Image:
    """The picture, then one tile per word of `maps` with the word under it; `labels` {word: extra text} (e.g. the
    Chinese it came from) adds a second caption line."""
    tile_w, tile_h = _tile_size(image)
    font, small = get_font(max(12, tile_w // 11)), get_font(max(11, tile_w // 13))
    caption_h, pad = int(font.size * 2.6), 8
    tiles = [(image.convert("RGB").resize((tile_w, tile_h), Image.NEAREST), "picture", "")]
    for i, word in enumerate(maps.words):
        overlay = heat_overlay(image, maps.maps[i]).resize((tile_w, tile_h), Image.NEAREST)
        tiles.append((overlay, word, (labels or {}).get(word, "")))
    columns = min(_COLUMNS, len(tiles))
    rows = math.ceil(len(tiles) / columns)
    title_h = int(font.size * 2) if title else 0
    grid = Image.new("RGB", (pad + columns * (tile_w + pad), title_h + pad + rows * (tile_h + caption_h + pad)), "white")
    draw = ImageDraw.Draw(grid)
    if title:
        draw.text((pad, pad // 2), title, fill=(20, 20, 20), font=font)
    for k, (picture, word, extra) in enumerate(tiles):
        x = pad + (k % columns) * (tile_w + pad)
        y = title_h + pad + (k // columns) * (tile_h + caption_h + pad)
        grid.paste(picture, (x, y))
        draw.text((x + tile_w // 2, y + tile_h + 2), word, fill=(20, 20, 20), font=font, anchor="ma")
        if extra:
            draw.text((x + tile_w // 2, y + tile_h + 2 + int(font.size * 1.25)), extra, fill=(90, 90, 90), font=small, anchor="ma")
    return grid


def maps_path(output) -> str:
    """Where `edit --output NAME.png --maps` writes the grid: NAME_maps.png beside it."""
    text = str(output)
    stem, dot, ext = text.rpartition(".")
    return f"{stem}_maps.{ext}" if dot and "/" not in ext else f"{text}_maps.png"


def save_maps_grid(image: Image.Image, maps, path, title: str | None = None, labels: dict | None = None):
    """Write `maps_grid(...)` to `path` atomically (never a half-written file); returns the path."""
    return save_image_atomic(maps_grid(image, maps, title, labels), path)
