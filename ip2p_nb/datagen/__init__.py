"""The paper's data engine: captions -> instructions -> pairs drawn with shared attention -> the CLIP filter -> a folder
`train` reads. One module per step: writer.py (instructions), pairs.py (before/after from one noise), clip_filter.py
(the four scores, top k, the paper's layout), engine.py (a captions file through all of it, resumable, under accelerate).

    from ip2p_nb.datagen import load_t2i, load_writer, load_clip, draw_pair
    written = load_writer("rules").write("a yellow house with a red roof, a tree on a sunny day in summer")[0]
    pair = draw_pair(load_t2i("demo-t2i"), written.caption, written.edited_caption, seed=0, p=0.5)
    scores = load_clip("demo-clip").score(pair.before, pair.after, written.caption, written.edited_caption)
"""
from importlib import import_module

# public name -> module that defines it (imported when first used)
_EXPORTS = {
    "load_writer": "writer", "Written": "writer", "check_written": "writer", "human_examples": "examples",
    "draw_pair": "pairs", "draw": "pairs", "sample_settings": "pairs", "Sample": "pairs",
    "load_clip": "clip_filter", "ClipScorer": "clip_filter", "PairScores": "clip_filter", "select": "clip_filter",
    "THRESHOLDS": "clip_filter", "write_prompt_folder": "clip_filter",
    "PairsRun": "engine", "EngineConfig": "engine", "Caption": "engine", "read_captions": "engine",
    "load_t2i": "..models.engine",
    "share_effect": "toy", "word_on_part": "toy",   # what the toy engine shows on held-out scenes
}
__all__ = sorted(_EXPORTS)


def __getattr__(name):
    if name in _EXPORTS:
        where = _EXPORTS[name]
        module = import_module(where[1:], "ip2p_nb") if where.startswith("..") else import_module(f".{where}", __name__)
        return getattr(module, name)
    raise AttributeError(f"module 'ip2p_nb.datagen' has no attribute {name!r}")


def __dir__():
    return __all__
