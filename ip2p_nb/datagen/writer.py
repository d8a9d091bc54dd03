"""Step 1 of the InstructPix2Pix data engine: from a caption, write an edit instruction and the edited caption.

The paper fine-tuned GPT-3 on 700 human-written examples. The model saw `caption + "\\n##\\n"` and
completed `instruction + "\\n%%\\n" + edited caption + "\\nEND"` at temperature 0.7; a result whose
edited caption equals the input, or repeats one already written, was thrown away. Here:
- `RuleWriter` writes offline from small tables (`rules.py`): every edit the toy scenes can draw,
  and the common edits of everyday captions (time of day, weather, season, style, colour, objects);
- `LMWriter` asks a causal language model in the paper's format, with few-shot examples from the
  hand-written `examples.jsonl` instead of fine-tuning;
- `check_written` is the paper's filter, with a one-sentence reason for every rejection;
- `load_writer(name)` gives either: "rules", "tiny-lm" (random weights, for tests), a short name of
  `LANGUAGE_MODELS`, a hub id or a local model folder.
A Chinese caption is translated first (`ip2p_nb.translation.translate`); the Chinese is kept.
"""
import os
import random
import re
from dataclasses import dataclass

from ..errors import SettingError, UserError
from ..models.catalogue import available_models
from .examples import human_examples
from .rules import general_edits, parse_scene_caption, scene_edits

__all__ = ["Written", "check_written", "RuleWriter", "LMWriter", "load_writer", "available_writers", "build_prompt",
           "parse_completion", "LANGUAGE_MODELS", "WRITER_DEFAULTS"]

WRITER_DEFAULTS = dict(
    temperature=0.7,              # the paper's sampling temperature
    shots=8,                      # few-shot examples in the prompt: enough to show the format, short enough for 0.5B models
    max_new_tokens=64,            # an instruction and an edited caption fit in ~40 tokens; a runaway reply stops here
    tries_per_result=4,           # language-model replies tried for each result asked for, before giving up
    max_results=50,               # `n` above this is a batch job, not a call
    max_instruction_words=20,     # the paper's instructions are a few words ("make it snowy")
    max_caption_chars=300,        # longer is a story, not a caption
)
# Language models the writer knows by a short name: the catalogue's (models/catalogue.py, kind "lm"), hub ids.
LANGUAGE_MODELS = {m.name: m.hub_id for m in available_models("lm")}
PROMPT_END, SEPARATOR, STOP = "\n##\n", "\n%%\n", "\nEND"  # the paper's completion format


@dataclass(frozen=True)
class Written:
    """One edit written for one caption."""
    caption: str                       # the English caption the edit starts from
    instruction: str                   # the edit instruction, English
    edited_caption: str                # the caption of the edited picture, English
    writer: str                        # who wrote it: "rules", "tiny-lm", or the language model's name
    caption_zh: str | None = None      # the caption as typed, when it was Chinese
    kind: str | None = None            # the rule that made it (see rules.SCENE_KINDS / GENERAL_KINDS); None from a model
    instruction_zh: str | None = None  # the instruction in Chinese, where the rule has one


def _norm(text):
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def check_written(caption, instruction, edited_caption, seen=()) -> str | None:
    """Why this result must be thrown away (one sentence), or None when it is fine.

    seen: edited captions (or `Written`s) already accepted for this caption; a repeat is a duplicate.
    """
    from ..translation import has_chinese

    parts = {"caption": caption, "instruction": instruction, "edited caption": edited_caption}
    for name, text in parts.items():
        if not isinstance(text, str) or not text.strip():
            return f"The {name} is missing."
    for name, text in parts.items():
        if "\n" in text.strip() or "##" in text or "%%" in text or re.search(r"\bEND\b", text):
            return f"The {name} holds a separator (##, %% or END) or a line break."
        if len(text) > WRITER_DEFAULTS["max_caption_chars"]:
            return f"The {name} is too long ({len(text)} characters; at most {WRITER_DEFAULTS['max_caption_chars']})."
    words = len(instruction.split())
    if words > WRITER_DEFAULTS["max_instruction_words"]:
        return f"The instruction is too long ({words} words; at most {WRITER_DEFAULTS['max_instruction_words']})."
    if has_chinese(instruction) or has_chinese(edited_caption):
        return "The instruction or the edited caption is not in English."
    if _norm(edited_caption) == _norm(caption):
        return "The edited caption is the same as the caption."
    if _norm(instruction) in (_norm(caption), _norm(edited_caption)):
        return "The instruction only repeats a caption."
    if _norm(edited_caption) in {_norm(getattr(s, "edited_caption", s)) for s in seen}:
        return "The edited caption duplicates one written before."
    return None


def _english(caption):
    """(English caption, Chinese caption or None): checks `caption` and translates it when it is Chinese."""
    from ..translation import has_chinese, translate

    if not isinstance(caption, str) or not caption.strip():
        raise SettingError(f"`caption` must be a description of a picture, such as 'a dog on a beach', got {caption!r}.")
    caption = " ".join(caption.split())
    if len(caption) > WRITER_DEFAULTS["max_caption_chars"]:
        raise SettingError(f"`caption` is {len(caption)} characters long; describe the picture in at most "
                           f"{WRITER_DEFAULTS['max_caption_chars']}.")
    if not has_chinese(caption):
        return caption.rstrip("."), None
    english = translate(caption).text
    english = re.sub(r"^(make it|make|add)\s+", "", english.strip(), flags=re.I)  # the translator's instruction habit
    return english.rstrip("."), caption


def _check_n(n):
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= WRITER_DEFAULTS["max_results"]:
        raise SettingError(f"`n` must be a whole number from 1 to {WRITER_DEFAULTS['max_results']}, got {n!r}.")


# ---- rules ----------------------------------------------------------------------------------------

class RuleWriter:
    """Writes edits offline from tables; deterministic per seed (see `rules.py` for what it knows)."""
    name = "rules"

    def write(self, caption, n=1, seed=0) -> list[Written]:
        """Up to `n` different edits of `caption` (fewer when the tables know fewer), chosen by `seed`.

        A toy-scene caption comes back in the scene grammar (`scenes.caption()`), so every edited
        caption is one the scenes can draw. Raises UserError when no edit fits the caption.
        """
        from ..translation import has_chinese

        # 1. check the arguments; English first
        _check_n(n)
        english, chinese = _english(caption)
        # 2. every edit the tables know for it
        scene = parse_scene_caption(english, lenient=chinese is not None)
        if scene is not None:
            from ..train.scenes import caption as scene_caption

            english, edits = scene_caption(scene), scene_edits(scene)
        elif has_chinese(english):
            raise UserError(f"Could not translate all of the caption {caption!r}; type it in English, for example "
                            "'a dog on a beach'.")
        elif len(re.findall(r"[A-Za-z]+", english)) < 2:
            raise UserError(f"The caption {caption!r} is too short to edit; describe the picture in a few words, for "
                            "example 'a dog on a beach'.")
        else:
            edits = general_edits(english)
        # 3. kinds in a seeded order, then one edit of each kind in turn
        rng = random.Random(seed)
        kinds = sorted(edits)
        rng.shuffle(kinds)
        queues = {kind: rng.sample(edits[kind], len(edits[kind])) for kind in kinds}
        written = []
        while len(written) < n and any(queues.values()):
            for kind in kinds:
                if queues[kind] and len(written) < n:
                    edit = queues[kind].pop(0)
                    if check_written(english, edit.instruction, edit.edited_caption, written) is None:
                        written.append(Written(english, edit.instruction, edit.edited_caption, self.name, chinese,
                                               edit.kind, edit.instruction_zh))
        if not written:
            raise UserError(f"The rule writer knows no edit for {caption!r}; describe a photo in a few words, for "
                            "example 'a dog on a beach', or use a language-model writer.")
        return written


# ---- a language model -----------------------------------------------------------------------------

def build_prompt(caption, shots) -> str:
    """The paper's completion format: each example "caption\\n##\\ninstruction\\n%%\\nedited\\nEND", then `caption\\n##\\n`."""
    lines = [f"{s.caption}{PROMPT_END}{s.instruction}{SEPARATOR}{s.edited_caption}{STOP}\n" for s in shots]
    return "".join(lines) + caption + PROMPT_END


def parse_completion(text) -> tuple[str, str]:
    """(instruction, edited caption) from a model's reply; UserError with the reason when it is not in the format."""
    if not isinstance(text, str):
        raise SettingError(f"`text` must be the model's reply as a string, got {type(text).__name__}.")
    if "END" not in text:
        raise UserError("The reply did not finish with END within the token limit.")
    body = text.split("END", 1)[0]
    if "%%" not in body:
        raise UserError("The reply has no %% between the instruction and the edited caption.")
    instruction, edited = body.split("%%", 1)
    return instruction.strip(), edited.strip()


class LMWriter:
    """Writes edits with a causal language model, few-shot in the paper's format; deterministic per seed."""

    def __init__(self, model, tokenizer, examples=None, shots=WRITER_DEFAULTS["shots"],
                 temperature=WRITER_DEFAULTS["temperature"], max_new_tokens=WRITER_DEFAULTS["max_new_tokens"], name="lm"):
        if isinstance(shots, bool) or not isinstance(shots, int) or shots < 0:
            raise SettingError(f"`shots` must be a whole number of examples, 0 (a fine-tuned model) or more, got {shots!r}.")
        if not isinstance(temperature, (int, float)) or not 0 < temperature <= 2:
            raise SettingError(f"`temperature` must be a number in (0, 2], got {temperature!r}.")
        if isinstance(max_new_tokens, bool) or not isinstance(max_new_tokens, int) or not 8 <= max_new_tokens <= 512:
            raise SettingError(f"`max_new_tokens` must be a whole number from 8 to 512, got {max_new_tokens!r}.")
        self.model, self.tokenizer, self.name = model, tokenizer, name
        self.examples = list(human_examples() if examples is None else examples)
        if shots and not self.examples:
            raise SettingError("`examples` is empty; the writer needs a few examples to show the model the format.")
        self.shots, self.temperature, self.max_new_tokens = shots, temperature, max_new_tokens

    def prompt(self, caption, seed=0) -> str:
        """The prompt for English `caption`: `shots` examples chosen by `seed` (scene examples for a scene caption).

        With shots=0 it is the paper's bare `caption + "\\n##\\n"`, for a model fine-tuned on the format.
        """
        if not self.shots:
            return build_prompt(caption, [])
        is_scene = parse_scene_caption(caption) is not None
        pool = [e for e in self.examples if (parse_scene_caption(e.caption) is not None) == is_scene] or self.examples
        shots = random.Random(seed).sample(pool, min(self.shots, len(pool)))
        return build_prompt(caption, shots)

    def write(self, caption, n=1, seed=0) -> list[Written]:
        """Up to `n` different edits of `caption`; UserError with the last reason when no reply passes `check_written`."""
        # 1. check the arguments; English first
        _check_n(n)
        english, chinese = _english(caption)
        # 2. ask, parse and check, a bounded number of times
        written, reason = [], None
        tries = n * WRITER_DEFAULTS["tries_per_result"]
        for attempt in range(tries):
            if len(written) == n:
                break
            reply = self._generate(self.prompt(english, seed * 1000 + attempt), seed * 1000 + attempt)
            try:
                instruction, edited = parse_completion(reply)
            except UserError as error:
                reason = str(error)
                continue
            reason = check_written(english, instruction, edited, written)
            if reason is None:
                written.append(Written(english, instruction, edited, self.name, chinese))
        # 3. nothing usable: say why
        if not written:
            raise UserError(f"The language model wrote no usable edit for {caption!r} in {tries} tries (the last: "
                            f"{reason[0].lower() + reason[1:].rstrip('.')}), so try another seed or the rule writer.")
        return written

    def _pad_id(self):
        pad = self.tokenizer.pad_token_id
        return pad if pad is not None else self.tokenizer.eos_token_id

    def _generate(self, prompt, seed) -> str:
        """The model's reply to `prompt`, sampled with `seed`, stopped at END or `max_new_tokens`."""
        import torch

        try:
            inputs = self.tokenizer(prompt, return_tensors="pt").to(self.model.device)
            cuda = [self.model.device.index or 0] if self.model.device.type == "cuda" else []
            with torch.random.fork_rng(devices=cuda), torch.no_grad():
                torch.manual_seed(seed)
                out = self.model.generate(
                    **inputs, do_sample=True, temperature=self.temperature, top_p=1.0, top_k=0,
                    max_new_tokens=self.max_new_tokens, stop_strings=["END"], tokenizer=self.tokenizer,
                    pad_token_id=self._pad_id())
            return self.tokenizer.decode(out[0, inputs["input_ids"].shape[1]:], skip_special_tokens=True)
        except (RuntimeError, ValueError, TypeError) as error:  # out of memory, a model that cannot generate
            raise UserError(f"The language model {self.name!r} failed while writing ({type(error).__name__}: "
                            f"{str(error).splitlines()[0][:120] if str(error) else 'no message'}).") from None


# ---- choosing a writer ----------------------------------------------------------------------------

def available_writers() -> list[str]:
    """The writer names `load_writer` knows (a hub id or a local model folder works too)."""
    return ["rules", "tiny-lm", *LANGUAGE_MODELS]


def load_writer(name="rules", progress=None, notify=None):
    """A writer: "rules", "tiny-lm", a short name of LANGUAGE_MODELS, a hub id ("Qwen/Qwen2.5-0.5B-Instruct")
    or a local folder with a causal language model in safetensors. progress/notify: see models.hub.fetch_model."""
    if not isinstance(name, str) or not name.strip():
        raise SettingError(f"`name` must be one of {available_writers()}, a hub id or a model folder, got {name!r}.")
    name = name.strip()
    if name == "rules":
        return RuleWriter()
    if name == "tiny-lm":
        from ..models.tiny_lm import build_tiny_lm

        return LMWriter(*build_tiny_lm(), name="tiny-lm")
    if os.path.isdir(name):
        return LMWriter(*_load_lm(name), name=os.path.basename(os.path.normpath(name)))
    hub_id = LANGUAGE_MODELS.get(name.lower(), name)
    if re.fullmatch(r"[\w.-]+/[\w.-]+", hub_id) and not os.path.exists(hub_id):
        from ..models.hub import fetch_model

        folder, _ = fetch_model(hub_id, progress=progress, notify=notify)
        return LMWriter(*_load_lm(folder), name=hub_id)
    raise UserError(f"Unknown writer {name!r}; choose one of {available_writers()}, a hub id such as "
                    f"{next(iter(LANGUAGE_MODELS.values()))} or a local model folder.")


def _load_lm(folder):
    """(model, tokenizer) from a local folder: safetensors only, never remote code; GPU in float16 when there is one."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from ..models.loading import quiet_transformers

    quiet_transformers()
    if not os.path.isfile(os.path.join(folder, "config.json")):
        raise UserError(f"The folder {str(folder)!r} has no config.json; a language model folder holds config.json, "
                        "tokenizer files and .safetensors weights.")
    cuda = torch.cuda.is_available()
    try:
        tokenizer = AutoTokenizer.from_pretrained(folder, trust_remote_code=False)
        model = AutoModelForCausalLM.from_pretrained(folder, use_safetensors=True, trust_remote_code=False,
                                                     dtype=torch.float16 if cuda else torch.float32)
    except (OSError, ValueError, KeyError) as error:
        raise UserError(f"Could not load a language model from {str(folder)!r}: it needs config.json, tokenizer files "
                        f"and .safetensors weights ({type(error).__name__}: {str(error).splitlines()[0][:120]}).") from None
    return model.to("cuda" if cuda else "cpu").eval(), tokenizer
