"""Train an InstructPix2Pix model yourself: the paper's recipe, a training loop and its command line.

The recipe (Brooks et al. 2023, section 3.3), in three pieces:
1. `widen_conv_in`: a text-to-image UNet takes 4 latent channels; InstructPix2Pix takes 8
   (the noisy latent plus the input image's latent). The new input channels start at zero and
   the old weights *and bias* are copied, so the widened UNet computes exactly what it did before.
2. `conditioning_dropout`: 5% of examples lose the text (empty prompt), 5% lose the image (zero
   image latent), 5% lose both, so one model learns all three predictions that dual
   classifier-free guidance needs.
3. `train`: the DDPM noise-prediction loss on (input image, instruction, edited image) triples, with
   `accelerate` for devices and mixed precision, gradient accumulation, optional EMA, checkpoints
   that resume exactly (data and noise are drawn from the step number), and validation edits
   saved as PNG grids.

Data (`data.py`): the synthetic scenes of `scenes.py`, a local folder (`metadata.jsonl` with the public
instruct-pix2pix columns `input_image`, `edit_prompt`, `edited_image`), or a Hugging Face
`datasets` dataset with those columns (imported only when asked for). See docs/TRAINING.md.
"""
import json
import math
import os
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
import torch.nn.functional as F

from ..errors import UserError
from .data import FolderData, HubData, SceneData, micro_batch, training_data

__all__ = ["TrainConfig", "widen_conv_in", "conditioning_dropout", "SceneData", "FolderData", "HubData",
           "load_training_components", "demo_components", "build_pipeline", "train", "latest_checkpoint",
           "train_vae", "run_training", "encode_prompts", "step_log"]


@dataclass
class TrainConfig:
    """Every knob of a training run; the defaults are the paper's where it gives one."""
    output_dir: str = "ip2p-train"      # checkpoints, validation grids and the final pipeline go here
    resolution: int = 64                # training images are square; 256 in the paper, 64 for the toy scenes
    batch_size: int = 16                # per device, per micro-batch
    grad_accum: int = 1                 # micro-batches per optimizer step (effective batch = product)
    max_steps: int = 1000               # optimizer steps
    lr: float = 1e-4                    # the paper: 1e-4 (for SD at effective batch 1024); raise for from-scratch toys
    warmup_steps: int = 50              # linear warm-up, then cosine decay to 10% of `lr`
    p_text: float = 0.05                # probability of dropping only the text (paper: 0.05)
    p_image: float = 0.05               # probability of dropping only the image (paper: 0.05)
    p_both: float = 0.05                # probability of dropping both (paper: 0.05)
    train_text_encoder: bool = False    # the paper keeps CLIP frozen; a random toy encoder learns better trained
    ema_decay: float = 0.0              # 0 = no EMA; e.g. 0.999 keeps a smoothed copy of the UNet for saving
    mixed_precision: str = "no"         # "no", "fp16" (GPU) or "bf16" (recent GPUs and CPUs)
    checkpoint_every: int = 500         # save a resumable checkpoint every this many steps
    validate_every: int = 250           # save a grid of validation edits every this many steps (0 = never)
    seed: int = 0                       # fixes data order, noise, dropout: same seed, same run
    max_grad_norm: float = 1.0          # gradient clipping


# ---- 1. the recipe -------------------------------------------------------------------------------

def widen_conv_in(unet, in_channels: int = 8):
    """Give `unet` `in_channels` inputs: old weights and bias copied, new channels zero. Returns `unet`."""
    old = unet.conv_in
    if old.in_channels >= in_channels:
        raise UserError(f"The UNet already takes {old.in_channels} input channels; nothing to widen.")
    new = torch.nn.Conv2d(in_channels, old.out_channels, old.kernel_size, old.stride, old.padding,
                          dtype=old.weight.dtype, device=old.weight.device)
    with torch.no_grad():
        new.weight.zero_()
        new.weight[:, :old.in_channels] = old.weight
        new.bias.copy_(old.bias)  # the diffusers example forgets this line
    unet.conv_in = new
    unet.register_to_config(in_channels=in_channels)
    return unet


def conditioning_dropout(batch_size: int, generator: torch.Generator, p_text=0.05, p_image=0.05, p_both=0.05):
    """Which examples lose their text and which their image: two bool tensors of length `batch_size`.

    One uniform draw per example: below `p_text` only the text goes, the next `p_image` only the
    image, the next `p_both` both (the paper's three disjoint 5% cases).
    """
    if p_text + p_image + p_both > 1:
        raise UserError(f"`p_text + p_image + p_both` must be at most 1, got {p_text + p_image + p_both}.")
    u = torch.rand(batch_size, generator=generator)
    text_only = u < p_text
    image_only = (u >= p_text) & (u < p_text + p_image)
    both = (u >= p_text + p_image) & (u < p_text + p_image + p_both)
    return text_only | both, image_only | both


# ---- 2. components ------------------------------------------------------------------------------

def load_training_components(pretrained: str, seed: int = 0) -> dict:
    """vae, text_encoder, tokenizer, unet (8 input channels) and a DDPM noise scheduler.

    `pretrained`: a hub id or local folder of a Stable Diffusion (or InstructPix2Pix) checkpoint in
    diffusers format, loaded with safetensors only; `tiny` or `demo` build small models from scratch.
    """
    from diffusers import AutoencoderKL, DDPMScheduler, UNet2DConditionModel
    from transformers import CLIPTextModel, CLIPTokenizer

    from ..models.tiny import SCHEDULER_CONFIG, tiny_components

    if pretrained == "demo-t2i":   # the engine's toy text-to-image model: the paper's start, offline (assets/demo-t2i)
        from ..resources import DEMO_T2I_DIR

        pretrained = str(DEMO_T2I_DIR)
    if pretrained in ("tiny", "demo"):
        parts = tiny_components(seed) if pretrained == "tiny" else demo_components(seed)
        parts = {k: parts[k] for k in ("vae", "text_encoder", "tokenizer", "unet")}
        return dict(parts, noise_scheduler=DDPMScheduler(**SCHEDULER_CONFIG))
    # never pickles, never remote code; float32 to train in, whatever the files hold (demo-t2i ships float16)
    kw = dict(use_safetensors=True, torch_dtype=torch.float32)
    parts = dict(
        vae=AutoencoderKL.from_pretrained(pretrained, subfolder="vae", **kw),
        text_encoder=CLIPTextModel.from_pretrained(pretrained, subfolder="text_encoder", **kw),
        tokenizer=CLIPTokenizer.from_pretrained(pretrained, subfolder="tokenizer"),
        unet=UNet2DConditionModel.from_pretrained(pretrained, subfolder="unet", **kw),
        noise_scheduler=DDPMScheduler.from_pretrained(pretrained, subfolder="scheduler"),
    )
    if parts["unet"].config.in_channels == 4:
        widen_conv_in(parts["unet"], 8)
    return parts


def demo_components(seed: int = 0) -> dict:
    """The architecture of the offline demo model (assets/demo): small enough to train on a CPU."""
    from diffusers import AutoencoderKL, UNet2DConditionModel
    from transformers import CLIPTextConfig, CLIPTextModel

    from ..models.tiny import tiny_tokenizer

    torch.manual_seed(seed)
    vae = AutoencoderKL(  # three blocks: the latent is a quarter of the image size (16x16 at 64 px)
        block_out_channels=(32, 32, 32), in_channels=3, out_channels=3, latent_channels=4, norm_num_groups=8,
        down_block_types=("DownEncoderBlock2D",) * 3, up_block_types=("UpDecoderBlock2D",) * 3,
    )
    unet = UNet2DConditionModel(  # attention at both levels: the instruction decides where to edit
        block_out_channels=(48, 96), layers_per_block=1, sample_size=16, in_channels=8, out_channels=4,
        down_block_types=("CrossAttnDownBlock2D",) * 2, up_block_types=("CrossAttnUpBlock2D",) * 2,
        cross_attention_dim=64, attention_head_dim=8, norm_num_groups=16,
    )
    tokenizer = tiny_tokenizer()
    text_encoder = CLIPTextModel(CLIPTextConfig(
        bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id,
        hidden_size=64, intermediate_size=128, num_attention_heads=4, num_hidden_layers=2,
        vocab_size=len(tokenizer), max_position_embeddings=77, layer_norm_eps=1e-5,
    ))
    return dict(vae=vae, text_encoder=text_encoder, tokenizer=tokenizer, unet=unet)


# ---- 3. the training loop -----------------------------------------------------------------------

def encode_prompts(tokenizer, text_encoder, prompts, device):
    """The text encoder's hidden states for `prompts` (padded to the tokenizer's length), as the UNet takes them."""
    ids = tokenizer(prompts, padding="max_length", max_length=tokenizer.model_max_length,
                    truncation=True, return_tensors="pt").input_ids.to(device)
    return text_encoder(ids)[0]


def _loss(parts, cfg, data, micro, device):
    """The InstructPix2Pix loss on micro-batch `micro`: predict the noise added to the edited image."""
    vae, unet, sched = parts["vae"], parts["unet"], parts["noise_scheduler"]
    before, prompts, after = micro_batch(data, cfg, micro)
    gen = torch.Generator().manual_seed(cfg.seed * 1_000_003 + micro)
    drop_text, drop_image = conditioning_dropout(len(prompts), gen, cfg.p_text, cfg.p_image, cfg.p_both)
    with torch.no_grad():
        target = vae.encode(after.to(device)).latent_dist.sample(gen.manual_seed(micro)) * vae.config.scaling_factor
        image_latents = vae.encode(before.to(device)).latent_dist.mode()  # unscaled, as the pipeline does
    image_latents = image_latents * (~drop_image).to(device, image_latents.dtype)[:, None, None, None]
    prompts = ["" if d else p for d, p in zip(drop_text.tolist(), prompts)]
    noise = torch.randn(target.shape, generator=gen).to(device)
    t = torch.randint(0, sched.config.num_train_timesteps, (len(prompts),), generator=gen).to(device)
    noisy = sched.add_noise(target, noise, t)
    text = encode_prompts(parts["tokenizer"], parts["text_encoder"], prompts, device)
    pred = unet(torch.cat([noisy, image_latents], dim=1), t, text).sample
    return F.mse_loss(pred.float(), noise.float())


def latest_checkpoint(output_dir) -> Path | None:
    """The newest `checkpoint-<step>` folder in `output_dir`, or None."""
    found = sorted(Path(output_dir).glob("checkpoint-*"), key=lambda p: int(p.name.split("-")[1]))
    return found[-1] if found else None


def _lr_lambda(cfg):
    def factor(step):
        if step < cfg.warmup_steps:
            return (step + 1) / cfg.warmup_steps
        done = min(1.0, (step - cfg.warmup_steps) / max(1, cfg.max_steps - cfg.warmup_steps))
        return 0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * done))
    return factor


def build_pipeline(parts, pipeline_class=None):
    """A `StableDiffusionInstructPix2PixPipeline` (or `pipeline_class`: t2i.py builds a `StableDiffusionPipeline`) from
    training parts (Euler-ancestral, SD betas, no safety checker)."""
    from diffusers import EulerAncestralDiscreteScheduler, StableDiffusionInstructPix2PixPipeline

    from ..models.tiny import SCHEDULER_CONFIG

    pipe = (pipeline_class or StableDiffusionInstructPix2PixPipeline)(
        vae=parts["vae"], text_encoder=parts["text_encoder"], tokenizer=parts["tokenizer"], unet=parts["unet"],
        scheduler=EulerAncestralDiscreteScheduler(**SCHEDULER_CONFIG), safety_checker=None,
        feature_extractor=None, requires_safety_checker=False)
    pipe.set_progress_bar_config(disable=True)
    return pipe


def _validate(parts, data, cfg, step, count=4):
    """Edit `count` training-set inputs and save input | edited | target rows as a PNG."""
    from PIL import Image

    pipe = build_pipeline(parts)
    rows = [data[i] for i in range(count)]
    grid = Image.new("RGB", (3 * cfg.resolution, count * cfg.resolution))
    for k, (before, prompt, after) in enumerate(rows):
        before = before.resize((cfg.resolution,) * 2)
        out = pipe(prompt, image=before, num_inference_steps=20, generator=torch.Generator().manual_seed(k)).images[0]
        for j, im in enumerate((before, out, after.resize((cfg.resolution,) * 2))):
            grid.paste(im, (j * cfg.resolution, k * cfg.resolution))
    folder = Path(cfg.output_dir, "validation")
    folder.mkdir(parents=True, exist_ok=True)
    grid.save(folder / f"step-{step:06d}.png")


def train(cfg: TrainConfig, parts: dict, data, log=lambda record: None, max_seconds: float = 0, resume=None,
          loss_fn=None) -> dict:
    """Train `parts["unet"]` (and the text encoder if asked) on `data`; returns `parts`, trained.

    `resume`: a checkpoint folder (or "latest") to continue from, step for step as if never stopped.
    `log(record)` receives one dict per optimizer step (step, loss, lr, seconds).
    `loss_fn(parts, cfg, data, micro, device)`: another objective for the same loop (t2i.py's text-to-image
    loss); default: the InstructPix2Pix loss. Validation grids are InstructPix2Pix edits: set `validate_every=0` otherwise.
    """
    import time

    from accelerate import Accelerator

    # 1. Devices, precision, accumulation
    from ..serving.batch import several_cpu_processes

    # The schedule counts optimizer steps: stepped by hand once per step, whatever the number of processes
    # (accelerate would otherwise step it once per process and run the warm-up N times too fast).
    acc = Accelerator(gradient_accumulation_steps=cfg.grad_accum, mixed_precision=cfg.mixed_precision,
                      step_scheduler_with_optimizer=False, cpu=several_cpu_processes())
    for name in ("vae", "text_encoder"):
        parts[name].to(acc.device).requires_grad_(name == "text_encoder" and cfg.train_text_encoder)
    trainable = [parts["unet"]] + ([parts["text_encoder"]] if cfg.train_text_encoder else [])
    params = [p for m in trainable for p in m.parameters()]
    # 2. Optimizer, schedule, EMA
    opt = torch.optim.AdamW(params, lr=cfg.lr, weight_decay=1e-2)
    lr_sched = torch.optim.lr_scheduler.LambdaLR(opt, _lr_lambda(cfg))
    prepared = acc.prepare(*trainable, opt, lr_sched)
    parts["unet"], opt, lr_sched = prepared[0], prepared[-2], prepared[-1]
    if cfg.train_text_encoder:
        parts["text_encoder"] = prepared[1]
    ema = None
    if cfg.ema_decay:
        from diffusers.training_utils import EMAModel
        ema = EMAModel(parts["unet"].parameters(), decay=cfg.ema_decay, use_ema_warmup=True)
        acc.register_for_checkpointing(ema)
    # 3. Resume
    step = 0
    if resume:
        folder = latest_checkpoint(cfg.output_dir) if resume == "latest" else Path(resume)
        if folder is None or not folder.is_dir():
            raise UserError(f"No checkpoint to resume from at {str(resume)!r}; train without --resume first.")
        acc.load_state(str(folder))
        step = json.loads((folder / "trainer.json").read_text())["step"]
    # 4. The loop
    loss_fn = loss_fn or _loss
    start = time.time()
    for module in trainable:
        module.train()
    # Under `accelerate launch` each process takes its own micro-batches (numbered across processes, so
    # N processes see the data of one process accumulating N micro-batches) and DDP averages the gradients.
    n, rank = acc.num_processes, acc.process_index
    saved = None
    out_of_time = lambda: bool(max_seconds) and time.time() - start > max_seconds  # noqa: E731
    while step < cfg.max_steps and not _anyone(acc, out_of_time()):
        for k in range(cfg.grad_accum):
            with acc.accumulate(*trainable):
                loss = loss_fn(parts, cfg, data, (step * cfg.grad_accum + k) * n + rank, acc.device)
                acc.backward(loss)
                if acc.sync_gradients:
                    acc.clip_grad_norm_(params, cfg.max_grad_norm)
                opt.step()
                if acc.sync_gradients:
                    lr_sched.step()
                opt.zero_grad()
        step += 1
        if ema is not None:
            ema.step(parts["unet"].parameters())
        mean_loss = acc.reduce(loss.detach(), reduction="mean").item() if n > 1 else loss.item()
        if acc.is_main_process:
            log(dict(step=step, loss=mean_loss, lr=lr_sched.get_last_lr()[0], seconds=time.time() - start))
        if step % cfg.checkpoint_every == 0 or step == cfg.max_steps:
            save_checkpoint(acc, cfg, step)
            saved = step
        if cfg.validate_every and step % cfg.validate_every == 0 and acc.is_main_process:
            _validate(_unwrapped(acc, parts, ema), data, cfg, step)
    if step and saved != step:
        save_checkpoint(acc, cfg, step)  # stopped by the clock: keep what was learnt, resumable
    return _unwrapped(acc, parts, ema)


def _anyone(acc, flag: bool) -> bool:
    """Whether any process says `flag` (so all processes stop at the same step when the clock runs out)."""
    if acc.num_processes == 1:
        return flag
    return bool(acc.reduce(torch.tensor([float(flag)], device=acc.device), reduction="sum").item())


def save_checkpoint(acc, cfg, step) -> Path:
    """A resumable checkpoint (weights, optimizer, schedule, EMA, random states) at `checkpoint-<step>`."""
    folder = Path(cfg.output_dir, f"checkpoint-{step}")
    acc.save_state(str(folder))  # every process calls it; the weights are written once, by the main process
    if acc.is_main_process:
        (folder / "trainer.json").write_text(json.dumps(dict(step=step, config=asdict(cfg)), indent=1))
    acc.wait_for_everyone()
    return folder


def _unwrapped(acc, parts, ema):
    """The parts with accelerate's wrappers removed and, if EMA is on, the EMA weights in a copy of the UNet."""
    import copy

    out = dict(parts, unet=acc.unwrap_model(parts["unet"]), text_encoder=acc.unwrap_model(parts["text_encoder"]))
    if ema is not None:
        out["unet"] = copy.deepcopy(out["unet"])
        ema.copy_to(out["unet"].parameters())
    return out


# ---- 4. the demo model: an autoencoder first, then the editor -------------------------------------

def train_vae(vae, data, resolution=64, batch_size=4, steps=400, lr=1e-3, max_seconds=0, log=lambda record: None):
    """Teach a small `AutoencoderKL` to reconstruct `data`'s images (L1 + MSE + a tiny KL term).

    Each step sees `batch_size` pairs (both images of each).
    Sets `scaling_factor` so the scaled latents have unit variance, as diffusion expects. Returns `vae`.
    """
    import time

    opt = torch.optim.AdamW(vae.parameters(), lr=lr)
    cfg = TrainConfig(resolution=resolution, batch_size=batch_size, seed=12345)
    start, step = time.time(), 0
    vae.train()
    while step < steps and not (max_seconds and time.time() - start > max_seconds):
        before, _, after = micro_batch(data, cfg, step)
        x = torch.cat([before, after])
        posterior = vae.encode(x).latent_dist
        recon = vae.decode(posterior.sample()).sample
        loss = F.l1_loss(recon, x) + F.mse_loss(recon, x) + 1e-6 * posterior.kl().mean()
        loss.backward()
        opt.step()
        opt.zero_grad()
        step += 1
        log(dict(stage="vae", step=step, loss=loss.item(), seconds=time.time() - start))
    vae.eval().requires_grad_(False)
    with torch.no_grad():
        z = vae.encode(micro_batch(data, cfg, 10**6)[2]).latent_dist.mode()
    vae.register_to_config(scaling_factor=float(1 / z.std()))
    return vae


def save_pipeline(parts, folder) -> Path:
    """Save the trained parts as a diffusers pipeline folder (safetensors) that `from_pretrained` loads."""
    folder = Path(folder)
    build_pipeline(parts).save_pretrained(folder, safe_serialization=True)
    return folder


# ---- 5. one call for the command line -----------------------------------------------------------

@contextmanager
def step_log(out: Path, log=None):
    """`record(entry)` for a run in `out`: each step's record appended to `out/log.jsonl` and passed to `log` when given."""
    out.mkdir(parents=True, exist_ok=True)
    with (out / "log.jsonl").open("a", encoding="utf-8") as logfile:
        def record(entry):
            logfile.write(json.dumps(entry) + "\n")
            logfile.flush()
            if log is not None:
                log(entry)

        yield record


def run_training(cfg: TrainConfig, pretrained: str = "demo", data: str = "scenes", vae_minutes: float = 0,
                 max_minutes: float = 0, resume=None, log=None) -> Path:
    """Train as `python -m ip2p_nb train` does; returns the folder of the saved pipeline.

    Every step's record goes to `output_dir/log.jsonl` and to `log(record)` when given.
    `vae_minutes` (from scratch only): first train the autoencoder this long.
    """
    torch.manual_seed(cfg.seed)
    dataset = training_data(data, cfg.resolution)
    parts = load_training_components(pretrained, cfg.seed)
    out = Path(cfg.output_dir)
    with step_log(out, log) as record:
        if vae_minutes and not resume and int(os.environ.get("WORLD_SIZE", "1")) > 1:
            raise UserError("Train the autoencoder (--vae-minutes) in one process first, then launch the "
                            "several-process run with --resume latest or without --vae-minutes.")
        if vae_minutes and not resume:
            train_vae(parts["vae"], dataset, cfg.resolution, steps=10**9, max_seconds=60 * vae_minutes, log=record)
            parts["vae"].save_pretrained(out / "vae", safe_serialization=True)  # checkpoints hold only what trains
        elif (out / "vae").is_dir():
            from diffusers import AutoencoderKL
            parts["vae"] = AutoencoderKL.from_pretrained(out / "vae", use_safetensors=True)
        parts = train(cfg, parts, dataset, log=record, max_seconds=60 * max_minutes, resume=resume)
    from accelerate import PartialState

    state = PartialState()  # the one `train` joined
    if state.is_main_process:
        save_pipeline(parts, out / "pipeline")
    state.wait_for_everyone()
    return out / "pipeline"
