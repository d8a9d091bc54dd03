"""Explore: one labelled picture comparing variations of an edit (guidance grids, seeds, phrasings).

    grid = explore(editor, "photo.jpg", "make it snowy",
                   {"image_guidance": [1.2, 1.5, 2.0], "text_guidance": [5, 7.5, 10]}, output="grid.png")

edits the image once per combination of the varied settings (one or two axes: the first runs
across, the second down) and draws the results in one grid: the input at the top-left, the axis
titles and each column's and row's value, every tile at the edit's own size. Settings that are not
varied are the same for every tile, the seed included (a random seed is drawn once per grid), so
the differences come from the varied settings alone. Each tile is the picture `editor.edit` gives
with the same settings.

The work is shared: the input is resized and encoded once, each prompt is encoded once, and tiles
that differ only by seed are denoised together as one batch (see `_batch_size`). What can be varied,
and how values are checked and parsed from text, is in ip2p_nb/outputs/axes.py.
"""
import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import torch
from PIL import Image, ImageDraw

from . import fonts
from ..editing.results import EditResult
from ..errors import EditStopped, OutOfMemory
from .axes import AXES, cells_of, check_axes, check_fixed, parse_values, parse_vary
from .files import atomic_write
from .metadata import parameters_text, png_info
from .poster import settings_line, wrap

__all__ = ["explore", "Grid", "AXES", "parse_values", "parse_vary"]

# Seeds denoised together on a CPU. The CPU is already busy inside one UNet call, so batching only
# saves per-call overhead; 4 keeps memory modest (a 512-px Stable Diffusion tile needs about 1 GB).
_CPU_BATCH = 4
# GPU memory one 512x512 tile needs inside a batch, in float16 (UNet activations of three guidance
# branches plus the VAE decoder, which dominates): an estimate from Stable Diffusion 1.5, not measured here.
_GPU_BYTES_PER_TILE = 3.0e9
_GPU_MAX_BATCH = 8


@dataclass
class Grid:
    image: object          # the labelled grid (PIL RGB)
    tiles: list            # rows of EditResult: tiles[row][col]
    axes: list             # [(name, values)]: axes[0] across (columns), axes[1] down (rows) if any
    original: object       # the input as edited (resized)
    boxes: dict            # "input" and "tiles" (rows of) (x0, y0, x1, y1) boxes in `image`
    seconds: float
    path: Path | None = None
    warnings: list = field(default_factory=list)

    def settings(self, row: int, col: int) -> dict:
        """The settings of one tile, ready to pass to `editor.edit` (instruction and english included)."""
        t = self.tiles[row][col]
        return {"instruction": t.instruction, "english": t.prompt if t.backend == "override" else None,
                "seed": t.seed, "image_guidance": t.image_guidance, "text_guidance": t.text_guidance,
                "steps": t.steps, "max_size": t.max_size}


# --- running ----------------------------------------------------------------------------------
def _batch_size(editor, original) -> int:
    """How many seeds to denoise together: `_CPU_BATCH` on CPU, an estimate from free memory on CUDA."""
    device = editor.pipe._execution_device
    if device.type != "cuda":
        return _CPU_BATCH if device.type == "cpu" else 2
    free, _ = torch.cuda.mem_get_info(device)
    free += torch.cuda.memory_reserved(device) - torch.cuda.memory_allocated(device)
    scale = original.width * original.height / 512**2 * editor.pipe.unet.dtype.itemsize / 2
    return max(1, min(_GPU_MAX_BATCH, int(0.8 * free / (_GPU_BYTES_PER_TILE * scale))))


class _Progress:
    """One progress count for the whole grid: steps summed over tiles; `stop.is_set()` stops it."""

    def __init__(self, callback, stop, total):
        self.callback, self.stop, self.total, self.done = callback, stop, total, 0

    def check(self):
        if self.stop is not None and self.stop.is_set():
            raise EditStopped("stopped")

    def for_batch(self, size):
        base = self.done

        def step(i, _steps):
            self.check()
            if self.callback is not None:
                self.callback(base + i * size, self.total)
        return step


def _generate(editor, original, prompt, seeds, cell, tracker, notes) -> list:
    """Images for `seeds`; when a batch runs out of GPU memory, the seeds one at a time."""
    args = (cell["image_guidance"], cell["text_guidance"], cell["steps"])
    try:
        return editor.generate(original, prompt, seeds, *args, tracker.for_batch(len(seeds)), notes, max_size=cell["max_size"])
    except OutOfMemory:  # memory was freed; a batch is retried one seed at a time
        if len(seeds) == 1:
            raise
    images, base = [], tracker.done
    for seed in seeds:  # the caller counts the whole batch as done afterwards, so restore `done`
        images += _generate(editor, original, prompt, [seed], cell, tracker, notes)
        tracker.done += cell["steps"]
    tracker.done = base
    return images


def _run(editor, original, cells, progress, stop, notes, tile=None) -> list:
    """An EditResult per cell; tiles sharing prompt, guidances and steps run as seed batches."""
    flat = [cell for row in cells for cell in row]
    prompts = {}
    for cell in flat:
        if cell["instruction"] not in prompts:
            prompts[cell["instruction"]] = editor.prompt_for(cell["instruction"], cell["english"], notes)
    groups = {}
    for i, cell in enumerate(flat):
        key = (cell["instruction"], cell["image_guidance"], cell["text_guidance"], cell["steps"])
        groups.setdefault(key, []).append(i)
    tracker = _Progress(progress, stop, sum(cell["steps"] for cell in flat))
    size, results = _batch_size(editor, original), [None] * len(flat)
    for indices in groups.values():
        for chunk in (indices[k:k + size] for k in range(0, len(indices), size)):
            cell, start = flat[chunk[0]], time.perf_counter()
            prompt, backend = prompts[cell["instruction"]]
            tracker.check()
            images = _generate(editor, original, prompt, [flat[i]["seed"] for i in chunk], cell, tracker, notes)
            tracker.done += cell["steps"] * len(chunk)
            seconds = (time.perf_counter() - start) / len(chunk)
            for i, image in zip(chunk, images):
                c = flat[i]
                results[i] = EditResult(image, original, c["instruction"], prompt, c["seed"], c["image_guidance"],
                                        c["text_guidance"], c["steps"], c["max_size"], editor.model_name, seconds, backend, [],
                                        editor.sampler)
                if tile is not None:  # a finished tile, shown while the others run
                    tile(*divmod(i, len(cells[0])), results[i])
    width = len(cells[0])
    return [results[r * width:(r + 1) * width] for r in range(len(cells))]


def _save(grid, path) -> Path:
    """The grid PNG, atomically; `parameters` is the first tile's, `tiles` a JSON list of all of them."""
    first = grid.tiles[0][0]
    info = png_info(first)
    tiles = [{"row": r, "col": c, "instruction": t.instruction, "parameters": parameters_text(t)}
             for r, row in enumerate(grid.tiles) for c, t in enumerate(row)]
    info.add_itxt("tiles", json.dumps(tiles, ensure_ascii=False), lang="", tkey="")
    info.add_itxt("axes", json.dumps([{"name": n, "values": v} for n, v in grid.axes], ensure_ascii=False), lang="", tkey="")
    return atomic_write(path, lambda tmp: grid.image.save(tmp, format="PNG", pnginfo=info))


def explore(editor, image, instruction, vary: dict, *, output=None, progress=None, stop=None, tile=None,
            **edit_settings) -> Grid:
    """Edit `image` once per combination of the `vary` values and draw all results in one grid.

    `vary`: one or two of `image_guidance`, `text_guidance`, `seed`, `steps`, `instruction`, each
    with 1 to `axes.MAX_VALUES` values (at most `axes.MAX_TILES` tiles); the first runs across, the second
    down. `instruction` is None when the instruction itself is varied. `edit_settings`: the fixed
    settings of `editor.edit` (image_guidance, text_guidance, steps, seed, max_size, english); the
    varied ones replace them. `progress(done, total)` counts steps over the whole grid; raising
    from it, or setting the `stop` event (a `threading.Event`), stops the grid (`EditStopped`).
    `output`: a PNG path, written atomically with every tile's settings in its metadata.
    `tile(row, col, result)` is called as each tile is finished (tiles sharing settings finish together).
    """
    start = time.perf_counter()
    # 1. Check the axes and the fixed settings, and lay out the tiles' settings
    axes = check_axes(vary)
    fixed = check_fixed(editor, instruction, axes, edit_settings)
    cells = cells_of(axes, fixed)
    # 2. Read and resize the image once for every tile
    notes = []
    original = editor.prepare(image, fixed["max_size"], notes)
    # 3. Run the tiles, holding the editor like `edit` does
    with editor.busy():
        try:
            tiles = _run(editor, original, cells, progress, stop, notes, tile)
        except EditStopped:
            raise EditStopped("The grid was stopped; nothing was saved.") from None
    # 4. Draw the grid and save it
    picture, boxes = _draw_grid(original, tiles, axes)
    grid = Grid(picture, tiles, axes, original, boxes, time.perf_counter() - start, None, list(dict.fromkeys(notes)))
    if output is not None:
        grid.path = _save(grid, output)
    return grid


# --- drawing ----------------------------------------------------------------------------------
# Geometry in grid pixels: outer margin, gap between tiles, gap between the input column, the row
# labels and the tiles. Tiles keep the edit's own pixels (never scaled), so the grid is as sharp as them.
_MARGIN, _GAP, _SECTION = 28, 10, 28
_COLOURS = {"bg": "#FFFFFF", "ink": "#1D2130", "muted": "#6E7281", "accent": "#4B5BD7"}


def _fonts(tile_w: int) -> dict:
    """Label size follows the tile size (16 px at 228-px tiles, up to 28 px), so 1024-px tiles stay labelled."""
    size = max(16, min(28, round(tile_w * 0.07)))
    return {"title": fonts.get_font(round(size * 1.25), bold=True), "bold": fonts.get_font(size, bold=True),
            "label": fonts.get_font(size), "small": fonts.get_font(max(14, round(size * 0.8)))}


def _line_h(font) -> int:
    return round(font.size * 1.35)


def _block_h(lines) -> int:
    return sum(_line_h(font) for _, font, _ in lines)


def _lines(text, font, width, max_lines, colour="ink") -> list:
    return [(line, font, _COLOURS[colour]) for line in wrap(str(text), font, int(width), max_lines)]


def _axis_title(name, f, arrow) -> tuple:
    """(Chinese title, English title + arrow); Chinese only when a CJK font was found."""
    zh, en = AXES[name]
    if fonts.font_covers(f["bold"], arrow):
        arrow = {"→": "->", "↓": "v"}[arrow]
    return (zh if fonts.find_cjk_font() else ""), f"{en} {arrow}"


def _value_lines(name, value, tile, f, width) -> list:
    if name != "instruction":
        return _lines(f"{value:.1f}" if isinstance(value, float) and value == int(value) else f"{value:g}", f["label"], width, 1)
    lines = _lines(value, f["label"], width, 3)
    if tile.prompt != value:  # translated or overridden: show what the model saw
        lines += _lines(tile.prompt, f["small"], width, 2, "muted")
    return lines


def _header(tiles, axes, f, width) -> list:
    first, varied = tiles[0][0], {name for name, _ in axes}
    if "instruction" in varied:
        lines = _lines("比较不同说法 Comparing phrasings" if fonts.find_cjk_font() else "Comparing phrasings", f["title"], width, 1)
    else:
        lines = _lines(first.instruction, f["title"], width, 2)
        if first.prompt != first.instruction:
            lines += _lines(first.prompt, f["small"], width, 2, "muted")
    settings = {key: value for key, value in first.settings.items() if key not in varied and key != "max_size"}
    line = settings_line(settings, size="{}x{}".format(*first.image.size))
    return lines + _lines(line, f["small"], width, 2, "muted")


def _draw_block(draw, lines, x, y, width=None):
    """Lines from the top-left (x, y), or centred on a box `width` wide."""
    for text, font, colour in lines:
        if width is None:
            draw.text((x, y), text, font=font, fill=colour, anchor="la")
        else:
            draw.text((x + width / 2, y), text, font=font, fill=colour, anchor="ma")
        y += _line_h(font)


def _draw_grid(original, tiles, axes) -> tuple:
    """The labelled grid and its boxes: the input in its own column at the top-left, then the row labels,
    then the tiles; the header (instruction, fixed settings) on top, column labels above the tiles."""
    tw, th = tiles[0][0].image.size
    rows, cols, f = len(tiles), len(tiles[0]), _fonts(tw)
    # 1. Labels, and the widths they need
    across = [(t, f["bold"], _COLOURS["accent"]) for t in [" ".join(_axis_title(axes[0][0], f, "→")).strip()]]
    col_labels = [_value_lines(axes[0][0], v, tiles[0][c], f, tw) for c, v in enumerate(axes[0][1])]
    down, row_labels, label_w = [], [[] for _ in range(rows)], 0
    if len(axes) > 1:
        widest = max(140, int(tw * (0.8 if axes[1][0] == "instruction" else 0.6)))  # phrasings need room
        down = [(t, f["bold"], _COLOURS["accent"]) for t in _axis_title(axes[1][0], f, "↓") if t]
        row_labels = [_value_lines(axes[1][0], v, tiles[r][0], f, widest) for r, v in enumerate(axes[1][1])]
        label_w = int(max(font.getlength(t) for t, font, _ in down + sum(row_labels, []))) + _SECTION
    caption = _lines("原图 Input" if fonts.find_cjk_font() else "Input", f["bold"], tw, 1)
    width = 2 * _MARGIN + tw + _SECTION + label_w + cols * tw + (cols - 1) * _GAP
    header = _header(tiles, axes, f, width - 2 * _MARGIN)
    # 2. Geometry
    y_cols = _MARGIN + _block_h(header) + _SECTION
    col_h = max(_block_h(across) + max(_block_h(lines) for lines in col_labels), _block_h(down), _block_h(caption))
    y_tiles = y_cols + col_h + _GAP
    x_labels = _MARGIN + tw + _SECTION
    x_tiles = x_labels + label_w
    boxes = {"input": (_MARGIN, y_tiles, _MARGIN + tw, y_tiles + th),
             "tiles": [[(x_tiles + c * (tw + _GAP), y_tiles + r * (th + _GAP), x_tiles + c * (tw + _GAP) + tw,
                         y_tiles + r * (th + _GAP) + th) for c in range(cols)] for r in range(rows)]}
    height = y_tiles + rows * th + (rows - 1) * _GAP + _MARGIN
    # 3. Draw: pictures, then text
    canvas = Image.new("RGB", (width, height), _COLOURS["bg"])
    draw = ImageDraw.Draw(canvas)
    x0, y0, x1, y1 = boxes["input"]
    draw.rectangle((x0 - 3, y0 - 3, x1 + 2, y1 + 2), outline=_COLOURS["accent"], width=3)
    canvas.paste(original, boxes["input"][:2])
    for r, row in enumerate(tiles):
        for c, tile in enumerate(row):
            canvas.paste(tile.image, boxes["tiles"][r][c][:2])
    _draw_block(draw, header, _MARGIN, _MARGIN)
    _draw_block(draw, caption, _MARGIN, y_tiles - _GAP - _block_h(caption), tw)
    _draw_block(draw, across, x_tiles, y_cols)
    for c, lines in enumerate(col_labels):
        _draw_block(draw, lines, boxes["tiles"][0][c][0], y_tiles - _GAP - _block_h(lines), tw)
    _draw_block(draw, down, x_labels, y_tiles - _GAP - _block_h(down))
    for r, lines in enumerate(row_labels):
        _draw_block(draw, lines, x_labels, boxes["tiles"][r][0][1] + (th - _block_h(lines)) // 2)
    return canvas, boxes
