"""Fine-tune the writer's language model on the hand-written examples with LoRA, as the paper fine-tuned GPT-3.

The paper fine-tuned GPT-3 on its 700 examples, then prompted it with a bare `caption + "\\n##\\n"`.
`finetune_writer(model, tokenizer)` does the same for a small local model on `examples.jsonl`:
1. each example becomes the paper's text, `caption\\n##\\n` (the prompt) then
   `instruction\\n%%\\nedited caption\\nEND` (the completion); only the completion is learnt
   (the prompt's labels are -100);
2. LoRA: each linear layer named in `targets` gets two small matrices A (rank x in) and B (out x rank,
   starting at zero) beside its frozen weight, and learns `W x + (alpha / rank) * B A x`; nothing else
   is trained, so a 0.5B model fine-tunes in little memory;
3. AdamW on A and B for `steps` steps of `batch_size` examples drawn with `seed`;
4. the update is merged into the weights (W += (alpha / rank) * B A) and the plain layers put back, so
   the model saves with `save_pretrained` and loads like any other (`load_writer(folder)`).
Written here in a few dozen lines of torch rather than with the peft package, so a reader sees all of it.
Use the result with `LMWriter(model, tokenizer, shots=0)`: the paper's bare prompt.
"""
import math
import random
from dataclasses import dataclass

from ..errors import SettingError, UserError
from .examples import human_examples
from .writer import PROMPT_END, SEPARATOR, STOP

__all__ = ["FinetuneConfig", "finetune_writer", "training_texts", "add_lora", "merge_lora"]


@dataclass
class FinetuneConfig:
    """How `finetune_writer` trains."""
    rank: int = 8                             # LoRA rank: 8 is the common default for models of this size
    alpha: float = 16.0                       # LoRA scale numerator; the update is scaled by alpha / rank
    targets: tuple = ("q_proj", "v_proj")     # linear layers that get LoRA (Qwen2's, Llama's query and value)
    learning_rate: float = 2e-4               # AdamW; LoRA tolerates larger rates than full fine-tuning
    steps: int = 300                          # ~17 passes over 140 examples at batch 8
    batch_size: int = 8                       # examples per step
    max_length: int = 128                     # tokens per example; the examples need ~60 with Qwen's tokenizer
    seed: int = 0                             # which examples each step draws, and LoRA's initial A


def training_texts(examples=None) -> list[tuple[str, str]]:
    """[(prompt, completion)] in the paper's format, from `examples` (default: the hand-written ones)."""
    rows = human_examples() if examples is None else examples
    return [(f"{e.caption}{PROMPT_END}", f"{e.instruction}{SEPARATOR}{e.edited_caption}{STOP}") for e in rows]


def _lora_module():
    import torch
    from torch import nn

    class LoRALinear(nn.Module):
        """A frozen linear layer plus a trainable low-rank update (B starts at zero: no change at step 0)."""

        def __init__(self, base: nn.Linear, rank: int, alpha: float):
            super().__init__()
            self.base, self.scale = base, alpha / rank
            self.lora_a = nn.Parameter(torch.empty(rank, base.in_features, dtype=base.weight.dtype, device=base.weight.device))
            self.lora_b = nn.Parameter(torch.zeros(base.out_features, rank, dtype=base.weight.dtype, device=base.weight.device))
            nn.init.kaiming_uniform_(self.lora_a, a=math.sqrt(5))

        def forward(self, x):
            return self.base(x) + (x @ self.lora_a.T @ self.lora_b.T) * self.scale

    return LoRALinear


def add_lora(model, rank=8, alpha=16.0, targets=("q_proj", "v_proj")) -> list:
    """Freeze `model` and wrap its linear layers named in `targets` with LoRA; returns the trainable parameters."""
    from torch import nn

    lora = _lora_module()
    for p in model.parameters():
        p.requires_grad_(False)
    wrapped = []
    for name, module in list(model.named_modules()):
        for child_name, child in list(module.named_children()):
            if child_name in targets and isinstance(child, nn.Linear):
                layer = lora(child, rank, alpha)
                setattr(module, child_name, layer)
                wrapped += [layer.lora_a, layer.lora_b]
    if not wrapped:
        raise UserError(f"The model has no linear layers named {list(targets)}; set `targets` to its layer names.")
    return wrapped


def merge_lora(model):
    """Fold every LoRA update into its layer's weight and put the plain linear layer back; returns `model`."""
    import torch

    for module in list(model.modules()):
        for child_name, child in list(module.named_children()):
            if hasattr(child, "lora_a") and hasattr(child, "base"):
                with torch.no_grad():
                    child.base.weight += (child.lora_b @ child.lora_a) * child.scale
                setattr(module, child_name, child.base)
    return model


def _batch(tokenizer, pairs, max_length, device):
    """input_ids, attention_mask and labels (-100 on the prompt and the padding) for (prompt, completion) pairs."""
    import torch

    eos = tokenizer.eos_token or ""
    rows = []
    for prompt, completion in pairs:
        head = tokenizer(prompt, add_special_tokens=False)["input_ids"]
        tail = tokenizer(completion + eos, add_special_tokens=False)["input_ids"]
        ids = (head + tail)[:max_length]
        rows.append((ids, [-100] * len(head) + tail))
    width = max(len(ids) for ids, _ in rows)
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    ids = torch.tensor([i + [pad] * (width - len(i)) for i, _ in rows], device=device)
    mask = torch.tensor([[1] * len(i) + [0] * (width - len(i)) for i, _ in rows], device=device)
    labels = torch.tensor([lab[:len(i)] + [-100] * (width - len(i)) for i, lab in rows], device=device)
    return ids, mask, labels


def finetune_writer(model, tokenizer, examples=None, config=None, callback=None):
    """Fine-tune `model` in place with LoRA on the examples (see the module docstring); returns it, merged, in eval mode.

    callback({"step", "steps", "loss"}) is called after every step (progress, a loss plot, stopping by raising).
    """
    import torch

    # 1. the settings and the texts
    config = config or FinetuneConfig()
    for field in ("rank", "steps", "batch_size", "max_length"):
        value = getattr(config, field)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise SettingError(f"`{field}` must be a whole number, 1 or more, got {value!r}.")
    if not config.learning_rate > 0:
        raise SettingError(f"`learning_rate` must be above 0, got {config.learning_rate!r}.")
    pairs = training_texts(examples)
    if not pairs:
        raise SettingError("`examples` is empty; fine-tuning needs examples to learn from.")
    # 2. LoRA beside the chosen layers, everything else frozen
    torch.manual_seed(config.seed)
    params = add_lora(model, config.rank, config.alpha, tuple(config.targets))
    optimizer = torch.optim.AdamW(params, lr=config.learning_rate)
    rng, device = random.Random(config.seed), next(model.parameters()).device
    model.train()
    # 3. the loop
    try:
        for step in range(config.steps):
            ids, mask, labels = _batch(tokenizer, rng.choices(pairs, k=config.batch_size), config.max_length, device)
            loss = model(input_ids=ids, attention_mask=mask, labels=labels).loss
            loss.backward()
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)
            if callback is not None:
                callback({"step": step, "steps": config.steps, "loss": loss.item()})
    except torch.cuda.OutOfMemoryError:
        raise UserError(f"Out of GPU memory while fine-tuning; lower `batch_size` (now {config.batch_size}) or "
                        f"`max_length` (now {config.max_length}).") from None
    finally:
        # 4. the update folded into the weights, plain layers back
        merge_lora(model)
        for p in model.parameters():
            p.requires_grad_(True)
    return model.eval()
