"""The `demo-t2i` model: a small text-to-image model that draws the toy scenes of scenes.py from their captions.

The InstructPix2Pix data engine (Brooks et al. 2023, section 3.1) draws pairs of pictures from captions
with Stable Diffusion. Offline, this model stands in for Stable Diffusion, on the procedural scenes only.
The recipe, in four pieces:
1. `text_to_image_unet`: the reverse of `recipe.widen_conv_in`. A copy of the 8-channel InstructPix2Pix
   UNet of `demo` with 4 input channels: `conv_in` keeps the weights of the first 4 (the noisy latent)
   and its bias, everything else is copied as is. With a zero image latent it computes what demo did.
2. `CaptionData`: (render(scene, 64), caption(scene)) for the scenes of generator seeds 0..999,999.
   Seeds from 10,000,000 on (`HELD_OUT_FIRST_SEED`, as in quality.py) are never trained on.
3. `t2i_loss`: the DDPM noise-prediction (epsilon) loss, 10% of captions dropped (empty prompt) so that
   classifier-free guidance works; the loop is `recipe.train` (AdamW, warm-up + cosine, EMA, resumable
   checkpoints). demo's autoencoder stays frozen; the UNet and the text encoder are fine-tuned.
4. `save_t2i_pipeline`: a `StableDiffusionPipeline` folder, float16 safetensors (every file under 5 MB);
   load it with `torch_dtype=torch.float32` on a CPU.
`t2i_quality(pipe, seeds)` measures what a caption fixes (sky, ground, house and roof colours) on held-out scenes.

    OMP_NUM_THREADS=1 python -m ip2p_nb.train.t2i --output-dir /tmp/t2i --max-steps 1500 --max-minutes 22
    python -m ip2p_nb.train.t2i --evaluate assets/demo-t2i --grid /tmp/grid.png
"""
import argparse
import copy
import json
import random
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from ..errors import UserError
from ..resources import DEMO_DIR, DEMO_T2I_DIR
from .data import to_tensor
from .quality import EVAL_FIRST_SEED
from .recipe import TrainConfig, build_pipeline, encode_prompts, latest_checkpoint, step_log, train
from .scenes import COLOURS, GROUND, PARTS, SKY, caption, random_scene, render

__all__ = ["DEMO_T2I_DIR", "HELD_OUT_FIRST_SEED", "T2I_DEFAULTS", "text_to_image_unet", "CaptionData",
           "t2i_components", "t2i_loss", "build_t2i_pipeline", "save_t2i_pipeline", "run_t2i", "draw_captions",
           "score_drawings", "t2i_quality", "save_grid"]


HELD_OUT_FIRST_SEED = EVAL_FIRST_SEED        # scenes of seeds >= 10,000,000 are never trained on
MAX_FILE_BYTES = 5_000_000                   # the project flags tracked files over 5 MB

# The t2i run's settings (a `TrainConfig`); the command line can override each.
T2I_DEFAULTS = dict(
    resolution=64,             # the scenes' size; demo's autoencoder gives a 16x16x4 latent
    batch_size=16,             # as demo was trained; about 0.8 s a step on one CPU thread
    lr=3e-4,                   # below demo's from-scratch 5e-4: we fine-tune
    warmup_steps=50,           # short: the weights start trained
    p_text=0.10,               # caption dropout (empty prompt) for classifier-free guidance
    p_image=0.0, p_both=0.0,   # there is no input image
    train_text_encoder=True,   # demo's encoder learnt instructions; captions are new sentences
    ema_decay=0.995,           # as demo: the EMA weights are saved
    checkpoint_every=200,      # resumable every few minutes on a CPU
    validate_every=0,          # recipe's validation grids are edits; use --evaluate instead
)


# ---- 1. the UNet --------------------------------------------------------------------------------

def text_to_image_unet(unet):
    """A new 4-input-channel UNet from an 8-channel InstructPix2Pix `unet`: conv_in's first 4 channels and bias, the rest copied."""
    from diffusers import UNet2DConditionModel

    if unet.config.in_channels != 8:
        raise UserError(f"`unet` must take 8 input channels (an InstructPix2Pix UNet), got {unet.config.in_channels}.")
    new = UNet2DConditionModel.from_config({**unet.config, "in_channels": 4})
    state = dict(unet.state_dict())
    state["conv_in.weight"] = state["conv_in.weight"][:, :4].clone()  # the noisy latent's weights; the bias as is
    new.load_state_dict(state)  # strict: every other weight must match
    return new if new.dtype == unet.dtype else new.to(unet.dtype)


# ---- 2. the data --------------------------------------------------------------------------------

class CaptionData:
    """(picture, caption) of the scenes of generator seeds `first_seed` .. `first_seed + count - 1`."""

    def __init__(self, size=64, first_seed=0, count=1_000_000):
        if first_seed + count > HELD_OUT_FIRST_SEED:
            raise UserError(f"Training seeds must stay below {HELD_OUT_FIRST_SEED:,} (held out), got up to {first_seed + count - 1:,}.")
        self.size, self.first_seed, self.count = size, first_seed, count

    def __len__(self):
        return self.count

    def __getitem__(self, i):
        scene = random_scene(random.Random(self.first_seed + i))
        return render(scene, self.size)[0], caption(scene)


def caption_batch(data, cfg, micro: int):
    """The pictures (N x 3 x H x W in [-1, 1]) and captions of micro-batch `micro`, drawn from its number."""
    rng = random.Random(cfg.seed * 1_000_003 + micro)
    rows = [data[rng.randrange(len(data))] for _ in range(cfg.batch_size)]
    return torch.stack([to_tensor(r[0], cfg.resolution) for r in rows]), [r[1] for r in rows]


# ---- 3. components, loss, pipeline --------------------------------------------------------------

def t2i_components(source=DEMO_DIR) -> dict:
    """vae, text_encoder, tokenizer (from the InstructPix2Pix folder `source`), a 4-channel unet, a DDPM scheduler."""
    from diffusers import AutoencoderKL, DDPMScheduler, UNet2DConditionModel
    from transformers import CLIPTextModel, CLIPTokenizer

    from ..models.tiny import SCHEDULER_CONFIG

    kw = dict(use_safetensors=True, torch_dtype=torch.float32)
    unet = UNet2DConditionModel.from_pretrained(source, subfolder="unet", **kw)
    return dict(vae=AutoencoderKL.from_pretrained(source, subfolder="vae", **kw).requires_grad_(False),
                text_encoder=CLIPTextModel.from_pretrained(source, subfolder="text_encoder", **kw),
                tokenizer=CLIPTokenizer.from_pretrained(source, subfolder="tokenizer"),
                unet=text_to_image_unet(unet), noise_scheduler=DDPMScheduler(**SCHEDULER_CONFIG))


def t2i_loss(parts, cfg, data, micro, device):
    """The DDPM epsilon loss on micro-batch `micro`, `cfg.p_text` of its captions replaced by the empty prompt."""
    vae, unet, sched = parts["vae"], parts["unet"], parts["noise_scheduler"]
    images, prompts = caption_batch(data, cfg, micro)
    gen = torch.Generator().manual_seed(cfg.seed * 1_000_003 + micro)
    drop = torch.rand(len(prompts), generator=gen) < cfg.p_text
    prompts = ["" if d else p for d, p in zip(drop.tolist(), prompts)]
    with torch.no_grad():
        latents = vae.encode(images.to(device)).latent_dist.sample(gen) * vae.config.scaling_factor
    noise = torch.randn(latents.shape, generator=gen).to(device)
    t = torch.randint(0, sched.config.num_train_timesteps, (len(prompts),), generator=gen).to(device)
    text = encode_prompts(parts["tokenizer"], parts["text_encoder"], prompts, device)
    pred = unet(sched.add_noise(latents, noise, t), t, text).sample
    return F.mse_loss(pred.float(), noise.float())


def build_t2i_pipeline(parts):
    """A `StableDiffusionPipeline` from the parts (Euler-ancestral with SD's noise schedule, no safety checker)."""
    from diffusers import StableDiffusionPipeline

    return build_pipeline(parts, StableDiffusionPipeline)


def save_t2i_pipeline(parts, folder) -> Path:
    """Save a float16 copy of the parts as a pipeline folder (safetensors only, each file under 5 MB)."""
    folder = Path(folder)
    pipe = build_t2i_pipeline({k: copy.deepcopy(v) for k, v in parts.items()}).to(torch.float16)
    pipe.save_pretrained(folder, safe_serialization=True)
    too_big = [str(p) for p in folder.rglob("*") if p.is_file() and p.stat().st_size > MAX_FILE_BYTES]
    if too_big:
        raise UserError(f"These files are over {MAX_FILE_BYTES:,} bytes: {too_big}; use a smaller model.")
    return folder


def run_t2i(cfg: TrainConfig, source=DEMO_DIR, max_minutes: float = 0, resume=None, log=None) -> Path:
    """Fine-tune `source` into a text-to-image model; log to `output_dir/log.jsonl`; returns the saved pipeline folder."""
    torch.manual_seed(cfg.seed)
    parts = t2i_components(source)
    out = Path(cfg.output_dir)
    with step_log(out, log) as record:
        parts = train(cfg, parts, CaptionData(cfg.resolution), log=record, max_seconds=60 * max_minutes,
                      resume=resume, loss_fn=t2i_loss)
    return save_t2i_pipeline(parts, out / "pipeline")


# ---- 4. measured quality ------------------------------------------------------------------------

def draw_captions(pipe, scenes, prompts=None, steps=20, guidance=7.5, size=64, seed=0) -> list:
    """Draw each scene's caption (or `prompts`) at `size` px; generator seed `seed + i` for the i-th."""
    prompts = [caption(s) for s in scenes] if prompts is None else prompts
    gens = [torch.Generator().manual_seed(seed + i) for i in range(len(prompts))]
    with torch.no_grad():
        return pipe(prompts, height=size, width=size, num_inference_steps=steps, guidance_scale=guidance,
                    generator=gens).images


def _nearest(rgb, table) -> str:
    return min(table, key=lambda name: float(np.sum((np.asarray(table[name], dtype=float) - rgb) ** 2)))


def score_drawings(scenes, images) -> dict:
    """Share of drawings whose sky, ground, house and roof have the caption's colour; PSNR to the truth.

    A caption does not say on which side the house stands: each drawing is compared with the truth
    drawn with the house on the left and on the right, and scored against the closer one. Each
    region's median colour (the truth's label map says where) must be nearest to the caption's
    colour among the alternatives: `SKY` for the time of day, `GROUND` for the season, `COLOURS`
    for house and roof. Chance: 1/3, 1/4, 1/10, 1/10.
    """
    colours = {k: v[1] for k, v in COLOURS.items()}
    checks = dict(time=("sky", SKY), season=("ground", GROUND), house=("house", colours), roof=("roof", colours))
    rows = []
    for scene, image in zip(scenes, images):
        pic = np.asarray(image.convert("RGB"), dtype=np.float64)
        truths = [render(replace(scene, house_side=side), pic.shape[0]) for side in ("left", "right")]
        mse = [float(((pic - np.asarray(t, dtype=np.float64)) ** 2).mean()) for t, _ in truths]
        labels = truths[int(np.argmin(mse))][1]
        want = dict(time=scene.time, season=scene.season, house=scene.house_colour, roof=scene.roof_colour)
        row = {key: float(_nearest(np.median(pic[labels == PARTS[part]], axis=0), table) == want[key])
               for key, (part, table) in checks.items()}
        rows.append(dict(row, psnr=10 * np.log10(255.0 ** 2 / max(min(mse), 1e-10))))
    return dict(n=len(rows), **{k: float(np.mean([r[k] for r in rows])) for k in (*checks, "psnr")})


def t2i_quality(pipe, seeds, **settings) -> dict:
    """`score_drawings` for the held-out scenes of `seeds` drawn from their captions (`draw_captions` settings)."""
    seeds = list(seeds)
    if min(seeds) < HELD_OUT_FIRST_SEED:
        raise UserError(f"`seeds` must be held out (>= {HELD_OUT_FIRST_SEED:,}), got {min(seeds):,}.")
    scenes = [random_scene(random.Random(s)) for s in seeds]
    return score_drawings(scenes, draw_captions(pipe, scenes, **settings))


def save_grid(scenes, images, path, columns=4, scale=2) -> Path:
    """A PNG of truth | drawing pairs, `columns` pairs a row, each picture enlarged `scale` times."""
    from PIL import Image

    side = images[0].size[0] * scale
    rows = -(-len(scenes) // columns)
    grid = Image.new("RGB", (2 * columns * side + (columns - 1) * 4, rows * side), "white")
    for i, (scene, image) in enumerate(zip(scenes, images)):
        x, y = (i % columns) * (2 * side + 4), (i // columns) * side
        grid.paste(render(scene, images[0].size[0])[0].resize((side, side), Image.NEAREST), (x, y))
        grid.paste(image.resize((side, side), Image.NEAREST), (x + side, y))
    grid.save(path)
    return Path(path)


# ---- the command line ---------------------------------------------------------------------------

def _evaluate(args) -> None:
    from diffusers import StableDiffusionPipeline

    pipe = StableDiffusionPipeline.from_pretrained(args.evaluate, use_safetensors=True, torch_dtype=torch.float32)
    pipe.set_progress_bar_config(disable=True)
    seeds = range(HELD_OUT_FIRST_SEED, HELD_OUT_FIRST_SEED + args.count)
    scenes = [random_scene(random.Random(s)) for s in seeds]
    drawn = draw_captions(pipe, scenes)
    print(json.dumps(dict(captions=score_drawings(scenes, drawn),
                          empty_prompt=score_drawings(scenes, draw_captions(pipe, scenes, prompts=[""] * len(scenes)))),
                     indent=1))
    if args.grid:
        save_grid(scenes[:16], drawn[:16], args.grid)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m ip2p_nb.train.t2i", description=__doc__.split("\n")[0])
    p.add_argument("--output-dir", default="t2i-train", help="checkpoints, log.jsonl and pipeline/ go here")
    p.add_argument("--source", default=str(DEMO_DIR), help="the InstructPix2Pix folder to start from")
    p.add_argument("--max-steps", type=int, default=1500)
    p.add_argument("--max-minutes", type=float, default=0, help="stop (and save) after this long; 0 = no limit")
    p.add_argument("--resume", default=None, help="a checkpoint folder, or `latest`")
    p.add_argument("--seed", type=int, default=0)
    for key in ("batch_size", "lr", "warmup_steps", "ema_decay", "checkpoint_every", "p_text"):
        p.add_argument("--" + key.replace("_", "-"), type=type(T2I_DEFAULTS[key]), default=T2I_DEFAULTS[key])
    p.add_argument("--evaluate", metavar="MODEL", help="instead of training: score MODEL on held-out scenes")
    p.add_argument("--count", type=int, default=64, help="with --evaluate: how many held-out scenes")
    p.add_argument("--grid", help="with --evaluate: save truth | drawing pairs of the first 16 as this PNG")
    args = p.parse_args(argv)
    if args.evaluate:
        _evaluate(args)
        return 0
    overrides = {k: getattr(args, k) for k in ("batch_size", "lr", "warmup_steps", "ema_decay", "checkpoint_every", "p_text")}
    cfg = TrainConfig(**{**T2I_DEFAULTS, **overrides}, output_dir=args.output_dir, max_steps=args.max_steps, seed=args.seed)
    if args.resume == "latest" and latest_checkpoint(cfg.output_dir) is None:
        raise SystemExit(f"No checkpoint in {cfg.output_dir!r} to resume from; train without --resume first.")
    say = lambda r: r["step"] % 25 == 0 and print(json.dumps(r), flush=True)  # noqa: E731
    print(run_t2i(cfg, args.source, args.max_minutes, args.resume, log=say))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
