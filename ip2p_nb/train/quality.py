"""Measured quality of an editing model on held-out synthetic scenes.

For pairs from generator seeds never used in training (`EVAL_FIRST_SEED` on; training uses
seeds below 1,000,000), each edit is run through the model and compared with the true edited
image that `scenes.py` drew:
- `psnr_input`: PSNR of the unedited input against the truth (what doing nothing scores);
- `psnr_output`: PSNR of the model's output against the truth (higher = closer);
- `followed`: the share of edits where, inside the edited region (the parts the edit
  changes), the output is closer to the truth than to the input: the instruction was followed;
- `kept`: PSNR of the output against the input outside the edited region (the rest preserved).
`sweep` repeats this over steps, image guidance and text guidance; `evaluation_report` makes the Markdown tables.
"""
import math
import time

import numpy as np
import torch

from .scenes import available_edits, make_pair

__all__ = ["held_out_pairs", "edit_pairs", "score", "evaluate", "sweep", "sky_brightness",
           "evaluation_report"]

EVAL_FIRST_SEED = 10_000_000  # far above every training seed, so no test scene was seen in training


def held_out_pairs(per_kind: int = 8, size: int = 64, first_seed: int = EVAL_FIRST_SEED) -> list:
    """`per_kind` held-out pairs of every edit kind, deterministic."""
    return [make_pair(first_seed + 1000 * k + i, size, kind) for k, kind in enumerate(available_edits())
            for i in range(per_kind)]


def edit_pairs(pipe, pairs, steps=20, image_guidance=1.5, text_guidance=7.5, seed=0) -> list:
    """Edit every pair's input with its instruction in one batch; returns PIL images."""
    gens = [torch.Generator().manual_seed(seed + i) for i in range(len(pairs))]
    with torch.no_grad():
        out = pipe([p.instruction for p in pairs], image=[p.before for p in pairs], num_inference_steps=steps,
                   image_guidance_scale=image_guidance, guidance_scale=text_guidance, generator=gens)
    return out.images


def _psnr(a, b, mask=None) -> float:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    err = (a - b) ** 2
    mse = err[mask].mean() if mask is not None else err.mean()
    return 99.0 if mse == 0 else 10 * math.log10(255.0 ** 2 / mse)


def _region_mse(a, b, mask) -> float:
    return float(((np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64)) ** 2)[mask].mean())


def sky_brightness(image, pair) -> float:
    """Mean brightness (0-255) of the pixels that are sky or sun/moon in the pair's input."""
    from .scenes import PARTS, render

    _, labels = render(pair.before_scene, image.size[0])
    sky = np.isin(labels, [PARTS["sky"], PARTS["sun"]])
    return float(np.asarray(image.convert("L"), dtype=np.float64)[sky].mean())


def score(pairs, outputs) -> dict:
    """Per edit kind (and "all"): n, psnr_input, psnr_output, followed, kept (see the module doc)."""
    rows = {}
    for pair, out in zip(pairs, outputs):
        region = pair.region
        followed = _region_mse(out, pair.after, region) < _region_mse(out, pair.before, region)
        rec = dict(psnr_input=_psnr(pair.before, pair.after), psnr_output=_psnr(out, pair.after),
                   followed=float(followed), kept=_psnr(out, pair.before, ~region))
        for key in (pair.kind, "all"):
            rows.setdefault(key, []).append(rec)
    return {k: dict(n=len(v), **{m: float(np.mean([r[m] for r in v])) for m in v[0]}) for k, v in rows.items()}


def evaluate(pipe, per_kind=8, size=64, **settings) -> dict:
    """Score `pipe` on held-out pairs with the given `edit_pairs` settings."""
    pairs = held_out_pairs(per_kind, size)
    return score(pairs, edit_pairs(pipe, pairs, **settings))


def sweep(pipe, per_kind=4, size=64) -> list:
    """Overall scores for steps 5/10/20/50 and a range of image and text guidance."""
    pairs = held_out_pairs(per_kind, size)
    settings = [dict(steps=s) for s in (5, 10, 20, 50)]
    settings += [dict(image_guidance=g) for g in (1.0, 1.25, 2.5)]
    settings += [dict(text_guidance=g) for g in (1.0, 3.0, 12.0)]
    rows = []
    for s in settings:
        start = time.time()
        result = score(pairs, edit_pairs(pipe, pairs, **s))["all"]
        full = dict(dict(steps=20, image_guidance=1.5, text_guidance=7.5), **s)
        rows.append(dict(full, seconds=(time.time() - start) / len(pairs), **result))
    return rows


def markdown_table(rows: list, columns: list) -> str:
    """A GitHub markdown table of `rows` (dicts) with the given column keys."""
    fmt = lambda v: f"{v:.3g}" if isinstance(v, float) else str(v)  # noqa: E731
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(fmt(r[c]) for c in columns) + " |" for r in rows]
    return "\n".join(lines)


def evaluation_report(pipe, per_kind: int = 8) -> str:
    """Markdown: the per-kind table at the default settings and the settings sweep, for `pipe`."""
    per = evaluate(pipe, per_kind)
    order = [k for k in available_edits() if k in per] + ["all"]
    return "\n".join([
        f"Held-out scenes, {per_kind} per kind, 20 steps, image guidance 1.5, text guidance 7.5:\n",
        markdown_table([dict(kind=k, **per[k]) for k in order], ["kind", "n", "psnr_input", "psnr_output", "followed", "kept"]),
        "\nSettings sweep (all kinds):\n",
        markdown_table(sweep(pipe), ["steps", "image_guidance", "text_guidance", "psnr_output", "followed", "kept", "seconds"]),
    ])
