"""The `tiny-lm` language model: a real `Qwen2ForCausalLM` with small random weights, built offline.

The data engine's language-model writer (`ip2p_nb/datagen/writer.py`) runs on a small instruct
model such as Qwen2.5-0.5B-Instruct, which no test machine can download. `build_tiny_lm()` gives the
same class (the same `generate()`, the same stopping at a stop string) with two layers of width 32
and a byte-level tokenizer: 256 single-byte tokens and an end-of-text token, no merges, built with
the `tokenizers` package and wrapped in `PreTrainedTokenizerFast`, so any text (Chinese included)
round-trips. It builds in well under a second and is deterministic per `seed`. Its replies are
noise: it proves the plumbing, not the writing.
"""
import torch

__all__ = ["build_tiny_lm", "tiny_lm_tokenizer", "TINY_LM_NOTE"]

TINY_LM_NOTE = "The `tiny-lm` writer has random weights: its replies are noise, it only checks that everything runs."
END_OF_TEXT = "<|endoftext|>"  # Qwen2's end-of-text token, also used for padding


def tiny_lm_tokenizer():
    """A byte-level BPE tokenizer with no merges: one token per byte, plus END_OF_TEXT."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    vocab = {char: i for i, char in enumerate(sorted(pre_tokenizers.ByteLevel.alphabet()))}
    vocab[END_OF_TEXT] = len(vocab)
    core = Tokenizer(models.BPE(vocab=vocab, merges=[]))
    core.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    core.decoder = decoders.ByteLevel()
    return PreTrainedTokenizerFast(tokenizer_object=core, eos_token=END_OF_TEXT, pad_token=END_OF_TEXT)


def build_tiny_lm(seed: int = 0):
    """(model, tokenizer): a two-layer `Qwen2ForCausalLM` with random weights drawn from `seed`, in eval mode."""
    from transformers import Qwen2Config, Qwen2ForCausalLM

    tokenizer = tiny_lm_tokenizer()
    config = Qwen2Config(
        vocab_size=len(tokenizer), hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4,
        num_key_value_heads=2, max_position_embeddings=4096,  # a byte per token: 8 few-shot examples fit
        eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id, tie_word_embeddings=True,
    )
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = Qwen2ForCausalLM(config)
    return model.eval(), tokenizer
