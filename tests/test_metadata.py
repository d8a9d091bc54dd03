"""Edit settings in PNG metadata, in the A1111 `parameters` format that SD tools read."""
from types import SimpleNamespace

import pytest
from PIL import Image
from sd_parsers import ParserManager

from ip2p_nb.errors import UserError
from ip2p_nb.outputs.metadata import parameters_text, parse_parameters, read_png_settings, save_png


def _result(instruction="把天空换成夜晚", **kw):
    fields = dict(image=Image.new("RGB", (512, 384), "navy"), original=Image.new("RGB", (512, 384), "skyblue"),
                  instruction=instruction, prompt="turn the sky into a night sky", seed=1234, image_guidance=1.5,
                  text_guidance=7.5, steps=20, max_size=512, model="tiny")
    fields.update(kw)
    return SimpleNamespace(**fields)


def test_parameters_text_is_a1111_format():
    assert parameters_text(_result(instruction="make it night")) == (
        "turn the sky into a night sky\n"
        "Steps: 20, Sampler: Euler a, CFG scale: 7.5, Image CFG scale: 1.5, Seed: 1234, Size: 512x384, "
        "Model: tiny, Instruction: make it night")


def test_parameters_text_accepts_a_dict_and_quotes_risky_values():
    text = parameters_text({"prompt": "p", "seed": 7, "steps": 3, "text_guidance": 5.0, "instruction": 'a, b: "c"',
                            "size": (64, 32)})
    assert text.endswith('Size: 64x32, Instruction: "a, b: \\"c\\""')
    assert parse_parameters(text)["instruction"] == 'a, b: "c"'


def test_sd_parsers_reads_back_prompt_seed_steps(tmp_path):
    result = _result()
    path = save_png(result.image, tmp_path / "edited.png", result)
    info = ParserManager().parse(str(path))
    assert info is not None, "sd-parsers did not recognise the metadata"
    sampler = info.samplers[0]
    assert [p.value for p in info.prompts] == ["turn the sky into a night sky"]
    assert sampler.name == "Euler a" and sampler.model.name == "tiny"
    assert sampler.parameters["seed"] == "1234" and sampler.parameters["steps"] == "20"
    assert sampler.parameters["cfg_scale"] == "7.5"


def test_sd_parsers_survives_an_instruction_with_commas_and_colons(tmp_path):
    result = _result(instruction="把天空换成夜晚, 加上: 月亮")
    info = ParserManager().parse(str(save_png(result.image, tmp_path / "e.png", result)))
    assert info.samplers[0].parameters["seed"] == "1234"
    assert read_png_settings(tmp_path / "e.png")["instruction"] == "把天空换成夜晚, 加上: 月亮"


def test_chinese_round_trips_as_itxt(tmp_path):
    result = _result(instruction="给猫戴上一顶红色的帽子")
    path = save_png(result.image, tmp_path / "e.png", result)
    assert b"iTXt" in path.read_bytes()
    with Image.open(path) as image:
        assert image.info["instruction"] == "给猫戴上一顶红色的帽子"
        assert "给猫戴上一顶红色的帽子" in image.info["parameters"]
        assert image.size == (512, 384) and image.getpixel((0, 0)) == (0, 0, 128)
    settings = read_png_settings(path)
    assert settings == {"prompt": "turn the sky into a night sky", "steps": 20, "sampler": "Euler a",
                        "text_guidance": 7.5, "image_guidance": 1.5, "seed": 1234, "size": "512x384",
                        "model": "tiny", "instruction": "给猫戴上一顶红色的帽子"}


def test_save_png_without_result_and_reading_plain_files(tmp_path):
    path = save_png(Image.new("RGB", (8, 8)), tmp_path / "plain.png")
    assert read_png_settings(path) == {}
    (tmp_path / "bad.png").write_bytes(b"not an image")
    with pytest.raises(UserError, match="Cannot read the image"):
        read_png_settings(tmp_path / "bad.png")


def test_save_png_failure_leaves_previous_file(tmp_path):
    (tmp_path / "afile").write_text("x")
    with pytest.raises(UserError, match="not a folder"):
        save_png(Image.new("RGB", (8, 8)), tmp_path / "afile" / "out.png")
    old = save_png(Image.new("RGB", (8, 8), "red"), tmp_path / "out.png").read_bytes()
    with pytest.raises(UserError, match="previous file"):
        save_png(_HalfWriter(), tmp_path / "out.png", _result())
    assert (tmp_path / "out.png").read_bytes() == old
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile", "out.png"]


class _HalfWriter:
    """An image whose save writes some bytes and then fails, like a full disk."""

    def save(self, fp, format=None, **kw):
        with open(fp, "wb") as f:
            f.write(b"\x89PNG\r\n\x1a\n partial")
        raise OSError(28, "No space left on device")
