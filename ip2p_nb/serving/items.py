"""The items of a batch: a folder (recursive, image files only), a glob or a CSV/JSONL manifest turned into
`BatchItem`s, each with the output path that mirrors the input tree (inside the output folder: paths.py) and a
seed that depends only on `--seed` and the photo's path. A bad manifest row becomes an item that fails with
one sentence naming its line. batch.py runs them."""
import csv
import glob
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from ..defaults import BATCH_DEFAULTS, DEFAULTS
from ..errors import SettingError, UserError
from .paths import check_output_cell, plain_relative

__all__ = ["BatchItem", "collect_items", "item_seed", "IMAGE_SUFFIXES"]

# What a folder or glob picks up: the formats `load_image` reads; anything else in the folder is ignored.
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".bmp", ".gif", ".tif", ".tiff")
_NUMBERS = {"seed": int, "steps": int, "max_size": int, "image_guidance": float, "text_guidance": float}
_COLUMNS = {"image", "instruction", "english", "output", "mask", "region", *_NUMBERS}


@dataclass
class BatchItem:
    index: int                  # position in the batch (0-based): the order of the log and of the split
    name: str                   # the input's path relative to the input root (or as written in the manifest)
    source: str                 # the path the picture is read from
    output: str                 # the output's path relative to the output folder (always .png)
    instruction: str | None
    english: str | None = None
    seed: int | None = None
    image_guidance: float = DEFAULTS["image_guidance"]
    text_guidance: float = DEFAULTS["text_guidance"]
    steps: int = DEFAULTS["steps"]
    max_size: int | None = None  # None: the model's own size
    error: str | None = None     # a bad manifest row: why it cannot run
    where: str | None = None     # a manifest row: 'line 3 of photos.csv' (for the sentences that name it)

    def edit_args(self) -> dict:
        """The item as `Editor.edit_many` takes it."""
        return dict(image=self.source, instruction=self.instruction, english=self.english, seed=self.seed,
                    image_guidance=self.image_guidance, text_guidance=self.text_guidance, steps=self.steps,
                    max_size=self.max_size)

    def group_key(self) -> tuple:
        """Items with equal keys differ only in seed and may share one UNet batch."""
        return (self.source, self.instruction, self.english, self.image_guidance, self.text_guidance, self.steps, self.max_size)


def item_seed(base: int, name: str, variant: int = 0) -> int:
    """The seed of a photo when the row gives none: a hash of `base` (`--seed`), its path and variant number."""
    digest = hashlib.sha256(f"{base}/{name}/{variant}".encode()).digest()
    return int.from_bytes(digest[:4], "big")


# ---- 1. collecting the items --------------------------------------------------------------------------
def collect_items(source, instruction=None, *, english=None, seed=None, same_seed=False, variants=1, out_dir=None,
                  image_guidance=DEFAULTS["image_guidance"], text_guidance=DEFAULTS["text_guidance"],
                  steps=DEFAULTS["steps"], max_size=None) -> list[BatchItem]:
    """The items of a folder, glob, single picture or CSV/JSONL manifest (see the module docstring).

    Values given here are the defaults for every item; a manifest row overrides them. `seed`: the base of
    each photo's derived seed, or with `same_seed` the seed of every photo (video frames). `variants`:
    that many outputs per photo with different seeds (`NAME_v1.png`...). Files under `out_dir` are left out.
    """
    if variants < 1:
        raise SettingError(f"`variants` must be at least 1, but got {variants}.")
    if same_seed and variants > 1:
        raise SettingError("`--same-seed` gives every photo the same seed, so `--variants` above 1 would repeat one picture; use one of them.")
    base = BATCH_DEFAULTS["seed"] if seed is None else seed
    common = dict(english=english, image_guidance=image_guidance, text_guidance=text_guidance, steps=steps, max_size=max_size)
    text = os.fspath(source)
    if Path(text).is_file() and Path(text).suffix.lower() in (".csv", ".jsonl"):
        rows = _manifest_rows(Path(text))
        root = Path(text).parent
    else:
        if instruction is None and english is None:
            raise UserError("Give the instruction after the input (or use a manifest with an `instruction` column).")
        root, paths = _find_images(text, out_dir)
        rows = [(None, {"image": str(p.relative_to(root))}, None) for p in paths]
    items, taken = [], set()
    for where, row, problem in rows:
        for variant in range(variants):
            item = _item(len(items), root, where, row, problem, instruction, common, variant, variants, taken)
            if item.error is None and item.seed is None:
                item.seed = base if same_seed else item_seed(base, item.name, variant)
            items.append(item)
    return items


def _find_images(text: str, out_dir) -> tuple[Path, list[Path]]:
    """(root, sorted image files) of a folder (recursive), a glob or one picture."""
    skip = Path(out_dir).resolve() if out_dir is not None else None
    if any(c in text for c in "*?["):
        parts = Path(text).parts
        fixed = [p for p in parts[:next(i for i, p in enumerate(parts) if any(c in p for c in "*?["))]]
        root = Path(*fixed) if fixed else Path(".")
        found = [Path(p) for p in glob.glob(text, recursive=True)]
    elif Path(text).is_dir():
        root = Path(text)
        found = [p for p in root.rglob("*") if not any(part.startswith(".") for part in p.relative_to(root).parts)]
    elif Path(text).is_file():
        root, found = Path(text).parent, [Path(text)]
    else:
        raise UserError(f"There is no folder, picture or manifest at {text!r}; give a folder, a glob such as "
                        "'photos/*.jpg', or a .csv/.jsonl manifest.")
    images = sorted(p for p in found if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES
                    and not (skip and (skip == p.resolve().parent or skip in p.resolve().parents)))
    if not images:
        raise UserError(f"No pictures found in {text!r} (looked for {', '.join(IMAGE_SUFFIXES)}); check the path.")
    return root, images


def _manifest_rows(path: Path) -> list[tuple[str, dict, str | None]]:
    """(where, row, problem) for each row: where = 'row 3 of photos.csv'; problem = why the row is unreadable."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        raise UserError(f"Cannot read the manifest {str(path)!r} ({e}); save it as UTF-8 text.") from None
    rows = []
    if path.suffix.lower() == ".csv":
        reader = csv.DictReader(text.splitlines())
        if not reader.fieldnames or "image" not in [f.strip() for f in reader.fieldnames]:
            raise UserError(f"The manifest {path.name!r} has no `image` column; its first line must name the columns, "
                            "for example: image,instruction,seed")
        for n, row in enumerate(reader, start=2):  # line 1 is the header
            clean = {(k or "").strip(): (v or "").strip() for k, v in row.items() if k is not None}
            extra = row.get(None)
            rows.append((f"line {n} of {path.name}", clean, f"it has more cells than columns ({extra!r})" if extra else None))
    else:
        for n, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                problem = None if isinstance(row, dict) else "it is not a JSON object"
            except ValueError as e:
                row, problem = {}, f"it is not valid JSON ({e.msg})"
            rows.append((f"line {n} of {path.name}", row if isinstance(row, dict) else {}, problem))
    if not rows:
        raise UserError(f"The manifest {path.name!r} has no rows; add one line per picture.")
    return rows


def _item(index, root, where, row, problem, instruction, common, variant, variants, taken) -> BatchItem:
    """One item from a row; a row that cannot run becomes an item with `error` set."""
    name = str(row.get("image") or "")
    item = BatchItem(index, name or f"({where})", str(root / name) if name else "", "", instruction, **common)
    item.where = where
    given = row.get("output") if where else None
    try:
        if problem:
            raise UserError(f"{where.capitalize()} was skipped: {problem}.")
        if where is not None:
            _apply_row(item, row, where)
            check_output_cell(given, where)
    except UserError as e:
        item.error = str(e)
        given = given if given and plain_relative(given) else None
    item.output = _output_name(item, given, variant, variants, taken)
    return item


def _apply_row(item: BatchItem, row: dict, where: str) -> None:
    unknown = sorted(set(row) - _COLUMNS)
    if unknown:
        raise UserError(f"{where.capitalize()} has unknown columns {unknown}; the columns are {sorted(_COLUMNS)}.")
    if not item.source:
        raise UserError(f"{where.capitalize()} has no `image`; every row needs the picture's path.")
    if any(row.get(k) not in (None, "") for k in ("mask", "region")):
        raise UserError(f"{where.capitalize()} asks for a mask or region, which batch runs do not support yet; "
                        "edit that photo with `edit` or remove the value.")
    for key in ("instruction", "english"):
        if row.get(key) not in (None, ""):
            setattr(item, key, str(row[key]))
    for key, kind in _NUMBERS.items():
        value = row.get(key)
        if value in (None, ""):
            continue
        try:
            number = kind(value) if isinstance(value, str) or kind is float else value
        except (TypeError, ValueError):
            raise SettingError(f"{where.capitalize()}: `{key}` must be a number, but got {value!r}.") from None
        try:
            checked = _check(key, number)
        except SettingError as e:
            raise SettingError(f"{where.capitalize()}: {e}") from None
        setattr(item, key, checked)
    if item.instruction is None and item.english is None:
        raise UserError(f"{where.capitalize()} has no instruction, and none was given on the command line.")


def _check(key, value):
    from ..defaults import check_settings  # noqa: PLC0415

    ranges = {"max_size": (64, 1024)}  # the demo model's range; the editor checks the model's own
    return check_settings(ranges, **{key: value})[key]


def _output_name(item, given, variant, variants, taken) -> str:
    """The output path relative to the output folder: the input's path with .png, unique in the batch."""
    if given:
        base = Path(str(given).replace("\\", "/"))
    else:  # mirrors the input's path; an absolute or '..' input path loses those parts (outputs stay inside)
        parts = Path(item.name).parts if item.source else (f"row-{item.index + 1}",)
        kept = [p for p in parts if p not in ("..", ".") and p != Path(item.name).anchor]
        base = Path(*kept) if kept else Path(f"row-{item.index + 1}")
    stem = base.with_suffix("").as_posix()
    candidate = f"{stem}_v{variant + 1}.png" if variants > 1 else f"{stem}.png"
    n = 2
    while candidate.lower() in taken:  # a.jpg and a.png, or a photo listed twice in a manifest
        candidate = f"{stem}-{n}.png" if variants == 1 else f"{stem}_v{variant + 1}-{n}.png"
        n += 1
    taken.add(candidate.lower())
    return candidate
