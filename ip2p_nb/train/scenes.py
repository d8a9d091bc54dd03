"""A data engine in miniature: procedural scenes with captions, and edits that change only one part.

InstructPix2Pix was trained on (input image, instruction, edited image) triples in which
prompt-to-prompt kept everything but the edited part. Here the same guarantee comes for
free: a `Scene` is a handful of named parts (sky, sun or moon, ground, house, roof, tree,
an animal or object), `render` draws it with Pillow, and an edit changes one field of the
scene. Because every part is drawn from its own field, in a fixed order, only that part's
pixels change. `render` also returns a label map (which part drew each pixel), which the
tests and `quality.py` use to find the edited region.

Everything is deterministic per seed: `make_pair(seed)` always returns the same triple.
Instructions are in English, each with a Chinese variant for the translation chain.
"""
import random
from dataclasses import dataclass, replace

import numpy as np
from PIL import Image, ImageDraw

__all__ = ["Scene", "PARTS", "available_edits", "random_scene", "render", "caption", "make_pair",
           "make_pairs", "save_scene_png"]

# Named colours (English, Chinese, RGB) for house walls, roofs and objects.
COLOURS = {
    "red": ("红色", (200, 40, 40)), "blue": ("蓝色", (40, 70, 200)), "yellow": ("黄色", (235, 205, 50)),
    "green": ("绿色", (40, 150, 60)), "white": ("白色", (235, 235, 235)), "purple": ("紫色", (130, 50, 160)),
    "orange": ("橙色", (235, 130, 30)), "pink": ("粉色", (240, 150, 190)), "brown": ("棕色", (120, 75, 40)),
    "grey": ("灰色", (128, 128, 128)),
}
# Label ids of the label map returned by `render` (0 = nothing drawn).
PARTS = {"sky": 1, "sun": 2, "ground": 3, "house": 4, "roof": 5, "door": 6, "window": 7,
         "trunk": 8, "crown": 9, "thing": 10}
SKY = {"day": (110, 170, 235), "sunset": (240, 150, 90), "night": (15, 20, 60)}
GROUND = {"summer": (70, 160, 60), "spring": (140, 205, 110), "autumn": (185, 150, 70), "winter": (240, 242, 248)}
CROWN = {"summer": (30, 110, 40), "spring": (245, 170, 200), "autumn": (220, 110, 30), "winter": (225, 230, 240)}
THINGS = {"dog": "一只狗", "cat": "一只猫", "ball": "一个球", "car": "一辆车", "duck": "一只鸭子"}
TIMES_ZH = {"day": "白天", "sunset": "日落", "night": "夜晚"}
SEASONS_ZH = {"summer": "夏天", "spring": "春天", "autumn": "秋天", "winter": "冬天"}
HORIZON = 0.55  # fraction of the height where the ground starts


@dataclass(frozen=True)
class Scene:
    """Everything needed to draw one picture; an edit replaces one or two fields."""
    time: str = "day"            # day / sunset / night
    season: str = "summer"       # summer / spring / autumn / winter (winter = snow)
    house_side: str = "left"     # the house stands left or right; the tree on the other side
    house_colour: str = "yellow"
    roof_colour: str = "red"
    tree: bool = True
    thing: str | None = "dog"    # an animal or object in front, or None
    sun_x: float = 0.75          # horizontal position of the sun or moon, 0..1
    stars: int = 0               # seed of the star pattern (drawn only at night)


@dataclass
class EditPair:
    """One training triple, plus what is needed to check it."""
    kind: str                    # one of available_edits()
    instruction: str             # English
    instruction_zh: str          # Chinese
    before: Image.Image
    after: Image.Image
    region: np.ndarray           # bool HxW: the pixels the edit is allowed to change
    before_scene: Scene
    after_scene: Scene
    caption_before: str
    caption_after: str


def available_edits() -> list[str]:
    """The kinds of edit the grammar produces."""
    return ["house_colour", "roof_colour", "time", "snow", "season", "add", "remove"]


def random_scene(rng: random.Random) -> Scene:
    """A random scene drawn from `rng` (a `random.Random`)."""
    colours = list(COLOURS)
    return Scene(
        time=rng.choice(["day", "day", "sunset", "night"]), season=rng.choice(list(GROUND)),
        house_side=rng.choice(["left", "right"]), house_colour=rng.choice(colours),
        roof_colour=rng.choice(colours), tree=rng.random() < 0.7,
        thing=rng.choice([None, *THINGS]), sun_x=rng.uniform(0.3, 0.7), stars=rng.randrange(1 << 16),
    )


def caption(scene: Scene) -> str:
    """An English caption of the scene."""
    article = "an" if scene.house_colour[0] in "aeiou" else "a"
    parts = [f"{article} {scene.house_colour} house with a {scene.roof_colour} roof"]
    if scene.tree:
        parts.append("a tree")
    if scene.thing:
        parts.append(f"a {scene.thing}")
    when = {"day": "on a sunny day", "sunset": "at sunset", "night": "at night"}[scene.time]
    return f"{', '.join(parts)} {when} in {scene.season}" + (", with snow" if scene.season == "winter" else "")


# ---- drawing -------------------------------------------------------------------------------------

def _box(size, x0, y0, x1, y1):
    left, top = round(x0 * size), round(y0 * size)
    return [left, top, max(left, round(x1 * size) - 1), max(top, round(y1 * size) - 1)]


class _Canvas:
    """Draws each shape twice: in colour on the picture and as a part id on the label map."""

    def __init__(self, size):
        self.size = size
        self.image = Image.new("RGB", (size, size))
        self.labels = Image.new("L", (size, size))
        self._draws = (ImageDraw.Draw(self.image), ImageDraw.Draw(self.labels))

    def shape(self, kind, coords, colour, part):
        pic, lab = self._draws
        getattr(pic, kind)(coords, fill=colour)
        getattr(lab, kind)(coords, fill=PARTS[part])

    def rect(self, x0, y0, x1, y1, colour, part):
        self.shape("rectangle", _box(self.size, x0, y0, x1, y1), colour, part)

    def ellipse(self, x0, y0, x1, y1, colour, part):
        self.shape("ellipse", _box(self.size, x0, y0, x1, y1), colour, part)

    def polygon(self, points, colour, part):
        self.shape("polygon", [(round(x * self.size), round(y * self.size)) for x, y in points], colour, part)


def _draw_sky(c: _Canvas, s: Scene):
    c.rect(0, 0, 1, HORIZON, SKY[s.time], "sky")
    if s.time == "night":
        stars = random.Random(s.stars)
        for _ in range(8):
            x, y = stars.uniform(0.02, 0.95), stars.uniform(0.02, HORIZON - 0.12)
            c.rect(x, y, x + 1.5 / c.size, y + 1.5 / c.size, (250, 250, 210), "sun")
        c.ellipse(s.sun_x - 0.07, 0.08, s.sun_x + 0.07, 0.22, (240, 240, 215), "sun")
        c.ellipse(s.sun_x - 0.035, 0.07, s.sun_x + 0.085, 0.19, SKY["night"], "sky")  # crescent
    elif s.time == "sunset":
        c.ellipse(s.sun_x - 0.09, 0.36, s.sun_x + 0.09, 0.54, (250, 90, 40), "sun")
    else:
        c.ellipse(s.sun_x - 0.07, 0.08, s.sun_x + 0.07, 0.22, (255, 225, 60), "sun")


def _draw_house(c: _Canvas, s: Scene):
    x = 0.08 if s.house_side == "left" else 0.54
    c.rect(x, 0.45, x + 0.36, 0.78, COLOURS[s.house_colour][1], "house")
    c.polygon([(x - 0.04, 0.46), (x + 0.18, 0.28), (x + 0.40, 0.46)], COLOURS[s.roof_colour][1], "roof")
    if s.season == "winter":
        c.polygon([(x + 0.08, 0.37), (x + 0.18, 0.28), (x + 0.28, 0.37)], (245, 245, 250), "roof")
    c.rect(x + 0.14, 0.62, x + 0.22, 0.78, (90, 55, 30), "door")
    c.rect(x + 0.04, 0.52, x + 0.11, 0.59, (170, 220, 250), "window")
    c.rect(x + 0.25, 0.52, x + 0.32, 0.59, (170, 220, 250), "window")


def _draw_tree(c: _Canvas, s: Scene):
    x = 0.70 if s.house_side == "left" else 0.18
    c.rect(x - 0.03, 0.55, x + 0.03, 0.80, (100, 65, 35), "trunk")
    c.ellipse(x - 0.13, 0.30, x + 0.13, 0.60, CROWN[s.season], "crown")


def _draw_thing(c: _Canvas, thing: str):
    x = 0.46
    if thing in ("dog", "cat"):
        fur = (150, 95, 50) if thing == "dog" else (40, 40, 40)
        c.rect(x - 0.08, 0.82, x + 0.06, 0.90, fur, "thing")
        c.rect(x - 0.07, 0.90, x - 0.05, 0.95, fur, "thing")
        c.rect(x + 0.03, 0.90, x + 0.05, 0.95, fur, "thing")
        c.ellipse(x + 0.04, 0.77, x + 0.11, 0.84, fur, "thing")
        if thing == "cat":
            c.polygon([(x + 0.045, 0.79), (x + 0.06, 0.74), (x + 0.075, 0.79)], fur, "thing")
    elif thing == "ball":
        c.ellipse(x - 0.06, 0.83, x + 0.06, 0.95, (230, 40, 120), "thing")
    elif thing == "car":
        c.rect(x - 0.11, 0.84, x + 0.11, 0.92, (30, 90, 220), "thing")
        c.rect(x - 0.06, 0.79, x + 0.05, 0.84, (30, 90, 220), "thing")
        c.ellipse(x - 0.09, 0.90, x - 0.04, 0.95, (20, 20, 20), "thing")
        c.ellipse(x + 0.04, 0.90, x + 0.09, 0.95, (20, 20, 20), "thing")
    elif thing == "duck":
        c.ellipse(x - 0.07, 0.85, x + 0.05, 0.94, (250, 220, 40), "thing")
        c.ellipse(x + 0.01, 0.79, x + 0.08, 0.86, (250, 220, 40), "thing")
        c.rect(x + 0.08, 0.82, x + 0.11, 0.84, (240, 120, 20), "thing")


def render(scene: Scene, size: int = 64) -> tuple[Image.Image, np.ndarray]:
    """Draw `scene` as a `size` x `size` RGB image; also return its label map (see `PARTS`)."""
    c = _Canvas(size)
    _draw_sky(c, scene)
    c.rect(0, HORIZON, 1, 1, GROUND[scene.season], "ground")
    _draw_house(c, scene)
    if scene.tree:
        _draw_tree(c, scene)
    if scene.thing:
        _draw_thing(c, scene.thing)
    return c.image, np.asarray(c.labels)


# ---- the edit grammar ----------------------------------------------------------------------------

def _other(rng, options, current):
    return rng.choice([o for o in options if o != current])


def make_edit(scene: Scene, kind: str, rng: random.Random) -> tuple[Scene, Scene, str, str, set]:
    """One edit of `kind` from `scene`: (before, after, English, Chinese, parts it may change).

    `before` is `scene`, except for add/remove, which first take the object away or put it in.
    """
    if kind == "house_colour":
        new = _other(rng, COLOURS, scene.house_colour)
        return scene, replace(scene, house_colour=new), f"make the house {new}", f"把房子变成{COLOURS[new][0]}", {"house"}
    if kind == "roof_colour":
        new = _other(rng, COLOURS, scene.roof_colour)
        return scene, replace(scene, roof_colour=new), f"make the roof {new}", f"把屋顶变成{COLOURS[new][0]}", {"roof"}
    if kind == "time":
        new = _other(rng, TIMES_ZH, scene.time)
        en = {"night": "make it night", "sunset": "make it sunset", "day": "make it day"}[new]
        zh = f"把{TIMES_ZH[scene.time]}变成{TIMES_ZH[new]}"
        return scene, replace(scene, time=new), en, zh, {"sky", "sun"}
    if kind in ("snow", "season"):
        new = "winter" if kind == "snow" else _other(rng, SEASONS_ZH, scene.season)
        if kind == "snow":
            en, zh = "add snow", "让它下雪"
            scene = replace(scene, season="summer") if scene.season == "winter" else scene
        else:
            en, zh = f"make it {new}", f"变成{SEASONS_ZH[new]}"
        return scene, replace(scene, season=new), en, zh, {"ground", "crown", "roof"}
    if kind == "add":
        if not scene.tree and rng.random() < 0.4:
            return scene, replace(scene, tree=True), "add a tree", "加一棵树", {"trunk", "crown"}
        new = _other(rng, THINGS, scene.thing)
        before = replace(scene, thing=None)  # adding goes from nothing to the object
        return before, replace(scene, thing=new), f"add a {new}", f"加{THINGS[new]}", {"thing"}
    if kind == "remove":
        if scene.tree and (not scene.thing or rng.random() < 0.4):
            return scene, replace(scene, tree=False), "remove the tree", "去掉那棵树", {"trunk", "crown"}
        thing = scene.thing or rng.choice(list(THINGS))
        before = replace(scene, thing=thing)
        return before, replace(scene, thing=None), f"remove the {thing}", f"去掉那{THINGS[thing][1:]}", {"thing"}
    raise ValueError(f"`kind` must be one of {available_edits()}, got {kind!r}")


def make_pair(seed: int, size: int = 64, kind: str | None = None) -> EditPair:
    """The (before, instruction, after) triple for generator `seed`; `kind` forces the edit type."""
    rng = random.Random(seed)
    scene = random_scene(rng)
    kind = kind or rng.choice(available_edits())
    scene, after, en, zh, parts = make_edit(scene, kind, rng)
    (img0, lab0), (img1, lab1) = render(scene, size), render(after, size)
    ids = [PARTS[p] for p in parts]
    region = np.isin(lab0, ids) | np.isin(lab1, ids)
    return EditPair(kind, en, zh, img0, img1, region, scene, after, caption(scene), caption(after))


def make_pairs(first_seed: int, count: int, size: int = 64) -> list[EditPair]:
    """`count` pairs from consecutive generator seeds starting at `first_seed`."""
    return [make_pair(first_seed + i, size) for i in range(count)]


def save_scene_png(path, seed: int = 0, size: int = 64, **fields) -> str:
    """Save the scene of generator `seed` (fields overridable, e.g. time="day") as a PNG; returns the path."""
    from ..outputs.files import save_image_atomic

    scene = replace(random_scene(random.Random(seed)), **fields)
    image, _ = render(scene, size)
    return str(save_image_atomic(image, path))
