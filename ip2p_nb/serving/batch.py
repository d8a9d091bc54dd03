"""Many photos: batch editing that resumes, never stops at one bad item, and splits across processes.

1. `collect_items(source, instruction, ...)` (items.py) turns a folder (recursive, image files only), a glob
   or a manifest (CSV or JSONL: `image`, `instruction`, and optional `english`, `seed`,
   `image_guidance`, `text_guidance`, `steps`, `max_size`, `output` per row) into `BatchItem`s,
   each with the output path that mirrors the input tree and a seed that depends only on
   `--seed` (default 0) and the photo's path, so a rerun or any number of processes gives the
   same pictures. A bad manifest row becomes an item that fails with one sentence.
   Inputs may be read from anywhere the user can read; outputs stay inside the output folder: an
   `output` cell that is absolute, climbs out with `..`, or leads out through a symbolic link is
   refused in one sentence naming its line, and the other rows go on (paths.py).
2. `BatchRun(editor, items, out_dir)` is iterated for one log record (a dict) per item. Items whose
   output exists with matching settings (stored in the PNG) are skipped unless `force`; the rest
   go through `Editor.edit_many`, which denoises items that differ only in seed as one UNet batch.
   Outputs are written atomically: a killed run loses at most the items in progress.
3. Under `accelerate launch` every process plans the same list, then takes its share of the
   pending work with accelerate's `split_between_processes`, writes its own log part, and the
   main process merges the parts into `batch-log.jsonl` after `wait_for_everyone`. Parts left by
   a killed run (any number of processes) are merged by the next run.
This module returns data and never prints; `cli/editing.py` draws the progress bar.
"""
import glob
import json
import os
import time
from pathlib import Path

from ..defaults import BATCH_DEFAULTS
from ..errors import UserError
from ..outputs.files import atomic_write
from ..outputs.metadata import png_info
from .items import IMAGE_SUFFIXES, BatchItem, collect_items, item_seed
from .paths import inside_folder

__all__ = ["BatchItem", "BatchRun", "collect_items", "item_seed", "read_log", "merge_logs", "LogParts", "process_state",
           "several_cpu_processes", "IMAGE_SUFFIXES"]

_PNG_KEY = "ip2p_batch"  # PNG text chunk holding the settings an output was made with (for resuming)


# ---- 2. running ---------------------------------------------------------------------------------------
def process_state():
    """accelerate's `PartialState` for this process (one process when not launched by `accelerate launch`).

    On a machine without a GPU, `accelerate launch --multi_gpu --num_processes N` starts N processes
    (torchrun) but accelerate only joins them (gloo) when told `cpu=True`; without it each process
    would think it is alone and do the whole batch.
    """
    from accelerate import PartialState  # noqa: PLC0415

    return PartialState(cpu=several_cpu_processes())


def several_cpu_processes() -> bool:
    """Whether accelerate must be told `cpu=True`: `accelerate launch --cpu`, or several processes
    (`WORLD_SIZE` > 1, torchrun) on a machine without CUDA."""
    import torch  # noqa: PLC0415

    if os.environ.get("ACCELERATE_USE_CPU", "").lower() in ("1", "true", "yes"):
        return True
    return int(os.environ.get("WORLD_SIZE", "1")) > 1 and not torch.cuda.is_available()


# ---- 2b. the run -------------------------------------------------------------------------------------
class BatchRun:
    """Iterate for one log record per item of this process's share (see the module docstring).

    `state`: an accelerate `PartialState` (made here when None; one process when not launched by
    accelerate). After iterating, `counts` holds done/skipped/failed for the whole batch on the main
    process (all processes' parts merged) and for this process's share elsewhere; `log_path` is the merged log.
    """

    def __init__(self, editor, items, out_dir, *, force=False, seed_batch=BATCH_DEFAULTS["seed_batch"], state=None):
        self.editor, self.out_dir, self.force, self.seed_batch = editor, Path(out_dir), force, seed_batch
        self.state = state or process_state()
        self.items = list(items)
        for item in self.items:
            if item.error is None and item.max_size is None:
                item.max_size = editor.default_max_size
        self.log_path = self.out_dir / BATCH_DEFAULTS["log_name"]
        self.log = LogParts(self.log_path, self.state)
        # 1. Plan: every process reads the same outputs before any process writes one; an output that a
        #    symbolic link inside the folder leads outside it is refused before anything there is read or removed
        self.out_dir.mkdir(parents=True, exist_ok=True)
        for item in self.items:
            if item.error is None and not inside_folder(self.out_dir, item.output):
                where = item.where.capitalize() if item.where else f"The output of {item.name!r}"
                item.error = (f"{where} was skipped: its output {item.output!r} leads outside the output folder "
                              f"{str(self.out_dir)!r} through a symbolic link; write it to a folder inside it.")
        self.bad = [item for item in self.items if item.error is not None]
        ready = [item for item in self.items if item.error is None]
        self.skipped = [] if force else [item for item in ready if self._finished(item)]
        pending = [item for item in ready if force or item not in self.skipped]
        self.state.wait_for_everyone()
        # 2. Split whole seed groups (never one group across processes) with accelerate's own splitting
        with self.state.split_between_processes(self._groups(pending)) as mine:
            self.mine = [item for group in mine for item in group]
        # main process: the work share plus the records it writes without work (skipped, bad rows)
        self.total = len(self.mine) + (len(self.bad) + len(self.skipped) if self.state.is_main_process else 0)

    @property
    def counts(self) -> dict:
        return self.log.counts

    def __iter__(self):
        with self.log:
            emit = self.log.emit
            if self.state.is_main_process:
                for item in self.bad:
                    yield emit(self._record(item, "failed", error=item.error))
                for item in self.skipped:
                    yield emit(self._record(item, "skipped"))
            for item in self.mine:
                self._remove_leftovers(item)
            results = self.editor.edit_many((item.edit_args() for item in self.mine), seed_batch=self.seed_batch)
            for item, r in zip(self.mine, results):  # one result per item, in order
                if r.ok:
                    try:
                        self._save(item, r.result)
                    except UserError as e:
                        yield emit(self._record(item, "failed", result=r.result, error=str(e)))
                        continue
                    yield emit(self._record(item, "done", result=r.result, batched=r.batched))
                else:
                    yield emit(self._record(item, "failed", error=r.error))
        # 3. Everyone finished: the main process merges all parts (also those of a killed earlier run)
        self.log.finish()

    # ---- helpers
    def _groups(self, items) -> list[list[BatchItem]]:
        """Consecutive items that differ only in seed, at most `seed_batch` per group (as `edit_many` batches them)."""
        groups = []
        for item in items:
            if groups and len(groups[-1]) < max(1, self.seed_batch) and groups[-1][0].group_key() == item.group_key():
                groups[-1].append(item)
            else:
                groups.append([item])
        return groups

    def _stamp(self, item: BatchItem) -> dict:
        """What an output must have been made with to count as finished."""
        keys = ("name", "instruction", "english", "seed", "image_guidance", "text_guidance", "steps", "max_size")
        return dict({k: getattr(item, k) for k in keys}, model=self.editor.model_name)

    def _finished(self, item: BatchItem) -> bool:
        from PIL import Image  # noqa: PLC0415

        path = self.out_dir / item.output
        if not path.is_file():
            return False
        try:
            with Image.open(path) as image:
                stored = image.info.get(_PNG_KEY)
        except (OSError, ValueError):
            return False  # unreadable: make it again
        try:
            return json.loads(stored) == self._stamp(item)
        except (TypeError, ValueError):
            return False

    def _remove_leftovers(self, item: BatchItem) -> None:
        """Temporary files of this output left by a killed run (never the output itself)."""
        path = self.out_dir / item.output
        for leftover in path.parent.glob(f".{glob.escape(path.name)}.*.tmp"):
            leftover.unlink(missing_ok=True)

    def _save(self, item: BatchItem, result) -> Path:
        path = self.out_dir / item.output
        if not inside_folder(self.out_dir, item.output):  # a link made while the batch ran
            raise UserError(f"The output {item.output!r} leads outside the output folder {str(self.out_dir)!r} through a "
                            "symbolic link; it was not written.")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise UserError(f"Could not create the folder {str(path.parent)!r} ({e.strerror}); choose another output folder.") from None
        info = png_info(result)
        info.add_itxt(_PNG_KEY, json.dumps(self._stamp(item), ensure_ascii=False), lang="", tkey="")
        return atomic_write(path, lambda tmp: result.image.save(tmp, format="PNG", pnginfo=info))

    def _record(self, item, status, result=None, error=None, batched=None) -> dict:
        record = dict(index=item.index, input=item.name, output=item.output if status != "failed" else None,
                      seed=item.seed, instruction=item.instruction, prompt=None, backend=None, seconds=None,
                      status=status, error=error, process=self.state.process_index, time=time.strftime("%Y-%m-%dT%H:%M:%S"))
        if result is not None:
            record.update(prompt=result.prompt, backend=result.backend, seconds=round(result.seconds, 3), notes=result.warnings)
        if batched:
            record["batched"] = batched
        return record


def read_log(path) -> list[dict]:
    """The records of a JSONL log; a line cut short by a killed process is left out."""
    records = []
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return records
    for line in lines:
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict):
            records.append(record)
    return records


class LogParts:
    """This process's part of a JSONL log (`NAME.part-K.jsonl` beside it) and its counts by status. `emit(record)` inside
    `with`; `finish()` gathers every process's counts and, on the main process, merges all parts into the log."""

    def __init__(self, log_path, state, statuses=("done", "skipped", "failed")):
        self.log_path, self.state = Path(log_path), state
        self.part_path = self.log_path.parent / f"{self.log_path.stem}.part-{state.process_index}.jsonl"
        self.counts = dict.fromkeys(statuses, 0)    # this process's, then (main process, after finish) everyone's
        self._file = None

    def __enter__(self):
        self._file = self.part_path.open("a", encoding="utf-8")
        return self

    def __exit__(self, *_exc):
        self._file.close()

    def emit(self, record: dict) -> dict:
        self._file.write(json.dumps(record, ensure_ascii=False) + "\n")
        self._file.flush()
        self.counts[record["status"]] += 1
        return record

    def finish(self) -> dict:
        from accelerate.utils import gather_object  # noqa: PLC0415

        everyone = gather_object([self.counts]) if self.state.num_processes > 1 else [self.counts]
        if self.state.is_main_process:
            merge_logs(self.log_path)
            self.counts = {k: sum(c[k] for c in everyone) for k in self.counts}
        self.state.wait_for_everyone()
        return self.counts


def merge_logs(log_path: Path) -> None:
    """Append every part's records (in time order) to the merged log, written atomically; then delete the parts."""
    parts = sorted(log_path.parent.glob(f"{log_path.stem}.part-*.jsonl"))
    new = [record for part in parts for record in read_log(part)]
    new.sort(key=lambda r: (r.get("time", ""), r.get("index", 0)))
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in read_log(log_path) + new)
    atomic_write(log_path, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
    for part in parts:
        part.unlink(missing_ok=True)
