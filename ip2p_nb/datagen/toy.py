"""What the offline engine shows on held-out scenes: where a word acts on demo-t2i's drawings, and what sharing does.

The toy world's geometry is fixed (ip2p_nb/train/scenes.py), so both can be measured, not just looked at:
- `word_on_part`: the share of a word's map ("house") on the house of the drawing itself (`drawn_labels`: each pixel takes
  the part whose colour in the scene's own rendering is nearest; a caption does not say where the house stands);
- `share_effect`: a pair's mean pixel difference, per p, in the rows that an edit kind never touches (`UNTOUCHED`).
`bench --pairs` reports the engine's cost; make_pairs.ipynb shows `share_effect` next to the article's sentence.
"""
import numpy as np

__all__ = ["HELD_OUT", "UNTOUCHED", "drawn_labels", "word_on_part", "share_effect"]

HELD_OUT = 10_000_000        # scene seeds from here on were never drawn in demo-t2i's training (assets/demo-t2i/README.md)
# Rows of a 64 px scene that an edit kind never touches (ip2p_nb/train/scenes.py's fixed geometry): a change of the
# time of day repaints only the sky and the sun (the bottom fifth is ground, the object, the trunk); the other kinds
# touch the house, roof, ground, crown or object, never the top quarter (sky and sun).
UNTOUCHED = {"time": (0.80, 1.0), "house_colour": (0.0, 0.25), "roof_colour": (0.0, 0.25), "season": (0.0, 0.25),
             "snow": (0.0, 0.25), "add": (0.0, 0.25), "remove": (0.0, 0.25)}


def drawn_labels(picture, scene):
    """A label map of the drawing itself: each pixel takes the part whose colour in the scene's own rendering is nearest
    (the drawing's layout is its own: a caption does not say where the house stands, and some drawings have two)."""
    from ..train.scenes import render  # noqa: PLC0415

    truth, labels = render(scene, picture.width)
    truth = np.asarray(truth, dtype=float)
    parts = [p for p in np.unique(labels) if p]
    palette = np.stack([np.median(truth[labels == p], axis=0) for p in parts])       # one colour per part
    drawn = np.asarray(picture.convert("RGB"), dtype=float)
    nearest = np.argmin(((drawn[:, :, None, :] - palette[None, None]) ** 2).sum(-1), axis=-1)
    return np.asarray(parts)[nearest]


def _ambiguous(scene, margin: float = 80.0) -> bool:
    """Whether the house's colour is too close to the sky's or the ground's for a colour map to tell them apart."""
    from ..train.scenes import COLOURS, GROUND, SKY  # noqa: PLC0415

    house = np.asarray(COLOURS[scene.house_colour][1], dtype=float)
    return any(np.linalg.norm(house - np.asarray(c, dtype=float)) < margin for c in (SKY[scene.time], GROUND[scene.season]))


def word_on_part(pipe, count: int = 20, word: str = "house", steps: int = 20, threshold: float = 0.4) -> dict:
    """For `count` held-out scenes: the share of `word`'s map inside the house (body, roof, door, windows) of the
    drawing (`drawn_labels`), against the share of the picture the house covers (what a map spread evenly would
    give); `mass_above` counts only the map above `threshold` of its peak (DAAM's binarising threshold is 0.4)."""
    import random  # noqa: PLC0415

    from .pairs import draw  # noqa: PLC0415
    from ..train.scenes import PARTS, caption, random_scene  # noqa: PLC0415

    inside, above, area, skipped, k = [], [], [], 0, 0
    while len(inside) < count:
        scene = random_scene(random.Random(HELD_OUT + k))
        k += 1
        if _ambiguous(scene):       # a green house on green grass: the colours cannot say where the house is
            skipped += 1
            continue
        picture, maps = draw(pipe, caption(scene), seed=k, steps=steps, maps=True)
        house = np.isin(drawn_labels(picture, scene), [PARTS[p] for p in ("house", "roof", "door", "window")])
        house[round(0.8 * picture.height):] = False    # the house ends at 0.78 of the height (scenes.py): below is ground
        heat = maps.heat(word, picture.size)
        peak = np.where(heat >= threshold * heat.max(), heat, 0.0)
        inside.append(float(heat[house].sum() / max(heat.sum(), 1e-9)))
        above.append(float(peak[house].sum() / max(peak.sum(), 1e-9)))
        area.append(float(house.mean()))
    return dict(word=word, scenes=count, skipped_ambiguous=skipped, threshold=threshold, mass_inside=[round(v, 3) for v in inside],
                mass_above_inside=[round(v, 3) for v in above], mean_inside=round(float(np.mean(inside)), 3),
                mean_above_inside=round(float(np.mean(above)), 3), mean_area=round(float(np.mean(area)), 3),
                scenes_mostly_inside=int(sum(v > 0.5 for v in inside)),
                scenes_mostly_inside_above=int(sum(v > 0.5 for v in above)))


def share_effect(pipe, count: int = 12, p_values=(0.0, 0.2, 0.4, 0.6, 0.8, 1.0), steps: int = 20, share: str = "self") -> dict:
    """Mean pixel difference of a pair outside the edited part, per p, over `count` held-out scene edits (both pictures
    from one noise; the rows the edit kind never touches, `UNTOUCHED`)."""
    import random  # noqa: PLC0415

    from .pairs import draw_pair  # noqa: PLC0415
    from ..train.scenes import available_edits, caption, make_edit, random_scene  # noqa: PLC0415

    rows = {p: [] for p in p_values}
    for k in range(count):
        rng = random.Random(HELD_OUT + 1000 + k)
        kind = available_edits()[k % len(available_edits())]
        before, after, *_ = make_edit(random_scene(rng), kind, rng)
        top, bottom = UNTOUCHED[kind]
        for p in p_values:
            pair = draw_pair(pipe, caption(before), caption(after), seed=k, p=p, steps=steps, share=share)
            a, b = np.asarray(pair.before, dtype=float), np.asarray(pair.after, dtype=float)
            band = slice(round(top * a.shape[0]), round(bottom * a.shape[0]))
            rows[p].append(float(np.abs(a[band] - b[band]).mean()))
    return dict(share=share, edits=count, steps=steps,
                outside_difference={f"{p:.1f}": round(float(np.mean(v)), 2) for p, v in rows.items()})
