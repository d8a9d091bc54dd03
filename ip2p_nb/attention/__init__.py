"""Attention hooks: where each word acts (maps), and attention shared between the two pictures of a pair.

Processors installed with `unet.set_attn_processor` for the length of a `with` block (processors.py);
the UNet's own processors come back after it. Editing (word maps after an edit) and the data engine
(pairs) both use this part; it imports nothing else of ip2p_nb.

    with record_word_maps(pipe.unet, latent_hw, rows) as recorder:   # maps.py: observing only, same pixels
        ...
    maps = recorder.word_maps(pipe.tokenizer, prompt)                  # WordMaps: words, maps, heat(word, size)

    sharer = AttentionSharer("self", p=0.4)                             # share.py: the paper's self-attention sharing
    with hooked(pipe.unet, sharer): ...                                 # set sharer.role and call sharer.step(i, n)
"""
from .maps import WordMapRecorder, WordMaps, latent_grid, prompt_words, record_word_maps
from .processors import Controller, HookedProcessor, Together, attention_probs, has_processors, hooked, manual_attention
from .share import SHARE_KINDS, AttentionSharer, align_tokens, sharing_on

__all__ = ["Controller", "Together", "HookedProcessor", "hooked", "has_processors", "attention_probs", "manual_attention",
           "WordMapRecorder", "WordMaps", "record_word_maps", "prompt_words", "latent_grid",
           "SHARE_KINDS", "AttentionSharer", "align_tokens", "sharing_on"]
