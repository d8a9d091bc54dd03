"""`python -m ip2p_nb bench --int8-quality`: what the 8-bit UNet recipes do to the demo model's pictures.

The demo model goes to OpenVINO (runtime.py), then each recipe of models/quantize.py is made from
UNet calls recorded while the float OpenVINO model edits training-set scenes (scenes.make_pairs from
seed 0: never the held-out ones scored here) and the sample photos, about 300 calls. Every contestant
edits the held-out scenes (train/quality.py, seed i for scene i) with the given sampler and steps; a
row is the mean PSNR to the true edit, the follow rate, and the mean PSNR to torch float32's picture.
"""
import numpy as np
import torch

__all__ = ["calibration_calls", "int8_quality"]


def _psnr(a, b) -> float:
    mse = ((np.asarray(a, np.float64) - np.asarray(b, np.float64)) ** 2).mean()
    return 99.0 if mse == 0 else float(10 * np.log10(255.0**2 / mse))


def calibration_calls(editor, scenes: int = 24, steps: int = 10, limit: int = 300) -> list:
    """Whole-UNet inputs recorded from `editor`'s edits of training scenes and the sample photos."""
    from PIL import Image  # noqa: PLC0415

    from ..models.quantize import CALIBRATION_INSTRUCTIONS, record_calls  # noqa: PLC0415
    from ..resources import SAMPLES_DIR  # noqa: PLC0415
    from ..train.scenes import make_pairs  # noqa: PLC0415

    size = editor.default_max_size
    with record_calls(editor.pipe.unet, limit) as calls:
        for i, p in enumerate(make_pairs(0, scenes, size)):
            editor.edit(p.before, p.instruction, english=p.instruction, seed=i, steps=steps, max_size=size, cache_interval=1)
        for i, path in enumerate(sorted(SAMPLES_DIR.glob("*.jpg"))):
            photo = Image.open(path).convert("RGB")
            side = min(photo.size)
            photo = photo.crop((0, 0, side, side))   # square: the traced graph wants sides the UNet can halve evenly
            for j, text in enumerate(CALIBRATION_INSTRUCTIONS):
                if len(calls) >= limit:
                    break
                editor.edit(photo, text, english=text, seed=10 * i + j, steps=steps, max_size=size, cache_interval=1)
    return calls


def int8_quality(recipes=("int8", "int8-hybrid", "int8-weights"), per_kind: int = 8, steps: int = 20, sampler: str = "Euler a",
                 cache_interval: int = 1, float_openvino: bool = True, log=lambda _m: None) -> dict:
    """Rows {contestant, psnr_to_truth, followed, psnr_to_torch} on the demo model's held-out scenes."""
    from ..editing.editor import Editor  # noqa: PLC0415
    from ..models.loading import load_pipeline  # noqa: PLC0415
    from ..models.quantize import quantize_ir  # noqa: PLC0415
    from ..models.runtime import use_openvino  # noqa: PLC0415
    from ..train.quality import held_out_pairs, score  # noqa: PLC0415

    pairs = held_out_pairs(per_kind)

    def run(ed):
        ed.use_scheduler(sampler)
        return [ed.edit(p.before, p.instruction, english=p.instruction, seed=i, steps=steps, max_size=64,
                        cache_interval=cache_interval).image for i, p in enumerate(pairs)]

    torch_images = run(Editor(load_pipeline("demo", torch.device("cpu"), torch.float32), model_name="demo"))
    pipe = load_pipeline("demo", torch.device("cpu"), torch.float32)
    use_openvino(pipe)
    editor = Editor(pipe, model_name="demo")
    calls = calibration_calls(editor)
    rows = []
    for name in ("torch", *(["openvino"] if float_openvino else []), *recipes):
        if name not in ("torch", "openvino"):
            path, _ = quantize_ir(pipe.unet.folder, name, calls, label=f"demo-scenes-{len(calls)}")
            pipe.unet.use_whole_graph(path, name)
        images = torch_images if name == "torch" else run(editor)
        scored = score(pairs, images)["all"]
        rows.append(dict(contestant=name, psnr_to_truth=round(float(np.mean([_psnr(o, p.after) for o, p in zip(images, pairs)])), 2),
                         followed=round(scored["followed"], 3),
                         psnr_to_torch=round(float(np.mean([_psnr(a, b) for a, b in zip(images, torch_images)])), 2)))
        log(f"  {rows[-1]}")
    return dict(model="demo", pairs=len(pairs), steps=steps, sampler=sampler, cache_interval=cache_interval,
                calibration_calls=len(calls), rows=rows)
