"""Reading any image a user brings, and the one resize rule the editor uses.

`load_image` accepts a PIL image, a path, an http(s) address, bytes or a file object and
always returns an RGB image: EXIF orientation applied, transparency composited on white,
every Pillow mode (CMYK, 16-bit, float, palette, 1-bit...) converted, the first frame of an
animation taken.
A file that is not an image, is empty or cut short, or claims an absurd size (a
decompression bomb) is refused with one sentence before anything large is decoded.

`resize_for_edit` states the resize rule (see its docstring).
"""
import io
import struct
import warnings
import zlib
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from ..errors import UserError
from .fetch import fetch_bytes, is_url

__all__ = ["load_image", "resize_for_edit", "edit_size", "to_rgb", "MAX_PIXELS", "MIN_SIDE"]

# Refuse headers claiming more than this many pixels before decoding: a 50-megapixel phone photo is
# fine, a 40000x40000 "image" of 1.6 gigapixels is a decompression bomb that would eat the machine.
MAX_PIXELS = 120_000_000
# The short side after resizing must be at least this (or half of max_size, for the 64-px demo model):
# narrower strips give the model nothing to edit.
MIN_SIDE = 64


# What Pillow raises on damaged files, besides OSError: its plugins parse headers with int(), struct
# and zlib, and a broken TIFF directory surfaces as TypeError or KeyError.
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, TypeError, KeyError, IndexError, EOFError, struct.error, zlib.error)


def _open(src):
    """Open `src` lazily (header only) and say clearly when it is not an image."""
    if isinstance(src, Image.Image):
        return src, "the image"
    if isinstance(src, (bytes, bytearray, memoryview)):
        if len(src) == 0:
            raise UserError("The uploaded file is empty; choose a photo file (JPEG, PNG, WebP...).")
        fp, name = io.BytesIO(bytes(src)), "the uploaded file"
    elif is_url(src):  # downloaded with a size limit and a timeout; the address never becomes a path
        data = fetch_bytes(src)
        name = repr(src.rstrip("/").rsplit("/", 1)[-1][:60])
        if not data:
            raise UserError(f"{name} is empty; choose a photo file (JPEG, PNG, WebP...).")
        fp = io.BytesIO(data)
    elif isinstance(src, (str, Path)):
        path = Path(src)
        try:  # a too-long name (say, a pasted data URL) raises instead of returning False
            found = path.is_file()
        except (OSError, ValueError):
            found = False
        if not found:
            shown = str(path) if len(str(path)) <= 120 else str(path)[:80] + "..."
            raise UserError(f"There is no file at {shown!r}; check the path and try again.")
        if path.stat().st_size == 0:
            raise UserError(f"{path.name!r} is empty; choose a photo file (JPEG, PNG, WebP...).")
        fp, name = path, repr(path.name)
    elif hasattr(src, "read"):
        fp, name = src, "the file"
    else:
        raise UserError(f"Cannot read an image from a {type(src).__name__}; give a path, bytes or a PIL image.")
    try:
        with warnings.catch_warnings():
            # Pillow warns from 89 MP on; `load_image` applies our own limit (MAX_PIXELS) right after opening.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            return Image.open(fp), name
    except Image.DecompressionBombError:
        raise UserError(f"{name} claims an enormous size; it is refused to protect memory. Use a normal photo.") from None
    except UnidentifiedImageError:
        raise UserError(f"{name} is not an image Pillow can read; use a JPEG, PNG, WebP, GIF, BMP or TIFF file.") from None
    except _DECODE_ERRORS as e:  # a known format whose header is broken
        raise UserError(f"Could not read {name} ({e}); try another file.") from None


def _to_8bit(im: Image.Image) -> Image.Image:
    """16-bit, 32-bit integer and float greyscale to 8-bit 'L', scaled by their value range."""
    a = np.asarray(im, dtype=np.float64)
    finite = a[np.isfinite(a)]
    top = float(finite.max()) if finite.size else 0.0
    if im.mode == "F" and top <= 1.0:
        scale = 255.0
    elif top <= 255:
        scale = 1.0
    elif top <= 65535:
        scale = 255.0 / 65535.0
    else:
        scale = 255.0 / top
    a = np.nan_to_num(a * scale, nan=0.0, posinf=255.0, neginf=0.0)
    return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8), "L")


def to_rgb(im: Image.Image) -> Image.Image:
    """Any mode to RGB; transparency is composited on white."""
    if im.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        im = _to_8bit(im)
    if im.mode == "P" or im.mode == "PA":
        im = im.convert("RGBA")
    if im.mode in ("RGBA", "LA", "La", "RGBa"):
        im = im.convert("RGBA")
        white = Image.new("RGBA", im.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, im).convert("RGB")
    return im.convert("RGB")


def load_image(src, *, max_size: int | None = None, notes: list | None = None) -> Image.Image:
    """Read `src` (PIL image, path, http(s) address, bytes or file object) as an RGB image.

    With `max_size`, formats that can (JPEG) decode directly at a reduced scale no smaller than
    needed, so a 50-megapixel photo never sits in memory at full size. Messages worth telling the
    user (first frame of an animation taken) are appended to `notes`.
    """
    im, name = _open(src)
    w, h = im.size
    if w * h > MAX_PIXELS:
        raise UserError(f"{name} is {w}x{h} pixels, more than {MAX_PIXELS // 1_000_000} megapixels; shrink it first.")
    if w < 1 or h < 1:
        raise UserError(f"{name} has no pixels; choose another image.")
    try:
        # MPO (a JPEG with a second, preview picture, common from cameras) is not an animation.
        if getattr(im, "n_frames", 1) > 1 and im.format != "MPO" and notes is not None:
            notes.append(f"{name} is animated; only its first frame is edited.")
        if max_size and im.format in ("JPEG", "MPO"):
            im.draft("RGB", (max_size, max_size))  # decode at 1/2, 1/4 or 1/8 scale, never below max_size
        im.load()
        im = ImageOps.exif_transpose(im)
        return to_rgb(im)
    except _DECODE_ERRORS as e:
        raise UserError(f"{name} is damaged or cut short ({e}); try another file or save it again.") from None


def edit_size(width: int, height: int, max_size: int) -> tuple[int, int]:
    """The (width, height) an image of this size is edited at; see `resize_for_edit`."""
    scale = max_size / max(width, height)
    sides = [max(8, round(side * scale / 8) * 8) for side in (width, height)]
    least = min(MIN_SIDE, max_size // 2)
    if min(sides) < least:
        raise UserError(
            f"The image is {width}x{height}, too narrow for max_size {max_size}: its short side would be "
            f"{min(sides)} px (at least {least} needed); crop it to a less extreme shape or raise max_size."
        )
    return sides[0], sides[1]


def resize_for_edit(image: Image.Image, max_size: int) -> Image.Image:
    """Resize for the model. The rule:

    the aspect ratio is kept and nothing is cropped; the longest side becomes `max_size`
    (scaling up or down); both sides are then rounded to the nearest multiple of 8 (the VAE
    works on 8x8 blocks), so the aspect ratio changes by at most 4 px on the short side.
    `max_size` itself must be a multiple of 8. A short side that would end below 64 px is
    refused (below 32 px for max_size 64). Lanczos resampling; an image already at the target size is returned unchanged.
    """
    size = edit_size(image.width, image.height, max_size)
    if size == image.size:
        return image
    return image.resize(size, Image.Resampling.LANCZOS)
