"""Chinese -> English for edit instructions.

`translate(text)` returns a `Translation` (the English, the source text, the backend that made it,
and the fragments it could not translate). The chain and its settings are in `chain.py`; the
offline translator in `builtin.py` with its edit vocabulary in `vocab.py` and its dictionaries
(jieba, CC-CEDICT, OpenCC) in `lexicon.py`. Importing this package
does not import torch.
"""
from .chain import BACKENDS, Translation, available_backends, has_chinese, reset_cache, translate

__all__ = ["Translation", "translate", "has_chinese", "available_backends", "reset_cache", "BACKENDS"]
