"""Edit settings written into PNG text metadata, readable by Stable Diffusion tools.

The `parameters` text key uses the AUTOMATIC1111 web UI format that metadata readers
(sd-parsers, civitai, the web UI's "PNG Info" tab) understand:

    make the sky a night sky
    Steps: 20, Sampler: Euler a, CFG scale: 7.5, Image CFG scale: 1.5, Seed: 1234, Size: 512x384, Model: tiny, Instruction: "把天空换成夜晚"

First line(s): the English prompt the model saw. Last line: the settings, "key: value" pairs
separated by commas; a value containing a comma, colon or quote is written as a JSON string.
`Threads` is torch's CPU thread count during the edit: on a CPU the same seed and settings give
slightly different pixels with another count, so `edit --like PICTURE.png` (outputs/reproduce.py)
runs with the recorded count. The instruction as typed also goes into its own `instruction` key, exactly, so that nothing
in it can confuse a reader of `parameters`. Text that is not Latin-1 (Chinese) is stored as
iTXt (UTF-8), so it round-trips.
"""
import json
import re
from pathlib import Path

from PIL import Image
from PIL.PngImagePlugin import PngInfo

from ..errors import UserError
from .files import atomic_write

__all__ = ["parameters_text", "parse_parameters", "png_info", "save_png", "read_png_settings"]

SAMPLER = "Euler a"  # when a result does not say which sampler ran: the editor's default (EulerAncestralDiscreteScheduler)

# Settings-line keys in A1111 order -> the EditResult field each comes from.
_KEYS = {
    "Steps": "steps",
    "Sampler": "sampler",
    "CFG scale": "text_guidance",          # A1111's name for the text guidance
    "Image CFG scale": "image_guidance",   # A1111's name for InstructPix2Pix image guidance
    "Seed": "seed",
    "Size": "size",
    "Model": "model",
    "Instruction": "instruction",
    "Mask box": "mask_box",                # with a mask: its bounding box left,top,right,bottom in the photo's pixels
    "Region": "region",                    # with a region: the part edited, left,top,right,bottom
    "Cache interval": "cache_interval",    # deep UNet features reused (reuse.py): written when not 1, it changes the picture
    "Runtime": "runtime",                  # written when not torch: OpenVINO's pixels differ slightly
    "Max size": "max_size",                # written when the picture's longest side is not it (a region or mask edit)
    "Threads": "threads",                  # torch's CPU threads: on a CPU another count changes the pixels slightly
}
_BOXES = ("mask_box", "region")
_NUMBERS = {"steps": int, "seed": int, "text_guidance": float, "image_guidance": float, "cache_interval": int,
            "max_size": int, "threads": int}
_UNSAID = {"cache_interval": 1, "runtime": "torch"}  # the defaults: not written, so older files read the same
_PAIR = re.compile(r'\s*([\w][\w \-/]*):\s*("(?:\\.|[^\\"])*"|[^,]*)(?:,|$)')


def _field(result, name, default=None):
    """`result.name` or `result[name]`: works for EditResult-like objects and plain dicts."""
    if isinstance(result, dict):
        return result.get(name, default)
    return getattr(result, name, default)


def _size(result):
    image = _field(result, "image")
    if image is not None and hasattr(image, "size"):
        return "{}x{}".format(*image.size)
    size = _field(result, "size")
    if isinstance(size, (tuple, list)):
        return "{}x{}".format(*size)
    return size


def _quote(value) -> str:
    text = str(value)
    if any(c in text for c in ',:"\n') or text != text.strip():
        return json.dumps(text, ensure_ascii=False)
    return text


def parameters_text(result) -> str:
    """The A1111 `parameters` string for an EditResult-like object or a dict of the same fields."""
    prompt = _field(result, "prompt") or _field(result, "instruction") or ""
    values = {"sampler": _field(result, "sampler") or SAMPLER, "size": _size(result)}
    try:
        if max(int(v) for v in str(values["size"]).split("x")) == _field(result, "max_size"):
            values["max_size"] = ""   # the longest side says it
    except (TypeError, ValueError):
        pass
    for name in _BOXES:
        box = _field(result, name)
        if isinstance(box, (tuple, list)):
            values[name] = ",".join(str(int(v)) for v in box)
    pairs = []
    for key, name in _KEYS.items():
        value = values.get(name, _field(result, name))
        if value is not None and value != "" and value != _UNSAID.get(name):
            pairs.append(f"{key}: {_quote(value)}")
    return str(prompt).strip() + "\n" + ", ".join(pairs)


def parse_parameters(text: str) -> dict:
    """Read a `parameters` string back into EditResult field names (prompt, seed, steps, ...)."""
    lines = text.strip().split("\n")
    settings = {}
    for key, value in _PAIR.findall(lines[-1]):
        if value.startswith('"'):
            try:
                value = json.loads(value)
            except ValueError:
                pass
        settings[key.strip()] = value.strip() if isinstance(value, str) else value
    out = {"prompt": "\n".join(lines[:-1]).split("Negative prompt:")[0].strip()}
    for key, name in _KEYS.items():
        if key in settings:
            out[name] = settings[key]
    for name in _BOXES:
        if name in out:
            try:
                out[name] = tuple(int(v) for v in str(out[name]).split(","))
            except ValueError:
                del out[name]
    for name, kind in _NUMBERS.items():
        if name in out:
            try:
                out[name] = kind(out[name])
            except ValueError:
                del out[name]
    return out


def png_info(result) -> PngInfo:
    """PNG text chunks for `result`: `parameters` (A1111 format), `instruction`, `Software`."""
    info = PngInfo()
    chunks = {"parameters": parameters_text(result), "instruction": _field(result, "instruction"),
              "Software": "ip2p_nb (InstructPix2Pix)"}
    for key, value in chunks.items():
        if not value:
            continue
        try:
            str(value).encode("latin-1")
            info.add_text(key, str(value))
        except UnicodeEncodeError:
            info.add_itxt(key, str(value), lang="", tkey="")
    return info


def save_png(image, path, result=None) -> Path:
    """Save `image` as a PNG atomically, with `result`'s settings in its metadata when given."""
    pnginfo = png_info(result) if result is not None else None
    return atomic_write(path, lambda tmp: image.save(tmp, format="PNG", pnginfo=pnginfo))


def read_png_settings(path) -> dict:
    """Settings stored in a PNG by `save_png` (or any A1111-style tool); {} if there are none."""
    try:
        with Image.open(path) as image:
            text = dict(image.info)
    except (OSError, ValueError) as e:
        raise UserError(f"Cannot read the image {str(path)!r} ({e}); check the path and that it is a PNG or JPEG file.") from e
    out = parse_parameters(text["parameters"]) if isinstance(text.get("parameters"), str) else {}
    if isinstance(text.get("instruction"), str):
        out["instruction"] = text["instruction"]
    return out
