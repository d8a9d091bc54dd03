"""`python -m ip2p_nb bench --step-economy`: how few steps each sampler needs for Euler a's 20-step picture.

On the trained `demo` model's held-out scenes (train/quality.py, 64 px), every sampler in
`SAMPLERS` edits every scene at each step count in `STEP_COUNTS` (seed i for scene i, the editor's
own loop); a row is the mean PSNR of the edits to the true edited scene, the share of edits that
followed the instruction, and the UNet calls the edit made (order-2 samplers call twice per step).
A sampler/steps pair "holds" when its PSNR to the truth is within `tolerance` dB of Euler a at 20
steps and its follow rate is no lower by more than one scene. With `cache_interval` 2 the same pairs
are checked again with deep-feature reuse (reuse.py). `cheapest` picks the pair with the fewest UNet calls.
"""
import time

import numpy as np
import torch

__all__ = ["SAMPLERS", "STEP_COUNTS", "step_economy", "cheapest"]

SAMPLERS = ("Euler a", "DPM++ 2M Karras", "UniPC", "DDIM")   # loading.SCHEDULERS' names; Euler a is the reference
STEP_COUNTS = (8, 10, 12, 15)   # fewer than 20 (6 steps of DPM++ 2M Karras lost 2.3 dB)


def _psnr(a, b) -> float:
    mse = ((np.asarray(a, np.float64) - np.asarray(b, np.float64)) ** 2).mean()
    return 99.0 if mse == 0 else float(10 * np.log10(255.0**2 / mse))


def step_economy(per_kind: int = 4, samplers=SAMPLERS, step_counts=STEP_COUNTS, intervals=(1, 2), tolerance: float = 0.3,
                 plan=None, reference: dict | None = None, log=lambda _m: None) -> dict:
    """Rows {sampler, steps, cache_interval, psnr_to_truth, followed, unet_calls, cpu_s, holds} on the demo model.

    `plan`: (sampler, steps, cache_interval) triples to run instead of every sampler x step count x interval
    (the reference, Euler a at 20 steps without reuse, runs first unless its row from an earlier run is given)."""
    from ..editing.editor import Editor  # noqa: PLC0415
    from ..models.loading import load_pipeline  # noqa: PLC0415
    from ..train.quality import held_out_pairs, score  # noqa: PLC0415

    pairs = held_out_pairs(per_kind)
    editor = Editor(load_pipeline("demo", torch.device("cpu"), torch.float32), model_name="demo")
    if plan is None:
        plan = [(s, n, 1) for s in samplers for n in step_counts]
        plan += [(s, n, i) for i in intervals if i > 1 for s, n, _ in [("Euler a", 20, 1), *plan]]
    plan = [*([] if reference else [("Euler a", 20, 1)]), *[p for p in plan if tuple(p) != ("Euler a", 20, 1)]]
    intervals = sorted({p[2] for p in plan})
    rows = [dict(reference)] if reference else []
    for sampler, steps, interval in plan:
        editor.use_scheduler(sampler)
        start = time.process_time()
        images = [editor.edit(p.before, p.instruction, english=p.instruction, seed=i, steps=steps, max_size=64,
                              cache_interval=interval).image for i, p in enumerate(pairs)]
        scored = score(pairs, images)["all"]
        rows.append(dict(sampler=sampler, steps=steps, cache_interval=interval, unet_calls=_unet_calls(editor, steps),
                         psnr_to_truth=round(float(np.mean([_psnr(o, p.after) for o, p in zip(images, pairs)])), 2),
                         followed=round(scored["followed"], 3), cpu_s=round(time.process_time() - start, 2)))
        log(f"  {rows[-1]}")
    ref = next(r for r in rows if r["sampler"] == "Euler a" and r["steps"] == 20 and r["cache_interval"] == 1)
    slack = 1 / len(pairs) + 1e-9   # one scene's worth of follow rate
    for r in rows:
        r["holds"] = r["psnr_to_truth"] >= ref["psnr_to_truth"] - tolerance and r["followed"] >= ref["followed"] - slack
    return dict(model="demo", pairs=len(pairs), tolerance_db=tolerance, reference=ref, rows=rows,
                cheapest={n: cheapest(rows, n) for n in intervals})


def _unet_calls(editor, steps: int) -> int:
    """UNet calls of one edit: steps x the sampler's order (Heun-like samplers call twice per step)."""
    order = getattr(editor.pipe.scheduler, "order", 1)
    return steps * order if order > 1 and not hasattr(editor.pipe.scheduler, "solver_order") else steps


def cheapest(rows, interval: int = 1):
    """The holding row with the fewest UNet calls (then the most PSNR) at `interval`; None when none holds."""
    ok = [r for r in rows if r["holds"] and r["cache_interval"] == interval]
    return min(ok, key=lambda r: (r["unet_calls"], -r["psnr_to_truth"])) if ok else None
