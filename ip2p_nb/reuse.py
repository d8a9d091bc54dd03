"""Reuse of the UNet's deep features between steps (the DeepCache idea), for a faster edit on CPUs.

A UNet's prediction changes slowly from one step to the next in its deep, low-resolution layers
and quickly in its outer, full-resolution ones. With `cache_interval` N > 1 the whole UNet runs on
one call in N and keeps the feature map that enters its last up block (`deep`); the calls in
between run only the outer blocks (the input convolution, the first down block, the last up block
and the output layers) on the new input and reuse `deep`. On SD 1.5 the outer blocks are 35-52% of
a UNet call (measured on this CPU, docs/BENCHMARK.md), so N = 3 costs about 0.6 of the UNet time.

`UNetParts` works on any diffusers `UNet2DConditionModel` with at least two up blocks (SD 1.x,
SDXL, the `demo` and `tiny` models); `full` gives exactly the UNet's own output.
"""
import torch

__all__ = ["UNetParts", "can_reuse", "ReuseSchedule"]


def can_reuse(unet) -> bool:
    """Whether `unet` has the plain layout the split needs (no ControlNet/adapter inputs are ever passed)."""
    blocks = getattr(unet, "up_blocks", None)
    config = getattr(unet, "config", None)
    return (blocks is not None and len(blocks) >= 2 and len(getattr(unet, "down_blocks", ())) >= 2
            and getattr(config, "addition_embed_type", None) != "image_hint")


class UNetParts(torch.nn.Module):
    """A UNet run whole (`deep=None`: returns (noise, deep)) or only its outer blocks with a kept `deep`.

    The arithmetic is the diffusers `UNet2DConditionModel.forward` (0.3x-0.4x) for the inputs the
    editor passes: no attention masks, ControlNet residuals, adapters or class labels.
    """

    def __init__(self, unet):
        super().__init__()
        self.unet = unet

    def _embed(self, sample, timestep, encoder_hidden_states, added_cond_kwargs):
        u = self.unet
        if u.config.center_input_sample:
            sample = 2 * sample - 1.0
        emb = u.time_embedding(u.get_time_embed(sample=sample, timestep=timestep), None)
        aug = u.get_aug_embed(emb=emb, encoder_hidden_states=encoder_hidden_states, added_cond_kwargs=added_cond_kwargs)
        emb = emb + aug if aug is not None else emb
        if u.time_embed_act is not None:
            emb = u.time_embed_act(emb)
        states = u.process_encoder_hidden_states(encoder_hidden_states=encoder_hidden_states, added_cond_kwargs=added_cond_kwargs)
        return sample, emb, states

    @staticmethod
    def _down(block, sample, emb, states):
        if getattr(block, "has_cross_attention", False):
            return block(hidden_states=sample, temb=emb, encoder_hidden_states=states)
        return block(hidden_states=sample, temb=emb)

    @staticmethod
    def _up(block, sample, emb, states, res, size):
        if getattr(block, "has_cross_attention", False):
            return block(hidden_states=sample, temb=emb, res_hidden_states_tuple=res, encoder_hidden_states=states, upsample_size=size)
        return block(hidden_states=sample, temb=emb, res_hidden_states_tuple=res, upsample_size=size)

    def _out(self, sample):
        u = self.unet
        if u.conv_norm_out:
            sample = u.conv_act(u.conv_norm_out(sample))
        return u.conv_out(sample)

    def forward(self, sample, timestep, encoder_hidden_states, deep=None, added_cond_kwargs=None):
        u = self.unet
        odd = any(dim % 2**u.num_upsamplers for dim in sample.shape[-2:])
        sample, emb, states = self._embed(sample, timestep, encoder_hidden_states, added_cond_kwargs)
        sample = u.conv_in(sample)
        res = (sample,)
        last = u.up_blocks[-1]
        if deep is not None:  # outer blocks only: the last up block needs the input conv's and first down block's outputs
            _, first = self._down(u.down_blocks[0], sample, emb, states)
            res = (res + first)[:len(last.resnets)]
            return self._out(self._up(last, deep, emb, states, res, None))
        for block in u.down_blocks:
            sample, more = self._down(block, sample, emb, states)
            res += more
        if u.mid_block is not None:
            if getattr(u.mid_block, "has_cross_attention", False):
                sample = u.mid_block(sample, emb, encoder_hidden_states=states)
            else:
                sample = u.mid_block(sample, emb)
        for block in u.up_blocks[:-1]:
            n = len(block.resnets)
            res, skip = res[:-n], res[-n:]
            sample = self._up(block, sample, emb, states, skip, res[-1].shape[2:] if odd else None)
        deep = sample
        return self._out(self._up(last, sample, emb, states, res[-len(last.resnets):], None)), deep


class ReuseSchedule:
    """Which UNet calls of an edit run whole: the first, then one in `interval`; the rest reuse `deep`.

    `call(run, sample, t, states, added)` where `run(sample, t, states, deep, added)` returns
    (noise, deep) for a whole call (deep=None) and noise for an outer-only call. Counts both kinds.
    """

    def __init__(self, interval: int):
        self.interval = max(1, int(interval))
        self.deep = None
        self.calls = 0
        self.whole = 0

    def call(self, run, sample, t, states, added=None):
        whole = self.deep is None or self.calls % self.interval == 0
        self.calls += 1
        if whole:
            self.whole += 1
            noise, self.deep = run(sample, t, states, None, added)
            return noise
        return run(sample, t, states, self.deep, added)
