"""Step 3 of the data engine: the CLIP filter, and the folder it writes for training.

InstructPix2Pix (Brooks et al. 2023, section 3.1.2) draws many (before, after) picture pairs per
caption with Stable Diffusion and prompt-to-prompt, then keeps only pairs that CLIP ViT-L/14 likes.
Four cosine similarities between unit-length CLIP embeddings decide (the paper's
`metrics/clip_similarity.py`, thresholds from `dataset_creation/generate_img_dataset.py`):

    clip_sim_0     = cos(image_0, caption_0)                      >= 0.2  the before picture shows its caption
    clip_sim_1     = cos(image_1, caption_1)                      >= 0.2  the after picture shows its caption
    clip_sim_dir   = cos(image_1 - image_0, caption_1 - caption_0) >= 0.2  the pictures changed as the captions did
    clip_sim_image = cos(image_0, image_1)                        >= 0.7  still the same picture

Of the pairs that pass all four, `select` keeps the 4 with the highest directional score, and
`write_prompt_folder` saves them in the paper's layout, one folder per caption:

    {prompt_id:07d}/prompt.json      {"input": caption, "edit": instruction, "output": edited caption}
    {prompt_id:07d}/{seed}_0.jpg     the before picture (JPEG quality 100)
    {prompt_id:07d}/{seed}_1.jpg     the after picture
    {prompt_id:07d}/metadata.jsonl   one line per kept pair: seed, p2p_threshold, cfg_scale and the four scores
    seeds.json                       [[prompt folder, [seeds]], ...] (`write_seeds`; the paper's training reads it)

`load_clip` gives the scorer: `tiny-clip` (random weights, tests), `demo-clip` (trained here on the toy
scenes, `assets/demo-clip/`), a local folder, or a hub id such as the paper's `openai/clip-vit-large-patch14`.
"""
import json
import re
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import torch
import torch.nn.functional as F

from ..errors import SettingError, UserError
from ..outputs.files import atomic_write, save_image_atomic
from ..resources import DEMO_CLIP_DIR

__all__ = ["THRESHOLDS", "PAPER_CLIP", "KEEP", "available_clips", "PairScores", "ClipScorer", "load_clip", "select",
           "Sample", "write_prompt_folder", "write_seeds"]

# The paper's thresholds (generate_img_dataset.py); a pair is kept only if every score reaches its own.
THRESHOLDS = {
    "clip_sim_0": 0.2,       # --clip-threshold: the before picture matches the input caption
    "clip_sim_1": 0.2,       # --clip-threshold: the after picture matches the edited caption
    "clip_sim_dir": 0.2,     # --clip-dir-threshold: the picture changed in the direction the caption did
    "clip_sim_image": 0.7,   # --clip-img-threshold: the two pictures are still alike
}
PAPER_CLIP = "openai/clip-vit-large-patch14"   # CLIP ViT-L/14, the model the paper filtered with
KEEP = 4                                       # --max-out-samples: pairs kept per caption
DEMO_CLIP_NOTE = "`demo-clip` only knows the toy scenes of ip2p_nb.train.scenes; use it to learn, not to filter photos."
_HUB_ID = re.compile(r"[A-Za-z0-9][\w.-]*/[\w.-]+")


def available_clips() -> list[str]:
    """The names `load_clip` knows besides a local folder or any other hub id (the catalogue's, kind "clip", and tiny-clip)."""
    from ..models.catalogue import available_models

    return [m.name for m in available_models("clip")] + ["tiny-clip"]


def _thresholds(thresholds) -> dict:
    """The paper's thresholds with the given ones (a dict of some of the four names) in their place."""
    merged = dict(THRESHOLDS)
    for name, value in (thresholds or {}).items():
        if name not in THRESHOLDS:
            raise SettingError(f"`thresholds` has {name!r}; allowed names are {list(THRESHOLDS)}.")
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise SettingError(f"`thresholds[{name!r}]` must be a number between -1 and 1, got {value!r}.")
        merged[name] = float(value)
    return merged


@dataclass
class PairScores:
    """The four CLIP scores of one (before, after) pair, each a cosine between -1 and 1."""
    clip_sim_0: float       # before picture vs input caption
    clip_sim_1: float       # after picture vs edited caption
    clip_sim_dir: float     # change of the pictures vs change of the captions
    clip_sim_image: float   # before picture vs after picture

    def failed(self, thresholds=None) -> list[str]:
        """Names of the scores below their threshold (the paper's, or those given in `thresholds`)."""
        limits = _thresholds(thresholds)
        return [f.name for f in fields(self) if getattr(self, f.name) < limits[f.name]]

    def passes(self, thresholds=None) -> bool:
        """True when every score reaches its threshold."""
        return not self.failed(thresholds)


def _features(output) -> torch.Tensor:
    """The projected embedding from get_*_features: a tensor in transformers 4, an output object in 5."""
    return output if torch.is_tensor(output) else output.pooler_output


def _check_image(image, name: str):
    from PIL import Image

    if not isinstance(image, Image.Image):
        raise UserError(f"`{name}` must be a PIL image, got {type(image).__name__}; open files with PIL.Image.open.")
    return image.convert("RGB")


def _check_text(text, name: str) -> str:
    if not isinstance(text, str) or not text.strip():
        raise UserError(f"`{name}` must be a non-empty caption, got {text!r}.")
    return text


class ClipScorer:
    """Scores (before, after) pairs against (caption, edited caption) with a transformers `CLIPModel`.

    Pictures go through the model's own `CLIPProcessor` (short side resized, centre crop); the paper
    resized the whole picture to 224 px, which is the same for its square pictures.
    """

    def __init__(self, model, processor, batch_size: int = 32):
        self.model = model.eval()
        self.processor = processor
        self.batch_size = batch_size   # pictures per forward pass

    def _run(self, embed, inputs: dict) -> torch.Tensor:
        device, dtype = self.model.device, self.model.dtype
        inputs = {k: v.to(device, dtype) if v.is_floating_point() else v.to(device) for k, v in inputs.items()}
        try:
            with torch.no_grad():
                out = _features(embed(**inputs)).float()
        except torch.OutOfMemoryError as e:
            raise UserError("Not enough memory for the CLIP model; lower `batch_size` or score on the CPU.") from e
        return F.normalize(out, dim=-1)

    def image_embeddings(self, images) -> torch.Tensor:
        """Unit-length CLIP embeddings of a list of PIL images, one row each (on the CPU)."""
        images = [_check_image(im, f"images[{i}]") for i, im in enumerate(images)]
        rows = []
        for start in range(0, len(images), self.batch_size):
            pixels = self.processor.image_processor(images=images[start:start + self.batch_size], return_tensors="pt")
            rows.append(self._run(self.model.get_image_features, {"pixel_values": pixels["pixel_values"]}).cpu())
        return torch.cat(rows)

    def text_embeddings(self, texts) -> torch.Tensor:
        """Unit-length CLIP embeddings of a list of captions, one row each (on the CPU); long captions are cut."""
        texts = [_check_text(t, f"texts[{i}]") for i, t in enumerate(texts)]
        tokens = self.processor.tokenizer(texts, padding=True, truncation=True, return_tensors="pt")
        return self._run(self.model.get_text_features, dict(tokens)).cpu()

    def score_many(self, pairs, caption0: str, caption1: str) -> list[PairScores]:
        """The four scores of each (img0, img1) in `pairs`, all drawn for the same two captions."""
        if not pairs:
            return []
        if any(not isinstance(p, (tuple, list)) or len(p) != 2 for p in pairs):
            raise UserError("`pairs` must be a list of (before, after) picture pairs.")
        for i, pair in enumerate(pairs):
            for j, image in enumerate(pair):
                _check_image(image, f"img{j}" if len(pairs) == 1 else f"pairs[{i}][{j}]")
        text0, text1 = self.text_embeddings([_check_text(caption0, "caption0"), _check_text(caption1, "caption1")])
        images = self.image_embeddings([im for pair in pairs for im in pair])
        img0, img1 = images[0::2], images[1::2]
        sim_0 = img0 @ text0
        sim_1 = img1 @ text1
        sim_dir = F.cosine_similarity(img1 - img0, (text1 - text0).expand_as(img0), dim=-1)
        sim_image = (img0 * img1).sum(-1)
        return [PairScores(*(float(v) for v in row)) for row in zip(sim_0, sim_1, sim_dir, sim_image)]

    def score(self, img0, img1, caption0: str, caption1: str) -> PairScores:
        """The four scores of one pair."""
        return self.score_many([(img0, img1)], caption0, caption1)[0]


def _load_folder(folder: Path):
    from transformers import CLIPModel, CLIPProcessor

    from ..models.loading import quiet_transformers

    quiet_transformers()   # no note about torchvision image processors: the Pillow one is used

    if not (folder / "config.json").is_file():
        raise UserError(f"{str(folder)!r} has no config.json; give a folder saved by CLIPModel.save_pretrained, "
                        f"or one of {available_clips()}.")
    try:
        model = CLIPModel.from_pretrained(folder, use_safetensors=True)
        processor = CLIPProcessor.from_pretrained(folder)
    except (OSError, ValueError, KeyError, TypeError) as e:
        why = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise UserError(f"Could not load a CLIP model from {str(folder)!r} ({why}); it needs config.json, "
                        "model.safetensors and the tokenizer and image processor files.") from e
    return model.float(), processor   # float16 weights, wherever they come from, are scored in float32


def load_clip(name: str = PAPER_CLIP, device=None, progress=None, notify=None) -> ClipScorer:
    """A `ClipScorer` for `name`: "demo-clip", "tiny-clip", a local folder, or a hub id (downloaded once).

    `device`: where the model runs (default: the GPU when there is one). `progress(done, total)` and
    `notify(text)` follow a download, as in `ip2p_nb.models.hub.fetch_model`.
    """
    notify = notify or (lambda text: None)
    if not isinstance(name, str) or not name.strip():
        raise UserError(f"`name` must be one of {available_clips()}, a local folder or a hub id, got {name!r}.")
    from ..models.catalogue import find_engine_model

    known = find_engine_model(name, "clip")       # a catalogue name ("clip-vit-l-14") -> its hub id
    name = known.hub_id if known is not None and known.hub_id else name
    if name == "tiny-clip":
        from ..models.tiny_clip import TINY_CLIP_NOTE, build_tiny_clip

        notify(TINY_CLIP_NOTE)
        model, processor = build_tiny_clip()
    elif name == "demo-clip":
        notify(DEMO_CLIP_NOTE)
        model, processor = _load_folder(DEMO_CLIP_DIR)
    elif Path(name).expanduser().is_dir():
        model, processor = _load_folder(Path(name).expanduser())
    elif _HUB_ID.fullmatch(name) and not Path(name).expanduser().exists():
        from ..models.hub import fetch_model

        folder, _ = fetch_model(name, progress=progress, notify=notify)
        model, processor = _load_folder(Path(folder))
    else:
        raise UserError(f"No CLIP model {name!r}: choose one of {available_clips()}, an existing folder or a hub id "
                        "such as owner/name.")
    device = device or ("cuda" if torch.cuda.is_available() else "cpu")
    try:
        model = model.to(device)
    except (RuntimeError, AssertionError) as e:
        raise UserError(f"Cannot run the CLIP model on device {str(device)!r} ({e}); use 'cpu' or 'cuda'.") from e
    return ClipScorer(model, processor)


def select(scores, k: int = KEEP, thresholds=None) -> list[int]:
    """Indices of the pairs to keep: those passing every threshold, best directional score first, at most `k`."""
    if isinstance(k, bool) or not isinstance(k, int) or k < 0:
        raise SettingError(f"`k` must be a whole number of pairs, 0 or more, got {k!r}.")
    limits = _thresholds(thresholds)
    passing = [i for i, s in enumerate(scores) if s.passes(limits)]
    return sorted(passing, key=lambda i: -scores[i].clip_sim_dir)[:k]


@dataclass
class Sample:
    """One drawn pair and how it was drawn, as `write_prompt_folder` saves it."""
    seed: int             # the noise seed both pictures started from (the file names' prefix)
    p: float              # prompt-to-prompt threshold: the fraction of steps sharing attention (p2p_threshold)
    cfg_scale: float      # classifier-free guidance scale the pair was drawn with
    img0: object          # the before picture (PIL image)
    img1: object          # the after picture (PIL image)
    scores: PairScores    # its four CLIP scores


def _field(item, name):
    """`item.name` or `item[name]`: samples may be `Sample`s or plain dicts."""
    if isinstance(item, dict):
        if name not in item:
            raise UserError(f"A kept sample has no {name!r}; each needs seed, p, cfg_scale, img0, img1 and scores.")
        return item[name]
    if not hasattr(item, name):
        raise UserError(f"A kept sample has no {name!r}; each needs seed, p, cfg_scale, img0, img1 and scores.")
    return getattr(item, name)


def _folder_name(prompt_id) -> str:
    if isinstance(prompt_id, int) and not isinstance(prompt_id, bool) and prompt_id >= 0:
        return f"{prompt_id:07d}"   # the paper's names: 0000000, 0000001, ...
    if isinstance(prompt_id, str) and prompt_id.strip() and prompt_id not in (".", "..") and not re.search(r"[\\/]", prompt_id):
        return prompt_id
    raise SettingError(f"`prompt_id` must be a whole number from 0 or a plain folder name, got {prompt_id!r}.")


def _metadata_line(sample) -> dict:
    seed = _field(sample, "seed")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise UserError(f"A kept sample's seed must be a whole number from 0, got {seed!r}.")
    line = dict(seed=seed, p2p_threshold=float(_field(sample, "p")), cfg_scale=float(_field(sample, "cfg_scale")))
    scores = _field(sample, "scores")
    scores = scores if isinstance(scores, dict) else asdict(scores)
    return line | {name: float(scores[name]) for name in THRESHOLDS}


def write_prompt_folder(out_dir, prompt_id, caption: str, instruction: str, edited_caption: str, kept) -> Path:
    """Save one caption's kept pairs in the paper's layout under `out_dir` (see the module docstring).

    The folder then holds exactly `kept` (pairs of an earlier run that are not kept are removed).
    Every file is written atomically; the after picture before the before picture, so a reader that
    finds `{seed}_0.jpg` always finds its `{seed}_1.jpg`. Returns the prompt folder.
    """
    prompt = {"input": _check_text(caption, "caption"), "edit": _check_text(instruction, "instruction"),
              "output": _check_text(edited_caption, "edited_caption")}
    lines = [_metadata_line(sample) for sample in kept]
    seeds = [line["seed"] for line in lines]
    if len(set(seeds)) != len(seeds):
        raise UserError(f"The kept samples repeat a seed ({seeds}); each pair needs its own seed.")
    folder = Path(out_dir) / _folder_name(prompt_id)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise UserError(f"Cannot create the folder {str(folder)!r} ({e.strerror or e}); choose a folder you can write to.") from e
    # 1. the captions and the instruction, as the paper's prompt.json
    atomic_write(folder / "prompt.json", lambda tmp: Path(tmp).write_text(json.dumps(prompt), encoding="utf-8"))
    # 2. the pictures, after before before
    for sample, seed in zip(kept, seeds):
        for part in ("img1", "img0"):
            image = _check_image(_field(sample, part), part)
            save_image_atomic(image, folder / f"{seed}_{part[-1]}.jpg", format="JPEG", quality=100)
    # 3. one metadata line per kept pair (no file when nothing was kept, as in the paper)
    text = "".join(json.dumps(line) + "\n" for line in lines)
    if lines:
        atomic_write(folder / "metadata.jsonl", lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
    else:
        (folder / "metadata.jsonl").unlink(missing_ok=True)
    # 4. pairs of an earlier run that this one did not keep
    for path in folder.glob("*_[01].jpg"):
        if re.fullmatch(r"\d+_[01]\.jpg", path.name) and int(path.name.split("_")[0]) not in seeds:
            path.unlink()
    return folder


def write_seeds(out_dir) -> Path:
    """Write `out_dir/seeds.json`, the index the paper's training reads: [[prompt folder, [seeds]], ...], sorted."""
    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        raise UserError(f"{str(out_dir)!r} is not a folder; give the folder that holds the prompt folders.")
    index = []
    for folder in sorted(p for p in out_dir.iterdir() if p.is_dir()):
        seeds = [path.name.split("_")[0] for path in sorted(folder.glob("*_0.jpg"))]
        if seeds:
            index.append([folder.name, seeds])
    return atomic_write(out_dir / "seeds.json", lambda tmp: Path(tmp).write_text(json.dumps(index), encoding="utf-8"))
