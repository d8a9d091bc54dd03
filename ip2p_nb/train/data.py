"""Training data for the recipe (recipe.py): (input image, instruction, edited image) triples.

`SceneData` (the synthetic scenes of scenes.py), `FolderData` (a local folder with `metadata.jsonl`,
the public instruct-pix2pix columns), `HubData` (a Hugging Face `datasets` dataset, imported only when
asked for); `training_data(spec)` picks one from the command line's `--data`; `micro_batch` draws the
examples of one micro-batch from its number, so a resumed run sees the same data.
"""
import json
import random
from pathlib import Path

import numpy as np
import torch

from ..errors import UserError

__all__ = ["SceneData", "FolderData", "HubData", "training_data", "to_tensor", "micro_batch"]


class SceneData:
    """Synthetic triples from `scenes.make_pair`; generator seeds `first_seed` .. `first_seed + count - 1`."""

    def __init__(self, size=64, first_seed=0, count=1_000_000):
        self.size, self.first_seed, self.count = size, first_seed, count

    def __len__(self):
        return self.count

    def __getitem__(self, i):
        from .scenes import make_pair

        pair = make_pair(self.first_seed + i, self.size)
        return pair.before, pair.instruction, pair.after


class FolderData:
    """A local folder with `metadata.jsonl`: one JSON object per line with `input_image`,
    `edit_prompt` and `edited_image` (image paths relative to the folder)."""

    def __init__(self, folder):
        self.folder = Path(folder)
        meta = self.folder / "metadata.jsonl"
        if not meta.is_file():
            raise UserError(f"{str(meta)!r} not found; a training folder needs a metadata.jsonl (see docs/TRAINING.md).")
        self.rows = [json.loads(line) for line in meta.read_text(encoding="utf-8").splitlines() if line.strip()]
        if not self.rows:
            raise UserError(f"{str(meta)!r} has no rows; add one JSON line per training triple.")

    def __len__(self):
        return len(self.rows)

    def __getitem__(self, i):
        from PIL import Image

        row = self.rows[i]
        load = lambda key: Image.open(self.folder / row[key]).convert("RGB")  # noqa: E731
        return load("input_image"), row["edit_prompt"], load("edited_image")


class HubData:
    """A Hugging Face `datasets` dataset (e.g. `fusing/instructpix2pix-1000-samples`) with the same columns."""

    def __init__(self, name, split="train", columns=("input_image", "edit_prompt", "edited_image")):
        try:
            import datasets
        except ImportError as e:
            raise UserError("Training from a hub dataset needs the `datasets` package: pip install datasets") from e
        self.data, self.columns = datasets.load_dataset(name, split=split), columns

    def __len__(self):
        return len(self.data)

    def __getitem__(self, i):
        row = self.data[i]
        a, p, b = self.columns
        return row[a].convert("RGB"), row[p], row[b].convert("RGB")


def to_tensor(image, resolution):
    """Square crop from the centre, resize to `resolution`, scale to [-1, 1], channels first."""
    from PIL import Image

    w, h = image.size
    side = min(w, h)
    image = image.crop(((w - side) // 2, (h - side) // 2, (w - side) // 2 + side, (h - side) // 2 + side))
    image = image.resize((resolution, resolution), Image.BICUBIC)
    return torch.from_numpy(np.asarray(image, dtype=np.float32) / 127.5 - 1).permute(2, 0, 1)


def micro_batch(data, cfg, micro: int):
    """The examples of micro-batch number `micro` (`cfg`: a TrainConfig): drawn from the step, so a resumed run sees the same."""
    rng = random.Random(cfg.seed * 1_000_003 + micro)
    rows = [data[rng.randrange(len(data))] for _ in range(cfg.batch_size)]
    before = torch.stack([to_tensor(r[0], cfg.resolution) for r in rows])
    after = torch.stack([to_tensor(r[2], cfg.resolution) for r in rows])
    return before, [r[1] for r in rows], after


def training_data(spec: str, resolution: int):
    """`scenes` (synthetic), `hub:NAME` (a `datasets` dataset) or a local folder with metadata.jsonl."""
    if spec == "scenes":
        return SceneData(size=resolution)
    if spec.startswith("hub:"):
        return HubData(spec[4:])
    return FolderData(spec)
