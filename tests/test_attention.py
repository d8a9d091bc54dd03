"""Attention hooks (ip2p_nb/attention/): word maps that never change a pixel, processors given back after the
with block, and pairs drawn with shared attention (ip2p_nb/datagen/pairs.py) against plain diffusers."""
import os

import numpy as np
import pytest
import torch
from PIL import Image

from commands import run_python
from ip2p_nb.attention import AttentionSharer, align_tokens, hooked, prompt_words, record_word_maps, sharing_on
from ip2p_nb.datagen.pairs import draw, draw_pair, sample_settings
from ip2p_nb.errors import UserError
from ip2p_nb.models.tiny import build_tiny_t2i_pipeline, build_tiny_xl_pipeline, tiny_tokenizer


@pytest.fixture(scope="module")
def t2i():
    return build_tiny_t2i_pipeline()


def _px(image):
    return np.asarray(image).astype(np.int16)


def _same_processors(unet, own):
    now = unet.attn_processors
    return now.keys() == own.keys() and all(now[k] is own[k] for k in own)


def test_an_edit_with_maps_has_the_pixels_of_an_edit_without(tiny_editor, photo):
    own = dict(tiny_editor.pipe.unet.attn_processors)
    plain = tiny_editor.edit(photo, "make it snowy", seed=7, steps=3, max_size=256)
    mapped = tiny_editor.edit(photo, "make it snowy", seed=7, steps=3, max_size=256, maps=True)
    assert np.array_equal(_px(plain.image), _px(mapped.image))
    assert plain.maps is None
    assert mapped.maps.words == ["make", "it", "snowy"]
    h, w = mapped.image.size[1] // 8, mapped.image.size[0] // 8
    assert mapped.maps.maps.shape == (3, h, w)          # at the latent's size, not square for a 4:3 photo
    assert mapped.maps.maps.max() == pytest.approx(1.0) and mapped.maps.maps.min() >= 0
    assert mapped.maps.heat("snowy", mapped.image.size).shape == (mapped.image.size[1], mapped.image.size[0])
    assert _same_processors(tiny_editor.pipe.unet, own)


def test_maps_on_the_demo_model_with_reuse_and_a_mask_keep_the_pixels(tmp_path):
    from ip2p_nb import load_editor
    from ip2p_nb.train import save_scene_png

    editor = load_editor("demo")
    for kwargs in ({"cache_interval": 2}, {"mask": np.pad(np.ones((32, 32), bool), 16), "max_size": 64}):
        picture = Image.open(save_scene_png(tmp_path / "scene.png", seed=5))
        plain = editor.edit(picture, "make the roof blue", seed=3, **kwargs)
        mapped = editor.edit(picture, "make the roof blue", seed=3, maps=True, **kwargs)
        assert np.array_equal(_px(plain.image), _px(mapped.image)), kwargs
        assert mapped.maps.words == ["make", "the", "roof", "blue"]


def test_sdxl_edits_record_maps_too():
    from ip2p_nb import Editor

    editor = Editor(build_tiny_xl_pipeline(), model_name="tiny-xl")
    picture = Image.new("RGB", (384, 256), (120, 160, 200))
    plain = editor.edit(picture, "add a boat", seed=1, steps=2, max_size=256)
    mapped = editor.edit(picture, "add a boat", seed=1, steps=2, max_size=256, maps=True)
    assert np.array_equal(_px(plain.image), _px(mapped.image))
    assert mapped.maps.words == ["add", "a", "boat"]


def test_the_processors_come_back_after_an_exception(t2i):
    own = dict(t2i.unet.attn_processors)
    with pytest.raises(RuntimeError):
        with record_word_maps(t2i.unet, (8, 8)):
            assert not _same_processors(t2i.unet, own)
            raise RuntimeError("stopped")
    assert _same_processors(t2i.unet, own)


def test_p0_is_the_plain_diffusers_drawing_of_the_edited_caption(t2i):
    for seed in (0, 11):
        pair = draw_pair(t2i, "a red house with a tree", "a blue house with a tree", seed=seed, p=0.0, steps=4, size=64)
        plain = t2i("a blue house with a tree", generator=torch.Generator("cpu").manual_seed(seed), num_inference_steps=4,
                    guidance_scale=7.5, height=64, width=64).images[0]
        assert np.array_equal(_px(pair.after), _px(plain))
        first = t2i("a red house with a tree", generator=torch.Generator("cpu").manual_seed(seed), num_inference_steps=4,
                    guidance_scale=7.5, height=64, width=64).images[0]
        assert np.array_equal(_px(pair.before), _px(first))   # the source never changes, whatever p
        assert pair.shared_steps == 0


@pytest.mark.parametrize("share", ["self", "cross", "both"])
def test_identical_captions_give_identical_pictures_for_every_p(t2i, share):
    for p in (0.0, 0.25, 0.6, 1.0):
        pair = draw_pair(t2i, "a dog on a beach", "a dog on a beach", seed=4, p=p, steps=5, size=64, share=share)
        assert np.array_equal(_px(pair.before), _px(pair.after)), (share, p)


def test_sharing_changes_the_after_picture_and_more_sharing_changes_it_more(t2i):
    plain = draw_pair(t2i, "a red car", "a blue boat", seed=2, p=0.0, steps=6, size=64)
    diffs = []
    for p in (0.3, 1.0):
        pair = draw_pair(t2i, "a red car", "a blue boat", seed=2, p=p, steps=6, size=64)
        # the source's attention is formed by hand while it is shared (so equal captions stay equal), which moves
        # its picture by rounding only
        assert np.abs(_px(pair.before) - _px(plain.before)).max() <= 2
        diffs.append(np.abs(_px(pair.after) - _px(plain.after)).mean())
        assert pair.shared_steps == sum(sharing_on(p, i, 6) for i in range(6))
    assert 0 < diffs[0] < diffs[1]


def test_the_papers_rule_shares_the_first_p_of_the_steps():
    assert [sharing_on(0.5, i, 10) for i in range(10)] == [True] * 4 + [False] * 6   # 0.5 > i / 8
    assert not any(sharing_on(0.0, i, 10) for i in range(10))


def test_token_alignment_maps_words_and_keeps_new_ones_own():
    tok = tiny_tokenizer()
    same = align_tokens(tok, "a cat", "a dog")            # same length: piece for piece (a word swap)
    words0, words1 = prompt_words(tok, "a cat"), prompt_words(tok, "a dog")
    assert same[words1[1][1]].tolist() == words0[1][1]
    longer = align_tokens(tok, "a cat", "a big cat")
    pos = dict(prompt_words(tok, "a big cat"))
    assert (longer[pos["big"]] == -1).all()                # a new word keeps its own map
    assert longer[pos["cat"]].tolist() == dict(prompt_words(tok, "a cat"))["cat"]
    assert longer[0] == 0 and (longer >= -1).all() and longer.max() < tok.model_max_length


def test_cross_sharing_needs_the_alignment(t2i):
    sharer = AttentionSharer("cross", 1.0)
    sharer.step(0, 4)
    with hooked(t2i.unet, sharer), pytest.raises(ValueError, match="alignment"):
        sharer.role = "source"
        t2i.unet(torch.zeros(2, 4, 8, 8), 10, encoder_hidden_states=torch.zeros(2, 77, 32))
        sharer.role = "target"
        t2i.unet(torch.zeros(2, 4, 8, 8), 10, encoder_hidden_states=torch.zeros(2, 77, 32))


def test_a_drawing_can_say_where_each_word_acted(t2i):
    image, maps = draw(t2i, "a house and a tree", seed=1, steps=3, size=64, maps=True)
    plain = t2i("a house and a tree", generator=torch.Generator("cpu").manual_seed(1), num_inference_steps=3,
                guidance_scale=7.5, height=64, width=64).images[0]
    assert np.array_equal(_px(image), _px(plain))
    assert maps.words == ["a", "house", "and", "a", "tree"] and maps.maps.shape == (5, 8, 8)


@pytest.mark.parametrize("bad", [dict(p=1.5), dict(p=-0.1), dict(share="half"), dict(steps=0), dict(size=70)])
def test_bad_pair_settings_are_one_sentence(t2i, bad):
    kwargs = dict(seed=0, p=0.5, steps=2, size=64) | bad
    with pytest.raises(UserError) as e:
        draw_pair(t2i, "a cat", "a dog", **kwargs)
    assert str(e.value).count(".") <= 2 and "\n" not in str(e.value)


def test_sample_settings_draw_the_papers_ranges_reproducibly():
    settings = sample_settings(5, 200)
    assert settings == sample_settings(5, 200) and settings != sample_settings(6, 200)
    assert all(0.1 <= p <= 0.9 and 7.5 <= g <= 15 and 0 <= s < 2**32 for s, p, g in settings)
    assert len({s for s, _, _ in settings}) == 200


def test_cli_edit_maps_writes_the_grid_beside_the_picture(tmp_path):
    from ip2p_nb.train import save_scene_png

    save_scene_png(tmp_path / "scene.png", seed=3)
    done = run_python(["-m", "ip2p_nb", "edit", "scene.png", "make it night", "--model", "demo", "--max-size", "64",
                       "--output", "night.png", "--maps", "--seed", "3", "--quiet"], tmp_path, dict(os.environ), timeout=300)
    assert done.returncode == 0, done.stderr
    grid = Image.open(tmp_path / "night_maps.png")
    assert "night_maps.png: where each word acts" in done.stdout
    assert grid.width > 3 * 128 and grid.height > 128    # the picture and a tile per word, enlarged from 64 px
    plain = run_python(["-m", "ip2p_nb", "edit", "scene.png", "make it night", "--model", "demo", "--max-size", "64",
                        "--output", "plain.png", "--seed", "3", "--quiet"], tmp_path, dict(os.environ), timeout=300)
    assert plain.returncode == 0 and not (tmp_path / "plain_maps.png").exists()
    assert np.array_equal(_px(Image.open(tmp_path / "night.png")), _px(Image.open(tmp_path / "plain.png")))
