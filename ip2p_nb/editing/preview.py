"""Cheap previews of an edit in progress: the current estimate of the final picture, in milliseconds.

Decoding a latent with the VAE costs as much as several denoising steps, so a preview uses a
linear map instead: each latent pixel (4 channels) times a 4x3 matrix plus an offset gives one RGB
pixel. The map is fitted once per loaded model from the model's own VAE (`fit_latent_rgb`), so it
works for any checkpoint (Stable Diffusion's, the toy `demo` model, the random `tiny` one) without
copying constants: a few small sample photos are encoded and decoded again, and least squares finds
the map that takes their latents to the decoder's colours, averaged over each latent pixel's block
(8x8 pixels for Stable Diffusion). Fitting to the decoder's output rather than to the photos makes
the last preview of a `demo` edit closer to its result (19.2 dB PSNR instead of 17.6 dB, fitted at
128 px; 19.0 dB at the 64 px used, which costs a quarter). Previews are soft: they show the
picture forming, not its detail.

What is previewed is the predicted clean latent x0 (the scheduler's `pred_original_sample` when its
step returns one, `clean_latent`), not the noisy latent, which would be mostly noise until the last steps.
`Previews` is the denoising loop's preview hook (ip2p_nb/editing/loop.py): when a preview is due
(`Cadence`), it draws x0 through the map and hands the pictures to the caller's `preview` callback.
"""
import time
from dataclasses import dataclass

import torch
from PIL import Image

from ..defaults import PREVIEW
from ..errors import UserError
from .conditioning import upcast_vae

__all__ = ["LatentRGB", "fit_latent_rgb", "estimate_x0", "clean_latent", "preview_size", "Cadence", "check_every", "cadence",
           "Previews"]

_FIT_SIDE = 64  # the fitting photos' longest side: 8x8 latent pixels each for SD, 5 pictures -> 320 samples for 15 numbers


@dataclass
class LatentRGB:
    """RGB in [-1, 1] = latent (channels last) @ weight + bias."""
    weight: torch.Tensor   # (latent channels, 3)
    bias: torch.Tensor     # (3,)

    def __call__(self, latents: torch.Tensor, size: tuple) -> list:
        """One PIL image of `size` (w, h) per latent of the batch (scaled latents, as the UNet sees them)."""
        x = latents.detach().float().cpu().permute(0, 2, 3, 1)          # (n, h, w, c)
        rgb = ((x @ self.weight + self.bias).clamp(-1, 1) + 1) * 127.5  # (n, h, w, 3)
        images = []
        for one in rgb.round().to(torch.uint8).numpy():
            images.append(Image.fromarray(one, "RGB").resize(size, Image.BILINEAR))
        return images


def _fitting_photos(side: int) -> list:
    """The sample photos of assets/ (real colours), plus a few flat colour patches for the extremes."""
    from ..resources import SAMPLES_DIR  # noqa: PLC0415

    photos = []
    for path in sorted(SAMPLES_DIR.glob("*.jpg"))[:4]:
        with Image.open(path) as im:
            photo = im.convert("RGB")
        photo.thumbnail((side, side))
        photos.append(photo.crop((0, 0, photo.width - photo.width % 8, photo.height - photo.height % 8)))
    patches = Image.new("RGB", (side, side // 2))
    colours = [(0, 0, 0), (255, 255, 255), (220, 30, 30), (30, 200, 40), (30, 60, 220), (240, 220, 40), (120, 120, 120), (40, 200, 220)]
    w = side // len(colours)
    for k, colour in enumerate(colours):
        patches.paste(colour, (k * w, 0, (k + 1) * w, side // 2))
    return photos + [patches]


def fit_latent_rgb(pipe) -> LatentRGB:
    """Fit the latent -> RGB map of `pipe`'s VAE on a few small photos (one encoder and one decoder pass each)."""
    vae = pipe.vae
    factor = pipe.vae_scale_factor
    device = vae.device
    xs, ys = [], []
    for photo in _fitting_photos(_FIT_SIDE):
        with torch.no_grad(), upcast_vae(pipe) as dtype:  # SDXL's VAE overflows in float16: float32, as its pipeline does
            pixels = pipe.image_processor.preprocess(photo).to(device=device, dtype=dtype)
            latent = vae.encode(pixels).latent_dist.mode()
            decoded = vae.decode(latent, return_dict=False)[0]
        latent = latent * vae.config.scaling_factor                                 # as the UNet sees it
        colour = torch.nn.functional.avg_pool2d(decoded.float(), factor)           # the colour each latent pixel decodes to
        xs.append(latent.float().permute(0, 2, 3, 1).reshape(-1, latent.shape[1]).cpu())
        ys.append(colour.permute(0, 2, 3, 1).reshape(-1, 3).cpu())
    x, y = torch.cat(xs), torch.cat(ys)
    x1 = torch.cat([x, torch.ones(len(x), 1)], dim=1)
    solution = torch.linalg.lstsq(x1.double(), y.double()).solution.float()        # (c + 1, 3)
    return LatentRGB(solution[:-1], solution[-1])


def estimate_x0(scheduler, model_input: torch.Tensor, noise: torch.Tensor, t) -> torch.Tensor | None:
    """The clean latent implied by the guided noise prediction, for schedulers whose step does not return it.

    `model_input` is `scheduler.scale_model_input(latents, t)`: the latent in variance-preserving
    form for every scheduler (sigma-based ones divide by sqrt(sigma^2 + 1)), so one formula serves
    all: x0 = (x - sqrt(1 - a) e) / sqrt(a), with a = alphas_cumprod at `t` (v-prediction handled too).
    EDM schedulers (CosXL Edit's) have no alphas: their own output preconditioning gives x0 from sigma.
    """
    if "sigma_data" in dict(scheduler.config) and hasattr(scheduler, "precondition_outputs"):
        # EDM schedulers (CosXL): t = 0.25 log(sigma) and model_input = x / sqrt(sigma^2 + sigma_data^2)
        sigma = torch.exp(4 * torch.as_tensor(t, dtype=torch.float32, device=model_input.device))
        x = model_input.float() * (sigma**2 + scheduler.config.sigma_data**2).sqrt()
        return scheduler.precondition_outputs(x, noise.float(), sigma)
    alphas = getattr(scheduler, "alphas_cumprod", None)
    if alphas is None:
        return None
    index = min(max(int(round(float(t))), 0), len(alphas) - 1)
    a = alphas[index].to(device=model_input.device, dtype=torch.float32)
    x, e = model_input.float(), noise.float()
    if scheduler.config.get("prediction_type", "epsilon") == "v_prediction":
        return a.sqrt() * x - (1 - a).sqrt() * e
    return (x - (1 - a).sqrt() * e) / a.sqrt()


def clean_latent(out, scheduler, model_input, noise, t):
    """The predicted clean latent after a step: the scheduler's own where its step returns one, else from the noise."""
    x0 = getattr(out, "pred_original_sample", None)
    if x0 is None:
        x0 = getattr(out, "denoised", None)  # LCM and TCD call it so
    return x0 if x0 is not None else estimate_x0(scheduler, model_input, noise, t)


class Cadence:
    """When a preview is due after a step.

    `every=N`: every N steps, exactly. `every=None` (the default): whenever the previews so far plus
    one more, at the cost of the last one, stay within `budget` (a fraction, 0.03) of the time the
    edit has run. Every step on a CPU, where a step takes seconds and a preview milliseconds; every
    few steps on a fast GPU, where a step takes tens of milliseconds. The first step always previews.
    `clock` is replaceable for tests.
    """

    def __init__(self, every: int | None, budget: float, clock=time.perf_counter):
        self.every, self.budget, self.clock = every, budget, clock
        self.start, self.spent, self.last = clock(), 0.0, 0.0

    def due(self, step: int) -> bool:
        if self.every is not None:
            return step % self.every == 0
        return self.spent + self.last <= self.budget * (self.clock() - self.start)

    def record(self, seconds: float) -> None:
        """The time one preview took (making it and the callback's own work)."""
        self.spent += seconds
        self.last = seconds


def preview_size(size: tuple, longest: int) -> tuple:
    """The preview's (w, h): the edit's own size, shrunk so the longest side is at most `longest`."""
    w, h = size
    scale = min(1.0, longest / max(w, h))
    return max(1, round(w * scale)), max(1, round(h * scale))


def check_every(preview_every) -> None:
    """Refuse, in one sentence, a `preview_every` that is not a whole number of steps (None: the time budget)."""
    if preview_every is not None and (isinstance(preview_every, bool) or not isinstance(preview_every, int) or preview_every < 1):
        raise UserError(f"`preview_every` must be a whole number of steps, 1 or more, but got {preview_every!r}.")


def cadence(preview_every=None) -> Cadence:
    """Every `preview_every` steps, or (None) as often as costs at most `PREVIEW["budget"]` of the time (defaults.py)."""
    return Cadence(preview_every, PREVIEW["budget"])


class Previews:
    """The loop's preview hook: `show(step, total, images)` with one picture per seed when a preview is due.

    `to_rgb(latents, size)` draws latents (the fitted `LatentRGB`); `size` is the edit's (w, h), previews
    are at most `PREVIEW["longest"]` a side. The time a preview takes, `show` included, counts against the budget.
    """

    def __init__(self, show, every, to_rgb, size):
        self.show, self.cadence, self.to_rgb = show, cadence(every), to_rgb
        self.size = preview_size(size, PREVIEW["longest"])

    def __call__(self, step, total, x0):
        if not self.cadence.due(step):
            return
        start = time.perf_counter()
        latent = x0()
        if latent is not None:
            self.show(step, total, self.to_rgb(latent, self.size))
        self.cadence.record(time.perf_counter() - start)
