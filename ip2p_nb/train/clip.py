"""Train `demo-clip`, the toy CLIP of the data engine's filter, on the procedural scenes of scenes.py.

The paper filters its pairs with CLIP ViT-L/14; no machine here can download it, so the filter's
demo runs on a small `CLIPModel` trained from scratch in minutes on one CPU thread. Each step
draws edit pairs (`make_pair`: before and after pictures with their captions) and minimises two
contrastive (InfoNCE) losses at a fixed temperature, CLIP's final logit scale of 100 (a learned one
stays low on this easy domain and pushes the pictures of one scene apart; at 100 small angles
suffice, so a one-part edit keeps the two pictures alike, as the filter's `clip_sim_image` expects):
1. CLIP's own: each picture against every caption of the batch, and each caption against every picture;
2. a directional one, the filter's `clip_sim_dir` made a loss: each pair's picture change
   (after - before, unit embeddings) against every pair's caption change, plus a wrong edit of the
   same scene (another edit's caption) as a hard negative.
`evaluate` measures it on held-out generator seeds. Command:

    OMP_NUM_THREADS=1 python -m ip2p_nb.train.clip --output-dir DIR --max-minutes 9
"""
import argparse
import json
import math
import random
import re
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
import torch.nn.functional as F
from safetensors.torch import save_file

from ..datagen.clip_filter import ClipScorer, load_clip
from ..models.tiny_clip import ClipSize, build_clip, word_tokenizer
from .scenes import available_edits, caption, make_edit, make_pair, random_scene

__all__ = ["ClipTrainConfig", "scene_words", "wrong_caption", "train_clip", "evaluate", "main"]

HELD_OUT = 20_000_000   # evaluation seeds start here; training draws its seeds below it


@dataclass
class ClipTrainConfig:
    """Every knob of a demo-clip run."""
    output_dir: str = "demo-clip-run"   # the trained model, its processor and metrics.json go here
    pairs: int = 32                     # edit pairs per step: 64 pictures and captions, 32 picture changes
    max_steps: int = 1200               # optimizer steps (the cosine schedule's length)
    max_minutes: float = 9.0            # stop early after this long (0 = no limit)
    lr: float = 5e-4                    # AdamW peak learning rate, for training from scratch
    warmup_steps: int = 100             # linear warm-up, then cosine decay to 10% of `lr`
    weight_decay: float = 0.05          # AdamW weight decay
    direction_weight: float = 1.0       # weight of the directional loss beside CLIP's loss
    logit_scale: float = 100.0          # fixed inverse temperature of both losses (CLIP's cap, and its final value)
    seed: int = 0                       # fixes the weights' start and the data order


# The demo model's size: 64 px scenes cut into 16 x 16 patches (4 x 4), two 4-layer towers 128 wide.
DEMO_SIZE = ClipSize(image_size=64, patch_size=16, width=128, layers=4, heads=4, projection_dim=64, max_tokens=32)


def scene_words(count: int = 2000) -> list[str]:
    """Every word of the captions of `count` random scenes (the toy domain's vocabulary), sorted."""
    words = set()
    for seed in range(count):
        rng = random.Random(seed)
        scene = random_scene(rng)
        for kind in available_edits():
            _, after, *_ = make_edit(scene, kind, rng)
            words.update(re.findall(r"[a-z]+", caption(scene) + " " + caption(after)))
    return sorted(words)


def wrong_caption(pair, seed: int) -> str:
    """The caption of another edit of `pair`'s before scene: a plausible edited caption, but not this edit's."""
    rng = random.Random(seed)
    for _ in range(20):
        kind = rng.choice([k for k in available_edits() if k != pair.kind])
        _, after, *_ = make_edit(pair.before_scene, kind, rng)
        text = caption(after)
        if text not in (pair.caption_before, pair.caption_after):
            return text
    raise RuntimeError(f"no wrong edit found for seed {seed}")


def _clip_loss(scale, images, texts, captions):
    """Symmetric InfoNCE; identical captions count as matches of each other's pictures."""
    same = torch.tensor([[a == b for b in captions] for a in captions], dtype=torch.float32)
    target = same / same.sum(1, keepdim=True)
    logits = scale * images @ texts.T
    return (F.cross_entropy(logits, target) + F.cross_entropy(logits.T, target)) / 2


def _features(output):
    """The projected embedding from get_*_features: a tensor in transformers 4, an output object in 5."""
    return output if torch.is_tensor(output) else output.pooler_output


def _embed(model, pixels, tokens):
    images = F.normalize(_features(model.get_image_features(pixel_values=pixels)), dim=-1)
    texts = F.normalize(_features(model.get_text_features(**tokens)), dim=-1)
    return images, texts


def _batch(processor, seeds):
    pairs = [make_pair(s) for s in seeds]
    pictures = [im for p in pairs for im in (p.before, p.after)]
    captions = [c for p in pairs for c in (p.caption_before, p.caption_after)]
    wrong = [wrong_caption(p, s + 1) for p, s in zip(pairs, seeds)]
    pixels = processor.image_processor(images=pictures, return_tensors="pt")["pixel_values"]
    tokens = processor.tokenizer(captions + wrong, padding=True, truncation=True, return_tensors="pt")
    return pixels, dict(tokens), captions


def _step_loss(model, processor, cfg, seeds):
    pixels, tokens, captions = _batch(processor, seeds)
    images, texts = _embed(model, pixels, tokens)
    n = len(captions)
    texts, wrong = texts[:n], texts[n:]
    scale = model.logit_scale.exp()
    clip = _clip_loss(scale, images, texts, captions)
    picture_change = F.normalize(images[1::2] - images[0::2], dim=-1)
    caption_change = F.normalize(torch.cat([texts[1::2], wrong]) - texts[0::2].repeat(2, 1), dim=-1)
    logits = scale * picture_change @ caption_change.T   # columns: the true changes, then the wrong ones
    direction = F.cross_entropy(logits, torch.arange(len(seeds)))
    return clip + cfg.direction_weight * direction, clip.item(), direction.item()


def train_clip(cfg: ClipTrainConfig, log=lambda text: print(text, flush=True)):
    """Train demo-clip from random weights; returns (model, processor, steps done)."""
    tokenizer = word_tokenizer(scene_words(), DEMO_SIZE.max_tokens)
    model, processor = build_clip(DEMO_SIZE, tokenizer, cfg.seed)
    model.train()
    model.logit_scale.data.fill_(math.log(cfg.logit_scale))
    model.logit_scale.requires_grad_(False)
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=cfg.lr, weight_decay=cfg.weight_decay)

    def factor(step):
        if step < cfg.warmup_steps:
            return (step + 1) / cfg.warmup_steps
        done = min(1.0, (step - cfg.warmup_steps) / max(1, cfg.max_steps - cfg.warmup_steps))
        return 0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * done))

    sched = torch.optim.lr_scheduler.LambdaLR(opt, factor)
    rng, start, step = random.Random(cfg.seed), time.monotonic(), 0
    while step < cfg.max_steps and not (cfg.max_minutes and time.monotonic() - start > 60 * cfg.max_minutes):
        loss, clip, direction = _step_loss(model, processor, cfg, [rng.randrange(HELD_OUT) for _ in range(cfg.pairs)])
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        step += 1
        if step % 50 == 0 or step == 1:
            log(f"step {step} clip {clip:.3f} direction {direction:.3f} {time.monotonic() - start:.0f}s")
    return model.eval(), processor, step


def evaluate(scorer: ClipScorer, count: int = 200, first_seed: int = HELD_OUT) -> dict:
    """Figures on `count` held-out edit pairs: caption retrieval, directional scores, pass rates."""
    pairs = [make_pair(first_seed + i) for i in range(count)]
    # 1. retrieval: each before picture against the before captions of all `count` pairs
    captions = [p.caption_before for p in pairs]
    sims = scorer.image_embeddings([p.before for p in pairs]) @ scorer.text_embeddings(captions).T
    best = sims.argmax(1).tolist()
    retrieval = sum(captions[b] == captions[i] for i, b in enumerate(best)) / count
    # 2. the four scores of the true pairs, and the directional score with a wrong edited caption
    true = [scorer.score(p.before, p.after, p.caption_before, p.caption_after) for p in pairs]
    wrong = [scorer.score(p.before, p.after, p.caption_before, wrong_caption(p, first_seed + i + 1)).clip_sim_dir
             for i, p in enumerate(pairs)]
    # 3. clip_sim_image of unrelated pictures (this pair's before, the next pair's after): should fail
    unrelated = (scorer.image_embeddings([p.before for p in pairs]) * scorer.image_embeddings(
        [pairs[(i + 1) % count].after for i in range(count)])).sum(-1).tolist()
    mean = lambda xs: sum(xs) / len(xs)  # noqa: E731
    names = list(asdict(true[0]))
    return {
        "pairs": count, "caption_retrieval_top1": retrieval,
        "clip_sim_dir_true_mean": mean([s.clip_sim_dir for s in true]), "clip_sim_dir_wrong_mean": mean(wrong),
        "true_dir_above_wrong": mean([s.clip_sim_dir > w for s, w in zip(true, wrong)]),
        "wrong_dir_passes": mean([w >= 0.2 for w in wrong]),
        "unrelated_image_mean": mean(unrelated), "unrelated_image_passes": mean([u >= 0.7 for u in unrelated]),
        "means": {n: mean([getattr(s, n) for s in true]) for n in names},
        "pass_rate": {n: mean([n not in s.failed() for s in true]) for n in names} | {"all": mean([s.passes() for s in true])},
    }


def main(argv=None) -> int:
    """The command line: train, save (float16 weights), evaluate, write metrics.json."""
    p = argparse.ArgumentParser(prog="python -m ip2p_nb.train.clip", description=__doc__.split("\n")[0])
    p.add_argument("--output-dir", required=True, help="where the model, its processor and metrics.json go")
    p.add_argument("--max-minutes", type=float, default=9.0, help="stop training after this long")
    p.add_argument("--max-steps", type=int, default=1200, help="optimizer steps (the schedule's length)")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)
    torch.set_num_threads(max(1, torch.get_num_threads()))
    cfg = ClipTrainConfig(output_dir=args.output_dir, max_minutes=args.max_minutes, max_steps=args.max_steps, seed=args.seed)
    start = time.monotonic()
    model, processor, steps = train_clip(cfg)
    minutes = (time.monotonic() - start) / 60
    out = Path(cfg.output_dir)
    model.config.dtype = "float32"   # the config says float32, so from_pretrained loads float32 ...
    model.config.save_pretrained(out)
    save_file({k: v.half().contiguous() for k, v in model.state_dict().items()},  # ... from float16 weights: half the size
              str(out / "model.safetensors"), metadata={"format": "pt"})
    processor.save_pretrained(out)
    processor.image_processor.save_pretrained(out)   # preprocessor_config.json too, for older readers
    figures = evaluate(load_clip(str(out), device="cpu"))   # what ships: the float16 weights, loaded back
    record = {"steps": steps, "minutes": round(minutes, 2), "config": asdict(cfg), "size": asdict(DEMO_SIZE), **figures}
    (out / "metrics.json").write_text(json.dumps(record, indent=1), encoding="utf-8")
    print(json.dumps(record, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
