"""The paper's data engine: captions -> instructions -> pairs drawn with shared attention -> the CLIP filter -> a folder `train` reads."""
