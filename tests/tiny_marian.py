"""A tiny random MarianMT zh->en model, built offline, laid out like a Hugging Face cache entry.

Real transformers classes (MarianConfig, MarianMTModel, MarianTokenizer) with a word-level
SentencePiece model trained here on a few lines, so the translation chain runs its real marian
code path (find it in the cache, load tokenizer and safetensors weights, generate, decode) without
a download. Random weights say nothing useful, so `force` steers the output: a bias on the final
logits makes the model emit that word, then end (no_repeat_ngram_size=1 bans a second one), or
repeat it forever when `repeat` is set.
"""

import json
import pathlib

MODEL = "Helsinki-NLP/opus-mt-zh-en"
CORPUS = ["把 天空 换成 夜晚", "把 猫 变成 狗", "sky night cat dog", "make the sky night", "天空 夜晚 猫 狗"] * 20


def build(hub_cache, force="sky", repeat=False):
    """Write the model into `hub_cache` (use it as HF_HUB_CACHE); returns the snapshot folder."""
    import sentencepiece as spm
    import torch
    from transformers import GenerationConfig, MarianConfig, MarianMTModel

    hub_cache = pathlib.Path(hub_cache)
    repo = hub_cache / ("models--" + MODEL.replace("/", "--"))
    commit = "0" * 40
    folder = repo / "snapshots" / commit
    folder.mkdir(parents=True, exist_ok=True)
    (repo / "refs").mkdir(exist_ok=True)
    (repo / "refs" / "main").write_text(commit)
    # 1. a word-level SentencePiece model for both sides
    corpus = folder.parent.parent / "corpus.txt"
    corpus.write_text("\n".join(CORPUS), encoding="utf-8")
    spm.SentencePieceTrainer.train(input=str(corpus), model_prefix=str(folder / "sp"), model_type="word",
                                   vocab_size=15, character_coverage=1.0, unk_id=1, bos_id=-1, eos_id=0,
                                   minloglevel=2)
    for name in ("source.spm", "target.spm"):
        (folder / name).write_bytes((folder / "sp.model").read_bytes())
    processor = spm.SentencePieceProcessor(model_file=str(folder / "sp.model"))
    pieces = [processor.id_to_piece(i) for i in range(processor.get_piece_size())]
    vocab = {piece: i for i, piece in enumerate(pieces)}
    vocab["<pad>"] = len(vocab)
    (folder / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    (folder / "tokenizer_config.json").write_text(json.dumps({"source_lang": "zh", "target_lang": "en"}))
    # 2. a small random model, steered to say `force`
    pad = vocab["<pad>"]
    config = MarianConfig(vocab_size=len(vocab), d_model=16, encoder_layers=1, decoder_layers=1,
                          encoder_attention_heads=2, decoder_attention_heads=2, encoder_ffn_dim=32,
                          decoder_ffn_dim=32, max_position_embeddings=256, pad_token_id=pad, eos_token_id=0,
                          decoder_start_token_id=pad, forced_eos_token_id=0)
    torch.manual_seed(0)
    model = MarianMTModel(config).eval()
    with torch.no_grad():
        model.final_logits_bias[0, vocab["▁" + force]] = 100.0
        model.final_logits_bias[0, 0] = 50.0  # end of sentence: the next best
    model.save_pretrained(folder, safe_serialization=True)
    GenerationConfig(decoder_start_token_id=pad, eos_token_id=0, pad_token_id=pad, bad_words_ids=[[pad]],
                     max_length=32, num_beams=1,
                     no_repeat_ngram_size=0 if repeat else 1).save_pretrained(folder)
    return folder
