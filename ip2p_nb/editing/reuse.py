"""Reuse of the UNet's deep features between steps (the DeepCache idea), for a faster edit on CPUs.

A UNet's prediction changes slowly from one step to the next in its deep layers and quickly in
its outermost ones. With `cache_interval` N > 1 the whole UNet runs on one call in N and keeps
the feature map that enters the last layer of its last up block (`deep`); the calls in between
run only the outermost layers on the new input: the input convolution (whose output is that last
layer's skip input), the last layer (resnet and attention) and the output convolution, reusing
`deep`. That is DeepCache's shallowest split (Ma et al., 2023). The cost of an outer-only call is
in docs/BENCHMARK.md ("Feature reuse"); N = 3 runs the whole UNet on 7 of 20 steps.

`UNetParts` works on any diffusers `UNet2DConditionModel` with at least two up blocks (SD 1.x,
SDXL, the `demo` and `tiny` models); `full` gives exactly the UNet's own output. `reuse_hook` gives
the denoising loop's reuse hook for one edit (ip2p_nb/editing/loop.py runs the UNet through it).
"""
import torch

__all__ = ["UNetParts", "can_reuse", "ReuseSchedule", "ReuseHook", "reuse_hook"]


def can_reuse(unet) -> bool:
    """Whether `unet` has the plain layout the split needs: a last up block without upsampler or FreeU."""
    blocks = getattr(unet, "up_blocks", None)
    config = getattr(unet, "config", None)
    if blocks is None or len(blocks) < 2 or getattr(config, "addition_embed_type", None) == "image_hint":
        return False
    last = blocks[-1]
    return getattr(last, "upsamplers", None) is None and getattr(last, "s1", None) is None and hasattr(last, "resnets")


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

    @staticmethod
    def _last_layers(block, sample, emb, states, skips, layers):
        """Layers `layers` of the last up block: each concatenates its skip input, then resnet (and attention)."""
        attentions = getattr(block, "attentions", None)
        for j in layers:
            sample = block.resnets[j](torch.cat([sample, skips[j]], dim=1), emb)
            if attentions is not None:
                sample = attentions[j](sample, encoder_hidden_states=states, return_dict=False)[0]
        return sample

    def forward(self, sample, timestep, encoder_hidden_states, deep=None, added_cond_kwargs=None):
        u = self.unet
        sample, emb, states = self._embed(sample, timestep, encoder_hidden_states, added_cond_kwargs)
        sample = u.conv_in(sample)
        last = u.up_blocks[-1]
        final = len(last.resnets) - 1   # the last layer's skip input is the input convolution's output
        if deep is not None:            # outer layers only: input convolution, last layer, output
            return self._out(self._last_layers(last, deep, emb, states, {final: sample}, [final]))
        res = (sample,)
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
            # Always the skip's own size (diffusers passes it only for sides not divisible by 2**num_upsamplers):
            # the same pixels (nearest x2 to exactly twice the size), and a traced graph (runtime.py) then follows
            # the input's shape instead of fixing its example's, so a 512x344 photo runs under OpenVINO too.
            sample = self._up(block, sample, emb, states, skip, res[-1].shape[2:])
        skips = {j: res[-1 - j] for j in range(final + 1)}  # the block takes its skip inputs from the end
        deep = self._last_layers(last, sample, emb, states, skips, range(final))
        return self._out(self._last_layers(last, deep, emb, states, skips, [final])), deep


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


class ReuseHook:
    """One edit's UNet calls through a `ReuseSchedule`: `hook(x, t, embeds, unet_kwargs)` -> noise.

    `run` is the UNet's own split (`run_parts`, the OpenVINO stand-in's) or `UNetParts` around it.
    """

    def __init__(self, unet, interval: int):
        self.schedule = ReuseSchedule(interval)
        self.run = getattr(unet, "run_parts", None) or UNetParts(unet)

    def __call__(self, x, t, embeds, unet_kwargs):
        return self.schedule.call(self.run, x, t, embeds, unet_kwargs.get("added_cond_kwargs"))


def reuse_hook(unet, interval: int, notes: list):
    """The reuse hook for an edit with `cache_interval` = `interval`, or None for a plain UNet call each step.

    A UNet that cannot be split runs every step in full; `notes` says so."""
    if interval <= 1:
        return None
    if not (hasattr(unet, "run_parts") or can_reuse(unet)):
        notes.append("This model's UNet cannot reuse its deep features, so every step ran in full (cache_interval 1).")
        return None
    return ReuseHook(unet, interval)
