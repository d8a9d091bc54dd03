"""What a grid (ip2p_nb/outputs/grids.py) can vary: the axes and their limits, the values checked, and
the values typed as text (the command line's `--vary`, the app's fields) parsed."""
from ..defaults import DEFAULTS, check_settings, random_seed
from ..editing.prompts import check_instruction
from ..errors import SettingError, UserError

__all__ = ["AXES", "MAX_AXES", "MAX_VALUES", "MAX_TILES", "FIXED", "check_axes", "check_fixed", "cells_of", "parse_values",
           "parse_vary"]

# Settings a grid can vary -> (Chinese title, English title) drawn on the grid.
AXES = {
    "image_guidance": ("图片引导强度", "Image guidance"),
    "text_guidance": ("文本引导强度", "Text guidance"),
    "seed": ("随机种子", "Seed"),
    "steps": ("步数", "Steps"),
    "instruction": ("编辑指令", "Instruction"),
}
MAX_AXES = 2     # across and down: a third axis cannot be read off one picture
MAX_VALUES = 6   # per axis: six 512-px tiles side by side are still comparable on a laptop screen
MAX_TILES = 24   # 6x4: about a minute of 20-step edits on a T4 at 512 px; many minutes on a CPU
# The settings that are the same for every tile (explore's keyword arguments).
FIXED = ("image_guidance", "text_guidance", "steps", "seed", "max_size", "english")


def _check_value(name, value, raw):
    """One value of axis `name` (given as `raw`), checked like the setting itself."""
    if name == "instruction":
        if not isinstance(value, str) or not value.strip():
            raise SettingError(f"Every value of `{raw}` must be a non-empty instruction, but got {value!r}.")
        return value.strip()
    if value is None:
        raise SettingError(f"Every value of `{raw}` must be a number, but got None.")
    return check_settings(**{name: value})[name]


def check_axes(vary) -> list:
    """[(axis name, checked values)] from `explore`'s `vary`; one sentence for anything it cannot take."""
    if not isinstance(vary, dict) or not vary:
        raise SettingError(f"`vary` must name one or two settings with their values, e.g. "
                           f"{{'text_guidance': [5, 7.5, 10]}}, but got {vary!r}.")
    if len(vary) > MAX_AXES:
        raise SettingError(f"`vary` can vary at most {MAX_AXES} settings (across and down), but got {len(vary)}: {list(vary)}.")
    axes = []
    for raw, values in vary.items():
        name = str(raw).replace("-", "_")
        if name not in AXES:
            raise SettingError(f"`vary` cannot vary {raw!r}; choose from {', '.join(AXES)}.")
        if any(name == n for n, _ in axes):
            raise SettingError(f"`vary` names {name!r} twice; give all its values in one list.")
        if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
            raise SettingError(f"`{raw}` needs a list of values, e.g. [1.2, 1.5, 2.0], but got {values!r}.")
        values = list(values)
        if not 1 <= len(values) <= MAX_VALUES:
            raise SettingError(f"`{raw}` must have 1 to {MAX_VALUES} values, but got {len(values)}.")
        axes.append((name, [_check_value(name, v, raw) for v in values]))
    tiles = len(axes[0][1]) * (len(axes[1][1]) if len(axes) > 1 else 1)
    if tiles > MAX_TILES:
        raise SettingError(f"A grid can have at most {MAX_TILES} tiles, but these values make {tiles}; use fewer values.")
    return axes


def check_fixed(editor, instruction, axes, settings) -> dict:
    """The settings every tile shares, checked, with the instruction and one seed for the whole grid."""
    unknown = sorted(set(settings) - set(FIXED))
    if unknown:
        raise SettingError(f"Unknown setting `{unknown[0]}`; explore takes {', '.join(FIXED)}.")
    varied = {name for name, _ in axes}
    if "instruction" in varied and instruction is not None:
        raise UserError("Give the instruction either as `instruction` or as the values of the instruction axis, not both.")
    if "instruction" not in varied:
        check_instruction(instruction)
    english = settings.get("english")
    if "instruction" in varied and english is not None:
        raise UserError("`english` sets one prompt for every tile, so it cannot be combined with varying the instruction.")
    fixed = {k: v for k, v in DEFAULTS.items() if k in FIXED and k != "max_size"}
    fixed.update({k: v for k, v in settings.items() if k != "english"})
    fixed = editor.check_settings(**{"max_size": None, **fixed})  # None: the model's own size (64 px for `demo`)
    if fixed["seed"] is None:  # one seed for the whole grid, so tiles differ only by what is varied
        fixed["seed"] = random_seed()
    fixed["english"] = english
    fixed["instruction"] = instruction
    return fixed


def cells_of(axes, fixed) -> list:
    """rows of per-tile settings: columns follow axes[0], rows axes[1]."""
    across = [{axes[0][0]: v} for v in axes[0][1]]
    down = [{axes[1][0]: v} for v in axes[1][1]] if len(axes) > 1 else [{}]
    return [[{**fixed, **d, **a} for a in across] for d in down]


# --- typed as text (the command line, the app) ---------------------------------------------------
def parse_values(name: str, text: str, what: str | None = None) -> list:
    """Values typed as text: numbers separated by commas, or instructions separated by `|`.

    `what` names the field in error messages (default: the setting's name).
    """
    what = what or f"`{name}`"
    parts = [v.strip() for v in str(text).split("|" if name == "instruction" else ",")]
    if not any(parts):
        raise SettingError(f"{what} needs at least one value, e.g. {'make it snowy|add snow' if name == 'instruction' else '1.2, 1.5, 2.0'}.")
    if not all(parts):
        raise SettingError(f"{what} has an empty value in {text!r}; remove the extra separator.")
    if name == "instruction":
        return parts
    kind = int if name in ("seed", "steps") else float
    try:
        return [kind(p) for p in parts]
    except ValueError:
        kinds = "whole numbers" if kind is int else "numbers"
        raise SettingError(f"{what} values must be {kinds} separated by commas, but got {text!r}.") from None


def parse_vary(text: str) -> tuple:
    """`AXIS=V1,V2,...` (the command line's `--vary`) -> (axis name, values)."""
    axis, sep, values = text.partition("=")
    name = axis.strip().replace("-", "_")
    if not sep or not values.strip():
        raise SettingError(f"`--vary` takes AXIS=V1,V2,... (e.g. text-guidance=5,7.5,10), but got {text!r}.")
    if name not in AXES:
        raise SettingError(f"`--vary` cannot vary {axis!r}; choose from {', '.join(a.replace('_', '-') for a in AXES)}.")
    return name, parse_values(name, values, f"`--vary {axis.strip()}`")
