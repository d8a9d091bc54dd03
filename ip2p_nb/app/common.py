"""Small picture and time helpers shared by the app's tabs (no widgets here)."""
import io
import time

from PIL import Image

__all__ = ["png_bytes", "seconds_left", "download_status", "EMPTY_PICTURE"]


def seconds_left(start: float, done: int, total: int) -> float:
    """Time left, extrapolated from the time the first `done` of `total` steps took since `start`."""
    return (time.perf_counter() - start) / done * (total - done) if done else 0.0


def download_status(done: int, total: int, seconds: float) -> str:
    """'120 / 3,440 MB · 8.5 MB/s · about 6 min left' for a download `seconds` after it started."""
    rate = done / seconds if seconds > 0 else 0.0
    text = f"{done / 1e6:,.0f} / {total / 1e6:,.0f} MB · {rate / 1e6:.1f} MB/s"
    if done >= total:
        return text + " · done"
    if rate <= 0:
        return text
    left = (total - done) / rate
    return text + (f" · about {left / 60:.0f} min left" if left >= 90 else f" · about {left:.0f} s left")


def png_bytes(image: Image.Image, max_side: int | None = None) -> bytes:
    """PNG bytes of `image`, shrunk (aspect kept) so its longest side is at most `max_side`."""
    if max_side and max(image.size) > max_side:
        image = image.copy()
        image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return buf.getvalue()


EMPTY_PICTURE = png_bytes(Image.new("RGB", (320, 240), (238, 238, 238)))  # shown until there is a picture
