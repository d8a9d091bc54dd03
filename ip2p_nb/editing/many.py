"""`Editor.edit_many`: many items, one result each, in order; a failed item never stops the rest.

Consecutive items that differ only in seed are denoised together, up to `seed_batch` seeds in one
UNet batch (`Editor.generate`); a group that runs out of memory is redone one seed at a time. Only the
editor's public seams are used: `busy`, `check_settings`, `prompt_for`, `prepare`, `generate`.
"""
import os
import time

from ..defaults import BATCH_DEFAULTS, DEFAULTS
from ..errors import UserError
from .decoding import OutOfMemory
from .loop import EditStopped, random_seed
from .results import EditResult, ItemResult

__all__ = ["ITEM_KEYS", "edit_many"]

ITEM_KEYS = ("image", "instruction", "english", "seed", "image_guidance", "text_guidance", "steps", "max_size")


def _same_but_seed(a: dict, b: dict) -> bool:
    """Whether two items can share one UNet batch: everything equal except the seed."""
    same_image = a.get("image") is b.get("image") or (
        isinstance(a.get("image"), (str, os.PathLike)) and isinstance(b.get("image"), (str, os.PathLike))
        and os.fspath(a["image"]) == os.fspath(b["image"]))
    return same_image and all(a.get(k) == b.get(k) for k in ITEM_KEYS if k not in ("seed", "image"))


def edit_many(editor, items, seed_batch=None, progress=None):
    """Yield one `ItemResult` per item of `items` (see `Editor.edit_many`), grouping seeds into batches."""
    seed_batch = BATCH_DEFAULTS["seed_batch"] if seed_batch is None else seed_batch
    group = []
    for item in items:
        item = dict(item)
        unknown = set(item) - set(ITEM_KEYS)
        if unknown:
            raise UserError(f"Unknown item keys {sorted(unknown)}; an item may have {list(ITEM_KEYS)}.")
        if item.get("seed") is None:
            item["seed"] = random_seed()
        if group and (len(group) >= max(1, seed_batch) or not _same_but_seed(group[0], item)):
            yield from _edit_group(editor, group, progress)
            group = []
        group.append(item)
    if group:
        yield from _edit_group(editor, group, progress)


def _edit_group(editor, group, progress):
    """Yield the results of items that differ only in seed; on out-of-memory, redo them one at a time."""
    results = _run_group(editor, group, progress)
    if results is None:  # out of memory with several seeds: memory was freed, try one seed at a time
        for item in group:
            yield from _edit_group(editor, [item], progress)
    else:
        yield from results


def _run_group(editor, group, progress):
    """The `ItemResult`s of one group, or None when several seeds together ran out of memory."""
    first = group[0]
    with editor.busy():
        start = time.perf_counter()
        notes = []
        try:
            s = editor.check_settings(**{k: first.get(k, editor.default_steps if k == "steps" else DEFAULTS[k])
                                              for k in ("image_guidance", "text_guidance", "steps")},
                                      max_size=first.get("max_size"))
            for item in group:
                editor.check_settings(seed=item["seed"])
            prompt, backend = editor.prompt_for(first.get("instruction"), first.get("english"), notes)
            original = editor.prepare(first["image"], s["max_size"], notes)
            images = editor.generate(original, prompt, [item["seed"] for item in group], s["image_guidance"],
                                     s["text_guidance"], s["steps"], progress, notes, max_size=s["max_size"])
        except OutOfMemory as e:
            return None if len(group) > 1 else [ItemResult(first, None, str(e))]
        except EditStopped:
            raise
        except UserError as e:
            return [ItemResult(item, None, str(e), len(group)) for item in group]
        except Exception as e:  # noqa: BLE001  (a bug must not lose the rest of a long batch; it is reported)
            return [ItemResult(item, None, f"Unexpected {type(e).__name__} ({e}); this is a bug, please report it.")
                    for item in group]
        seconds = (time.perf_counter() - start) / len(group)
    return [ItemResult(item, EditResult(image, original, first.get("instruction"), prompt, item["seed"], s["image_guidance"],
                                        s["text_guidance"], s["steps"], s["max_size"], editor.model_name, seconds, backend,
                                        list(notes), editor.sampler, cache_interval=editor.default_cache_interval,
                                        runtime=editor.runtime), None, len(group))
            for item, image in zip(group, images)]
