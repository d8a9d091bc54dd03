"""Where each word acts: per-word heat maps from the cross-attention of a drawing or an edit (the DAAM way).

A `WordMapRecorder` is a controller (processors.py) that observes every cross-attention layer: for the
batch rows it is told to watch (the text-conditioned branch: in InstructPix2Pix's batch that is the
first third, not the second half that text-to-image tools assume), the attention probabilities are
summed over heads, upsampled from the layer's grid to the latent's, and summed over layers and steps,
one map per text token. Observing never changes the output (the UNet's own processor computes it).

`recorder.word_maps(tokenizer, prompt)` groups the tokens into the prompt's words (CLIP's byte-pair
pieces end in `</w>` at a word's end), sums each word's tokens and scales each word's map to 0..1:
a `WordMaps` with `words` and `maps`, and `heat(word, size)` at any picture size.
"""
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from .processors import Controller, hooked

__all__ = ["WordMapRecorder", "WordMaps", "record_word_maps", "prompt_words", "latent_grid"]


def latent_grid(latent_hw, queries: int) -> tuple[int, int]:
    """The (height, width) of a layer with `queries` positions: the latent halved k times (rounded up)."""
    height, width = latent_hw
    for k in range(8):
        h, w = -(-height // 2**k), -(-width // 2**k)
        if h * w == queries:
            return h, w
    raise ValueError(f"An attention layer with {queries} positions does not fit the latent grid {height}x{width}.")


class WordMapRecorder(Controller):
    """Sums cross-attention per token over heads, layers and steps for batch rows `rows` (see the module)."""

    def __init__(self, latent_hw, rows=slice(0, 1)):
        self.latent_hw = tuple(latent_hw)  # the latent's (height, width): maps are kept at this size
        self.observe_rows = rows           # the rows of the batch whose attention is recorded
        self.total = None                  # (rows, tokens, height, width), float32, summed
        self.calls = 0                     # cross-attention calls observed (layers x steps)

    def mode(self, name, is_cross):
        return "observe" if is_cross else None

    def observe(self, name, probs, heads):
        batch, queries, keys = probs.shape[0] // heads, probs.shape[1], probs.shape[2]
        summed = probs.float().view(batch, heads, queries, keys).sum(1)  # rows were chosen by the processor
        h, w = latent_grid(self.latent_hw, queries)
        grid = summed.transpose(1, 2).reshape(batch, keys, h, w)
        if (h, w) != self.latent_hw:
            grid = F.interpolate(grid, size=self.latent_hw, mode="bilinear", align_corners=False)
        self.total = grid if self.total is None else self.total + grid
        self.calls += 1

    def token_maps(self, row: int = 0) -> np.ndarray:
        """(tokens, height, width): the summed maps of one watched row (zeros before any step)."""
        if self.total is None:
            return np.zeros((0,) + self.latent_hw, np.float32)
        return self.total[row].cpu().numpy()

    def word_maps(self, tokenizer, prompt: str, row: int = 0) -> "WordMaps":
        """The prompt's words and each word's map, scaled to 0..1."""
        tokens = self.token_maps(row)
        words, maps = [], []
        for word, positions in prompt_words(tokenizer, prompt):
            positions = [p for p in positions if p < tokens.shape[0]]
            if not positions:
                continue
            m = tokens[positions].sum(0)
            m = m - m.min()
            words.append(word)
            maps.append(m / m.max() if m.max() > 0 else m)
        return WordMaps(words, np.stack(maps) if maps else np.zeros((0,) + self.latent_hw, np.float32))


def prompt_words(tokenizer, prompt: str) -> list[tuple[str, list[int]]]:
    """[(word, token positions)] of `prompt` as the text encoder sees it (position 0 is the start token)."""
    ids = tokenizer(prompt, truncation=True, max_length=tokenizer.model_max_length).input_ids
    pieces = tokenizer.convert_ids_to_tokens(ids)
    special = set(tokenizer.all_special_ids)
    marked = any(str(piece).endswith("</w>") for piece in pieces)  # CLIP marks a word's last piece with </w>
    words, current = [], []
    for pos, (token_id, piece) in enumerate(zip(ids, pieces)):
        if token_id in special:
            continue
        current.append(pos)
        if str(piece).endswith("</w>") or not marked:
            words.append(current)
            current = []
    if current:
        words.append(current)
    named = [(tokenizer.decode([ids[p] for p in group]).strip(), group) for group in words]
    return [(text, group) for text, group in named if text]


@dataclass
class WordMaps:
    """Where each word of a prompt acted: `maps[i]` (height, width, 0..1 at the latent's size) for `words[i]`."""
    words: list[str]      # the prompt's words, in order (a word split into pieces is one word)
    maps: np.ndarray      # (len(words), height, width) float32, each scaled so its largest value is 1

    def index(self, word) -> int:
        """The position of `word` (an index, or the first word equal to it, any case)."""
        if isinstance(word, int):
            return word
        lowered = [w.lower() for w in self.words]
        if str(word).lower() not in lowered:
            raise KeyError(f"{word!r} is not a word of the prompt; its words are: {', '.join(self.words)}")
        return lowered.index(str(word).lower())

    def heat(self, word, size=None) -> np.ndarray:
        """One word's map, (height, width) in 0..1, resized to `size` (width, height) when given."""
        m = torch.from_numpy(self.maps[self.index(word)])[None, None]
        if size is not None:
            m = F.interpolate(m, size=(size[1], size[0]), mode="bilinear", align_corners=False)
        return m[0, 0].clamp(0, 1).numpy()


@contextmanager
def record_word_maps(unet, latent_hw, rows=slice(0, 1)):
    """`with record_word_maps(pipe.unet, (h, w)) as recorder:` run a drawing or an edit, then read the maps."""
    recorder = WordMapRecorder(latent_hw, rows)
    with hooked(unet, recorder):
        yield recorder
