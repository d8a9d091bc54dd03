"""The shareable before/after poster (`poster.png`).

Layout, top to bottom, on a fixed-width canvas: the title; the original and the edited image
in two white cards labelled 原图 Before / 编辑后 After (side by side, or stacked when the images
are wider than `_WIDE_ASPECT`); a card with the instruction as typed (large) and the English
prompt the model saw; a footer with the settings and the date. Images are scaled, never
stretched or cropped, to fit a common display box. Long text wraps (Chinese per character,
English per word) and is cut with an ellipsis after a few lines.

`poster_layout` is pure (sizes and text in, boxes out) so tests can check that nothing overlaps;
`make_poster` draws it and writes the PNG atomically, settings included in its metadata.
"""
import datetime
import re
import warnings
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageOps

from . import fonts
from ..errors import UserError
from .files import atomic_write
from ..editing.images import to_rgb
from .metadata import png_info

__all__ = ["make_poster", "poster_layout", "settings_line", "wrap", "DEFAULT_TITLE"]

DEFAULT_TITLE = "InstructPix2Pix 文字编辑图片 · Text-guided image editing"

# Geometry, in poster pixels.
_WIDTH = 1200          # fixed, so text stays readable when the poster is shared on a phone
_MARGIN = 56           # outer margin
_GAP = 48              # between the two image cards (room for the arrow)
_PAD = 20              # inside a card
_RADIUS = 22           # card corners
_WIDE_ASPECT = 1.6     # images wider than this are stacked instead of side by side
_MAX_IMAGE_H = 620     # side-by-side display box height: tall images get narrow, not huge
_MAX_STACKED_H = 500   # stacked display box height
# Type scale (px): title, instruction, prompt, labels, small print; line spacing factor.
_SIZES = {"title": 40, "instruction": 38, "prompt": 24, "label": 20, "small": 18}
_LEADING = 1.4
_MAX_LINES = {"title": 2, "instruction": 4, "prompt": 3, "settings": 2}
# Palette: warm paper, white cards, near-black ink, one accent.
_COLORS = {"bg": "#F3EFE7", "card": "#FFFFFF", "ink": "#1D2130", "muted": "#6E7281", "accent": "#4B5BD7",
           "pill": "#ECE9E2", "rule": "#E2DDD3"}

_LABELS = {"before": "原图 Before", "after": "编辑后 After"}
_CAPTIONS = {"instruction": "编辑指令 Instruction", "prompt": "英文提示词 English prompt"}

_CJK = re.compile(r"[\u2e80-\u303f\u3040-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]")
_NO_LINE_START = set("，。、；：！？）》」』】,.;:!?)]}%…")


# --- text -------------------------------------------------------------------------------------
def _tokens(text: str) -> list:
    """Break opportunities: each CJK character, each English word, each run of spaces, newlines."""
    tokens = []
    for piece in re.findall(r"\n|[ \t]+|" + _CJK.pattern + r"|[^ \t\n\u2e80-\u9fff\uac00-\ud7af\uf900-\uffef]+", text):
        if tokens and piece[0] in _NO_LINE_START and tokens[-1] not in ("\n",) and not tokens[-1].isspace():
            tokens[-1] += piece  # keep closing punctuation on the line before
        else:
            tokens.append(piece)
    return tokens


def _split_long(token: str, font, width: int) -> list:
    parts, cur = [], ""
    for char in token:
        if cur and font.getlength(cur + char) > width:
            parts.append(cur)
            cur = ""
        cur += char
    return parts + [cur]


def _ellipsize(line: str, font, width: int) -> str:
    dots = "…" if not fonts.font_covers(font, "…") else "..."
    while line and font.getlength(line + dots) > width:
        line = line[:-1]
    return line.rstrip() + dots


def wrap(text: str, font, width: int, max_lines: int) -> list:
    """Lines of `text` no wider than `width` px; at most `max_lines`, the last cut with an ellipsis."""
    lines, cur = [], ""
    for token in _tokens(text.replace("\r\n", "\n").replace("\r", "\n").strip()):
        if token == "\n":
            lines.append(cur.rstrip())
            cur = ""
            continue
        pieces = _split_long(token, font, width) if font.getlength(token) > width else [token]
        for piece in pieces:
            if cur.strip() and font.getlength((cur + piece).rstrip()) > width:
                lines.append(cur.rstrip())
                cur = "" if piece.isspace() else piece
            else:
                cur = cur + piece if cur.strip() or not piece.isspace() else ""
        if len(lines) > max_lines:
            break
    lines.append(cur.rstrip())
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = _ellipsize(lines[-1], font, width)
    return [line.replace("\u00a0", " ") for line in lines]


def _line_h(font) -> int:
    return round(font.size * _LEADING)


def _text_box(lines, font, x, y):
    width = max((font.getlength(line) for line in lines), default=0)
    return (x, y, x + round(width), y + _line_h(font) * len(lines))


# --- layout -----------------------------------------------------------------------------------
def _fit(size, box_w, box_h):
    """`size` scaled to fit (box_w, box_h), aspect ratio kept, at least 1 px each side."""
    scale = min(box_w / size[0], box_h / size[1])
    return max(1, round(size[0] * scale)), max(1, round(size[1] * scale))


def _bilingual(text, font):
    """Built-in bilingual labels lose their Chinese half when the font cannot draw it."""
    if not fonts.font_covers(font, text):
        return text
    return " ".join(word for word in text.split(" ") if not _CJK.search(word))


def _image_cards(original_size, edited_size, y, font_label, boxes, lines):
    stacked = max(s[0] / s[1] for s in (original_size, edited_size)) > _WIDE_ASPECT
    card_w = _WIDTH - 2 * _MARGIN if stacked else (_WIDTH - 2 * _MARGIN - _GAP) // 2
    box_w, box_h = card_w - 2 * _PAD, _MAX_STACKED_H if stacked else _MAX_IMAGE_H
    shown = [_fit(s, box_w, box_h) for s in (original_size, edited_size)]
    label_h = _line_h(font_label) + 8
    card_h = 2 * _PAD + label_h + 14 + (max(h for _, h in shown) if not stacked else 0)
    x = _MARGIN
    for name, (w, h) in zip(("before", "after"), shown):
        this_h = card_h + (h if stacked else 0)
        boxes[f"{name}_card"] = (x, y, x + card_w, y + this_h)
        lines[f"{name}_label"] = [_bilingual(_LABELS[name], font_label)]
        label_w = round(font_label.getlength(lines[f"{name}_label"][0])) + 28
        boxes[f"{name}_label"] = (x + _PAD, y + _PAD, x + _PAD + label_w, y + _PAD + label_h)
        top = y + _PAD + label_h + 14
        room = (this_h - _PAD - top + y) - h
        ix = x + (card_w - w) // 2
        boxes[f"{name}_image"] = (ix, top + room // 2, ix + w, top + room // 2 + h)
        if name == "before":
            arrow = ((x + card_w + 8, y + this_h // 2 - 16, x + card_w + _GAP - 8, y + this_h // 2 + 16) if not stacked
                     else (_WIDTH // 2 - 16, y + this_h + 8, _WIDTH // 2 + 16, y + this_h + _GAP - 8))
            boxes["arrow"] = arrow
            x, y = (x + card_w + _GAP, y) if not stacked else (x, y + this_h + _GAP)
    return max(boxes["before_card"][3], boxes["after_card"][3])


def poster_layout(original_size, edited_size, instruction, prompt="", settings="", title=DEFAULT_TITLE,
                  date="", font=None):
    """Plan the poster: returns `(canvas_size, boxes, lines)`.

    `boxes` maps region names (title, before_card, before_label, before_image, after_..., arrow,
    text_card, instruction, prompt, settings, date) to (x0, y0, x1, y1); `lines` maps the text
    regions to their wrapped lines. `font` is a FontInfo/path, None for the found CJK font, or
    False for Pillow's built-in font. Pure: draws nothing.
    """
    f = {k: fonts.get_font(s, bold=k in ("title", "instruction"), font=font) for k, s in _SIZES.items()}
    inner = _WIDTH - 2 * _MARGIN
    boxes, lines = {}, {}
    # 1. title
    heading, _, subtitle = (_bilingual(title, f["title"]) if title == DEFAULT_TITLE else title).partition(" · ")
    lines["title"] = wrap(heading, f["title"], inner, _MAX_LINES["title"])
    boxes["title"] = _text_box(lines["title"], f["title"], _MARGIN, _MARGIN - 12)
    y = boxes["title"][3]
    if subtitle.strip():
        lines["subtitle"] = wrap(subtitle, f["prompt"], inner, 1)
        boxes["subtitle"] = _text_box(lines["subtitle"], f["prompt"], _MARGIN, y)
        y = boxes["subtitle"][3]
    # 2. the two image cards
    y = _image_cards(original_size, edited_size, y + 24, f["label"], boxes, lines) + 32
    # 3. the text card: caption, instruction, (caption, prompt)
    tx, tw = _MARGIN + _PAD + 16, inner - 2 * _PAD - 16
    lines["instruction_caption"] = [_bilingual(_CAPTIONS["instruction"], f["small"])]
    boxes["instruction_caption"] = _text_box(lines["instruction_caption"], f["small"], tx, y + _PAD)
    lines["instruction"] = wrap(instruction, f["instruction"], tw, _MAX_LINES["instruction"])
    boxes["instruction"] = _text_box(lines["instruction"], f["instruction"], tx, boxes["instruction_caption"][3] + 4)
    bottom = boxes["instruction"][3]
    if prompt and prompt.strip().casefold() != instruction.strip().casefold():
        lines["prompt_caption"] = [_bilingual(_CAPTIONS["prompt"], f["small"])]
        boxes["prompt_caption"] = _text_box(lines["prompt_caption"], f["small"], tx, bottom + 16)
        lines["prompt"] = wrap(prompt, f["prompt"], tw, _MAX_LINES["prompt"])
        boxes["prompt"] = _text_box(lines["prompt"], f["prompt"], tx, boxes["prompt_caption"][3] + 2)
        bottom = boxes["prompt"][3]
    boxes["text_card"] = (_MARGIN, y, _WIDTH - _MARGIN, bottom + _PAD + 4)
    # 4. footer: settings on the left, date on the right
    y = boxes["text_card"][3] + 24
    date_w = round(f["small"].getlength(date)) if date else 0
    lines["settings"] = wrap(settings, f["small"], inner - date_w - 32, _MAX_LINES["settings"]) if settings else [""]
    boxes["settings"] = _text_box(lines["settings"], f["small"], _MARGIN, y)
    lines["date"] = [date]
    boxes["date"] = (_WIDTH - _MARGIN - date_w, y, _WIDTH - _MARGIN, y + _line_h(f["small"]))
    height = max(boxes["settings"][3], boxes["date"][3]) + _MARGIN - 12
    return (_WIDTH, height), boxes, lines


# --- drawing ----------------------------------------------------------------------------------
# Text regions -> (type size, colour).
_STYLE = {"title": ("title", "ink"), "subtitle": ("prompt", "muted"), "before_label": ("label", "ink"), "after_label": ("label", "card"),
          "instruction_caption": ("small", "accent"), "instruction": ("instruction", "ink"),
          "prompt_caption": ("small", "muted"), "prompt": ("prompt", "ink"), "settings": ("small", "muted"),
          "date": ("small", "muted")}


def _scaled(image, size):
    """`image` resized to `size`: Lanczos when shrinking, bicubic when enlarging."""
    shrinking = size[0] < image.width
    return image.resize(size, Image.LANCZOS if shrinking else Image.BICUBIC)


def _shadows(canvas, cards):
    mask = Image.new("L", canvas.size, 0)
    draw = ImageDraw.Draw(mask)
    for x0, y0, x1, y1 in cards:
        draw.rounded_rectangle((x0, y0 + 8, x1, y1 + 8), _RADIUS, fill=40)
    canvas.paste(_COLORS["ink"], mask=mask.filter(ImageFilter.GaussianBlur(14)))


def _paste_rounded(canvas, image, box):
    w, h = box[2] - box[0], box[3] - box[1]
    mask = Image.new("L", (w, h), 0)
    ImageDraw.Draw(mask).rounded_rectangle((0, 0, w - 1, h - 1), min(12, w // 4, h // 4), fill=255)
    canvas.paste(_scaled(image, (w, h)), box[:2], mask)


def _arrow(draw, box, down):
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    draw.ellipse((cx - 16, cy - 16, cx + 16, cy + 16), fill=_COLORS["accent"])
    points = [(-7, 0), (6, 0), (1, -6), (6, 0), (1, 6)]
    if down:
        points = [(-y, x) for x, y in points]
    draw.line([(cx + px, cy + py) for px, py in points], fill=_COLORS["card"], width=3, joint="curve")


def _draw(original, edited, boxes, lines, size, font):
    f = {k: fonts.get_font(s, bold=k in ("title", "instruction"), font=font) for k, s in _SIZES.items()}
    canvas = Image.new("RGB", size, _COLORS["bg"])
    cards = [boxes[k] for k in ("before_card", "after_card", "text_card")]
    _shadows(canvas, cards)
    draw = ImageDraw.Draw(canvas)
    for card in cards:
        draw.rounded_rectangle(card, _RADIUS, fill=_COLORS["card"])
    draw.rounded_rectangle(boxes["before_label"], 999, fill=_COLORS["pill"])
    draw.rounded_rectangle(boxes["after_label"], 999, fill=_COLORS["accent"])
    x0, y0, _, y1 = boxes["text_card"]
    draw.rounded_rectangle((x0 + _PAD, y0 + _PAD, x0 + _PAD + 5, y1 - _PAD), 3, fill=_COLORS["accent"])
    _paste_rounded(canvas, original, boxes["before_image"])
    _paste_rounded(canvas, edited, boxes["after_image"])
    _arrow(draw, boxes["arrow"], down=boxes["after_card"][1] > boxes["before_card"][1])
    for name, text_lines in lines.items():
        key, colour = _STYLE[name]
        x, y = boxes[name][:2]
        x += 14 if name.endswith("_label") else 0
        for i, line in enumerate(text_lines):
            mid = y + i * _line_h(f[key]) + _line_h(f[key]) / 2 + (4 if name.endswith("_label") else 0)
            draw.text((x, mid), line, font=f[key], fill=_COLORS[colour], anchor="lm")
    return canvas


# --- public entry points ----------------------------------------------------------------------
def _number(value):
    return f"{value:g}" if isinstance(value, float) else str(value)


def settings_line(settings, size: str | None = None) -> str:
    """The settings text of posters and grids: seed, guidances, steps, [size,] model (a string is used as it is)."""
    if isinstance(settings, str) or not settings:
        return settings or ""
    names = [("seed", "Seed"), ("image_guidance", "Image guidance"), ("text_guidance", "Text guidance"),
             ("steps", "Steps"), ("size", "Size"), ("model", "Model")]
    settings = dict(settings, size=size)
    # A no-break space keeps each name with its value when the line wraps.
    return "  ·  ".join(f"{label}\u00a0{_number(settings[key])}".replace(" ", "\u00a0")
                        for key, label in names if settings.get(key) is not None)


def _as_rgb(image, what):
    if image is None:
        raise UserError(f"The poster needs the {what} image: pass an edit result or `{what}=`.")
    if not isinstance(image, Image.Image):
        try:
            with Image.open(image) as opened:
                image = ImageOps.exif_transpose(opened)
                image.load()
        except (OSError, ValueError) as e:
            raise UserError(f"Cannot open the {what} image {str(image)!r} ({e}); check the path and the file.") from e
    return to_rgb(image)


def _gather(result, original, edited, instruction, prompt, settings):
    get = (lambda name: getattr(result, name, None)) if result is not None else (lambda name: None)
    if settings is None:
        settings = {k: get(k) for k in ("seed", "image_guidance", "text_guidance", "steps", "model", "sampler")}
    instruction = instruction if instruction is not None else get("instruction")
    if not instruction or not str(instruction).strip():
        raise UserError("The poster needs the instruction text: pass an edit result or `instruction=`.")
    return {"original": _as_rgb(original if original is not None else get("original"), "original"),
            "edited": _as_rgb(edited if edited is not None else get("image"), "edited"),
            "instruction": str(instruction), "prompt": str(prompt if prompt is not None else get("prompt") or ""),
            "settings": settings}


def _warn_missing_glyphs(texts, font):
    missing = fonts.font_covers(fonts.get_font(20, font=font), "".join(texts))
    if missing:
        warnings.warn(f"No font here can draw {''.join(missing[:12])!r}, so the poster shows boxes there; install a "
                      "Chinese font (apt-get install fonts-noto-cjk, or pip install noto-cjk-sans-otc).", stacklevel=3)
    return missing


def make_poster(result=None, path="poster.png", *, original=None, edited=None, instruction=None, prompt=None,
                settings=None, title=DEFAULT_TITLE, date=None, font=None) -> Path:
    """Compose the before/after poster and write it atomically to `path`; returns the path.

    `result` is an EditResult (or any object with its fields); the keyword arguments override
    it or replace it: `original`/`edited` (PIL images or paths), `instruction`, `prompt`,
    `settings` (a dict with seed, image_guidance, text_guidance, steps, model, or a string),
    `date` (default today; "" for none), `font` (None: the Chinese font found on this machine;
    a FontInfo or font path; False: Pillow's built-in font). Warns when the font lacks glyphs.
    """
    # 1. inputs
    data = _gather(result, original, edited, instruction, prompt, settings)
    date = datetime.date.today().isoformat() if date is None else str(date)
    footer = settings_line(data["settings"])
    _warn_missing_glyphs([data["instruction"], data["prompt"], footer], font)
    # 2. layout and drawing
    size, boxes, lines = poster_layout(data["original"].size, data["edited"].size, data["instruction"],
                                       data["prompt"], footer, title, date, font)
    canvas = _draw(data["original"], data["edited"], boxes, lines, size, font)
    # 3. atomic write, with the edit settings in the PNG metadata
    meta = dict(data["settings"]) if isinstance(data["settings"], dict) else {}
    meta.update(instruction=data["instruction"], prompt=data["prompt"], size=data["edited"].size)
    info = png_info(meta)
    try:
        return Path(atomic_write(path, lambda tmp: canvas.save(tmp, format="PNG", pnginfo=info)))
    except UserError:
        raise
    except Exception as e:  # e.g. a codec error: still one sentence, and the old poster is untouched
        raise UserError(f"Could not write the poster {str(path)!r} ({e}); the previous file, if any, is unchanged.") from e
