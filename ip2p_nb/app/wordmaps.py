"""The app's "每个词作用在哪里 / Where each word acts" panel: after an edit, the English prompt's words (each with the
Chinese word it came from, when the instruction was Chinese: "sky 天空"), one word's map over the After picture, and
the grid of all words as a download.

The maps come from the edit itself (`editor.edit(..., maps=True)`: cross-attention observed, the picture
unchanged; ip2p_nb/attention/maps.py). The switch is on where the model runs on torch; where it cannot be
watched (OpenVINO's compiled graph, a shared room's worker) the panel says so and stays off.
"""
import html

import ipywidgets as widgets
from PIL import Image

from ..outputs.wordmaps import heat_overlay, maps_grid
from ..translation import has_chinese
from ..translation.align import source_words
from .common import png_bytes
from .result import PREVIEW_SIZE, download_link

__all__ = ["WordMapsPanel", "MAPS_TITLE"]

MAPS_TITLE = "每个词作用在哪里 / Where each word acts"


class WordMapsPanel:
    """The switch, the word buttons, the overlay and the grid's download link (see the module docstring)."""

    def __init__(self, app):
        self.app = app
        self.result = None                 # the last result that has maps
        why_not = self._why_not()
        self.switch = widgets.Checkbox(value=why_not is None, disabled=why_not is not None, indent=False,
                                       description="编辑时记录 record them while editing (the picture stays the same)",
                                       layout=widgets.Layout(width="auto"))   # the whole sentence, not cut short
        self.note = widgets.HTML(f"<span style='color:#666'>{html.escape(why_not)}</span>" if why_not else "")
        self.words = widgets.ToggleButtons(options=[], layout=widgets.Layout(width="auto"))
        self.words.add_class("ip2p-words")
        self.overlay = widgets.Image(format="png", layout=widgets.Layout(max_width="420px", display="none"))
        self.overlay.add_class("ip2p-word-map")
        self.download = widgets.HTML("")
        self.widget = widgets.VBox([widgets.HTML(f"<b>{MAPS_TITLE}</b>"), self.switch, self.note, self.words,
                                    self.overlay, self.download], layout=widgets.Layout(margin="8px 0"))
        self.words.observe(self._on_words_value, names="value")

    def use_editor(self) -> None:
        """Another model was loaded: whether its attention can be watched."""
        why_not = self._why_not()
        self.switch.disabled = why_not is not None
        self.switch.value = why_not is None
        self.note.value = f"<span style='color:#666'>{html.escape(why_not)}</span>" if why_not else ""

    def follow_engine(self) -> None:
        """After an edit: the editor may have moved to the faster engine in the background (models/prepare.py), whose
        attention cannot be watched: then the switch goes off, with the sentence why."""
        why_not = self._why_not()
        if why_not is not None and not self.switch.disabled:
            self.switch.value, self.switch.disabled = False, True
            self.note.value = f"<span style='color:#666'>{html.escape(why_not)}</span>"

    def _why_not(self) -> str | None:
        editor = self.app.editor
        if getattr(editor, "shared", False):
            return "In a shared room the model runs in the worker; word maps are shown in the single-user app."
        if getattr(editor, "runtime", "torch") != "torch":
            return ("This model runs on OpenVINO, whose compiled graph cannot show its attention; start the app with "
                    "--runtime torch to see the maps.")
        return None

    def wanted(self) -> bool:
        """Whether the next edit records its maps."""
        return bool(self.switch.value) and not self.switch.disabled

    def show(self, result) -> None:
        """After an edit: the words of its prompt, the first content word's map, the grid as a download."""
        maps = getattr(result, "maps", None)
        if maps is None or not maps.words:
            self.result, self.words.options = None, []
            self.overlay.layout.display, self.download.value = "none", ""
            return
        self.result = result
        words = list(dict.fromkeys(maps.words))                # a repeated word ("a") once: its first map
        chinese = source_words(result.instruction, words) if has_chinese(result.instruction or "") else {}
        self.words.options = [(f"{w} {chinese[w]}", w) if w in chinese else (w, w) for w in words] if chinese else words
        content = [w for w in maps.words if len(w) > 2] or maps.words
        self.words.value = content[-1]
        self._draw(self.words.value)
        grid = maps_grid(self._picture(result), maps, title=result.prompt)
        self.download.value = download_link(png_bytes(grid), "word_maps.png", "⬇ 下载词图 Download word_maps.png")

    def _picture(self, result):
        box = getattr(result, "maps_box", None)
        return result.image if box is None else result.image.crop(box)

    def _draw(self, word) -> None:
        picture = self._picture(self.result)
        if max(picture.size) < 256:   # the toy models' 64 px: enlarged so the map can be seen
            scale = 256 // max(picture.size)
            picture = picture.resize((picture.width * scale, picture.height * scale), Image.NEAREST)
        self.overlay.value = png_bytes(heat_overlay(picture, self.result.maps.heat(word)), PREVIEW_SIZE)
        self.overlay.layout.display = None

    def _on_words_value(self, change):
        if self.result is not None and change["new"]:
            self.app.guard(self._draw, change["new"])
