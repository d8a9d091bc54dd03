"""Where a pipeline comes from and what runs it: `catalogue` (available_models), `loading` (hub id, local
folder, demo, tiny; device, dtype, samplers), `hub` (first-run downloads), `tiny` (random-weight pipelines),
`runtime` (torch or OpenVINO), `memory` (the memory guard), `speed` and `calibrate` (CPU time estimates)."""
from .catalogue import ModelInfo, available_models

__all__ = ["ModelInfo", "available_models"]
