"""Training data for the recipe (recipe.py): (input image, instruction, edited image) triples.

`SceneData` (the synthetic scenes of scenes.py), `FolderData` (a local folder with `metadata.jsonl`,
the public instruct-pix2pix columns), `PromptFolderData` (the paper's own layout, as its data engine
and `ip2p_nb.datagen.clip_filter.write_prompt_folder` write it and its `edit_dataset.py` reads it: a
folder of prompt folders, each with `prompt.json` and `{seed}_0.jpg` / `{seed}_1.jpg` pairs, indexed
by a top-level `seeds.json` when there is one), `HubData` (a Hugging Face `datasets` dataset,
imported only when asked for); `training_data(spec)` picks one from the command line's `--data`;
`micro_batch` draws the examples of one micro-batch from its number, so a resumed run sees the same data.
"""
import json
import random
from pathlib import Path

import numpy as np
import torch

from ..errors import UserError

__all__ = ["SceneData", "FolderData", "PromptFolderData", "HubData", "training_data", "to_tensor", "micro_batch"]


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
        self.rows = [_json(meta, line) for line in _read(meta).splitlines() if line.strip()]
        if not self.rows:
            raise UserError(f"{str(meta)!r} has no rows; add one JSON line per training triple.")
        if not all(isinstance(r, dict) and {"input_image", "edit_prompt", "edited_image"} <= set(r) for r in self.rows):
            raise UserError(f"Every line of {str(meta)!r} needs input_image, edit_prompt and edited_image; fix the lines without them.")

    def __len__(self):
        return len(self.rows)

    def __getitem__(self, i):
        row = self.rows[i]
        return _image(self.folder / row["input_image"]), row["edit_prompt"], _image(self.folder / row["edited_image"])


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise UserError(f"Cannot read {str(path)!r} ({getattr(e, 'strerror', None) or e}); check the file and its permissions.") from e


def _json(path: Path, text: str):
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise UserError(f"{str(path)!r} is not valid JSON ({e.msg} at line {e.lineno}); fix or regenerate it.") from e


def _image(path: Path):
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            return image.convert("RGB")
    except (OSError, UnidentifiedImageError) as e:
        raise UserError(f"Cannot read the picture {str(path)!r} ({e}); regenerate it or remove its row.") from e


class PromptFolderData:
    """The paper's layout: a folder of prompt folders (`0000000/`, ...), each with `prompt.json`
    (`{"input", "edit", "output"}`) and `{seed}_0.jpg` (before) / `{seed}_1.jpg` (after) pairs.

    One triple per pair: (before, the `edit` instruction, after). The pairs are those of the top-level
    `seeds.json` (`[[folder, [seeds]], ...]`, as in the released data) when there is one, else every
    `*_0.jpg` of every prompt folder. Instructions are read when a triple is drawn.
    """

    def __init__(self, folder):
        self.folder = Path(folder)
        if not self.folder.is_dir():
            raise UserError(f"{str(self.folder)!r} is not a folder; give the folder that holds the prompt folders.")
        self.rows = [(name, str(seed)) for name, seeds in self._index() for seed in seeds]
        if not self.rows:
            raise UserError(f"{str(self.folder)!r} holds no picture pairs ({{seed}}_0.jpg and {{seed}}_1.jpg in prompt "
                            "folders); run the data engine first or choose another folder.")
        self._instructions = {}

    def _index(self) -> list:
        seeds_file = self.folder / "seeds.json"
        if not seeds_file.is_file():
            return [(d.name, [p.name.split("_")[0] for p in sorted(d.glob("*_0.jpg"))])
                    for d in sorted(self.folder.iterdir()) if d.is_dir()]
        index = _json(seeds_file, _read(seeds_file))
        if not isinstance(index, list) or not all(isinstance(e, list) and len(e) == 2 and isinstance(e[0], str)
                                                  and isinstance(e[1], list) for e in index):
            raise UserError(f"{str(seeds_file)!r} must be a list of [prompt folder, [seeds]]; delete it to list the folders instead.")
        return index

    def __len__(self):
        return len(self.rows)

    def instruction(self, name: str) -> str:
        """The edit instruction of prompt folder `name` (its prompt.json's `edit`)."""
        if name not in self._instructions:
            path = self.folder / name / "prompt.json"
            prompt = _json(path, _read(path))
            if not isinstance(prompt, dict) or not isinstance(prompt.get("edit"), str):
                raise UserError(f"{str(path)!r} has no `edit` instruction; a prompt.json holds the input, edit and output texts.")
            self._instructions[name] = prompt["edit"]
        return self._instructions[name]

    def __getitem__(self, i):
        name, seed = self.rows[i]
        folder = self.folder / name
        return _image(folder / f"{seed}_0.jpg"), self.instruction(name), _image(folder / f"{seed}_1.jpg")


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
    """`scenes` (synthetic), `hub:NAME` (a `datasets` dataset), a local folder with metadata.jsonl,
    or a folder in the paper's layout (prompt folders, with or without seeds.json)."""
    if spec == "scenes":
        return SceneData(size=resolution)
    if spec.startswith("hub:"):
        return HubData(spec[4:])
    folder = Path(spec)
    if not folder.is_dir():
        raise UserError(f"`--data` {spec!r} is not a folder; give `scenes`, `hub:NAME` or a folder of training pairs.")
    if (folder / "metadata.jsonl").is_file():
        return FolderData(folder)
    if (folder / "seeds.json").is_file() or any((d / "prompt.json").is_file() for d in folder.iterdir() if d.is_dir()):
        return PromptFolderData(folder)
    raise UserError(f"{spec!r} has neither a metadata.jsonl nor prompt folders (NNNNNNN/prompt.json with SEED_0.jpg and "
                    "SEED_1.jpg); see docs/TRAINING.md for the two layouts.")
