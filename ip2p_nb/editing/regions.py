"""Editing part of a photo: masks, regions, the feathered paste-back at full resolution.

- `load_mask(mask, size)`: a PIL image, array or path as a boolean array over the photo (white,
  >= 128 in "L", may change; black is kept); checks the size, shape and emptiness in one sentence each.
- `parse_region(region)` / `check_region(box, size)`: `(left, top, right, bottom)` in the photo's
  pixels, or "auto"; `auto_region(mask, size, minimum)`: the mask's bounding box plus a margin.
- `context_box(box, size)`: the crop the model sees (the region plus some surroundings). The context is
  input only: `box_alpha(box, crop)` is 0 outside the region and feathered inside its edge, so only the
  region is pasted back and every pixel outside it keeps its exact bytes.
- `feather(mask, radius)`: the mask's soft edge; `composite(base, edit, alpha, at)` pastes back so that
  every pixel where the alpha is 0 keeps its exact bytes.
- `latent_mask` and `blend_latents`: the per-step blend in latent space (blended latent diffusion):
  the kept area's latents, re-noised to the next timestep, replace the model's there; `LatentBlend`
  is that blend as the denoising loop's mask hook (ip2p_nb/editing/loop.py).

Numbers (feather width, margins) live in defaults.py `REGION_DEFAULTS`.
"""
import io
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter, ImageOps

from ..defaults import REGION_DEFAULTS
from ..errors import UserError

__all__ = ["load_mask", "mask_box", "paste_back", "parse_region", "check_region", "auto_region", "context_box", "feather",
           "feather_width", "region_feather_width", "box_alpha", "composite", "latent_mask", "blend_latents", "format_box",
           "LatentBlend"]


# ------------------------------------------------------------------ reading and checking
def _mask_image(mask) -> Image.Image:
    """The mask as a PIL "L" image (transparency: the opaque part may change)."""
    if isinstance(mask, np.ndarray):
        a = mask
        if a.ndim == 3 and a.shape[2] in (3, 4):
            a = a[..., :3].mean(axis=2)
        if a.ndim != 2:
            raise UserError(f"The mask array has shape {mask.shape}; give a 2-D array (height x width), white = change.")
        if a.dtype == bool:
            a = a.astype(np.uint8) * 255
        elif np.issubdtype(a.dtype, np.floating) and np.nanmax(a, initial=0) <= 1.0:
            a = np.nan_to_num(a) * 255
        return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8), "L")
    if isinstance(mask, (str, Path, bytes, bytearray)):
        try:
            im = Image.open(io.BytesIO(bytes(mask)) if isinstance(mask, (bytes, bytearray)) else mask)
            im.load()
        except FileNotFoundError:
            raise UserError(f"There is no mask file at {str(mask)!r}; check the path and try again.") from None
        except (OSError, ValueError) as e:
            raise UserError(f"The mask could not be read as an image ({e}); save it as a black-and-white PNG.") from None
        mask = ImageOps.exif_transpose(im)
    if not isinstance(mask, Image.Image):
        raise UserError(f"Cannot read a mask from a {type(mask).__name__}; give a PIL image, an array or a path.")
    if mask.mode in ("RGBA", "LA", "PA", "P") and "A" in mask.convert("RGBA").getbands():
        alpha = mask.convert("RGBA").getchannel("A")
        if alpha.getextrema() != (255, 255):
            return alpha
    return mask.convert("L")


def load_mask(mask, size, notes=None) -> np.ndarray:
    """`mask` as a boolean (height, width) array over a photo of `size` = (width, height); True may change.

    A mask of another size with the photo's aspect ratio is resized (a note is added to `notes`);
    another aspect ratio, a mask drawn on the photo before it was rotated, and an empty mask are refused.
    """
    im = _mask_image(mask)
    w, h = size
    if im.size != (w, h):
        mw, mh = im.size
        if (mw, mh) == (h, w) and w != h:
            raise UserError(f"The mask is {mw}x{mh} but the photo is {w}x{h}: it was drawn on the photo before it was "
                            "turned upright (EXIF rotation); draw it on the upright photo.")
        if abs(mw / mh - w / h) > 0.01 * (w / h) + 1 / min(mh, h):
            raise UserError(f"The mask is {mw}x{mh} but the photo is {w}x{h}, another shape: it belongs to a different "
                            "picture; draw the mask over this photo.")
        im = im.resize((w, h), Image.Resampling.BILINEAR)
        if notes is not None:
            notes.append(f"The mask ({mw}x{mh}) was resized to the photo's size ({w}x{h}).")
    a = np.asarray(im) >= 128
    if not a.any():
        raise UserError("The mask is empty (all black): paint in white the part that may change.")
    return a


def mask_box(mask: np.ndarray) -> tuple:
    """The bounding box (left, top, right, bottom), right/bottom exclusive, of the True pixels."""
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    return int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1


def format_box(box) -> str:
    """'left,top,right,bottom', as the command line takes it and the PNG metadata records it."""
    return ",".join(str(int(v)) for v in box)


def parse_region(region):
    """'auto', or (left, top, right, bottom) as ints, from a tuple, list or 'X0,Y0,X1,Y1' text."""
    if region is None or (isinstance(region, str) and region.strip().lower() == "auto"):
        return None if region is None else "auto"
    if isinstance(region, str):
        parts = region.replace(" ", "").split(",")
    else:
        parts = list(region) if isinstance(region, (tuple, list, np.ndarray)) else None
    try:
        if parts is None or len(parts) != 4:
            raise ValueError
        values = [float(p) for p in parts]
        if any(v != int(v) for v in values):
            raise ValueError
    except (TypeError, ValueError):
        raise UserError(f"The region must be four whole numbers left,top,right,bottom in the photo's pixels "
                        f"(e.g. 100,50,900,650) or 'auto', but got {region!r}.") from None
    return tuple(int(v) for v in values)


def check_region(box, size) -> tuple:
    """Refuse, in one sentence, a region that is outside the photo, upside down or too small."""
    left, top, right, bottom = box
    w, h = size
    least = REGION_DEFAULTS["min_side"]
    if right <= left or bottom <= top:
        raise UserError(f"The region {format_box(box)} is empty or reversed: right must be more than left and bottom "
                        "more than top.")
    if left < 0 or top < 0 or right > w or bottom > h:
        raise UserError(f"The region {format_box(box)} goes outside the {w}x{h} photo; keep it within 0,0,{w},{h}.")
    if min(right - left, bottom - top) < least:
        raise UserError(f"The region {format_box(box)} is {right - left}x{bottom - top} pixels, too small to edit; "
                        f"make each side at least {least} pixels.")
    return tuple(box)


def _grow(lo, hi, want, limit):
    """Widen [lo, hi) around its centre to `want` (at most `limit`), shifted to stay within [0, limit)."""
    want = min(max(want, hi - lo), limit)
    lo = int(round((lo + hi) / 2 - want / 2))
    lo = min(max(lo, 0), limit - want)
    return lo, lo + want


def auto_region(mask: np.ndarray, size, minimum: int) -> tuple:
    """The mask's bounding box plus a margin, grown to at least `minimum` a side (within the photo)."""
    left, top, right, bottom = mask_box(mask)
    w, h = size
    m = REGION_DEFAULTS["auto_margin"]
    left, right = _grow(left, right, round((right - left) * (1 + 2 * m)), w)
    top, bottom = _grow(top, bottom, round((bottom - top) * (1 + 2 * m)), h)
    left, right = _grow(left, right, minimum, w)
    top, bottom = _grow(top, bottom, minimum, h)
    return left, top, right, bottom


def context_box(box, size) -> tuple:
    """The crop the model edits: `box` plus `REGION_DEFAULTS["context"]` of its size on each side, within the photo."""
    left, top, right, bottom = box
    w, h = size
    mx = max(REGION_DEFAULTS["context_min"], round((right - left) * REGION_DEFAULTS["context"]))
    my = max(REGION_DEFAULTS["context_min"], round((bottom - top) * REGION_DEFAULTS["context"]))
    return max(0, left - mx), max(0, top - my), min(w, right + mx), min(h, bottom + my)


# ------------------------------------------------------------------ soft edges and paste-back
def feather_width(size) -> int:
    """The soft edge, in pixels, for an edited area of `size` = (width, height)."""
    return max(REGION_DEFAULTS["feather_min"], round(max(size) * REGION_DEFAULTS["feather"]))


def feather(mask: np.ndarray, radius: int) -> np.ndarray:
    """Alpha in [0, 1]: 1 on the mask, falling to 0 within `radius` pixels (rows/columns) outside it.

    A box blur has an exact support, so a pixel more than `radius` rows or columns from every mask
    pixel gets exactly 0 (and keeps its bytes in `composite`): dilate by radius/2, then blur by radius/2.
    """
    half = max(1, radius // 2)
    im = Image.fromarray(mask.astype(np.uint8) * 255, "L")
    grown = im.filter(ImageFilter.BoxBlur(half)).point(lambda v: 255 if v > 0 else 0)
    alpha = np.asarray(grown.filter(ImageFilter.BoxBlur(half)), dtype=np.float32) / 255.0
    return np.maximum(alpha, mask.astype(np.float32))


def region_feather_width(box) -> int:
    """The soft edge, in pixels inside the region `box`: `REGION_DEFAULTS["region_feather"]` of its shorter side."""
    side = min(box[2] - box[0], box[3] - box[1])
    return min(max(REGION_DEFAULTS["feather_min"], round(side * REGION_DEFAULTS["region_feather"])), side // 3)


def _ramp(n, lo, hi, width):
    """1-D weights over n pixels: 0 outside [lo, hi), rising to 1 over `width` pixels inside each end.

    An end on the crop's edge (0 or n) is the photo's edge: there is nothing beyond it to blend with, so no ramp."""
    x = np.arange(n, dtype=np.float32)
    up = np.ones(n, np.float32) if lo <= 0 else np.clip((x - lo + 1) / (width + 1), 0, 1)
    down = np.ones(n, np.float32) if hi >= n else np.clip((hi - x) / (width + 1), 0, 1)
    inside = (x >= lo) & (x < hi)
    return np.where(inside, np.minimum(up, down), 0).astype(np.float32)


def box_alpha(box, crop) -> np.ndarray:
    """Alpha over the crop: 0 outside the region `box`, 1 inside it, feathered INSIDE the box's edge.

    The context margin (crop minus box) is only what the model sees; it is never pasted back, so every pixel
    outside the box keeps its bytes. A side of the box on the crop's edge is on the photo's edge (the context
    margin could not grow there): no ramp. The ramp is `region_feather_width(box)` pixels wide."""
    cl, ct, cr, cb = crop
    left, top, right, bottom = box
    width = region_feather_width(box)
    ax = _ramp(cr - cl, left - cl, right - cl, width)
    ay = _ramp(cb - ct, top - ct, bottom - ct, width)
    return ay[:, None] * ax[None, :]


def composite(base: Image.Image, edit: Image.Image, alpha: np.ndarray, at=(0, 0)) -> Image.Image:
    """`base` with `edit` pasted at `at` through `alpha` (edit's size); where alpha is 0 the bytes are base's."""
    left, top = at
    box = (left, top, left + edit.width, top + edit.height)
    under = np.asarray(base.crop(box), dtype=np.float32)
    a = alpha[..., None]
    mixed = np.rint(under * (1 - a) + np.asarray(edit, dtype=np.float32) * a)
    mixed = np.where(a > 0, mixed, under).astype(np.uint8)
    out = base.copy()
    out.paste(Image.fromarray(mixed, "RGB"), box)
    return out


def paste_back(full: Image.Image, edited: Image.Image, crop, region=None, mask=None) -> Image.Image:
    """`full` with the model's `edited` picture of the `crop` pasted back through the soft edges.

    `region`: the region inside `crop` (feathered inside its edge; the context margin around it is not pasted,
    so every pixel outside the region keeps its bytes); `mask`: the boolean mask over the crop (feathered).
    Only the window where the alpha can be non-zero is resized and blended, so a small mask or region on a
    4000x3000 photo costs little.
    """
    cw, ch = crop[2] - crop[0], crop[3] - crop[1]
    window = (0, 0, cw, ch)
    if region is not None:
        window = (region[0] - crop[0], region[1] - crop[1], region[2] - crop[0], region[3] - crop[1])
    if mask is not None:
        radius = feather_width((cw, ch))
        left, top, right, bottom = mask_box(mask)
        grown = (max(0, left - radius - 2), max(0, top - radius - 2), min(cw, right + radius + 2), min(ch, bottom + radius + 2))
        window = (max(window[0], grown[0]), max(window[1], grown[1]), min(window[2], grown[2]), min(window[3], grown[3]))
    wl, wt, wr, wb = window
    alpha = np.ones((ch, cw), np.float32) if region is None else box_alpha(region, crop)
    alpha = alpha[wt:wb, wl:wr]
    if mask is not None:
        alpha = np.minimum(alpha, feather(mask[wt:wb, wl:wr], radius))
    sx, sy = edited.width / cw, edited.height / ch
    part = edited.resize((wr - wl, wb - wt), Image.Resampling.LANCZOS, box=(wl * sx, wt * sy, wr * sx, wb * sy))
    return composite(full, part, alpha, (crop[0] + wl, crop[1] + wt))


# ------------------------------------------------------------------ latent blend (one call per step in the editor)
def latent_mask(mask: np.ndarray, latent_hw, torch):
    """The mask at latent size (1, 1, h, w): 1 where any pixel of the latent cell may change."""
    t = torch.from_numpy(mask.astype(np.float32))[None, None]
    h, w = latent_hw
    return torch.nn.functional.adaptive_max_pool2d(t, (h, w))


def blend_latents(latents, mask, known, noise, scheduler, next_t):
    """`mask * latents + (1 - mask) * known` re-noised to `next_t` (None: the clean `known`, the last step).

    `known` are the input's *scaled* latents; `noise` the same noise every step (as diffusers' inpainting).
    Raises AttributeError/TypeError/IndexError/ValueError where the scheduler cannot noise to that timestep.
    """
    kept = known if next_t is None else scheduler.add_noise(known, noise, next_t.reshape(1))
    return mask * latents + (1 - mask) * kept.to(latents.dtype)


class LatentBlend:
    """The loop's mask hook: `blend(latents, next_t)` after each step (`blend_latents`).

    `mask`: the latent mask (`latent_mask`, on the latents' device and dtype); `known`: the input's
    scaled latents, one per seed; `noise`: the edit's initial noise. A scheduler that cannot noise to
    `next_t` (no `add_noise`, or it fails) leaves the latents as they are from then on, and `fallback`
    (one sentence) goes to `notes` once: the mask is then applied to the pixels only, by the paste-back.
    """

    def __init__(self, mask, known, noise, scheduler, fallback: str, notes: list):
        self.mask, self.known, self.noise, self.scheduler = mask, known, noise, scheduler
        self.fallback, self.notes = fallback, notes
        self.ok, self.noted = hasattr(scheduler, "add_noise"), False

    def __call__(self, latents, next_t):
        if self.ok:
            try:
                return blend_latents(latents, self.mask, self.known, self.noise, self.scheduler, next_t)
            except (AttributeError, TypeError, IndexError, ValueError, RuntimeError):
                self.ok = False
        if not self.noted:
            self.noted = True
            self.notes.append(self.fallback)
        return latents
