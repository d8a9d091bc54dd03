"""`int8_standin()`: what 8 bits buy on this CPU, on a small stand-in for SD 1.5's UNet.

NNCF's quantization of the whole full-size UNet needs more memory than a shared 24 GB machine gives
(docs/BENCHMARK.md, issue 25), so this measures four blocks of SD 1.5's first level at 256 px (two
320-channel 3x3 convolutions, self-attention of 8 heads over 32x32 tokens, a 1280-wide feed-forward;
batch 3; random weights) in torch float32, OpenVINO float32/bfloat16 and the 8-bit recipes of
models/quantize.py, calibrated on 16 random inputs: CPU seconds (median of 5, one thread) and the
signal-to-noise of the output against torch float32.
"""
import time

import numpy as np
import torch

__all__ = ["int8_standin"]


class _Block(torch.nn.Module):
    """One first-level block: a resnet-like pair of convolutions, self-attention and a feed-forward."""

    def __init__(s):
        super().__init__()
        s.c1 = torch.nn.Conv2d(320, 320, 3, padding=1); s.c2 = torch.nn.Conv2d(320, 320, 3, padding=1)
        s.q = torch.nn.Linear(320, 320); s.k = torch.nn.Linear(320, 320); s.v = torch.nn.Linear(320, 320)
        s.o = torch.nn.Linear(320, 320); s.f1 = torch.nn.Linear(320, 1280); s.f2 = torch.nn.Linear(1280, 320)
    def forward(s, x):
        x = x + s.c2(torch.nn.functional.silu(s.c1(x)))
        b, c, h, w = x.shape
        t = x.flatten(2).transpose(1, 2)
        q, k, v = (m(t).view(b, -1, 8, 40).transpose(1, 2) for m in (s.q, s.k, s.v))
        a = torch.nn.functional.scaled_dot_product_attention(q, k, v).transpose(1, 2).reshape(b, -1, c)
        t = t + s.o(a)
        t = t + s.f2(torch.nn.functional.gelu(s.f1(t)))
        return t.transpose(1, 2).reshape(b, c, h, w)

def int8_standin() -> list:
    """Rows {contestant, cpu_s, vs_torch, snr_db} (see the module doc)."""
    import logging  # noqa: PLC0415

    import nncf  # noqa: PLC0415
    import openvino as ov  # noqa: PLC0415

    logging.getLogger("nncf").setLevel(logging.WARNING)
    torch.manual_seed(0)
    m = torch.nn.Sequential(*[_Block() for _ in range(4)]).eval()
    x = torch.randn(3, 320, 32, 32)
    with torch.no_grad():
        graph = ov.convert_model(m, example_input=x, input=[([3, 320, 32, 32], ov.Type.f32)])
    data = nncf.Dataset([torch.randn(3, 320, 32, 32).numpy() for _ in range(16)])
    static = nncf.quantize(graph.clone(), data, subset_size=16, model_type=nncf.ModelType.TRANSFORMER)
    weighted = []
    for op in graph.get_ordered_ops():
        if op.get_type_name() in ("MatMul", "Convolution"):
            src = op.input_value(1).get_node()
            while src.get_type_name() == "Convert": src = src.input_value(0).get_node()
            if src.get_type_name() == "Constant": weighted.append(op.get_friendly_name())
    hyb = nncf.compress_weights(graph.clone(), mode=nncf.CompressWeightsMode.INT8_ASYM)
    hyb = nncf.quantize(hyb, data, subset_size=16, model_type=nncf.ModelType.TRANSFORMER, ignored_scope=nncf.IgnoredScope(names=weighted, validate=False),
                        advanced_parameters=nncf.AdvancedQuantizationParameters(smooth_quant_alpha=-1))
    wo = nncf.compress_weights(graph.clone(), mode=nncf.CompressWeightsMode.INT8_ASYM)
    core = ov.Core()
    def cpu(model, prec, n=5):
        c = core.compile_model(model, "CPU", {"INFERENCE_PRECISION_HINT": prec, "INFERENCE_NUM_THREADS": 1, "PERFORMANCE_HINT": "LATENCY"})
        r = c.create_infer_request(); a = x.numpy(); r.infer([a])
        ts = []
        for _ in range(n):
            t = time.process_time(); r.infer([a]); ts.append(time.process_time() - t)
        return float(np.median(ts)), np.array(r.get_output_tensor(0).data)
    with torch.no_grad():
        ts = []
        for _ in range(5):
            t = time.process_time(); ref = m(x); ts.append(time.process_time() - t)
    tt = float(np.median(ts)); rows = [dict(contestant="torch float32", cpu_s=round(tt, 4), vs_torch=1.0)]
    for name, model, prec in (("ov f32", graph, "f32"), ("ov bf16", graph, "bf16"), ("int8 static, f32 rest", static, "f32"),
                              ("int8 static, bf16 rest", static, "bf16"), ("int8 hybrid, bf16", hyb, "bf16"), ("int8 hybrid, f32", hyb, "f32"),
                              ("int8 weights, bf16", wo, "bf16"), ("int8 weights, f32", wo, "f32")):
        s, out = cpu(model, prec)
        snr = 10 * np.log10((ref.numpy() ** 2).mean() / ((ref.numpy() - out) ** 2).mean())
        rows.append(dict(contestant=name, cpu_s=round(s, 4), vs_torch=round(s / tt, 3), snr_db=round(float(snr), 1)))
    return rows
