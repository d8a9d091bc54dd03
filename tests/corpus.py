"""A corpus of awkward and broken image files, generated into a folder for the reliability tests.

Nothing is downloaded: every file is made here with Pillow (or by hand, byte by byte, for the
broken ones), so each case is small, exact and documented by the function that makes it.
`make_corpus(folder)` writes them all and returns {name: path}; the helpers below it make the
single cases the tests check pixel by pixel (modes, EXIF orientations, animations).
"""
import io
import struct
import zlib
from pathlib import Path

import numpy as np
from PIL import Image

__all__ = ["MODES", "FORMATS", "ORIENTATIONS", "mode_image", "marker_image", "oriented_jpeg", "animated",
           "png_claiming", "make_corpus", "RED", "BLUE"]

RED, BLUE = (230, 20, 20), (20, 20, 230)

# Every Pillow mode a user's file can arrive in, and the formats that store each one losslessly.
MODES = {
    "RGB": ["PNG", "BMP", "TIFF", "WEBP"],
    "RGBA": ["PNG", "TIFF", "WEBP"],
    "LA": ["PNG", "TIFF"],
    "L": ["PNG", "BMP", "TIFF", "GIF"],
    "P": ["PNG", "GIF"],
    "CMYK": ["TIFF", "JPEG"],
    "1": ["PNG", "BMP", "TIFF"],
    "I;16": ["PNG", "TIFF"],
    "I": ["TIFF"],  # Pillow writes 32-bit integer images only as TIFF
    "F": ["TIFF"],
}
FORMATS = ["JPEG", "PNG", "WEBP", "TIFF", "BMP", "GIF"]

# EXIF orientation -> the transpose that turns the stored pixels upright (EXIF 2.32, tag 0x0112).
ORIENTATIONS = {
    1: None,
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
_INVERSE = {Image.Transpose.ROTATE_90: Image.Transpose.ROTATE_270, Image.Transpose.ROTATE_270: Image.Transpose.ROTATE_90}


def marker_image(size=(96, 48)) -> Image.Image:
    """White RGB picture, a red block in the top-left corner and a blue one in the bottom-right."""
    w, h = size
    im = Image.new("RGB", size, (255, 255, 255))
    im.paste(RED, (0, 0, w // 4, h // 3))
    im.paste(BLUE, (w - w // 4, h - h // 3, w, h))
    return im


def oriented_jpeg(orientation: int, size=(96, 48)) -> bytes:
    """A JPEG whose stored pixels are turned so that applying EXIF `orientation` makes `marker_image` upright."""
    upright = marker_image(size)
    undo = ORIENTATIONS[orientation]
    stored = upright if undo is None else upright.transpose(_INVERSE.get(undo, undo))
    exif = Image.Exif()
    exif[0x0112] = orientation
    buf = io.BytesIO()
    stored.save(buf, "JPEG", quality=95, exif=exif.tobytes())
    return buf.getvalue()


def mode_image(mode: str, size=(40, 24)) -> tuple[Image.Image, tuple]:
    """An image in `mode` whose left half is one known colour and right half another.

    Returns (image, (expected RGB on the left, expected RGB on the right)) after loading:
    transparent pixels become white, greyscale of any depth maps its full range to 0-255.
    """
    w, h = size
    left, right = np.zeros((h, w // 2)), np.ones((h, w - w // 2))
    frac = np.concatenate([left, right], axis=1)  # 0 on the left, 1 on the right
    if mode in ("RGB", "RGBA", "CMYK"):
        rgb = np.where(frac[..., None] > 0, RED, BLUE).astype(np.uint8)
        im = Image.fromarray(rgb)
        if mode == "RGBA":
            alpha = (frac * 255).astype(np.uint8)  # left half fully transparent
            im = Image.merge("RGBA", (*im.split(), Image.fromarray(alpha)))
            return im, ((255, 255, 255), RED)
        return (im.convert("CMYK") if mode == "CMYK" else im), (BLUE, RED)
    if mode == "LA":
        grey = Image.fromarray(np.full((h, w), 60, np.uint8))
        alpha = Image.fromarray((frac * 255).astype(np.uint8))
        return Image.merge("LA", (grey, alpha)), ((255, 255, 255), (60, 60, 60))
    if mode == "P":
        im = Image.fromarray((frac * 1).astype(np.uint8)).convert("P")
        im.putpalette([0, 255, 0] + list(RED) + [0, 0, 0] * 254)
        im.info["transparency"] = 0  # palette entry 0 (green) is transparent
        return im, ((255, 255, 255), RED)
    if mode == "1":
        return Image.fromarray((frac * 255).astype(np.uint8)).convert("1"), ((0, 0, 0), (255, 255, 255))
    top = {"L": 255, "I;16": 65535, "I": 65535, "F": 1.0}[mode]
    dtype = {"L": np.uint8, "I;16": np.uint16, "I": np.int32, "F": np.float32}[mode]
    values = (frac * top).astype(dtype)
    im = Image.fromarray(values)
    assert im.mode == mode, (im.mode, mode)
    return im, ((0, 0, 0), (255, 255, 255))


def animated(fmt: str, size=(48, 32)) -> bytes:
    """A two-frame animation (red, then blue) in GIF, WEBP or PNG (APNG)."""
    frames = [Image.new("RGB", size, RED), Image.new("RGB", size, BLUE)]
    buf = io.BytesIO()
    frames[0].save(buf, fmt, save_all=True, append_images=frames[1:], duration=100, loop=0,
                   **({"lossless": True} if fmt == "WEBP" else {}))
    return buf.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_claiming(width: int, height: int) -> bytes:
    """A valid-looking PNG whose header claims `width` x `height` but holds almost no data (a decompression bomb)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")


def _encoded(im: Image.Image, fmt: str, **kw) -> bytes:
    buf = io.BytesIO()
    im.save(buf, fmt, **kw)
    return buf.getvalue()


def make_corpus(folder) -> dict:
    """Write every awkward or broken file into `folder`; return {case name: path}."""
    folder = Path(folder)
    photo = marker_image((120, 80))
    jpeg, png = _encoded(photo, "JPEG"), _encoded(photo, "PNG")
    files = {
        "empty.jpg": b"",
        "text.png": b"hello, this is not a picture\n" * 10,
        "html.jpg": b"<!DOCTYPE html><html><body>404 Not Found</body></html>",
        "zeros.png": b"\x00" * 4096,
        "truncated.jpg": jpeg[: len(jpeg) // 2],
        "truncated.png": png[: len(png) // 2],
        "header_only.png": png[:33],
        "corrupt.png": png[:60] + bytes(b ^ 0x5A for b in png[60:200]) + png[200:],
        "bomb.png": png_claiming(100_000, 100_000),
        "animated.gif": animated("GIF"),
        "animated.webp": animated("WEBP"),
        "animated.png": animated("PNG"),
    }
    for fmt in FORMATS:
        files[f"photo.{fmt.lower()}"] = _encoded(photo, fmt)
    paths = {}
    for name, data in files.items():
        paths[name] = folder / name
        paths[name].write_bytes(data)
    return paths
