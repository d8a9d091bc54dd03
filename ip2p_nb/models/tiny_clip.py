"""Small CLIP models built offline: `tiny-clip` (random weights, for tests) and the untrained `demo-clip`.

The CLIP filter of the data engine (`ip2p_nb/datagen/clip_filter.py`) scores pictures with the
real `transformers` classes, `CLIPModel` and `CLIPProcessor`. The paper used CLIP ViT-L/14 (1.7 GB),
which no test here can download, so the tests run on `build_tiny_clip`: the same classes with a
few thousand random weights, built in a few hundredths of a second, the same for the same `seed`.
Its scores are meaningless; they only prove the plumbing.

`build_clip` makes the same model at any size with a tokenizer of whole words (`word_tokenizer`):
the training recipe of `demo-clip` (`ip2p_nb/train/clip.py`) starts from it.
"""
from dataclasses import dataclass

import torch

from .tiny import tiny_tokenizer

__all__ = ["ClipSize", "TINY_CLIP_NOTE", "build_tiny_clip", "build_clip", "word_tokenizer"]

TINY_CLIP_NOTE = "The `tiny-clip` model has random weights: its scores are noise, it only checks that the filter runs."


@dataclass
class ClipSize:
    """How big the two towers are; the defaults are `tiny-clip`'s."""
    image_size: int = 32        # pictures are resized to this square before the vision tower
    patch_size: int = 8         # a ViT cuts the picture into patches of this side (ViT-L/14: 14)
    width: int = 32             # hidden size of both towers (ViT-L/14: 1024 vision, 768 text)
    layers: int = 2             # transformer layers in each tower (ViT-L/14: 24 vision, 12 text)
    heads: int = 4              # attention heads in each tower
    projection_dim: int = 16    # the shared embedding space where cosines are taken (ViT-L/14: 768)
    max_tokens: int = 77        # the longest caption in tokens, start and end marks included (CLIP: 77)


def word_tokenizer(words, max_tokens: int = 77):
    """A byte-level CLIP tokenizer that also knows each of `words` as one token.

    Every word gets the merges that build it letter by letter from its start; any other text still
    tokenizes, byte by byte. Words are lowercase letters only (CLIP's tokenizer lowercases).
    """
    from transformers import CLIPTokenizer

    vocab = dict(tiny_tokenizer().get_vocab())  # single bytes, with and without the word-end mark
    specials = {tok: vocab.pop(tok) for tok in ("<|startoftext|>", "<|endoftext|>")}
    merges = []
    for word in sorted(set(words), key=lambda w: (-len(w), w)):  # long words first: their merges win
        pieces = list(word[:-1]) + [word[-1] + "</w>"]
        built = pieces[0]
        for piece in pieces[1:]:
            merge = (built, piece)
            built += piece
            if merge not in merges:
                merges.append(merge)
            vocab.setdefault(built, len(vocab))
    for tok in specials:
        vocab[tok] = len(vocab)
    return CLIPTokenizer(vocab=vocab, merges=merges, model_max_length=max_tokens)


def _image_processor(size: int):
    """CLIP's preprocessing (resize the short side, centre crop, CLIP's mean and std) at `size` pixels, with Pillow."""
    try:
        from transformers import CLIPImageProcessorPil as Processor
    except ImportError:  # older transformers: one class, Pillow-based
        from transformers import CLIPImageProcessor as Processor
    return Processor(size={"shortest_edge": size}, crop_size={"height": size, "width": size})


def build_clip(size: ClipSize, tokenizer, seed: int = 0):
    """(CLIPModel, CLIPProcessor) of `size` with random weights drawn from `seed`."""
    from transformers import CLIPConfig, CLIPModel, CLIPProcessor

    common = dict(hidden_size=size.width, intermediate_size=4 * size.width, num_hidden_layers=size.layers,
                  num_attention_heads=size.heads, projection_dim=size.projection_dim)
    text = dict(common, vocab_size=len(tokenizer), max_position_embeddings=size.max_tokens,
                bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id,
                pad_token_id=tokenizer.pad_token_id)
    vision = dict(common, image_size=size.image_size, patch_size=size.patch_size)
    config = CLIPConfig(text_config=text, vision_config=vision, projection_dim=size.projection_dim)
    torch.manual_seed(seed)
    model = CLIPModel(config).eval()
    processor = CLIPProcessor(image_processor=_image_processor(size.image_size), tokenizer=tokenizer)
    return model, processor


def build_tiny_clip(seed: int = 0):
    """`tiny-clip`: (CLIPModel, CLIPProcessor) with random weights, a byte-level tokenizer and 32 px pictures."""
    return build_clip(ClipSize(), tiny_tokenizer(), seed)

