"""A single-file checkpoint in the original (Stability / LDM) layout, written from a diffusers SDXL pipeline.

Only for tests: no real single-file checkpoint can be downloaded here, so this turns `tiny-xl`'s weights into
the layout `cosxl_edit.safetensors` and other SDXL single files use, by inverting diffusers' own key tables
(`DIFFUSERS_TO_LDM_MAPPING`) and the renames in its converters (diffusers/loaders/single_file_utils.py). Loading
the file back with `from_single_file` must give the same weights.
"""
import torch
from diffusers.loaders.single_file_utils import DIFFUSERS_TO_LDM_MAPPING as TABLES
from safetensors.torch import save_file

_RESNET = [("norm1", "in_layers.0"), ("conv1", "in_layers.2"), ("norm2", "out_layers.0"), ("conv2", "out_layers.3"),
           ("time_emb_proj", "emb_layers.1"), ("conv_shortcut", "skip_connection")]
_VAE_ATTENTION = [("group_norm.", "norm."), ("to_q.", "q."), ("to_k.", "k."), ("to_v.", "v."), ("to_out.0.", "proj_out.")]


def _renamed(rest: str, pairs) -> str:
    for new, old in pairs:
        if rest.startswith(new):
            return old + rest[len(new):]
    return rest


def _unet(unet) -> dict:
    state, layers = unet.state_dict(), unet.config.layers_per_block + 1
    direct = {**TABLES["unet"]["layers"], **TABLES["unet"]["addition_embed_type"]}
    out = {}
    for key, value in state.items():
        p = key.split(".")
        if key in direct:
            out[direct[key]] = value
        elif p[0] == "down_blocks" and p[2] == "downsamplers":
            out[f"input_blocks.{1 + int(p[1]) * layers + layers - 1}.0.op.{p[-1]}"] = value
        elif p[0] == "down_blocks":
            i, rest = 1 + int(p[1]) * layers + int(p[3]), ".".join(p[4:])
            out[f"input_blocks.{i}.0.{_renamed(rest, _RESNET)}" if p[2] == "resnets" else f"input_blocks.{i}.1.{rest}"] = value
        elif p[0] == "mid_block":
            rest = ".".join(p[3:])
            out[f"middle_block.{2 * int(p[2])}.{_renamed(rest, _RESNET)}" if p[1] == "resnets" else f"middle_block.1.{rest}"] = value
        elif p[0] == "up_blocks" and p[2] == "upsamplers":
            attention = any(k.startswith(f"up_blocks.{p[1]}.attentions.") for k in state)
            out[f"output_blocks.{int(p[1]) * layers + layers - 1}.{2 if attention else 1}.conv.{p[-1]}"] = value
        elif p[0] == "up_blocks":
            i, rest = int(p[1]) * layers + int(p[3]), ".".join(p[4:])
            out[f"output_blocks.{i}.0.{_renamed(rest, _RESNET)}" if p[2] == "resnets" else f"output_blocks.{i}.1.{rest}"] = value
        else:
            raise KeyError(key)
    return {"model.diffusion_model." + k: v for k, v in out.items()}


def _vae(vae) -> dict:
    direct, blocks, out = TABLES["vae"], len(vae.config.up_block_types), {}
    for key, value in vae.state_dict().items():
        p = key.split(".")
        if key in direct:
            out[direct[key]] = value
        elif p[1] == "down_blocks" and p[3] == "downsamplers":
            out[f"encoder.down.{p[2]}.downsample.conv.{p[-1]}"] = value
        elif p[1] == "down_blocks":
            out[f"encoder.down.{p[2]}.block.{p[4]}." + ".".join(p[5:]).replace("conv_shortcut", "nin_shortcut")] = value
        elif p[1] == "up_blocks" and p[3] == "upsamplers":
            out[f"decoder.up.{blocks - 1 - int(p[2])}.upsample.conv.{p[-1]}"] = value
        elif p[1] == "up_blocks":
            out[f"decoder.up.{blocks - 1 - int(p[2])}.block.{p[4]}." + ".".join(p[5:]).replace("conv_shortcut", "nin_shortcut")] = value
        elif p[1] == "mid_block" and p[2] == "resnets":
            out[f"{p[0]}.mid.block_{int(p[3]) + 1}." + ".".join(p[4:]).replace("conv_shortcut", "nin_shortcut")] = value
        elif p[1] == "mid_block":
            rest = _renamed(".".join(p[4:]), _VAE_ATTENTION)
            out[f"{p[0]}.mid.attn_1.{rest}"] = value[:, :, None, None] if value.ndim == 2 else value  # 1x1 convolutions there
        else:
            raise KeyError(key)
    return {"first_stage_model." + k: v for k, v in out.items()}


def _clip(encoder) -> dict:
    return {"conditioner.embedders.0.transformer.text_model." + k.removeprefix("text_model."): v
            for k, v in encoder.state_dict().items()}


def _open_clip(encoder) -> dict:
    prefix, out, qkv = "conditioner.embedders.1.model.", {}, {}
    direct = TABLES["openclip"]["layers"]
    for key, value in encoder.state_dict().items():
        if key in direct:
            out[prefix + direct[key]] = value.T.contiguous() if key == "text_projection.weight" else value
            continue
        p = key.removeprefix("text_model.encoder.layers.").split(".")
        rest = ".".join(p[1:]).replace("layer_norm1", "ln_1").replace("layer_norm2", "ln_2").replace(
            "mlp.fc1", "mlp.c_fc").replace("mlp.fc2", "mlp.c_proj").replace("self_attn", "attn")
        if rest.split(".")[1] in ("q_proj", "k_proj", "v_proj"):
            qkv.setdefault((p[0], p[-1]), {})[rest.split(".")[1]] = value
        else:
            out[f"{prefix}transformer.resblocks.{p[0]}.{rest}"] = value
    for (layer, kind), parts in qkv.items():
        out[f"{prefix}transformer.resblocks.{layer}.attn.in_proj_{kind}"] = torch.cat([parts["q_proj"], parts["k_proj"], parts["v_proj"]])
    return out


def save_ldm_checkpoint(pipe, path, cosxl: bool = False) -> None:
    """Write `pipe` (SDXL InstructPix2Pix) as one .safetensors file in the original layout; `cosxl` adds CosXL's EDM keys."""
    state = {**_unet(pipe.unet), **_vae(pipe.vae), **_clip(pipe.text_encoder), **_open_clip(pipe.text_encoder_2)}
    if cosxl:
        state.update({"edm_vpred.sigma_max": torch.tensor(120.0), "edm_vpred.sigma_min": torch.tensor(0.002)})
    save_file({k: v.contiguous() for k, v in state.items()}, str(path))
