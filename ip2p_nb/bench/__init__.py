"""Measuring speed: `python -m ip2p_nb bench`, apart from the library it measures.

`run.py` times the editor against the plain diffusers pipeline (interleaved, medians, CPU seconds),
per-part timings and dtype agreement; `fullsize.py` builds Stable Diffusion 1.5 InstructPix2Pix's
exact architecture with random weights (the real model's speed and memory, offline);
`measure.py` holds the timers and the peak-memory probe.
"""
from ..defaults import BENCH_DEFAULTS
from .run import component_times, dtype_agreement, preview_overhead, run_bench, table

__all__ = ["run_bench", "component_times", "dtype_agreement", "preview_overhead", "table", "BENCH_DEFAULTS"]
