"""Train an InstructPix2Pix model yourself: the recipe, the synthetic scenes, and quality measures.

`recipe.py`: widen a text-to-image UNet to 8 input channels, conditioning dropout, the training
loop under accelerate. `data.py`: the training triples (scenes, a folder, the paper's prompt folders,
a hub dataset). `scenes.py`: procedural (instruction, before, after) triples whose edits change only
one part. `quality.py`: PSNR and "followed" scores on held-out scenes. `clip.py`: the command that
trains `demo-clip`, the toy CLIP of the data engine's filter. `t2i.py`: the `demo-t2i` text-to-image
model (demo's UNet sliced to 4 input channels) that draws the scenes from captions.
"""
from ..resources import DEMO_DIR
from .data import PromptFolderData, training_data
from .quality import edit_pairs, evaluate, held_out_pairs, sweep
from .recipe import (FolderData, HubData, SceneData, TrainConfig, build_pipeline, conditioning_dropout,
                     demo_components, latest_checkpoint, load_training_components, run_training, save_pipeline, train,
                     train_vae, widen_conv_in)
from .scenes import available_edits, make_pair, make_pairs, render, save_scene_png
from .t2i import DEMO_T2I_DIR, run_t2i, t2i_quality, text_to_image_unet

__all__ = ["DEMO_DIR", "training_data", "TrainConfig", "widen_conv_in", "conditioning_dropout", "SceneData", "FolderData", "PromptFolderData",
           "HubData", "load_training_components", "demo_components", "build_pipeline", "train", "train_vae", "save_pipeline",
           "latest_checkpoint", "run_training", "held_out_pairs", "edit_pairs", "evaluate", "sweep",
           "available_edits", "make_pair", "make_pairs", "render", "save_scene_png", "DEMO_T2I_DIR", "text_to_image_unet",
           "run_t2i", "t2i_quality"]
