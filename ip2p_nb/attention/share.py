"""Attention shared between the two pictures of a pair: the paper's data engine, step 2.

Two captions are drawn from the same noise, one picture after the other at every step. While sharing
is on, the second picture (the "target") uses the first's (the "source") attention probabilities:

- `"self"`: in the self-attention layers, every row of the batch (text and empty-prompt branch).
  This is what InstructPix2Pix's released code does (its `prompt_to_prompt` flag copies the first
  prompt's self-attention logits to the second prompt's, in every layer);
- `"cross"`: in the cross-attention layers, as the original Prompt-to-Prompt: the target's tokens are
  aligned with the source's (`align_tokens`), an aligned token takes the source's map, a new word keeps
  its own;
- `"both"`.

Sharing is on at step i (0-based) of `steps` while `p > i / (steps - 2)`, the paper's rule: for the
first p of the denoising. p = 0 never shares (the target is then drawn exactly as a plain pipeline
draws it); the more is shared, the more the pair keeps the same layout.
"""
import difflib

import torch

from .processors import Controller

__all__ = ["SHARE_KINDS", "AttentionSharer", "align_tokens", "sharing_on"]

SHARE_KINDS = {"self": ("self",), "cross": ("cross",), "both": ("self", "cross")}


def sharing_on(p: float, step: int, steps: int) -> bool:
    """The paper's rule: share at step `step` (0-based) of `steps` while p > step / (steps - 2)."""
    return p > step / max(steps - 2, 1)


def align_tokens(tokenizer, source: str, target: str) -> torch.Tensor:
    """For each of the target's token positions, the source position whose cross-attention map it takes, or -1.

    Equal tokens map to each other, a replaced run of the same length maps piece for piece (Prompt-to-Prompt's
    word swap), other new tokens keep their own maps (-1); the start token maps to the start token and the
    end and padding tokens to the source's, counted from its end."""
    length = tokenizer.model_max_length
    ids = [tokenizer(text, padding="max_length", max_length=length, truncation=True).input_ids for text in (source, target)]
    ends = [row.index(tokenizer.eos_token_id) if tokenizer.eos_token_id in row else length - 1 for row in ids]
    mapping = torch.full((length,), -1, dtype=torch.long)
    mapping[0] = 0
    words0, words1 = ids[0][1:ends[0]], ids[1][1:ends[1]]
    for tag, i0, i1, j0, j1 in difflib.SequenceMatcher(a=words0, b=words1, autojunk=False).get_opcodes():
        if tag == "equal" or (tag == "replace" and i1 - i0 == j1 - j0):
            mapping[1 + j0:1 + j1] = torch.arange(1 + i0, 1 + i1)
    for j in range(ends[1], length):  # the end token and the padding after it
        mapping[j] = min(length - 1, ends[0] + (j - ends[1]))
    return mapping


class AttentionSharer(Controller):
    """The source's attention reused by the target for the first p of the steps (see the module).

    Whoever runs the loop sets `role` ("source" or "target") before each picture's UNet call and calls
    `step(i, steps)` at the start of each step. The source's probabilities are kept only for the step at hand.
    """

    def __init__(self, share: str = "self", p: float = 0.5, mapping: torch.Tensor | None = None):
        if share not in SHARE_KINDS:
            raise ValueError(f"`share` must be one of {', '.join(SHARE_KINDS)}, not {share!r}.")
        self.kinds = SHARE_KINDS[share]   # which attention layers share: "self", "cross" or both
        self.p = p                        # the fraction of the steps that share (the paper's p2p_threshold)
        self.mapping = mapping            # align_tokens(...): needed when cross-attention is shared
        self.role = "source"              # whose UNet call runs now
        self.active = False               # whether this step shares
        self.saved = {}                   # layer name -> the source's probabilities at this step
        self.shared_steps = 0             # steps that shared, for the record

    def step(self, i: int, steps: int) -> None:
        self.active = sharing_on(self.p, i, steps)
        self.shared_steps += self.active
        self.saved = {}

    def mode(self, name, is_cross):
        kind = "cross" if is_cross else "self"
        return "change" if self.active and kind in self.kinds else None

    def change(self, name, is_cross, probs, heads):
        if self.role == "source":
            self.saved[name] = probs
            return probs
        source = self.saved[name]
        if not is_cross:
            return source
        if self.mapping is None:
            raise ValueError("Sharing cross-attention needs the token alignment (`mapping`, see align_tokens).")
        mapping = self.mapping.to(probs.device)
        taken = (mapping >= 0).nonzero().flatten()
        mixed = probs.clone()
        mixed[..., taken] = source[..., mapping[taken]]
        return mixed
