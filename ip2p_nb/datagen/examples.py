"""The human-written examples: captions with an edit instruction and the edited caption, in English and Chinese.

InstructPix2Pix fine-tuned GPT-3 on 700 human-written (caption, instruction, edited caption)
triples. `examples.jsonl`, next to this file, is our smaller set, written by hand: everyday photo
captions (people, animals, food, streets, landscapes, rooms, art) with varied edits, and captions of
the toy scenes of `ip2p_nb/train/scenes.py` with the edits those scenes can draw. Each row also has
the three texts in Chinese. The language-model writer takes its few-shot examples from here.
"""
import json
from dataclasses import dataclass
from pathlib import Path

from ..errors import UserError

__all__ = ["HumanExample", "human_examples", "EXAMPLES_FILE"]

EXAMPLES_FILE = Path(__file__).with_name("examples.jsonl")
FIELDS = ("caption", "instruction", "edited_caption", "caption_zh", "instruction_zh", "edited_caption_zh")


@dataclass(frozen=True)
class HumanExample:
    """One hand-written example (a row of examples.jsonl)."""
    caption: str            # an English photo caption
    instruction: str        # an edit instruction, short and imperative ("make it snowy")
    edited_caption: str     # the caption of the edited photo
    caption_zh: str         # the same three in Chinese
    instruction_zh: str
    edited_caption_zh: str


def human_examples(path=None) -> list[HumanExample]:
    """The examples of `path` (default: the package's examples.jsonl), in file order."""
    path = Path(path) if path is not None else EXAMPLES_FILE
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise UserError(f"Could not read the examples file {str(path)!r} ({error.strerror or error}).") from None
    rows = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as error:
            raise UserError(f"Line {number} of {path.name} is not valid JSON ({error.msg}).") from None
        missing = [f for f in FIELDS if not isinstance(row.get(f), str) or not row[f].strip()] if isinstance(row, dict) else FIELDS
        if missing:
            raise UserError(f"Line {number} of {path.name} lacks {', '.join(missing)}; every row needs {', '.join(FIELDS)}.")
        rows.append(HumanExample(**{f: row[f].strip() for f in FIELDS}))
    return rows
