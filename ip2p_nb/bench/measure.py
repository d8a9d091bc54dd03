"""Timers and a peak-memory probe for the benchmarks (CPU seconds, wall seconds, RSS or CUDA peak)."""
import json
import os
import resource
import subprocess
import sys
import threading
import time

import torch

__all__ = ["PeakMemory", "timed", "run_child"]


def _rss_bytes() -> int | None:
    """The process's resident memory now (psutil if installed, else /proc on Linux), or None."""
    try:
        import psutil  # noqa: PLC0415

        return psutil.Process().memory_info().rss
    except ImportError:
        pass
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return None


def _max_rss_bytes() -> int:
    """The process's peak resident memory since it started (getrusage: KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


class PeakMemory:
    """`with PeakMemory(device) as m: ...`; then `m.bytes` is the peak during the block and `m.kind` says what.

    On CUDA: the most GPU memory PyTorch allocated. On a CPU: the process's resident memory
    (RSS), sampled every 10 ms by a thread (falling back to the since-start peak of getrusage).
    """

    def __init__(self, device):
        self.device = torch.device(device)
        self.bytes, self.kind = 0, "rss"

    def __enter__(self):
        if self.device.type == "cuda":
            torch.cuda.synchronize(self.device)
            torch.cuda.reset_peak_memory_stats(self.device)
            self.kind = "cuda_max_allocated"
            return self
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self):
        while True:
            now = _rss_bytes()
            if now is None:
                self.kind = "rss_peak_since_start"
                return
            self.bytes = max(self.bytes, now)
            if self._stop.wait(0.01):
                return

    def __exit__(self, *exc):
        if self.device.type == "cuda":
            torch.cuda.synchronize(self.device)
            self.bytes = torch.cuda.max_memory_allocated(self.device)
            return False
        self._stop.set()
        self._thread.join()
        if self.kind == "rss_peak_since_start":
            self.bytes = _max_rss_bytes()
        else:
            self.bytes = max(self.bytes, _rss_bytes() or 0)
        return False


def timed(fn, *args, **kwargs):
    """(wall seconds, CPU seconds of this process, result) of one call, synchronising CUDA so GPU work is counted.

    On a shared CPU the wall time swings with the neighbours' load; the CPU time of a run with
    one thread (`OMP_NUM_THREADS=1`) barely does, so ratios of CPU times are the steadier evidence.
    """
    if torch.cuda.is_available():
        torch.cuda.synchronize()
    start, cpu = time.perf_counter(), time.process_time()
    result = fn(*args, **kwargs)
    if torch.cuda.is_available():
        torch.cuda.synchronize()
    return time.perf_counter() - start, time.process_time() - cpu, result


def run_child(module: str, args: list, env: dict, log) -> dict:
    """`python -m module args...` in a fresh process (one contestant of a bench); its last stdout line, as JSON."""
    out = subprocess.run([sys.executable, "-m", module, *map(str, args)], capture_output=True, text=True, env=env)
    if out.returncode != 0:
        tail = (out.stderr.strip().splitlines() or ["no output"])[-1]
        raise RuntimeError(f"bench child {args} failed: {tail}")
    row = json.loads(out.stdout.strip().splitlines()[-1])
    log(f"  {row}")
    return row
