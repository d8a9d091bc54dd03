"""What an edit gives back: `EditResult` (the picture and every setting that made it) and `ItemResult`
(one item of `Editor.edit_many`: its result, or the one sentence saying why it failed)."""
from dataclasses import dataclass, field

from PIL import Image

__all__ = ["EditResult", "ItemResult"]


@dataclass
class EditResult:
    image: Image.Image          # the edited picture (RGB)
    original: Image.Image       # the input as edited: resized, RGB, same size as `image`
    instruction: str            # as the user typed it
    prompt: str                 # the English prompt the model actually saw
    seed: int
    image_guidance: float
    text_guidance: float
    steps: int
    max_size: int
    model: str
    seconds: float
    backend: str = "english"    # which translator produced `prompt` ("override" when given by hand)
    warnings: list = field(default_factory=list)
    sampler: str = "Euler a"    # the scheduler that ran, in the SD web UI's names (written into the PNG metadata)
    mask_box: tuple | None = None   # with a mask: its bounding box (left, top, right, bottom) in the photo's pixels
    region: tuple | None = None     # with a region: the part edited (left, top, right, bottom) in the photo's pixels
    cache_interval: int = 1         # deep UNet features computed every this many steps (1: every step; reuse.py)
    runtime: str = "torch"          # what ran the UNet and VAE: "torch" or "openvino" (runtime.py)
    threads: int | None = None      # torch's CPU threads during the edit (another count changes CPU pixels slightly)
    maps: object = None             # with maps=True: where each word acted (attention.WordMaps), at the model's picture
    maps_box: tuple | None = None   # with a mask or region: the part of the photo the maps cover (left, top, right, bottom)

    def __post_init__(self):        # made where the edit ran, right after it: the count it ran with
        if self.threads is None:    # (a room's page rebuilds a result from the worker's data: torch is not needed there)
            import torch  # noqa: PLC0415

            self.threads = torch.get_num_threads()

    @property
    def settings(self) -> dict:
        keys = ("seed", "image_guidance", "text_guidance", "steps", "max_size", "model", "sampler", "cache_interval", "runtime")
        return {k: getattr(self, k) for k in keys}

    def summary(self) -> str:
        w, h = self.image.size
        return (f"{w}x{h}, seed {self.seed}, image guidance {self.image_guidance:g}, text guidance "
                f"{self.text_guidance:g}, {self.steps} step{'s' * (self.steps != 1)}, prompt {self.prompt!r} ({self.backend}), {self.seconds:.1f} s")


@dataclass
class ItemResult:
    """What `Editor.edit_many` yields for each item: the result, or the one sentence saying why it failed."""
    item: dict                      # the item as given (with `seed` filled in)
    result: EditResult | None       # None when the item failed
    error: str | None = None        # one sentence for the user when it failed
    batched: int = 1                # how many seeds shared this item's UNet batch

    @property
    def ok(self) -> bool:
        return self.result is not None
