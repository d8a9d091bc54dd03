"""How long an edit will take on this CPU: a short probe of the machine's speed, scaled to an edit's work.

`probe_seconds()` times a fixed workload made of the UNet's own kind of arithmetic (a 3x3
convolution, a linear layer and an attention of SD 1.5's first block at 256 px) in float32 or
bfloat16, at the thread count torch uses, in about a quarter of a second. `predict_seconds(...)`
counts the work of one edit (text encoder, VAE encode, `steps` UNet calls of one batch row per
guidance branch, whole or outer blocks only with feature reuse, VAE decode) in full-size SD 1.5
calls whose times were measured once on a reference machine (`REFERENCE`, below), and scales it by
how fast this machine ran the probe against the reference and by the picture's area (a square of
max_size unless the photo's edited size is given). An estimate, not a promise: the probe cannot see
memory bandwidth, or other programs that start after it ran.

Used by `doctor` and by the app's estimate label; the GPU answer is None (an edit takes seconds).
"""
import math
import time

__all__ = ["REFERENCE", "probe_seconds", "predict_seconds", "edit_work"]

# The reference machine's costs, in seconds, measured with ip2p_nb.bench.fullsize.build_fullsize_pipeline
# (SD 1.5 InstructPix2Pix's architecture, random weights; timings depend on shapes, not values) on this
# project's development VM on 2026-11-25: a 2-core AVX2 x86 CPU without native bfloat16 (so float32, the
# editor's dtype there), torch 2.13, ONE torch thread (OMP_NUM_THREADS=1), while two other CPU-bound
# programs shared the 2 cores (the probe was measured in the same processes, under the same load, so the
# ratio to a probe on another machine still holds). Each figure is the fastest of 2-3 calls.
REFERENCE = dict(
    probe=0.058,                     # probe_seconds() there: median of 25 probes around the calls below (0.054-0.079)
    # Whole UNet call at 256 px (32x32 latents) by batch = guidance branches (3 with image guidance > 1, 2 at 1).
    unet={1: 4.22, 2: 7.31, 3: 10.18},
    # Outer layers only (ip2p_nb.editing.reuse.UNetParts with a kept `deep`, DeepCache's shallowest split: input conv, last
    # layer, output conv): what the reused steps run, 0.04-0.06 of a whole call. (The earlier split, whole outer
    # blocks, took 0.80 / 1.73 / 2.65 s.)
    outer={1: 0.16, 2: 0.36, 3: 0.61},
    # Other sizes scale with the latent area times this per doubling of the side: a 512 px batch-3 call took
    # 40.8 s, 4.01x the 256 px one, so in float32 on this CPU time follows the area (attention adds nothing
    # visible at these sizes). Issue 19's bfloat16 figures grew 4.9x: in bfloat16 this estimate may be low at 512 px.
    attention_growth=1.0,
    vae_encode=4.62,                 # VAE encoder at 256 px, batch 1 (once per photo; cached after)
    vae_decode=10.34,                # VAE decoder at 256 px, batch 1: as long as a whole UNet call
    text_encoder=0.22,               # CLIP text tower, one prompt (cached after the first edit with it)
    size=256,                        # the size the UNet and VAE times above are for
    # OpenVINO's time as a fraction of torch's in the same dtype, from one `bench --unet-cost --size 256` run (issue 25,
    # docs/BENCHMARK.md: a full-size UNet call, batch 3, one thread, fresh processes; the UNet is over 90% of an edit):
    # float32 6.58 / 9.63 CPU s = 0.68. (Issue 19's end-to-end float32 figure on an AVX2-only CPU was 0.79.)
    # bfloat16 (CPUs with native bfloat16): fitted to one end-to-end `bench --cpu` run (2026-12-03, AVX-512 BF16 CPU, one
    # thread, docs/BENCHMARK.md): OpenVINO bfloat16 with reuse 2, 20 steps, took 42.9 CPU s at 256 px and 186.2 at 512;
    # with the per-call 0.82 this model predicted 62.8 and 250.8 (the bfloat16 probe sees torch's bfloat16, slower
    # than OpenVINO's, and the VAE gains more than the UNet); 0.56 and 0.61 fit them, 0.58 is both within 5%.
    openvino_factor=0.68,
    openvino_factor_bf16=0.58,
)

# The probe: SD 1.5's first UNet block at 256 px (32x32 latents, 320 channels, 8 heads of 40).
_PROBE = dict(channels=320, side=32, heads=8, rounds=3)


def _probe_once(x, weight, w_lin, q) -> None:
    import torch  # noqa: PLC0415  (only the probe needs it: a prediction from a given probe does not)

    torch.nn.functional.conv2d(x, weight, padding=1)
    torch.nn.functional.linear(x.flatten(2).transpose(1, 2), w_lin)
    torch.nn.functional.scaled_dot_product_attention(q, q, q)


def probe_seconds(dtype=None, rounds: int | None = None) -> float:
    """Seconds this machine takes for the fixed probe workload (the best of a few rounds, after one warm-up);
    `dtype`: a torch dtype, float32 when None."""
    import torch  # noqa: PLC0415

    dtype = torch.float32 if dtype is None else dtype
    c, side, heads = _PROBE["channels"], _PROBE["side"], _PROBE["heads"]
    g = torch.Generator().manual_seed(0)
    x = torch.randn(1, c, side, side, generator=g).to(dtype)
    weight = torch.randn(c, c, 3, 3, generator=g).to(dtype) / 30
    w_lin = torch.randn(4 * c, c, generator=g).to(dtype) / 18
    q = torch.randn(1, heads, side * side, c // heads, generator=g).to(dtype)
    best = math.inf
    with torch.no_grad():
        _probe_once(x, weight, w_lin, q)  # warm-up: first calls pick kernels and allocate
        for _ in range(rounds or _PROBE["rounds"]):
            start = time.perf_counter()
            _probe_once(x, weight, w_lin, q)
            best = min(best, time.perf_counter() - start)
    return best


def edit_work(max_size: int, steps: int, n_branches: int, cache_interval: int = 1, size: tuple | None = None) -> dict:
    """An edit's work in reference seconds, by part: {"text", "encode", "unet", "decode"} (torch).

    `size`: the (width, height) the picture is edited at (images.edit_size); None is a square of `max_size`.
    """
    if max_size <= 0 or steps <= 0 or n_branches <= 0 or cache_interval <= 0:
        raise ValueError(f"max_size, steps, n_branches and cache_interval must be positive, got {max_size}, {steps}, "
                         f"{n_branches}, {cache_interval}.")
    ref = REFERENCE
    area = max_size * max_size if size is None else size[0] * size[1]
    doublings = math.log2(math.sqrt(area) / ref["size"])
    scale = area / ref["size"] ** 2 * ref["attention_growth"] ** doublings
    whole = math.ceil(steps / cache_interval)  # reuse.ReuseSchedule: the first call, then one in `cache_interval`
    outer = steps - whole
    return dict(text=ref["text_encoder"],
                encode=ref["vae_encode"] * scale,
                unet=(whole * _per_batch(ref["unet"], n_branches) + outer * _per_batch(ref["outer"], n_branches)) * scale,
                decode=ref["vae_decode"] * scale)


def _per_batch(table: dict, batch: int) -> float:
    """A call's time for `batch` rows: measured for 1-3, linear in the rows beyond."""
    if batch in table:
        return table[batch]
    top = max(table)
    return table[top] + (batch - top) * (table[top] - table[top - 1])


def predict_seconds(max_size: int, steps: int, n_branches: int, cache_interval: int = 1, runtime: str = "torch",
                    probe: float | None = None, dtype=None, size: tuple | None = None) -> float:
    """Predicted wall seconds of one edit on this CPU (`probe`: a `probe_seconds()` result, measured when None;
    `dtype`: the torch dtype the editor computes in, float32 when None; `size`: the edited (width, height), None for
    a square of `max_size`)."""
    probe = probe_seconds(dtype) if probe is None else probe
    work = edit_work(max_size, steps, n_branches, cache_interval, size)
    factor = 1.0
    if runtime == "openvino":
        factor = REFERENCE["openvino_factor_bf16" if str(dtype) == "torch.bfloat16" else "openvino_factor"]
    model = (work["encode"] + work["unet"] + work["decode"]) * factor + work["text"]
    return model * probe / REFERENCE["probe"]
