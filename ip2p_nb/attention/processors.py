"""Attention processors that let a controller watch or change the attention of a diffusers UNet.

diffusers' way to change attention is a processor: an object with
`__call__(attn, hidden_states, encoder_hidden_states=None, attention_mask=None, ...)`, installed with
`unet.set_attn_processor({name: processor})`. `hooked(unet, controller)` wraps every processor the UNet
has in a `HookedProcessor` for the length of a `with` block and gives the UNet its own processors back
on exit, even after an exception (DAAM's shape: nothing of ours stays in a pipeline after the block).

For each attention call the controller says what it needs (`controller.mode(name, is_cross)`):
- None: the UNet's own processor runs, untouched (scaled dot product: the probabilities are never formed);
- "observe": the own processor still computes the output, so not a single pixel changes, and the
  probabilities are formed beside it and handed to `controller.observe(name, probs, heads)`;
- "change": the attention is computed by hand (softmax(QK^T / sqrt(d)) V, diffusers' classic
  `AttnProcessor` arithmetic) with the probabilities passed through `controller.change(name, is_cross,
  probs, heads)` first: what sharing attention between two pictures needs.

`probs` has shape (batch * heads, queries, keys), batch-major (rows of sample 0's heads first), as
`attn.get_attention_scores` returns it. A controller counts the denoising steps itself (`step(i, total)`
is called by whoever runs the loop). This module imports nothing of ip2p_nb: editing and the data
engine use it; it uses neither.
"""
from contextlib import contextmanager

import torch

__all__ = ["Controller", "Together", "HookedProcessor", "hooked", "has_processors", "attention_probs", "manual_attention", "is_cross_name"]


class Controller:
    """What a hooked UNet asks at each attention call; the base watches nothing."""

    def mode(self, name: str, is_cross: bool):
        """None (leave it), "observe" (see the probabilities, output untouched) or "change"."""
        return None

    def observe(self, name: str, probs: torch.Tensor, heads: int) -> None:
        """The probabilities of one call, (batch * heads, queries, keys), when `mode` said "observe"."""

    def change(self, name: str, is_cross: bool, probs: torch.Tensor, heads: int) -> torch.Tensor:
        """The probabilities to use instead, when `mode` said "change"."""
        return probs


def is_cross_name(name: str) -> bool:
    """In diffusers' UNets `attn2` is cross-attention (to the text) and `attn1` self-attention."""
    return ".attn2." in name


def _as_tokens(hidden_states):
    """(batch, tokens, channels) from a 4-D feature map (as diffusers' processors accept both)."""
    if hidden_states.ndim != 4:
        return hidden_states, None
    b, c, h, w = hidden_states.shape
    return hidden_states.view(b, c, h * w).transpose(1, 2), (b, c, h, w)


def _qk(attn, hidden_states, encoder_hidden_states, attention_mask):
    """(query, key, context, mask) in heads-as-batch layout, as diffusers' classic processor forms them."""
    if attn.group_norm is not None:
        hidden_states = attn.group_norm(hidden_states.transpose(1, 2)).transpose(1, 2)
    context = hidden_states if encoder_hidden_states is None else encoder_hidden_states
    if encoder_hidden_states is not None and attn.norm_cross:
        context = attn.norm_encoder_hidden_states(context)
    batch, keys = context.shape[0], context.shape[1]
    mask = attn.prepare_attention_mask(attention_mask, keys, batch)
    query = attn.head_to_batch_dim(attn.to_q(hidden_states))
    key = attn.head_to_batch_dim(attn.to_k(context))
    return query, key, context, mask


def attention_probs(attn, hidden_states, encoder_hidden_states=None, attention_mask=None):
    """softmax(QK^T / sqrt(d)) of one attention call: (batch * heads, queries, keys)."""
    hidden_states, _ = _as_tokens(hidden_states)
    query, key, _, mask = _qk(attn, hidden_states, encoder_hidden_states, attention_mask)
    return attn.get_attention_scores(query, key, mask)


def manual_attention(attn, hidden_states, encoder_hidden_states=None, attention_mask=None, change=None):
    """The attention output computed by hand, with the probabilities passed through `change(probs)` first."""
    residual = hidden_states
    hidden_states, shape = _as_tokens(hidden_states)
    query, key, context, mask = _qk(attn, hidden_states, encoder_hidden_states, attention_mask)
    value = attn.head_to_batch_dim(attn.to_v(context))
    probs = attn.get_attention_scores(query, key, mask)
    if change is not None:
        probs = change(probs)
    out = attn.batch_to_head_dim(torch.bmm(probs.to(value.dtype), value))
    out = attn.to_out[1](attn.to_out[0](out))  # linear, then dropout
    if shape is not None:
        b, c, h, w = shape
        out = out.transpose(-1, -2).reshape(b, c, h, w)
    if attn.residual_connection:
        out = out + residual
    return out / attn.rescale_output_factor


class Together(Controller):
    """Several controllers on one UNet: one that changes wins the call (the others that observe see the
    changed probabilities of their rows); else those that observe see it. `parts` may be swapped between calls."""

    def __init__(self, *parts):
        self.parts = list(parts)

    def mode(self, name, is_cross):
        modes = [part.mode(name, is_cross) for part in self.parts]
        return "change" if "change" in modes else ("observe" if "observe" in modes else None)

    def observe(self, name, probs, heads):
        self._feed(name, is_cross_name(name), probs, heads)

    def change(self, name, is_cross, probs, heads):
        for part in self.parts:
            if part.mode(name, is_cross) == "change":
                probs = part.change(name, is_cross, probs, heads)
        self._feed(name, is_cross, probs, heads)
        return probs

    def _feed(self, name, is_cross, probs, heads):
        """Each observing part sees the probabilities of its own rows (they came for the whole batch)."""
        for part in self.parts:
            if part.mode(name, is_cross) == "observe":
                rows = getattr(part, "observe_rows", None) or slice(None)
                batch = probs.shape[0] // heads
                part.observe(name, probs.view(batch, heads, *probs.shape[1:])[rows].flatten(0, 1), heads)


class HookedProcessor:
    """One layer's processor: the UNet's own one, plus the controller's look or change (see the module)."""

    def __init__(self, name: str, inner, controller: Controller):
        self.name, self.inner, self.controller = name, inner, controller
        self.is_cross = is_cross_name(name)

    def __call__(self, attn, hidden_states, encoder_hidden_states=None, attention_mask=None, temb=None, *args, **kwargs):
        mode = self.controller.mode(self.name, self.is_cross)
        if mode == "change":
            return manual_attention(attn, hidden_states, encoder_hidden_states, attention_mask,
                                    lambda probs: self.controller.change(self.name, self.is_cross, probs, attn.heads))
        out = self.inner(attn, hidden_states, encoder_hidden_states, attention_mask, temb, *args, **kwargs)
        if mode == "observe":
            rows = getattr(self.controller, "observe_rows", None) or slice(None)  # the batch rows it watches
            context = None if encoder_hidden_states is None else encoder_hidden_states[rows]
            mask = None if attention_mask is None else attention_mask[rows]
            with torch.no_grad():
                probs = attention_probs(attn, hidden_states[rows], context, mask)
            self.controller.observe(self.name, probs, attn.heads)
        return out


def has_processors(unet) -> bool:
    """Whether `unet` is a diffusers model whose attention can be hooked (not a compiled stand-in)."""
    return hasattr(unet, "set_attn_processor") and hasattr(unet, "attn_processors")


@contextmanager
def hooked(unet, controller: Controller):
    """Install `controller` on every attention layer of `unet` for the block; the own processors come back after."""
    own = dict(unet.attn_processors)
    unet.set_attn_processor({name: HookedProcessor(name, proc, controller) for name, proc in own.items()})
    try:
        yield controller
    finally:
        unet.set_attn_processor(own)
