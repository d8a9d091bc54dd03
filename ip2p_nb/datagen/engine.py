"""The whole data engine over a file of captions: instruction, pairs, filter, folder; resumable, split across processes.

For each caption (a line of a text file, or a JSON line with `caption` and optionally `instruction` and
`edited_caption` already written):
1. the writer (writer.py) gives an instruction and the edited caption; a caption it cannot edit is
   recorded as failed with its one sentence, and the run goes on;
2. `samples` pairs are drawn (pairs.py), each with its own seed, p and text guidance (`sample_settings`
   from a seed that depends only on the run's seed and the caption's line, so a rerun and any number of
   processes give the same pairs);
3. the CLIP filter (clip_filter.py) scores every pair; the `keep` best directional scores among those
   that pass are written to `OUT/{line:07d}/` in the paper's layout, `prompt.json` last: a caption whose
   prompt.json exists is finished and a rerun skips it.
Under `accelerate launch` each process takes its share of the pending captions (accelerate's
`split_between_processes`, as `batch` does), writes its own log part, and the main process merges the parts
into `pairs-log.jsonl`. This module returns records and never prints; `cli/datagen.py` draws the bar.
"""
import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..defaults import DATAGEN_DEFAULTS
from ..errors import UserError
from ..serving.batch import LogParts, process_state
from .pairs import check_pair_settings, draw_pair, sample_settings

__all__ = ["EngineConfig", "Caption", "read_captions", "PairsRun", "LOG_NAME"]

LOG_NAME = "pairs-log.jsonl"


@dataclass
class EngineConfig:
    """How each caption is turned into pairs (the paper's numbers in defaults.DATAGEN_DEFAULTS)."""
    samples: int = DATAGEN_DEFAULTS["samples"]    # pairs drawn per caption
    keep: int = DATAGEN_DEFAULTS["keep"]          # pairs kept per caption (best directional CLIP score among the passing)
    steps: int = DATAGEN_DEFAULTS["steps"]        # sampler steps per picture
    size: int | None = None                       # picture size in px (None: the model's own)
    share: str = DATAGEN_DEFAULTS["share"]        # "self" (the paper's code), "cross" or "both"
    seed: int = 0                                 # the run's seed: each caption's samples follow from it and its line
    p_range: tuple = DATAGEN_DEFAULTS["p_range"]  # p ~ U(low, high): the share of the steps with shared attention
    cfg_range: tuple = DATAGEN_DEFAULTS["cfg_range"]  # text guidance ~ U(low, high)
    thresholds: dict = field(default_factory=dict)  # CLIP thresholds that differ from the paper's

    def check(self) -> None:
        if not isinstance(self.samples, int) or self.samples < 1:
            raise UserError(f"`samples` must be a whole number of at least 1, not {self.samples!r}.")
        if not isinstance(self.keep, int) or not 1 <= self.keep <= self.samples:
            raise UserError(f"`keep` must be a whole number from 1 to samples ({self.samples}), not {self.keep!r}.")
        low, high = self.p_range
        if not 0.0 <= low <= high <= 1.0:
            raise UserError(f"p must lie between 0 and 1 (the share of the steps with shared attention), not {low:g}-{high:g}.")
        low, high = self.cfg_range
        if not 1.0 <= low <= high <= 30.0:
            raise UserError(f"The text guidance range must lie between 1 and 30, not {low:g}-{high:g}.")
        check_pair_settings(0.5, 7.5, self.steps, self.size, self.share)


@dataclass
class Caption:
    """One line of the captions file."""
    line: int                          # 1-based line number: the prompt folder's name and the seed's source
    caption: str
    instruction: str | None = None     # given in a JSON line, else written by the writer
    edited_caption: str | None = None


def read_captions(path) -> list[Caption]:
    """The captions of a text file (one a line; blank lines and lines starting with # skipped) or a .jsonl file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserError(f"The captions file {str(path)!r} does not exist; give a text file with one caption a line.") from None
    except (OSError, UnicodeDecodeError) as e:
        raise UserError(f"The captions file {str(path)!r} cannot be read ({type(e).__name__}); save it as UTF-8 text.") from None
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if path.suffix.lower() == ".jsonl":
            try:
                row = json.loads(line)
                found.append(Caption(number, str(row["caption"]).strip(), row.get("instruction"), row.get("edited_caption")))
            except (ValueError, KeyError, TypeError, AttributeError):
                raise UserError(f"Line {number} of {str(path)!r} is not a JSON object with a \"caption\"; fix or remove it.") from None
        else:
            found.append(Caption(number, line))
    if not found:
        raise UserError(f"The captions file {str(path)!r} has no captions; write one caption a line, such as "
                        "\"a yellow house with a red roof, a tree on a sunny day in summer\".")
    return found


class PairsRun:
    """Iterate for one log record per caption of this process's share (see the module docstring)."""

    def __init__(self, captions, out_dir, config: EngineConfig, *, pipe, scorer, writer, state=None, progress=None):
        config.check()
        self.captions, self.out_dir, self.config = list(captions), Path(out_dir), config
        self.pipe, self.scorer, self.writer, self.progress = pipe, scorer, writer, progress
        self.state = state or process_state()
        try:
            self.out_dir.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise UserError(f"The output folder {str(self.out_dir)!r} cannot be made ({e.strerror}); choose another.") from None
        self.log_path = self.out_dir / LOG_NAME
        self.log = LogParts(self.log_path, self.state)
        self.skipped = [c for c in self.captions if self.finished(c)]
        pending = [c for c in self.captions if c not in self.skipped]
        self.state.wait_for_everyone()  # every process reads the folder before any writes to it
        with self.state.split_between_processes(pending) as mine:
            self.mine = list(mine)

    def folder(self, caption: Caption) -> Path:
        return self.out_dir / f"{caption.line:07d}"

    def finished(self, caption: Caption) -> bool:
        return (self.folder(caption) / "prompt.json").is_file()

    @property
    def counts(self) -> dict:
        """Captions done, skipped, failed: this process's share while running; everyone's on the main process after."""
        return self.log.counts

    def __iter__(self):
        with self.log:
            if self.state.is_main_process:
                for caption in self.skipped:
                    yield self.log.emit(self._record(caption, "skipped"))
            for caption in self.mine:
                yield self.log.emit(self._one(caption))
        self.log.finish()

    def _one(self, caption: Caption) -> dict:
        """Write, draw, filter and save one caption's pairs; a failure becomes the record's sentence."""
        start = time.perf_counter()
        cfg = self.config
        try:
            # 1. The instruction and the edited caption
            written = self._written(caption)
            # 2. The samples, drawn from seeds that follow from the run's seed and the caption's line
            samples = []
            for k, (seed, p, guidance) in enumerate(sample_settings(cfg.seed * 1_000_003 + caption.line, cfg.samples,
                                                                                 cfg.p_range, cfg.cfg_range)):
                samples.append(draw_pair(self.pipe, written.caption, written.edited_caption, seed=seed, p=p,
                                         guidance=guidance, steps=cfg.steps, size=cfg.size, share=cfg.share))
                if self.progress is not None:
                    self.progress(k + 1, cfg.samples)
            # 3. The filter: four CLIP scores each, the best `keep` that pass; written in the paper's layout
            from .clip_filter import select, write_prompt_folder  # noqa: PLC0415

            scores = self.scorer.score_many([(s.before, s.after) for s in samples], written.caption, written.edited_caption)
            chosen = select(scores, k=cfg.keep, thresholds=cfg.thresholds or None)
            kept = [dict(seed=samples[i].seed, p=samples[i].p, cfg_scale=samples[i].cfg, img0=samples[i].before,
                         img1=samples[i].after, scores=scores[i]) for i in chosen]
            write_prompt_folder(self.out_dir, self.folder(caption).name, written.caption, written.instruction,
                                written.edited_caption, kept)
        except UserError as e:
            return self._record(caption, "failed", error=str(e), seconds=time.perf_counter() - start)
        passed = sum(s.passes(cfg.thresholds or None) for s in scores)
        return self._record(caption, "done", written=written, samples=len(samples), passed=passed, kept=len(kept),
                            seeds=[k["seed"] for k in kept], seconds=time.perf_counter() - start)

    def _written(self, caption: Caption):
        if caption.instruction and caption.edited_caption:
            from .writer import Written, check_written  # noqa: PLC0415

            why = check_written(caption.caption, caption.instruction, caption.edited_caption)
            if why:
                raise UserError(why)
            return Written(caption.caption, caption.instruction, caption.edited_caption, "given")
        return self.writer.write(caption.caption, n=1, seed=self.config.seed * 1_000_003 + caption.line)[0]

    def _record(self, caption, status, written=None, error=None, **extra) -> dict:
        record = {"line": caption.line, "caption": caption.caption, "status": status,
                  "folder": self.folder(caption).name, "time": time.strftime("%Y-%m-%dT%H:%M:%S")}
        if written is not None:
            record |= {"instruction": written.instruction, "edited_caption": written.edited_caption,
                       "english_caption": written.caption}
        if error:
            record["error"] = error
        record |= {k: (round(v, 3) if isinstance(v, float) else v) for k, v in extra.items()}
        record["settings"] = asdict(self.config) if status == "done" else None
        return record
